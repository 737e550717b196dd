// A hash of everything in a run that can change what happens next: the explorer of every
// interleaving (explore/outcomes.h) explores two states with the same hash only once.
//
// Two runs that reach the same state by different schedules -- the child ran first here, the
// parent there -- hash equal, so the hash leaves out what only records history: the event log,
// which step wrote which byte of the terminal, frame numbers (which frame a copy-on-write fault
// happened to take), counters. It takes in what a program can observe or what decides its
// future: the terminal's text and how far its input was read, the clock, the pid allocator,
// every task's kernel state (state, exit status, family, signals and their dispositions, file
// descriptors and the descriptions behind them), the interpreter's registers for each task,
// the bytes of every page a task can have written, pipes' contents and regular files'
// contents.
#pragma once

#include "kernel/kernel.h"
#include "lang/machine.h"

#include <cstdint>

namespace forklab::explore {

struct HashOptions {
    // Pid symmetry: states that differ only in which numbers the processes got -- the child of
    // the first fork is 8 in one order and 9 in another -- hash equal. Each process is then
    // known by its place in the family tree (the 2nd child of the 1st child of the program),
    // not by its pid. Pids a program stored in its memory or printed still count, as bytes.
    bool pid_symmetry = false;
};

std::uint64_t state_hash(Kernel const& kernel, lang::Machine const& machine, HashOptions const& options = {});

}  // namespace forklab::explore
