#include "scenario/metadata.h"

#include "base/format.h"
#include "lang/lexer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

namespace forklab::scenario {

namespace {

using lang::LangResult;
using lang::SourceFile;
using lang::SourceLoc;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s)
{
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

// A piece of one metadata line being read left to right; errors point at the current spot.
class Cursor {
public:
    Cursor(SourceFile const& file, std::string_view text, std::uint32_t offset)
        : m_file(file), m_text(text), m_offset(offset) {}

    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
    std::string_view rest() const { return m_text.substr(m_pos); }
    void skip_spaces() { while (!at_end() && is_space(peek())) ++m_pos; }

    std::unexpected<lang::Diagnostic> fail(std::string message) const { return fail_at(m_pos, std::move(message)); }
    std::unexpected<lang::Diagnostic> fail_at(std::size_t pos, std::string message) const
    {
        return lang::fail(m_file, SourceLoc{std::uint32_t(m_offset + pos)}, std::move(message));
    }

    // The next run of non-blank characters.
    std::string_view word()
    {
        skip_spaces();
        auto const start = m_pos;
        while (!at_end() && !is_space(peek()))
            ++m_pos;
        return m_text.substr(start, m_pos - start);
    }

    // A C string literal, or several in a row ("one" "two" is "onetwo", as in C).
    LangResult<std::string> string_literal()
    {
        skip_spaces();
        if (peek() != '"')
            return fail("expected a string literal in double quotes, such as \"one\\ntwo\\n\"");
        std::string out;
        while (peek() == '"') {
            ++m_pos;
            while (peek() != '"') {
                if (at_end())
                    return fail("missing terminating \" character");
                if (peek() == '\\')
                    out += LANG_TRY(escape());
                else
                    out += m_text[m_pos++];
            }
            ++m_pos;
            skip_spaces();
        }
        return out;
    }

    // A word as a POSIX shell reads it: quotes group, a backslash escapes.
    LangResult<std::string> shell_word()
    {
        std::string out;
        while (!at_end() && !is_space(peek())) {
            char const c = m_text[m_pos];
            if (c == '\'') {
                auto const close = m_text.find('\'', m_pos + 1);
                if (close == std::string_view::npos)
                    return fail("missing terminating ' character");
                out += m_text.substr(m_pos + 1, close - m_pos - 1);
                m_pos = close + 1;
            } else if (c == '"') {
                out += LANG_TRY(double_quoted());
            } else if (c == '\\' && m_pos + 1 < m_text.size()) {
                out += m_text[m_pos + 1];
                m_pos += 2;
            } else {
                out += c;
                ++m_pos;
            }
        }
        return out;
    }

private:
    // Inside "...", a backslash escapes only $ ` " and \ (POSIX 2.2.3).
    LangResult<std::string> double_quoted()
    {
        auto const open = m_pos++;
        std::string out;
        while (peek() != '"') {
            if (at_end())
                return fail_at(open, "missing terminating \" character");
            if (peek() == '\\' && m_pos + 1 < m_text.size() && std::string_view("$`\"\\").find(m_text[m_pos + 1]) != std::string_view::npos)
                ++m_pos;
            out += m_text[m_pos++];
        }
        ++m_pos;
        return out;
    }

    LangResult<char> escape()
    {
        auto const at = m_pos++;
        if (at_end())
            return fail_at(at, "missing terminating \" character");
        char const c = m_text[m_pos++];
        if (auto simple = lang::simple_escape(c))
            return *simple;
        switch (c) {
        case 'e': return '\x1b';  // GCC's escape for ESC.
        case 'x': return digits(at, 16, 2);
        default:
            if (c >= '0' && c <= '7') {
                --m_pos;
                return digits(at, 8, 3);
            }
            return fail_at(at, format("unknown escape sequence '\\{}'", c));
        }
    }

    LangResult<char> digits(std::size_t at, int base, int most)
    {
        unsigned value = 0;
        int n = 0;
        for (; n < most && !at_end(); ++n, ++m_pos) {
            char const c = char(std::tolower(peek()));
            int const d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 99;
            if (d >= base)
                break;
            value = value * unsigned(base) + unsigned(d);
        }
        if (n == 0)
            return fail_at(at, "\\x used with no following hex digits");
        if (value > 0xff)
            return fail_at(at, "octal escape sequence out of range");
        return char(value);
    }

    SourceFile const& m_file;
    std::string_view m_text;
    std::uint32_t m_offset;
    std::size_t m_pos = 0;
};

// One line of the file.
struct Line {
    std::string_view text;
    std::uint32_t offset = 0;
    int number = 0;
};

std::vector<Line> split_lines(std::string_view text)
{
    std::vector<Line> lines;
    std::size_t start = 0;
    for (int number = 1; start < text.size(); ++number) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        lines.push_back({text.substr(start, end - start), std::uint32_t(start), number});
        start = end + 1;
    }
    return lines;
}

bool is_metadata(Line const& l) { return l.text.starts_with("//!"); }

template<typename T>
std::optional<T> number(std::string_view s, int base = 10)
{
    T v{};
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty())
        return std::nullopt;
    return v;
}

// What `//!` lines indented by two spaces or more continue.
enum class Continues : std::uint8_t { Nothing, Summary, Block };

// How a `|` block ends, as in YAML: `|` keeps one final newline, `|-` none, `|+` every
// trailing empty line.
enum class Chomp : std::uint8_t { Clip, Strip, Keep };

struct Block {
    std::string* into = nullptr;
    Chomp chomp = Chomp::Clip;
    std::vector<std::string> lines;
    std::size_t indent = 0;  // Spaces after `//!` on the first line; 0 until it is seen.
};

constexpr std::array kKeys = {"title", "tags", "summary", "sched", "uid", "rlimit", "memory", "strategy",
    "argv", "stdin", "file", "output", "outcome"};
constexpr std::array kRepeatable = {"rlimit", "file", "outcome"};

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t const up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string unknown_key_message(std::string_view key)
{
    std::string message = format("unknown metadata key '{}'", key);
    for (char const* k : kKeys)
        if (edit_distance(key, k) <= 2)
            return message + format(" (did you mean '{}'?)", k);
    std::string all;
    for (char const* k : kKeys)
        all += std::string(all.empty() ? "" : ", ") + k;
    return message + " (the keys are: " + all + ")";
}

class Parser {
public:
    Parser(std::string path, std::string_view text) : m_file(std::move(path), std::string(text)) {}

    LangResult<Scenario> parse()
    {
        m_scenario.path = m_file.path();
        auto const lines = split_lines(m_file.text());
        std::size_t i = 0;
        for (; i < lines.size() && (is_metadata(lines[i]) || trim(lines[i].text).empty()); ++i)
            if (is_metadata(lines[i])) {
                LANG_TRY(line(lines[i]));
                m_scenario.metadata_lines = lines[i].number;
            }
        end_block();
        for (; i < lines.size(); ++i)
            if (trim(lines[i].text).starts_with("//!"))
                return fail(lines[i], lines[i].text.find("//!"),
                    "metadata after the program has begun: '//!' lines belong at the top of the file");
        LANG_TRY(check_output_is_an_outcome());
        return std::move(m_scenario);
    }

private:
    std::unexpected<lang::Diagnostic> fail(Line const& l, std::size_t column, std::string message) const
    {
        return lang::fail(m_file, SourceLoc{std::uint32_t(l.offset + column)}, std::move(message));
    }

    // `//! key: value`, `//!   continued`, or an empty `//!`.
    LangResult<void> line(Line const& l)
    {
        std::string_view const body = l.text.substr(3);
        std::size_t const spaces = std::min(body.find_first_not_of(' '), body.size());
        if (trim(body).empty())
            return m_continues == Continues::Block ? block_line(l, "") : LangResult<void>{};
        if (spaces == 0)
            return fail(l, 3, "expected a space after '//!'");
        if (spaces >= 2)
            return continuation(l, 3 + spaces);
        end_block();
        return key_line(l, 4);
    }

    LangResult<void> continuation(Line const& l, std::size_t column)
    {
        switch (m_continues) {
        case Continues::Summary:
            m_scenario.summary += " " + std::string(trim(l.text.substr(column)));
            return {};
        case Continues::Block: return block_line(l, l.text.substr(4));
        case Continues::Nothing: break;
        }
        return fail(l, column, "an indented '//!' line continues 'summary:' or an 'output: |' block, and follows neither");
    }

    // `text` is the line after `//! `; the block's first line sets how much indent to strip.
    LangResult<void> block_line(Line const& l, std::string_view text)
    {
        std::size_t const indent = std::min(text.find_first_not_of(' '), text.size());
        if (trim(text).empty()) {
            m_block.lines.emplace_back();
            return {};
        }
        if (m_block.indent == 0)
            m_block.indent = indent;
        if (indent < m_block.indent)
            return fail(l, 4 + indent, "this line is less indented than the first line of its block");
        std::string_view content = text.substr(m_block.indent);
        if (!content.empty() && content.back() == '\r')
            content.remove_suffix(1);
        m_block.lines.emplace_back(content);
        return {};
    }

    void end_block()
    {
        if (m_continues == Continues::Block) {
            auto& lines = m_block.lines;
            if (m_block.chomp != Chomp::Keep)
                while (!lines.empty() && lines.back().empty())
                    lines.pop_back();
            std::string text;
            for (std::size_t i = 0; i < lines.size(); ++i)
                text += lines[i] + (i + 1 < lines.size() || m_block.chomp != Chomp::Strip ? "\n" : "");
            *m_block.into = std::move(text);
        }
        m_continues = Continues::Nothing;
        m_block = {};
    }

    LangResult<void> key_line(Line const& l, std::size_t column)
    {
        std::string_view const rest = l.text.substr(column);
        auto const colon = rest.find(':');
        std::string_view const key = trim(rest.substr(0, colon));
        if (colon == std::string_view::npos || key.empty() || key.find(' ') != std::string_view::npos)
            return fail(l, column, "expected 'key: value' after '//! '");
        if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
            return fail(l, column, unknown_key_message(key));
        bool const repeatable = std::find(kRepeatable.begin(), kRepeatable.end(), key) != kRepeatable.end();
        if (!repeatable && !m_seen.insert(std::string(key)).second)
            return fail(l, column, format("'{}' is given twice", key));
        std::size_t const value_at = std::min(l.text.find_first_not_of(" \t", column + colon + 1), l.text.size());
        Cursor value(m_file, trim(l.text.substr(value_at)), l.offset + std::uint32_t(value_at));
        if (value.at_end() && key != "output" && key != "outcome")
            return value.fail(format("'{}' needs a value", key));
        return set(l, key, value);
    }

    LangResult<void> set(Line const& l, std::string_view key, Cursor& v)
    {
        Scenario& s = m_scenario;
        if (key == "title")
            s.title = std::string(v.rest());
        else if (key == "summary") {
            s.summary = std::string(v.rest());
            m_continues = Continues::Summary;
        } else if (key == "tags")
            return tags(v);
        else if (key == "sched")
            return sched(v);
        else if (key == "uid")
            return uid(v);
        else if (key == "rlimit")
            return rlimit(v);
        else if (key == "memory")
            return memory(v);
        else if (key == "strategy")
            return strategy(v);
        else if (key == "argv")
            return argv(v);
        else if (key == "stdin")
            s.stdin_text = LANG_TRY(whole_literal(v));
        else if (key == "file")
            return file(v);
        else if (key == "output")
            return text_or_block(l, v, s.output.emplace());
        else if (key == "outcome")
            return text_or_block(l, v, s.outcomes.emplace_back());
        return {};
    }

    LangResult<void> tags(Cursor& v)
    {
        std::string_view const all = v.rest();
        std::size_t start = 0;
        while (start <= all.size()) {
            auto end = all.find(',', start);
            if (end == std::string_view::npos)
                end = all.size();
            std::string_view const tag = trim(all.substr(start, end - start));
            if (tag.empty())
                return v.fail_at(start, "empty tag: tags are separated by single commas");
            if (std::find(m_scenario.tags.begin(), m_scenario.tags.end(), tag) != m_scenario.tags.end())
                return v.fail_at(start, format("tag '{}' is given twice", tag));
            m_scenario.tags.emplace_back(tag);
            start = end + 1;
        }
        return {};
    }

    LangResult<void> sched(Cursor& v)
    {
        std::string why;
        auto s = parse_sched(v.rest(), &why);
        if (!s)
            return v.fail(why);
        m_scenario.sched = *s;
        return {};
    }

    LangResult<void> uid(Cursor& v)
    {
        auto n = number<std::uint32_t>(v.rest());
        if (!n || *n == std::uint32_t(-1))
            return v.fail(format("'{}' is not a uid (a number from 0 to 4294967294)", v.rest()));
        m_scenario.uid = *n;
        return {};
    }

    static std::optional<int> rlimit_resource(std::string_view name)
    {
        std::string upper;
        for (char c : name)
            upper += char(std::toupper(static_cast<unsigned char>(c)));
        if (!upper.starts_with("RLIMIT_"))
            upper = "RLIMIT_" + upper;
        for (int r = 0; r < kRlimits; ++r)
            if (upper == rlimit_name(r))
                return r;
        return std::nullopt;
    }

    LangResult<std::uint64_t> rlimit_value(Cursor& v)
    {
        v.skip_spaces();
        Cursor const here = v;
        std::string_view const w = v.word();
        if (w == "unlimited" || w == "infinity")
            return kRlimInfinity;
        auto n = number<std::uint64_t>(w);
        if (!n || *n == kRlimInfinity)
            return here.fail(format("'{}' is not a limit: a number or 'unlimited'", w));
        return *n;
    }

    LangResult<void> rlimit(Cursor& v)
    {
        Cursor at_name = v;
        std::string_view const name = v.word();
        auto resource = rlimit_resource(name);
        if (!resource)
            return at_name.fail(format("unknown resource '{}' (RLIMIT_NPROC, RLIMIT_NOFILE, ... or NPROC, NOFILE, ...)", name));
        if (m_scenario.rlimits.contains(*resource))
            return at_name.fail(format("{} is limited twice", rlimit_name(*resource)));
        v.skip_spaces();
        if (v.at_end())
            return v.fail(format("{} needs a limit: 'SOFT' or 'SOFT HARD'", name));
        Rlimit limit;
        limit.cur = LANG_TRY(rlimit_value(v));
        v.skip_spaces();
        Cursor at_hard = v;
        // One number sets both limits, as `ulimit -u 20` does.
        limit.max = v.at_end() ? limit.cur : LANG_TRY(rlimit_value(v));
        if (limit.cur > limit.max)
            return at_hard.fail("the soft limit is above the hard limit (setrlimit would fail with EINVAL)");
        LANG_TRY(expect_end(v));
        m_scenario.rlimits[*resource] = limit;
        return {};
    }

    LangResult<void> memory(Cursor& v)
    {
        Cursor at = v;
        std::string_view const amount = v.word();
        std::string_view const unit = v.word();
        LANG_TRY(expect_end(v));
        auto n = number<std::uint64_t>(amount);
        if (!n || *n == 0)
            return at.fail(format("'{}' is not a positive number", amount));
        std::uint64_t bytes = 0;
        if (unit == "frames" || unit == "frame" || unit == "pages" || unit == "page")
            bytes = *n * kPageSize;
        else if (unit == "KiB" || unit == "MiB" || unit == "GiB")
            bytes = *n << (unit == "KiB" ? 10 : unit == "MiB" ? 20 : 30);
        else
            return at.fail(format("expected a size such as '64 frames', '256 KiB' or '1 MiB', not '{}'", at.rest()));
        constexpr std::uint64_t kMost = std::uint64_t(4) << 30;
        if (*n > kMost || bytes > kMost)
            return at.fail("at most 4 GiB (1048576 frames) of simulated memory");
        if (bytes % kPageSize)
            return at.fail(format("{} bytes is not a whole number of 4 KiB frames", bytes));
        m_scenario.physical_frames = bytes / kPageSize;
        return {};
    }

    LangResult<void> strategy(Cursor& v)
    {
        std::string_view const w = v.rest();
        if (w == "cow")
            m_scenario.strategy = ForkStrategy::Cow;
        else if (w == "copy")
            m_scenario.strategy = ForkStrategy::Copy;
        else if (w == "odf")
            m_scenario.strategy = ForkStrategy::Odf;
        else
            return v.fail(format("unknown fork strategy '{}' (cow, copy or odf)", w));
        return {};
    }

    LangResult<void> argv(Cursor& v)
    {
        while (v.skip_spaces(), !v.at_end())
            m_scenario.argv.push_back(LANG_TRY(v.shell_word()));
        return {};
    }

    LangResult<std::string> whole_literal(Cursor& v)
    {
        std::string text = LANG_TRY(v.string_literal());
        LANG_TRY(expect_end(v));
        return text;
    }

    // file: PATH "CONTENT" [MODE]
    LangResult<void> file(Cursor& v)
    {
        Cursor at_path = v;
        lang::FileSpec spec;
        spec.path = LANG_TRY(v.shell_word());
        if (!spec.path.starts_with("/"))
            return at_path.fail(format("'{}' is not an absolute path", spec.path));
        for (auto const& f : m_scenario.files)
            if (f.path == spec.path)
                return at_path.fail(format("{} is created twice", spec.path));
        spec.content = LANG_TRY(v.string_literal());
        if (!v.at_end()) {
            Cursor at_mode = v;
            std::string_view const mode = v.word();
            auto m = number<unsigned>(mode, 8);
            if (!mode.starts_with("0") || !m || *m > 07777)
                return at_mode.fail(format("'{}' is not a file mode: an octal number such as 0644", mode));
            spec.mode = mode_t(*m);
        }
        LANG_TRY(expect_end(v));
        m_scenario.files.push_back(std::move(spec));
        return {};
    }

    // output: "literal" | `|`, `|-` or `|+` followed by an indented block.
    LangResult<void> text_or_block(Line const&, Cursor& v, std::string& into)
    {
        std::string_view const w = v.rest();
        if (w == "|" || w == "|-" || w == "|+") {
            m_continues = Continues::Block;
            m_block = Block{};
            m_block.into = &into;
            m_block.chomp = w == "|" ? Chomp::Clip : w == "|-" ? Chomp::Strip : Chomp::Keep;
            into.clear();
            return {};
        }
        if (w.empty())
            return v.fail("expected '|' (the text follows on indented '//!' lines) or a string literal");
        into = LANG_TRY(whole_literal(v));
        return {};
    }

    LangResult<void> expect_end(Cursor& v)
    {
        v.skip_spaces();
        if (!v.at_end())
            return v.fail(format("unexpected '{}' at the end of the line", v.rest()));
        return {};
    }

    LangResult<void> check_output_is_an_outcome()
    {
        Scenario const& s = m_scenario;
        if (!s.output || s.outcomes.empty())
            return {};
        if (std::find(s.outcomes.begin(), s.outcomes.end(), *s.output) == s.outcomes.end())
            return lang::fail(m_file, SourceLoc{0}, "the expected output is not one of the listed outcomes");
        return {};
    }

    SourceFile m_file;
    Scenario m_scenario;
    std::set<std::string> m_seen;
    Continues m_continues = Continues::Nothing;
    Block m_block;
};

}  // namespace

LangResult<Scenario> parse_metadata(std::string path, std::string_view text)
{
    return Parser(std::move(path), text).parse();
}

std::optional<lang::SchedOptions> parse_sched(std::string_view text, std::string* why)
{
    auto const colon = text.find(':');
    std::string_view const name = text.substr(0, colon);
    std::string_view const arg = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
    auto say = [&](std::string message) -> std::optional<lang::SchedOptions> {
        if (why)
            *why = std::move(message);
        return std::nullopt;
    };
    lang::SchedOptions s;
    if (name == "parent-first" || name == "child-first") {
        if (colon != std::string_view::npos)
            return say(format("'{}' takes no ':' argument", name));
        s.policy = name == "parent-first" ? lang::SchedPolicy::ParentFirst : lang::SchedPolicy::ChildFirst;
        return s;
    }
    if (name == "round-robin") {
        s.policy = lang::SchedPolicy::RoundRobin;
        auto n = number<std::uint32_t>(arg);
        if (colon != std::string_view::npos && (!n || *n == 0))
            return say(format("'{}' is not a quantum: round-robin:N takes N >= 1 steps", arg));
        s.quantum = n.value_or(1);
        return s;
    }
    if (name == "random") {
        s.policy = lang::SchedPolicy::Random;
        auto n = number<std::uint64_t>(arg);
        if (colon != std::string_view::npos && !n)
            return say(format("'{}' is not a seed: random:SEED takes a number", arg));
        s.seed = n.value_or(1);
        return s;
    }
    if (name == "manual")
        return say("'manual' needs a client choosing every step: a scenario cannot declare it");
    return say(format("unknown scheduler '{}' (parent-first, child-first, round-robin[:N] or random[:SEED])", text));
}

lang::RunOptions apply(Scenario const& s, lang::RunOptions o)
{
    if (s.sched)
        o.sched = *s.sched;
    if (s.uid)
        o.uid = *s.uid;
    for (auto const& [resource, limit] : s.rlimits)
        o.rlimits[resource] = limit;
    if (s.physical_frames)
        o.kernel.physical_frames = *s.physical_frames;
    if (s.strategy)
        o.kernel.fork_strategy = *s.strategy;
    if (!s.argv.empty())
        o.argv = s.argv;
    if (s.stdin_text)
        o.stdin_text = s.stdin_text;
    for (lang::FileSpec f : s.files) {
        f.owner = o.uid;  // The files are the user's own, as if they had made them.
        o.files.push_back(std::move(f));
    }
    return o;
}

}  // namespace forklab::scenario
