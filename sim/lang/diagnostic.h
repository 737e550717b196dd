// Diagnostic: the one error that stops a compilation, placed and rendered as GCC renders it.
//
//     t.c:4:5: error: 'x' undeclared
//         4 |     x = y;
//           |     ^
//
// The front end reports the first error only: it is the one a student should fix first, and
// every later message could be a consequence of it.
#pragma once

#include "lang/source.h"

#include <expected>
#include <string>
#include <utility>

namespace forklab::lang {

struct Diagnostic {
    std::string path;
    int line = 1;
    int column = 1;
    std::string message;
    std::string source_line;  // The text of the line, for the caret display.

    // "path:line:col: error: message", the source line and a caret under the column.
    std::string render() const;
    // "path:line:col: error: message" alone.
    std::string headline() const;
};

template<class T>
using LangResult = std::expected<T, Diagnostic>;

// `return fail(file, loc, "...")` from any function returning a LangResult.
std::unexpected<Diagnostic> fail(SourceFile const& file, SourceLoc loc, std::string message);

namespace detail {
template<typename T>
T take_value(std::expected<T, Diagnostic>& result) { return std::move(*result); }
inline void take_value(std::expected<void, Diagnostic>&) {}
}

}  // namespace forklab::lang

// LANG_TRY(expr): TRY() for LangResult: pass the diagnostic up, or yield the value.
#define LANG_TRY(expression)                                               \
    ({                                                                     \
        auto _lang_result = (expression);                                  \
        if (!_lang_result) [[unlikely]]                                    \
            return std::unexpected(std::move(_lang_result.error()));       \
        ::forklab::lang::detail::take_value(_lang_result);                 \
    })
