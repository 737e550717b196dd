// What a step of a task can touch that another task can see or change: the explorer's
// dependency relation (explore/outcomes.h).
//
// Two steps of different tasks are independent when running them in either order ends in the
// same state and neither stops the other from running. The explorer runs one task alone at a
// choice point -- without trying the others first -- when its next step is independent of
// everything every other task could still do before it (a persistent set of one task, in the
// terms of partial-order reduction). Everything a task could still do is read from its code:
// each library call it can reach, from where it is now to the end of main, is sorted into a
// few kinds of shared state below.
//
// The kinds are coarse on purpose. Every file operation depends on every other; any call that
// reads the clock, sends a signal, execs, maps memory or asks about frames depends on
// everything. What makes the classic puzzles cheap is three facts the kernel gives:
//   - A plain fork depends on no other task's wait, getppid or signal calls: those see only the
//     caller's own children, parent and signal state, and the new child is nobody's but the
//     forker's. Which of two forks gets the lower pid only renames the processes, and the
//     explorer's state hash already counts states equal up to that renaming.
//   - An exit that writes nothing and holds only terminal descriptors depends only on those
//     calls made by its parent or its children (or by a task that may adopt it). Whose zombie
//     init reaps, or when, is not something a program can see without wait() or a signal.
//   - A write to the terminal depends only on other file operations.
#pragma once

#include "kernel/kernel.h"
#include "lang/machine.h"

#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <vector>

namespace forklab::explore {

// Bits of what a step touches.
using Touch = std::uint8_t;
inline constexpr Touch kTouchNone = 0;
inline constexpr Touch kTouchSpawn = 1;  // A plain fork: a new pid and a new child.
inline constexpr Touch kTouchExit = 2;   // The task's death: zombie, reparenting, SIGCHLD.
inline constexpr Touch kTouchChildren = 4;  // Sees its children's deaths: wait, SIGCHLD, its signal state.
inline constexpr Touch kTouchFiles = 8;     // Descriptors, files, pipes, the terminal.
inline constexpr Touch kTouchAll = 16;      // Anything: depends on every step.
inline constexpr Touch kTouchParent = 32;   // Sees who its parent is (getppid).

// How the task that may do `other` stands to the one taking `step`: a death is seen only by
// the dead task's parent (or a task that may adopt it: a subreaper, a namespace's init) and by
// its children -- as a signal, too, by a child that asked for PR_SET_PDEATHSIG.
struct Kinship {
    bool other_is_parent = false;    // It is the stepping task's parent ...
    bool other_is_child = false;     // ... or its child.
    bool other_adopts = false;       // It may become the stepping task's parent.
    bool step_adopts = false;        // The stepping task may become its parent.
    bool step_has_pdeath = false;    // The stepping task gets a signal when its parent dies.
    bool other_has_pdeath = false;   // The other one does.
};

// Whether a step touching `step` can depend on a step touching `other` of a task standing to
// it as `kin` says. `spawns_commute`: two plain forks are independent (pids are counted up to
// renaming, and no fork can fail).
bool depends(Touch step, Touch other, Kinship const& kin, bool spawns_commute);

// What a call of the library function `name` can touch, by what it does (an unknown name:
// everything).
Touch call_touch(std::string_view name);

// What the step events `events` of task `pid` show it touched: a plain fork, its death, a
// write, a last close; a signal, a sleep or a fault that was not a plain private page fault
// make it everything.
Touch events_touch(std::span<Event const> events, pid_t pid);

// Whether an exit of the task would write or close anything another task can see: stdout or
// stderr holds bytes the exit flushes (read from the FILEs in its memory, without faulting
// anything in), or it holds a descriptor that is not a terminal (a pipe's last writer closing,
// a lock released). A task whose exit would not is one whose death only its family can see.
bool exit_touches_files(Task const& task, lang::CompiledProgram const& program);

// The calls each place in one compiled program can still reach, worked out once per program.
class CodeFootprint {
public:
    explicit CodeFootprint(lang::CompiledProgram const& program);

    // Everything a task running this program could still touch from its registers: the rest
    // of each function on its call stack, and the exit main's return leads to (its flush and
    // closes are exit_touches_files', for the caller to add).
    Touch future(lang::Cpu const& cpu);
    // What the statement at cpu.pc can touch, followed through jumps and into calls and
    // returns up to the next statement. A return from main counts as the exit it leads to.
    Touch statement(lang::Cpu const& cpu) const;

private:
    Touch rest_of_function(std::uint32_t pc);
    Touch insn_touch(lang::Insn const& in) const;
    void summarise_functions();

    lang::CompiledProgram const& m_program;
    std::vector<Touch> m_whole;           // By function index: the function and its callees.
    std::vector<std::int16_t> m_rest;     // By instruction: rest_of_function, or -1.
};

// The CodeFootprints of the programs a run meets, by program.
class Footprints {
public:
    CodeFootprint& of(lang::CompiledProgram const& program);

private:
    std::map<lang::CompiledProgram const*, CodeFootprint> m_programs;
};

}  // namespace forklab::explore
