// The kernel object: construction of init, lookups, state changes and the event log.
#include "kernel/kernel.h"

#include <fcntl.h>

namespace forklab {

std::array<Rlimit, kRlimits> KernelConfig::default_rlimits(int threads_max)
{
    std::array<Rlimit, kRlimits> r{};  // Everything else unlimited.
    auto const nproc = std::uint64_t(threads_max / 2);
    r[RLIMIT_STACK] = {8u << 20, kRlimInfinity};
    r[RLIMIT_CORE] = {0, kRlimInfinity};
    r[RLIMIT_NPROC] = {nproc, nproc};
    r[RLIMIT_NOFILE] = {1024, 524288};
    r[RLIMIT_MEMLOCK] = {8u << 20, 8u << 20};
    r[RLIMIT_SIGPENDING] = {nproc, nproc};
    r[RLIMIT_MSGQUEUE] = {819200, 819200};
    r[RLIMIT_NICE] = {0, 0};
    r[RLIMIT_RTPRIO] = {0, 0};
    return r;
}

Kernel::Kernel(KernelConfig config)
    : m_config(config)
    , m_phys(config.physical_frames)
    , m_vfs(m_phys)
{
    if (m_config.pid_max < 2 || m_config.pid_max > kPidMaxLimit)
        m_config.pid_max = 32768;
    m_namespaces.push_back(std::make_unique<PidNamespace>(nullptr, m_config.pid_max));
    create_init();
}

Kernel::~Kernel()
{
    // Tear down without the exit path: unlink every list first, so no list outlives a task
    // linked into it, then free the tasks.
    for (Task& t : m_tasks) {
        t.children.clear();
        if (t.thread_pid) {
            t.thread_pid->pgrp_members.clear();
            t.thread_pid->session_members.clear();
        }
        if (t.signal)
            t.signal->thread_head.clear();
    }
    m_tasks.clear_and_dispose([](Task* t) { delete t; });
}

// Linux's init_task forks pid 1 at boot; here pid 1 is built by hand, owned by root, session
// and group leader of its own, the reaper of every orphan in the root namespace.
void Kernel::create_init()
{
    auto init = std::make_unique<Task>();
    PidNamespace& ns = *m_namespaces.front();
    auto pid = alloc_pid(ns);  // The first number of a fresh namespace is always 1.
    init->thread_pid = *pid;
    init->pid = init->tgid = init->thread_pid->nr();
    init->set_name("init");
    init->reaps_children = true;
    init->signal = make_ref<SignalStruct>();
    init->signal->rlim = Rlimits(m_config.init_rlimits);
    init->signal->pgrp = init->signal->session = init->thread_pid;
    init->signal->leader = true;
    init->signal->unkillable = true;
    init->signal->nr_threads = init->signal->live = 1;
    init->signal->thread_head.push_back(*init);
    init->sighand = make_ref<SighandStruct>();
    init->files = make_ref<FilesStruct>();
    auto tty = make_ref<OpenFileDescription>(m_vfs, RefPtr<Inode>(&m_vfs.console()), "/dev/console", O_RDWR | kOLargefile);
    for (int fd = 0; fd < 3; ++fd)
        init->files->install(tty, false);
    init->fs = make_ref<FsStruct>();
    init->mm = make_ref<MmStruct>(m_phys);
    init->env.set("PATH", "/bin:/usr/bin");
    init->env.set("HOME", "/");
    init->cgroup = &m_root_cgroup;
    m_root_cgroup.try_charge();
    init->thread_pid->task = init.get();
    init->thread_pid->pgrp_members.push_back(*init);
    init->thread_pid->session_members.push_back(*init);
    ns.child_reaper = init.get();
    ns.nr_tasks = 1;
    m_init = init.release();
    m_tasks.push_back(*m_init);
    m_nr_threads = 1;
    m_nproc[0] = 1;
}

int Kernel::nr_processes_of(uid_t uid) const
{
    auto it = m_nproc.find(uid);
    return it == m_nproc.end() ? 0 : it->second;
}

ErrorOr<Task*> Kernel::current(pid_t caller)
{
    Task* task = find_task_mut(caller);
    if (!task || task->exiting)
        return error(ESRCH);
    // Only a task that is running can trap into the kernel: a sleeping, stopped or dead task
    // executes no statements. A client asking otherwise has a bug; tell it so.
    if (task->state != TaskState::Runnable && task->state != TaskState::Running)
        return error(EBUSY);
    return task;
}

Pid* Kernel::find_vpid(Task const& viewer, pid_t nr) const
{
    return viewer.pid_ns()->find(nr);
}

Task* Kernel::find_task_by_vpid(Task const& viewer, pid_t nr) const
{
    Pid* p = find_vpid(viewer, nr);
    return p ? p->task : nullptr;
}

pid_t Kernel::task_pid_vnr(Task const& viewer, Pid const& pid) const
{
    return pid.nr_in(viewer.pid_ns());
}

pid_t Kernel::pid_in_ns_of(Task const& task, Task const& viewer) const
{
    return task_pid_vnr(viewer, *task.thread_pid);
}

void Kernel::set_state(Task& task, TaskState state, BlockReason why)
{
    TaskState const old = task.state;
    BlockReason const old_reason = task.blocked_on;
    task.state = state;
    task.blocked_on = state == TaskState::Blocked ? why : BlockReason::None;
    if (state != TaskState::Blocked)
        task.sleeping_on = task.lock_blocked_by = nullptr;
    if (state == TaskState::Blocked && old != TaskState::Blocked)
        emit(EventKind::Blocked, why, task.pid);
    else if (old == TaskState::Blocked && state != TaskState::Blocked)
        emit(EventKind::Woken, old_reason, task.pid);
}

void Kernel::wake_up(Task& task)
{
    if (task.state == TaskState::Blocked)
        set_state(task, TaskState::Runnable);
}

void Kernel::emit(EventKind kind, std::uint8_t aux, pid_t pid, pid_t other, std::int64_t value)
{
    m_events.append(Event{m_step, kind, aux, pid, other, 0, value});
}

}  // namespace forklab
