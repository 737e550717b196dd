// The lock system calls: fcntl's record locks (F_GETLK, F_SETLK, F_SETLKW and their F_OFD_
// twins) and flock(2). Linux: fs/fcntl.c, fs/locks.c. The rules themselves are in locks.h.
#include "kernel/kernel.h"

#include <cstdint>

namespace forklab {

namespace {

bool is_ofd_cmd(int cmd) { return cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW; }

}  // namespace

// Linux: flock_to_posix_lock(). The struct flock's range, made absolute; the owner is the
// process (POSIX) or the description (OFD).
ErrorOr<FileLock> Kernel::lock_request(Task& task, OpenFileDescription& file, int cmd, FlockArgs const& args) const
{
    if (args.type != F_RDLCK && args.type != F_WRLCK && args.type != F_UNLCK)
        return error(EINVAL);
    std::int64_t base = 0;
    switch (args.whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = std::int64_t(file.offset); break;
    case SEEK_END: base = std::int64_t(file.inode->size); break;
    default: return error(EINVAL);
    }
    std::int64_t start = 0;
    if (__builtin_add_overflow(base, args.start, &start))
        return error(EOVERFLOW);
    FileLock lock;
    lock.type = args.type;
    if (args.len > 0) {
        if (start < 0)
            return error(EINVAL);
        if (args.len - 1 > INT64_MAX - start)
            return error(EOVERFLOW);  // The last byte would lie past the largest offset.
        lock.start = std::uint64_t(start);
        lock.end = std::uint64_t(start) + std::uint64_t(args.len) - 1;
    } else if (args.len == 0) {
        if (start < 0)
            return error(EINVAL);
        lock.start = std::uint64_t(start);
    } else {
        // A negative length locks the bytes before start (POSIX.1-2001).
        if (start + args.len < 0)
            return error(EINVAL);
        lock.start = std::uint64_t(start + args.len);
        lock.end = std::uint64_t(start) - 1;
    }
    if (is_ofd_cmd(cmd)) {
        if (args.pid != 0)
            return error(EINVAL);  // fcntl(2): l_pid must be 0 for OFD locks.
        lock.kind = LockKind::Ofd;
        lock.owner = &file;
    } else {
        lock.kind = LockKind::Posix;
        lock.owner = task.files.get();
    }
    lock.pid = task.tgid;
    return lock;
}

ErrorOr<Blocking> Kernel::fcntl_lock(pid_t caller, int fd, int cmd, FlockArgs& args)
{
    Task* me = TRY(current(caller));
    OpenFileDescription* file = TRY(fget(*me, fd));
    if (cmd != F_GETLK && cmd != F_SETLK && cmd != F_SETLKW && !is_ofd_cmd(cmd))
        return error(EINVAL);
    FileLock const request = TRY(lock_request(*me, *file, cmd, args));
    Inode& inode = *file->inode;
    if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
        // Linux: posix_test_lock(). Report the first lock in the way, or F_UNLCK if none is.
        FileLock const* held = nullptr;
        if (request.type == F_UNLCK) {
            // Since Linux 6.10, F_OFD_GETLK with F_UNLCK asks "does this description hold a
            // lock here?"; plain F_GETLK still refuses it.
            if (cmd == F_GETLK)
                return error(EINVAL);
            held = inode.locks.held_by(request);
        } else {
            held = inode.locks.conflict(request);
        }
        if (!held) {
            args.type = F_UNLCK;
            return Blocking{};
        }
        args.type = held->type;
        args.whence = SEEK_SET;
        args.start = std::int64_t(held->start);
        args.len = held->end == FileLock::kToEof ? 0 : std::int64_t(held->end - held->start + 1);
        args.pid = held->kind == LockKind::Ofd ? -1 : held->pid;
        return Blocking{};
    }
    // Linux: check_fmode_for_setlk(). A read lock needs a readable description, a write lock
    // a writable one.
    if ((request.type == F_RDLCK && !file->readable()) || (request.type == F_WRLCK && !file->writable()))
        return error(EBADF);
    if (request.type != F_UNLCK) {
        if (FileLock const* held = inode.locks.conflict(request))
            return lock_wait(*me, inode, request, *held, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
    }
    inode.locks.apply(request);
    emit_extra(EventKind::FileLocked, lock_aux(std::uint8_t(request.kind), request.type), me->pid, 0,
        std::uint32_t(inode.ino), std::int64_t(request.start));
    wake_up_queue(inode.lock_wait, &inode);  // An unlock or a downgrade may let a waiter in.
    return Blocking{};
}

// A request that conflicts: EAGAIN (EWOULDBLOCK) if the caller will not wait; EDEADLK if waiting
// would close a circle of POSIX lock owners each waiting for the next; otherwise sleep until a
// lock on the file changes, then try again.
ErrorOr<Blocking> Kernel::lock_wait(Task& task, Inode& inode, FileLock const& request, FileLock const& held, bool wait)
{
    auto conflict = [&](LockOutcome outcome) {
        emit_extra(EventKind::LockConflict, lock_aux(std::uint8_t(request.kind), request.type), task.pid, held.pid,
            std::uint32_t(inode.ino), std::int64_t(outcome));
    };
    if (!wait) {
        conflict(LockOutcome::WouldBlock);
        return error(EAGAIN);
    }
    if (request.kind == LockKind::Posix && held.kind == LockKind::Posix && posix_locks_deadlock(task, held)) {
        conflict(LockOutcome::Deadlock);
        return error(EDEADLK);
    }
    if (signal_pending(task))
        return Blocking{Blocking::Kind::Interrupted, 0};
    conflict(LockOutcome::Sleeps);
    sleep_on(task, inode.lock_wait, &inode, BlockReason::FileLock);
    task.lock_blocked_by = held.owner;
    return Blocking{Blocking::Kind::Sleeping, 0};
}

// Linux: posix_locks_deadlock(). Follow "the owner of the lock in my way is itself waiting behind
// the lock of ..." and see whether the chain comes back to the caller's process.
bool Kernel::posix_locks_deadlock(Task const& task, FileLock const& held) const
{
    void const* owner = held.owner;
    for (int depth = 0; depth < 10 && owner; ++depth) {  // Linux: MAX_DEADLK_ITERATIONS.
        void const* next = nullptr;
        for (Task const& t : m_tasks)
            if (t.files.get() == owner && t.blocked_on == BlockReason::FileLock && t.lock_blocked_by)
                next = t.lock_blocked_by;
        if (next == task.files.get())
            return true;
        owner = next;
    }
    return false;
}

// flock(2): one lock per description on the whole file, shared (LOCK_SH) or exclusive (LOCK_EX).
// Converting one drops it first, so a conversion that has to wait has let go meanwhile -- as in
// Linux, where flock conversions are not atomic.
ErrorOr<Blocking> Kernel::flock(pid_t caller, int fd, int operation)
{
    Task* me = TRY(current(caller));
    OpenFileDescription* file = TRY(fget(*me, fd));
    int const op = operation & ~LOCK_NB;
    if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
        return error(EINVAL);
    Inode& inode = *file->inode;
    FileLock request;
    request.kind = LockKind::Flock;
    request.type = short(op == LOCK_SH ? F_RDLCK : op == LOCK_EX ? F_WRLCK : F_UNLCK);
    request.owner = file;
    request.pid = me->tgid;
    for (FileLock const& mine : inode.locks.all())
        if (mine.kind == LockKind::Flock && mine.owner == file && mine.type == request.type)
            return Blocking{};  // Already held just so.
    if (inode.locks.remove_owner(file, LockKind::Flock))
        wake_up_queue(inode.lock_wait, &inode);
    if (request.type != F_UNLCK) {
        if (FileLock const* held = inode.locks.conflict(request))
            return lock_wait(*me, inode, request, *held, !(operation & LOCK_NB));
        inode.locks.apply(request);
    }
    emit_extra(EventKind::FileLocked, lock_aux(std::uint8_t(LockKind::Flock), request.type), me->pid, 0,
        std::uint32_t(inode.ino), 0);
    return Blocking{};
}

}  // namespace forklab
