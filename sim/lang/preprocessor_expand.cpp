// Macro replacement (C11 6.10.3): a macro's name becomes its replacement list, a function-like
// macro's arguments are collected across lines and balanced parentheses, each argument is
// fully replaced before it is substituted (except next to # and ##), # makes a string literal
// and ## joins two tokens, and the result is read again with what follows it.
//
// Each token carries a hide set (Prosser's algorithm, as in GCC's cpp documentation): the
// replacement of macro M gets M added to the hide set of each of its tokens, and a name in its
// own token's hide set is never replaced again. For a function-like macro the set is the one of
// the name intersected with the one of the closing ')', so that a call which the ')' of a later
// line completes is still replaced.
#include "lang/preprocessor.h"

#include "lang/lexer.h"

#include "base/format.h"

#include <algorithm>
#include <iterator>
#include <optional>

namespace forklab::lang {

namespace {

constexpr std::size_t kMaxTokens = 1 << 20;  // In the program after preprocessing.
// Made by replacement in one file, counting each argument and each step of a rescan: far more
// than a textbook program's few thousand, and a bound of some tens of MiB on the host.
constexpr std::size_t kMaxReplacedTokens = 1 << 18;
// The same budget in bytes of spelling: a long string literal copied a few hundred times is few
// tokens but as many MiB, and the later phases copy it again. Eight times the largest source.
constexpr std::size_t kMaxReplacedBytes = 32 << 20;

std::string const& spelling_of(std::string const& spelling, Token const& t) { return spelling.empty() ? t.text : spelling; }

// A string literal for __FILE__: the bytes as they are, the spelling with \ and " escaped.
std::string quoted(std::string_view text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

// ---- Hide sets ------------------------------------------------------------------------------

bool Preprocessor::HideSets::contains(std::uint32_t set, std::string const& name) const
{
    if (set == 0)
        return false;
    auto const it = m_names.find(name);
    return it != m_names.end() && std::binary_search(m_sets[set].begin(), m_sets[set].end(), it->second);
}

std::uint32_t Preprocessor::HideSets::intern(std::vector<std::uint32_t> names)
{
    auto const [it, added] = m_ids.try_emplace(names, std::uint32_t(m_sets.size()));
    if (added)
        m_sets.push_back(std::move(names));
    return it->second;
}

std::uint32_t Preprocessor::HideSets::with(std::uint32_t set, std::string const& name)
{
    std::uint32_t const id = m_names.try_emplace(name, std::uint32_t(m_names.size())).first->second;
    auto const key = std::tuple(Op::With, set, id);
    if (auto const it = m_done.find(key); it != m_done.end())
        return it->second;
    std::vector<std::uint32_t> names = m_sets[set];
    auto const at = std::lower_bound(names.begin(), names.end(), id);
    if (at == names.end() || *at != id)
        names.insert(at, id);
    return m_done[key] = intern(std::move(names));
}

std::uint32_t Preprocessor::HideSets::unite(std::uint32_t a, std::uint32_t b)
{
    if (a == b || b == 0)
        return a;
    if (a == 0)
        return b;
    auto const key = std::tuple(Op::Unite, a, b);
    if (auto const it = m_done.find(key); it != m_done.end())
        return it->second;
    std::vector<std::uint32_t> names;
    std::set_union(m_sets[a].begin(), m_sets[a].end(), m_sets[b].begin(), m_sets[b].end(), std::back_inserter(names));
    return m_done[key] = intern(std::move(names));
}

std::uint32_t Preprocessor::HideSets::intersect(std::uint32_t a, std::uint32_t b)
{
    if (a == b || a == 0 || b == 0)
        return a == b ? a : 0;
    auto const key = std::tuple(Op::Intersect, a, b);
    if (auto const it = m_done.find(key); it != m_done.end())
        return it->second;
    std::vector<std::uint32_t> names;
    std::set_intersection(m_sets[a].begin(), m_sets[a].end(), m_sets[b].begin(), m_sets[b].end(), std::back_inserter(names));
    return m_done[key] = intern(std::move(names));
}

// ---- Reading and replacing ------------------------------------------------------------------

LangResult<Preprocessor::PPToken> Preprocessor::next(Input& in)
{
    if (!in.pending.empty()) {
        PPToken t = std::move(in.pending.back());
        in.pending.pop_back();
        return t;
    }
    if (!in.from_file)
        return PPToken{};  // An End token: the argument is used up.
    return next_from_file();
}

// Reads `in` to its end: a macro's name is replaced and its replacement read again; every
// other token goes to `out`.
LangResult<void> Preprocessor::expand_into(Input& in, std::vector<PPToken>& out, int depth)
{
    while (true) {
        PPToken t = LANG_TRY(next(in));
        if (t.token.kind == TokenKind::End)
            return {};
        if (LANG_TRY(replace(in, t, depth)))
            continue;
        if (out.size() >= kMaxTokens)
            return fail(*m_file, t.token.loc, "program is too large after macro expansion");
        out.push_back(std::move(t));
    }
}

// If `name` is a macro to replace here, puts its replacement in front of the rest of `in`.
LangResult<bool> Preprocessor::replace(Input& in, PPToken const& name, int depth)
{
    if (name.token.kind != TokenKind::Identifier || m_hidesets.contains(name.hideset, name.token.text))
        return false;
    auto const it = m_macros.find(name.token.text);
    if (it == m_macros.end())
        return replace_builtin(in, name);
    std::shared_ptr<Macro const> const macro = it->second;
    // A function-like macro's name without a '(' after it is an ordinary identifier (C11
    // 6.10.3p10): a pointer to a function of the same name, say.
    if (macro->function_like && !next_is_open_paren(in))
        return false;
    if (m_hidesets.size(name.hideset) >= std::size_t(kMaxExpansionDepth))
        return fail(*m_file, name.token.loc, "macro expansion nested too deeply");
    Call call;
    PPToken named = name;
    if (macro->function_like) {
        call = LANG_TRY(collect_arguments(in, name, *macro));
        named.hideset = m_hidesets.intersect(name.hideset, call.close.hideset);
    }
    named.hideset = m_hidesets.with(named.hideset, name.token.text);
    auto replacement = LANG_TRY(substitute(*macro, call, named, depth));
    in.pending.insert(in.pending.end(), std::make_move_iterator(replacement.rbegin()), std::make_move_iterator(replacement.rend()));
    return true;
}

// __LINE__ is the line of the use (for a call that spans lines, the line of the macro's name,
// as GCC does) and __FILE__ the file's name as it was given (C11 6.10.8.1).
bool Preprocessor::replace_builtin(Input& in, PPToken const& name)
{
    PPToken t = name;
    if (name.token.text == "__LINE__") {
        t.token.kind = TokenKind::Number;
        t.token.text = std::to_string(m_file->line_col(name.token.loc).line);
    } else if (name.token.text == "__FILE__") {
        t.token.kind = TokenKind::String;
        t.token.text = m_file->path();
        t.spelling = quoted(m_file->path());
    } else {
        return false;
    }
    in.pending.push_back(std::move(t));
    return true;
}

// Whether the next token is '('. In the file, a directive line ends the search, as in GCC.
bool Preprocessor::next_is_open_paren(Input const& in) const
{
    if (!in.pending.empty())
        return in.pending.back().token.is_punct("(");
    return in.from_file && (*m_tokens)[m_pos].is_punct("(");
}

// The arguments of a call, from the '(' to its matching ')' (C11 6.10.3p11): commas inside
// inner parentheses do not separate arguments, and a variadic macro's last argument takes the
// rest, commas and all.
LangResult<Preprocessor::Call> Preprocessor::collect_arguments(Input& in, PPToken const& name, Macro const& macro)
{
    (void)LANG_TRY(next(in));  // The '('.
    Call call;
    call.args.emplace_back();
    std::size_t total = 0;
    for (int depth = 0;;) {
        PPToken t = LANG_TRY(next(in));
        if (t.token.kind == TokenKind::End)
            return fail(*m_file, in.from_file ? end_of_text() : name.token.loc,
                format("unterminated argument list invoking macro \"{}\"", name.token.text));
        if (t.token.is_punct(")") && depth == 0) {
            call.close = std::move(t);
            break;
        }
        if (t.token.is_punct("("))
            ++depth;
        else if (t.token.is_punct(")"))
            --depth;
        if (t.token.is_punct(",") && depth == 0 && !(macro.variadic && call.args.size() == macro.params.size())) {
            call.args.emplace_back();
            continue;
        }
        if (++total > kMaxTokens)
            return fail(*m_file, name.token.loc, "macro arguments are too long");
        call.args.back().push_back(std::move(t));
    }
    LANG_TRY(check_argument_count(name, macro, call));
    return call;
}

// One argument for each parameter, an empty one being an argument (C11 6.10.3p4); F() is a
// call with no arguments if F has no named parameter. GCC's messages.
LangResult<void> Preprocessor::check_argument_count(PPToken const& name, Macro const& macro, Call& call) const
{
    std::size_t const wanted = macro.params.size();
    std::size_t const named = wanted - (macro.variadic ? 1 : 0);
    if (named == 0 && call.args.size() == 1 && call.args[0].empty())
        call.args.clear();
    std::size_t const given = call.args.size();
    if (macro.variadic && given == wanted - 1) {
        call.args.emplace_back();
        call.rest_absent = true;
        return {};
    }
    SourceLoc const at = call.close.token.loc;
    if (given < wanted)
        return fail(*m_file, at, format("macro \"{}\" requires {} arguments, but only {} given", name.token.text, wanted, given));
    if (given > wanted)
        return fail(*m_file, at, format("macro \"{}\" passed {} arguments, but takes just {}", name.token.text, given, wanted));
    return {};
}

// ---- Substitution ---------------------------------------------------------------------------

namespace {

int param_index(std::vector<std::string> const& params, Token const& t)
{
    if (t.kind != TokenKind::Identifier)
        return -1;
    auto const it = std::find(params.begin(), params.end(), t.text);
    return it == params.end() ? -1 : int(it - params.begin());
}

}  // namespace

// The replacement list with the arguments in it (C11 6.10.3.1-3). A body token takes the
// location of the use; an argument's tokens keep theirs, so an error in one points at it.
// `name` carries the hide set every token of the result gets.
LangResult<std::vector<Preprocessor::PPToken>> Preprocessor::substitute(Macro const& macro, Call const& call,
    PPToken const& name, int depth)
{
    auto const& body = macro.body;
    std::vector<PPToken> out;
    std::vector<std::optional<std::vector<PPToken>>> expanded(call.args.size());
    auto const param = [&](PPToken const& t) { return macro.function_like ? param_index(macro.params, t.token) : -1; };
    for (std::size_t i = 0; i < body.size(); ++i) {
        PPToken const& t = body[i];
        std::size_t const first = out.size();
        if (t.token.is_punct("##")) {
            i = LANG_TRY(paste_right(macro, call, i + 1, name, out));
        } else if (macro.function_like && t.token.is_punct("#")) {
            out.push_back(LANG_TRY(stringize(call.args[std::size_t(param(body[++i]))], name)));
        } else if (int const p = param(t); p < 0) {
            out.push_back(t);
            out.back().token.loc = name.token.loc;
        } else if (i + 1 < body.size() && body[i + 1].token.is_punct("##")) {
            // An operand of ## is the argument as written; an empty one is a placemarker.
            auto const& arg = call.args[std::size_t(p)];
            if (arg.empty())
                out.push_back(make_placemarker());
            out.insert(out.end(), arg.begin(), arg.end());
        } else {
            auto& full = expanded[std::size_t(p)];
            if (!full)
                full = LANG_TRY(expand_argument(call.args[std::size_t(p)], name, depth + 1));
            out.insert(out.end(), full->begin(), full->end());
        }
        if (out.size() > first && !t.token.is_punct("##"))
            out[first].space_before = t.space_before;
        LANG_TRY(charge(out, first, name));
    }
    std::erase_if(out, [](PPToken const& t) { return t.placemarker; });
    for (PPToken& t : out)
        t.hideset = m_hidesets.unite(t.hideset, name.hideset);
    if (!out.empty())
        out.front().space_before = name.space_before;
    return out;
}

// The right operand of the ## before body[at], pasted to the last token so far; returns the
// index of the operand's last body token.
LangResult<std::size_t> Preprocessor::paste_right(Macro const& macro, Call const& call, std::size_t at,
    PPToken const& name, std::vector<PPToken>& out)
{
    auto const& body = macro.body;
    PPToken const& t = body[at];
    int const p = macro.function_like ? param_index(macro.params, t.token) : -1;
    std::vector<PPToken> right;
    std::size_t last = at;
    if (macro.function_like && t.token.is_punct("#")) {
        last = at + 1;
        right.push_back(LANG_TRY(stringize(call.args[std::size_t(param_index(macro.params, body[last].token))], name)));
    } else if (p >= 0) {
        auto const& arg = call.args[std::size_t(p)];
        // GCC's extension: in ", ## __VA_ARGS__" the comma goes when the variable arguments
        // are absent, and is kept, with no pasting, when they are given.
        bool const gnu_comma = macro.variadic && std::size_t(p) + 1 == macro.params.size() && at >= 2
            && body[at - 2].token.is_punct(",") && !out.empty() && out.back().token.is_punct(",");
        if (gnu_comma) {
            if (call.rest_absent)
                out.pop_back();
            out.insert(out.end(), arg.begin(), arg.end());
            return at;
        }
        right = arg;
        if (right.empty())
            right.push_back(make_placemarker());
    } else {
        right.push_back(t);
        right.back().token.loc = name.token.loc;
    }
    if (out.empty())
        out.push_back(make_placemarker());
    PPToken const left = std::move(out.back());
    out.pop_back();
    out.push_back(LANG_TRY(paste(left, right.front(), name)));
    out.insert(out.end(), std::make_move_iterator(right.begin() + 1), std::make_move_iterator(right.end()));
    return last;
}

// An argument replaced completely, as if it were the rest of the file (C11 6.10.3.1p1).
LangResult<std::vector<Preprocessor::PPToken>> Preprocessor::expand_argument(std::vector<PPToken> const& arg,
    PPToken const& name, int depth)
{
    if (depth > kMaxExpansionDepth)
        return fail(*m_file, name.token.loc, "macro expansion nested too deeply");
    Input in{.pending = std::vector<PPToken>(arg.rbegin(), arg.rend()), .from_file = false};
    std::vector<PPToken> out;
    LANG_TRY(expand_into(in, out, depth));
    return out;
}

// # makes the argument's spelling a string literal (C11 6.10.3.2p2): white space between its
// tokens becomes one space, none at either end, and a \ or " inside a string literal or
// character constant gets a \ before it.
LangResult<Preprocessor::PPToken> Preprocessor::stringize(std::vector<PPToken> const& arg, PPToken const& name)
{
    std::string spelled = "\"";
    for (std::size_t i = 0; i < arg.size(); ++i) {
        if (i > 0 && arg[i].space_before)
            spelled += ' ';
        bool const literal = arg[i].token.kind == TokenKind::String || arg[i].token.kind == TokenKind::CharLiteral;
        for (char c : spelling_of(arg[i].spelling, arg[i].token)) {
            if (literal && (c == '"' || c == '\\'))
                spelled += '\\';
            spelled += c;
        }
    }
    spelled += '"';
    // The literal's bytes are what the lexer makes of the spelling.
    SourceFile const made(m_file->path(), spelled);
    auto const lexed = lex(made);
    if (!lexed || lexed->size() != 2 || (*lexed)[0].kind != TokenKind::String)
        return fail(*m_file, name.token.loc, format("'#' makes {}, which is not a valid string literal", spelled));
    PPToken t{(*lexed)[0]};
    t.spelling = spelled;
    t.token.loc = name.token.loc;
    t.token.line_start = LineStart::No;
    return t;
}

// ## joins two tokens' spellings into one token, which must be a single valid one (C11
// 6.10.3.3p3); a placemarker on either side leaves the other.
LangResult<Preprocessor::PPToken> Preprocessor::paste(PPToken const& lhs, PPToken const& rhs, PPToken const& name)
{
    if (lhs.placemarker)
        return rhs;
    if (rhs.placemarker)
        return lhs;
    std::string const& left = spelling_of(lhs.spelling, lhs.token);
    std::string const& right = spelling_of(rhs.spelling, rhs.token);
    SourceFile const made(m_file->path(), left + right);
    auto const lexed = lex(made);
    bool const one = lexed && lexed->size() == 2 && (*lexed)[0].kind != TokenKind::Stray
        && (*lexed)[0].kind != TokenKind::HeaderName;
    if (!one)
        return fail(*m_file, lhs.token.loc,
            format("pasting \"{}\" and \"{}\" does not give a valid preprocessing token", left, right));
    PPToken t{(*lexed)[0]};
    t.space_before = lhs.space_before;
    if (t.token.kind == TokenKind::String)
        t.spelling = left + right;
    t.token.loc = name.token.loc;
    t.token.line_start = LineStart::No;
    t.hideset = m_hidesets.intersect(lhs.hideset, rhs.hideset);
    return t;
}

// Every token replacement makes (out[first] on) counts against one budget per file, in tokens
// and in bytes, so that a macro that doubles its argument, nested forty deep, or one that copies
// a long string literal, stops with a message instead of filling memory.
LangResult<void> Preprocessor::charge(std::vector<PPToken> const& out, std::size_t first, PPToken const& name)
{
    for (std::size_t i = first; i < out.size(); ++i)
        m_replaced_bytes += spelling_of(out[i].spelling, out[i].token).size();
    m_replaced += out.size() > first ? out.size() - first : 0;
    if (m_replaced > kMaxReplacedTokens)
        return fail(*m_file, name.token.loc, format("macro expansion is too large: more than {} tokens", kMaxReplacedTokens));
    if (m_replaced_bytes > kMaxReplacedBytes)
        return fail(*m_file, name.token.loc, format("macro expansion is too large: more than {} MiB", kMaxReplacedBytes >> 20));
    return {};
}

}  // namespace forklab::lang
