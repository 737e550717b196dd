// Loading the program a command runs: a scenario file with its `//!` metadata and the programs
// of scenarios/bin/ for the simulated /bin, the same way for `run`, `tree` and `check`. A file
// that cannot be read or whose metadata is malformed ends the command with exit status 2.
#pragma once

#include "scenario/library.h"

#include "lang/runner.h"

#include <string>
#include <vector>

namespace forklab::cli {

// Ends the command: flushes the terminal output, writes `message` to stderr (with a final newline
// when it lacks one) and exits with `status`.
[[noreturn]] void quit(int status, std::string const& message);

// The name of how a run ended, as --json prints it: "finished", "compile-error", ...
char const* end_name(lang::RunEnd end);

// The command-line options that steer a run, each read or the command ends with exit status 2
// and a message naming `command`: --sched POLICY, --strategy cow|copy|odf and --schedule
// PID,PID,... (the pid that runs each step; empty text, no schedule).
lang::SchedOptions sched_option(std::string const& command, std::string const& text);
ForkStrategy strategy_option(std::string const& command, std::string const& text);
std::vector<pid_t> schedule_option(std::string const& command, std::string const& text);

// The scenario at `path`, or exit 2 with the message (prefixed by "forklab COMMAND: " when it
// is not already a rendered file:line:col diagnostic).
scenario::Loaded load_or_quit(std::string const& command, std::string const& path);

// The run options for `loaded`: its metadata and /bin programs over `base`; argv from the
// command line (after --) replaces the metadata's when given.
lang::RunOptions options_for(scenario::Loaded const& loaded, lang::RunOptions base, std::string const& path,
    std::vector<std::string> const& args);

}  // namespace forklab::cli
