// What an administrator changes from outside the processes: sysctls and cgroup files.
#include "kernel/kernel.h"

#include <charconv>

namespace forklab {

// /proc/sys/kernel/pid_max. Linux accepts 301..4194304; the model accepts any value from 2 so
// that a class can watch pids wrap around and run out with a handful of processes.
ErrorOr<void> Kernel::set_pid_max(int pid_max)
{
    if (pid_max < 2 || pid_max > kPidMaxLimit)
        return error(EINVAL);
    m_config.pid_max = pid_max;
    for (auto& ns : m_namespaces)
        ns->set_pid_max(pid_max);
    return {};
}

// /proc/sys/kernel/threads-max: Linux accepts 20..FUTEX_TID_MASK.
ErrorOr<void> Kernel::set_threads_max(int threads_max)
{
    if (threads_max < 20 || threads_max > 0x3fffffff)
        return error(EINVAL);
    m_config.threads_max = threads_max;
    return {};
}

// A cgroup path: "/" or "/a/b". The parent must exist (ENOENT), as mkdir(2) requires.
ErrorOr<Cgroup*> Kernel::lookup_cgroup(std::string_view path)
{
    if (path.empty() || path.front() != '/')
        return error(EINVAL);
    Cgroup* cg = &m_root_cgroup;
    std::size_t i = 1;
    while (i < path.size()) {
        std::size_t j = path.find('/', i);
        if (j == std::string_view::npos)
            j = path.size();
        if (j > i) {
            cg = cg->child(path.substr(i, j - i));
            if (!cg)
                return error(ENOENT);
        }
        i = j + 1;
    }
    return cg;
}

Cgroup const* Kernel::find_cgroup(std::string_view path) const
{
    auto cg = const_cast<Kernel*>(this)->lookup_cgroup(path);
    return cg ? *cg : nullptr;
}

ErrorOr<void> Kernel::cgroup_mkdir(std::string_view path)
{
    while (path.size() > 1 && path.back() == '/')
        path.remove_suffix(1);
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos || slash + 1 == path.size())
        return error(EINVAL);
    Cgroup* parent = TRY(lookup_cgroup(slash == 0 ? std::string_view("/") : path.substr(0, slash)));
    std::string_view const name = path.substr(slash + 1);
    if (parent->child(name))
        return error(EEXIST);
    parent->add_child(std::string(name));
    return {};
}

// pids.max: a number of tasks, or Cgroup::kMax for "max". Lowering it below pids.current is
// allowed, as in Linux: it stops new forks, it kills nobody.
ErrorOr<void> Kernel::cgroup_set_pids_max(std::string_view path, std::int64_t max)
{
    Cgroup* cg = TRY(lookup_cgroup(path));
    if (max < Cgroup::kMax || cg == &m_root_cgroup)
        return error(EINVAL);  // The root cgroup has no pids.max file.
    cg->pids_max = max;
    return {};
}

// Writing a pid to cgroup.procs moves the whole process. Migration is not limited by pids.max
// (Linux charges it without checking), which is why a limit is set before the processes move.
ErrorOr<void> Kernel::cgroup_attach(pid_t pid, std::string_view path)
{
    Cgroup* cg = TRY(lookup_cgroup(path));
    Task* t = find_task_mut(pid);
    if (!t || t->is_zombie())
        return error(ESRCH);
    for (Task& thread : t->signal->thread_head) {
        thread.cgroup->uncharge();
        thread.cgroup = cg;
        for (Cgroup* c = cg; c; c = c->parent())
            ++c->pids_current;
    }
    return {};
}

}  // namespace forklab
