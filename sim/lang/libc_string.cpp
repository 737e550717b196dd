// string.h, ctype.h and the arithmetic half of stdlib.h (atoi, strtol, abs, rand), as glibc
// behaves in the C locale. Every byte is read and written in the calling process's memory
// through its page table, a page's worth at a time: a bad pointer faults in the process
// (SIGSEGV, as the CPU's load would), and a huge length costs the host one page of buffer.
#include "lang/libc.h"

#include "lang/memory_reader.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>

namespace forklab::lang::libc {

namespace {

CallOutcome fault() { return {Kind::Fault}; }
CallOutcome pointer(std::uint64_t at) { return value(std::int64_t(at)); }

// The C standard: characters are compared and searched as unsigned char.
std::uint8_t as_char(std::uint64_t v) { return std::uint8_t(v); }

// ---- Copying and filling --------------------------------------------------------------------

// Copies the string at src (at most `limit` bytes of it) to dst, a page of the source at a
// time. Returns the number of bytes copied, not counting the NUL, and whether a NUL ended it
// (in which case the NUL was copied too); nothing if a read or write faulted.
struct Copied {
    std::uint64_t length = 0;
    bool terminated = false;
};
std::optional<Copied> copy_string(BuiltinCall& c, std::uint64_t dst, std::uint64_t src, std::uint64_t limit)
{
    MemoryReader in(c.mem);
    Copied out;
    while (out.length < limit) {
        auto chunk = in.chunk(src + out.length);
        if (chunk.empty())
            return std::nullopt;
        chunk = chunk.first(std::size_t(std::min<std::uint64_t>(chunk.size(), limit - out.length)));
        void const* nul = std::memchr(chunk.data(), 0, chunk.size());
        std::size_t const n = nul ? std::size_t(static_cast<std::uint8_t const*>(nul) - chunk.data()) + 1 : chunk.size();
        if (!c.mem.write(dst + out.length, chunk.data(), n))
            return std::nullopt;
        if (nul) {
            out.length += n - 1;
            out.terminated = true;
            return out;
        }
        out.length += n;
    }
    return out;
}

std::optional<std::uint64_t> string_length(BuiltinCall& c, std::uint64_t at)
{
    MemoryReader in(c.mem);
    return in.length(at);
}

bool fill(BuiltinCall& c, std::uint64_t at, std::uint8_t byte, std::uint64_t n)
{
    std::array<std::uint8_t, kPageSize> page;
    page.fill(byte);
    for (std::uint64_t done = 0; done < n;) {
        std::size_t const k = std::size_t(std::min<std::uint64_t>(page.size(), n - done));
        if (!c.mem.write(at + done, page.data(), k))
            return false;
        done += k;
    }
    return true;
}

// memmove(3): when the destination starts inside the source, copy from the end backwards so
// that every source byte is read before it is overwritten.
bool move_backward(BuiltinCall& c, std::uint64_t dst, std::uint64_t src, std::uint64_t n)
{
    std::uint8_t page[kPageSize];
    for (std::uint64_t left = n; left > 0;) {
        std::size_t const k = std::size_t(std::min<std::uint64_t>(sizeof page, left));
        left -= k;
        if (!c.mem.read(src + left, page, k) || !c.mem.write(dst + left, page, k))
            return false;
    }
    return true;
}

CallOutcome do_strlen(BuiltinCall& c)
{
    auto n = string_length(c, c.arg(0));
    return n ? value(std::int64_t(*n)) : fault();
}

CallOutcome do_strcpy(BuiltinCall& c)
{
    return copy_string(c, c.arg(0), c.arg(1), UINT64_MAX) ? pointer(c.arg(0)) : fault();
}

// strncpy(3): at most n bytes; a shorter source is padded with NULs up to n, a longer one is
// not terminated.
CallOutcome do_strncpy(BuiltinCall& c)
{
    std::uint64_t const dst = c.arg(0), n = c.arg(2);
    auto copied = copy_string(c, dst, c.arg(1), n);
    if (!copied)
        return fault();
    if (copied->terminated) {
        std::uint64_t const written = copied->length + 1;
        if (!c.mem.zero(dst + written, n - written))
            return fault();
    }
    return pointer(dst);
}

CallOutcome do_strcat(BuiltinCall& c)
{
    auto end = string_length(c, c.arg(0));
    if (!end || !copy_string(c, c.arg(0) + *end, c.arg(1), UINT64_MAX))
        return fault();
    return pointer(c.arg(0));
}

// strncat(3): at most n bytes of the source, and always a terminating NUL.
CallOutcome do_strncat(BuiltinCall& c)
{
    auto end = string_length(c, c.arg(0));
    if (!end)
        return fault();
    std::uint64_t const at = c.arg(0) + *end;
    auto copied = copy_string(c, at, c.arg(1), c.arg(2));
    if (!copied || (!copied->terminated && !c.mem.store(at + copied->length, 1, 0)))
        return fault();
    return pointer(c.arg(0));
}

CallOutcome do_strdup(BuiltinCall& c)
{
    auto n = string_length(c, c.arg(0));
    if (!n)
        return fault();
    std::uint64_t const copy = heap_alloc(c, *n + 1);
    if (!copy)
        return c.machine.set_errno(c, ENOMEM) ? pointer(0) : fault();
    return c.mem.copy(copy, c.arg(0), *n + 1) ? pointer(copy) : fault();
}

CallOutcome do_memset(BuiltinCall& c)
{
    return fill(c, c.arg(0), as_char(c.arg(1)), c.arg(2)) ? pointer(c.arg(0)) : fault();
}

CallOutcome do_memcpy(BuiltinCall& c)
{
    return c.mem.copy(c.arg(0), c.arg(1), c.arg(2)) ? pointer(c.arg(0)) : fault();
}

CallOutcome do_memmove(BuiltinCall& c)
{
    std::uint64_t const dst = c.arg(0), src = c.arg(1), n = c.arg(2);
    bool const overlaps_from_above = dst > src && dst - src < n;
    bool const ok = overlaps_from_above ? move_backward(c, dst, src, n) : c.mem.copy(dst, src, n);
    return ok ? pointer(dst) : fault();
}

// ---- Comparing and searching ----------------------------------------------------------------

// Compares at most n bytes, stopping after a NUL in both when `strings`. glibc on x86-64
// returns the difference of the first differing bytes as unsigned char.
std::optional<int> compare(BuiltinCall& c, std::uint64_t a, std::uint64_t b, std::uint64_t n, bool strings)
{
    MemoryReader left(c.mem), right(c.mem);
    for (std::uint64_t i = 0; i < n;) {
        auto x = left.chunk(a + i);
        auto y = x.empty() ? x : right.chunk(b + i);
        if (y.empty())
            return std::nullopt;
        std::size_t const m = std::size_t(std::min<std::uint64_t>({x.size(), y.size(), n - i}));
        for (std::size_t k = 0; k < m; ++k) {
            if (x[k] != y[k])
                return int(x[k]) - int(y[k]);
            if (strings && !x[k])
                return 0;
        }
        i += m;
    }
    return 0;
}

CallOutcome compared(std::optional<int> r) { return r ? value(*r) : fault(); }

CallOutcome do_strcmp(BuiltinCall& c) { return compared(compare(c, c.arg(0), c.arg(1), UINT64_MAX, true)); }
CallOutcome do_strncmp(BuiltinCall& c) { return compared(compare(c, c.arg(0), c.arg(1), c.arg(2), true)); }
CallOutcome do_memcmp(BuiltinCall& c) { return compared(compare(c, c.arg(0), c.arg(1), c.arg(2), false)); }

// strchr(3) and strrchr(3): the terminator is part of the string, so searching for '\0' finds it.
CallOutcome find_char(BuiltinCall& c, bool last)
{
    std::uint64_t const s = c.arg(0);
    std::uint8_t const wanted = as_char(c.arg(1));
    MemoryReader in(c.mem);
    std::uint64_t found = 0;
    for (std::uint64_t i = 0;;) {
        auto chunk = in.chunk(s + i);
        if (chunk.empty())
            return fault();
        for (std::uint8_t const b : chunk) {
            if (b == wanted) {
                found = s + i;
                if (!last)
                    return pointer(found);
            }
            if (!b)
                return pointer(found);
            ++i;
        }
    }
}

CallOutcome do_strchr(BuiltinCall& c) { return find_char(c, false); }
CallOutcome do_strrchr(BuiltinCall& c) { return find_char(c, true); }

// strstr(3), the simple way: each place the needle's first byte occurs is compared in full.
// Three readers keep the haystack, the candidate and the needle each a page read at a time.
CallOutcome do_strstr(BuiltinCall& c)
{
    std::uint64_t const hay = c.arg(0), needle = c.arg(1);
    MemoryReader scan(c.mem), candidate(c.mem), pattern(c.mem);
    std::uint8_t first = 0;
    if (!pattern.byte(needle, first))
        return fault();
    if (!first)
        return pointer(hay);  // glibc returns the haystack without reading it.
    for (std::uint64_t i = 0;; ++i) {
        std::uint8_t h = 0;
        if (!scan.byte(hay + i, h))
            return fault();
        if (!h)
            return pointer(0);
        if (h != first)
            continue;
        for (std::uint64_t k = 1;; ++k) {
            std::uint8_t n = 0, m = 0;
            if (!pattern.byte(needle + k, n))
                return fault();
            if (!n)
                return pointer(hay + i);
            if (!candidate.byte(hay + i + k, m))
                return fault();
            if (!m)
                return pointer(0);  // The haystack ends before the needle could.
            if (m != n)
                break;
        }
    }
}

// ---- ctype.h, the C locale ------------------------------------------------------------------

// glibc's classification bits (little-endian <ctype.h>): isdigit('5') returns 2048, not 1,
// and programs that print the result see that.
enum : int {
    kUpper = 1 << 8, kLower = 1 << 9, kAlpha = 1 << 10, kDigit = 1 << 11, kXdigit = 1 << 12,
    kSpace = 1 << 13, kPrint = 1 << 14, kGraph = 1 << 15, kBlank = 1 << 0, kCntrl = 1 << 1,
    kPunct = 1 << 2, kAlnum = 1 << 3,
};

// The class bits of c in the C locale: only ASCII has any; EOF and bytes above 127 have none.
int classes(int c)
{
    if (c < 0 || c > 127)
        return 0;
    int bits = 0;
    bool const upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
    bool const print = c >= 0x20 && c < 0x7f;
    if (upper) bits |= kUpper | kAlpha | kAlnum;
    if (lower) bits |= kLower | kAlpha | kAlnum;
    if (digit) bits |= kDigit | kAlnum;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) bits |= kXdigit;
    if (c == ' ' || (c >= '\t' && c <= '\r')) bits |= kSpace;
    if (c == ' ' || c == '\t') bits |= kBlank;
    if (print) bits |= kPrint;
    if (print && c != ' ') bits |= kGraph;
    if (!print) bits |= kCntrl;
    if (print && c != ' ' && !(upper || lower || digit)) bits |= kPunct;
    return bits;
}

template<int Bit>
CallOutcome is_class(BuiltinCall& c) { return value(classes(as_int(c.arg(0))) & Bit); }

// toupper(3) and tolower(3) map only letters; every other value (EOF included) is returned as is.
CallOutcome do_toupper(BuiltinCall& c)
{
    int const ch = as_int(c.arg(0));
    return value(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
}
CallOutcome do_tolower(BuiltinCall& c)
{
    int const ch = as_int(c.arg(0));
    return value(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
}

// ---- Numbers --------------------------------------------------------------------------------

struct Number {
    std::int64_t value = 0;
    std::uint64_t end = 0;  // Where the parse stopped: endptr.
    bool out_of_range = false;
};

int digit_value(std::uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A' + 10;
    return 99;
}

// glibc's ____strtol_l_internal: blanks, a sign, a 0x prefix (base 0 or 16) or a leading 0
// (base 0: octal), then digits accumulated as unsigned long with an overflow check. With no
// digits the result is 0 and endptr is the start -- or the 'x' of a "0x" with nothing after.
std::optional<Number> parse_long(BuiltinCall& c, std::uint64_t at, int base)
{
    // Every byte looked at here is one glibc's strtol reads too: a fault is the program's own.
    MemoryReader in(c.mem);
    std::uint64_t s = at;
    std::uint8_t ch = 0;
    auto read = [&](std::uint64_t p) { return in.byte(p, ch); };
    if (!read(s))
        return std::nullopt;
    while (classes(ch) & kSpace)
        if (!read(++s))
            return std::nullopt;
    bool const negative = ch == '-';
    if ((ch == '-' || ch == '+') && !read(++s))
        return std::nullopt;
    if (ch == '0') {
        std::uint8_t next = 0;
        if ((base == 0 || base == 16) && !in.byte(s + 1, next))
            return std::nullopt;
        if ((base == 0 || base == 16) && (next == 'x' || next == 'X'))
            s += 2, base = 16;
        else if (base == 0)
            base = 8;
    } else if (base == 0) {
        base = 10;
    }
    if (!read(s))
        return std::nullopt;
    std::uint64_t const digits = s;
    std::uint64_t const cutoff = ULONG_MAX / unsigned(base), cutlim = ULONG_MAX % unsigned(base);
    std::uint64_t total = 0;
    bool overflow = false;
    while (digit_value(ch) < base) {
        std::uint64_t const d = std::uint64_t(digit_value(ch));
        if (total > cutoff || (total == cutoff && d > cutlim))
            overflow = true;
        else
            total = total * unsigned(base) + d;
        if (!read(++s))
            return std::nullopt;
    }
    Number n;
    if (s == digits) {
        std::uint8_t x = 0, zero = 0;
        bool const after_0x = digits - at >= 2 && in.byte(digits - 1, x) && in.byte(digits - 2, zero)
            && (x == 'x' || x == 'X') && zero == '0';
        n.end = after_0x ? digits - 1 : at;
        return n;
    }
    n.end = s;
    std::uint64_t const limit = negative ? std::uint64_t(LONG_MAX) + 1 : std::uint64_t(LONG_MAX);
    if (overflow || total > limit) {
        n.out_of_range = true;
        n.value = negative ? LONG_MIN : LONG_MAX;
    } else {
        n.value = negative ? std::int64_t(0 - total) : std::int64_t(total);
    }
    return n;
}

// strtol(3), and atoi/atol, which glibc defines as strtol(nptr, NULL, 10): they set errno to
// ERANGE on overflow too.
CallOutcome strtol_with(BuiltinCall& c, std::uint64_t at, std::uint64_t endptr, int base)
{
    if (base < 0 || base == 1 || base > 36)
        return c.machine.set_errno(c, EINVAL) ? value(0) : fault();
    auto n = parse_long(c, at, base);
    if (!n)
        return fault();
    if (endptr && !c.mem.store(endptr, 8, n->end))
        return fault();
    if (n->out_of_range && !c.machine.set_errno(c, ERANGE))
        return fault();
    return value(n->value);
}

CallOutcome do_strtol(BuiltinCall& c) { return strtol_with(c, c.arg(0), c.arg(1), as_int(c.arg(2))); }
CallOutcome do_atol(BuiltinCall& c) { return strtol_with(c, c.arg(0), 0, 10); }
CallOutcome do_atoi(BuiltinCall& c)
{
    CallOutcome out = strtol_with(c, c.arg(0), 0, 10);
    out.value = std::uint64_t(std::int64_t(std::int32_t(out.value)));  // (int)strtol(...)
    return out;
}

// abs(INT_MIN) is INT_MIN on glibc: the negation wraps.
CallOutcome do_abs(BuiltinCall& c)
{
    std::int32_t const j = std::int32_t(c.arg(0));
    return value(std::int32_t(j < 0 ? 0u - std::uint32_t(j) : std::uint32_t(j)));
}
CallOutcome do_labs(BuiltinCall& c)
{
    std::int64_t const j = std::int64_t(c.arg(0));
    return value(std::int64_t(j < 0 ? 0 - std::uint64_t(j) : std::uint64_t(j)));
}

// ---- rand -----------------------------------------------------------------------------------

// glibc's random_r TYPE_3: an additive feedback generator over 31 words, r[i] = r[i-3] +
// r[i-31], returning the sum shifted right by one. The state lives in the library's static
// data, so fork copies it and parent and child go on with the same sequence.
struct RandState {
    std::uint32_t seeded = 0;  // 0 until srand() or the first rand(): bss starts zeroed.
    std::uint32_t front = 3, rear = 0;  // glibc's fptr and rptr, as indexes.
    std::int32_t table[31] = {};
};
static_assert(sizeof(RandState) <= data::kHeap - data::kRand);

constexpr std::uint32_t kRandDegree = 31, kRandSeparation = 3;

std::int32_t next_random(RandState& s)
{
    std::uint32_t const sum = std::uint32_t(s.table[s.front]) + std::uint32_t(s.table[s.rear]);
    s.table[s.front] = std::int32_t(sum);
    if (++s.front >= kRandDegree) {
        s.front = 0;
        ++s.rear;
    } else if (++s.rear >= kRandDegree) {
        s.rear = 0;
    }
    return std::int32_t(sum >> 1);
}

// glibc's __srandom_r: the table from a Lehmer generator (16807 * x mod 2^31-1, by Schrage's
// method), then 310 results thrown away. A seed of 0 acts as 1.
RandState seeded(std::uint32_t seed)
{
    RandState s;
    s.seeded = 1;
    if (seed == 0)
        seed = 1;
    s.table[0] = std::int32_t(seed);
    std::int32_t word = std::int32_t(seed);
    for (std::uint32_t i = 1; i < kRandDegree; ++i) {
        std::int64_t const hi = word / 127773, lo = word % 127773;
        word = std::int32_t(16807 * lo - 2836 * hi);
        if (word < 0)
            word += 2147483647;
        s.table[i] = word;
    }
    s.front = kRandSeparation;
    s.rear = 0;
    for (std::uint32_t i = 0; i < kRandDegree * 10; ++i)
        (void)next_random(s);
    return s;
}

CallOutcome do_srand(BuiltinCall& c)
{
    RandState const s = seeded(std::uint32_t(c.arg(0)));
    return c.mem.write(libc_data(c, data::kRand), &s, sizeof s) ? value(0) : fault();
}

// Without srand(), rand() runs as if srand(1) had been called (C11 7.22.2.2).
CallOutcome do_rand(BuiltinCall& c)
{
    std::uint64_t const at = libc_data(c, data::kRand);
    RandState s;
    if (!c.mem.read(at, &s, sizeof s))
        return fault();
    if (!s.seeded || s.front >= kRandDegree || s.rear >= kRandDegree)
        s = seeded(1);
    std::int32_t const r = next_random(s);
    return c.mem.write(at, &s, sizeof s) ? value(r) : fault();
}

}  // namespace

std::span<Entry const> string_builtins()
{
    static Entry const table[] = {
        {"strlen", do_strlen}, {"strcpy", do_strcpy}, {"strncpy", do_strncpy}, {"strcmp", do_strcmp},
        {"strncmp", do_strncmp}, {"strcat", do_strcat}, {"strncat", do_strncat}, {"strdup", do_strdup},
        {"strchr", do_strchr}, {"strrchr", do_strrchr}, {"strstr", do_strstr}, {"memset", do_memset},
        {"memcpy", do_memcpy}, {"memmove", do_memmove}, {"memcmp", do_memcmp},
        {"atoi", do_atoi}, {"atol", do_atol}, {"strtol", do_strtol}, {"abs", do_abs}, {"labs", do_labs},
        {"rand", do_rand}, {"srand", do_srand},
        {"isdigit", is_class<kDigit>}, {"isspace", is_class<kSpace>}, {"isalpha", is_class<kAlpha>},
        {"isalnum", is_class<kAlnum>}, {"isupper", is_class<kUpper>}, {"islower", is_class<kLower>},
        {"isprint", is_class<kPrint>}, {"ispunct", is_class<kPunct>}, {"isxdigit", is_class<kXdigit>},
        {"isgraph", is_class<kGraph>}, {"iscntrl", is_class<kCntrl>}, {"isblank", is_class<kBlank>},
        {"toupper", do_toupper}, {"tolower", do_tolower},
    };
    return table;
}

}  // namespace forklab::lang::libc
