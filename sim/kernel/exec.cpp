// The half of execve() that concerns the process rather than the program image. Linux:
// fs/exec.c begin_new_exec(). The files issue adds the path lookup, the memory issue builds the
// new address space; what is here is what exec does to the task, by execve(2)'s list.
#include "kernel/kernel.h"

namespace forklab {

ErrorOr<void> Kernel::exec_image(pid_t caller, std::string_view program, ProgramImage const& image)
{
    TRY(current(caller));
    auto mm = MmStruct::from_image(image, m_phys);
    if (!mm)
        return std::unexpected(mm.error());
    return begin_new_exec(caller, program, std::move(*mm));
}

ErrorOr<void> Kernel::begin_new_exec(pid_t caller, std::string_view program, RefPtr<MmStruct> mm)
{
    Task* me = TRY(current(caller));
    if (!me->is_thread_group_leader())
        return error(EINVAL);  // de_thread()'s leader swap is not modelled: exec from the leader.
    // Linux: de_thread(). Every other thread dies; the process continues in this one.
    std::vector<Task*> others;
    for (Task& t : me->signal->thread_head)
        if (&t != me && !t.exiting)
            others.push_back(&t);
    for (Task* t : others)
        do_exit(*t, wait_status_signaled(SIGKILL, false));
    // The old address space goes; a vfork parent may run again (exec_mmap -> mm_release).
    mm_release(*me);
    me->mm = mm ? mm : make_ref<MmStruct>(m_phys);
    // Shared fd tables and handler tables are unshared, then close-on-exec descriptors closed
    // and caught signals reset to SIG_DFL. Ignored signals stay ignored; the mask and pending
    // signals are kept (execve(2)).
    if (me->files->use_count() > 1)
        me->files = me->files->dup();
    for (FdSlot& slot : me->files->fds)
        if (slot.cloexec)
            slot = FdSlot{};
    if (me->sighand->use_count() > 1)
        me->sighand = make_ref<SighandStruct>(*me->sighand);
    me->sighand->reset_caught_to_default();
    // POSIX timers are deleted; alarm and interval timers are kept.
    me->signal->posix_timers.clear();
    me->did_exec = true;
    me->set_name(program);
    emit(EventKind::Exec, 0, me->pid);
    return {};
}

}  // namespace forklab
