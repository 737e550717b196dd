// The fd table's system calls and the life of an open file description. Linux: fs/file.c
// (alloc_fd, dup2, filp_close, fput, close_on_exec), fs/fcntl.c (F_DUPFD, F_GETFD, F_SETFL).
#include "kernel/kernel.h"

namespace forklab {

ErrorOr<OpenFileDescription*> Kernel::fget(Task& task, int fd) const
{
    OpenFileDescription* file = task.files->get(fd);
    if (!file)
        return error(EBADF);
    return file;
}

ErrorOr<int> Kernel::install_fd(Task& task, int start, RefPtr<OpenFileDescription> file, bool cloexec)
{
    int const fd = TRY(task.files->alloc_fd(start, task.signal->rlim[RLIMIT_NOFILE].cur));
    task.files->install(fd, std::move(file), cloexec);
    return fd;
}

// dup(2): the lowest free descriptor now names the same description. FD_CLOEXEC is per
// descriptor, so the copy starts without it.
ErrorOr<int> Kernel::dup(pid_t caller, int fd)
{
    Task* me = TRY(current(caller));
    RefPtr<OpenFileDescription> file = TRY(fget(*me, fd));
    int const newfd = TRY(install_fd(*me, 0, file, false));
    emit_extra(EventKind::FileDup, 0, me->pid, fd, std::uint32_t(file->id), newfd);
    return newfd;
}

ErrorOr<int> Kernel::dup2(pid_t caller, int oldfd, int newfd)
{
    Task* me = TRY(current(caller));
    TRY(fget(*me, oldfd));
    if (oldfd == newfd)
        return newfd;  // dup2(2): nothing to do, and FD_CLOEXEC is left alone.
    return do_dup2(*me, oldfd, newfd, false);
}

// dup3(2) differs from dup2 in two ways: O_CLOEXEC may be asked for, and oldfd == newfd is
// an error rather than a no-op.
ErrorOr<int> Kernel::dup3(pid_t caller, int oldfd, int newfd, int flags)
{
    Task* me = TRY(current(caller));
    if (flags & ~O_CLOEXEC)
        return error(EINVAL);
    if (oldfd == newfd)
        return error(EINVAL);
    return do_dup2(*me, oldfd, newfd, flags & O_CLOEXEC);
}

// Linux: do_dup2(). Whatever newfd named is closed first -- silently, as dup2(2) says, and
// with the POSIX locks of this process on that file released as by any close.
ErrorOr<int> Kernel::do_dup2(Task& task, int oldfd, int newfd, bool cloexec)
{
    RefPtr<OpenFileDescription> file = TRY(fget(task, oldfd));
    if (newfd < 0 || std::uint64_t(newfd) >= task.signal->rlim[RLIMIT_NOFILE].cur)
        return error(EBADF);
    RefPtr<OpenFileDescription> old = task.files->install(newfd, file, cloexec);
    if (old)
        filp_close(task, newfd, std::move(old), CloseReason::Dup2);
    emit_extra(EventKind::FileDup, cloexec, task.pid, oldfd, std::uint32_t(file->id), newfd);
    return newfd;
}

// Linux: do_fcntl(), for everything but locks (fcntl_lock()).
ErrorOr<long> Kernel::fcntl(pid_t caller, int fd, int cmd, long arg)
{
    Task* me = TRY(current(caller));
    OpenFileDescription* file = TRY(fget(*me, fd));
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if (arg < 0 || std::uint64_t(arg) >= me->signal->rlim[RLIMIT_NOFILE].cur)
            return error(EINVAL);
        bool const cloexec = cmd == F_DUPFD_CLOEXEC;
        int const newfd = TRY(install_fd(*me, int(arg), RefPtr<OpenFileDescription>(file), cloexec));
        emit_extra(EventKind::FileDup, cloexec, me->pid, fd, std::uint32_t(file->id), newfd);
        return newfd;
    }
    case F_GETFD:
        return me->files->fds[std::size_t(fd)].cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
        me->files->fds[std::size_t(fd)].cloexec = arg & FD_CLOEXEC;
        return 0;
    case F_GETFL:
        return file->flags;
    case F_SETFL:
        // Only the status flags change; the access mode and creation flags are ignored, as
        // fcntl(2) says. The flags are the description's: every sharer sees the change.
        file->flags = (file->flags & ~OpenFileDescription::kSettableFlags) |
            (int(arg) & OpenFileDescription::kSettableFlags);
        return 0;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        return error(EINVAL);  // These take a struct flock: fcntl_lock().
    default:
        return error(EINVAL);
    }
}

// Linux: filp_close(). A descriptor has gone from a table: the process's POSIX locks on the file
// go with it (whichever descriptor took them), then the description loses a reference.
void Kernel::filp_close(Task& task, int fd, RefPtr<OpenFileDescription> file, CloseReason why)
{
    locks_remove_posix(task, *file->inode);
    bool const last = file->use_count() == 1;
    emit_extra(EventKind::FileClosed, std::uint8_t(std::uint8_t(why) | (last ? 0x80 : 0)), task.pid, 0,
        std::uint32_t(file->id), fd);
    fput(task, std::move(file));
}

// Linux: fput() -> __fput(). When the last reference goes, the description's destructor drops
// its flock and OFD locks and closes its pipe end; whoever slept on those is woken to look again.
void Kernel::fput(Task& closer, RefPtr<OpenFileDescription> file)
{
    if (file->use_count() > 1)
        return;
    RefPtr<Inode> const inode = file->inode;
    int flocks = 0, ofd_locks = 0;
    for (FileLock const& l : inode->locks.all()) {
        if (l.owner == file.get()) {
            flocks += l.kind == LockKind::Flock;
            ofd_locks += l.kind == LockKind::Ofd;
        }
    }
    file.reset();
    if (inode->pipe) {
        wake_up_queue(inode->pipe->rd_wait, inode.get());
        wake_up_queue(inode->pipe->wr_wait, inode.get());
    }
    for (auto [kind, n] : {std::pair{LockKind::Flock, flocks}, std::pair{LockKind::Ofd, ofd_locks}})
        if (n)
            emit_extra(EventKind::LocksReleased, lock_aux(std::uint8_t(kind), 0), closer.tgid, 0,
                std::uint32_t(inode->ino), n);
    if (flocks || ofd_locks)
        wake_up_queue(inode->lock_wait, inode.get());
}

// Linux: locks_remove_posix(). POSIX locks belong to the process, and close(2) of any descriptor
// for the file releases all of them: the classic trap for a library that opens and closes a
// file its caller has locked.
void Kernel::locks_remove_posix(Task& task, Inode& inode)
{
    int const n = inode.locks.remove_owner(task.files.get(), LockKind::Posix);
    if (!n)
        return;
    emit_extra(EventKind::LocksReleased, lock_aux(std::uint8_t(LockKind::Posix), 0) | 1 << 4, task.tgid, 0,
        std::uint32_t(inode.ino), n);
    wake_up_queue(inode.lock_wait, &inode);
}

// Linux: exit_files(). The last task using a table closes every descriptor in it.
void Kernel::exit_files(Task& task)
{
    RefPtr<FilesStruct> files = std::move(task.files);
    if (!files || files->use_count() > 1)
        return;
    task.files = files;  // filp_close() finds the lock owner through the task.
    for (int fd = 0; std::size_t(fd) < files->fds.size(); ++fd)
        if (RefPtr<OpenFileDescription> file = std::move(files->fds[std::size_t(fd)].file))
            filp_close(task, fd, std::move(file), CloseReason::Exit);
    task.files.reset();
}

// Linux: do_close_on_exec(). Every descriptor marked FD_CLOEXEC closes; the rest stay open
// across exec, pointing at the same descriptions with the same offsets.
void Kernel::do_close_on_exec(Task& task)
{
    for (int fd = 0; std::size_t(fd) < task.files->fds.size(); ++fd) {
        FdSlot& slot = task.files->fds[std::size_t(fd)];
        if (slot.file && slot.cloexec)
            filp_close(task, fd, task.files->take(fd), CloseReason::Exec);
    }
}

void Kernel::sleep_on(Task& task, WaitQueue& queue, void const* on, BlockReason why)
{
    queue.push_back(task.pid);
    set_state(task, TaskState::Blocked, why);
    task.sleeping_on = on;
}

// Linux: wake_up_interruptible_all(). Each sleeper runs again and re-checks its condition.
void Kernel::wake_up_queue(WaitQueue& queue, void const* on)
{
    WaitQueue sleepers = std::move(queue);
    queue.clear();
    for (pid_t pid : sleepers) {
        Task* t = find_task_mut(pid);
        if (t && t->state == TaskState::Blocked && t->sleeping_on == on)
            wake_up(*t);
    }
}

}  // namespace forklab
