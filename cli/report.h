// Kernel state and events as a Unix user reads them: ps -ef, an event log, JSON.
#pragma once

#include "kernel/kernel.h"

#include <iosfwd>
#include <nlohmann/json.hpp>

namespace forklab::cli {

void print_ps(std::ostream&, Kernel const&);                    // ps -ef, plus state
void print_events(std::ostream&, Kernel const&, std::size_t first = 0);
nlohmann::json events_json(Kernel const&, std::size_t first = 0);
nlohmann::json processes_json(Kernel const&);

}  // namespace forklab::cli
