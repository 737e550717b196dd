// The preprocessor's directives: reading the file line by line, #define and its parameter
// list, the conditionals, and the built-in <assert.h>. Macro replacement itself is in
// preprocessor_expand.cpp.
#include "lang/preprocessor.h"

#include "lang/builtins.h"
#include "lang/lexer.h"

#include "base/format.h"

#include <algorithm>
#include <tuple>

namespace forklab::lang {

namespace {

bool is_name(Token const* t) { return t->kind == TokenKind::Identifier; }

// Whether anything but line splices lies between two tokens: a space, a newline or a comment
// (C11 5.1.1.2 phase 3 makes a comment one space).
bool spaced(std::string_view text, std::uint32_t from, std::uint32_t to)
{
    for (std::uint32_t i = from; i < to && i < text.size();) {
        if (text.substr(i, 2) == "\\\n")
            i += 2;
        else if (text.substr(i, 3) == "\\\r\n")
            i += 3;
        else
            return true;
    }
    return false;
}

}  // namespace

bool Preprocessor::is_defined(std::string const& name) const
{
    return m_macros.count(name) != 0 || name == "__FILE__" || name == "__LINE__";
}

LangResult<std::vector<Token>> Preprocessor::run(SourceFile const& file, std::vector<Token> const& tokens)
{
    m_file = &file;
    m_tokens = &tokens;
    m_pos = 0;
    m_previous_end = 0;
    m_replaced = 0;
    m_replaced_bytes = 0;
    m_out.clear();
    m_conditions.clear();
    Input in{.pending = {}, .from_file = true};
    LANG_TRY(expand_into(in, m_out, 0));
    if (!m_conditions.empty())
        return fail(file, m_conditions.back().loc, "unterminated conditional directive");
    auto out = LANG_TRY(finish());
    out.push_back(tokens[m_pos]);
    return out;
}

// The next token of the file to expand, after the directives before it and the lines a
// conditional skips. At the end, the End token (which is not consumed).
LangResult<Preprocessor::PPToken> Preprocessor::next_from_file()
{
    while (true) {
        Token const& t = (*m_tokens)[m_pos];
        if (t.kind == TokenKind::End)
            return PPToken{t};
        if (t.is_punct("#") && t.line_start == LineStart::Yes) {
            // A directive is the rest of its line (C11 6.10p2).
            Line line;
            for (++m_pos; (*m_tokens)[m_pos].kind != TokenKind::End && (*m_tokens)[m_pos].line_start == LineStart::No; ++m_pos)
                line.push_back(&(*m_tokens)[m_pos]);
            LANG_TRY(directive(line.empty() ? Line{&t} : line));
            continue;
        }
        ++m_pos;
        if (active())
            return ingest(t, m_previous_end);
    }
}

LangResult<void> Preprocessor::directive(Line const& line)
{
    Token const& head = *line[0];
    if (head.is_punct("#"))
        return {};  // The null directive: a '#' alone on its line.
    if (!is_name(&head))
        return fail(*m_file, head.loc, format("invalid preprocessing directive #{}", head.text));
    std::string const& name = head.text;
    if (name == "if" || name == "ifdef" || name == "ifndef" || name == "elif" || name == "else" || name == "endif")
        return conditional(line, name);
    if (!active())
        return {};  // Outside the kept branch only the conditionals are looked at (C11 6.10.1p6).
    if (name == "include")
        return include(line);
    if (name == "define")
        return define(line);
    if (name == "undef") {
        if (line.size() < 2 || !is_name(line[1]))
            return fail(*m_file, head.loc, "no macro name given in #undef directive");
        m_macros.erase(line[1]->text);
        return {};
    }
    if (name == "pragma" || name == "warning" || name == "ident")
        return {};
    if (name == "error") {
        std::string message = "#error";
        for (std::size_t i = 1; i < line.size(); ++i)
            message += " " + (line[i]->kind == TokenKind::String ? "\"" + line[i]->text + "\"" : line[i]->text);
        return fail(*m_file, head.loc, message);
    }
    if (name == "line" || name == "include_next" || name == "import" || name == "assert" || name == "unassert")
        return fail(*m_file, head.loc, format("#{} is not supported", name));
    return fail(*m_file, head.loc, format("invalid preprocessing directive #{}", name));
}

// The standard headers are built in, so an #include reads nothing, except the one header C
// wants read at each inclusion: <assert.h> defines assert by whether NDEBUG is defined there.
LangResult<void> Preprocessor::include(Line const& line)
{
    Token const& head = *line[0];
    if (line.size() < 2 || (line[1]->kind != TokenKind::HeaderName && line[1]->kind != TokenKind::String))
        return fail(*m_file, head.loc, "#include expects \"FILENAME\" or <FILENAME>");
    std::string name = line[1]->text;
    if (line[1]->kind == TokenKind::HeaderName)
        name = name.substr(1, name.size() - 2);
    std::string_view const text = builtin_header(name);
    return text.empty() ? LangResult<void>{} : read_header(name, text);
}

// A built-in header's directives, run as if its lines stood in place of the #include.
LangResult<void> Preprocessor::read_header(std::string const& name, std::string_view text)
{
    SourceFile const header("<" + name + ">", std::string(text));
    auto const tokens = LANG_TRY(lex(header));
    auto const saved = std::tuple(m_file, m_tokens, m_pos, m_previous_end);
    std::size_t const depth = m_conditions.size();
    m_file = &header, m_tokens = &tokens, m_pos = 0, m_previous_end = 0;
    auto const rest = next_from_file();
    std::tie(m_file, m_tokens, m_pos, m_previous_end) = saved;
    if (!rest)
        return std::unexpected(rest.error());
    if (rest->token.kind != TokenKind::End || m_conditions.size() != depth)
        return fail(header, rest->token.loc, "a built-in header must hold whole directives only");
    return {};
}

// #define NAME tokens... ; a '(' right after the name (no space) makes it function-like.
LangResult<void> Preprocessor::define(Line const& line)
{
    if (line.size() < 2 || !is_name(line[1]))
        return fail(*m_file, line[0]->loc, "macro names must be identifiers");
    Token const& name = *line[1];
    if (name.text == "defined")
        return fail(*m_file, name.loc, "\"defined\" cannot be used as a macro name");
    if (name.text == "__VA_ARGS__")
        return fail(*m_file, name.loc, "__VA_ARGS__ can only appear in the expansion of a C99 variadic macro");
    auto macro = std::make_shared<Macro>();
    std::size_t i = 2;
    if (i < line.size() && line[i]->is_punct("(") && line[i]->loc.offset == end_of(name).offset) {
        macro->function_like = true;
        i = LANG_TRY(parameters(line, i + 1, *macro));
    }
    std::uint32_t previous_end = end_of(*line[i - 1]).offset;
    for (; i < line.size(); ++i)
        macro->body.push_back(ingest(*line[i], previous_end));
    LANG_TRY(check_body(*macro));
    m_macros[name.text] = std::move(macro);
    return {};
}

// The parameter list after the '(' (C11 6.10.3p10): names separated by commas, perhaps ending
// in "..." (the rest, called __VA_ARGS__), or in "name..." as GCC also allows. Returns the
// index after the ')'. The messages are GCC's.
LangResult<std::size_t> Preprocessor::parameters(Line const& line, std::size_t at, Macro& macro)
{
    auto const found = [&](Token const& t) { return source_spelling(t); };
    auto const close = [&](std::size_t i, std::string const& expected) -> LangResult<std::size_t> {
        if (i >= line.size())
            return fail(*m_file, end_of(*line.back()), format("expected ')' {}", expected.empty() ? "before end of line" : expected));
        if (!line[i]->is_punct(")"))
            return fail(*m_file, line[i]->loc, format("expected ')' {}", expected.empty() ? "before end of line" : expected));
        return i + 1;
    };
    if (at < line.size() && line[at]->is_punct(")"))
        return at + 1;
    for (std::size_t i = at;; ++i) {
        if (i >= line.size())
            return close(i, "");
        Token const& t = *line[i];
        if (t.is_punct("...")) {
            macro.variadic = true;
            macro.params.push_back("__VA_ARGS__");
            return close(i + 1, i + 1 < line.size() ? "after \"...\"" : "");
        }
        if (!is_name(&t))
            return fail(*m_file, t.loc, format("expected parameter name, found \"{}\"", found(t)));
        if (t.text == "__VA_ARGS__")
            return fail(*m_file, t.loc, "__VA_ARGS__ can only appear in the expansion of a C99 variadic macro");
        if (std::find(macro.params.begin(), macro.params.end(), t.text) != macro.params.end())
            return fail(*m_file, t.loc, format("duplicate macro parameter \"{}\"", t.text));
        macro.params.push_back(t.text);
        if (++i >= line.size())
            return close(i, "");
        if (line[i]->is_punct("...")) {
            macro.variadic = true;
            return close(i + 1, i + 1 < line.size() ? "after \"...\"" : "");
        }
        if (line[i]->is_punct(")"))
            return i + 1;
        if (!line[i]->is_punct(","))
            return fail(*m_file, line[i]->loc, format("expected ',' or ')', found \"{}\"", found(*line[i])));
    }
}

// The constraints of C11 6.10.3p5 and 6.10.3.2p1 and 6.10.3.3p1, in GCC's words.
LangResult<void> Preprocessor::check_body(Macro const& macro)
{
    auto const& body = macro.body;
    auto const is_param = [&](PPToken const& t) {
        return t.token.kind == TokenKind::Identifier
            && std::find(macro.params.begin(), macro.params.end(), t.token.text) != macro.params.end();
    };
    bool const has_va_args = macro.variadic && macro.params.back() == "__VA_ARGS__";
    for (std::size_t i = 0; i < body.size(); ++i) {
        Token const& t = body[i].token;
        if (t.is("__VA_ARGS__") && !has_va_args)
            return fail(*m_file, t.loc, "__VA_ARGS__ can only appear in the expansion of a C99 variadic macro");
        if (t.is_punct("##") && (i == 0 || i + 1 == body.size()))
            return fail(*m_file, t.loc, "'##' cannot appear at either end of a macro expansion");
        if (macro.function_like && t.is_punct("#") && (i + 1 == body.size() || !is_param(body[i + 1])))
            return fail(*m_file, t.loc, "'#' is not followed by a macro parameter");
    }
    return {};
}

LangResult<void> Preprocessor::conditional(Line const& line, std::string const& name)
{
    Token const& head = *line[0];
    if (name == "if" || name == "ifdef" || name == "ifndef") {
        Conditional c{.loc = head.loc, .parent_active = active()};
        if (c.parent_active) {
            if (name == "if") {
                c.active = LANG_TRY(condition_value(line));
            } else {
                if (line.size() < 2 || !is_name(line[1]))
                    return fail(*m_file, head.loc, format("no macro name given in #{} directive", name));
                c.active = is_defined(line[1]->text) == (name == "ifdef");
            }
        }
        c.taken = c.active;
        m_conditions.push_back(c);
        return {};
    }
    if (m_conditions.empty())
        return fail(*m_file, head.loc, format("#{} without #if", name));
    Conditional& c = m_conditions.back();
    if (name == "endif") {
        m_conditions.pop_back();
        return {};
    }
    if (c.seen_else)
        return fail(*m_file, head.loc, format("#{} after #else", name));
    if (name == "else") {
        c.seen_else = true;
        c.active = c.parent_active && !c.taken;
    } else {  // #elif
        c.active = c.parent_active && !c.taken && LANG_TRY(condition_value(line));
    }
    c.taken = c.taken || c.active;
    return {};
}

// The condition of #if or #elif, in the forms lecture code uses: an integer, a macro that
// expands to one, an undefined name (0, C11 6.10.1p4), defined NAME or defined(NAME), each
// optionally negated with '!'.
LangResult<bool> Preprocessor::condition_value(Line const& line)
{
    Token const& head = *line[0];
    std::size_t i = 1;
    bool negate = false;
    while (i < line.size() && line[i]->is_punct("!")) {
        negate = !negate;
        ++i;
    }
    auto const too_complex = [&] {
        return fail(*m_file, head.loc, format("#{} expression is not supported here: use a number, a macro, or defined(NAME)", head.text));
    };
    if (i >= line.size())
        return fail(*m_file, head.loc, format("#{} with no expression", head.text));
    bool value = false;
    Token const& t = *line[i];
    if (t.is("defined")) {
        bool const paren = i + 1 < line.size() && line[i + 1]->is_punct("(");
        std::size_t const at = i + (paren ? 2 : 1);
        if (at >= line.size() || !is_name(line[at]) || (paren && (at + 1 >= line.size() || !line[at + 1]->is_punct(")"))))
            return fail(*m_file, t.loc, "operator \"defined\" requires an identifier");
        value = is_defined(line[at]->text);
        i = at + (paren ? 2 : 1);
    } else if (t.kind == TokenKind::Number || is_name(&t)) {
        Token number = t;
        // A macro's value is its body, if that is a single number.
        for (int hops = 0; number.kind == TokenKind::Identifier && hops < kMaxExpansionDepth; ++hops) {
            auto const it = m_macros.find(number.text);
            if (it == m_macros.end() || it->second->function_like || it->second->body.size() != 1) {
                if (it != m_macros.end())
                    return too_complex();
                number.kind = TokenKind::Number;
                number.text = "0";
                break;
            }
            number = it->second->body[0].token;
        }
        if (number.kind != TokenKind::Number)
            return too_complex();
        number.loc = t.loc;
        auto const converted = LANG_TRY(convert_number(*m_file, number));
        value = converted.value != 0;
        ++i;
    } else {
        return too_complex();
    }
    if (i != line.size())
        return too_complex();
    return value != negate;
}

LangResult<std::vector<Token>> Preprocessor::finish()
{
    std::vector<Token> out;
    out.reserve(m_out.size());
    for (PPToken& each : m_out) {
        Token& t = each.token;
        if (t.kind == TokenKind::Number)
            t = LANG_TRY(convert_number(*m_file, t));
        if (t.kind == TokenKind::Stray)
            return fail(*m_file, t.loc, t.text);
        if (t.kind == TokenKind::String && !out.empty() && out.back().kind == TokenKind::String) {
            out.back().text += t.text;  // "a" "b" is "ab" (C11 6.4.5p5).
            continue;
        }
        t.line_start = LineStart::No;
        out.push_back(std::move(t));
    }
    m_out.clear();
    return out;
}

// A token of the current file as replacement sees it; previous_end is where the token before
// it ended, and becomes where this one ends.
Preprocessor::PPToken Preprocessor::ingest(Token const& token, std::uint32_t& previous_end) const
{
    PPToken t{token};
    if (token.kind == TokenKind::String || token.kind == TokenKind::Stray)
        t.spelling = source_spelling(token);
    t.space_before = token.line_start == LineStart::Yes || spaced(m_file->text(), previous_end, token.loc.offset);
    previous_end = token.loc.offset + std::uint32_t((t.spelling.empty() ? token.text : t.spelling).size());
    return t;
}

// How a token is written in the file. Only a string literal's text differs (its escapes are
// decoded), and a stray's (its text is the message): an unterminated literal runs to the end of
// its line, any other stray is one character.
std::string Preprocessor::source_spelling(Token const& token) const
{
    std::string_view const text = m_file->text();
    std::size_t const begin = token.loc.offset;
    if (token.kind == TokenKind::String) {
        std::size_t i = begin + 1;
        while (i < text.size() && text[i] != '"')
            i += text[i] == '\\' ? 2 : 1;
        return std::string(text.substr(begin, i + 1 - begin));
    }
    if (token.kind == TokenKind::Stray) {
        if (token.text.starts_with("missing terminating"))
            return std::string(text.substr(begin, text.find('\n', begin) - begin));
        return std::string(text.substr(begin, 1));
    }
    return token.text;
}

SourceLoc Preprocessor::end_of(Token const& token) const
{
    return SourceLoc{token.loc.offset + std::uint32_t(source_spelling(token).size())};
}

// The end of the file's last line, where GCC reports what the end of the file cut short.
SourceLoc Preprocessor::end_of_text() const
{
    std::string_view const text = m_file->text();
    return SourceLoc{std::uint32_t(text.ends_with('\n') ? text.size() - 1 : text.size())};
}

}  // namespace forklab::lang
