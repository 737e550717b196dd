// `forklab check FILE|DIR... [--max-steps N]`: run each scenario with its metadata and say, one
// line each, whether it did what it declares:
//
//     PASS scenarios/basics/fork-twice.c  Does fork return twice?
//     FAIL scenarios/memory/split.c: EXPECT failed at line 21 in pid 8
//
// then "N passed, M failed". A directory is searched for scenarios (scenario/library.h). Exit
// status: 0 when every scenario passed, 1 when one failed, 2 for bad input (a missing file,
// metadata or C that does not parse), whose message goes to stderr.
#include "check.h"

#include "explore/check.h"
#include "scenario/verdict.h"

#include <filesystem>
#include <iostream>

namespace forklab::cli {

namespace {

struct CheckArgs {
    std::vector<std::string> paths;
    std::uint64_t max_steps = 10'000'000;
};

struct Tally {
    int passed = 0, failed = 0, bad = 0;
};

void report_bad(std::string const& path, std::string const& message, Tally& tally)
{
    std::cerr << message << (message.ends_with("\n") ? "" : "\n");
    std::cout << "ERROR " << path << ": cannot be checked (see the message on stderr)\n";
    ++tally.bad;
}

void check_one(std::filesystem::path const& path, CheckArgs const& a, Tally& tally)
{
    auto loaded = scenario::load(path);
    if (!loaded)
        return report_bad(path.string(), "forklab check: " + loaded.error(), tally);
    lang::RunOptions base;
    base.max_steps = a.max_steps;
    scenario::Verdict v = scenario::check(*loaded, base);
    explore::check_outcomes(*loaded, base, v);  // A racy scenario: every declared outcome, no other.
    if (v.kind == scenario::Verdict::Kind::BadInput)
        return report_bad(path.string(), v.reasons.front(), tally);
    if (v.kind == scenario::Verdict::Kind::Pass) {
        std::cout << "PASS " << path.string();
        if (!loaded->scenario.title.empty())
            std::cout << "  " << loaded->scenario.title;
        std::cout << "\n";
        ++tally.passed;
        return;
    }
    std::cout << "FAIL " << path.string() << ": " << v.reasons.front() << "\n";
    for (std::size_t i = 1; i < v.reasons.size(); ++i)
        std::cout << "  " << v.reasons[i] << "\n";
    std::cout << v.diff;
    ++tally.failed;
}

std::vector<std::filesystem::path> expand(std::string const& arg, Tally& tally)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(arg, ec))
        return {arg};
    auto found = scenario::find_scenarios(arg);
    if (found.empty())
        report_bad(arg, "forklab check: no scenarios (.c files) in " + arg, tally);
    return found;
}

[[noreturn]] void check_all(CheckArgs const& a)
{
    Tally tally;
    for (std::string const& arg : a.paths)
        for (auto const& path : expand(arg, tally))
            check_one(path, a, tally);
    std::cout << tally.passed << " passed, " << tally.failed << " failed";
    if (tally.bad)
        std::cout << ", " << tally.bad << " could not be checked";
    std::cout << "\n" << std::flush;
    std::exit(tally.bad ? 2 : tally.failed ? 1 : 0);
}

}  // namespace

void add_check_command(CLI::App& app)
{
    auto a = std::make_shared<CheckArgs>();
    auto* cmd = app.add_subcommand("check", "Run scenarios and check their EXPECTs and expected output");
    cmd->add_option("paths", a->paths, "Scenario files, or folders to search for them")->required();
    cmd->add_option("--max-steps", a->max_steps, "Stop each run after this many steps (it then fails)");
    cmd->callback([a] { check_all(*a); });
}

}  // namespace forklab::cli
