#pragma once

#include <CLI/CLI.hpp>

namespace forklab::cli {

// `forklab list [DIR] [--json]`: the scenarios under DIR with their titles, tags and summaries.
void add_list_command(CLI::App& app);

}  // namespace forklab::cli
