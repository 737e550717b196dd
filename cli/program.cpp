#include "program.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>

namespace forklab::cli {

void quit(int status, std::string const& message)
{
    std::cout << std::flush;
    std::cerr << message << (message.ends_with('\n') ? "" : "\n");
    std::exit(status);
}

char const* end_name(lang::RunEnd end)
{
    switch (end) {
    case lang::RunEnd::Finished: return "finished";
    case lang::RunEnd::CompileError: return "compile-error";
    case lang::RunEnd::StepBudget: return "step-budget";
    case lang::RunEnd::Deadlock: return "deadlock";
    case lang::RunEnd::SetupFailed: return "setup-failed";
    }
    return "?";
}

lang::SchedOptions sched_option(std::string const& command, std::string const& text)
{
    auto o = lang::parse_sched(text);
    if (!o)
        quit(2, "forklab " + command + ": unknown scheduler '" + text +
                "': expected parent-first, child-first, round-robin[:QUANTUM] or random[:SEED]\n");
    if (o->policy == lang::SchedPolicy::Manual)
        quit(2, "forklab " + command + ": the manual scheduler needs someone to choose each step; give the "
                "choices with --schedule PID,PID,...\n");
    return *o;
}

ForkStrategy strategy_option(std::string const& command, std::string const& text)
{
    if (text == "cow")
        return ForkStrategy::Cow;
    if (text == "copy")
        return ForkStrategy::Copy;
    if (text == "odf")
        return ForkStrategy::Odf;
    quit(2, "forklab " + command + ": unknown fork strategy '" + text + "': expected cow, copy or odf\n");
}

std::vector<pid_t> schedule_option(std::string const& command, std::string const& text)
{
    auto pids = lang::parse_schedule(text);
    if (!pids)
        quit(2, "forklab " + command + ": bad --schedule '" + text + "': expected pids separated by commas, e.g. 7,7,8\n");
    return std::move(*pids);
}

scenario::Loaded load_or_quit(std::string const& command, std::string const& path)
{
    auto loaded = scenario::load(path);
    if (!loaded) {
        std::string const& message = loaded.error();
        bool const rendered = message.starts_with(path + ":");
        std::cerr << (rendered ? "" : "forklab " + command + ": ") << message
                  << (message.ends_with('\n') ? "" : "\n");
        std::exit(2);
    }
    return std::move(*loaded);
}

lang::RunOptions options_for(scenario::Loaded const& loaded, lang::RunOptions base, std::string const& path,
    std::vector<std::string> const& args)
{
    lang::RunOptions options = scenario::run_options(loaded, std::move(base));
    if (!args.empty()) {
        options.argv = {path};
        options.argv.insert(options.argv.end(), args.begin(), args.end());
    }
    return options;
}

}  // namespace forklab::cli
