// Identity, process groups, sessions, credentials, limits, prctl and scheduling attributes.
// Linux: kernel/sys.c, kernel/sched/core.c.
#include "kernel/kernel.h"

#include <algorithm>

namespace forklab {

ErrorOr<pid_t> Kernel::getpid(pid_t caller)
{
    Task* me = TRY(current(caller));
    return task_pid_vnr(*me, *me->group_leader->thread_pid);
}

ErrorOr<pid_t> Kernel::gettid(pid_t caller)
{
    Task* me = TRY(current(caller));
    return pid_in_ns_of(*me, *me);
}

// The parent as seen from the caller's namespace: an init of a new namespace sees 0.
ErrorOr<pid_t> Kernel::getppid(pid_t caller)
{
    Task* me = TRY(current(caller));
    Task const* parent = me->group_leader->real_parent;
    return parent ? task_pid_vnr(*me, *parent->group_leader->thread_pid) : 0;
}

ErrorOr<pid_t> Kernel::getpgid(pid_t caller, pid_t pid)
{
    Task* me = TRY(current(caller));
    Task* t = pid == 0 ? me : find_task_by_vpid(*me, pid);
    if (!t)
        return error(ESRCH);
    return task_pid_vnr(*me, *t->signal->pgrp);
}

ErrorOr<pid_t> Kernel::getsid(pid_t caller, pid_t pid)
{
    Task* me = TRY(current(caller));
    Task* t = pid == 0 ? me : find_task_by_vpid(*me, pid);
    if (!t)
        return error(ESRCH);
    return task_pid_vnr(*me, *t->signal->session);
}

// Linux: sys_setpgid(). A process may move itself, or a child that has not yet called exec, into
// a new or existing process group of the same session; never a session leader.
ErrorOr<void> Kernel::setpgid(pid_t caller, pid_t pid, pid_t pgid)
{
    Task* me = TRY(current(caller));
    Task& leader = *me->group_leader;
    if (pid == 0)
        pid = task_pid_vnr(*me, *leader.thread_pid);
    if (pgid == 0)
        pgid = pid;
    if (pgid < 0)
        return error(EINVAL);
    Task* p = find_task_by_vpid(*me, pid);  // A zombie not yet reaped may still be moved.
    if (!p)
        return error(ESRCH);
    if (!p->is_thread_group_leader())
        return error(EINVAL);
    if (p->real_parent && p->real_parent->tgid == leader.tgid) {
        if (p->signal->session != leader.signal->session)
            return error(EPERM);
        if (p->did_exec)
            return error(EACCES);
    } else if (p != &leader) {
        return error(ESRCH);
    }
    if (p->signal->leader)
        return error(EPERM);
    RefPtr<Pid> pgrp = p->thread_pid;
    if (pgid != pid) {
        Pid* g = find_vpid(*me, pgid);
        if (!g || g->pgrp_members.empty() || g->pgrp_members.front().signal->session != leader.signal->session)
            return error(EPERM);
        pgrp = g;
    }
    if (p->signal->pgrp != pgrp) {
        p->signal->pgrp->pgrp_members.erase(PgrpList::s_iterator_to(*p));
        p->signal->pgrp = pgrp;
        pgrp->pgrp_members.push_back(*p);
    }
    emit(EventKind::SetPgid, 0, p->pid, me->pid, pgrp->nr());
    return {};
}

// Linux: ksys_setsid(). Fails for a process whose pid is already some group's id.
ErrorOr<pid_t> Kernel::setsid(pid_t caller)
{
    Task* me = TRY(current(caller));
    Task& leader = *me->group_leader;
    RefPtr<Pid> sid = leader.thread_pid;
    if (!sid->pgrp_members.empty())
        return error(EPERM);
    SignalStruct& s = *leader.signal;
    s.leader = true;
    s.pgrp->pgrp_members.erase(PgrpList::s_iterator_to(leader));
    s.session->session_members.erase(SessionList::s_iterator_to(leader));
    s.pgrp = s.session = sid;
    sid->pgrp_members.push_back(leader);
    sid->session_members.push_back(leader);
    emit(EventKind::SetSid, 0, leader.pid, 0, sid->nr());
    return task_pid_vnr(*me, *sid);
}

// setuid(2): root sets all three uids; anyone else may only set the effective uid to the real
// or saved one. RLIMIT_NPROC counts by real uid, so the count moves with it.
ErrorOr<void> Kernel::setuid(pid_t caller, uid_t uid)
{
    Task* me = TRY(current(caller));
    Credentials& c = me->cred;
    if (c.euid == 0) {
        if (c.uid != uid) {
            if (--m_nproc[c.uid] == 0)
                m_nproc.erase(c.uid);
            ++m_nproc[uid];
        }
        c.uid = c.euid = c.suid = uid;
    } else if (uid == c.uid || uid == c.suid) {
        c.euid = uid;
    } else {
        return error(EPERM);
    }
    emit(EventKind::SetUid, 0, me->pid, 0, uid);
    return {};
}

// Linux: do_prlimit(). The soft limit may not exceed the hard one; only root raises a hard
// limit; another process's limits need matching credentials.
ErrorOr<Rlimit> Kernel::prlimit(pid_t caller, pid_t pid, int resource, std::optional<Rlimit> limit)
{
    Task* me = TRY(current(caller));
    if (resource < 0 || resource >= kRlimits)
        return error(EINVAL);
    Task* t = pid == 0 ? me : find_task_by_vpid(*me, pid);
    if (!t)
        return error(ESRCH);
    Credentials const& a = me->cred;
    Credentials const& b = t->cred;
    if (t->tgid != me->tgid && a.euid != 0 && !(a.uid == b.uid && a.uid == b.euid && a.uid == b.suid))
        return error(EPERM);
    Rlimit const old = t->signal->rlim[resource];
    if (limit) {
        if (limit->cur > limit->max)
            return error(EINVAL);
        if (limit->max > old.max && a.euid != 0)
            return error(EPERM);
        if (resource == RLIMIT_NOFILE && limit->max > 1048576)  // fs.nr_open
            return error(EPERM);
        t->signal->rlim.set(resource, *limit);
        emit(EventKind::SetRlimit, std::uint8_t(resource), t->pid, me->pid, std::int64_t(limit->cur));
    }
    return old;
}

ErrorOr<long> Kernel::prctl(pid_t caller, int option, unsigned long arg2)
{
    Task* me = TRY(current(caller));
    switch (option) {
    case PR_SET_PDEATHSIG:
        if (arg2 > unsigned(kNSig))
            return error(EINVAL);
        me->pdeath_signal = int(arg2);
        return 0;
    case PR_GET_PDEATHSIG:
        return me->pdeath_signal;
    case PR_SET_CHILD_SUBREAPER: {
        me->signal->is_child_subreaper = arg2 != 0;
        if (!arg2)
            return 0;
        // Linux: walk_process_tree(propagate_has_child_subreaper). Every descendant learns
        // that an ancestor may adopt its orphans; subtrees that already know are skipped.
        // Children of every thread count: each thread has its own children list.
        std::vector<Task*> stack;
        auto push_children = [&stack](Task& process) {
            for (Task& thread : process.signal->thread_head)
                for (Task& c : thread.children)
                    stack.push_back(&c);
        };
        push_children(*me);
        while (!stack.empty()) {
            Task* t = stack.back();
            stack.pop_back();
            if (t->signal->has_child_subreaper || t == t->pid_ns()->child_reaper)
                continue;
            t->signal->has_child_subreaper = true;
            push_children(*t);
        }
        return 0;
    }
    case PR_GET_CHILD_SUBREAPER:
        return me->signal->is_child_subreaper;
    case PR_SET_TIMERSLACK:
        me->timer_slack_ns = arg2 == 0 ? me->default_timer_slack_ns : arg2;
        return 0;
    case PR_GET_TIMERSLACK:
        return long(me->timer_slack_ns);
    default:
        return error(EINVAL);
    }
}

ErrorOr<void> Kernel::set_name(pid_t caller, std::string_view name)
{
    Task* me = TRY(current(caller));
    me->set_name(name);
    return {};
}

ErrorOr<int> Kernel::getpriority(pid_t caller, pid_t who)
{
    Task* me = TRY(current(caller));
    Task* t = who == 0 ? me : find_task_by_vpid(*me, who);
    if (!t)
        return error(ESRCH);
    return t->nice;
}

// Linux: set_one_prio(). Lowering nice (more CPU) needs root or RLIMIT_NICE: EACCES otherwise.
ErrorOr<void> Kernel::setpriority(pid_t caller, pid_t who, int nice)
{
    Task* me = TRY(current(caller));
    Task* t = who == 0 ? me : find_task_by_vpid(*me, who);
    if (!t)
        return error(ESRCH);
    nice = std::clamp(nice, -20, 19);
    if (me->cred.euid != 0 && t->cred.uid != me->cred.euid && t->cred.euid != me->cred.euid)
        return error(EPERM);
    bool const can_nice = me->cred.euid == 0 || std::uint64_t(20 - nice) <= t->signal->rlim[RLIMIT_NICE].cur;
    if (nice < t->nice && !can_nice)
        return error(EACCES);
    t->nice = nice;
    return {};
}

// Linux: __sched_setscheduler(). SCHED_RESET_ON_FORK may be or'ed into the policy. SCHED_DEADLINE
// needs runtime/deadline/period (sched_setattr), so this call refuses it with EINVAL as Linux
// does; sched_setattr's deadline case is set_deadline_policy().
ErrorOr<void> Kernel::sched_setscheduler(pid_t caller, pid_t pid, int policy, int priority)
{
    Task* me = TRY(current(caller));
    bool const reset = policy & SCHED_RESET_ON_FORK;
    policy &= ~SCHED_RESET_ON_FORK;
    Task* t = pid == 0 ? me : find_task_by_vpid(*me, pid);
    if (pid < 0)
        return error(EINVAL);
    if (!t)
        return error(ESRCH);
    bool const rt = policy == SCHED_FIFO || policy == SCHED_RR;
    bool const normal = policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE;
    if (!rt && !normal)
        return error(EINVAL);
    if (rt ? (priority < 1 || priority > 99) : priority != 0)
        return error(EINVAL);
    if (me->cred.euid != 0) {
        if (t->cred.uid != me->cred.euid && t->cred.euid != me->cred.euid)
            return error(EPERM);
        if (rt && std::uint64_t(priority) > t->signal->rlim[RLIMIT_RTPRIO].cur)
            return error(EPERM);
        if (t->sched_reset_on_fork && !reset)
            return error(EPERM);
    }
    t->policy = policy;
    t->rt_priority = priority;
    t->sched_reset_on_fork = reset;
    return {};
}

ErrorOr<void> Kernel::set_deadline_policy(pid_t caller, pid_t pid, DeadlineParams const& params)
{
    Task* me = TRY(current(caller));
    Task* t = pid == 0 ? me : find_task_by_vpid(*me, pid);
    if (!t)
        return error(ESRCH);
    // Linux: __checkparam_dl(). runtime <= deadline <= period, and at least 1024 ns of runtime.
    std::uint64_t const period = params.period_ns ? params.period_ns : params.deadline_ns;
    if (params.deadline_ns == 0 || params.runtime_ns < 1024 || params.runtime_ns > params.deadline_ns ||
        params.deadline_ns > period)
        return error(EINVAL);
    if (me->cred.euid != 0)
        return error(EPERM);  // SCHED_DEADLINE needs CAP_SYS_NICE.
    t->policy = SCHED_DEADLINE;
    t->rt_priority = 0;
    t->sched_reset_on_fork = params.reset_on_fork;
    return {};
}

ErrorOr<int> Kernel::sched_getscheduler(pid_t caller, pid_t pid)
{
    Task* me = TRY(current(caller));
    Task* t = pid == 0 ? me : find_task_by_vpid(*me, pid);
    if (pid < 0)
        return error(EINVAL);
    if (!t)
        return error(ESRCH);
    return t->policy | (t->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

ErrorOr<mode_t> Kernel::umask(pid_t caller, mode_t mask)
{
    Task* me = TRY(current(caller));
    mode_t const old = me->fs->umask;
    me->fs->umask = mask & 0777;
    return old;
}

ErrorOr<void> Kernel::setenv(pid_t caller, std::string_view name, std::string_view value)
{
    Task* me = TRY(current(caller));
    if (name.empty() || name.find('=') != std::string_view::npos)
        return error(EINVAL);  // setenv(3)
    me->env.set(name, value);
    return {};
}

ErrorOr<void> Kernel::unsetenv(pid_t caller, std::string_view name)
{
    Task* me = TRY(current(caller));
    if (name.empty() || name.find('=') != std::string_view::npos)
        return error(EINVAL);
    me->env.unset(name);
    return {};
}

}  // namespace forklab
