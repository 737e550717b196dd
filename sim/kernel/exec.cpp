// execve(). Linux: fs/exec.c.
//
// Everything that can fail is done before the point of no return: the lookup, the permission
// check, the argument size and the new address space. Only then does begin_new_exec() change
// the process -- so a failed exec returns to the old program with nothing changed, and a
// successful one never returns at all.
#include "kernel/kernel.h"

namespace forklab {

namespace {

std::string_view basename(std::string_view path)
{
    auto const slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

ErrorOr<std::shared_ptr<Executable const>> Kernel::execve(pid_t caller, std::string_view path,
    std::vector<std::string> argv, std::optional<std::vector<std::string>> envp)
{
    Task* me = TRY(current(caller));
    auto failed = [&](int err) {
        emit(EventKind::ExecFailed, 0, me->pid, 0, err);
        return error(err);
    };
    if (!me->is_thread_group_leader())
        return failed(EINVAL);  // de_thread()'s leader swap is not modelled.
    auto where = namei(*me, path);
    if (!where)
        return failed(where.error().code());
    RefPtr<Inode> const inode = where->inode;
    if (!inode)
        return failed(ENOENT);
    // Linux: do_open_execat() wants a regular file with an x bit the caller may use.
    if (!inode->is_regular() || !Vfs::permission(*inode, fs_cred(*me), kMayExec))
        return failed(EACCES);
    // The arguments are copied (copy_strings) before a binary format is looked for, so E2BIG
    // comes before ENOEXEC.
    if (auto args = check_exec_args(*me, argv, envp); !args)
        return failed(args.error().code());
    if (!inode->executable)
        return failed(ENOEXEC);  // No program in it: the kernel knows no format for these bytes.
    ProgramImage image = inode->executable->image();
    image.stack_size = me->signal->rlim[RLIMIT_STACK].cur;
    if (!inode->image_pages)
        inode->image_pages = MmStruct::image_pages(image, m_phys);
    auto mm = MmStruct::from_image(image, m_phys, inode->image_pages);
    if (!mm)
        return failed(mm.error().code());
    TRY(begin_new_exec(caller, basename(where->path), std::move(*mm)));
    me->cmdline = std::move(argv);
    if (envp) {
        me->env = Environ{};
        for (std::string const& entry : *envp) {
            auto const eq = entry.find('=');
            if (eq != std::string::npos)
                me->env.set(std::string_view(entry).substr(0, eq), std::string_view(entry).substr(eq + 1));
        }
    }
    return inode->executable;
}

// Linux: bprm_stack_limits() and copy_strings(). The arguments and environment, with their
// pointers, must fit in a quarter of RLIMIT_STACK, but never in more than 6 MiB (three quarters
// of the default 8 MiB stack) nor less than ARG_MAX's 32 pages; no single string may exceed 32
// pages (MAX_ARG_STRLEN).
ErrorOr<void> Kernel::check_exec_args(Task const& task, std::vector<std::string> const& argv,
    std::optional<std::vector<std::string>> const& envp) const
{
    constexpr std::uint64_t kStkLim = 8 << 20, kArgMax = 32 * kPageSize;
    std::uint64_t const limit =
        std::max(std::min(kStkLim / 4 * 3, task.signal->rlim[RLIMIT_STACK].cur / 4), kArgMax);
    std::uint64_t total = 0;
    auto add = [&](std::vector<std::string> const& strings) -> ErrorOr<void> {
        for (std::string const& s : strings) {
            if (s.size() + 1 > 32 * kPageSize)
                return error(E2BIG);
            total += s.size() + 1 + sizeof(std::uint64_t);
        }
        return {};
    };
    TRY(add(argv));
    TRY(add(envp ? *envp : task.env.entries()));
    if (total > limit)
        return error(E2BIG);
    return {};
}

ErrorOr<void> Kernel::exec_image(pid_t caller, std::string_view program, ProgramImage const& image)
{
    TRY(current(caller));
    auto mm = MmStruct::from_image(image, m_phys);
    if (!mm)
        return std::unexpected(mm.error());
    return begin_new_exec(caller, program, std::move(*mm));
}

// Linux: begin_new_exec(). The point of no return: what exec does to the process, by
// execve(2)'s list.
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
    // A shared fd table is unshared (unshare_files), then close-on-exec descriptors are closed.
    // The others stay open, with the same descriptions and offsets.
    if (me->files->use_count() > 1)
        me->files = me->files->dup();
    do_close_on_exec(*me);
    // Caught signals are reset to SIG_DFL; ignored ones stay ignored; the mask and pending
    // signals are kept (execve(2)). A shared handler table is unshared first.
    if (me->sighand->use_count() > 1)
        me->sighand = make_ref<SighandStruct>(*me->sighand);
    me->sighand->reset_caught_to_default();
    // POSIX timers are deleted; alarm and interval timers are kept.
    me->signal->posix_timers.clear();
    // Linux: de_thread(). Whatever exit signal clone() chose, the new program's parent hears
    // of its death by SIGCHLD (execve(2)).
    me->exit_signal = SIGCHLD;
    me->did_exec = true;
    me->set_name(program);
    emit(EventKind::Exec, 0, me->pid);
    return {};
}

}  // namespace forklab
