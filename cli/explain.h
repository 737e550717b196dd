// `forklab explain [fork|exec] [--json]`: what fork() and execve() do to every attribute of a
// process, one row each, with the rule and the manual page that states it. The table is
// sim/trace/attributes.h; tests/explain_test.cpp checks each row against the model kernel.
#pragma once

#include <CLI/CLI.hpp>

namespace forklab::cli {

void add_explain_command(CLI::App& app);

}  // namespace forklab::cli
