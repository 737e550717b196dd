// A task: Linux's task_struct, cut down to what a course on processes draws on the board.
//
// A process is a thread group: one or more tasks sharing a SignalStruct. The shared pieces sit
// behind reference counts, exactly where Linux puts them, so that copy_process() can decide for
// each one whether to share it (a CLONE_ flag) or duplicate it (plain fork).
#pragma once

#include "base/ref.h"
#include "fs/files_struct.h"
#include "fs/fs_struct.h"
#include "kernel/cgroup.h"
#include "kernel/environ.h"
#include "kernel/pid.h"
#include "kernel/signal_struct.h"
#include "kernel/task_links.h"
#include "mm/mm_struct.h"
#include "trace/event.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace forklab {

enum class TaskState : std::uint8_t {
    Runnable,  // Ready to run its next statement (Linux: TASK_RUNNING, on the run queue).
    Running,   // The task whose statement is executing now (Linux: TASK_RUNNING, current).
    Blocked,   // Asleep in a system call; `blocked_on` says why.
    Stopped,   // Job-control stopped by SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU (TASK_STOPPED).
    Zombie,    // Exited; its parent has not yet waited for it (EXIT_ZOMBIE).
};
std::string_view task_state_name(TaskState);
char task_state_letter(TaskState);  // ps(1)'s letter: R, S, T, Z.

struct Credentials {
    uid_t uid = 0, euid = 0, suid = 0;  // Real, effective, saved set-user-ID.
    gid_t gid = 0, egid = 0, sgid = 0;
};

// One System V semaphore adjustment (semop with SEM_UNDO), undone when the process exits.
struct SemUndo {
    int semid = 0;
    int semnum = 0;
    int adj = 0;
};

struct Task : links::SiblingHook, links::TasksHook, links::ThreadHook, links::PgrpHook,
              links::SessionHook {
    Task() = default;
    ~Task();
    Task(Task const&) = delete;
    Task& operator=(Task const&) = delete;

    // Identity. pid and tgid are numbers in the root pid namespace; thread_pid knows the task's
    // number in each namespace it is visible from.
    pid_t pid = 0;
    pid_t tgid = 0;  // The thread group (process) id: getpid() returns it.
    RefPtr<Pid> thread_pid;
    std::array<char, 16> comm{};  // Program name, 15 characters at most (TASK_COMM_LEN).

    // Family. real_parent is who fork()ed us, or who adopted us when it exited.
    Task* real_parent = nullptr;
    Task* group_leader = this;
    ChildList children;  // Thread-group leaders whose real_parent is this task.

    // Life and death.
    TaskState state = TaskState::Runnable;
    BlockReason blocked_on = BlockReason::None;
    bool exiting = false;          // PF_EXITING: do_exit() has begun.
    bool did_exec = false;         // !PF_FORKNOEXEC: setpgid() on it by its parent says EACCES.
    bool reaps_children = false;   // A kernel-driven init: reaps every zombie child at once.
    int exit_code = 0;             // Raw wait status once exited.
    int exit_signal = SIGCHLD;     // Sent to the parent on exit; -1 for threads.
    Task* vfork_parent = nullptr;  // Linux: vfork_done. Sleeping until we exec or exit.
    std::uint64_t sleep_expires_ns = 0;  // In nanosleep(): when it ends (Linux: the hrtimer_sleeper).
    pid_t wait_pid = 0;            // While asleep in wait4(): its pid argument and options,
    int wait_options = 0;          // so that only a child it selects wakes it.

    Credentials cred;

    // Asleep on a pipe or a lock: whose wait queue (only its wake-up wakes us), and how much of
    // a blocking write is already done -- the re-issued call carries on from there.
    void const* sleeping_on = nullptr;
    void const* lock_blocked_by = nullptr;  // F_SETLKW: the owner of the lock we wait behind.
    std::optional<std::uint64_t> io_done;    // Set while a blocking write sleeps part-way.
    std::vector<std::string> cmdline;  // argv of the last exec (/proc/PID/cmdline).

    // Signals. Dispositions are in sighand (shared with CLONE_SIGHAND); process-directed
    // pending signals are in signal->shared_pending.
    SigSet blocked = 0;
    SigSet pending = 0;  // Thread-directed pending signals.
    int pdeath_signal = 0;  // PR_SET_PDEATHSIG: sent to us when our parent exits.

    // Scheduling.
    int policy = SCHED_OTHER;
    int nice = 0;
    int rt_priority = 0;
    bool sched_reset_on_fork = false;  // SCHED_RESET_ON_FORK: children start as SCHED_OTHER.
    std::uint64_t timer_slack_ns = 50'000;
    std::uint64_t default_timer_slack_ns = 50'000;

    Rusage rusage;  // This task's own usage.
    MmCounters mm_counters;  // What this task's faults and forks cost in the memory model.
    std::uint64_t start_step = 0;
    std::vector<SemUndo> sysvsem_undo;
    Environ env;
    Cgroup* cgroup = nullptr;

    // The shared pieces (Linux: mm, files, fs, signal, sighand).
    RefPtr<MmStruct> mm;
    RefPtr<FilesStruct> files;
    RefPtr<FsStruct> fs;
    RefPtr<SignalStruct> signal;
    RefPtr<SighandStruct> sighand;

    bool is_thread_group_leader() const { return group_leader == this; }
    bool is_zombie() const { return state == TaskState::Zombie; }
    PidNamespace* pid_ns() const { return thread_pid->active_ns(); }
    pid_t pgid() const { return signal->pgrp->nr(); }
    pid_t sid() const { return signal->session->nr(); }
    std::string_view name() const { return std::string_view(comm.data()); }
    void set_name(std::string_view name);
};

}  // namespace forklab
