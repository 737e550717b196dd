// The lexer: source text to preprocessing tokens (C11 5.1.1.2 phases 1-3, and 6.4).
//
// Comments become whitespace; a backslash at the end of a line joins it to the next, as phase 2
// does between tokens. An integer constant stays a preprocessing number until after
// preprocessing, because a number in a skipped #if 0 block must not be an error.
#pragma once

#include "lang/diagnostic.h"
#include "lang/token.h"

#include <optional>
#include <vector>

namespace forklab::lang {

// The tokens of a file, ending with one End token.
LangResult<std::vector<Token>> lex(SourceFile const& file);

// A preprocessing number turned into an integer constant (C11 6.4.4.1), or the reason it is not
// one ("floating point is not supported", "invalid suffix", "too large").
LangResult<Token> convert_number(SourceFile const& file, Token const& number);

// The character a simple escape sequence stands for (C11 6.4.4.4: the letter after the
// backslash in \n, \t, \\, \" and the rest), or nothing for any other letter: hex, octal and
// unknown escapes are left to the caller.
std::optional<char> simple_escape(char letter);

}  // namespace forklab::lang
