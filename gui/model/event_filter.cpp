#include "model/event_filter.h"

namespace forklab::gui {

EventFamily event_family(EventKind kind)
{
    switch (kind) {
    case EventKind::Fork:
    case EventKind::ForkFailed:
    case EventKind::MmDup:
        return EventFamily::Fork;
    case EventKind::Exec:
    case EventKind::ExecFailed:
        return EventFamily::Exec;
    case EventKind::Exit:
    case EventKind::Reap:
    case EventKind::Reparent:
    case EventKind::PidNsZap:
        return EventFamily::Exit;
    case EventKind::SignalSent:
    case EventKind::SignalDiscarded:
    case EventKind::SignalCoalesced:
    case EventKind::SignalDefault:
    case EventKind::SignalHandled:
    case EventKind::Stopped:
    case EventKind::Continued:
    case EventKind::WaitReported:
        return EventFamily::Signal;
    case EventKind::PageFault:
    case EventKind::OomKill:
        return EventFamily::Fault;
    case EventKind::FileOpened:
    case EventKind::FileClosed:
    case EventKind::FileDup:
    case EventKind::FileRead:
    case EventKind::FileWrite:
    case EventKind::FileSeek:
    case EventKind::PipeCreated:
    case EventKind::FileLocked:
    case EventKind::LockConflict:
    case EventKind::LocksReleased:
    case EventKind::Unlinked:
        return EventFamily::Io;
    case EventKind::Blocked:
    case EventKind::Woken:
    case EventKind::SetPgid:
    case EventKind::SetSid:
    case EventKind::SetRlimit:
    case EventKind::SetUid:
        return EventFamily::Other;
    }
    return EventFamily::Other;
}

std::string_view event_family_name(EventFamily f)
{
    switch (f) {
    case EventFamily::Fork: return "fork";
    case EventFamily::Exec: return "exec";
    case EventFamily::Exit: return "exit";
    case EventFamily::Signal: return "signal";
    case EventFamily::Fault: return "fault";
    case EventFamily::Io: return "files";
    case EventFamily::Other: return "other";
    }
    return "other";
}

namespace {

// Which events carry a second task in `other` (see trace/event.h): for the rest it is a frame,
// an inode, an fd or nothing.
bool other_is_a_task(EventKind kind)
{
    switch (kind) {
    case EventKind::Fork:         // The child.
    case EventKind::MmDup:        // The child whose address space was made.
    case EventKind::Reap:         // The reaped child.
    case EventKind::Reparent:     // The parent that exited.
    case EventKind::SignalSent:   // The task that caused it, where there is one.
    case EventKind::WaitReported: // The child whose stop or continue was reported.
    case EventKind::LockConflict: // The holder of the lock in the way.
    case EventKind::FileRead:     // A task sharing the description: its offset moved too.
    case EventKind::FileWrite:
    case EventKind::FileSeek:
        return true;
    default:
        return false;
    }
}

}  // namespace

bool involves(Event const& e, pid_t pid)
{
    if (e.pid == pid)
        return true;
    if (other_is_a_task(e.kind) && e.other == pid)
        return true;
    // A reparenting is also the new parent's: the orphan is now its child.
    return e.kind == EventKind::Reparent && e.value == pid;
}

bool EventFilter::shows(Event const& e) const
{
    if (!shows(event_family(e.kind)))
        return false;
    if (pids.empty())
        return true;
    for (pid_t p : pids)
        if (involves(e, p))
            return true;
    return false;
}

FilteredEvents filter_events(std::span<Event const> events, EventFilter const& filter, std::uint64_t now)
{
    FilteredEvents out;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (!filter.shows(events[i]))
            continue;
        out.rows.push_back(i);
        if (events[i].step <= now)
            out.past = out.rows.size();
    }
    return out;
}

}  // namespace forklab::gui
