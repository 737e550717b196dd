// `forklab list [DIR] [--json]`: the scenarios under DIR (default: ./scenarios, else the source
// tree's), grouped by folder, each with its title, tags and summary -- the data the GUI's
// browser shows and docs/scenarios.md is generated from. A scenario whose metadata does not
// parse is reported on stderr and the exit status is 2; the others are still listed.
#include "list.h"

#include "scenario/library.h"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

namespace forklab::cli {

namespace {

namespace fs = std::filesystem;

struct ListArgs {
    std::string dir;
    bool json = false;
};

struct Folder {
    std::string name;  // Relative to the listed directory; "." for the directory itself.
    std::vector<scenario::Scenario> scenarios;
};

fs::path default_dir()
{
    std::error_code ec;
    if (fs::is_directory("scenarios", ec))
        return "scenarios";
    return scenario::default_bin_dir().parent_path();
}

std::string folder_of(fs::path const& path, fs::path const& root)
{
    std::string f = path.parent_path().lexically_relative(root).generic_string();
    return f.empty() ? "." : f;
}

// Every scenario, by folder in path order; false when one could not be read.
bool gather(fs::path const& root, std::vector<Folder>& folders)
{
    bool ok = true;
    for (auto const& path : scenario::find_scenarios(root)) {
        auto loaded = scenario::load(path);
        if (!loaded) {
            std::cerr << "forklab list: " << loaded.error() << (loaded.error().ends_with("\n") ? "" : "\n");
            ok = false;
            continue;
        }
        std::string const folder = folder_of(path, root);
        if (folders.empty() || folders.back().name != folder)
            folders.push_back({folder, {}});
        folders.back().scenarios.push_back(std::move(loaded->scenario));
    }
    return ok;
}

std::string joined(std::vector<std::string> const& tags)
{
    std::string all;
    for (auto const& t : tags)
        all += (all.empty() ? "" : ", ") + t;
    return all;
}

void print_text(std::vector<Folder> const& folders)
{
    for (std::size_t i = 0; i < folders.size(); ++i) {
        std::cout << (i ? "\n" : "") << folders[i].name << "/\n";
        for (auto const& s : folders[i].scenarios) {
            std::cout << "  " << fs::path(s.path).filename().string() << "  "
                      << (s.title.empty() ? "(no title)" : s.title);
            if (!s.tags.empty())
                std::cout << "  [" << joined(s.tags) << "]";
            std::cout << "\n";
            if (!s.summary.empty())
                std::cout << "      " << s.summary << "\n";
        }
    }
}

nlohmann::json scenario_json(scenario::Scenario const& s)
{
    return {
        {"path", s.path},
        {"file", fs::path(s.path).filename().string()},
        {"title", s.title},
        {"tags", s.tags},
        {"summary", s.summary},
        {"sched", s.sched ? lang::sched_name(*s.sched) : "parent-first"},
        {"has_expected_output", s.output.has_value()},
        {"outcomes", s.outcomes.size()},
    };
}

void print_json(fs::path const& root, std::vector<Folder> const& folders)
{
    nlohmann::json groups = nlohmann::json::array();
    for (auto const& f : folders) {
        nlohmann::json list = nlohmann::json::array();
        for (auto const& s : f.scenarios)
            list.push_back(scenario_json(s));
        groups.push_back({{"folder", f.name}, {"scenarios", list}});
    }
    std::cout << nlohmann::json{{"root", root.string()}, {"folders", groups}}.dump(2) << "\n";
}

[[noreturn]] void list(ListArgs const& a)
{
    fs::path const root = a.dir.empty() ? default_dir() : fs::path(a.dir);
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        std::cerr << "forklab list: " << root.string() << " is not a directory\n";
        std::exit(2);
    }
    std::vector<Folder> folders;
    bool const ok = gather(root, folders);
    if (a.json)
        print_json(root, folders);
    else
        print_text(folders);
    std::cout << std::flush;
    std::exit(ok ? 0 : 2);
}

}  // namespace

void add_list_command(CLI::App& app)
{
    auto a = std::make_shared<ListArgs>();
    auto* cmd = app.add_subcommand("list", "List the scenarios in a folder with their titles, tags and summaries");
    cmd->add_option("dir", a->dir, "The folder to search (default: ./scenarios, else the source tree's)");
    cmd->add_flag("--json", a->json, "Print the list as JSON, grouped by folder");
    cmd->callback([a] { list(*a); });
}

}  // namespace forklab::cli
