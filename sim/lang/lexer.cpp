#include "lang/lexer.h"

#include "base/format.h"

#include <array>
#include <cctype>
#include <limits>
#include <optional>

namespace forklab::lang {

namespace {

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The punctuators of C11 6.4.6, longest first so that the first match is the longest one.
constexpr std::string_view kPunctuators[] = {
    "...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=",
    "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##", "[", "]", "(", ")", "{", "}", ".", "&", "*",
    "+", "-", "~", "!", "/", "%", "<", ">", "^", "|", "?", ":", ";", "=", ",", "#",
};

// How a character is named in "stray ... in program": itself if printable, else octal as GCC.
std::string stray_name(char c)
{
    auto const u = static_cast<unsigned char>(c);
    if (u > 32 && u < 127)
        return std::string(1, c);
    return format("\\{}{}{}", char('0' + (u >> 6)), char('0' + ((u >> 3) & 7)), char('0' + (u & 7)));
}

class Lexer {
public:
    explicit Lexer(SourceFile const& file) : m_file(file), m_text(file.text()) {}

    LangResult<std::vector<Token>> run()
    {
        while (true) {
            LANG_TRY(skip_whitespace());
            if (m_pos >= m_text.size())
                break;
            LANG_TRY(next_token());
        }
        Token end;
        end.loc = loc(std::uint32_t(m_text.size()));
        end.line_start = LineStart::Yes;
        m_tokens.push_back(std::move(end));
        return std::move(m_tokens);
    }

private:
    SourceLoc loc(std::uint32_t at) const { return SourceLoc{at}; }
    char peek(std::size_t ahead = 0) const
    {
        return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0';
    }

    // Spaces, newlines, comments and line splices. A newline makes the next token a line start.
    LangResult<void> skip_whitespace()
    {
        while (m_pos < m_text.size()) {
            char const c = m_text[m_pos];
            if (c == '\n') {
                m_at_line_start = true;
                ++m_pos;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                ++m_pos;
            } else if (c == '\\' && (peek(1) == '\n' || (peek(1) == '\r' && peek(2) == '\n'))) {
                m_pos += peek(1) == '\n' ? 2 : 3;
            } else if (c == '/' && peek(1) == '/') {
                while (m_pos < m_text.size() && m_text[m_pos] != '\n')
                    ++m_pos;
            } else if (c == '/' && peek(1) == '*') {
                auto const close = m_text.find("*/", m_pos + 2);
                if (close == std::string_view::npos)
                    return fail(m_file, loc(std::uint32_t(m_pos)), "unterminated comment");
                for (auto i = m_pos; i < close; ++i)
                    m_at_line_start = m_at_line_start || m_text[i] == '\n';
                m_pos = close + 2;
            } else {
                break;
            }
        }
        return {};
    }

    void push(TokenKind kind, std::size_t begin, std::string text)
    {
        Token t;
        t.kind = kind;
        t.loc = loc(std::uint32_t(begin));
        t.line_start = m_at_line_start ? LineStart::Yes : LineStart::No;
        t.text = std::move(text);
        m_at_line_start = false;
        m_tokens.push_back(std::move(t));
    }

    LangResult<void> next_token()
    {
        auto const begin = m_pos;
        char const c = m_text[m_pos];
        if (is_ident_start(c))
            return identifier(begin);
        if (is_digit(c) || (c == '.' && is_digit(peek(1))))
            return number(begin);
        if (c == '"')
            return string_literal(begin);
        if (c == '\'')
            return char_literal(begin);
        for (auto p : kPunctuators) {
            if (m_text.substr(m_pos, p.size()) == p) {
                m_pos += p.size();
                push(TokenKind::Punct, begin, std::string(p));
                return {};
            }
        }
        ++m_pos;
        push(TokenKind::Stray, begin, format("stray '{}' in program", stray_name(c)));
        return {};
    }

    LangResult<void> identifier(std::size_t begin)
    {
        while (m_pos < m_text.size() && is_ident_char(m_text[m_pos]))
            ++m_pos;
        push(TokenKind::Identifier, begin, std::string(m_text.substr(begin, m_pos - begin)));
        // In "#include <stdio.h>" the header name is one token (C11 6.4.7), not '<' 'stdio' ...
        if (is_include_directive())
            return header_name();
        return {};
    }

    bool is_include_directive() const
    {
        auto const n = m_tokens.size();
        return n >= 2 && m_tokens[n - 1].text == "include" && m_tokens[n - 2].is_punct("#")
            && m_tokens[n - 2].line_start == LineStart::Yes;
    }

    LangResult<void> header_name()
    {
        while (peek() == ' ' || peek() == '\t')
            ++m_pos;
        if (peek() != '<')
            return {};
        auto const begin = m_pos;
        while (m_pos < m_text.size() && m_text[m_pos] != '>' && m_text[m_pos] != '\n')
            ++m_pos;
        if (peek() != '>')
            return fail(m_file, loc(std::uint32_t(begin)), "missing terminating > character");
        ++m_pos;
        push(TokenKind::HeaderName, begin, std::string(m_text.substr(begin, m_pos - begin)));
        return {};
    }

    // A preprocessing number (C11 6.4.8): digits, letters, '_', '.', and e+ e- p+ p-.
    LangResult<void> number(std::size_t begin)
    {
        while (m_pos < m_text.size()) {
            char const c = m_text[m_pos];
            if ((c == '+' || c == '-') && std::string_view("eEpP").find(m_text[m_pos - 1]) != std::string_view::npos)
                ++m_pos;
            else if (is_ident_char(c) || c == '.')
                ++m_pos;
            else
                break;
        }
        push(TokenKind::Number, begin, std::string(m_text.substr(begin, m_pos - begin)));
        return {};
    }

    // One character of a literal, escapes decoded (C11 6.4.4.4). m_pos is at the character.
    LangResult<unsigned char> literal_char()
    {
        auto const at = m_pos;
        char const c = m_text[m_pos++];
        if (c != '\\')
            return static_cast<unsigned char>(c);
        if (m_pos >= m_text.size())
            return fail(m_file, loc(std::uint32_t(at)), "unterminated escape sequence");
        char const e = m_text[m_pos++];
        if (auto simple = simple_escape(e))
            return static_cast<unsigned char>(*simple);
        if (e == 'x')
            return hex_escape(at);
        if (e >= '0' && e <= '7') {
            unsigned value = unsigned(e - '0');
            for (int i = 0; i < 2 && peek() >= '0' && peek() <= '7'; ++i)
                value = value * 8 + unsigned(m_text[m_pos++] - '0');
            if (value > 0xff)
                return fail(m_file, loc(std::uint32_t(at)), "octal escape sequence out of range");
            return static_cast<unsigned char>(value);
        }
        return fail(m_file, loc(std::uint32_t(at)), format("unknown escape sequence: '\\{}'", stray_name(e)));
    }

    LangResult<unsigned char> hex_escape(std::size_t at)
    {
        if (!std::isxdigit(static_cast<unsigned char>(peek())))
            return fail(m_file, loc(std::uint32_t(at)), "\\x used with no following hex digits");
        unsigned value = 0;
        while (std::isxdigit(static_cast<unsigned char>(peek()))) {
            char const h = m_text[m_pos++];
            value = value * 16 + unsigned(is_digit(h) ? h - '0' : std::tolower(h) - 'a' + 10);
            if (value > 0xff)
                return fail(m_file, loc(std::uint32_t(at)), "hex escape sequence out of range");
        }
        return static_cast<unsigned char>(value);
    }

    // The characters up to the closing quote; a newline or the end of file first is an error.
    LangResult<std::string> quoted(char quote)
    {
        ++m_pos;
        std::string bytes;
        while (true) {
            if (m_pos >= m_text.size() || m_text[m_pos] == '\n')
                return std::string(1, '\0');  // Unterminated: the caller makes a Stray token.
            if (m_text[m_pos] == quote)
                break;
            bytes += static_cast<char>(LANG_TRY(literal_char()));
        }
        return bytes;
    }

    // An unterminated literal is reported only if it survives preprocessing ("don't" in #if 0).
    bool unterminated(std::size_t begin, char quote)
    {
        if (m_pos < m_text.size() && m_text[m_pos] == quote)
            return false;
        push(TokenKind::Stray, begin, format("missing terminating {} character", quote));
        return true;
    }

    LangResult<void> string_literal(std::size_t begin)
    {
        auto bytes = LANG_TRY(quoted('"'));
        if (unterminated(begin, '"'))
            return {};
        ++m_pos;
        push(TokenKind::String, begin, std::move(bytes));
        return {};
    }

    // 'a' is an int with the value of a char; on x86-64 char is signed, so '\xff' is -1.
    LangResult<void> char_literal(std::size_t begin)
    {
        auto const bytes = LANG_TRY(quoted('\''));
        if (unterminated(begin, '\''))
            return {};
        ++m_pos;
        if (bytes.empty())
            return fail(m_file, loc(std::uint32_t(begin)), "empty character constant");
        if (bytes.size() > 1)
            return fail(m_file, loc(std::uint32_t(begin)), "multi-character character constant is not supported");
        push(TokenKind::CharLiteral, begin, std::string(m_text.substr(begin, m_pos - begin)));
        m_tokens.back().value = std::uint64_t(std::int64_t(static_cast<signed char>(bytes[0])));
        return {};
    }

    SourceFile const& m_file;
    std::string_view m_text;
    std::size_t m_pos = 0;
    bool m_at_line_start = true;
    std::vector<Token> m_tokens;
};

// The suffix of an integer constant: u, l, ll (not lL) in either case and either order.
std::optional<IntSuffix> parse_suffix(std::string_view s)
{
    IntSuffix suffix;
    while (!s.empty()) {
        if ((s[0] == 'u' || s[0] == 'U') && !suffix.is_unsigned) {
            suffix.is_unsigned = true;
            s.remove_prefix(1);
        } else if ((s.starts_with("ll") || s.starts_with("LL")) && suffix.longs == 0) {
            suffix.longs = 2;
            s.remove_prefix(2);
        } else if ((s[0] == 'l' || s[0] == 'L') && suffix.longs == 0) {
            suffix.longs = 1;
            s.remove_prefix(1);
        } else {
            return std::nullopt;
        }
    }
    return suffix;
}

int digit_value(char c)
{
    if (is_digit(c))
        return c - '0';
    auto const l = std::tolower(static_cast<unsigned char>(c));
    return l >= 'a' && l <= 'f' ? l - 'a' + 10 : 99;
}

bool looks_floating(std::string_view s, bool hex)
{
    if (s.find('.') != std::string_view::npos)
        return true;
    if (hex)
        return s.find_first_of("pP") != std::string_view::npos;
    // A decimal exponent: 1e5. The suffix letters never include 'e'.
    return s.find_first_of("eE") != std::string_view::npos;
}

}  // namespace

LangResult<std::vector<Token>> lex(SourceFile const& file) { return Lexer(file).run(); }

LangResult<Token> convert_number(SourceFile const& file, Token const& number)
{
    std::string_view s = number.text;
    bool const hex = s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (looks_floating(s, hex))
        return fail(file, number.loc, "floating point is not supported");
    unsigned const radix = hex ? 16 : (s[0] == '0' ? 8 : 10);
    std::size_t i = hex ? 2 : 0;
    std::uint64_t value = 0;
    bool digits = false;
    auto const is_number_digit = [&](char c) { return hex ? digit_value(c) < 16 : is_digit(c); };
    for (; i < s.size() && is_number_digit(s[i]); ++i) {
        auto const d = unsigned(digit_value(s[i]));
        if (d >= radix)
            return fail(file, number.loc, format("invalid digit \"{}\" in octal constant", s[i]));
        if (value > (std::numeric_limits<std::uint64_t>::max() - d) / radix)
            return fail(file, number.loc, "integer constant is too large for its type");
        value = value * radix + d;
        digits = true;
    }
    auto const suffix = parse_suffix(s.substr(i));
    if (!suffix || (hex && !digits))
        return fail(file, number.loc, format("invalid suffix \"{}\" on integer constant", s.substr(hex && !digits ? 1 : i)));
    Token out = number;
    out.kind = TokenKind::IntLiteral;
    out.value = value;
    out.suffix = *suffix;
    out.base = radix == 10 ? IntBase::Decimal : IntBase::OctalOrHex;
    return out;
}

std::optional<char> simple_escape(char letter)
{
    switch (letter) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    case '\\': case '\'': case '"': case '?': return letter;
    default: return std::nullopt;
    }
}

}  // namespace forklab::lang
