// `forklab outcomes FILE [--max-states N] [--max-steps N] [--json]`: explore every interleaving
// of the program's tasks (explore/outcomes.h) and print each distinct output the terminal can
// show, with one schedule that gives it:
//
//     2 possible outputs (42 choice points, 9 runs explored)
//
//     output 1 of 2  (3 end states)  schedule 7,7,8,8,8,7
//       | parent
//       | child
//     ...
//     replay one with: forklab run FILE --schedule PIDS
//     or step through it: forklab-gui FILE --schedule PIDS (P in the GUI lists them all)
//
// A scenario's metadata (files, stdin, limits) applies as in `forklab check`. Exit status: 0
// when the exploration was complete, 3 when the bound was hit (the list may then be
// incomplete: a line on stderr says so), 2 for bad input (a missing file, a compile error).
#include "outcomes.h"

#include "program.h"

#include "explore/outcomes.h"
#include "scenario/library.h"

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

namespace forklab::cli {

namespace {

struct OutcomesArgs {
    std::string file;
    std::uint64_t max_states = 100'000;
    std::uint64_t max_steps = 100'000;
    bool json = false;
};

std::string plural(std::uint64_t n, std::string const& word)
{
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// The output as a block, each line behind a bar so that blank lines and spaces show.
void print_output(std::string const& output)
{
    if (output.empty()) {
        std::cout << "  (no output)\n";
        return;
    }
    std::size_t start = 0;
    while (start < output.size()) {
        std::size_t const end = output.find('\n', start);
        if (end == std::string::npos) {
            std::cout << "  | " << output.substr(start) << "  (no newline at the end)\n";
            break;
        }
        std::cout << "  | " << output.substr(start, end - start) << "\n";
        start = end + 1;
    }
}

void print_text(OutcomesArgs const& a, explore::Exploration const& x)
{
    std::size_t const n = x.outcomes.size();
    std::cout << plural(n, "possible output") << " (" << plural(x.states, "choice point") << ", "
              << plural(x.runs, "run") << " explored)\n";
    for (std::size_t i = 0; i < n; ++i) {
        explore::Outcome const& o = x.outcomes[i];
        std::cout << "\noutput " << i + 1 << " of " << n << "  (" << plural(o.end_states, "end state")
                  << ")  schedule " << explore::schedule_text(o.schedule) << "\n";
        if (o.end != lang::RunEnd::Finished)
            std::cout << "  the run does not finish: " << o.error << "\n";
        if (o.expect_failed)
            std::cout << "  an EXPECT fails in this run\n";
        print_output(o.output);
    }
    std::cout << "\nreplay one with: forklab run " << a.file << " --schedule PIDS\n"
              << "or step through it: forklab-gui " << a.file << " --schedule PIDS (P in the GUI lists them all)\n";
}

void print_json(OutcomesArgs const& a, explore::Exploration const& x)
{
    auto list = nlohmann::json::array();
    for (explore::Outcome const& o : x.outcomes)
        list.push_back({{"output", o.output}, {"end", end_name(o.end)}, {"error", o.error},
            {"schedule", o.schedule}, {"end_states", o.end_states}, {"runs", o.runs},
            {"expect_failed", o.expect_failed}});
    nlohmann::json doc = {{"file", a.file}, {"complete", !x.bound_hit}, {"states", x.states},
        {"pruned", x.pruned}, {"runs", x.runs}, {"steps", x.steps}, {"outcomes", std::move(list)}};
    std::cout << doc.dump(2) << "\n";
}

[[noreturn]] void outcomes(OutcomesArgs const& a)
{
    auto loaded = scenario::load(a.file);
    if (!loaded)
        quit(2, "forklab outcomes: " + loaded.error());
    lang::RunOptions base;
    base.max_steps = a.max_steps;
    lang::RunOptions options = scenario::run_options(*loaded, std::move(base));
    explore::ExploreOptions how;
    how.max_states = a.max_states;
    explore::Exploration const x = explore::explore(a.file, loaded->source, std::move(options), how);
    if (!x.ok)
        quit(2, x.error.starts_with(a.file) ? x.error : "forklab outcomes: " + x.error);
    if (a.json)
        print_json(a, x);
    else
        print_text(a, x);
    if (x.bound_hit)
        quit(3, "forklab outcomes: explored " + std::to_string(x.states) +
                    " states; the bound was hit: the list may be incomplete (raise --max-states)");
    std::cout << std::flush;
    std::exit(0);
}

}  // namespace

void add_outcomes_command(CLI::App& app)
{
    auto a = std::make_shared<OutcomesArgs>();
    auto* cmd = app.add_subcommand("outcomes", "Explore every interleaving and list each possible output");
    cmd->add_option("file", a->file, "The C source file (a scenario's metadata applies)")->required();
    cmd->add_option("--max-states", a->max_states, "Give up after exploring this many choice points (exit status 3)");
    cmd->add_option("--max-steps", a->max_steps, "Stop each explored run after this many steps");
    cmd->add_flag("--json", a->json, "Print the outcomes as JSON");
    cmd->callback([a] { outcomes(*a); });
}

}  // namespace forklab::cli
