// A session: one run of a program that a client steps, rewinds and replays. It owns the kernel
// and the machine; each step runs one statement of one task, chosen by the scheduling policy
// (or by the client, in manual mode), and the choice is recorded. Stepping back rebuilds the
// state by replaying the record from the start: the kernel is deterministic, so the same
// choices give the same state, and no undo code is needed anywhere.
//
// The record is what an explorer of every interleaving needs: for each step, who ran and how
// many tasks could have (a branch point wherever that is more than one). at(step) then
// runnable() gives the alternatives at any step, and a schedule (the pids, one per step) given
// back in RunOptions::schedule reproduces a run exactly.
//
// Time: each step moves the simulated clock on by SchedOptions::ns_per_step; when every task is
// asleep and a timer or a sleep will expire, the clock jumps to it (no step is taken). When
// nothing can ever wake the sleepers, the run ends in a deadlock that names each one.
#pragma once

#include "lang/runner.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace forklab::lang {

// One step's choice: who ran, and how many tasks could have run then.
struct Choice {
    pid_t pid = 0;
    std::uint32_t runnable = 0;
};

class Session {
public:
    // Compiles and installs every program, creates the scenario's files, and starts the program
    // as a student's process. If that fails, done() is true and end() says why.
    Session(std::string path, std::string source, RunOptions options);
    ~Session();
    Session(Session const&) = delete;
    Session& operator=(Session const&) = delete;

    // The tasks that may run the next step, by pid. Moves the clock on first if every task
    // is asleep and a timer will wake one. Empty when the run is over.
    std::vector<pid_t> runnable();

    // One step: the recorded one after a step back, else the schedule's while it lasts, else
    // the policy's. False when the run is over -- or, in manual mode, when more than one task
    // could run: use step_task().
    bool step();
    // One step of `pid`, which must be runnable (else false and nothing happens). Another
    // choice than the recorded one after a step back forgets the recorded steps after it.
    bool step_task(pid_t pid);
    // Steps by the policy until the run is over (or manual mode needs a choice).
    void run_to_end();

    // Rebuild the state after `step` steps of the record (at most choices().size()), by
    // replaying from the start; the later steps stay recorded, for step() to redo.
    // step_back() is at(steps() - 1).
    bool at(std::uint64_t step);
    bool step_back();

    bool done() const { return m_done; }
    RunEnd end() const { return m_end; }  // Meaningful once done().
    std::string const& error() const { return m_error; }
    std::uint64_t steps() const { return m_context.step; }
    // The record: the first steps() were taken, any after them were undone by a step back.
    std::vector<Choice> const& choices() const { return m_choices; }
    std::vector<pid_t> schedule() const;  // The pids of the steps taken.
    pid_t main_pid() const { return m_main_pid; }

    Kernel const& kernel() const { return *m_kernel; }
    Machine const& machine() const { return *m_machine; }
    RunOptions const& options() const { return m_options; }

    // A cheap fingerprint of the state two runs can be compared by (output, each task's
    // state and position). A hash of everything the kernel can show is for a later issue.
    std::uint64_t fingerprint() const;

    // The run as it stands (Run::kernel is null: the session keeps its kernel) ...
    Run result() const;
    // ... or, at the end, with the kernel handed over.
    Run take_result();

private:
    struct Programs;
    void boot();
    std::string setup();
    void settle();
    std::vector<pid_t> const& runnable_now() const;
    std::vector<pid_t> const& ready();
    void take_step(pid_t pid, std::uint32_t choices);
    bool can_run(pid_t pid) const;
    void run_step(pid_t pid, std::uint32_t choices);
    void note_events(std::size_t first);
    void finish_if_over();
    void finish(RunEnd end, std::string error);
    std::string deadlock_message() const;
    std::string budget_message() const;

    RunOptions m_options;
    std::shared_ptr<Programs> m_programs;  // Compiled once, installed again by every replay.
    std::unique_ptr<Kernel> m_kernel;
    std::unique_ptr<Machine> m_machine;  // After m_kernel: it goes first.
    pid_t m_main_pid = 0;
    SchedContext m_context;
    std::vector<Choice> m_choices;
    std::vector<TaskInfo> m_tasks;
    mutable std::vector<pid_t> m_ready;  // runnable_now()'s answer.
    bool m_done = false;
    RunEnd m_end = RunEnd::Finished;
    std::string m_error;
};

}  // namespace forklab::lang
