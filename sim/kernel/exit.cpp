// Process death. Linux: kernel/exit.c.
//
// do_exit() runs the process down: address space, semaphore adjustments, files, cwd. Then
// exit_notify() finds its children a new parent (a live thread, the nearest subreaper, or init),
// signals its own parent, and leaves a zombie holding the exit status until the parent reaps it
// -- or releases it at once when the parent ignores SIGCHLD.
#include "kernel/kernel.h"

namespace forklab {

ErrorOr<void> Kernel::exit_group(pid_t caller, int code)
{
    Task* task = TRY(current(caller));
    if (task->group_leader->reaps_children)
        return error(EPERM);  // Linux panics: "Attempted to kill init!". The model refuses.
    do_group_exit(*task, wait_status_exited(code));
    return {};
}

ErrorOr<void> Kernel::exit_thread(pid_t caller, int code)
{
    Task* task = TRY(current(caller));
    if (task->reaps_children)
        return error(EPERM);
    do_exit(*task, wait_status_exited(code));
    return {};
}

// Linux: do_group_exit(). The first thread to exit the group sets the status for all. Linux
// queues SIGKILL for the other threads, which die on their way back to user mode; here they die
// at once, before the caller, which is the order Linux ends up with.
void Kernel::do_group_exit(Task& task, int exit_code)
{
    SignalStruct& sig = *task.signal;
    if (sig.group_exit) {
        exit_code = sig.group_exit_code;
    } else {
        sig.group_exit = true;
        sig.group_exit_code = exit_code;
        std::vector<Task*> others;
        for (Task& t : sig.thread_head)
            if (&t != &task && !t.exiting)
                others.push_back(&t);
        for (Task* t : others)
            do_exit(*t, exit_code);
    }
    do_exit(task, exit_code);
}

void Kernel::do_exit(Task& task, int code)
{
    if (task.exiting)
        return;
    task.exiting = true;
    if (task.state == TaskState::Blocked && task.blocked_on == BlockReason::Vfork)
        abandon_vfork(task);
    task.exit_code = code;
    bool const group_dead = --task.signal->live == 0;
    if (group_dead && !task.signal->group_exit) {
        // Linux: synchronize_group_exit(). The last thread to go decides the process's status,
        // and from now on the process takes no more signals.
        task.signal->group_exit = true;
        task.signal->group_exit_code = code;
    }
    if (group_dead) {
        // The real-time timer (alarm) and POSIX timers belong to the process and die with it.
        task.signal->itimers[ITIMER_REAL] = {};
        task.signal->posix_timers.clear();
    }
    exit_mm(task);
    task.sysvsem_undo.clear();  // Linux: exit_sem() applies and drops the adjustments.
    exit_files(task);           // The descriptions lose a reference each; the last closes them.
    task.fs.reset();            // Linux: exit_fs().
    ++m_counters.exits;
    PidNamespace* ns = task.pid_ns();
    if (ns->child_reaper == &task && !group_dead)
        ns->child_reaper = find_alive_thread(task);  // Linux: find_child_reaper().
    if (group_dead && ns->level() > 0 && ns->child_reaper == &task) {
        zap_pid_ns_processes(task);
        return;
    }
    exit_notify(task, group_dead);
}

// A vfork parent killed while it waits: the child keeps running on the shared address space,
// but nobody waits for it to let go any more (Linux: wait_for_vfork_done(), killed).
void Kernel::abandon_vfork(Task& parent)
{
    for (Task& t : m_tasks)
        if (t.vfork_parent == &parent)
            t.vfork_parent = nullptr;
}

void Kernel::exit_mm(Task& task)
{
    mm_release(task);
    task.mm.reset();
}

// Linux: mm_release() -> complete_vfork_done(). A vfork child lets its parent run again as
// soon as it stops using the parent's address space: by exec or by exit.
void Kernel::mm_release(Task& task)
{
    Task* parent = task.vfork_parent;
    if (!parent)
        return;
    task.vfork_parent = nullptr;
    if (parent->state != TaskState::Blocked || parent->blocked_on != BlockReason::Vfork)
        return;
    // A process stopped meanwhile: the thread that waited joins the stop instead of running.
    set_state(*parent, parent->signal->stopped ? TaskState::Stopped : TaskState::Runnable);
}

// Linux: exit_notify(). The exit is announced first, so that the log reads in the order a
// student thinks of it: the process exits, then its children are adopted, then its parent hears.
void Kernel::exit_notify(Task& task, bool group_dead)
{
    bool const leader = task.is_thread_group_leader();
    if (leader && task.signal->group_exit)
        task.exit_code = task.signal->group_exit_code;
    emit(EventKind::Exit, exit_fate(task), task.pid, leader ? task.real_parent->pid : task.tgid, task.exit_code);
    forget_original_parent(task);
    if (group_dead)
        kill_orphaned_pgrp(*task.group_leader, nullptr);
    if (!leader) {
        release_task(task);  // A thread other than the leader is never a zombie.
        return;
    }
    set_state(task, TaskState::Zombie);
    if (delay_group_leader(task))
        return;  // The leader's zombie is reported once every other thread is gone.
    finish_zombie(task, do_notify_parent(task, task.exit_signal));
}

ExitFate Kernel::exit_fate(Task const& task) const
{
    if (!task.is_thread_group_leader())
        return ExitFate::ThreadReleased;
    if (delay_group_leader(task))
        return ExitFate::Delayed;
    Task const& parent = *task.real_parent;
    SigAction const act = parent.sighand->action(SIGCHLD);
    if (task.exit_signal == SIGCHLD && (act.handler == kSigIgn || (act.flags & SA_NOCLDWAIT)))
        return ExitFate::Autoreaped;
    return reaps_at_once(parent) ? ExitFate::ReapedByInit : ExitFate::Zombie;
}

// Linux: do_notify_parent(). Returns true when the zombie is to be released at once: POSIX
// lets a parent that sets SIGCHLD to SIG_IGN (or uses SA_NOCLDWAIT) have no zombies.
bool Kernel::do_notify_parent(Task& task, int sig)
{
    Task& parent = *task.real_parent;
    bool autoreap = false;
    if (sig == SIGCHLD) {
        SigAction const act = parent.sighand->action(SIGCHLD);
        if (act.handler == kSigIgn || (act.flags & SA_NOCLDWAIT)) {
            autoreap = true;
            if (act.handler == kSigIgn)
                sig = 0;
        }
    }
    if (valid_signal(sig))
        (void)group_send_sig_info(nullptr, sig, parent, SignalReason::ChildExited, task.pid);
    wake_up_parent(parent, task);
    return autoreap;
}

void Kernel::finish_zombie(Task& leader, bool autoreap)
{
    Task& parent = *leader.real_parent;
    if (autoreap) {
        ++m_counters.reaps;
        emit(EventKind::Reap, ReapKind::SigchldIgnored, parent.pid, leader.pid, leader.exit_code);
        release_task(leader);
    } else if (reaps_at_once(parent)) {
        wait_task_zombie(parent, leader, ReapKind::Init);
    }
}

// Linux: __wake_up_parent() and child_wait_callback(). A thread of the parent sleeping in
// wait() wakes only if the wait it sleeps in selects this child.
void Kernel::wake_up_parent(Task& parent, Task const& child)
{
    for (Task& t : parent.signal->thread_head) {
        if (t.state != TaskState::Blocked || t.blocked_on != BlockReason::Wait)
            continue;
        if ((t.wait_options & __WNOTHREAD) && child.real_parent != &t)
            continue;
        if (eligible_child(wait_query(t, t.wait_pid, t.wait_options), child))
            wake_up(t);
    }
}

// init (pid 1 of the model) reaps every zombie it is handed, as a real init does in its
// SIGCHLD loop; so does the init of a pid namespace while it is killing the namespace.
bool Kernel::reaps_at_once(Task const& parent) const
{
    return parent.group_leader->reaps_children ||
        (parent.exiting && parent.state == TaskState::Blocked && parent.blocked_on == BlockReason::PidNsZap);
}

bool Kernel::thread_group_empty(Task const& leader) const
{
    return leader.signal->nr_threads == 1;
}

bool Kernel::delay_group_leader(Task const& task) const
{
    return task.is_thread_group_leader() && !thread_group_empty(task);
}

// Linux: forget_original_parent(). Every child goes to the new reaper; each thread of each
// child with a parent-death signal gets it -- when the parent *thread* exits, which surprises
// people who create children from a thread.
void Kernel::forget_original_parent(Task& father)
{
    if (father.children.empty())
        return;
    Task* reaper = find_new_reaper(father);
    ReparentReason const why = reparent_reason(father, *reaper);
    std::vector<Task*> orphans;
    for (Task& child : father.children)
        orphans.push_back(&child);
    father.children.clear();
    for (Task* p : orphans) {
        reaper->children.push_back(*p);
        for (Task& t : p->signal->thread_head)
            t.real_parent = reaper;
        ++m_counters.reparents;
        emit(EventKind::Reparent, why, p->pid, father.pid, reaper->pid);
        for (Task& t : p->signal->thread_head)
            if (t.pdeath_signal)
                (void)group_send_sig_info(nullptr, t.pdeath_signal, t, SignalReason::ParentDeath, father.pid);
        if (reaper->tgid != father.tgid)
            reparent_leader(father, *p);
    }
}

// Linux: find_new_reaper(). First another live thread of the dying process, then the nearest
// live ancestor that called PR_SET_CHILD_SUBREAPER (in the same pid namespace), then the
// namespace's init.
Task* Kernel::find_new_reaper(Task& father)
{
    if (Task* thread = find_alive_thread(father))
        return thread;
    if (father.signal->has_child_subreaper) {
        unsigned const level = father.thread_pid->level();
        for (Task* r = father.real_parent; r && r->thread_pid->level() == level; r = r->real_parent) {
            if (r == m_init)
                break;
            if (!r->signal->is_child_subreaper)
                continue;
            if (Task* thread = find_alive_thread(*r))
                return thread;
        }
    }
    return father.pid_ns()->child_reaper;
}

Task* Kernel::find_alive_thread(Task& task)
{
    for (Task& t : task.signal->thread_head)
        if (!t.exiting)
            return &t;
    return nullptr;
}

ReparentReason Kernel::reparent_reason(Task const& father, Task const& reaper) const
{
    if (reaper.tgid == father.tgid)
        return ReparentReason::Thread;
    if (&reaper == reaper.pid_ns()->child_reaper)
        return reaper.pid_ns()->level() == 0 ? ReparentReason::Init : ReparentReason::NamespaceInit;
    return ReparentReason::Subreaper;
}

// Linux: reparent_leader(). An orphan that is already a zombie is announced to its new
// parent, which reaps it (init) or lets it go (SIGCHLD ignored).
void Kernel::reparent_leader(Task& father, Task& child)
{
    if (child.exit_signal != -1)
        child.exit_signal = SIGCHLD;  // "We don't want people slaying init."
    kill_orphaned_pgrp(child, &father);
    if (child.is_zombie() && thread_group_empty(child))
        finish_zombie(child, do_notify_parent(child, child.exit_signal));
}

// Linux: release_task(). The last trace of a task goes: its pid, its place in every list and
// every count. A thread's release may complete its leader's delayed zombie.
void Kernel::release_task(Task& task)
{
    Task* leader = task.group_leader;
    std::vector<PidNamespace*> namespaces;
    for (auto const& upid : task.thread_pid->numbers())
        namespaces.push_back(upid.ns);
    unhash_process(task);
    delete &task;
    if (leader != &task && leader->is_zombie() && thread_group_empty(*leader)) {
        leader->exit_code = leader->signal->group_exit_code;  // The last thread's status.
        finish_zombie(*leader, do_notify_parent(*leader, leader->exit_signal));
    }
    for (PidNamespace* ns : namespaces)
        finish_zap_if_done(*ns);
}

void Kernel::unhash_process(Task& task)
{
    task.thread_pid->task = nullptr;
    PidNamespace* ns = task.pid_ns();
    if (ns->child_reaper == &task)
        ns->child_reaper = nullptr;  // The namespace is dead: nothing can be added to it.
    if (!task.is_thread_group_leader())
        task.signal->dead_threads_usage += task.rusage;  // Linux: __exit_signal().
    if (task.is_thread_group_leader()) {
        if (task.real_parent)
            task.real_parent->children.erase(ChildList::s_iterator_to(task));
        task.signal->pgrp->pgrp_members.erase(PgrpList::s_iterator_to(task));
        task.signal->session->session_members.erase(SessionList::s_iterator_to(task));
    }
    task.signal->thread_head.erase(ThreadList::s_iterator_to(task));
    --task.signal->nr_threads;
    m_tasks.erase(TaskList::s_iterator_to(task));
    --m_nr_threads;
    if (--m_nproc[task.cred.uid] == 0)
        m_nproc.erase(task.cred.uid);
    task.cgroup->uncharge();
    for (auto const& upid : task.thread_pid->numbers())
        --upid.ns->nr_tasks;
}

// Linux: zap_pid_ns_processes(). When the init of a pid namespace dies, every process in the
// namespace is killed, no process may join it any more (fork there fails with ENOMEM), and the
// init finishes dying only once all of them are gone, reaping them as they go.
void Kernel::zap_pid_ns_processes(Task& init)
{
    PidNamespace& ns = *init.pid_ns();
    ns.adding = false;
    emit(EventKind::PidNsZap, 0, init.pid);
    set_state(init, TaskState::Blocked, BlockReason::PidNsZap);
    std::vector<Task*> zombies;
    for (Task& child : init.children)
        if (child.is_zombie() && thread_group_empty(child))
            zombies.push_back(&child);
    for (Task* z : zombies)
        wait_task_zombie(init, *z, ReapKind::Init);
    std::vector<Task*> victims;
    for (Task& t : m_tasks)
        if (&t != &init && t.is_thread_group_leader() && !t.exiting && t.thread_pid->nr_in(&ns) != 0)
            victims.push_back(&t);
    for (Task* t : victims)
        (void)group_send_sig_info(nullptr, SIGKILL, *t, SignalReason::NamespaceZap, init.pid);
    finish_zap_if_done(ns);
}

void Kernel::finish_zap_if_done(PidNamespace& ns)
{
    Task* init = ns.child_reaper;
    if (ns.adding || !init || !reaps_at_once(*init) || init->reaps_children)
        return;
    // Linux: init_pids. A thread other than the leader waits for its own zombie leader too.
    int const init_pids = init->is_thread_group_leader() ? 1 : 2;
    if (ns.nr_tasks > init_pids)
        return;
    set_state(*init, TaskState::Runnable);
    exit_notify(*init, true);
}

// Linux: kill_orphaned_pgrp(). POSIX: when a process group becomes orphaned -- no member has a
// parent in another group of the same session, so no shell can resume it -- and some member is
// stopped, every member gets SIGHUP and then SIGCONT.
void Kernel::kill_orphaned_pgrp(Task& task, Task* parent)
{
    Pid& pgrp = *task.signal->pgrp;
    Task const* ignored = &task;
    if (!parent)
        parent = task.real_parent;  // Exit: we were maybe the group's only link outside.
    else
        ignored = nullptr;          // Reparent: our child was maybe its group's only link.
    if (!parent)
        return;
    if (parent->signal->pgrp.get() != &pgrp && parent->signal->session == task.signal->session &&
        will_become_orphaned_pgrp(pgrp, ignored) && has_stopped_jobs(pgrp)) {
        kill_pgrp(pgrp, SIGHUP, SignalReason::OrphanedPgrp);
        kill_pgrp(pgrp, SIGCONT, SignalReason::OrphanedPgrp);
    }
}

bool Kernel::will_become_orphaned_pgrp(Pid const& pgrp, Task const* ignored) const
{
    for (Task const& p : pgrp.pgrp_members) {
        // init's parent (Linux's idle task, here none) and init itself tie no group to a session.
        if (&p == ignored || (p.is_zombie() && thread_group_empty(p)) || !p.real_parent ||
            p.real_parent == m_init)
            continue;
        if (p.real_parent->signal->pgrp.get() != &pgrp &&
            p.real_parent->signal->session == p.signal->session)
            return false;
    }
    return true;
}

bool Kernel::has_stopped_jobs(Pid const& pgrp) const
{
    for (Task const& p : pgrp.pgrp_members)
        if (p.signal->stopped)
            return true;
    return false;
}

}  // namespace forklab
