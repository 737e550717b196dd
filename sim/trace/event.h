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
};

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
    OrphanedPgrp, NamespaceZap, Kernel, Fault, OutOfMemory,
};

enum class BlockReason : std::uint8_t { None, Wait, Vfork, Pause, PidNsZap, Io, Sleep };

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
