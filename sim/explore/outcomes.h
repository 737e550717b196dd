// Every possible outcome of a program: the answer to "which outputs can this fork puzzle
// print?", found by exploring every interleaving of its tasks -- each point where the
// scheduler could run more than one task -- instead of the one a policy picks.
//
// The search is depth-first over the choice points of one lang::Session. Going down is a step;
// going back to a choice point rebuilds the state by replaying the shared prefix from the start
// (the kernel is deterministic and not copyable), so each branch costs one replay of its prefix.
// Two reductions keep the search small without losing an outcome:
//   - State hashing (explore/state_hash.h): a choice point whose state was met before, by
//     another order of the same steps, is not explored again.
//   - Persistent sets (partial-order reduction): when the next steps of a few runnable tasks
//     -- often one -- are independent of everything every task left out could still do
//     (explore/footprint.h reads that from their code), only those tasks are run there. A
//     step that only computes on private memory commutes with everything; a plain fork with
//     everything but kill and process-group calls; an exit that holds only terminals and has
//     nothing to flush with everything but its parent's wait and signal calls and its
//     children's getppid; terminal writes with everything but other file operations. If a
//     step turns out to have done more than its code promised (a signal, a sleep, a fault
//     that was not a plain private one), the tasks left out are explored there too.
// Reordering forks among themselves, and exits before forks, assumes no fork fails: a fork
// that fails in one order and not in another is a different outcome. The explorer checks
// afterwards that no fork failed and that the most processes any order could have alive fit
// every limit (pid_max, threads-max, RLIMIT_NPROC, no cgroup pids.max); if not, it explores
// again without that assumption.
// A bound on the number of choice points explored, and optionally on the time taken, keeps a
// runaway program from taking forever; when one is hit the result says so, and the list may be
// incomplete.
#pragma once

#include "lang/runner.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace forklab::explore {

struct ExploreOptions {
    std::uint64_t max_states = 100'000;  // Choice points explored before giving up.
    // Time spent before giving up, for a caller that must answer soon (the GUI); zero: none.
    // A choice point can cost a millisecond or more when a hundred processes are alive.
    std::chrono::milliseconds max_time{0};
    bool reduce = true;                  // Run one task alone where that loses nothing (tests
                                         // compare with false: every order of every step).
    // States that differ only in the numbering of pids are explored once (state_hash.h).
    // A program whose output shows pids then gets its outputs for some numberings of its
    // processes, not every one (verify normalises pids the same way).
    bool pid_symmetry = true;
};

// One distinct end of the program: what the terminal showed, and how the run ended.
struct Outcome {
    std::string output;
    lang::RunEnd end = lang::RunEnd::Finished;
    std::string error;             // Why it did not finish (a deadlock, the step budget).
    std::vector<pid_t> schedule;   // One schedule that gives it, for RunOptions::schedule.
    std::uint64_t end_states = 0;  // Distinct end states (by state hash) that show it.
    std::uint64_t runs = 0;        // Explored runs that ended in it.
    bool expect_failed = false;    // An EXPECT failed in the first such run.
};

struct Exploration {
    bool ok = true;                  // False: the program could not run (see error).
    std::string error;               // A compile error, or why the program could not start.
    std::vector<Outcome> outcomes;   // In the order they were found (the first is what the
                                     // lowest pid running first at every choice gives).
    std::uint64_t states = 0;        // Choice points explored.
    std::uint64_t pruned = 0;        // Choice points met again and not explored twice.
    std::uint64_t runs = 0;          // Runs explored to their end.
    std::uint64_t steps = 0;         // Statements executed, replays included.
    bool bound_hit = false;          // max_states or max_time was reached: the list may be
                                     // incomplete.
};

// Explore `source` run with `options` (their schedule and scheduling policy are ignored: the
// explorer makes every choice). options.max_steps bounds each run.
Exploration explore(std::string path, std::string source, lang::RunOptions options, ExploreOptions const& how = {});

// How an explored set of outputs compares with a declared one (a scenario's `outcome:` lines).
struct OutcomeCheck {
    std::vector<std::string> missing;     // Declared, never produced.
    std::vector<std::string> unexpected;  // Produced (by a run that finished), not declared.
    std::vector<std::string> problems;    // Runs that did not finish, failed EXPECTs, the bound.
    bool pass() const { return missing.empty() && unexpected.empty() && problems.empty(); }
};
OutcomeCheck compare_outcomes(Exploration const& found, std::vector<std::string> const& declared);

// "7,7,8,7": a schedule as `forklab run --schedule` takes it.
std::string schedule_text(std::vector<pid_t> const& schedule);

}  // namespace forklab::explore
