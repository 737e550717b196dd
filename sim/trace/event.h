// The event log: every observable change in the model kernel, in order, stamped with the step
// at which it happened. Clients (CLI, GUI, tests) read the log; they never guess from kernel
// internals what happened.
//
// An event is a small typed record (32 bytes), so a run with a million forks keeps its whole
// history; explain() renders the one-line explanation, naming the rule, when somebody asks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace forklab {

enum class EventKind : std::uint8_t {
    Fork,             // pid forked other; aux = ForkKind.
    ForkFailed,       // pid's fork failed with errno value; aux = ForkFailure.
    Exec,             // pid replaced its program image.
    Exit,             // pid exited; value = raw wait status; aux = ExitFate.
    Reap,             // pid (the parent) reaped other; value = raw wait status; aux = ReapKind.
    Reparent,         // pid's parent other exited; value = new parent; aux = ReparentReason.
    SignalSent,       // other sent signal value to pid; aux = SignalReason.
    SignalDiscarded,  // signal value to pid was discarded (ignored); aux = SignalReason.
    SignalCoalesced,  // signal value was already pending for pid: standard signals do not queue.
    SignalDefault,    // pid took the default action of signal value.
    SignalHandled,    // pid runs its handler for signal value.
    Stopped,          // pid stopped by signal value.
    Continued,        // pid continued by SIGCONT.
    Blocked,          // pid sleeps; aux = BlockReason.
    Woken,            // pid woke; aux = BlockReason it slept in.
    WaitReported,     // pid's wait reported other's stop/continue; value = raw wait status.
    SetPgid,          // pid moved to process group value.
    SetSid,           // pid started session value.
    SetRlimit,        // pid set resource aux to value (soft limit).
    SetUid,           // pid's uids changed to value.
    PidNsZap,         // the init of a pid namespace (pid) exited: every process in it is killed.
    PageFault,        // pid faulted; aux = FaultResult::Kind | 0x20 file page | 0x40 write |
                      // 0x80 table copied;
                      // value = address | old frame's references << 48; other = old frame;
                      // extra = new frame.
    MmDup,            // pid's fork copied its address space for other; aux = ForkStrategy;
                      // value = page-table entries copied; extra = page-table pages shared.
    OomKill,          // pid was killed: no free frame for its fault at address value.
    FileOpened,       // pid opened inode other as fd value; extra = description id; aux = InodeKind.
    FileClosed,       // pid closed fd value; extra = description id; aux = CloseReason, | 0x80
                      // when that was the description's last reference (it is freed).
    FileDup,          // pid duplicated fd other as fd value; extra = description id; aux = 1 if
                      // the new descriptor is close-on-exec.
    FileRead,         // pid read through description extra; value = io_value(bytes, offset
                      // after); aux = InodeKind; other = a process sharing the description.
    FileWrite,        // The same for a write.
    FileSeek,         // pid moved description extra's offset to value; other = a sharer.
    PipeCreated,      // pid created pipe inode other; value = read fd | write fd << 32; extra =
                      // the read end's description (the write end's is the next).
    FileLocked,       // pid took a lock on inode extra; aux = lock_aux(kind, type); value = start.
    LockConflict,     // pid's lock on inode extra conflicts with other's; aux = lock_aux(kind,
                      // type); value = LockOutcome.
    LocksReleased,    // value locks of pid on inode extra went; aux = lock_aux(kind, 0) | why << 4
                      // (0: the description's last close, 1: a close by the owning process).
    ExecFailed,       // pid's exec failed with errno value; the old program runs on.
    Unlinked,         // pid removed a name of inode other; value = links left.
};

inline constexpr int kEventKindCount = int(EventKind::Unlinked) + 1;  // Keep at the last kind.

// Why a descriptor closed.
enum class CloseReason : std::uint8_t { Close, Dup2, Exec, Exit };
// What a conflicting lock request did.
enum class LockOutcome : std::uint8_t { WouldBlock, Sleeps, Deadlock };

// A read or write's size and the offset after it, in one event value: 23 bits and 40 bits.
constexpr std::int64_t io_value(std::uint64_t bytes, std::uint64_t offset)
{
    std::uint64_t const b = bytes < (1u << 23) ? bytes : (1u << 23) - 1;
    std::uint64_t const o = offset < (std::uint64_t(1) << 40) ? offset : (std::uint64_t(1) << 40) - 1;
    return std::int64_t(b << 40 | o);
}
constexpr std::uint64_t io_bytes(std::int64_t value) { return std::uint64_t(value) >> 40; }
constexpr std::uint64_t io_offset(std::int64_t value) { return std::uint64_t(value) & ((std::uint64_t(1) << 40) - 1); }
// A lock event's aux: the kind (LockKind) in bits 0-1, the type (F_RDLCK 0, F_WRLCK 1,
// F_UNLCK 2) in bits 2-3.
constexpr std::uint8_t lock_aux(std::uint8_t kind, int type) { return std::uint8_t(kind | (type & 3) << 2); }

enum class ForkKind : std::uint8_t { Fork, Vfork, Clone, Thread };

// Why a fork failed: which of Linux's checks in copy_process() said no.
enum class ForkFailure : std::uint8_t {
    BadFlags, Nproc, ThreadsMax, PidMax, PidsCgroup, PidNsDead, Deadline, NewPidNsPerm,
    SignalPending, NoMemory,
};

enum class ExitFate : std::uint8_t { Zombie, Autoreaped, ReapedByInit, ThreadReleased, Delayed };

// Who reaped a zombie: its parent in wait(), the kernel because the parent ignores SIGCHLD
// (or set SA_NOCLDWAIT), or an init that reaps everything it is given.
enum class ReapKind : std::uint8_t { Wait, SigchldIgnored, Init };

enum class ReparentReason : std::uint8_t { Init, Subreaper, Thread, NamespaceInit };

enum class SignalReason : std::uint8_t {
    Kill, ChildExited, ChildStopped, ChildContinued, ParentDeath, Alarm, Timer,
    OrphanedPgrp, NamespaceZap, Kernel, Fault, OutOfMemory, BrokenPipe,
};

enum class BlockReason : std::uint8_t { None, Wait, Vfork, Pause, PidNsZap, Sleep, PipeRead, PipeWrite, FileLock };

struct Event {
    std::uint64_t step = 0;
    EventKind kind{};
    std::uint8_t aux = 0;  // The kind's sub-reason (ForkKind, ExitFate, ...).
    pid_t pid = 0;         // The task the event is about.
    pid_t other = 0;       // The second task, where there is one.
    std::uint32_t extra = 0;  // A second number (a frame, a count) where the kind needs one.
    std::int64_t value = 0;
};
static_assert(sizeof(Event) <= 32);

// The one-line explanation, naming the rule: "pid 7's parent (pid 5) exited; pid 7 is
// reparented to init (pid 1), which will reap it".
std::string explain(Event const&);
std::string_view event_kind_name(EventKind);

class EventLog {
public:
    void append(Event const& event) { m_events.push_back(event); }
    std::size_t size() const { return m_events.size(); }
    Event const& operator[](std::size_t i) const { return m_events[i]; }
    std::span<Event const> all() const { return m_events; }
    std::span<Event const> since(std::size_t first) const
    {
        return std::span<Event const>(m_events).subspan(first < size() ? first : size());
    }
    void clear() { m_events.clear(); }

private:
    std::vector<Event> m_events;
};

}  // namespace forklab
