// The memory view's rows: for one process, each VMA and the virtual pages present in it, each
// mapped to its physical frame, with what a student needs to see the sharing: the frame's
// reference count, whether another mapping shares it, whether the page is copy-on-write
// protected, whether it is the zero page. Built from the kernel's read-only state only.
#pragma once

#include "kernel/kernel.h"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace forklab::gui {

struct PageCell {
    std::uint64_t va = 0;
    FrameNr frame = 0;
    std::uint32_t refs = 0;   // The frame's reference count (page-table entries and caches).
    bool writable = false;    // The entry allows writes now.
    bool cow = false;         // Write-protected in a writable private mapping: a write copies it.
    bool zero = false;        // The shared zero page.
    bool shared = false;      // Another mapping (or a page cache) holds the frame too.
    bool file = false;        // The frame is a file's (or the program's) own page-cache page.
    bool table_shared = false;  // Its page-table page is shared (On-demand-fork).
    // The last step's write fault copied this page: `copied_from` is the frame it left, which
    // had `copied_from_refs` references before the fault and has `copied_from_refs_now` now
    // (one fewer, unless others took or dropped theirs in the same step).
    std::optional<FrameNr> copied_from;
    std::uint32_t copied_from_refs = 0;
    std::uint32_t copied_from_refs_now = 0;
};

struct VmaRow {
    std::uint64_t start = 0, end = 0;
    VmaKind kind = VmaKind::Mmap;
    std::string name;    // "text", "data", "heap", "stack", or the mapped file.
    std::string perms;   // As /proc/PID/maps: "rw-p", "r-xp", "rw-s".
    std::uint64_t pages = 0;         // Pages the VMA spans.
    std::vector<PageCell> present;   // The pages with an entry, in address order.
};

struct MemoryView {
    pid_t pid = 0;
    bool has_mm = false;          // Kernel threads and reaped processes have none.
    bool mm_shared = false;       // The address space itself is shared (vfork, CLONE_VM).
    std::vector<VmaRow> vmas;
    Rss rss;
    MmCounters counters;          // This task's own fork and fault costs.
};

// The view of `pid`'s address space. `last_step_events` are the events of the step just taken:
// its copy-on-write faults mark the pages they copied.
MemoryView memory_view(Kernel const&, pid_t pid, std::span<Event const> last_step_events = {});

// The frames more than one of `views` maps, for drawing the same frame the same way in each.
std::vector<FrameNr> frames_in_common(std::span<MemoryView const> views);

// A copy-on-write fault's copy is animated for this long after the step that made it: the
// shared frame splits in two and the writer's entry moves to the new one.
inline constexpr float kCopyAnimationSeconds = 0.6f;

// How far the animation is, from 0 (the step was just taken) to 1 (the end state, which stays
// until the next step), `seconds` after the step; a `fixed` phase (screenshots) wins.
float copy_animation_phase(float seconds, std::optional<float> fixed = std::nullopt);

}  // namespace forklab::gui
