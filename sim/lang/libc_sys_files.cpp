// Wrappers for files and directories: open, creat, lseek, fcntl, flock, unlink, mkdir, chdir,
// getcwd, umask, isatty, stat, fstat, getdents64, and <dirent.h>'s opendir, readdir and
// closedir on top of getdents64, as glibc builds them.
#include "lang/libc_sys.h"

#include <sys/stat.h>

namespace forklab::lang::libc {

namespace {

// open(2): the mode is the third, variadic, argument, read only when the flags create a file.
CallOutcome do_open(BuiltinCall& c)
{
    auto path = c.mem.path_from_user(c.arg(0));
    if (!path)
        return fail(c, path.error().code());
    int const flags = as_int(c.arg(1));
    bool const creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    return returned(c, c.kernel.open(c.pid, *path, flags, creates ? mode_t(c.arg(2)) : 0));
}

// creat(2) is open() with O_CREAT|O_WRONLY|O_TRUNC.
CallOutcome do_creat(BuiltinCall& c)
{
    auto path = c.mem.path_from_user(c.arg(0));
    if (!path)
        return fail(c, path.error().code());
    return returned(c, c.kernel.open(c.pid, *path, O_CREAT | O_WRONLY | O_TRUNC, mode_t(c.arg(1))));
}

CallOutcome do_lseek(BuiltinCall& c)
{
    return returned(c, c.kernel.lseek(c.pid, as_int(c.arg(0)), std::int64_t(c.arg(1)), as_int(c.arg(2))));
}

// struct flock as glibc lays it out on x86-64: l_type, l_whence, then l_start at 8, l_len at
// 16, l_pid at 24; 32 bytes.
struct UserFlock {
    std::int16_t type, whence;
    std::int32_t pad0;
    std::int64_t start, len;
    std::int32_t pid, pad1;
};
static_assert(sizeof(UserFlock) == 32);

bool takes_flock(int cmd)
{
    return cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_GETLK || cmd == F_OFD_SETLK ||
        cmd == F_OFD_SETLKW;
}

// The record-lock commands: the struct flock is read (EFAULT if it cannot be) after the
// descriptor is found (EBADF first, as do_fcntl() does fdget() before the command); the
// F_GETLK ones write it back.
CallOutcome fcntl_lock(BuiltinCall& c, int fd, int cmd)
{
    if (auto r = c.kernel.fcntl(c.pid, fd, F_GETFD); !r)
        return fail(c, r.error().code());
    UserFlock user{};
    if (!copy_in(c, c.arg(2), user))
        return fail(c, EFAULT);
    FlockArgs lock{user.type, user.whence, user.start, user.len, user.pid};
    auto r = c.kernel.fcntl_lock(c.pid, fd, cmd, lock);
    if (!r || r->kind != Blocking::Kind::Done)
        return blocking(c, r);
    if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
        user = UserFlock{lock.type, lock.whence, 0, lock.start, lock.len, lock.pid, 0};
        if (!copy_out(c, c.arg(2), user))
            return fail(c, EFAULT);
    }
    return value(r->value);
}

CallOutcome do_fcntl(BuiltinCall& c)
{
    int const fd = as_int(c.arg(0)), cmd = as_int(c.arg(1));
    if (takes_flock(cmd))
        return fcntl_lock(c, fd, cmd);
    return returned(c, c.kernel.fcntl(c.pid, fd, cmd, long(c.arg(2))));
}

CallOutcome do_flock(BuiltinCall& c) { return blocking(c, c.kernel.flock(c.pid, as_int(c.arg(0)), as_int(c.arg(1)))); }

// The calls that take just a path (and a mode).
template<typename F>
CallOutcome with_path(BuiltinCall& c, F call)
{
    auto path = c.mem.path_from_user(c.arg(0));
    if (!path)
        return fail(c, path.error().code());
    auto r = call(*path);
    return r ? value(0) : fail(c, r.error().code());
}

CallOutcome do_unlink(BuiltinCall& c)
{
    return with_path(c, [&](std::string const& p) { return c.kernel.unlink(c.pid, p); });
}
CallOutcome do_mkdir(BuiltinCall& c)
{
    return with_path(c, [&](std::string const& p) { return c.kernel.mkdir(c.pid, p, mode_t(c.arg(1))); });
}
CallOutcome do_chdir(BuiltinCall& c)
{
    return with_path(c, [&](std::string const& p) { return c.kernel.chdir(c.pid, p); });
}

// getcwd(3): with a buffer, the kernel fills it (ERANGE if the path and its NUL do not fit);
// with NULL, glibc allocates one -- `size` bytes, or just enough when size is 0.
CallOutcome do_getcwd(BuiltinCall& c)
{
    std::uint64_t buf = c.arg(0), size = c.arg(1);
    if (buf && size == 0)
        return fail_returning(c, EINVAL, 0);
    Task const* me = c.kernel.find_task(c.pid);
    if (!me)
        return fail_returning(c, ESRCH, 0);
    std::string const& cwd = me->fs->cwd;
    if (!buf && size == 0)
        size = cwd.size() + 1;
    if (cwd.size() + 1 > size)
        return fail_returning(c, ERANGE, 0);
    bool const allocated = !buf;
    if (allocated && !(buf = heap_alloc(c, size)))
        return fail_returning(c, ENOMEM, 0);
    if (!c.mem.copy_to_user(buf, cwd.c_str(), cwd.size() + 1)) {
        if (allocated)
            heap_free(c, buf);
        return fail_returning(c, EFAULT, 0);
    }
    return value(std::int64_t(buf));
}

CallOutcome do_umask(BuiltinCall& c) { return returned(c, c.kernel.umask(c.pid, mode_t(c.arg(0)))); }

// isatty(3) asks the terminal driver (TCGETS): only the terminal answers; anything else is
// ENOTTY, a closed descriptor EBADF. Both return 0.
CallOutcome do_isatty(BuiltinCall& c)
{
    auto st = c.kernel.fstat(c.pid, as_int(c.arg(0)));
    if (!st)
        return fail_returning(c, st.error().code(), 0);
    if (st->kind != InodeKind::Terminal)
        return fail_returning(c, ENOTTY, 0);
    return value(1);
}

// struct stat as glibc lays it out on x86-64 (the prelude's), 144 bytes.
struct UserStat {
    std::uint64_t dev, ino, nlink;
    std::uint32_t mode, uid, gid;
    std::int32_t pad0;
    std::uint64_t rdev;
    std::int64_t size, blksize, blocks;
    std::int64_t times[6];  // st_atim, st_mtim, st_ctim: { tv_sec, tv_nsec } each.
    std::int64_t reserved[3];
};
static_assert(sizeof(UserStat) == 144);

mode_t type_bits(InodeKind kind)
{
    switch (kind) {
    case InodeKind::Regular: return S_IFREG;
    case InodeKind::Directory: return S_IFDIR;
    case InodeKind::Pipe: return S_IFIFO;
    case InodeKind::Terminal:
    case InodeKind::Null: return S_IFCHR;
    }
    return 0;
}

// The device numbers Linux gives them: /dev/console is 5:1, /dev/null 1:3.
std::uint64_t rdev_of(InodeKind kind)
{
    return kind == InodeKind::Terminal ? (5 << 8) | 1 : kind == InodeKind::Null ? (1 << 8) | 3 : 0;
}

// The model keeps no timestamps or group: those fields read as 0. A file's blocks are the
// 512-byte units of the pages that hold it, as on tmpfs.
UserStat user_stat(FileStat const& st)
{
    UserStat u{};
    u.ino = st.ino;
    u.nlink = std::uint64_t(st.nlink);
    u.mode = type_bits(st.kind) | (st.mode & 07777);
    u.uid = st.uid;
    u.rdev = rdev_of(st.kind);
    u.size = std::int64_t(st.size);
    u.blksize = 4096;
    u.blocks = std::int64_t((st.size + 4095) / 4096 * 8);
    return u;
}

CallOutcome stat_result(BuiltinCall& c, ErrorOr<FileStat> const& st, std::uint64_t at)
{
    if (!st)
        return fail(c, st.error().code());
    return copy_out(c, at, user_stat(*st)) ? value(0) : fail(c, EFAULT);
}

CallOutcome do_stat(BuiltinCall& c)
{
    auto path = c.mem.path_from_user(c.arg(0));
    if (!path)
        return fail(c, path.error().code());
    return stat_result(c, c.kernel.stat(c.pid, *path), c.arg(1));
}

CallOutcome do_fstat(BuiltinCall& c) { return stat_result(c, c.kernel.fstat(c.pid, as_int(c.arg(0))), c.arg(1)); }

CallOutcome do_getdents64(BuiltinCall& c)
{
    return returned(c, c.kernel.getdents64(c.pid, as_int(c.arg(0)), c.arg(1), c.arg(2)));
}

// ---- <dirent.h> -----------------------------------------------------------------------------

// A DIR in the heap, as glibc's struct __dirstream: the descriptor, where readdir is in the
// buffer and how much of it getdents64 filled, then the buffer. readdir() returns a pointer
// into the buffer: a struct linux_dirent64 record begins as struct dirent does.
namespace dir {
inline constexpr std::uint64_t kFd = 0, kPos = 4, kSize = 8, kBuf = 16;
inline constexpr std::uint64_t kBufSize = 2048;
}  // namespace dir

// opendir(3): open(O_RDONLY|O_DIRECTORY|O_CLOEXEC), then the DIR.
CallOutcome do_opendir(BuiltinCall& c)
{
    auto path = c.mem.path_from_user(c.arg(0));
    if (!path)
        return fail_returning(c, path.error().code(), 0);
    auto fd = c.kernel.open(c.pid, *path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
    if (!fd)
        return fail_returning(c, fd.error().code(), 0);
    std::uint64_t const d = heap_alloc(c, dir::kBuf + dir::kBufSize);
    if (!d) {
        (void)c.kernel.close(c.pid, *fd);
        return fail_returning(c, ENOMEM, 0);
    }
    if (!c.mem.store(d + dir::kFd, 4, std::uint32_t(*fd)) || !c.mem.store(d + dir::kPos, 4, 0) ||
        !c.mem.store(d + dir::kSize, 4, 0))
        return {Kind::Fault};
    return value(std::int64_t(d));
}

// readdir(3): the next record, refilling the buffer from getdents64 when it is used up. NULL at
// the end with errno untouched, or NULL with errno set by getdents64. The DIR is the library's
// own memory: a bad DIR pointer faults (SIGSEGV), as it does in glibc.
CallOutcome do_readdir(BuiltinCall& c)
{
    std::uint64_t const d = c.arg(0);
    std::uint64_t fd = 0, pos = 0, size = 0;
    if (!c.mem.load(d + dir::kFd, 4, fd) || !c.mem.load(d + dir::kPos, 4, pos) || !c.mem.load(d + dir::kSize, 4, size))
        return {Kind::Fault};
    if (pos >= size) {
        auto n = c.kernel.getdents64(c.pid, as_int(fd), d + dir::kBuf, dir::kBufSize);
        if (!n)
            return fail_returning(c, n.error().code(), 0);
        if (*n == 0)
            return value(0);
        pos = 0;
        size = std::uint64_t(*n);
    }
    std::uint64_t const record = d + dir::kBuf + pos;
    std::uint64_t reclen = 0;
    if (!c.mem.load(record + 16, 2, reclen) || !c.mem.store(d + dir::kPos, 4, pos + reclen) ||
        !c.mem.store(d + dir::kSize, 4, size))
        return {Kind::Fault};
    return value(std::int64_t(record));
}

// closedir(3): close the descriptor and free the DIR; close's result.
CallOutcome do_closedir(BuiltinCall& c)
{
    std::uint64_t const d = c.arg(0);
    std::uint64_t fd = 0;
    if (!c.mem.load(d + dir::kFd, 4, fd))
        return {Kind::Fault};
    auto r = c.kernel.close(c.pid, as_int(fd));
    heap_free(c, d);
    return r ? value(0) : fail(c, r.error().code());
}

// rewinddir(3): back to the first entry.
CallOutcome do_rewinddir(BuiltinCall& c)
{
    std::uint64_t const d = c.arg(0);
    std::uint64_t fd = 0;
    if (!c.mem.load(d + dir::kFd, 4, fd) || !c.mem.store(d + dir::kPos, 4, 0) || !c.mem.store(d + dir::kSize, 4, 0))
        return {Kind::Fault};
    (void)c.kernel.lseek(c.pid, as_int(fd), 0, SEEK_SET);
    return value(0);
}

CallOutcome do_dirfd(BuiltinCall& c)
{
    std::uint64_t fd = 0;
    if (!c.mem.load(c.arg(0) + dir::kFd, 4, fd))
        return {Kind::Fault};
    return value(as_int(fd));
}

}  // namespace

std::span<Entry const> sys_file_builtins()
{
    static Entry const table[] = {
        {"open", do_open}, {"creat", do_creat}, {"lseek", do_lseek}, {"fcntl", do_fcntl}, {"flock", do_flock},
        {"unlink", do_unlink}, {"mkdir", do_mkdir}, {"chdir", do_chdir}, {"getcwd", do_getcwd},
        {"umask", do_umask}, {"isatty", do_isatty}, {"stat", do_stat}, {"fstat", do_fstat},
        {"getdents64", do_getdents64}, {"opendir", do_opendir}, {"readdir", do_readdir},
        {"closedir", do_closedir}, {"rewinddir", do_rewinddir}, {"dirfd", do_dirfd},
    };
    return table;
}

}  // namespace forklab::lang::libc
