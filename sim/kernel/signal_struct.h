// The two signal-related structures a process shares with its threads (Linux: signal_struct and
// sighand_struct in include/linux/sched/signal.h).
//
// `SighandStruct` holds the dispositions: shared by CLONE_SIGHAND, copied by fork, so a child
// starts with its parent's handlers and ignored signals (fork(2)). `SignalStruct` is the process
// itself as opposed to its threads: the shared pending set, the rlimits, the process group and
// session, the timers (which fork does not inherit: the child gets a fresh SignalStruct), job
// control state and the CPU times of reaped children.
#pragma once

#include "base/ref.h"
#include "kernel/pid.h"
#include "kernel/task_links.h"
#include "kernel/uapi.h"

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace forklab {

struct SigAction {
    std::uint64_t handler = kSigDfl;  // kSigDfl, kSigIgn, or a handler address.
    SigSet mask = 0;                  // sa_mask: blocked while the handler runs.
    std::uint32_t flags = 0;          // SA_RESTART, SA_NOCLDSTOP, SA_NOCLDWAIT, SA_RESETHAND, ...
    bool operator==(SigAction const&) const = default;
};

class SighandStruct : public RefCounted<SighandStruct> {
public:
    SigAction action(int sig) const;
    void set_action(int sig, SigAction const&);
    // The signals whose handler is a function: exec resets exactly these to SIG_DFL (execve(2)).
    SigSet caught() const;
    void reset_caught_to_default();
    // Only non-default entries are stored: most processes change one or two dispositions, and
    // a million forked processes must not each carry 64 of them.
    std::vector<std::pair<int, SigAction>> const& entries() const { return m_entries; }

private:
    std::vector<std::pair<int, SigAction>> m_entries;
};

// A process's resource limits. Linux keeps the 16 pairs in signal_struct and copies them on
// fork; they almost never change, so here copies share one table until a process calls
// setrlimit, and a forked process costs one pointer instead of 256 bytes.
class Rlimits {
public:
    Rlimits() : Rlimits(std::array<Rlimit, kRlimits>{}) {}
    explicit Rlimits(std::array<Rlimit, kRlimits> const& values) : m_table(make_ref<Table>(values)) {}

    Rlimit const& operator[](int resource) const { return m_table->values[resource]; }
    void set(int resource, Rlimit limit);
    bool operator==(Rlimits const& o) const { return m_table->values == o.m_table->values; }
    bool shares_storage_with(Rlimits const& o) const { return m_table == o.m_table; }

private:
    struct Table : RefCounted<Table> {
        explicit Table(std::array<Rlimit, kRlimits> const& v) : values(v) {}
        std::array<Rlimit, kRlimits> values;
    };
    RefPtr<Table> m_table;
};

struct Rusage {
    std::uint64_t utime_ns = 0, stime_ns = 0;
    std::uint64_t minflt = 0, majflt = 0;
    std::uint64_t nvcsw = 0, nivcsw = 0;
    Rusage& operator+=(Rusage const& o);
    bool operator==(Rusage const&) const = default;
};

struct Itimer {
    std::uint64_t expires_ns = 0;   // Absolute simulated time; 0 = disarmed.
    std::uint64_t interval_ns = 0;  // Reload value; 0 = one-shot.
};

struct PosixTimer {
    int id = 0;
    int signo = SIGALRM;
    Itimer timer;
};

class SignalStruct : public RefCounted<SignalStruct> {
public:
    ~SignalStruct();

    ThreadList thread_head;  // Every thread of the process, leader first.
    int nr_threads = 0;      // Threads not yet released (Linux: signal->nr_threads).
    int live = 0;            // Threads not yet exiting (Linux: signal->live).

    SigSet shared_pending = 0;  // Process-directed signals (kill(2)) waiting for a thread.
    std::vector<int> rt_queue;  // Further instances of pending real-time signals, in order.

    Rlimits rlim;

    RefPtr<Pid> pgrp;     // Process group (Linux: signal->pids[PIDTYPE_PGID]).
    RefPtr<Pid> session;  // Session (Linux: signal->pids[PIDTYPE_SID]).
    bool leader = false;  // Session leader.

    bool group_exit = false;     // SIGNAL_GROUP_EXIT: the process is dying.
    int group_exit_code = 0;     // Raw wait status of the whole process.
    bool unkillable = false;     // SIGNAL_UNKILLABLE: an init, immune to default-action signals.

    bool stopped = false;        // SIGNAL_STOP_STOPPED: job-control stopped.
    int stop_report = 0;         // Stop signal not yet reported to a WUNTRACED wait, or 0.
    bool continue_report = false;  // SIGCONT not yet reported to a WCONTINUED wait.

    bool is_child_subreaper = false;   // PR_SET_CHILD_SUBREAPER on this process.
    bool has_child_subreaper = false;  // Some ancestor is a subreaper: look for it on exit.

    Itimer itimers[3];  // ITIMER_REAL (also alarm(2)), ITIMER_VIRTUAL, ITIMER_PROF.
    std::vector<PosixTimer> posix_timers;
    int next_timer_id = 0;

    Rusage children_usage;      // Of reaped children and their reaped descendants (RUSAGE_CHILDREN).
    Rusage dead_threads_usage;  // Of this process's threads already released.
};

}  // namespace forklab
