// glibc 2.36's vfprintf (stdio-common/vfprintf-internal.c and vfprintf-process-arg.c), for the
// integer and string conversions: the same flags, the same corner cases (%#x of 0 is "0", %p of
// NULL is "(nil)", %.3s of NULL is ""), and the same pieces -- literal text, sign and "0x"
// characters, padding in chunks, digits -- since how the output is cut decides the write(2)
// calls a line-buffered or full stream makes.
#include "lang/libc_format.h"

#include "base/format.h"

#include <climits>
#include <csignal>
#include <cstring>

namespace forklab::lang::libc {

std::string error_message(int err)
{
    if (char const* s = ::strerrordesc_np(err))
        return s;
    return format("Unknown error {}", err);
}

namespace {

constexpr std::uint64_t kMaxOutput = 64ull << 20;  // The model's limit on one call's output.
static_assert(kMaxOutput < INT_MAX, "an output within the limit cannot overflow an int");

struct Spec {
    bool alt = false, showsign = false, space = false, left = false, group = false, i18n = false;
    char pad = ' ';
    std::int64_t width = 0;
    std::int64_t prec = -1;
    int length = 0;  // 'H' hh, 'h', 0, 'l' (l, ll, j, z, t, L, q: 64 bits).
    char spec = 0;
};

class Formatter {
public:
    Formatter(BuiltinCall& c, std::size_t first) : m_c(c), m_arg(first) {}

    Formatted run(std::uint64_t format);

private:
    std::uint64_t next_arg() { return m_c.arg(m_arg++); }

    void text(std::string s, std::uint64_t addr = 0)
    {
        if (s.empty())
            return;
        m_out.size += s.size();
        m_out.pieces.push_back(Piece{Piece::Kind::Text, 0, addr, 0, std::move(s)});
    }
    void ch(char c)
    {
        ++m_out.size;
        m_out.pieces.push_back(Piece{Piece::Kind::Char, c, 0, 0, {}});
    }
    // PAD(c): only a positive width pads.
    void pad(char c, std::int64_t width)
    {
        if (width <= 0)
            return;
        m_out.size += std::uint64_t(width);
        m_out.pieces.push_back(Piece{Piece::Kind::Pad, c, 0, std::uint64_t(width), {}});
    }

    bool parse(std::string_view f, std::size_t& i, Spec& s);
    bool convert(Spec s);
    void number(Spec const& s, std::uint64_t word, bool negative, int base);
    void string(Spec const& s, std::string str, std::uint64_t addr);
    void unknown(Spec const& s);
    bool unsupported(Spec const& s, std::string_view why);

    BuiltinCall& m_c;
    std::size_t m_arg;
    Formatted m_out;
};

std::int64_t read_int(std::string_view f, std::size_t& i)
{
    std::int64_t v = 0;
    while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
        v = std::min<std::int64_t>(v * 10 + (f[i] - '0'), std::int64_t(INT_MAX) + 1);
        ++i;
    }
    return v;
}

// Flags, width, precision and length of one conversion, from just after its '%'.
bool Formatter::parse(std::string_view f, std::size_t& i, Spec& s)
{
    for (; i < f.size(); ++i) {
        char const c = f[i];
        if (c == '-')
            s.left = true, s.pad = ' ';
        else if (c == '0')
            s.pad = s.left ? ' ' : '0';
        else if (c == '+')
            s.showsign = true;
        else if (c == ' ')
            s.space = true;
        else if (c == '#')
            s.alt = true;
        else if (c == '\'')
            s.group = true;
        else if (c == 'I')
            s.i18n = true;
        else
            break;
    }
    if (i < f.size() && f[i] == '*') {
        ++i;
        std::int64_t w = std::int32_t(next_arg());
        if (w < 0)
            w = -w, s.left = true, s.pad = ' ';
        s.width = w;
    } else {
        s.width = read_int(f, i);
    }
    if (i < f.size() && f[i] == '$')
        return false;
    if (i < f.size() && f[i] == '.') {
        ++i;
        if (i < f.size() && f[i] == '*') {
            ++i;
            std::int64_t const p = std::int32_t(next_arg());
            s.prec = p < 0 ? -1 : p;
        } else {
            s.prec = read_int(f, i);
        }
    }
    if (i < f.size()) {
        switch (f[i]) {
        case 'h':
            ++i;
            s.length = 'h';
            if (i < f.size() && f[i] == 'h')
                ++i, s.length = 'H';
            break;
        case 'l':
            ++i;
            s.length = 'l';
            if (i < f.size() && f[i] == 'l')
                ++i;
            break;
        case 'L': case 'q': case 'j': case 'z': case 'Z': case 't':
            ++i;
            s.length = 'l';
            break;
        default: break;
        }
    }
    s.spec = i < f.size() ? f[i] : '\0';
    return true;
}

std::string digits_of(std::uint64_t v, int base, bool upper)
{
    char const* const set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), set[v % unsigned(base)]);
        v /= unsigned(base);
    } while (v);
    return s;
}

// LABEL (number): precision, then the octal or hex marker, then the sign, zeros and digits with
// the padding on the side the '-' flag says.
void Formatter::number(Spec const& s, std::uint64_t word, bool negative, int base)
{
    std::int64_t prec = s.prec, width = s.width;
    char pad = s.pad;
    if (prec < 0)
        prec = 1;
    else
        pad = ' ';  // A precision overrides the '0' flag.
    std::string digits;
    if (prec == 0 && word == 0) {
        if (base == 8 && s.alt)
            digits = "0";
    } else {
        digits = digits_of(word, base, s.spec == 'X');
    }
    std::int64_t const len = std::int64_t(digits.size());
    if (prec <= len && word != 0 && s.alt && base == 8)
        digits.insert(digits.begin(), '0');
    prec = std::max<std::int64_t>(0, prec - std::int64_t(digits.size()));
    bool const marker = word != 0 && s.alt && base == 16;
    char const sign = negative ? '-' : s.showsign ? '+' : s.space ? ' ' : 0;
    if (!s.left) {
        width -= std::int64_t(digits.size()) + prec;
        if (marker)
            width -= 2;
        if (sign)
            --width;
        if (pad == ' ') {
            this->pad(' ', width);
            width = 0;
        }
        if (sign)
            ch(sign);
        if (marker)
            ch('0'), ch(s.spec);
        width += prec;
        this->pad('0', width);
        text(std::move(digits));
        return;
    }
    if (sign)
        ch(sign), --width;
    if (marker)
        ch('0'), ch(s.spec), width -= 2;
    width -= std::int64_t(digits.size()) + prec;
    this->pad('0', prec);
    text(std::move(digits));
    this->pad(' ', width);
}

void Formatter::string(Spec const& s, std::string str, std::uint64_t addr)
{
    std::int64_t const width = s.width - std::int64_t(str.size());
    if (!s.left)
        pad(' ', width);
    text(std::move(str), addr);
    if (s.left)
        pad(' ', width);
}

// printf_unknown: an unknown conversion is printed as it was written, minus length modifiers.
void Formatter::unknown(Spec const& s)
{
    ch('%');
    if (s.alt)
        ch('#');
    if (s.group)
        ch('\'');
    if (s.showsign)
        ch('+');
    else if (s.space)
        ch(' ');
    if (s.left)
        ch('-');
    if (s.pad == '0')
        ch('0');
    if (s.i18n)
        ch('I');
    if (s.width != 0)
        for (char d : std::to_string(s.width))
            ch(d);
    if (s.prec != -1) {
        ch('.');
        for (char d : std::to_string(s.prec))
            ch(d);
    }
    ch(s.spec);
}

bool Formatter::unsupported(Spec const& s, std::string_view why)
{
    m_c.machine.diagnose(format("pid {}: line {}: printf's %{} {}: not in forklab's C subset", m_c.pid, m_c.cpu.line,
        s.spec ? std::string(1, s.spec) : std::string("$"), why));
    (void)m_c.kernel.force_fault(m_c.pid, SIGSYS);
    m_out.status = Formatted::Status::Unsupported;
    return false;
}

// One conversion; false stops the formatting (m_out.status says why).
bool Formatter::convert(Spec s)
{
    switch (s.spec) {
    case '%': ch('%'); return true;
    case 'd': case 'i': {
        std::uint64_t const a = next_arg();
        std::int64_t const v = s.length == 'l' ? std::int64_t(a) : s.length == 'h' ? std::int16_t(a)
            : s.length == 'H' ? std::int8_t(a) : std::int32_t(a);
        number(s, v < 0 ? 0 - std::uint64_t(v) : std::uint64_t(v), v < 0, 10);
        return true;
    }
    case 'u': case 'o': case 'x': case 'X': {
        std::uint64_t const a = next_arg();
        std::uint64_t const v = s.length == 'l' ? a : s.length == 'h' ? std::uint16_t(a)
            : s.length == 'H' ? std::uint8_t(a) : std::uint32_t(a);
        s.showsign = s.space = false;
        number(s, v, false, s.spec == 'u' ? 10 : s.spec == 'o' ? 8 : 16);
        return true;
    }
    case 'p': {
        std::uint64_t const v = next_arg();
        if (v) {
            s.alt = true;
            s.spec = 'x';
            number(s, v, false, 16);
        } else {
            s.prec = std::max<std::int64_t>(s.prec, 5);
            string(s, "(nil)", 0);
        }
        return true;
    }
    case 'c': {
        if (s.length == 'l' && (next_arg() & 0xffffffff) > 0x7f)
            return unsupported(s, "of a wide character beyond ASCII");
        if (s.length == 'l')
            --m_arg;
        char const c = char(next_arg());
        std::int64_t const width = s.width - 1;
        if (!s.left)
            pad(' ', width);
        ch(c);
        if (s.left)
            pad(' ', width);
        return true;
    }
    case 's': {
        if (s.length == 'l')
            return unsupported(s, "of a wide string");
        std::uint64_t const at = next_arg();
        if (!at) {
            string(s, s.prec == -1 || s.prec >= 6 ? "(null)" : "", 0);
            return true;
        }
        auto str = read_c_string(m_c.mem, at, s.prec < 0 ? kMaxOutput : std::uint64_t(s.prec));
        if (!str) {
            m_out.status = Formatted::Status::Fault;
            return false;
        }
        string(s, std::move(*str), at);
        return true;
    }
    case 'm': {
        std::uint64_t err = 0;
        if (std::uint64_t const at = m_c.cpu.program->runtime().errno_addr)
            (void)m_c.mem.load(at, 4, err);
        std::string msg = error_message(int(std::int32_t(err)));
        if (s.prec >= 0 && std::uint64_t(s.prec) < msg.size())
            msg.resize(std::size_t(s.prec));
        string(s, std::move(msg), 0);
        return true;
    }
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
        return unsupported(s, "needs floating point");
    case 'n': return unsupported(s, "(a write through the argument)");
    case 'C': case 'S': return unsupported(s, "of a wide character");
    case '\0':
        m_out.status = Formatted::Status::Invalid;
        return false;
    default:
        unknown(s);
        return true;
    }
}

Formatted Formatter::run(std::uint64_t format)
{
    auto f = read_c_string(m_c.mem, format, kMaxOutput);
    if (!f) {
        m_out.status = Formatted::Status::Fault;
        return std::move(m_out);
    }
    std::string_view const fs = *f;
    std::size_t i = 0;
    while (i < fs.size()) {
        std::size_t const pct = fs.find('%', i);
        std::size_t const end = pct == std::string_view::npos ? fs.size() : pct;
        text(std::string(fs.substr(i, end - i)), format + i);
        if (pct == std::string_view::npos)
            break;
        i = pct + 1;
        Spec s;
        if (!parse(fs, i, s)) {
            unsupported(s, "(positional arguments)");
            break;
        }
        if (s.width > INT_MAX || s.prec > INT_MAX) {
            m_out.status = Formatted::Status::Overflow;
            break;
        }
        if (!convert(s))
            break;
        // glibc would write all of it and then fail with EOVERFLOW past INT_MAX characters; the
        // model stops at its own, lower limit first, so that no piece longer than 64 MiB (a
        // padding of two billion spaces) ever reaches a stream or a buffer on the host.
        if (m_out.size > kMaxOutput) {
            unsupported(s, "output of more than 64 MiB");
            break;
        }
        ++i;
    }
    return std::move(m_out);
}

}  // namespace

Formatted format_printf(BuiltinCall& c, std::uint64_t format, std::size_t first)
{
    if (!format) {
        Formatted f;
        f.status = Formatted::Status::Invalid;
        return f;
    }
    return Formatter(c, first).run(format);
}

}  // namespace forklab::lang::libc
