// The library: each builtin function a program may call, as a C function of the call in
// progress. System-call wrappers behave as glibc's do: on failure they set errno and return -1.
// stdio, string.h and stdlib land here next, each in the same shape.
#pragma once

#include "lang/machine.h"

#include <string_view>
#include <vector>

namespace forklab::lang {

// The implementation of a library function, or null if it is not implemented yet.
BuiltinFn find_builtin(std::string_view name);

// Every name in every table of the library, duplicates included (tests check there are none).
std::vector<std::string_view> library_names();

}  // namespace forklab::lang
