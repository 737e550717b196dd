// The scenario browser's data: the scenarios under a folder, grouped by the folder each is in,
// with the title and summary of its metadata -- the same list `forklab list` prints, read
// through scenario/library.h so that the two never disagree. A scenario whose metadata does not
// parse stays in the list with its error, so that opening it shows the error instead of hiding
// the file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace forklab::gui {

struct ScenarioEntry {
    std::filesystem::path path;
    std::string file;      // "cow_split.c"
    std::string title;     // The metadata's title, else the file name.
    std::string summary;   // Empty: none given.
    std::vector<std::string> tags;
    std::string error;     // The rendered load error; empty when the metadata parsed.
};

struct ScenarioGroup {
    std::string name;      // The folder relative to the root: "memory", "files"; "." for the root.
    std::vector<ScenarioEntry> scenarios;
};

// Every scenario under `root`, by folder in path order (scenario::find_scenarios' order).
std::vector<ScenarioGroup> list_scenarios(std::filesystem::path const& root);

// The folder the browser lists: ./scenarios when the working directory has one (as
// `forklab list` does), else the source tree's scenarios/; std::nullopt when neither exists.
std::optional<std::filesystem::path> default_scenarios_dir();

// The first scenario of the list, for `forklab-gui` with no FILE.
std::optional<std::filesystem::path> first_scenario(std::vector<ScenarioGroup> const&);

}  // namespace forklab::gui
