// A scenario's source text and the positions inside it.
//
// Every token and syntax-tree node carries a SourceLoc, a byte offset into its file; the file's
// line index turns it into the line and column a diagnostic prints. Columns count bytes from 1,
// and a tab counts as one column, as GCC's -fdiagnostics-column-unit=byte does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace forklab::lang {

// A byte offset into a SourceFile's text.
struct SourceLoc {
    std::uint32_t offset = 0;
    bool operator==(SourceLoc const&) const = default;
};

struct LineCol {
    int line = 1;    // 1-based.
    int column = 1;  // 1-based, in bytes.
};

class SourceFile {
public:
    SourceFile(std::string path, std::string text);

    std::string const& path() const { return m_path; }
    std::string_view text() const { return m_text; }

    // The line and column of a location; an offset past the end maps to the end of the text.
    LineCol line_col(SourceLoc loc) const;
    // The text of a 1-based line, without its newline.
    std::string_view line_text(int line) const;
    int line_count() const { return int(m_line_starts.size()); }

private:
    std::string m_path;
    std::string m_text;
    std::vector<std::uint32_t> m_line_starts;  // The offset at which each line begins.
};

}  // namespace forklab::lang
