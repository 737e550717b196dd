// getenv, setenv and unsetenv, as glibc's do: they work on `environ` in the process's own
// memory. After start environ is the array of pointers on the stack that the kernel laid out
// (the one main's third parameter gets); the first setenv that adds a name allocates a larger
// array on the heap and points environ at it, and the "NAME=value" strings it makes are heap
// strings that are never freed (getenv's results may still point at them). Everything lives in
// simulated memory, so fork copies it and exec (see runtime.cpp) passes it to the new program.
#include "lang/libc.h"

#include "lang/memory_reader.h"

#include <algorithm>
#include <cerrno>

namespace forklab::lang::libc {

namespace {

CallOutcome fault() { return {Kind::Fault}; }

std::uint64_t environ_at(BuiltinCall const& c) { return c.cpu.program->runtime().environ_addr; }

// setenv's bookkeeping in the library's static data: the array setenv allocated last (glibc's
// last_environ) and how many pointers it has room for.
struct EnvBook {
    std::uint64_t array = 0;
    std::uint64_t capacity = 0;
};
static_assert(sizeof(EnvBook) <= data::kAtexit - data::kEnv);

// A name: where it is, how long, and whether setenv and unsetenv accept it -- not empty and
// without '=' (POSIX: EINVAL). Measuring a NULL name faults, as glibc's strlen would.
struct Name {
    std::uint64_t at = 0, length = 0;
    bool valid = false;
};

std::optional<Name> examine_name(BuiltinCall& c, std::uint64_t at)
{
    Name name{at, 0, false};
    MemoryReader in(c.mem);
    bool equals = false;
    for (std::uint8_t ch = 1;; ++name.length) {
        if (!in.byte(at + name.length, ch))
            return std::nullopt;
        if (!ch)
            break;
        equals |= ch == '=';
    }
    name.valid = name.length > 0 && !equals;
    return name;
}

// The NAME argument of setenv and unsetenv: glibc fails a NULL, empty or '='-holding name with
// EINVAL, and measuring a name that points nowhere faults. Sets `name`, or gives how the call
// ends instead.
std::optional<CallOutcome> name_argument(BuiltinCall& c, Name& name)
{
    if (!c.arg(0))
        return fail(c, EINVAL);
    auto examined = examine_name(c, c.arg(0));
    if (!examined)
        return fault();
    if (!examined->valid)
        return fail(c, EINVAL);
    name = *examined;
    return std::nullopt;
}

// Whether the entry at `entry` is "NAME=..." for the name: its first name.length bytes equal
// the name's and the next is '='. Both are read a page at a time, and only as far as needed.
std::optional<bool> entry_matches(MemoryReader& entries, MemoryReader& names, std::uint64_t entry, Name const& name)
{
    for (std::uint64_t k = 0; k <= name.length; ++k) {
        std::uint8_t e = 0, n = '=';
        if (!entries.byte(entry + k, e) || (k < name.length && !names.byte(name.at + k, n)))
            return std::nullopt;
        if (e != n)
            return false;
    }
    return true;
}

// The array environ points at: where the entry for the name is (0 if none) and how many
// entries come before the NULL.
struct Search {
    std::uint64_t slot = 0;
    std::uint64_t count = 0;
};

std::optional<Search> search(BuiltinCall& c, std::uint64_t env, Name const& name)
{
    Search out;
    if (!env)
        return out;
    MemoryReader array(c.mem), entries(c.mem), names(c.mem);
    for (;; ++out.count) {
        std::uint64_t const slot = env + 8 * out.count;
        std::uint64_t entry = 0;
        if (!array.word(slot, entry))
            return std::nullopt;
        if (!entry)
            return out;
        auto match = entry_matches(entries, names, entry, name);
        if (!match)
            return std::nullopt;
        if (*match && !out.slot)
            out.slot = slot;
    }
}

std::optional<std::uint64_t> load_environ(BuiltinCall& c)
{
    std::uint64_t env = 0;
    if (environ_at(c) && !c.mem.load(environ_at(c), 8, env))
        return std::nullopt;
    return env;
}

// getenv(3): with environ NULL glibc returns NULL before it looks at the name; an empty name
// finds nothing; a name with '=' is compared like any other.
CallOutcome do_getenv(BuiltinCall& c)
{
    auto env = load_environ(c);
    if (!env)
        return fault();
    if (!*env)
        return value(0);
    auto name = examine_name(c, c.arg(0));
    if (!name)
        return fault();
    if (!name->length)
        return value(0);
    auto found = search(c, *env, *name);
    if (!found)
        return fault();
    std::uint64_t entry = 0;
    if (found->slot && !c.mem.load(found->slot, 8, entry))
        return fault();
    return value(found->slot ? std::int64_t(entry + name->length + 1) : 0);
}

CallOutcome out_of_memory(BuiltinCall& c) { return fail(c, ENOMEM); }

// A fresh heap string "NAME=value".
std::optional<std::uint64_t> make_entry(BuiltinCall& c, Name const& name, std::uint64_t value, std::uint64_t value_length)
{
    std::uint64_t const at = heap_alloc(c, name.length + 1 + value_length + 1);
    if (!at)
        return 0;
    if (!c.mem.copy(at, name.at, name.length) || !c.mem.store(at + name.length, 1, '=')
        || !c.mem.copy(at + name.length + 1, value, value_length + 1))
        return std::nullopt;
    return at;
}

// Room for one more entry: the array setenv allocated last, if environ still points at it and
// it has room, or else a new one twice as large with the current entries copied in (glibc
// reallocates by one each time; doubling keeps many setenv calls linear).
std::optional<std::uint64_t> array_with_room(BuiltinCall& c, std::uint64_t env, std::uint64_t count)
{
    std::uint64_t const book_at = libc_data(c, data::kEnv);
    EnvBook book;
    if (!c.mem.read(book_at, &book, sizeof book))
        return std::nullopt;
    if (env && env == book.array && count + 2 <= book.capacity)
        return env;
    std::uint64_t const capacity = std::max<std::uint64_t>(16, 2 * (count + 2));
    std::uint64_t const array = heap_alloc(c, 8 * capacity);
    if (!array)
        return 0;
    if (count && !c.mem.copy(array, env, 8 * count))
        return std::nullopt;
    if (book.array)
        heap_free(c, book.array);
    book = EnvBook{array, capacity};
    if (!c.mem.write(book_at, &book, sizeof book) || !c.mem.store(environ_at(c), 8, array))
        return std::nullopt;
    return array;
}

// setenv(3). glibc: a NULL, empty or '='-holding name is EINVAL; a NULL value faults.
CallOutcome do_setenv(BuiltinCall& c)
{
    Name name;
    if (auto refused = name_argument(c, name))
        return *refused;
    MemoryReader in(c.mem);
    auto value_length = in.length(c.arg(1));
    auto env = load_environ(c);
    if (!value_length || !env || !environ_at(c))
        return fault();
    auto found = search(c, *env, name);
    if (!found)
        return fault();
    if (found->slot && !c.arg(2))
        return value(0);
    auto entry = make_entry(c, name, c.arg(1), *value_length);
    if (!entry)
        return fault();
    if (!*entry)
        return out_of_memory(c);
    if (found->slot)
        return c.mem.store(found->slot, 8, *entry) ? value(0) : fault();
    auto array = array_with_room(c, *env, found->count);
    if (!array)
        return fault();
    if (!*array) {
        heap_free(c, *entry);
        return out_of_memory(c);
    }
    std::uint64_t const pair[2] = {*entry, 0};
    return c.mem.write(*array + 8 * found->count, pair, sizeof pair) ? value(0) : fault();
}

// unsetenv(3): every entry for the name is removed and the rest close up, in whatever array
// environ points at (the stack's included), as glibc does. Entries are read ahead of the
// writes, so the array reader never serves a pointer this call has overwritten.
CallOutcome do_unsetenv(BuiltinCall& c)
{
    Name name;
    if (auto refused = name_argument(c, name))
        return *refused;
    auto env = load_environ(c);
    if (!env)
        return fault();
    if (!*env)
        return value(0);
    MemoryReader array(c.mem), entries(c.mem), names(c.mem);
    for (std::uint64_t from = 0, to = 0;; ++from) {
        std::uint64_t entry = 0;
        if (!array.word(*env + 8 * from, entry))
            return fault();
        if (!entry)
            return c.mem.store(*env + 8 * to, 8, 0) ? value(0) : fault();
        auto match = entry_matches(entries, names, entry, name);
        if (!match)
            return fault();
        if (*match)
            continue;
        if (to != from && !c.mem.store(*env + 8 * to, 8, entry))
            return fault();
        ++to;
    }
}

// A NULL-terminated array of strings (argv, envp) as execve(2) copies it (copy_strings): EFAULT
// for a bad pointer, E2BIG for a string longer than 32 pages or for more than the 6 MiB that no
// stack limit allows, so the host never holds more than that.
ErrorOr<std::vector<std::string>> read_array(BuiltinCall& c, std::uint64_t at, Access access)
{
    constexpr std::size_t kMaxString = 32 * kPageSize - 1, kMaxTotal = 6 << 20;
    std::vector<std::string> out;
    MemoryReader array(c.mem, access), strings(c.mem, access);
    std::size_t total = 0;
    for (std::uint64_t i = 0;; ++i) {
        std::uint64_t p = 0;
        if (!array.word(at + 8 * i, p))
            return error(EFAULT);
        if (!p)
            return out;
        std::string s;
        switch (strings.string(p, kMaxString, s)) {
        case MemoryReader::Status::Ok: break;
        case MemoryReader::Status::Fault: return error(EFAULT);
        case MemoryReader::Status::TooLong: return error(E2BIG);
        }
        total += s.size() + 1 + 8;
        if (total > kMaxTotal)
            return error(E2BIG);
        out.push_back(std::move(s));
    }
}

}  // namespace

ErrorOr<std::vector<std::string>> read_string_array(BuiltinCall& c, std::uint64_t at)
{
    return read_array(c, at, Access::Kernel);
}

// What the program's environ holds now: execv, execvp, execl and execlp pass it to execve, as
// glibc's do, so a setenv() before them is seen by the new program. The kernel reads the
// array; a NULL environ is an empty environment.
ErrorOr<std::vector<std::string>> current_environ(BuiltinCall& c)
{
    std::uint64_t env = 0;
    if (environ_at(c) && !c.mem.copy_from_user(environ_at(c), &env, 8))
        return error(EFAULT);
    if (!env)
        return std::vector<std::string>{};
    return read_string_array(c, env);
}

bool library_getenv(BuiltinCall& c, std::string_view name, std::optional<std::string>& out)
{
    out.reset();
    auto env = load_environ(c);
    if (!env)
        return false;
    if (!*env)
        return true;
    auto all = read_array(c, *env, Access::User);
    if (!all)
        return all.error().code() != EFAULT;
    for (std::string const& entry : *all)
        if (entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=') {
            out = entry.substr(name.size() + 1);
            return true;
        }
    return true;
}

std::span<Entry const> env_builtins()
{
    static Entry const table[] = {
        {"getenv", do_getenv},
        {"setenv", do_setenv},
        {"unsetenv", do_unsetenv},
    };
    return table;
}

}  // namespace forklab::lang::libc
