// Placeholder: this part of the library is being written.
#include "lang/libc.h"

namespace forklab::lang::libc {

std::span<Entry const> string_builtins() { return {}; }

}  // namespace forklab::lang::libc
