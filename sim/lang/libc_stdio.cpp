// Placeholder: this part of the library is being written.
#include "lang/libc.h"

namespace forklab::lang::libc {

std::span<Entry const> stdio_builtins() { return {}; }

}  // namespace forklab::lang::libc

namespace forklab::lang::libc {

CallOutcome flush_all_streams(BuiltinCall&) { return value(0); }

}  // namespace forklab::lang::libc
