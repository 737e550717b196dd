// Events as a Unix user reads them: an event log, JSON. (ps, maps and lsof dumps: show.h.)
#pragma once

#include "kernel/kernel.h"

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

namespace forklab::cli {

void print_events(std::ostream&, Kernel const&, std::size_t first = 0);
nlohmann::json events_json(Kernel const&, std::size_t first = 0);
nlohmann::json processes_json(Kernel const&);

// The value of a kernel call the CLI cannot go on without; on error, say which and exit 1.
template<typename T>
T must(ErrorOr<T> r)
{
    if (!r) {
        std::cerr << "forklab: " << r.error().to_string() << "\n";
        std::exit(1);
    }
    if constexpr (!std::is_void_v<T>)
        return *r;
}

}  // namespace forklab::cli
