#include "fs/vfs.h"

#include "fs/file.h"

#include <vector>

namespace forklab {

namespace {

// "a//b/./c/../d" -> {"a", "b", "d"} is not done here: ".." must be resolved against the tree
// (it stops at "/"), so the components are returned as written, without empty ones and ".".
std::vector<std::string_view> components(std::string_view path)
{
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i < path.size()) {
        std::size_t j = path.find('/', i);
        if (j == std::string_view::npos)
            j = path.size();
        std::string_view const part = path.substr(i, j - i);
        if (!part.empty() && part != ".")
            parts.push_back(part);
        i = j + 1;
    }
    return parts;
}

std::string join_path(std::vector<std::string> const& names)
{
    std::string path;
    for (auto const& n : names) {
        path.push_back('/');
        path.append(n);
    }
    return path.empty() ? "/" : path;
}

}  // namespace

Vfs::Vfs(PhysicalMemory& phys) : m_phys(phys)
{
    m_root = make_inode(InodeKind::Directory, 0755, 0, 0, "/");
    m_root->parent = m_root.get();
    m_root->nlink = 1;
    (void)mkdir_p("/bin");
    auto dev = mkdir_p("/dev");
    (void)mkdir_p("/tmp", 01777);
    (void)mkdir_p("/home/student", 0755, kStudentUid);
    // The terminal belongs to whoever logged in on it (here the student), mode 620 as a login
    // sets it; /dev/tty names the same device for this model's single session.
    m_console = make_inode(InodeKind::Terminal, 0620, kStudentUid, 5, "/dev/console");
    link(**dev, "console", m_console);
    link(**dev, "tty", m_console);
    m_null = make_inode(InodeKind::Null, 0666, 0, 0, "/dev/null");
    link(**dev, "null", m_null);
}

Vfs::~Vfs()
{
    // Directories hold their children; dropping the root frees the tree top-down.
    m_null.reset();
    m_console.reset();
    m_root.reset();
}

bool Vfs::permission(Inode const& inode, FsCred cred, int may)
{
    if (cred.uid == 0) {
        // CAP_DAC_OVERRIDE: everything but executing a file that nobody may execute.
        if (!(may & kMayExec) || inode.is_dir())
            return true;
        return inode.mode & 0111;
    }
    int bits = inode.mode & 07;
    if (cred.uid == inode.uid)
        bits = (inode.mode >> 6) & 07;
    else if (cred.gid == inode.gid)
        bits = (inode.mode >> 3) & 07;
    return (bits & may) == may;
}

ErrorOr<Lookup> Vfs::lookup(std::string_view cwd, std::string_view path, FsCred cred) const
{
    if (path.empty())
        return error(ENOENT);
    if (path.size() >= kPathMax)
        return error(ENAMETOOLONG);
    std::string const full = path.front() == '/' ? std::string(path) : std::string(cwd) + "/" + std::string(path);
    bool const must_be_dir = path.back() == '/';
    auto const parts = components(full);
    RefPtr<Inode> dir = m_root;
    std::vector<std::string> names;
    // Every component but the last must be a directory we may search.
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        if (parts[i].size() > kNameMax)
            return error(ENAMETOOLONG);
        if (!permission(*dir, cred, kMayExec))
            return error(EACCES);
        if (parts[i] == "..") {
            dir = dir->parent;
            if (!names.empty())
                names.pop_back();
            continue;
        }
        auto it = dir->entries.find(parts[i]);
        if (it == dir->entries.end())
            return error(ENOENT);
        if (!it->second->is_dir())
            return error(ENOTDIR);
        dir = it->second;
        names.emplace_back(parts[i]);
    }
    Lookup result;
    if (parts.empty()) {  // "/" itself.
        result.dir = m_root;
        result.inode = m_root;
        result.path = "/";
        return result;
    }
    std::string_view const last = parts.back();
    if (last.size() > kNameMax)
        return error(ENAMETOOLONG);
    if (!permission(*dir, cred, kMayExec))
        return error(EACCES);
    if (last == "..") {
        if (!names.empty())
            names.pop_back();
        result.inode = dir->parent;
        result.dir = result.inode->parent;
        result.name = names.empty() ? "" : names.back();
        result.path = join_path(names);
        return result;
    }
    result.dir = dir;
    result.name = std::string(last);
    auto it = dir->entries.find(last);
    if (it != dir->entries.end())
        result.inode = it->second;
    if (result.inode && must_be_dir && !result.inode->is_dir())
        return error(ENOTDIR);
    names.emplace_back(last);
    result.path = join_path(names);
    return result;
}

RefPtr<Inode> Vfs::make_inode(InodeKind kind, mode_t mode, uid_t uid, gid_t gid, std::string display_name)
{
    return make_ref<Inode>(*this, kind, mode, uid, gid, std::move(display_name));
}

void Vfs::link(Inode& dir, std::string_view name, RefPtr<Inode> inode)
{
    if (inode->is_dir())
        inode->parent = &dir;
    ++inode->nlink;
    dir.entries.insert_or_assign(std::string(name), std::move(inode));
}

void Vfs::unlink(Inode& dir, std::string_view name)
{
    auto it = dir.entries.find(name);
    if (it == dir.entries.end())
        return;
    --it->second->nlink;
    dir.entries.erase(it);
}

ErrorOr<RefPtr<Inode>> Vfs::mkdir_p(std::string_view path, mode_t mode, uid_t uid)
{
    RefPtr<Inode> dir = m_root;
    std::string sofar;
    for (std::string_view part : components(path)) {
        sofar.push_back('/');
        sofar.append(part);
        auto it = dir->entries.find(part);
        if (it == dir->entries.end()) {
            auto made = make_inode(InodeKind::Directory, mode, uid, uid == 0 ? 0 : gid_t(uid), sofar);
            link(*dir, part, made);
            dir = made;
        } else if (!it->second->is_dir()) {
            return error(ENOTDIR);
        } else {
            dir = it->second;
        }
    }
    return dir;
}

ErrorOr<RefPtr<Inode>> Vfs::create_file(std::string_view path, std::string_view contents, mode_t mode, uid_t uid)
{
    auto const slash = path.rfind('/');
    RefPtr<Inode> dir = TRY(mkdir_p(slash == std::string_view::npos ? "/" : path.substr(0, slash)));
    std::string_view const name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (name.empty())
        return error(EISDIR);
    auto file = make_inode(InodeKind::Regular, mode, uid, uid == 0 ? 0 : gid_t(uid), std::string(path));
    auto const* bytes = reinterpret_cast<std::uint8_t const*>(contents.data());
    TRY(file->write_at(0, std::span(bytes, contents.size())));
    unlink(*dir, name);
    link(*dir, name, file);
    return file;
}

ErrorOr<RefPtr<Inode>> Vfs::install_program(std::string_view path, std::shared_ptr<Executable const> program,
    mode_t mode)
{
    RefPtr<Inode> file = TRY(create_file(path, "", mode, 0));
    file->executable = std::move(program);
    return file;
}

}  // namespace forklab
