#include "model/scenario_list.h"

#include "scenario/library.h"

namespace forklab::gui {

namespace fs = std::filesystem;

namespace {

std::string folder_of(fs::path const& path, fs::path const& root)
{
    std::string f = path.parent_path().lexically_relative(root).generic_string();
    return f.empty() ? "." : f;
}

ScenarioEntry entry_for(fs::path const& path)
{
    ScenarioEntry e;
    e.path = path;
    e.file = path.filename().string();
    auto loaded = scenario::load(path);
    if (!loaded) {
        e.title = e.file;
        e.error = loaded.error();
        return e;
    }
    scenario::Scenario const& s = loaded->scenario;
    e.title = s.title.empty() ? e.file : s.title;
    e.summary = s.summary;
    e.tags = s.tags;
    return e;
}

}  // namespace

std::vector<ScenarioGroup> list_scenarios(fs::path const& root)
{
    std::vector<ScenarioGroup> groups;
    for (fs::path const& path : scenario::find_scenarios(root)) {
        std::string const folder = folder_of(path, root);
        if (groups.empty() || groups.back().name != folder)
            groups.push_back({folder, {}});
        groups.back().scenarios.push_back(entry_for(path));
    }
    return groups;
}

std::optional<fs::path> default_scenarios_dir()
{
    std::error_code ec;
    if (fs::is_directory("scenarios", ec))
        return fs::path("scenarios");
    fs::path const dir = scenario::default_bin_dir().parent_path();
    if (fs::is_directory(dir, ec))
        return dir;
    return std::nullopt;
}

std::optional<fs::path> first_scenario(std::vector<ScenarioGroup> const& groups)
{
    for (ScenarioGroup const& g : groups)
        if (!g.scenarios.empty())
            return g.scenarios.front().path;
    return std::nullopt;
}

}  // namespace forklab::gui
