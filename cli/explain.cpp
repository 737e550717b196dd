#include "explain.h"

#include "base/format.h"
#include "trace/attributes.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace forklab::cli {

namespace {

enum class Side : std::uint8_t { Both, Fork, Exec };

struct ExplainArgs {
    std::string call;  // "", "fork" or "exec".
    bool json = false;
};

constexpr int kNameWidth = 48;
constexpr int kVerdictWidth = 15;
constexpr std::size_t kLineWidth = 100;
constexpr std::size_t kIndent = 4;  // The rule, under its row.

std::string pad(std::string_view s, int width)
{
    std::string out(s);
    if (out.size() < std::size_t(width))
        out.resize(std::size_t(width), ' ');
    return out + " ";
}

// The rule, wrapped to the line width and indented under the verdict column.
void print_wrapped(std::ostream& out, std::string const& text, std::size_t indent)
{
    std::size_t column = indent;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos)
            end = text.size();
        std::size_t const word = end - start;
        if (column > indent && column + 1 + word > kLineWidth) {
            out << "\n" << std::string(indent, ' ');
            column = indent;
        } else if (column > indent) {
            out << ' ';
            ++column;
        }
        out << std::string_view(text).substr(start, word);
        column += word;
        start = end + 1;
    }
    out << "\n";
}

void print_both(std::ostream& out)
{
    out << pad("ATTRIBUTE", kNameWidth) << pad("FORK", kVerdictWidth) << "EXEC\n";
    for (TaskAttribute const& a : task_attributes())
        out << pad(a.name, kNameWidth) << pad(at_fork_name(a.fork), kVerdictWidth) << at_exec_name(a.exec) << "\n";
    out << "\nforklab explain fork, forklab explain exec: the rule behind each row.\n";
}

void print_side(std::ostream& out, Side side)
{
    bool const fork = side == Side::Fork;
    out << (fork ? "What fork() gives the child, attribute by attribute:\n\n"
                 : "What a successful execve() does to the process, attribute by attribute:\n\n");
    out << pad("ATTRIBUTE", kNameWidth) << (fork ? "FORK" : "EXEC") << "\n";
    for (TaskAttribute const& a : task_attributes()) {
        std::string_view const verdict = fork ? at_fork_name(a.fork) : at_exec_name(a.exec);
        std::string const why = format("{} [{}]", fork ? a.fork_rule : a.exec_rule, fork ? a.fork_source : a.exec_source);
        out << pad(a.name, kNameWidth) << verdict << "\n" << std::string(kIndent, ' ');
        print_wrapped(out, why, kIndent);
    }
}

nlohmann::ordered_json table_json(Side side)
{
    auto rows = nlohmann::ordered_json::array();
    for (TaskAttribute const& a : task_attributes()) {
        nlohmann::ordered_json row{{"attribute", a.name}, {"model", a.where}};
        if (side != Side::Exec)
            row["fork"] = {{"effect", at_fork_name(a.fork)}, {"rule", a.fork_rule}, {"source", a.fork_source}};
        if (side != Side::Fork)
            row["exec"] = {{"effect", at_exec_name(a.exec)}, {"rule", a.exec_rule}, {"source", a.exec_source}};
        rows.push_back(std::move(row));
    }
    return rows;
}

void run_explain(ExplainArgs const& a)
{
    Side const side = a.call == "fork" ? Side::Fork : a.call == "exec" ? Side::Exec : Side::Both;
    if (a.json)
        std::cout << table_json(side).dump(2) << "\n";
    else if (side == Side::Both)
        print_both(std::cout);
    else
        print_side(std::cout, side);
}

}  // namespace

void add_explain_command(CLI::App& app)
{
    auto a = std::make_shared<ExplainArgs>();
    auto* cmd = app.add_subcommand("explain", "What fork() and exec() do to each attribute of a process, and why");
    cmd->add_option("call", a->call, "fork or exec: only that call, with the rule behind each row")
        ->check(CLI::IsMember({"fork", "exec"}));
    cmd->add_flag("--json", a->json, "Print the table as JSON");
    cmd->callback([a] { run_explain(*a); });
}

}  // namespace forklab::cli
