#pragma once

#include <CLI/CLI.hpp>

namespace forklab::cli {

// `forklab check FILE|DIR...`: run each scenario and check its EXPECTs and expected output.
void add_check_command(CLI::App& app);

}  // namespace forklab::cli
