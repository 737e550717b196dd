// `forklab run FILE [--sched POLICY] [--strategy S] [--max-steps N] [--schedule PIDS] [--trace]
// [--json] [--summary] [-- ARGS...]`: compile a C program, run it on the model kernel as a
// student's process, and print exactly what the simulated terminal shows -- or, with --json,
// the whole run as JSON. Everything else goes to stderr: the --trace event log, the --summary,
// diagnostics. Exit status: 0 when it ran to the end with every EXPECT holding, 1 when an
// EXPECT failed, 2 for bad input (a missing file, a compile error, a bad option or schedule),
// 3 when the step budget ran out or every task was left asleep.
#include "run.h"

#include "program.h"
#include "report.h"

#include "lang/runner.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace forklab::cli {

namespace {

struct RunArgs {
    std::string file;
    std::uint64_t max_steps = 10'000'000;
    std::string sched;     // Empty: the scenario's `sched:`, else parent-first.
    std::string strategy;  // Empty: the scenario's `strategy:`, else cow.
    std::string schedule;
    bool summary = false;
    bool trace = false;
    bool json = false;
    std::vector<std::string> args;
};

// The scenario's metadata and /bin programs, then the command line over them.
lang::RunOptions options_of(RunArgs const& a, scenario::Loaded const& loaded)
{
    lang::RunOptions base;
    base.max_steps = a.max_steps;
    lang::RunOptions options = options_for(loaded, std::move(base), a.file, a.args);
    if (!a.sched.empty())
        options.sched = sched_option("run", a.sched);
    if (!a.strategy.empty())
        options.kernel.fork_strategy = strategy_option("run", a.strategy);
    options.schedule = schedule_option("run", a.schedule);
    return options;
}

std::string status_text(int status)
{
    if (WIFEXITED(status))
        return "exit status " + std::to_string(WEXITSTATUS(status));
    return "killed by " + std::string(signal_name(WTERMSIG(status)));
}

void print_summary(lang::Run const& run)
{
    std::cerr << "forklab: " << run.steps << " steps, " << run.exit_statuses.size() << " processes exited\n";
    for (auto const& [pid, status] : run.exit_statuses)
        std::cerr << "  pid " << pid << ": " << status_text(status) << "\n";
}

nlohmann::json tasks_json(lang::Run const& run)
{
    auto list = nlohmann::json::array();
    for (lang::TaskInfo const& t : run.tasks) {
        nlohmann::json task = {{"pid", t.pid}, {"ppid", t.ppid}, {"command", t.command}};
        if (t.status) {
            task["status"] = *t.status;
            task["exit"] = status_text(*t.status);
        } else {
            task["status"] = nullptr;
        }
        list.push_back(std::move(task));
    }
    return list;
}

nlohmann::json counters_json(Kernel const& k)
{
    KernelCounters const& c = k.counters();
    MmCounters const& m = k.mm_counters();
    return {{"forks", c.forks}, {"fork_failures", c.fork_failures}, {"exits", c.exits}, {"reaps", c.reaps},
        {"signals_sent", c.signals_sent}, {"signals_delivered", c.signals_delivered}, {"reparents", c.reparents},
        {"ptes_copied", m.ptes_copied}, {"pt_pages_copied", m.pt_pages_copied},
        {"pt_pages_shared", m.pt_pages_shared}, {"frames_copied", m.frames_copied}, {"cow_copies", m.cow_copies},
        {"cow_reuses", m.cow_reuses}, {"zero_maps", m.zero_maps}, {"minor_faults", m.minor_faults}};
}

void print_json(RunArgs const& a, lang::RunOptions const& o, lang::Run const& run)
{
    nlohmann::json j = {{"file", a.file}, {"sched", lang::sched_name(o.sched)},
        {"strategy", fork_strategy_name(o.kernel.fork_strategy)}, {"end", end_name(run.end)},
        {"error", run.error}, {"steps", run.steps}, {"output", run.output}, {"main_pid", run.main_pid},
        {"schedule", run.schedule}, {"tasks", tasks_json(run)}, {"diagnostics", run.diagnostics}};
    auto expects = nlohmann::json::array();
    for (auto const& f : run.expect_failures)
        expects.push_back({{"pid", f.pid}, {"line", f.line}});
    j["expect_failures"] = expects;
    if (run.kernel) {
        j["events"] = events_json(*run.kernel);
        j["counters"] = counters_json(*run.kernel);
    }
    std::cout << j.dump(2) << "\n";
}

void run_file(RunArgs const& a)
{
    scenario::Loaded const loaded = load_or_quit("run", a.file);
    lang::RunOptions const options = options_of(a, loaded);
    lang::Run const run = lang::run_program(a.file, loaded.source, options);
    if (a.json)
        print_json(a, options, run);
    else
        std::cout << run.output << std::flush;
    for (std::string const& d : run.diagnostics)
        std::cerr << "forklab: " << d << "\n";
    if (a.trace && run.kernel)
        print_events(std::cerr, *run.kernel);
    if (a.summary)
        print_summary(run);
    switch (run.end) {
    case lang::RunEnd::CompileError: quit(2, run.error);
    case lang::RunEnd::SetupFailed: quit(2, "forklab run: " + run.error + "\n");
    case lang::RunEnd::StepBudget:
    case lang::RunEnd::Deadlock: quit(3, "forklab run: " + run.error + "\n");
    case lang::RunEnd::Finished: break;
    }
    for (auto const& f : run.expect_failures)
        std::cerr << a.file << ":" << f.line << ": EXPECT failed in pid " << f.pid << "\n";
    std::exit(run.expect_failures.empty() ? 0 : 1);
}

}  // namespace

void add_run_command(CLI::App& app)
{
    auto a = std::make_shared<RunArgs>();
    auto* cmd = app.add_subcommand("run", "Run a C program on the model kernel and print what its terminal shows");
    cmd->add_option("file", a->file, "The C source file")->required();
    cmd->add_option("--sched", a->sched,
        "Who runs next: parent-first (Linux's default), child-first, round-robin[:QUANTUM], random[:SEED]");
    cmd->add_option("--strategy", a->strategy, "How fork copies memory: cow (Linux), copy (early Unix), odf (On-demand-fork)");
    cmd->add_option("--max-steps", a->max_steps, "Stop after this many steps (exit status 3)");
    cmd->add_option("--schedule", a->schedule,
        "The pid that runs each step, e.g. 7,7,8 (from --json's schedule); the policy goes on after it");
    cmd->add_flag("--trace", a->trace, "After the run, print every kernel event with its explanation on stderr");
    cmd->add_flag("--json", a->json, "Print the whole run as JSON instead of the terminal's output");
    cmd->add_flag("--summary", a->summary, "Print the step count and every exit status on stderr");
    cmd->add_option("args", a->args, "Arguments for the program's argv, after --");
    cmd->callback([a] { run_file(*a); });
}

}  // namespace forklab::cli
