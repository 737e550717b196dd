#include "model/file_chooser.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace forklab::gui {

namespace fs = std::filesystem;

namespace {

fs::path absolute_normal(fs::path const& p)
{
    std::error_code ec;
    fs::path abs = fs::absolute(p.empty() ? fs::path(".") : p, ec);
    if (ec)
        abs = p;
    abs = abs.lexically_normal();
    // "/a/b/" normalises to "/a/b/": drop the empty last part so that parent_path() is "/a".
    if (abs.has_relative_path() && !abs.has_filename())
        abs = abs.parent_path();
    return abs;
}

bool hidden(std::string const& name)
{
    return name.starts_with(".");
}

}  // namespace

DirListing list_c_files(fs::path const& dir)
{
    DirListing out;
    out.dir = absolute_normal(dir);
    std::error_code ec;
    fs::directory_iterator it(out.dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::string const name = it->path().filename().string();
        if (hidden(name))
            continue;
        std::error_code type_ec;  // A dangling symlink or a vanished entry: skip it.
        if (it->is_directory(type_ec))
            out.entries.push_back({name, it->path(), true});
        else if (it->is_regular_file(type_ec) && it->path().extension() == ".c")
            out.entries.push_back({name, it->path(), false});
    }
    if (ec)
        out.error = "cannot list " + out.dir.string() + ": " + ec.message();
    std::sort(out.entries.begin(), out.entries.end(), [](DirEntry const& a, DirEntry const& b) {
        if (a.directory != b.directory)
            return a.directory;
        return a.name < b.name;
    });
    return out;
}

bool FileChooser::go_to(fs::path const& dir)
{
    DirListing next = list_c_files(dir);
    if (!next.error.empty() && next.entries.empty()) {
        m_message = next.error;
        if (m_listing.dir.empty())
            m_listing = std::move(next);  // Nowhere to stay: show the folder and why it is empty.
        return false;
    }
    m_listing = std::move(next);
    m_message = m_listing.error;
    m_typed = m_listing.dir.string();
    if (!m_typed.ends_with('/'))
        m_typed += '/';
    m_rewritten = true;
    return true;
}

std::optional<fs::path> FileChooser::choose(DirEntry const& e)
{
    if (e.directory) {
        go_to(e.path);
        return std::nullopt;
    }
    m_typed = e.path.string();
    return enter();
}

fs::path FileChooser::resolve(std::string const& typed) const
{
    if (typed == "~" || typed.starts_with("~/")) {
        char const* home = std::getenv("HOME");
        if (home && *home)
            return fs::path(home) / typed.substr(std::min<std::size_t>(2, typed.size()));
    }
    fs::path const p(typed);
    return p.is_absolute() ? p : m_listing.dir / p;
}

std::optional<fs::path> FileChooser::enter()
{
    if (m_typed.empty()) {
        m_message = "Type a path, or click a file.";
        return std::nullopt;
    }
    fs::path const path = resolve(m_typed);
    std::error_code ec;
    fs::file_status const st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
        m_message = "cannot open " + path.string() + ": " + (ec ? ec.message() : "No such file or directory");
        return std::nullopt;
    }
    if (fs::is_directory(st)) {
        go_to(path);
        return std::nullopt;
    }
    if (!fs::is_regular_file(st)) {
        m_message = path.string() + " is not a regular file (a device, a pipe or a socket): it cannot hold a program";
        return std::nullopt;
    }
    if (!std::ifstream(path, std::ios::binary)) {
        m_message = "cannot read " + path.string() + ": " + std::strerror(errno);
        return std::nullopt;
    }
    m_message.clear();
    return path;
}

}  // namespace forklab::gui
