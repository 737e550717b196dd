// The preprocessor subset (C11 6.10): #include lines accepted and ignored (the standard headers
// are built in), object-like #define and #undef, #ifdef, #ifndef, #if/#elif with a constant, a
// macro or defined(NAME), #else, #endif, #pragma and #warning ignored, #error reported. A
// function-like macro, or any other directive, is an error.
#pragma once

#include "lang/diagnostic.h"
#include "lang/token.h"

#include <map>
#include <string>
#include <vector>

namespace forklab::lang {

class Preprocessor {
public:
    // Runs the directives of a file; returns the tokens left after expansion, with numbers
    // converted to integer constants and adjacent string literals joined (C11 5.1.1.2 phase 6).
    LangResult<std::vector<Token>> run(SourceFile const& file, std::vector<Token> const& tokens);

    bool is_defined(std::string const& name) const { return m_macros.count(name) != 0; }

private:
    struct Macro {
        std::vector<Token> body;
    };
    struct Conditional {
        SourceLoc loc;
        bool parent_active = true;  // Whether the enclosing region is being kept.
        bool taken = false;         // Whether some branch of this #if has been kept.
        bool active = false;        // Whether the current branch is being kept.
        bool seen_else = false;
    };

    using Line = std::vector<Token const*>;
    LangResult<void> directive(Line const& line);
    LangResult<void> define(Line const& line);
    LangResult<void> conditional(Line const& line, std::string const& name);
    LangResult<bool> condition_value(Line const& line);
    LangResult<void> expand(Token const& token, SourceLoc at, int depth, std::vector<std::string>& disabled);
    LangResult<std::vector<Token>> finish();
    bool active() const { return m_conditions.empty() || m_conditions.back().active; }

    SourceFile const* m_file = nullptr;
    std::map<std::string, Macro> m_macros;
    std::vector<Conditional> m_conditions;
    std::vector<Token> m_out;
};

}  // namespace forklab::lang
