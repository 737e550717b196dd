#pragma once

#include <CLI/CLI.hpp>

namespace forklab::cli {

// `forklab outcomes FILE [--max-states N] [--json]`: every output the program can print, each
// with a schedule that gives it.
void add_outcomes_command(CLI::App& app);

}  // namespace forklab::cli
