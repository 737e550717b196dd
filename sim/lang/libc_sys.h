// The system-call wrappers' own internals (libc_sys*.cpp), by theme: files and directories,
// memory and limits, signals and time. libc_sys.cpp merges their tables into sys_builtins().
#pragma once

#include "lang/libc.h"

namespace forklab::lang::libc {

std::span<Entry const> sys_file_builtins();    // libc_sys_files.cpp
std::span<Entry const> sys_memory_builtins();  // libc_sys_memory.cpp
std::span<Entry const> sys_signal_builtins();  // libc_sys_signals.cpp

// A system call's struct argument or result, moved as the kernel moves it: false (the caller
// fails with EFAULT) for a bad pointer, with no signal.
template<typename T>
bool copy_in(BuiltinCall& c, std::uint64_t at, T& value)
{
    return c.mem.copy_from_user(at, &value, sizeof value);
}
template<typename T>
bool copy_out(BuiltinCall& c, std::uint64_t at, T const& value)
{
    return c.mem.copy_to_user(at, &value, sizeof value);
}

// A failure whose result is not -1 (isatty's 0, readdir's NULL): errno, then `v`.
inline CallOutcome fail_returning(BuiltinCall& c, int err, std::int64_t v)
{
    CallOutcome const out = fail(c, err);
    return out.kind == Kind::Fault ? out : value(v);
}

// An ErrorOr's value as the wrapper's result, or -1 with errno.
template<typename T>
CallOutcome returned(BuiltinCall& c, ErrorOr<T> const& r)
{
    return r ? value(std::int64_t(*r)) : fail(c, r.error().code());
}

}  // namespace forklab::lang::libc
