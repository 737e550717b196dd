#include "lang/preprocessor.h"

#include "lang/lexer.h"

#include "base/format.h"

#include <algorithm>

namespace forklab::lang {

namespace {

constexpr int kMaxExpansionDepth = 128;
constexpr std::size_t kMaxTokens = 1 << 20;

bool is_name(Token const* t) { return t->kind == TokenKind::Identifier; }

}  // namespace

LangResult<std::vector<Token>> Preprocessor::run(SourceFile const& file, std::vector<Token> const& tokens)
{
    m_file = &file;
    m_out.clear();
    m_conditions.clear();
    std::size_t i = 0;
    while (tokens[i].kind != TokenKind::End) {
        Token const& t = tokens[i];
        if (t.is_punct("#") && t.line_start == LineStart::Yes) {
            // A directive is the rest of its line (C11 6.10p2).
            Line line;
            for (++i; tokens[i].kind != TokenKind::End && tokens[i].line_start == LineStart::No; ++i)
                line.push_back(&tokens[i]);
            LANG_TRY(directive(line.empty() ? Line{&t} : line));
            continue;
        }
        if (active()) {
            std::vector<std::string> disabled;
            LANG_TRY(expand(t, t.loc, 0, disabled));
        }
        ++i;
    }
    if (!m_conditions.empty())
        return fail(file, m_conditions.back().loc, "unterminated conditional directive");
    auto out = LANG_TRY(finish());
    Token end = tokens[i];
    out.push_back(end);
    return out;
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
    if (name == "include") {
        if (line.size() < 2 || (line[1]->kind != TokenKind::HeaderName && line[1]->kind != TokenKind::String))
            return fail(*m_file, head.loc, "#include expects \"FILENAME\" or <FILENAME>");
        return {};
    }
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

// #define NAME tokens... ; a '(' right after the name (no space) makes it function-like.
LangResult<void> Preprocessor::define(Line const& line)
{
    if (line.size() < 2 || !is_name(line[1]))
        return fail(*m_file, line[0]->loc, "macro names must be identifiers");
    Token const& name = *line[1];
    if (name.text == "defined")
        return fail(*m_file, name.loc, "\"defined\" cannot be used as a macro name");
    if (line.size() > 2 && line[2]->is_punct("(") && line[2]->loc.offset == name.loc.offset + name.text.size())
        return fail(*m_file, name.loc, "function-like macros are not supported");
    Macro macro;
    for (std::size_t i = 2; i < line.size(); ++i)
        macro.body.push_back(*line[i]);
    m_macros[name.text] = std::move(macro);
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
            if (it == m_macros.end() || it->second.body.size() != 1) {
                if (it != m_macros.end())
                    return too_complex();
                number.kind = TokenKind::Number;
                number.text = "0";
                break;
            }
            number = it->second.body[0];
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

// Object-like macro replacement, rescanned, never re-expanding a macro inside its own
// expansion (C11 6.10.3.4p2). Every replacement token takes the location of the use.
LangResult<void> Preprocessor::expand(Token const& token, SourceLoc at, int depth, std::vector<std::string>& disabled)
{
    if (m_out.size() >= kMaxTokens)
        return fail(*m_file, at, "program is too large after macro expansion");
    auto const it = token.kind == TokenKind::Identifier ? m_macros.find(token.text) : m_macros.end();
    if (it == m_macros.end() || std::find(disabled.begin(), disabled.end(), token.text) != disabled.end()) {
        m_out.push_back(token);
        m_out.back().loc = at;
        return {};
    }
    if (depth >= kMaxExpansionDepth)
        return fail(*m_file, at, "macro expansion nested too deeply");
    disabled.push_back(token.text);
    // The body is copied: a macro cannot be redefined while it expands, but the map may grow.
    auto const body = it->second.body;
    for (Token const& t : body)
        LANG_TRY(expand(t, at, depth + 1, disabled));
    disabled.pop_back();
    return {};
}

LangResult<std::vector<Token>> Preprocessor::finish()
{
    std::vector<Token> out;
    out.reserve(m_out.size());
    for (Token& t : m_out) {
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

}  // namespace forklab::lang
