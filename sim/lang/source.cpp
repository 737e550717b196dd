#include "lang/source.h"

#include <algorithm>

namespace forklab::lang {

SourceFile::SourceFile(std::string path, std::string text)
    : m_path(std::move(path))
    , m_text(std::move(text))
{
    m_line_starts.push_back(0);
    for (std::uint32_t i = 0; i < m_text.size(); ++i) {
        if (m_text[i] == '\n')
            m_line_starts.push_back(i + 1);
    }
}

LineCol SourceFile::line_col(SourceLoc loc) const
{
    auto const offset = std::min<std::uint32_t>(loc.offset, std::uint32_t(m_text.size()));
    // The line is the last one that starts at or before the offset.
    auto const next = std::upper_bound(m_line_starts.begin(), m_line_starts.end(), offset);
    auto const line = int(next - m_line_starts.begin());
    return LineCol{line, int(offset - m_line_starts[line - 1]) + 1};
}

std::string_view SourceFile::line_text(int line) const
{
    if (line < 1 || line > line_count())
        return {};
    auto const begin = m_line_starts[line - 1];
    auto end = line < line_count() ? m_line_starts[line] - 1 : std::uint32_t(m_text.size());
    // A CRLF file's carriage return is not part of the line a diagnostic shows.
    if (end > begin && m_text[end - 1] == '\r')
        --end;
    return std::string_view(m_text).substr(begin, end - begin);
}

}  // namespace forklab::lang
