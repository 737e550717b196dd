// Running a program from start to end: the options of a run and what it leaves. The run
// itself is a session (lang/session.h): compile, install, exec as a student's process under
// init, then step the tasks by the scheduling policy until every task has exited, the step
// budget ends or every task is asleep for good.
#pragma once

#include "kernel/kernel.h"
#include "lang/machine.h"
#include "lang/scheduler.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace forklab::lang {

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
    // Who runs each of the first steps (a schedule a run recorded, or a path an explorer
    // takes); the policy chooses after it. A pid that cannot run at its step ends the run.
    std::vector<pid_t> schedule;
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
    SetupFailed,   // The program could not be run as asked (exec failed, no process, or
                   // options.schedule named a task that could not run at its step).
};

// A process of the run, as `forklab run --json` lists it.
struct TaskInfo {
    pid_t pid = 0;
    pid_t ppid = 0;              // Who forked it.
    std::string command;         // Its argv after the last exec (its parent's, before one).
    std::optional<int> status;   // The raw wait status, once it exited.
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
    std::vector<pid_t> schedule;     // Who ran each step: replayed, it gives this run again.
    std::vector<TaskInfo> tasks;     // Every process the run made, in the order of their forks.
    std::unique_ptr<Kernel> kernel;  // The kernel as the run left it (events, counters).

    int main_status() const { auto it = exit_statuses.find(main_pid); return it == exit_statuses.end() ? -1 : it->second; }
};

// A whole run by options.sched (parent-first by default).
Run run_program(std::string path, std::string source, RunOptions options = {});

}  // namespace forklab::lang
