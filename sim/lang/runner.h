// A minimal run loop for tests and the first CLI: compile, install, exec as a student's process
// under init, then run tasks parent-first (keep running the current task until it blocks or
// exits, then the lowest-pid runnable one) until every task has exited or the step budget ends.
#pragma once

#include "kernel/kernel.h"
#include "lang/machine.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace forklab::lang {

// Who runs next when the running task blocks, exits or (round-robin) uses up its quantum.
enum class SchedPolicy : std::uint8_t {
    ParentFirst,  // Linux's default since 2.6.32 (sched_child_runs_first = 0): the parent runs on.
    ChildFirst,   // A new child runs before its parent continues.
    RoundRobin,   // Each runnable task runs `quantum` steps in turn.
    Random,       // A seeded random choice at every step: deterministic for a given seed.
    Manual,       // A client (the GUI, a schedule) chooses each step's task.
};

struct SchedOptions {
    SchedPolicy policy = SchedPolicy::ParentFirst;
    std::uint32_t quantum = 1;  // RoundRobin: steps per turn.
    std::uint64_t seed = 1;     // Random.
};

// A file the scenario creates in the simulated filesystem before the program starts.
struct FileSpec {
    std::string path;       // Absolute, e.g. "/tmp/in.txt" or "/home/student/data".
    std::string content;
    mode_t mode = 0644;
    uid_t owner = 1000;
};

struct RunOptions {
    std::uint64_t max_steps = 10'000'000;
    SchedOptions sched;
    std::optional<std::string> stdin_text;  // The terminal's input, then end-of-file.
    std::vector<FileSpec> files;
    std::map<int, Rlimit> rlimits;  // RLIMIT_* -> limits set on the program's process before exec.
    uid_t uid = 1000;
    std::vector<std::string> argv;  // Empty: { the file's name }.
    std::vector<std::string> envp = {"PATH=/bin:/usr/bin", "HOME=/home/student"};
    KernelConfig kernel;
    std::map<std::string, std::string> bin;  // Other programs, by name in /bin: their source.
    // Called after every step (tests check the kernel's invariants here).
    std::function<void(Kernel const&)> after_step;
};

// How a run ended.
enum class RunEnd : std::uint8_t {
    Finished,      // Every task exited.
    CompileError,  // `error` is the rendered diagnostic.
    StepBudget,    // The budget ran out: a runaway loop, or a wait that never ends.
    Deadlock,      // Every remaining task is asleep and nothing can wake it.
    SetupFailed,   // The program could not be started (exec failed, no process).
};

struct Run {
    bool ok = false;           // Ran to the end: every task exited.
    RunEnd end = RunEnd::Finished;
    std::string error;         // Why not: a compile error, the step budget, a deadlock.
    std::string output;        // What the terminal shows.
    std::map<pid_t, int> exit_statuses;  // Raw wait statuses, by pid.
    pid_t main_pid = 0;
    std::vector<ExpectFailure> expect_failures;
    std::vector<Note> notes;
    std::vector<std::string> diagnostics;
    std::uint64_t steps = 0;
    std::unique_ptr<Kernel> kernel;  // The kernel as the run left it (events, counters).

    int main_status() const { auto it = exit_statuses.find(main_pid); return it == exit_statuses.end() ? -1 : it->second; }
};

Run run_program(std::string path, std::string source, RunOptions options = {});

}  // namespace forklab::lang
