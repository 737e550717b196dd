#include "scenario/verdict.h"

#include "base/format.h"

#include <algorithm>

namespace forklab::scenario {

namespace {

constexpr std::size_t kContext = 2;
constexpr std::size_t kMostLines = 1000;  // Beyond this the diff shows the first difference only.
constexpr std::size_t kMostFailures = 10; // EXPECT failures listed one by one.

std::vector<std::string> split(std::string_view text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) {
            lines.emplace_back(std::string(text.substr(start)) + "  (no newline at the end)");
            break;
        }
        lines.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

struct Edit {
    char op;  // ' ', '-', '+'
    std::string const* line;
};

// The shortest edit script by the longest common subsequence of lines.
std::vector<Edit> edit_script(std::vector<std::string> const& a, std::vector<std::string> const& b)
{
    std::size_t const n = a.size(), m = b.size();
    std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1));
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::vector<Edit> edits;
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            edits.push_back({' ', &a[i++]});
            ++j;
        } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]))
            edits.push_back({'-', &a[i++]});  // What was expected first, as diff prints it.
        else
            edits.push_back({'+', &b[j++]});
    }
    return edits;
}

std::string render(std::vector<Edit> const& edits)
{
    if (std::all_of(edits.begin(), edits.end(), [](Edit const& e) { return e.op == ' '; }))
        return {};
    std::vector<bool> keep(edits.size());
    for (std::size_t k = 0; k < edits.size(); ++k)
        if (edits[k].op != ' ')
            for (std::size_t c = k > kContext ? k - kContext : 0; c < std::min(edits.size(), k + kContext + 1); ++c)
                keep[c] = true;
    std::string out;
    bool skipped = false;
    for (std::size_t k = 0; k < edits.size(); ++k) {
        if (!keep[k]) {
            skipped = true;
            continue;
        }
        if (skipped)
            out += "  ...\n";
        skipped = false;
        out += format("  {}{}\n", edits[k].op, *edits[k].line);
    }
    if (skipped)
        out += "  ...\n";
    return out;
}

void check_end(lang::Run const& run, Verdict& v)
{
    if (run.end == lang::RunEnd::CompileError || run.end == lang::RunEnd::SetupFailed) {
        v.kind = Verdict::Kind::BadInput;
        v.reasons.push_back(run.error);
    } else if (!run.ok) {
        v.kind = Verdict::Kind::Fail;
        v.reasons.push_back("did not run to the end: " + run.error);
    }
}

void check_expects(lang::Run const& run, Verdict& v)
{
    auto const& failures = run.expect_failures;
    for (std::size_t i = 0; i < std::min(failures.size(), kMostFailures); ++i)
        v.reasons.push_back(format("EXPECT failed at line {} in pid {}", failures[i].line, failures[i].pid));
    if (failures.size() > kMostFailures)
        v.reasons.push_back(format("... and {} more failed EXPECTs", failures.size() - kMostFailures));
    if (!failures.empty())
        v.kind = Verdict::Kind::Fail;
}

void check_output(Scenario const& s, lang::Run const& run, Verdict& v)
{
    if (!s.output || *s.output == run.output)
        return;
    v.kind = Verdict::Kind::Fail;
    v.reasons.push_back("the output differs from the expected output (-expected +actual)");
    v.diff = line_diff(*s.output, run.output);
}

}  // namespace

std::string line_diff(std::string_view expected, std::string_view actual)
{
    auto const a = split(expected), b = split(actual);
    if (a.size() > kMostLines || b.size() > kMostLines) {
        std::size_t i = 0;
        while (i < a.size() && i < b.size() && a[i] == b[i])
            ++i;
        return format("  first difference at line {}:\n  -{}\n  +{}\n", i + 1, i < a.size() ? a[i] : "(end of output)",
            i < b.size() ? b[i] : "(end of output)");
    }
    return render(edit_script(a, b));
}

Verdict check(Loaded const& loaded, lang::RunOptions base)
{
    Verdict v;
    v.run = lang::run_program(loaded.scenario.path, loaded.source, run_options(loaded, std::move(base)));
    check_end(v.run, v);
    if (v.kind == Verdict::Kind::BadInput)
        return v;
    check_expects(v.run, v);
    check_output(loaded.scenario, v.run, v);
    return v;
}

}  // namespace forklab::scenario
