// Token: one preprocessing token of C (C11 6.4), as the lexer makes it and the preprocessor and
// parser consume it.
#pragma once

#include "lang/source.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace forklab::lang {

enum class TokenKind : std::uint8_t {
    End,         // After the last token; its location is the end of the file.
    Identifier,  // Keywords too: the preprocessor treats them as identifiers (C11 6.4.2, 6.10).
    Number,      // A preprocessing number (C11 6.4.8); it becomes an IntLiteral after preprocessing.
    IntLiteral,  // An integer constant (C11 6.4.4.1), value and suffix decoded.
    CharLiteral, // A character constant: an int (C11 6.4.4.4).
    String,      // A string literal, escapes decoded; adjacent ones are joined after preprocessing.
    Punct,       // An operator or punctuator (C11 6.4.6).
    HeaderName,  // <stdio.h> in an #include line.
    Stray,       // A character C has no token for; an error only if it survives preprocessing
                 // (text holds the message), since skipped #if 0 text may hold anything.
};

// Whether a token is the first of its line: a '#' there starts a preprocessing directive.
enum class LineStart : std::uint8_t { No, Yes };

// The integer suffix letters of a constant (C11 6.4.4.1): u, l and ll in any case and order.
struct IntSuffix {
    bool is_unsigned = false;
    int longs = 0;  // 0, 1 (l) or 2 (ll).
};

enum class IntBase : std::uint8_t { Decimal, OctalOrHex };

struct Token {
    TokenKind kind = TokenKind::End;
    SourceLoc loc;
    LineStart line_start = LineStart::No;
    std::string text;           // The spelling; for a String, the decoded bytes without the NUL.
    std::uint64_t value = 0;    // IntLiteral and CharLiteral.
    IntSuffix suffix;           // IntLiteral.
    IntBase base = IntBase::Decimal;

    bool is(std::string_view spelling) const
    {
        return (kind == TokenKind::Punct || kind == TokenKind::Identifier) && text == spelling;
    }
    bool is_punct(std::string_view spelling) const { return kind == TokenKind::Punct && text == spelling; }
};

}  // namespace forklab::lang
