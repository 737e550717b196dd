// The memory system calls and the program's loads and stores, as kernel entry points. The
// rules live in sim/mm; here the caller is checked, the costs are counted, and every fault
// becomes an event -- or a signal, when the access was not allowed.
#include "kernel/kernel.h"

#include <algorithm>

namespace forklab {

ErrorOr<MmStruct*> Kernel::mm_of(Task& task)
{
    if (!task.mm)
        return error(ESRCH);
    return task.mm.get();
}

// What a memory operation cost goes to the task that made it and to the kernel's totals.
void Kernel::charge(Task& task, MmCounters const& cost)
{
    task.mm_counters += cost;
    m_mm_totals += cost;
}

ErrorOr<void> Kernel::set_fork_strategy(ForkStrategy strategy)
{
    if (strategy != ForkStrategy::Cow && strategy != ForkStrategy::Copy && strategy != ForkStrategy::Odf &&
        strategy != ForkStrategy::Vfork)
        return error(EINVAL);
    m_config.fork_strategy = strategy;
    return {};
}

ErrorOr<std::uint64_t> Kernel::mmap(pid_t caller, std::uint64_t addr, std::uint64_t len, int prot, int flags,
    RefPtr<VmObject> file, std::uint64_t offset)
{
    Task* me = TRY(current(caller));
    MmStruct* mm = TRY(mm_of(*me));
    bool const anonymous = flags & MAP_ANONYMOUS;
    if (!anonymous && !file)
        return error(EBADF);  // No file behind the fd (the files issue passes the open file).
    // Linux: mlock_future_ok(). A mapping that will be locked must fit under RLIMIT_MEMLOCK.
    bool const locked = (flags & MAP_LOCKED) || mm->lock_future();
    if (locked && !may_lock_beyond_limit(*me) && len <= kTaskSize &&
        mm->locked_pages() * kPageSize + page_ceil(len) > me->signal->rlim[RLIMIT_MEMLOCK].cur)
        return error(EAGAIN);
    std::uint64_t const start = TRY(mm->mmap(addr, len, prot, flags, anonymous ? nullptr : file, offset));
    if ((flags & (MAP_POPULATE | MAP_LOCKED)) || mm->lock_future()) {
        MmCounters cost;
        (void)mm->populate(start, start + page_ceil(len), cost);  // Best effort, as in Linux.
        charge(*me, cost);
    }
    return start;
}

// mmap(2) of an open file: the mapping reads and writes the file's page cache. The description
// must be readable; a shared writable mapping needs a description opened for writing (and not
// O_APPEND, which a store through memory could not honour).
ErrorOr<std::uint64_t> Kernel::mmap_file(pid_t caller, std::uint64_t addr, std::uint64_t len, int prot, int flags,
    int fd, std::uint64_t offset)
{
    Task* me = TRY(current(caller));
    if (flags & MAP_ANONYMOUS)
        return mmap(caller, addr, len, prot, flags, RefPtr<VmObject>{}, offset);
    OpenFileDescription* file = TRY(fget(*me, fd));
    if (!file->inode->is_regular())
        return error(ENODEV);  // Pipes, the terminal and /dev/null have no pages to map.
    if (!file->readable())
        return error(EACCES);
    if ((flags & MAP_TYPE) == MAP_SHARED && (prot & PROT_WRITE) && (!file->writable() || (file->flags & O_APPEND)))
        return error(EACCES);
    return mmap(caller, addr, len, prot, flags, RefPtr<VmObject>(file->inode.get()), offset);
}

ErrorOr<void> Kernel::munmap(pid_t caller, std::uint64_t addr, std::uint64_t len)
{
    Task* me = TRY(current(caller));
    return TRY(mm_of(*me))->munmap(addr, len);
}

ErrorOr<void> Kernel::mprotect(pid_t caller, std::uint64_t addr, std::uint64_t len, int prot)
{
    Task* me = TRY(current(caller));
    return TRY(mm_of(*me))->mprotect(addr, len, prot);
}

ErrorOr<void> Kernel::madvise(pid_t caller, std::uint64_t addr, std::uint64_t len, int advice)
{
    Task* me = TRY(current(caller));
    return TRY(mm_of(*me))->madvise(addr, len, advice);
}

// RLIMIT_MEMLOCK bounds what a process without CAP_IPC_LOCK (here: not root) may lock; with
// a limit of 0 it may lock nothing at all (Linux: can_do_mlock(), EPERM).
bool Kernel::may_lock_beyond_limit(Task const& task) const
{
    return task.cred.euid == 0;
}

ErrorOr<std::uint64_t> Kernel::memlock_limit(Task const& task) const
{
    if (may_lock_beyond_limit(task))
        return kRlimInfinity;
    std::uint64_t const limit = task.signal->rlim[RLIMIT_MEMLOCK].cur;
    if (limit == 0)
        return error(EPERM);
    return limit;
}

ErrorOr<void> Kernel::mlock(pid_t caller, std::uint64_t addr, std::uint64_t len)
{
    Task* me = TRY(current(caller));
    std::uint64_t const limit = TRY(memlock_limit(*me));
    MmCounters cost;
    auto r = TRY(mm_of(*me))->mlock(addr, len, limit, cost);
    charge(*me, cost);
    return r;
}

ErrorOr<void> Kernel::munlock(pid_t caller, std::uint64_t addr, std::uint64_t len)
{
    Task* me = TRY(current(caller));
    return TRY(mm_of(*me))->munlock(addr, len);
}

ErrorOr<void> Kernel::mlockall(pid_t caller, int flags)
{
    Task* me = TRY(current(caller));
    std::uint64_t const limit = TRY(memlock_limit(*me));
    MmCounters cost;
    auto r = TRY(mm_of(*me))->mlockall(flags, limit, cost);
    charge(*me, cost);
    return r;
}

ErrorOr<void> Kernel::munlockall(pid_t caller)
{
    Task* me = TRY(current(caller));
    return TRY(mm_of(*me))->munlockall();
}

ErrorOr<std::vector<std::uint8_t>> Kernel::mincore(pid_t caller, std::uint64_t addr, std::uint64_t len)
{
    Task* me = TRY(current(caller));
    return TRY(mm_of(*me))->mincore(addr, len);
}

// Linux: sys_brk(). Under mlockall(MCL_FUTURE) the new heap is locked, so it must fit under
// RLIMIT_MEMLOCK, and it is faulted in at once (mm_populate).
ErrorOr<std::uint64_t> Kernel::brk(pid_t caller, std::uint64_t addr)
{
    Task* me = TRY(current(caller));
    MmStruct* mm = TRY(mm_of(*me));
    std::uint64_t const old_end = page_ceil(mm->current_brk());
    std::uint64_t const new_end = page_ceil(addr);
    bool const grows = addr >= mm->start_brk() && new_end > old_end;
    if (grows && mm->lock_future() && !may_lock_beyond_limit(*me) &&
        mm->locked_pages() * kPageSize + (new_end - old_end) > me->signal->rlim[RLIMIT_MEMLOCK].cur)
        return mm->current_brk();
    std::uint64_t const result = mm->brk(addr);
    if (grows && mm->lock_future() && result == addr) {
        MmCounters cost;
        (void)mm->populate(old_end, new_end, cost);
        charge(*me, cost);
    }
    return result;
}

ErrorOr<Kernel::MemoryAccess> Kernel::read_memory(pid_t pid, std::uint64_t va, std::span<std::uint8_t> out)
{
    Task* me = TRY(current(pid));
    MmStruct* mm = TRY(mm_of(*me));
    std::vector<FaultResult> faults;
    auto stop = mm->read(va, out, me->mm_counters, &faults);
    account_faults(*me, faults, false);
    return finish_access(*me, stop);
}

ErrorOr<Kernel::MemoryAccess> Kernel::write_memory(pid_t pid, std::uint64_t va, std::span<std::uint8_t const> bytes)
{
    Task* me = TRY(current(pid));
    MmStruct* mm = TRY(mm_of(*me));
    std::vector<FaultResult> faults;
    auto stop = mm->write(va, bytes, me->mm_counters, &faults);
    account_faults(*me, faults, true);
    return finish_access(*me, stop);
}

MmStruct const* Kernel::user_mm(pid_t pid) const
{
    Task const* task = find_task(pid);
    if (!task || task->exiting || (task->state != TaskState::Runnable && task->state != TaskState::Running))
        return nullptr;  // current() would refuse the access (ESRCH, EBUSY).
    return task->mm.get();
}

// Every fault is an event; the kernel-wide counters follow the task's.
void Kernel::account_faults(Task& task, std::vector<FaultResult> const& faults, bool write)
{
    for (FaultResult const& f : faults) {
        if (f.kind == FaultResult::Kind::Oom)
            continue;  // Reported by finish_access().
        std::uint8_t const aux = std::uint8_t(f.kind) | (f.file_page ? 0x20 : 0) | (write ? 0x40 : 0) |
            (f.table_copied ? 0x80 : 0);
        std::int64_t const refs = std::min<std::uint32_t>(f.old_refs, 0xffff);
        m_events.append(Event{m_step, EventKind::PageFault, aux, task.pid, pid_t(f.old_frame), f.new_frame,
            std::int64_t(f.va) | (refs << 48)});
        MmCounters one;
        one.minor_faults = f.kind != FaultResult::Kind::Segv;
        one.cow_copies = f.kind == FaultResult::Kind::CowCopy;
        one.cow_reuses = f.kind == FaultResult::Kind::CowReuse;
        one.zero_maps = f.kind == FaultResult::Kind::ZeroMap;
        one.pt_pages_copied = f.table_copied;
        m_mm_totals += one;
    }
}

// A fault the access could not get past: SIGSEGV for a bad address or protection (Linux:
// force_sig_fault(), which a handler may catch), SIGKILL when memory ran out (the OOM path).
Kernel::MemoryAccess Kernel::finish_access(Task& task, std::optional<FaultResult> const& stop)
{
    if (!stop)
        return MemoryAccess{};
    if (stop->kind == FaultResult::Kind::Oom) {
        emit(EventKind::OomKill, 0, task.pid, 0, std::int64_t(stop->va));
        force_sig(task, SIGKILL, SignalReason::OutOfMemory);
    } else {
        force_sig(task, SIGSEGV, SignalReason::Fault);
    }
    return MemoryAccess{false, stop};
}

// Linux: force_sig_info_to_task(). A fault's signal cannot be ignored or blocked away: if it
// is, the disposition goes back to SIG_DFL and it is unblocked, so that the process dies.
void Kernel::force_sig(Task& task, int sig, SignalReason why)
{
    SigAction const act = task.sighand->action(sig);
    if (act.handler == kSigIgn || (task.blocked & sigbit(sig))) {
        task.sighand->set_action(sig, SigAction{});
        task.blocked &= ~sigbit(sig);
    }
    // An init that faults with no handler dies too: a forced default action clears
    // SIGNAL_UNKILLABLE. (The kernel-driven pid 1 touches no memory.)
    if (task.sighand->action(sig).handler == kSigDfl && !task.group_leader->reaps_children)
        task.signal->unkillable = false;
    (void)group_send_sig_info(nullptr, sig, task, why, task.pid);
}

}  // namespace forklab
