// The timeline's filter: the events of the selected tasks only, and of the kinds the class
// wants to see. The kernel has some thirty event kinds; a lecture talks about a handful of
// families (fork, exec, exit, signals, page faults, file I/O), so the filter's chips are those
// families, and each kind belongs to exactly one of them.
#pragma once

#include "trace/event.h"

#include <cstdint>
#include <set>
#include <span>
#include <string_view>
#include <vector>

namespace forklab::gui {

enum class EventFamily : std::uint8_t { Fork, Exec, Exit, Signal, Fault, Io, Other };
inline constexpr int kEventFamilyCount = int(EventFamily::Other) + 1;

EventFamily event_family(EventKind);
std::string_view event_family_name(EventFamily);  // "fork", "exec", ..., as the chips say.

// True when the event is about `pid`: it is the task that acted, or the second task of an event
// that names one (the child of a fork, the reaped child, the sender of a signal, the exited
// parent or the new parent of a reparenting, the holder of a conflicting lock). The `other` of
// a page fault (a frame) or of an open (an inode) is not a pid, so a pid that happens to equal
// such a number does not match.
bool involves(Event const&, pid_t pid);

struct EventFilter {
    std::set<pid_t> pids;         // Empty: every task's events.
    std::uint32_t hidden = 0;     // One bit per EventFamily: set when that family is hidden.

    bool shows(EventFamily f) const { return !(hidden >> int(f) & 1u); }
    void toggle(EventFamily f) { hidden ^= 1u << int(f); }
    bool shows(Event const&) const;
};

// The events the timeline lists: indices into the run's events, in order, and how many of
// them happened at or before step `now` (the rest are the run's future).
struct FilteredEvents {
    std::vector<std::size_t> rows;
    std::size_t past = 0;
};

FilteredEvents filter_events(std::span<Event const> events, EventFilter const&, std::uint64_t now);

}  // namespace forklab::gui
