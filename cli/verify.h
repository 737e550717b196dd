#pragma once

#include <CLI/CLI.hpp>

namespace forklab::cli {

// `forklab verify FILE|DIR...`: run each scenario in the model and on the host's kernel, and
// compare the two.
void add_verify_command(CLI::App& app);

}  // namespace forklab::cli
