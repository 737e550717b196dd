// Placeholder: this part of the library is being written.
#include "lang/libc.h"

namespace forklab::lang::libc {

std::span<Entry const> malloc_builtins() { return {}; }

}  // namespace forklab::lang::libc

namespace forklab::lang::libc {

std::uint64_t heap_alloc(BuiltinCall&, std::uint64_t) { return 0; }
void heap_free(BuiltinCall&, std::uint64_t) {}

}  // namespace forklab::lang::libc
