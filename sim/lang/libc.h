// The library's internals: what every builtin implementation shares. Each part of the library
// (lang/libc_*.cpp) lists its functions in a table; find_builtin() (lang/runtime.h) looks a
// name up in all of them. Library state (stdio's FILEs and buffers, the malloc heap, environ)
// lives in the calling process's simulated memory, never host-side, so fork copies it.
#pragma once

#include "lang/machine.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace forklab::lang::libc {

using Kind = CallOutcome::Kind;

struct Entry {
    std::string_view name;
    BuiltinFn fn;
};

// The tables, one per file.
std::span<Entry const> core_builtins();    // runtime.cpp: processes, files, signals, exec, forklab.h.
std::span<Entry const> stdio_builtins();   // libc_stdio.cpp: printf and friends, exit.
std::span<Entry const> malloc_builtins();  // libc_malloc.cpp: malloc, calloc, realloc, free.
std::span<Entry const> string_builtins();  // libc_string.cpp: string.h, atoi, abs, rand.
std::span<Entry const> env_builtins();     // libc_env.cpp: getenv, setenv, unsetenv.
std::span<Entry const> sys_builtins();     // libc_sys.cpp: the other system-call wrappers.
std::span<Entry const> forklab_builtins(); // libc_forklab.cpp: forklab.h's page introspection.

// The library's static data (RuntimeVariables::libc_data, kLibcDataSize bytes of bss): each
// part of the library owns its slot, at these offsets.
namespace data {
inline constexpr std::uint64_t kStdin = 0;       // stdio: the three FILEs, 64 bytes each.
inline constexpr std::uint64_t kStdout = 64;
inline constexpr std::uint64_t kStderr = 128;
inline constexpr std::uint64_t kStdioEnd = 192;  // stdio: anything else, up to kRand.
inline constexpr std::uint64_t kRand = 256;      // string/stdlib: rand()'s state, 256 bytes.
inline constexpr std::uint64_t kHeap = 512;      // malloc: the heap's state, 128 bytes.
inline constexpr std::uint64_t kEnv = 640;       // env: setenv's bookkeeping, 64 bytes.
inline constexpr std::uint64_t kAtexit = 704;    // stdio/exit: atexit's table, up to 1024.
}  // namespace data

inline std::uint64_t libc_data(BuiltinCall const& c, std::uint64_t slot)
{
    return c.cpu.program->runtime().libc_data + slot;
}

inline CallOutcome value(std::int64_t v) { return {Kind::Return, std::uint64_t(v)}; }

// glibc's wrappers: a failed system call sets errno and returns -1.
inline CallOutcome fail(BuiltinCall& c, int err)
{
    if (!c.machine.set_errno(c, err))
        return {Kind::Fault};
    return value(-1);
}

template<typename T>
CallOutcome result(BuiltinCall& c, ErrorOr<T> const& r, std::int64_t v)
{
    return r ? value(v) : fail(c, r.error().code());
}

inline int as_int(std::uint64_t v) { return int(std::int32_t(v)); }

// A system call that may sleep: Done returns its value, Sleeping makes the machine re-issue
// the same call when the task is woken, Interrupted lets the signal be delivered first.
inline CallOutcome blocking(BuiltinCall& c, ErrorOr<Blocking> const& r)
{
    if (!r)
        return fail(c, r.error().code());
    switch (r->kind) {
    case Blocking::Kind::Done: return value(r->value);
    case Blocking::Kind::Sleeping: return {Kind::Block};
    case Blocking::Kind::Interrupted: return {Kind::Interrupted};
    }
    return {Kind::Block};
}

// The heap (libc_malloc.cpp), for the library's own allocations (stdio buffers, strdup,
// setenv): the address of `size` fresh bytes, or 0 when the heap cannot grow (ENOMEM).
std::uint64_t heap_alloc(BuiltinCall& c, std::uint64_t size);
void heap_free(BuiltinCall& c, std::uint64_t at);

// exit(3)'s library half (libc_stdio.cpp): flush every stdio stream, as exit() and a return
// from main do and _exit() does not. Returns value(0) when every stream is flushed, or Block
// when a write must sleep (a full pipe): the caller then makes the same call again once woken.
CallOutcome flush_all_streams(BuiltinCall& c);

// abort(3) (runtime.cpp): SIGABRT with its default action; the call never returns.
CallOutcome abort_process(BuiltinCall& c);

// The environment as exec sees it (libc_env.cpp). read_string_array copies a NULL-terminated
// array of strings (argv, envp) as execve(2) does: EFAULT for a bad pointer (no signal), E2BIG
// past the kernel's limits. current_environ is what `environ` holds now, as the kernel reads
// it. library_getenv is getenv() for the library's own use: false if the program's environ
// faulted (SIGSEGV is queued), else `out` is the value or nothing.
ErrorOr<std::vector<std::string>> read_string_array(BuiltinCall& c, std::uint64_t at);
ErrorOr<std::vector<std::string>> current_environ(BuiltinCall& c);
bool library_getenv(BuiltinCall& c, std::string_view name, std::optional<std::string>& out);

}  // namespace forklab::lang::libc
