// Names and descriptors: open, close, unlink, mkdir, chdir, stat. Linux: fs/open.c, fs/namei.c,
// fs/stat.c.
#include "kernel/kernel.h"

namespace forklab {

FsCred Kernel::fs_cred(Task const& task) const
{
    return FsCred{task.cred.euid, task.cred.egid};
}

ErrorOr<Lookup> Kernel::namei(Task& task, std::string_view path) const
{
    return m_vfs.lookup(task.fs->cwd, path, fs_cred(task));
}

// Linux: do_sys_open() -> path_openat() -> do_open(). Look the path up, create the file if
// O_CREAT asks and it is missing, check the access the flags ask for, truncate if O_TRUNC, and
// install a new open file description in the lowest free descriptor.
ErrorOr<int> Kernel::open(pid_t caller, std::string_view path, int flags, mode_t mode)
{
    Task* me = TRY(current(caller));
    // Access mode 3 (O_ACCMODE) is Linux's "neither read nor write" mode, for ioctl only: it
    // asks for both permissions and then allows neither call.
    int const acc = flags & O_ACCMODE;
    // Linux: do_sys_openat2() takes the descriptor first (get_unused_fd_flags), so at the limit
    // open() says EMFILE before it looks at the path -- and creates nothing.
    int const fd = TRY(me->files->alloc_fd(0, me->signal->rlim[RLIMIT_NOFILE].cur));
    Lookup where = TRY(namei(*me, path));
    RefPtr<Inode> inode = where.inode;
    if (inode && (flags & O_CREAT) && (flags & O_EXCL))
        return error(EEXIST);
    if (!inode) {
        if (!(flags & O_CREAT))
            return error(ENOENT);
        if (path.back() == '/')
            return error(EISDIR);
        inode = TRY(create_entry(*me, where, InodeKind::Regular, mode));
    } else {
        if ((flags & O_DIRECTORY) && !inode->is_dir())
            return error(ENOTDIR);
        if (inode->is_dir() && (acc != O_RDONLY || (flags & O_CREAT)))
            return error(EISDIR);
        int const may = (acc != O_WRONLY ? kMayRead : 0) | (acc != O_RDONLY || (flags & O_TRUNC) ? kMayWrite : 0);
        // (For acc == O_ACCMODE both bits are set above, as Linux's ACC_MODE() table does.)
        if (!Vfs::permission(*inode, fs_cred(*me), may))
            return error(EACCES);
    }
    // O_TRUNC needed write permission above; Linux truncates even with O_RDONLY (open(2) calls
    // the combination unspecified).
    if ((flags & O_TRUNC) && inode->is_regular())
        inode->truncate(0);
    // O_CREAT, O_EXCL, O_TRUNC and O_NOCTTY act at open time, and O_CLOEXEC belongs to the
    // descriptor: F_GETFL reports none of them (Linux: do_dentry_open() clears the first four).
    int const kept = flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC);
    auto file = make_ref<OpenFileDescription>(m_vfs, inode, where.path, kept | kOLargefile);
    me->files->install(fd, file, flags & O_CLOEXEC);
    emit_extra(EventKind::FileOpened, std::uint8_t(inode->kind), me->pid, pid_t(inode->ino), std::uint32_t(file->id), fd);
    return fd;
}

// A new file or directory in the looked-up directory, which the caller must be able to write.
// It belongs to the caller, and its mode is the one asked for, less the umask (umask(2)).
ErrorOr<RefPtr<Inode>> Kernel::create_entry(Task& task, Lookup const& where, InodeKind kind, mode_t mode)
{
    if (!Vfs::permission(*where.dir, fs_cred(task), kMayWrite | kMayExec))
        return error(EACCES);
    auto inode = m_vfs.make_inode(kind, mode & ~task.fs->umask & 07777, task.cred.euid, task.cred.egid, where.path);
    m_vfs.link(*where.dir, where.name, inode);
    return inode;
}

ErrorOr<void> Kernel::close(pid_t caller, int fd)
{
    Task* me = TRY(current(caller));
    RefPtr<OpenFileDescription> file = me->files->take(fd);
    if (!file)
        return error(EBADF);
    filp_close(*me, fd, std::move(file), CloseReason::Close);
    return {};
}

// Linux: do_unlinkat(). The name goes; the inode lives on while descriptions hold it. In a
// sticky directory such as /tmp only the file's or the directory's owner may remove a name.
ErrorOr<void> Kernel::unlink(pid_t caller, std::string_view path)
{
    Task* me = TRY(current(caller));
    Lookup where = TRY(namei(*me, path));
    if (!where.inode)
        return error(ENOENT);
    if (where.inode->is_dir())
        return error(EISDIR);
    FsCred const cred = fs_cred(*me);
    if (!Vfs::permission(*where.dir, cred, kMayWrite | kMayExec))
        return error(EACCES);
    if ((where.dir->mode & S_ISVTX) && cred.uid != 0 && cred.uid != where.inode->uid && cred.uid != where.dir->uid)
        return error(EPERM);
    RefPtr<Inode> const inode = where.inode;
    m_vfs.unlink(*where.dir, where.name);
    emit(EventKind::Unlinked, 0, me->pid, pid_t(inode->ino), inode->nlink);
    return {};
}

ErrorOr<void> Kernel::mkdir(pid_t caller, std::string_view path, mode_t mode)
{
    Task* me = TRY(current(caller));
    Lookup where = TRY(namei(*me, path));
    if (where.inode)
        return error(EEXIST);
    TRY(create_entry(*me, where, InodeKind::Directory, mode));
    return {};
}

// chdir(2): the target must be a directory the caller may search. fs_struct is shared with
// CLONE_FS, so one thread's chdir() moves its siblings too.
ErrorOr<void> Kernel::chdir(pid_t caller, std::string_view path)
{
    Task* me = TRY(current(caller));
    Lookup where = TRY(namei(*me, path));
    if (!where.inode)
        return error(ENOENT);
    if (!where.inode->is_dir())
        return error(ENOTDIR);
    if (!Vfs::permission(*where.inode, fs_cred(*me), kMayExec))
        return error(EACCES);
    me->fs->cwd = where.path;
    return {};
}

ErrorOr<void> Kernel::ftruncate(pid_t caller, int fd, std::int64_t length)
{
    Task* me = TRY(current(caller));
    OpenFileDescription* file = TRY(fget(*me, fd));
    if (length < 0)
        return error(EINVAL);
    if (!file->inode->is_regular() || !file->writable())
        return error(file->inode->is_dir() ? EISDIR : EINVAL);
    file->inode->truncate(std::uint64_t(length));
    return {};
}

namespace {

FileStat stat_of(Inode const& inode)
{
    // A pipe lives in pipefs, where its inode has one link and no size, whatever it holds.
    return FileStat{inode.ino, inode.kind, inode.mode, inode.pipe ? 1 : inode.nlink, inode.uid,
        inode.is_regular() ? inode.size : 0};
}

}  // namespace

ErrorOr<FileStat> Kernel::fstat(pid_t caller, int fd)
{
    Task* me = TRY(current(caller));
    OpenFileDescription* file = TRY(fget(*me, fd));
    return stat_of(*file->inode);
}

ErrorOr<FileStat> Kernel::stat(pid_t caller, std::string_view path)
{
    Task* me = TRY(current(caller));
    Lookup where = TRY(namei(*me, path));
    if (!where.inode)
        return error(ENOENT);
    return stat_of(*where.inode);
}

}  // namespace forklab
