// wait4() and waitpid(). Linux: do_wait() and wait_consider_task() in kernel/exit.c.
//
// A wait looks at the children of every thread of the calling process, picks those the pid
// argument selects (one pid, any child, the caller's process group, another process group), and
// reports the first that has something to report: a zombie (reaped), a stop (WUNTRACED) or a
// continue (WCONTINUED). No eligible child at all is ECHILD; a grandchild is never a child.
#include "kernel/kernel.h"

#include <climits>

namespace forklab {

ErrorOr<WaitResult> Kernel::wait4(pid_t caller, pid_t pid, int options)
{
    Task* waiter = TRY(current(caller));
    // wait4() accepts no other options (WNOWAIT and WEXITED belong to waitid()).
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
        return error(EINVAL);
    if (pid == INT_MIN)
        return error(ESRCH);  // -INT_MIN cannot be negated (Linux: kernel_wait4()).
    WaitQuery const q = wait_query(*waiter, pid, options);

    bool any_eligible = false;
    for (Task& thread : waiter->signal->thread_head) {
        if ((options & __WNOTHREAD) && &thread != waiter)
            continue;
        for (Task& child : thread.children) {
            if (!eligible_child(q, child))
                continue;
            any_eligible = true;
            if (auto result = wait_consider_task(*waiter, q, child))
                return *result;
        }
    }
    if (!any_eligible)
        return error(ECHILD);
    if (options & WNOHANG)
        return WaitResult{WaitResult::Kind::NothingYet, 0, 0};
    if (signal_pending(*waiter))
        return WaitResult{WaitResult::Kind::Interrupted, 0, 0};
    waiter->wait_pid = pid;  // Remembered, so that only a child it selects wakes it.
    waiter->wait_options = options;
    set_state(*waiter, TaskState::Blocked, BlockReason::Wait);
    return WaitResult{WaitResult::Kind::Sleeping, 0, 0};
}

Kernel::WaitQuery Kernel::wait_query(Task const& waiter, pid_t pid, int options) const
{
    WaitQuery q{pid, options, nullptr, nullptr};
    if (pid > 0)
        q.target = find_vpid(waiter, pid);
    else if (pid == 0)
        q.pgrp = waiter.signal->pgrp.get();
    else if (pid < -1)
        q.pgrp = find_vpid(waiter, -pid);
    return q;
}

bool Kernel::eligible_child(WaitQuery const& q, Task const& child) const
{
    if (q.pid > 0 && child.thread_pid.get() != q.target)
        return false;
    if ((q.pid == 0 || q.pid < -1) && child.signal->pgrp.get() != q.pgrp)
        return false;
    // __WALL waits for every child; otherwise __WCLONE selects exactly the children that do not
    // send SIGCHLD on exit ("clone children"), and its absence exactly those that do.
    if (q.options & __WALL)
        return true;
    bool const clone_child = child.exit_signal != SIGCHLD;
    return clone_child == bool(q.options & __WCLONE);
}

std::optional<WaitResult> Kernel::wait_consider_task(Task& waiter, WaitQuery const& q, Task& child)
{
    if (child.is_zombie() && !delay_group_leader(child))
        return wait_task_zombie(waiter, child, ReapKind::Wait);
    SignalStruct& sig = *child.signal;
    if ((q.options & WUNTRACED) && sig.stop_report) {
        int const status = wait_status_stopped(sig.stop_report);
        sig.stop_report = 0;  // Reported once.
        emit(EventKind::WaitReported, 0, waiter.pid, child.pid, status);
        return WaitResult{WaitResult::Kind::Reported, pid_in_ns_of(child, waiter), status};
    }
    if ((q.options & WCONTINUED) && sig.continue_report) {
        sig.continue_report = false;
        emit(EventKind::WaitReported, 0, waiter.pid, child.pid, kWaitStatusContinued);
        return WaitResult{WaitResult::Kind::Reported, pid_in_ns_of(child, waiter), kWaitStatusContinued};
    }
    return std::nullopt;
}

// Linux: wait_task_zombie(). The parent collects the status and the child's CPU times (and
// those of the child's own reaped children: that is what RUSAGE_CHILDREN adds up), and the
// zombie is released.
WaitResult Kernel::wait_task_zombie(Task& waiter, Task& child, ReapKind kind)
{
    int const status = child.exit_code;
    pid_t const nr = pid_in_ns_of(child, waiter);
    waiter.signal->children_usage += child.rusage;
    waiter.signal->children_usage += child.signal->dead_threads_usage;
    waiter.signal->children_usage += child.signal->children_usage;
    ++m_counters.reaps;
    emit(EventKind::Reap, kind, waiter.pid, child.pid, status);
    release_task(child);
    return WaitResult{WaitResult::Kind::Reported, nr, status};
}

}  // namespace forklab
