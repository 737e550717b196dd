#pragma once

#include <CLI/CLI.hpp>

namespace forklab::cli {

// `forklab run FILE`: run a C program on the model kernel and print what its terminal shows.
void add_run_command(CLI::App& app);

}  // namespace forklab::cli
