#pragma once

#include <CLI/CLI.hpp>

namespace forklab::cli {

void add_demo_command(CLI::App& app);

}
