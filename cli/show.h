// Kernel state in the shapes Unix users know: `ps -ef`, /proc/PID/maps and `lsof`. Each dump
// keeps the real tool's headers and column order, and leaves out the columns the model has no
// value for (CPU usage, the terminal, device numbers). `forklab tree --show` and `forklab run
// --show` print them.
#pragma once

#include "kernel/kernel.h"

#include <iosfwd>
#include <string_view>

namespace forklab::cli {

// ps -ef: UID PID PPID, then PGID and SID (as ps -efj adds them), the state letter (ps -l's S),
// STIME as the step at which the process was forked, and CMD (its argv, or [comm] <defunct>).
void show_ps(std::ostream&, Kernel const&);

// /proc/PID/maps of every live process, each after a `==> /proc/PID/maps <==` line as
// `tail -n +1 /proc/*/maps` prints them: address range, perms (rwx and p/s), offset, device,
// inode and pathname -- the program's path for its text and data, [heap], [stack].
void show_maps(std::ostream&, Kernel const&);
void show_maps(std::ostream&, Kernel const&, Task const&);  // One process's, without the heading.

// lsof -o +fg: COMMAND PID USER FD TYPE FILE-FLAG OFFSET NODE OFD NAME. FD is the descriptor
// with its access mode letter (r, w, u) and lsof's lock letter (R/W whole file, r/w part);
// FILE-FLAG is lsof's W, RW, AP, NB, CX (close-on-exec), LG; OFD is the model's number of the
// open file description, so descriptors that share one (after fork or dup) show the same #N.
// cwd and txt lines come first for each process, as lsof prints them.
void show_fds(std::ostream&, Kernel const&);

// The dump named `what` ("ps", "maps" or "fds"); false when there is no such dump.
bool show(std::ostream&, Kernel const&, std::string_view what);
inline constexpr std::string_view kShowChoices[] = {"ps", "maps", "fds"};

}  // namespace forklab::cli
