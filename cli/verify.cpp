// `forklab verify FILE|DIR... [--time-limit MS] [--max-steps N] [--verbose]`: the model checked against the
// real kernel. Each scenario is run in the model and, compiled with the host's C compiler, in a
// sandbox on the host (native/sandbox.h); one line each:
//
//     MATCH scenarios/basics/fork-twice.c
//     DIFFER scenarios/memory/split.c: the terminal output differs (-model +native, ...)
//       -child: x = 100
//       +child: x = 200
//     SKIP scenarios/files/perm.c: it runs as uid 0, and only root can become another user
//
// then how many EXPECTs the native runs checked (passed or failed) and how many they had to
// skip (a page question the host would not answer), and "N passed, M failed, K skipped". With
// --verbose each scenario's line is followed by its own EXPECT counts. Exit status 1 when a
// scenario differs (or could not be checked), else 0; a host with no C compiler skips every
// scenario, saying so.
#include "verify.h"

#include "native/sandbox.h"
#include "native/verify.h"

#include <filesystem>
#include <iostream>

namespace forklab::cli {

namespace {

struct VerifyArgs {
    std::vector<std::string> paths;
    std::uint64_t max_steps = 10'000'000;
    long time_limit_ms = 10'000;
    std::optional<std::string> native_stdin;
    bool verbose = false;
    bool no_page_broker = false;
};

struct Tally {
    int passed = 0, failed = 0, skipped = 0;
    native::ExpectTally expects;
};

std::string describe(native::ExpectTally const& e)
{
    return std::to_string(e.checked) + " checked (" + std::to_string(e.checked_pages) + " with page questions), " +
        std::to_string(e.skipped) + " skipped";
}

void add(native::ExpectTally& total, native::ExpectTally const& e)
{
    total.checked += e.checked;
    total.checked_pages += e.checked_pages;
    total.skipped += e.skipped;
}

void print_notes(native::Outcome const& o)
{
    for (auto const& note : o.notes)
        std::cout << "  " << note << "\n";
    std::cout << o.diff;
}

void verify_one(native::Verifier& verifier, std::filesystem::path const& path, bool verbose, Tally& tally)
{
    using Kind = native::Outcome::Kind;
    native::Outcome const o = verifier.verify(path);
    switch (o.kind) {
    case Kind::Match:
        std::cout << "MATCH " << path.string() << "\n";
        ++tally.passed;
        break;
    case Kind::Differ:
        std::cout << "DIFFER " << path.string() << ": " << o.reason << "\n";
        ++tally.failed;
        break;
    case Kind::Skip:
        std::cout << "SKIP " << path.string() << ": " << o.reason << "\n";
        ++tally.skipped;
        break;
    case Kind::Error:
        std::cout << "ERROR " << path.string() << ": " << o.reason << (o.reason.ends_with("\n") ? "" : "\n");
        ++tally.failed;
        break;
    }
    print_notes(o);
    if (o.kind == Kind::Match || o.kind == Kind::Differ) {
        add(tally.expects, o.expects);
        if (verbose)
            std::cout << "  EXPECTs natively: " << describe(o.expects) << "; page questions answered by "
                      << (o.page_broker ? "the page broker (root)" : "the process itself") << "\n";
    }
    std::cout << std::flush;
}

std::vector<std::filesystem::path> expand(std::string const& arg, Tally& tally)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(arg, ec))
        return {arg};
    auto found = scenario::find_scenarios(arg);
    if (found.empty()) {
        std::cout << "ERROR " << arg << ": no scenarios (.c files) in it\n";
        ++tally.failed;
    }
    return found;
}

int verify_paths(VerifyArgs const& a)
{
    // Unescape the test option as the metadata's stdin is written: "\n" for a newline.
    native::Options options;
    options.max_steps = a.max_steps;
    options.time_limit = std::chrono::milliseconds(a.time_limit_ms);
    options.page_broker = !a.no_page_broker;
    if (a.native_stdin) {
        std::string text;
        for (std::size_t i = 0; i < a.native_stdin->size(); ++i) {
            char c = (*a.native_stdin)[i];
            if (c == '\\' && i + 1 < a.native_stdin->size() && (*a.native_stdin)[i + 1] == 'n') {
                c = '\n';
                ++i;
            }
            text += c;
        }
        options.native_stdin = text;
    }
    native::Verifier verifier(options);
    if (verifier.unavailable())
        std::cout << "forklab verify: " << *verifier.unavailable() << ": every scenario is skipped\n";
    else if (!native::namespaces_available())
        std::cout << "forklab verify: not root, so no private pid and mount namespaces: pids are the host's, "
                     "orphans go to a subreaper, /bin/NAME is the host's program and scenarios with files or "
                     "another uid are skipped\n";
    Tally tally;
    for (std::string const& arg : a.paths)
        for (auto const& path : expand(arg, tally))
            verify_one(verifier, path, a.verbose, tally);
    std::cout << "EXPECTs natively: " << describe(tally.expects) << "\n";
    std::cout << tally.passed << " passed, " << tally.failed << " failed, " << tally.skipped << " skipped\n"
              << std::flush;
    return tally.failed ? 1 : 0;
}

// std::exit runs no destructors: the Verifier (and its work folder) is gone before it is called.
[[noreturn]] void verify_all(VerifyArgs const& a)
{
    int const status = verify_paths(a);
    std::exit(status);
}

}  // namespace

void add_verify_command(CLI::App& app)
{
    auto a = std::make_shared<VerifyArgs>();
    auto* cmd = app.add_subcommand("verify", "Run scenarios in the model and on the host's kernel and compare them");
    cmd->add_option("paths", a->paths, "Scenario files, or folders to search for them")->required();
    cmd->add_option("--max-steps", a->max_steps, "The model's step budget for each run");
    cmd->add_option("--time-limit", a->time_limit_ms, "Kill a native run after this many milliseconds")
        ->check(CLI::Range(1L, 3'600'000L));
    cmd->add_option("--native-stdin", a->native_stdin,
        "For testing verify itself: the native run's stdin instead of the scenario's (\\n: a newline)");
    cmd->add_flag("--no-page-broker", a->no_page_broker,
        "For testing verify itself: leave the page questions to the scenario's own (unprivileged) reads");
    cmd->add_flag("--verbose,-v", a->verbose, "After each scenario, how many EXPECTs it checked and skipped natively");
    cmd->callback([a] { verify_all(*a); });
}

}  // namespace forklab::cli
