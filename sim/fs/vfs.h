// The in-memory filesystem (Linux: the VFS with a tmpfs under it): a tree of directories from
// "/", path lookup with permission checks, and the counters a teacher asks for (open file
// descriptions, inodes). A fresh filesystem has what a scenario expects to find:
//
//   /bin            programs for exec (installed by the language front end)
//   /dev/console    the terminal, and /dev/tty naming the same device
//   /dev/null
//   /tmp            writable by everyone, sticky
//   /home/student   the student's home, owned by uid 1000
#pragma once

#include "base/error.h"
#include "fs/inode.h"

#include <string>
#include <string_view>

namespace forklab {

class PhysicalMemory;

// Access bits for permission(): the low three bits of a mode.
inline constexpr int kMayExec = 1, kMayWrite = 2, kMayRead = 4;
inline constexpr std::size_t kPathMax = 4096, kNameMax = 255;  // PATH_MAX, NAME_MAX.

// Who is asking: the effective ids, as Linux's permission checks use.
struct FsCred {
    uid_t uid = 0;
    gid_t gid = 0;
};

// Where a path led: the directory holding its last component, that component, and the inode
// it names (null if no such entry -- open(O_CREAT) and mkdir() create it there).
struct Lookup {
    RefPtr<Inode> dir;
    std::string name;
    RefPtr<Inode> inode;
    std::string path;  // Absolute and normalised: "/home/student/out.txt".
};

class Vfs {
public:
    static constexpr uid_t kStudentUid = 1000;

    explicit Vfs(PhysicalMemory&);
    ~Vfs();
    Vfs(Vfs const&) = delete;
    Vfs& operator=(Vfs const&) = delete;

    // Linux: path_lookupat(). `path` is taken relative to `cwd` (an absolute path) unless it
    // starts with '/'. Each directory on the way needs search (x) permission (EACCES); a
    // component that is not a directory gives ENOTDIR, a missing one on the way ENOENT.
    ErrorOr<Lookup> lookup(std::string_view cwd, std::string_view path, FsCred) const;
    // Linux: generic_permission(). Root may read and write anything and execute anything with
    // an x bit; everyone else gets the owner's, the group's or the others' bits.
    static bool permission(Inode const&, FsCred, int may);

    // Building a scenario's world, as root and outside any process. Parents are created as
    // needed; an existing file is replaced.
    ErrorOr<RefPtr<Inode>> mkdir_p(std::string_view path, mode_t mode = 0755, uid_t uid = 0);
    ErrorOr<RefPtr<Inode>> create_file(std::string_view path, std::string_view contents, mode_t mode = 0644,
        uid_t uid = kStudentUid);
    ErrorOr<RefPtr<Inode>> install_program(std::string_view path, std::shared_ptr<Executable const>,
        mode_t mode = 0755);

    // The pieces the system calls are made of.
    RefPtr<Inode> make_inode(InodeKind, mode_t mode, uid_t uid, gid_t gid, std::string display_name);
    void link(Inode& dir, std::string_view name, RefPtr<Inode> inode);
    void unlink(Inode& dir, std::string_view name);

    Inode& root() const { return *m_root; }
    Inode& console() const { return *m_console; }
    Inode& null_device() const { return *m_null; }
    PhysicalMemory& phys() const { return m_phys; }

    // Linux: files_stat.nr_files and the inode count in /proc/sys/fs.
    long nr_files() const { return m_nr_files; }
    long nr_inodes() const { return m_nr_inodes; }

private:
    friend class Inode;
    friend class OpenFileDescription;

    PhysicalMemory& m_phys;
    long m_nr_files = 0;
    long m_nr_inodes = 0;
    ino_t m_next_ino = 1;
    int m_next_file_id = 1;
    // Declared after the counters, so the inodes' destructors still find them.
    RefPtr<Inode> m_root;
    RefPtr<Inode> m_console;  // Held here too: the terminal outlives an unlink of its name.
    RefPtr<Inode> m_null;
};

}  // namespace forklab
