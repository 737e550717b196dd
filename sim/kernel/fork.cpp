// Process creation. Linux: kernel/fork.c.
//
// fork(), vfork() and clone() are thin calls into kernel_clone(), which calls copy_process().
// copy_process() does Linux's steps in Linux's order: check the flags, duplicate the task, check
// the limits, then one copy_X() per shared resource, each of the same shape -- if the CLONE_
// flag says share, keep the reference that dup_task_struct() took; otherwise duplicate -- then
// a pid, then the cgroup's pids.max, and only then make the child visible. Everything before
// that last step is held by RAII owners, so a fork that fails anywhere leaves nothing behind:
// no count has moved and no structure remains.
#include "kernel/kernel.h"

namespace forklab {

ErrorOr<pid_t> Kernel::fork(pid_t caller)
{
    Task* parent = TRY(current(caller));
    // The vfork strategy runs fork() as vfork(): the cheapest, and correct only for a child
    // that calls exec or _exit at once, which is all vfork(2) promises.
    if (m_config.fork_strategy == ForkStrategy::Vfork) {
        Task* child = TRY(kernel_clone(*parent, CloneArgs{CLONE_VM | CLONE_VFORK, SIGCHLD}, ForkKind::Vfork));
        return pid_in_ns_of(*child, *parent);
    }
    Task* child = TRY(kernel_clone(*parent, CloneArgs{0, SIGCHLD}, ForkKind::Fork));
    return pid_in_ns_of(*child, *parent);
}

ErrorOr<pid_t> Kernel::vfork(pid_t caller)
{
    Task* parent = TRY(current(caller));
    Task* child = TRY(kernel_clone(*parent, CloneArgs{CLONE_VM | CLONE_VFORK, SIGCHLD}, ForkKind::Vfork));
    return pid_in_ns_of(*child, *parent);
}

ErrorOr<pid_t> Kernel::clone(pid_t caller, CloneArgs const& args)
{
    Task* parent = TRY(current(caller));
    ForkKind const kind = (args.flags & CLONE_THREAD) ? ForkKind::Thread : ForkKind::Clone;
    Task* child = TRY(kernel_clone(*parent, args, kind));
    return pid_in_ns_of(*child, *parent);
}

// Linux: kernel_clone(). The new task is runnable at once; with CLONE_VFORK the parent then
// sleeps until the child releases the borrowed address space by exec or exit.
ErrorOr<Task*> Kernel::kernel_clone(Task& parent, CloneArgs const& args, ForkKind kind)
{
    auto child = TRY(copy_process(parent, args));
    Task* task = child.release();
    ++m_counters.forks;
    emit(EventKind::Fork, kind, parent.pid, task->pid);
    if (!(args.flags & CLONE_VM)) {
        Event e{m_step, EventKind::MmDup, std::uint8_t(m_config.fork_strategy), parent.pid, task->pid,
            std::uint32_t(m_pending_dup.pt_pages_shared), std::int64_t(m_pending_dup.ptes_copied + m_pending_dup.frames_copied)};
        m_events.append(e);
    }
    if (args.flags & CLONE_VFORK) {
        task->vfork_parent = &parent;
        set_state(parent, TaskState::Blocked, BlockReason::Vfork);
    }
    return task;
}

ErrorOr<std::unique_ptr<Task>> Kernel::copy_process(Task& parent, CloneArgs const& args)
{
    std::uint64_t const flags = args.flags;
    TRY(check_clone_flags(parent, args));
    // Declared before the child: on failure the child (and its struct pid, which holds numbers
    // in the namespace) must go first.
    std::unique_ptr<PidNamespace> new_ns;
    auto child = dup_task_struct(parent);
    TRY(check_fork_limits(parent, args));
    TRY(sched_fork(parent, *child));
    copy_semundo(flags, parent, *child);
    copy_files(flags, *child);
    copy_fs(flags, *child);
    copy_sighand(flags, *child);
    copy_signal(flags, *child);
    TRY(copy_mm(flags, parent, *child));
    if (flags & CLONE_NEWPID) {
        if (parent.cred.euid != 0) {
            fork_failed(parent, EPERM, ForkFailure::NewPidNsPerm);
            return error(EPERM);
        }
        new_ns = std::make_unique<PidNamespace>(parent.pid_ns(), m_config.pid_max);
    }
    PidNamespace& ns = new_ns ? *new_ns : *parent.pid_ns();
    auto pid = alloc_pid(ns);
    if (!pid) {
        int const err = pid.error().code();
        fork_failed(parent, err, err == ENOMEM ? ForkFailure::PidNsDead : ForkFailure::PidMax);
        return std::unexpected(pid.error());
    }
    child->thread_pid = *pid;
    // Linux: cgroup_can_fork(), the last limit before the child becomes visible.
    if (Cgroup* full = child->cgroup->try_charge()) {
        ++full->pids_events_max;
        fork_failed(parent, EAGAIN, ForkFailure::PidsCgroup);
        return error(EAGAIN);
    }
    // Linux: a signal that arrived during fork would reach the parent but not the child; fork
    // backs out with ERESTARTNOINTR and is restarted once the signal has been handled.
    if (signal_pending(parent) || parent.signal->group_exit) {
        child->cgroup->uncharge();
        fork_failed(parent, kErestartNoIntr, ForkFailure::SignalPending);
        return error(kErestartNoIntr);
    }
    if (new_ns)
        m_namespaces.push_back(std::move(new_ns));
    attach_new_task(parent, *child, args);
    return child;
}

// Linux: the flag checks at the top of copy_process(). Flags that Linux has but this model
// does not implement are refused too, so that no program silently gets a half-done clone.
ErrorOr<void> Kernel::check_clone_flags(Task const& parent, CloneArgs const& args) const
{
    std::uint64_t const f = args.flags;
    bool const bad = (f & ~kSupportedCloneFlags)
        || args.exit_signal < 0 || args.exit_signal > kNSig
        // Threads share signal handlers, and shared handlers need a shared address space.
        || ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
        || ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
        // An init cannot make a sibling: its parent is outside the namespace, or is nothing.
        || ((f & CLONE_PARENT) && parent.signal->unkillable)
        || ((f & CLONE_THREAD) && (f & CLONE_NEWPID));
    if (bad) {
        const_cast<Kernel*>(this)->fork_failed(const_cast<Task&>(parent), EINVAL, ForkFailure::BadFlags);
        return error(EINVAL);
    }
    return {};
}

// Linux: the RLIMIT_NPROC and threads-max checks, done where copy_process() does them.
// RLIMIT_NPROC counts every task of the real uid -- zombies until reaped, and threads -- and
// root is exempt (it holds CAP_SYS_RESOURCE and CAP_SYS_ADMIN).
ErrorOr<void> Kernel::check_fork_limits(Task const& parent, CloneArgs const&)
{
    auto const nproc = std::uint64_t(nr_processes_of(parent.cred.uid));
    if (parent.cred.uid != 0 && nproc >= parent.signal->rlim[RLIMIT_NPROC].cur) {
        fork_failed(const_cast<Task&>(parent), EAGAIN, ForkFailure::Nproc);
        return error(EAGAIN);
    }
    if (m_nr_threads >= m_config.threads_max) {
        fork_failed(const_cast<Task&>(parent), EAGAIN, ForkFailure::ThreadsMax);
        return error(EAGAIN);
    }
    return {};
}

void Kernel::fork_failed(Task& parent, int err, ForkFailure why)
{
    ++m_counters.fork_failures;
    emit(EventKind::ForkFailed, why, parent.pid, 0, err);
}

// Linux: dup_task_struct() and the field resets that follow it in copy_process(). What is
// copied here is what fork(2) says the child inherits; what is zeroed is what it says is reset.
std::unique_ptr<Task> Kernel::dup_task_struct(Task const& parent) const
{
    auto child = std::make_unique<Task>();
    // Inherited.
    child->comm = parent.comm;
    child->cred = parent.cred;
    child->blocked = parent.blocked;
    child->policy = parent.policy;
    child->nice = parent.nice;
    child->rt_priority = parent.rt_priority;
    child->sched_reset_on_fork = parent.sched_reset_on_fork;
    child->timer_slack_ns = parent.timer_slack_ns;
    child->default_timer_slack_ns = parent.timer_slack_ns;  // Linux: the parent's current slack.
    child->env = parent.env;
    // /proc/PID/cmdline reads the argument area of the mm, which the child's copy of the
    // address space holds too: ps shows a forked child with its parent's command line.
    child->cmdline = parent.cmdline;
    child->cgroup = parent.cgroup;
    child->did_exec = false;
    // References taken on every shared piece; each copy_X() below decides to keep or replace.
    child->mm = parent.mm;
    child->files = parent.files;
    child->fs = parent.fs;
    child->signal = parent.signal;
    child->sighand = parent.sighand;
    // Reset: no pending signals, no rusage, no parent-death signal (fork(2)).
    child->pending = 0;
    child->pdeath_signal = 0;
    child->rusage = {};
    return child;
}

// Linux: sched_fork(). SCHED_RESET_ON_FORK drops a real-time or deadline policy (and a negative
// nice) in the child and is itself not inherited; a SCHED_DEADLINE task without it cannot fork.
ErrorOr<void> Kernel::sched_fork(Task& parent, Task& child)
{
    if (child.sched_reset_on_fork) {
        if (child.policy == SCHED_FIFO || child.policy == SCHED_RR || child.policy == SCHED_DEADLINE) {
            child.policy = SCHED_OTHER;
            child.rt_priority = 0;
            child.nice = 0;
        } else if (child.nice < 0) {
            child.nice = 0;
        }
        child.sched_reset_on_fork = false;
    }
    if (child.policy == SCHED_DEADLINE) {
        fork_failed(parent, EAGAIN, ForkFailure::Deadline);
        return error(EAGAIN);
    }
    return {};
}


// Linux: copy_semundo(). The child starts with no semaphore adjustments of its own (fork(2)),
// unless CLONE_SYSVSEM makes it share the parent's undo list.
void Kernel::copy_semundo(std::uint64_t flags, Task const& parent, Task& child)
{
    if (flags & CLONE_SYSVSEM)
        child.sysvsem_undo = parent.sysvsem_undo;
}

// Linux: copy_files(). The fd table is copied; the open file descriptions are shared.
void Kernel::copy_files(std::uint64_t flags, Task& child)
{
    if (flags & CLONE_FILES)
        return;
    child.files = child.files->dup();
}

// Linux: copy_fs(). umask, cwd and root are copied unless CLONE_FS shares them.
void Kernel::copy_fs(std::uint64_t flags, Task& child)
{
    if (flags & CLONE_FS)
        return;
    auto fs = make_ref<FsStruct>(*child.fs);
    child.fs = fs;
}

// Linux: copy_sighand(). The child inherits the dispositions: a copy, unless CLONE_SIGHAND.
void Kernel::copy_sighand(std::uint64_t flags, Task& child)
{
    if (flags & CLONE_SIGHAND)
        return;
    auto sighand = make_ref<SighandStruct>(*child.sighand);
    child.sighand = sighand;
}

// Linux: copy_signal(). A new process gets a new signal_struct: the rlimits, process group and
// session are inherited; timers, pending signals, job-control state, subreaper status and the
// children's CPU times start afresh (fork(2): timers and pending signals are not inherited).
void Kernel::copy_signal(std::uint64_t flags, Task& child)
{
    if (flags & CLONE_THREAD)
        return;
    SignalStruct const& parent = *child.signal;
    auto sig = make_ref<SignalStruct>();
    sig->rlim = parent.rlim;
    sig->pgrp = parent.pgrp;
    sig->session = parent.session;
    child.signal = sig;
}

// Linux: copy_mm(). CLONE_VM (vfork, threads) shares the address space; fork copies it with
// dup_mmap() under the kernel's fork strategy. The cost is the parent's: it does the work.
ErrorOr<void> Kernel::copy_mm(std::uint64_t flags, Task& parent, Task& child)
{
    if (flags & CLONE_VM)
        return {};
    MmCounters cost;
    auto mm = parent.mm->dup(m_config.fork_strategy, cost);
    charge(parent, cost);
    if (!mm) {
        fork_failed(parent, ENOMEM, ForkFailure::NoMemory);
        return std::unexpected(mm.error());
    }
    child.mm = *mm;
    m_pending_dup = cost;
    return {};
}

// Linux: alloc_pid(). One number in the namespace and in each of its ancestors. A namespace
// whose init has exited accepts no new process: ENOMEM, as fork(2) documents.
ErrorOr<RefPtr<Pid>> Kernel::alloc_pid(PidNamespace& ns)
{
    auto pid = make_ref<Pid>(ns.level());
    TRY(alloc_pid_numbers(ns, *pid));
    if (!ns.adding)
        return error(ENOMEM);  // Dropping `pid` frees the numbers taken.
    return pid;
}

// Numbers are stored root first: numbers()[level] is the pid in that level's namespace.
ErrorOr<void> Kernel::alloc_pid_numbers(PidNamespace& ns, Pid& pid)
{
    if (ns.parent())
        TRY(alloc_pid_numbers(*ns.parent(), pid));
    pid_t const nr = TRY(ns.alloc_nr(&pid));
    pid.add_number(UPid{nr, &ns});
    return {};
}

// The point of no return: link the child into the tree, its process group and session, the
// task list and every count. Linux does this under tasklist_lock at the end of copy_process().
void Kernel::attach_new_task(Task& parent, Task& child, CloneArgs const& args)
{
    std::uint64_t const flags = args.flags;
    child.pid = child.thread_pid->nr();
    child.thread_pid->task = &child;
    child.start_step = m_step;
    // CLONE_PARENT and CLONE_THREAD make the new task a sibling of its creator.
    if (flags & (CLONE_PARENT | CLONE_THREAD)) {
        child.real_parent = parent.real_parent;
        child.exit_signal = (flags & CLONE_THREAD) ? -1 : parent.group_leader->exit_signal;
    } else {
        child.real_parent = &parent;
        child.exit_signal = args.exit_signal;
    }
    if (flags & CLONE_THREAD) {
        child.group_leader = parent.group_leader;
        child.tgid = parent.tgid;
        ++child.signal->nr_threads;
        ++child.signal->live;
    } else {
        child.group_leader = &child;
        child.tgid = child.pid;
        child.signal->nr_threads = child.signal->live = 1;
        PidNamespace* ns = child.pid_ns();
        if (ns->child_reaper == nullptr) {  // The first process of a new pid namespace.
            ns->child_reaper = &child;
            child.signal->unkillable = true;
        }
        SignalStruct const& psig = *child.real_parent->signal;
        child.signal->has_child_subreaper = psig.has_child_subreaper || psig.is_child_subreaper;
        child.real_parent->children.push_back(child);
        child.signal->pgrp->pgrp_members.push_back(child);
        child.signal->session->session_members.push_back(child);
    }
    child.signal->thread_head.push_back(child);
    m_tasks.push_back(child);
    ++m_nr_threads;
    ++m_nproc[child.cred.uid];
    for (auto const& upid : child.thread_pid->numbers())
        ++upid.ns->nr_tasks;
}

}  // namespace forklab
