// Signals. Linux: kernel/signal.c.
//
// Generation (kill and the kernel's own signals) goes through prepare_signal(), which applies
// SIGCONT/stop side effects and drops ignored signals, then queues the signal and wakes a thread
// that can take it. Delivery happens in do_signal(), Linux's get_signal(), when a task is about
// to run again: the first unblocked pending signal is dequeued and its disposition applied.
#include "kernel/kernel.h"

#include <algorithm>
#include <bit>
#include <climits>

namespace forklab {

static constexpr SigSet kStopSignals = sigbit(SIGSTOP) | sigbit(SIGTSTP) | sigbit(SIGTTIN) | sigbit(SIGTTOU);
static constexpr SigSet kSynchronous = sigbit(SIGSEGV) | sigbit(SIGBUS) | sigbit(SIGILL) |
    sigbit(SIGTRAP) | sigbit(SIGFPE) | sigbit(SIGSYS);
static constexpr int kSigRtMin = 32;  // Signals below it are standard and do not queue.

// Linux: kill_something_info().
ErrorOr<void> Kernel::kill(pid_t caller, pid_t pid, int sig)
{
    Task* me = TRY(current(caller));
    // The target is looked up before the signal number is checked, as in Linux: kill(nopid, 99)
    // is ESRCH, kill(pid, 99) is EINVAL.
    if (pid == INT_MIN)
        return error(ESRCH);
    if (pid > 0) {
        Task* target = find_task_by_vpid(*me, pid);
        if (!target)
            return error(ESRCH);
        return group_send_sig_info(me, sig, *target, SignalReason::Kill, me->pid);
    }
    if (pid == -1)
        return kill_all(*me, sig);
    return kill_pgrp_info(*me, pid == 0 ? me->signal->pgrp.get() : find_vpid(*me, -pid), sig);
}

// Linux: __kill_pgrp_info(). Success if any member could be signalled.
ErrorOr<void> Kernel::kill_pgrp_info(Task& sender, Pid* pgrp, int sig)
{
    if (!pgrp || pgrp->pgrp_members.empty())
        return error(ESRCH);
    std::vector<Task*> members;
    for (Task& p : pgrp->pgrp_members)
        members.push_back(&p);
    bool success = false;
    ErrorOr<void> last = error(ESRCH);
    for (Task* p : members) {
        last = group_send_sig_info(&sender, sig, *p, SignalReason::Kill, sender.pid);
        success |= last.has_value();
    }
    if (success)
        return {};
    return last;
}

// Linux: kill(-1, sig) signals every process the caller may signal, except init and itself.
// As in Linux, it fails only when there was nobody to try (ESRCH), not when all refused.
ErrorOr<void> Kernel::kill_all(Task& sender, int sig)
{
    std::vector<Task*> targets;
    for (Task& p : m_tasks)
        if (p.is_thread_group_leader() && pid_in_ns_of(p, sender) > 1 && p.tgid != sender.tgid)
            targets.push_back(&p);
    ErrorOr<void> result{};
    for (Task* p : targets) {
        auto r = group_send_sig_info(&sender, sig, *p, SignalReason::Kill, sender.pid);
        if (!r && r.error().code() != EPERM)
            result = r;
    }
    if (targets.empty())
        return error(ESRCH);
    return result;
}

void Kernel::kill_pgrp(Pid& pgrp, int sig, SignalReason why)
{
    std::vector<Task*> members;
    for (Task& p : pgrp.pgrp_members)
        members.push_back(&p);
    for (Task* p : members)
        (void)group_send_sig_info(nullptr, sig, *p, why);
}

// Linux: check_kill_permission() and kill_ok_by_cred(). A user may signal processes whose real
// or saved uid is its real or effective uid; root (CAP_KILL) may signal anyone; SIGCONT may go
// to any process of the same session, so a shell can resume jobs.
ErrorOr<void> Kernel::check_kill_permission(Task const& sender, Task const& target, int sig) const
{
    if (sender.tgid == target.tgid)
        return {};
    Credentials const& s = sender.cred;
    Credentials const& t = target.cred;
    if (s.euid == 0 || s.euid == t.suid || s.euid == t.uid || s.uid == t.suid || s.uid == t.uid)
        return {};
    if (sig == SIGCONT && sender.signal->session == target.signal->session)
        return {};
    return error(EPERM);
}

// Linux: group_send_sig_info() -> __send_signal_locked(). A process-directed signal: it waits
// in the process's shared pending set for whichever thread does not block it. `sender` is null
// for signals the kernel itself sends; `cause` names the task the signal is about.
ErrorOr<void> Kernel::group_send_sig_info(Task* sender, int sig, Task& target, SignalReason why, pid_t cause)
{
    if (sig < 0 || sig > kNSig)
        return error(EINVAL);
    if (sender)
        TRY(check_kill_permission(*sender, target, sig));
    if (sig == 0)
        return {};  // kill(pid, 0): only "does it exist, and may I?".
    Task& leader = *target.group_leader;
    if (auto discard = prepare_signal(leader, sig, sender)) {
        emit(EventKind::SignalDiscarded, why, leader.pid, cause, sig | (int(*discard) << 8));
        return {};
    }
    SigSet const bit = sigbit(sig);
    if (leader.signal->shared_pending & bit) {
        if (sig < kSigRtMin) {
            emit(EventKind::SignalCoalesced, why, leader.pid, cause, sig);
            return {};
        }
        leader.signal->rt_queue.push_back(sig);  // Real-time signals queue, one per kill.
    }
    leader.signal->shared_pending |= bit;
    ++m_counters.signals_sent;
    emit(EventKind::SignalSent, why, leader.pid, cause, sig);
    complete_signal(leader, sig);
    return {};
}

// Linux: prepare_signal(). The side effects that happen when a signal is sent, not when it is
// delivered: a stop signal cancels a pending SIGCONT and vice versa, and SIGCONT resumes a
// stopped process even if SIGCONT itself is blocked or ignored. Returns why the signal is
// dropped, if it is.
std::optional<Kernel::Discard> Kernel::prepare_signal(Task& leader, int sig, Task const* sender)
{
    SignalStruct& s = *leader.signal;
    // A process whose leader has exited lives on in its other threads; only a process that is
    // dying as a whole takes no more signals.
    if (s.group_exit)
        return Discard::Exiting;
    if (kStopSignals & sigbit(sig)) {
        flush_pending(leader, sigbit(SIGCONT));
    } else if (sig == SIGCONT) {
        flush_pending(leader, kStopSignals);
        if (s.stopped)
            do_signal_continue(leader);
    }
    if (sig_ignored(leader, sig, sender)) {
        DefaultAction const d = default_action(sig);
        bool const ignored_anyway = d == DefaultAction::Ignore || d == DefaultAction::Continue;
        bool const unkillable = s.unkillable && leader.sighand->action(sig).handler == kSigDfl;
        if (unkillable && !ignored_anyway)
            return Discard::Unkillable;
        return leader.sighand->action(sig).handler == kSigIgn ? Discard::Ignored : Discard::DefaultIgnored;
    }
    return std::nullopt;
}

// Linux: sig_ignored() and sig_task_ignored(). A blocked signal is never dropped: the handler
// may change before it is unblocked. An init ignores every signal it has no handler for -- even
// SIGKILL, unless that comes from an ancestor namespace.
bool Kernel::sig_ignored(Task const& leader, int sig, Task const* sender) const
{
    if (leader.blocked & sigbit(sig))
        return false;
    std::uint64_t const handler = leader.sighand->action(sig).handler;
    if (leader.signal->unkillable && handler == kSigDfl) {
        // The kernel's own SIGKILL (a namespace being torn down) is forced, as SEND_SIG_PRIV is.
        bool const from_ancestor = !sender || sender->thread_pid->level() < leader.thread_pid->level();
        bool const kernel_only = sig == SIGKILL || sig == SIGSTOP;
        if (leader.pid_ns()->level() == 0 || !(from_ancestor && kernel_only))
            return true;
    }
    if (handler == kSigIgn)
        return true;
    DefaultAction const action = default_action(sig);
    return handler == kSigDfl && (action == DefaultAction::Ignore || action == DefaultAction::Continue);
}

bool Kernel::is_fatal(Task const& leader, int sig) const
{
    if (sig == SIGKILL)
        return true;
    DefaultAction const action = default_action(sig);
    return leader.sighand->action(sig).handler == kSigDfl && !leader.signal->unkillable &&
        (action == DefaultAction::Terminate || action == DefaultAction::Core);
}

// Linux: complete_signal(). Find a thread that does not block the signal and wake it; a fatal
// signal wakes every thread, even from a killable sleep such as a vfork parent's.
// A thread "wants" a signal it does not block, unless it is stopped: only SIGKILL reaches a
// stopped thread; the rest wait for SIGCONT (Linux: wants_signal()).
void Kernel::complete_signal(Task& leader, int sig)
{
    SigSet const bit = sigbit(sig);
    Task* chosen = nullptr;
    for (Task& t : leader.signal->thread_head) {
        bool const stopped = t.state == TaskState::Stopped && sig != SIGKILL;
        if (!(t.blocked & bit) && !t.exiting && !stopped) {
            chosen = &t;
            break;
        }
    }
    if (!chosen)
        return;  // No thread can take it now: it stays pending.
    // A fatal signal (SIGKILL, or a terminating one with no handler) dooms the whole process
    // the moment it is sent: nothing else pending will be handled first, and later signals are
    // dropped. Core-dumping signals take the slow path, as in Linux, through do_signal().
    if (sig == SIGKILL || (is_fatal(leader, sig) && default_action(sig) == DefaultAction::Terminate)) {
        // Linux sets signal->flags = SIGNAL_GROUP_EXIT, which also ends a group stop, and queues
        // SIGKILL for every thread, so that no later sigprocmask() can keep one alive.
        SignalStruct& s = *leader.signal;
        s.group_exit = true;
        s.group_exit_code = wait_status_signaled(sig, false);
        s.stopped = false;
        s.stop_report = 0;
        s.continue_report = false;
        for (Task& t : s.thread_head) {
            t.pending |= sigbit(SIGKILL);
            signal_wake_up(t, true, true);
        }
        return;
    }
    signal_wake_up(*chosen, false, false);
}

// Linux: signal_wake_up_state(). Interruptible sleeps end for any signal, killable ones (vfork)
// only for a fatal one; a stopped task resumes only for SIGKILL.
void Kernel::signal_wake_up(Task& task, bool fatal, bool resume)
{
    if (task.exiting)
        return;
    if (task.state == TaskState::Blocked) {
        if (task.blocked_on == BlockReason::PidNsZap)
            return;
        if (task.blocked_on == BlockReason::Vfork) {
            if (!fatal)
                return;
            abandon_vfork(task);  // Linux: wait_for_vfork_done() killed clears vfork_done.
        }
        wake_up(task);
    } else if (task.state == TaskState::Stopped && resume) {
        task.state = TaskState::Runnable;
    }
}

bool Kernel::signal_pending(Task const& task) const
{
    return ((task.pending | task.signal->shared_pending) & ~task.blocked) != 0;
}

// Linux: dequeue_signal() and next_signal(). Thread-directed signals first, then the process's;
// within each, the synchronous ones (faults) first, then the lowest number.
int Kernel::dequeue_signal(Task& task)
{
    for (SigSet* set : {&task.pending, &task.signal->shared_pending}) {
        SigSet const avail = *set & ~task.blocked;
        if (!avail)
            continue;
        SigSet const pick = (avail & kSynchronous) ? (avail & kSynchronous) : avail;
        int const sig = std::countr_zero(pick) + 1;
        auto& queue = task.signal->rt_queue;
        auto queued = std::find(queue.begin(), queue.end(), sig);
        if (set == &task.signal->shared_pending && queued != queue.end())
            queue.erase(queued);  // Another instance stays pending.
        else
            *set &= ~sigbit(sig);
        return sig;
    }
    return 0;
}

void Kernel::flush_pending(Task& process, SigSet set)
{
    process.signal->shared_pending &= ~set;
    std::erase_if(process.signal->rt_queue, [set](int sig) { return set & sigbit(sig); });
    for (Task& t : process.signal->thread_head)
        t.pending &= ~set;
}

// Linux: get_signal(). Runs in the task that is about to execute its next statement.
ErrorOr<std::optional<SignalDelivery>> Kernel::do_signal(pid_t pid)
{
    Task* task = find_task_mut(pid);
    if (!task)
        return error(ESRCH);
    if (task->exiting || (task->state != TaskState::Runnable && task->state != TaskState::Running))
        return std::optional<SignalDelivery>{};
    if (task->signal->group_exit) {
        // Doomed when the fatal signal was sent (complete_signal): die before anything else.
        int const status = task->signal->group_exit_code;
        if (WIFSIGNALED(status)) {
            ++m_counters.signals_delivered;
            emit(EventKind::SignalDefault, 0, task->pid, 0, WTERMSIG(status));
        }
        do_group_exit(*task, status);
        return std::optional<SignalDelivery>{};
    }
    for (;;) {
        int const sig = dequeue_signal(*task);
        if (!sig)
            return std::optional<SignalDelivery>{};
        SigAction const act = task->sighand->action(sig);
        if (act.handler == kSigIgn)
            continue;
        ++m_counters.signals_delivered;
        if (act.handler != kSigDfl) {
            SignalDelivery delivery{sig, act, task->blocked};
            SigSet const self = (act.flags & SA_NODEFER) ? 0 : sigbit(sig);
            task->blocked |= (act.mask | self) & ~kUnblockable;
            if (act.flags & SA_RESETHAND)
                task->sighand->set_action(sig, SigAction{});
            emit(EventKind::SignalHandled, 0, task->pid, 0, sig);
            return std::optional<SignalDelivery>{delivery};
        }
        switch (default_action(sig)) {
        case DefaultAction::Ignore:
        case DefaultAction::Continue:
            continue;
        case DefaultAction::Stop:
            // POSIX: the terminal stop signals are discarded for an orphaned process group,
            // since nobody could ever continue it.
            if (sig != SIGSTOP && will_become_orphaned_pgrp(*task->signal->pgrp, nullptr)) {
                emit(EventKind::SignalDiscarded, SignalReason::OrphanedPgrp, task->pid, 0, sig);
                continue;
            }
            do_signal_stop(*task, sig);
            return std::optional<SignalDelivery>{};
        case DefaultAction::Terminate:
        case DefaultAction::Core: {
            if (task->signal->unkillable && sig != SIGKILL)
                continue;
            // A core is "dumped" when RLIMIT_CORE allows one (core_pattern "core", as Debian's).
            bool const core = default_action(sig) == DefaultAction::Core &&
                task->signal->rlim[RLIMIT_CORE].cur > 0;
            emit(EventKind::SignalDefault, core, task->pid, 0, sig);
            do_group_exit(*task, wait_status_signaled(sig, core));
            return std::optional<SignalDelivery>{};
        }
        }
    }
}

ErrorOr<void> Kernel::sigreturn(pid_t caller, SigSet saved_mask)
{
    Task* task = TRY(current(caller));
    task->blocked = saved_mask & ~kUnblockable;
    return {};
}

ErrorOr<void> Kernel::force_fault(pid_t pid, int sig)
{
    Task* task = TRY(current(pid));
    if (!valid_signal(sig) || sig == SIGKILL || sig == SIGSTOP)
        return error(EINVAL);
    force_sig(*task, sig, SignalReason::Fault);
    return {};
}

// Linux: do_signal_stop(). The whole process stops, and its parent hears of it.
void Kernel::do_signal_stop(Task& task, int sig)
{
    SignalStruct& s = *task.signal;
    s.stopped = true;
    s.stop_report = sig;
    s.continue_report = false;
    for (Task& t : s.thread_head) {
        // A thread asleep in vfork joins the stop when its child lets it go (mm_release).
        bool const in_vfork = t.state == TaskState::Blocked && t.blocked_on == BlockReason::Vfork;
        if (!t.exiting && !in_vfork) {
            // A thread asleep in a system call leaves it to stop, as signal_wake_up() makes it
            // in Linux; the call is made again once the process continues.
            t.state = TaskState::Stopped;
            t.blocked_on = BlockReason::None;
            t.sleeping_on = t.lock_blocked_by = nullptr;
        }
    }
    emit(EventKind::Stopped, 0, task.group_leader->pid, 0, sig);
    do_notify_parent_cldstop(*task.group_leader, SignalReason::ChildStopped);
}

void Kernel::do_signal_continue(Task& leader)
{
    SignalStruct& s = *leader.signal;
    s.stopped = false;
    s.stop_report = 0;
    s.continue_report = true;
    for (Task& t : s.thread_head)
        if (t.state == TaskState::Stopped)
            t.state = TaskState::Runnable;
    emit(EventKind::Continued, 0, leader.pid, 0, SIGCONT);
    do_notify_parent_cldstop(leader, SignalReason::ChildContinued);
}

// Linux: do_notify_parent_cldstop(). SIGCHLD for a stop or continue, unless the parent asked
// for none with SA_NOCLDSTOP; a parent in wait(WUNTRACED) wakes either way.
void Kernel::do_notify_parent_cldstop(Task& leader, SignalReason why)
{
    Task* parent = leader.real_parent;
    if (!parent)
        return;
    if (!(parent->sighand->action(SIGCHLD).flags & SA_NOCLDSTOP))
        (void)group_send_sig_info(nullptr, SIGCHLD, *parent, why, leader.pid);
    wake_up_parent(*parent, leader);
}

// Linux: do_sigaction(). Setting a signal to be ignored discards it if pending (POSIX).
ErrorOr<SigAction> Kernel::sigaction(pid_t caller, int sig, std::optional<SigAction> act)
{
    Task* task = TRY(current(caller));
    if (!valid_signal(sig) || (act && (sig == SIGKILL || sig == SIGSTOP)))
        return error(EINVAL);
    SigAction const old = task->sighand->action(sig);
    if (act) {
        SigAction a = *act;
        a.mask &= ~kUnblockable;
        task->sighand->set_action(sig, a);
        DefaultAction const d = default_action(sig);
        if (a.handler == kSigIgn ||
            (a.handler == kSigDfl && (d == DefaultAction::Ignore || d == DefaultAction::Continue)))
            flush_pending(*task, sigbit(sig));
    }
    return old;
}

ErrorOr<SigSet> Kernel::sigprocmask(pid_t caller, int how, std::optional<SigSet> set)
{
    Task* task = TRY(current(caller));
    SigSet const old = task->blocked;
    if (!set)
        return old;
    switch (how) {
    case SIG_BLOCK: task->blocked |= *set; break;
    case SIG_UNBLOCK: task->blocked &= ~*set; break;
    case SIG_SETMASK: task->blocked = *set; break;
    default: return error(EINVAL);
    }
    task->blocked &= ~kUnblockable;  // SIGKILL and SIGSTOP are silently left unblocked.
    return old;
}

ErrorOr<SigSet> Kernel::sigpending(pid_t caller)
{
    Task* task = TRY(current(caller));
    return (task->pending | task->signal->shared_pending) & task->blocked;
}

// pause(2) sleeps until a signal is delivered that runs a handler or ends the process.
ErrorOr<WaitResult::Kind> Kernel::pause(pid_t caller)
{
    Task* task = TRY(current(caller));
    if (signal_pending(*task))
        return WaitResult::Kind::Interrupted;
    set_state(*task, TaskState::Blocked, BlockReason::Pause);
    return WaitResult::Kind::Sleeping;
}

}  // namespace forklab
