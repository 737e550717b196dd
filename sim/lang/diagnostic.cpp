#include "lang/diagnostic.h"

#include "base/format.h"

#include <algorithm>

namespace forklab::lang {

std::string Diagnostic::headline() const
{
    return format("{}:{}:{}: error: {}", path, line, column, message);
}

// GCC's layout: the line number right-aligned in a gutter at least five wide, a bar, the line;
// then an empty gutter and the caret. Tabs before the column are kept in the caret line so that
// the caret lands under the same character on a terminal.
std::string Diagnostic::render() const
{
    auto const number = std::to_string(line);
    auto const width = std::max<std::size_t>(5, number.size());
    std::string out = headline() + "\n";
    out += std::string(width - number.size(), ' ') + number + " | " + source_line + "\n";
    std::string pad;
    for (std::size_t i = 0; i + 1 < std::size_t(column); ++i)
        pad += i < source_line.size() && source_line[i] == '\t' ? '\t' : ' ';
    out += std::string(width, ' ') + " | " + pad + "^\n";
    return out;
}

std::unexpected<Diagnostic> fail(SourceFile const& file, SourceLoc loc, std::string message)
{
    auto const where = file.line_col(loc);
    return std::unexpected(Diagnostic{
        .path = file.path(),
        .line = where.line,
        .column = where.column,
        .message = std::move(message),
        .source_line = std::string(file.line_text(where.line)),
    });
}

}  // namespace forklab::lang
