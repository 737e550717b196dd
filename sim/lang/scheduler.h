// Who runs next: the scheduling policies, as one pure function of what the last step did and
// which tasks may run now. The session (lang/session.h) keeps the context and records each
// choice; a replay follows the record and never asks the policy again.
//
// Every policy breaks ties the same documented way: when the task that ran last may not run on
// (it blocked, exited, used up its quantum, or simply yielded), the next one is the
// lowest-pid runnable task -- for a course's programs the oldest process, usually the parent
// that was woken from wait() by its child's exit, which is also whom Linux's CFS tends to run
// next (a sleeper comes back with a small vruntime). Round-robin goes on around the ring of
// runnable pids instead, and random draws among them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include <sys/types.h>

namespace forklab::lang {

enum class SchedPolicy : std::uint8_t {
    ParentFirst,  // Linux's default since 2.6.32 (sched_child_runs_first = 0): the parent runs on.
    ChildFirst,   // A new child runs before its parent continues.
    RoundRobin,   // Each runnable task runs `quantum` steps in turn, in pid order.
    Random,       // A seeded random choice at every step: deterministic for a given seed.
    Manual,       // A client (the GUI, a schedule) chooses each step's task.
};

struct SchedOptions {
    SchedPolicy policy = SchedPolicy::ParentFirst;
    std::uint32_t quantum = 1;  // RoundRobin: steps per turn.
    std::uint64_t seed = 1;     // Random.
    // Simulated time one step takes: 1 µs, so sleep(1) lets the others run a million
    // statements before the sleeper wakes (when every task sleeps the clock jumps instead).
    std::uint64_t ns_per_step = 1000;
};

// What the scheduler knows of the step just taken.
struct SchedContext {
    std::uint64_t step = 0;   // Steps taken so far; the next one is step + 1.
    pid_t last = 0;           // Who ran the last step (0: none yet).
    std::uint32_t run = 0;    // How many steps in a row `last` has run.
    bool yielded = false;     // The last step ended with `last` asleep, stopped or gone.
    pid_t forked = 0;         // The child the last step's fork or vfork created, if any.
};

// The task to run next among `runnable` (sorted by pid, not empty). Manual has no choice of
// its own: it answers like parent-first, for a client that asks anyway.
pid_t pick_next(SchedOptions const& options, SchedContext const& context, std::span<pid_t const> runnable);

// "parent-first", "child-first", "round-robin[:N]", "random[:SEED]", "manual".
std::optional<SchedOptions> parse_sched(std::string_view text);
std::string sched_name(SchedOptions const& options);

// "7,7,8": the pid that runs each step, as `forklab outcomes` prints a schedule (empty text:
// no schedule). std::nullopt when a piece is not a positive number.
std::optional<std::vector<pid_t>> parse_schedule(std::string_view text);

}  // namespace forklab::lang
