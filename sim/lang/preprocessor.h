// The preprocessor (C11 6.10): #include lines accepted (the standard headers are built in, and
// <assert.h> is read again at each inclusion, as C11 7.2p1 wants), object-like and function-like
// #define with #, ## and __VA_ARGS__, #undef, #ifdef, #ifndef, #if/#elif with a constant, a macro
// or defined(NAME), #else, #endif, #pragma and #warning ignored, #error reported. __FILE__ and
// __LINE__ are built in. Any other directive is an error.
//
// Macro replacement follows C11 6.10.3 with Prosser's algorithm, the one GCC's documentation
// describes: every token carries a hide set, the macros whose replacement produced it, and a
// name in its own hide set is never replaced again (C11 6.10.3.4p2, "painted blue").
#pragma once

#include "lang/diagnostic.h"
#include "lang/token.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace forklab::lang {

class Preprocessor {
public:
    // Runs the directives of a file; returns the tokens left after expansion, with numbers
    // converted to integer constants and adjacent string literals joined (C11 5.1.1.2 phase 6).
    LangResult<std::vector<Token>> run(SourceFile const& file, std::vector<Token> const& tokens);

    bool is_defined(std::string const& name) const;

private:
    // The longest chain of replacements inside replacements, and of arguments inside arguments.
    static constexpr int kMaxExpansionDepth = 128;

    // A token as macro replacement sees it: whether white space came before it (# keeps one
    // space there), its spelling when its text is not that (a string literal's text is decoded),
    // and its hide set.
    struct PPToken {
        Token token;
        std::string spelling;
        bool space_before = false;
        bool placemarker = false;  // The empty argument of a ## (C11 6.10.3.3p2).
        std::uint32_t hideset = 0;

        PPToken() = default;
        explicit PPToken(Token t) : token(std::move(t)) {}
    };
    static PPToken make_placemarker()
    {
        PPToken t;
        t.placemarker = true;
        return t;
    }
    struct Macro {
        bool function_like = false;
        bool variadic = false;            // The last parameter takes the rest of the arguments.
        std::vector<std::string> params;  // "..." is named __VA_ARGS__.
        std::vector<PPToken> body;
    };
    // A macro call's arguments as written, and the ')' that closes them.
    struct Call {
        std::vector<std::vector<PPToken>> args;
        bool rest_absent = false;  // A variadic macro was given nothing for its "...".
        PPToken close;
    };
    // Where replacement reads from: the pending tokens first (the last one is next), then the
    // file, if this input is the file and not one macro argument.
    struct Input {
        std::vector<PPToken> pending;
        bool from_file = false;
    };
    // The hide sets, interned: a token holds the index of its set, 0 being the empty set. The
    // operations are remembered, since every token of every replacement goes through one.
    class HideSets {
    public:
        bool contains(std::uint32_t set, std::string const& name) const;
        std::size_t size(std::uint32_t set) const { return m_sets[set].size(); }
        std::uint32_t with(std::uint32_t set, std::string const& name);
        std::uint32_t unite(std::uint32_t a, std::uint32_t b);
        std::uint32_t intersect(std::uint32_t a, std::uint32_t b);

    private:
        enum class Op : std::uint8_t { With, Unite, Intersect };
        std::uint32_t intern(std::vector<std::uint32_t> names);
        std::map<std::string, std::uint32_t> m_names;  // A macro name's number.
        std::vector<std::vector<std::uint32_t>> m_sets{{}};
        std::map<std::vector<std::uint32_t>, std::uint32_t> m_ids;
        std::map<std::tuple<Op, std::uint32_t, std::uint32_t>, std::uint32_t> m_done;
    };
    struct Conditional {
        SourceLoc loc;
        bool parent_active = true;  // Whether the enclosing region is being kept.
        bool taken = false;         // Whether some branch of this #if has been kept.
        bool active = false;        // Whether the current branch is being kept.
        bool seen_else = false;
    };
    using Line = std::vector<Token const*>;

    // Directives (preprocessor.cpp).
    LangResult<PPToken> next_from_file();
    LangResult<void> directive(Line const& line);
    LangResult<void> include(Line const& line);
    LangResult<void> read_header(std::string const& name, std::string_view text);
    LangResult<void> define(Line const& line);
    LangResult<std::size_t> parameters(Line const& line, std::size_t at, Macro& macro);
    LangResult<void> check_body(Macro const& macro);
    LangResult<void> conditional(Line const& line, std::string const& name);
    LangResult<bool> condition_value(Line const& line);
    LangResult<std::vector<Token>> finish();
    bool active() const { return m_conditions.empty() || m_conditions.back().active; }
    PPToken ingest(Token const& token, std::uint32_t& previous_end) const;
    std::string source_spelling(Token const& token) const;
    SourceLoc end_of(Token const& token) const;
    SourceLoc end_of_text() const;

    // Macro replacement (preprocessor_expand.cpp).
    LangResult<PPToken> next(Input& in);
    LangResult<void> expand_into(Input& in, std::vector<PPToken>& out, int depth);
    LangResult<bool> replace(Input& in, PPToken const& name, int depth);
    bool replace_builtin(Input& in, PPToken const& name);
    bool next_is_open_paren(Input const& in) const;
    LangResult<Call> collect_arguments(Input& in, PPToken const& name, Macro const& macro);
    LangResult<void> check_argument_count(PPToken const& name, Macro const& macro, Call& call) const;
    LangResult<std::vector<PPToken>> substitute(Macro const& macro, Call const& call, PPToken const& name, int depth);
    LangResult<std::size_t> paste_right(Macro const& macro, Call const& call, std::size_t at, PPToken const& name,
        std::vector<PPToken>& out);
    LangResult<std::vector<PPToken>> expand_argument(std::vector<PPToken> const& arg, PPToken const& name, int depth);
    LangResult<PPToken> stringize(std::vector<PPToken> const& arg, PPToken const& name);
    LangResult<PPToken> paste(PPToken const& lhs, PPToken const& rhs, PPToken const& name);
    LangResult<void> charge(std::vector<PPToken> const& out, std::size_t first, PPToken const& name);

    SourceFile const* m_file = nullptr;
    std::vector<Token> const* m_tokens = nullptr;
    std::size_t m_pos = 0;             // The next token of *m_tokens.
    std::uint32_t m_previous_end = 0;  // Where the last token read from the file ends.
    // A macro's definition is shared and never changed: a directive met while a call's
    // arguments are collected may #undef the macro being called.
    std::map<std::string, std::shared_ptr<Macro const>> m_macros;
    HideSets m_hidesets;
    std::size_t m_replaced = 0;        // Tokens made by replacement in this file, for the size limit,
    std::size_t m_replaced_bytes = 0;  // and their spellings' bytes.
    std::vector<Conditional> m_conditions;
    std::vector<PPToken> m_out;
};

}  // namespace forklab::lang
