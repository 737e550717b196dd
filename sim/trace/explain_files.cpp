// One-line explanations of what happened to descriptors, open file descriptions, pipes and locks.
#include "trace/explain_files.h"

#include "base/error.h"
#include "base/format.h"
#include "fs/inode.h"
#include "fs/locks.h"

#include <fcntl.h>

namespace forklab {

namespace {

std::string_view lock_kind_text(std::uint8_t aux)
{
    switch (LockKind(aux & 3)) {
    case LockKind::Flock: return "flock";
    case LockKind::Posix: return "POSIX record lock";
    case LockKind::Ofd: return "OFD lock";
    }
    return "lock";
}

std::string_view lock_type_text(std::uint8_t aux)
{
    switch ((aux >> 2) & 3) {
    case F_RDLCK: return "shared (read)";
    case F_WRLCK: return "exclusive (write)";
    default: return "no";
    }
}

std::string io_text(Event const& e, bool write)
{
    auto const kind = InodeKind(e.aux);
    std::uint64_t const bytes = io_bytes(e.value);
    if (kind == InodeKind::Pipe) {
        if (!write && bytes == 0)
            return format("pid {} read end-of-file from a pipe (description #{}): the pipe is empty and no write end is open anywhere", e.pid, e.extra);
        return format("pid {} {} {} bytes {} a pipe (description #{})", e.pid, write ? "wrote" : "read", bytes, write ? "into" : "from", e.extra);
    }
    if (kind == InodeKind::Terminal)
        return format("pid {} {} {} bytes {} the terminal", e.pid, write ? "wrote" : "read", bytes, write ? "to" : "from");
    std::string head = format("pid {} {} {} bytes through open file description #{} (offset now {})", e.pid,
        write ? "wrote" : "read", bytes, e.extra, io_offset(e.value));
    if (e.other)
        head += format(": pid {} shares that description, so the offset moved for both", e.other);
    return head;
}

std::string close_text(Event const& e)
{
    bool const last = e.aux & 0x80;
    std::string const why = [&]() -> std::string {
        switch (CloseReason(e.aux & 0x7f)) {
        case CloseReason::Close: return format("pid {} closed fd {}", e.pid, e.value);
        case CloseReason::Dup2: return format("fd {} of pid {} was closed by dup2 to make room", e.value, e.pid);
        case CloseReason::Exec: return format("fd {} of pid {} was close-on-exec, so exec closed it", e.value, e.pid);
        case CloseReason::Exit: return format("pid {} exited, which closed its fd {}", e.pid, e.value);
        }
        return "?";
    }();
    if (last)
        return why + format("; it was the last reference to open file description #{}, which is freed", e.extra);
    return why + format("; open file description #{} stays open for its other descriptors", e.extra);
}

std::string lock_conflict_text(Event const& e)
{
    std::string head = format("pid {} asked for a {} {} but pid {} holds a conflicting lock", e.pid,
        lock_type_text(e.aux), lock_kind_text(e.aux), e.other);
    switch (LockOutcome(e.value)) {
    case LockOutcome::WouldBlock: return head + ", so the call fails with EAGAIN rather than wait";
    case LockOutcome::Sleeps: return head + "; it sleeps until that lock is released";
    case LockOutcome::Deadlock: return head + " that is itself waiting for one of pid " + std::to_string(e.pid) + "'s locks: waiting would deadlock, so EDEADLK";
    }
    return head;
}

}  // namespace

std::string explain_file_event(Event const& e)
{
    switch (e.kind) {
    case EventKind::FileOpened:
        return format("pid {} opened a {} (inode {}) as fd {}: a new open file description #{} with offset 0",
            e.pid, inode_kind_name(InodeKind(e.aux)), e.other, e.value, e.extra);
    case EventKind::FileClosed: return close_text(e);
    case EventKind::FileDup:
        return format("pid {}'s fd {} now names open file description #{} too (the same one as fd {}): they share its offset and status flags{}",
            e.pid, e.value, e.extra, e.other, e.aux ? "; only the new fd is close-on-exec" : "; the new fd is not close-on-exec");
    case EventKind::FileRead: return io_text(e, false);
    case EventKind::FileWrite: return io_text(e, true);
    case EventKind::FileSeek:
        return format("pid {} moved the offset of open file description #{} to {}{}", e.pid, e.extra, e.value,
            e.other ? format(": pid {} shares it, so its next read or write starts there too", e.other) : std::string());
    case EventKind::PipeCreated:
        return format("pid {} created a pipe: fd {} is the read end, fd {} the write end (descriptions #{} and #{})",
            e.pid, std::uint64_t(e.value) & 0xffffffff, std::uint64_t(e.value) >> 32, e.extra, e.extra + 1);
    case EventKind::FileLocked:
        if (((e.aux >> 2) & 3) == F_UNLCK)
            return format("pid {} released its {} on inode {}", e.pid, lock_kind_text(e.aux), e.extra);
        return format("pid {} holds a {} {} on inode {}{}", e.pid, lock_type_text(e.aux), lock_kind_text(e.aux), e.extra,
            LockKind(e.aux & 3) == LockKind::Posix ? ": it belongs to the process, so a child does not inherit it"
                                                   : ": it belongs to the open file description, so a forked child shares it");
    case EventKind::LockConflict: return lock_conflict_text(e);
    case EventKind::LocksReleased:
        if (e.aux >> 4)
            return format("pid {} closed a descriptor for inode {}, and that released all {} of its POSIX record locks on the file (any close does)", e.pid, e.extra, e.value);
        return format("pid {} closed the last descriptor for an open file description, releasing the description's {} on inode {}", e.pid, lock_kind_text(e.aux), e.extra);
    case EventKind::ExecFailed:
        return format("pid {}'s exec failed with {}: exec returns -1 and the old program carries on, unchanged", e.pid,
            Error::from_errno(int(e.value)).name());
    case EventKind::Unlinked:
        return format("pid {} removed a name of inode {} ({} left); the file lives on while a descriptor still has it open", e.pid, e.other, e.value);
    default: return {};
    }
}

}  // namespace forklab
