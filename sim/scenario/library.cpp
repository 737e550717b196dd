#include "scenario/library.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#ifndef FORKLAB_SOURCE_DIR
#define FORKLAB_SOURCE_DIR ""
#endif

namespace forklab::scenario {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_file(fs::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool is_dir(fs::path const& p)
{
    std::error_code ec;
    return fs::is_directory(p, ec);
}

}  // namespace

std::expected<Loaded, std::string> load(fs::path const& path)
{
    if (is_dir(path))
        return std::unexpected(path.string() + " is a directory, not a scenario file");
    auto source = read_file(path);
    if (!source)
        return std::unexpected("cannot open " + path.string() + ": " + std::strerror(errno));
    auto scenario = parse_metadata(path.string(), *source);
    if (!scenario)
        return std::unexpected(scenario.error().render());
    fs::path sidecar = path;
    sidecar.replace_extension(".out");  // hello.c -> hello.out
    if (auto out = read_file(sidecar)) {
        if (scenario->output)
            return std::unexpected(path.string() + ": the expected output is given twice, by 'output:' and by " +
                sidecar.string());
        scenario->output = std::move(*out);
    }
    return Loaded{std::move(*scenario), std::move(*source)};
}

std::vector<fs::path> find_scenarios(fs::path const& dir)
{
    std::vector<fs::path> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        std::string const name = it->path().filename().string();
        if (it->is_directory(ec)) {
            if (name == "bin" || name == "include" || name.starts_with("."))
                it.disable_recursion_pending();
            continue;
        }
        if (it->path().extension() == ".c" && !name.starts_with("."))
            found.push_back(it->path());
    }
    std::sort(found.begin(), found.end());
    return found;
}

fs::path default_bin_dir() { return fs::path(FORKLAB_SOURCE_DIR) / "scenarios" / "bin"; }

std::optional<fs::path> find_bin_dir(fs::path const& path)
{
    std::error_code ec;
    fs::path dir = fs::absolute(path, ec).parent_path();
    for (; !dir.empty(); dir = dir.parent_path()) {
        if (dir.filename() == "scenarios" && is_dir(dir / "bin"))
            return dir / "bin";
        if (dir == dir.parent_path())
            break;
    }
    if (std::strlen(FORKLAB_SOURCE_DIR) && is_dir(default_bin_dir()))
        return default_bin_dir();
    return std::nullopt;
}

std::map<std::string, std::string> const& load_bin(fs::path const& dir)
{
    static std::mutex lock;
    static std::map<fs::path, std::map<std::string, std::string>> cache;
    std::lock_guard guard(lock);
    auto [it, fresh] = cache.try_emplace(dir);
    if (!fresh)
        return it->second;
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator(dir, ec))
        if (entry.path().extension() == ".c")
            if (auto text = read_file(entry.path()))
                it->second[entry.path().stem().string()] = std::move(*text);
    return it->second;
}

lang::RunOptions run_options(Loaded const& loaded, lang::RunOptions base)
{
    lang::RunOptions options = apply(loaded.scenario, std::move(base));
    if (auto dir = find_bin_dir(loaded.scenario.path))
        for (auto const& [name, source] : load_bin(*dir))
            options.bin.try_emplace(name, source);
    return options;
}

}  // namespace forklab::scenario
