#include "trace/attributes.h"

#include "base/format.h"

#include <array>
#include <cstdio>

namespace forklab {

std::string_view at_fork_name(AtFork f)
{
    switch (f) {
    case AtFork::Inherited: return "inherited";
    case AtFork::Shared: return "shared";
    case AtFork::Reset: return "reset";
    case AtFork::NotInherited: return "not inherited";
    }
    return "?";
}

std::string_view at_exec_name(AtExec e)
{
    switch (e) {
    case AtExec::Kept: return "kept";
    case AtExec::Reset: return "reset";
    case AtExec::Replaced: return "replaced";
    }
    return "?";
}

std::string sigset_text(SigSet set)
{
    std::string text;
    for (int sig = 1; sig <= kNSig; ++sig)
        if (set & sigbit(sig))
            text += (text.empty() ? "" : " ") + std::string(signal_name(sig));
    return text.empty() ? "none" : text;
}

namespace {

std::string or_none(std::string text) { return text.empty() ? "none" : text; }

std::string hex(std::uint64_t v)
{
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

std::string range_text(Vma const& v) { return hex(v.start) + "-" + hex(v.end); }

// The areas of the address space that pass a test, as address ranges.
template<typename Pred>
std::string areas(Task const& t, Pred pred)
{
    std::string text;
    if (t.mm)
        for (Vma const& v : t.mm->vmas())
            if (pred(v))
                text += (text.empty() ? "" : " ") + range_text(v);
    return or_none(text);
}

// Every open descriptor of the task, described by `describe` (which may skip one with "").
template<typename Describe>
std::string each_fd(Task const& t, Describe describe)
{
    std::string text;
    if (t.files)
        for (std::size_t fd = 0; fd < t.files->fds.size(); ++fd)
            if (FdSlot const& slot = t.files->fds[fd]; slot.file)
                if (std::string d = describe(int(fd), slot); !d.empty())
                    text += (text.empty() ? "" : ", ") + d;
    return or_none(text);
}

std::string lock_type_text(FileLock const& l)
{
    std::string range = l.end == FileLock::kToEof ? format("{}-EOF", l.start) : format("{}-{}", l.start, l.end);
    return format("{} {}", l.type == F_WRLCK ? "write" : "read", range);
}

// The locks of one kind that `owner_of` says this descriptor's holder owns, on the file behind it.
template<typename Owner>
std::string locks_through_fds(Task const& t, LockKind kind, Owner owner_of)
{
    return each_fd(t, [&](int fd, FdSlot const& slot) {
        std::string text;
        for (FileLock const& l : slot.file->inode->locks.all())
            if (l.kind == kind && l.owner == owner_of(slot))
                text += format("{}fd {}: {}", text.empty() ? "" : ", ", fd, lock_type_text(l));
        return text;
    });
}

// The dispositions whose handler passes a test (a function, or SIG_IGN).
template<typename Pred>
std::string dispositions(Task const& t, Pred pred)
{
    std::string text;
    for (auto const& [sig, action] : t.sighand->entries())
        if (pred(action.handler))
            text += format("{}{}{}", text.empty() ? "" : " ", signal_name(sig),
                action.handler == kSigIgn ? std::string() : "->" + hex(action.handler));
    return or_none(text);
}

std::string itimers_text(Task const& t)
{
    static constexpr std::array<char const*, 3> names{"ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF"};
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (Itimer const& it = t.signal->itimers[i]; it.expires_ns)
            text += format("{}{} at {} ns", text.empty() ? "" : ", ", names[i], it.expires_ns);
    return or_none(text);
}

std::string rlimit_value(std::uint64_t v) { return v == kRlimInfinity ? "unlimited" : std::to_string(v); }

std::string rlimits_text(Task const& t)
{
    std::string text;
    for (int r = 0; r < kRlimits; ++r)
        text += format("{}{} {}/{}", r ? ", " : "", rlimit_name(r), rlimit_value(t.signal->rlim[r].cur),
            rlimit_value(t.signal->rlim[r].max));
    return text;
}

std::string policy_name(int policy)
{
    switch (policy) {
    case SCHED_OTHER: return "SCHED_OTHER";
    case SCHED_FIFO: return "SCHED_FIFO";
    case SCHED_RR: return "SCHED_RR";
    case SCHED_BATCH: return "SCHED_BATCH";
    case SCHED_IDLE: return "SCHED_IDLE";
    case SCHED_DEADLINE: return "SCHED_DEADLINE";
    }
    return std::to_string(policy);
}

std::string octal(unsigned v)
{
    char b[8];
    std::snprintf(b, sizeof b, "%04o", v);
    return b;
}

// The rows. Each rule is said in this project's words; the source names the manual page (or,
// where the pages are silent, the kernel function) that states it.
constexpr std::array kAttributes{
    // --- Identity and family ----------------------------------------------------------------
    TaskAttribute{"process ID", "Task::pid, Task::tgid",
        AtFork::Reset, "The child gets a process ID of its own, which is also no existing process group's or session's ID.", "fork(2)",
        AtExec::Kept, "exec runs a new program in the same process: the PID does not change.", "execve(2)",
        [](Task const& t) { return std::to_string(t.tgid); }},
    TaskAttribute{"parent process ID", "Task::real_parent",
        AtFork::Reset, "The child's parent is the process that called fork().", "fork(2)",
        AtExec::Kept, "Every attribute not in execve(2)'s list is preserved, the parent among them.", "execve(2)",
        [](Task const& t) { return std::to_string(t.real_parent ? t.real_parent->tgid : 0); }},
    TaskAttribute{"children", "Task::children",
        AtFork::NotInherited, "The new process starts with an empty list of children: its parent's children are its siblings.", "kernel/fork.c copy_process()",
        AtExec::Kept, "The children stay the process's children, and it may still wait for them.", "execve(2)",
        [](Task const& t) {
            std::string text;
            for (Task const& c : t.children)
                text += (text.empty() ? "" : " ") + std::to_string(c.tgid);
            return or_none(text);
        }},
    TaskAttribute{"threads", "SignalStruct::thread_head",
        AtFork::Reset, "The child has a single thread: the one that called fork().", "fork(2)",
        AtExec::Reset, "Every thread but the calling one is destroyed.", "execve(2)",
        [](Task const& t) { return std::to_string(t.signal->nr_threads); }},
    TaskAttribute{"process group and session", "SignalStruct::pgrp, SignalStruct::session",
        AtFork::Inherited, "The child is in its parent's process group and session; setpgid() in one does not move the other.", "credentials(7)",
        AtExec::Kept, "Process group and session are preserved.", "credentials(7)",
        [](Task const& t) { return format("pgid {} sid {}", t.pgid(), t.sid()); }},
    TaskAttribute{"user and group IDs", "Task::cred",
        AtFork::Inherited, "The child has its parent's real, effective and saved user and group IDs.", "credentials(7)",
        AtExec::Kept, "Kept, since the model has no set-user-ID programs (which would change the effective ID).", "execve(2)",
        [](Task const& t) {
            Credentials const& c = t.cred;
            return format("uid {} euid {} suid {} gid {} egid {} sgid {}", c.uid, c.euid, c.suid, c.gid, c.egid, c.sgid);
        }},
    TaskAttribute{"command name", "Task::comm",
        AtFork::Inherited, "The child is an exact duplicate, its name (PR_SET_NAME, ps -o comm) included.", "fork(2)",
        AtExec::Replaced, "The name becomes that of the new executable file.", "execve(2)",
        [](Task const& t) { return std::string(t.name()); }},
    TaskAttribute{"environment", "Task::env",
        AtFork::Inherited, "The environment lives in the process's memory, so the child has a copy.", "environ(7)",
        AtExec::Replaced, "The new program's environment is execve()'s envp; execl(), execv() and execvp() pass the caller's own, so it looks kept.", "execve(2)",
        [](Task const& t) {
            std::string text;
            for (std::string const& e : t.env.entries())
                text += (text.empty() ? "" : " ") + e;
            return or_none(text);
        }},
    TaskAttribute{"cgroup", "Task::cgroup",
        AtFork::Inherited, "A child created by fork() is in its parent's cgroups.", "cgroups(7)",
        AtExec::Kept, "Cgroup membership does not change on exec.", "cgroups(7)",
        [](Task const& t) { return t.cgroup ? t.cgroup->path() : std::string("none"); }},
    TaskAttribute{"start time", "Task::start_step",
        AtFork::Reset, "The child starts when it is forked (ps STIME).", "kernel/fork.c copy_process()",
        AtExec::Kept, "exec does not start a new process.", "proc(5)",
        [](Task const& t) { return format("step {}", t.start_step); }},

    // --- Memory -------------------------------------------------------------------------------
    TaskAttribute{"private memory (data, heap, stack, MAP_PRIVATE)", "MmStruct::vmas()",
        AtFork::Inherited, "The child runs in a separate memory space with the same content; a write by one is not seen by the other.", "fork(2)",
        AtExec::Replaced, "Memory mappings are not preserved: the new program gets a new address space.", "execve(2)",
        [](Task const& t) {
            return areas(t, [](Vma const& v) { return !v.shared() && !(v.flags & (kVmDontFork | kVmWipeOnFork)); });
        }},
    TaskAttribute{"shared mappings (MAP_SHARED)", "Vma::flags & kVmShared",
        AtFork::Shared, "A MAP_SHARED mapping is shared with the child: a write by either is seen by both.", "mmap(2)",
        AtExec::Replaced, "Memory mappings are not preserved.", "execve(2)",
        [](Task const& t) { return areas(t, [](Vma const& v) { return v.shared(); }); }},
    TaskAttribute{"program break (brk)", "MmStruct::current_brk()",
        AtFork::Inherited, "The heap is part of the copied memory, and its end with it.", "fork(2)",
        AtExec::Replaced, "The new program's break is just past its own data.", "execve(2)",
        [](Task const& t) { return t.mm ? hex(t.mm->current_brk()) : std::string("none"); }},
    TaskAttribute{"memory locks (mlock, mlockall)", "Vma::flags & kVmLocked, MmStruct::lock_future()",
        AtFork::NotInherited, "The child does not inherit its parent's memory locks.", "fork(2)",
        AtExec::Reset, "Memory locks are not preserved.", "execve(2)",
        [](Task const& t) {
            if (!t.mm)
                return std::string("none");
            std::string text = areas(t, [](Vma const& v) { return bool(v.flags & kVmLocked); });
            return t.mm->lock_future() ? text + ", MCL_FUTURE" : text;
        }},
    TaskAttribute{"MADV_DONTFORK areas", "Vma::flags & kVmDontFork",
        AtFork::NotInherited, "Mappings marked MADV_DONTFORK are not inherited: the child has nothing at those addresses.", "fork(2)",
        AtExec::Replaced, "Memory mappings are not preserved.", "execve(2)",
        [](Task const& t) { return areas(t, [](Vma const& v) { return bool(v.flags & kVmDontFork); }); }},
    TaskAttribute{"MADV_WIPEONFORK areas", "Vma::flags & kVmWipeOnFork",
        AtFork::Reset, "The child has the area, zeroed; the MADV_WIPEONFORK setting stays on it.", "fork(2)",
        AtExec::Replaced, "Memory mappings are not preserved.", "execve(2)",
        [](Task const& t) { return areas(t, [](Vma const& v) { return bool(v.flags & kVmWipeOnFork); }); }},

    // --- Files --------------------------------------------------------------------------------
    TaskAttribute{"file descriptors", "FilesStruct::fds",
        AtFork::Inherited, "The child has a copy of the parent's descriptor table: closing or opening in one does not change the other.", "fork(2)",
        AtExec::Kept, "Descriptors stay open across exec, except those marked close-on-exec.", "execve(2)",
        [](Task const& t) { return each_fd(t, [](int fd, FdSlot const&) { return std::to_string(fd); }); }},
    TaskAttribute{"open file descriptions (offset, status flags)", "FdSlot::file",
        AtFork::Shared, "Each child descriptor refers to the parent's open file description: they share the offset and the status flags.", "fork(2)",
        AtExec::Kept, "A descriptor left open keeps its description, offset included.", "execve(2)",
        [](Task const& t) {
            return each_fd(t, [](int fd, FdSlot const& slot) {
                return format("{}: #{} offset {} flags {}", fd, slot.file->id, slot.file->offset, octal(unsigned(slot.file->flags)));
            });
        }},
    TaskAttribute{"close-on-exec flag (FD_CLOEXEC)", "FdSlot::cloexec",
        AtFork::Inherited, "The flag belongs to the descriptor, so the child's copy of the table carries its own copy.", "fcntl(2)",
        AtExec::Reset, "Descriptors marked close-on-exec are closed.", "execve(2)",
        [](Task const& t) { return each_fd(t, [](int fd, FdSlot const& slot) { return slot.cloexec ? std::to_string(fd) : ""; }); }},
    TaskAttribute{"flock() locks", "FileLock{Flock}, owned by the open file description",
        AtFork::Shared, "The child inherits flock() locks: they belong to the open file description, which both now share.", "fork(2), flock(2)",
        AtExec::Kept, "The descriptor and its description stay, and so does the lock.", "flock(2)",
        [](Task const& t) {
            return locks_through_fds(t, LockKind::Flock, [](FdSlot const& s) -> void const* { return s.file.get(); });
        }},
    TaskAttribute{"open file description locks (F_OFD_SETLK)", "FileLock{Ofd}, owned by the open file description",
        AtFork::Shared, "The child inherits open file description locks along with the description.", "fork(2), fcntl(2)",
        AtExec::Kept, "The description stays, and so does the lock.", "fcntl(2)",
        [](Task const& t) {
            return locks_through_fds(t, LockKind::Ofd, [](FdSlot const& s) -> void const* { return s.file.get(); });
        }},
    TaskAttribute{"POSIX record locks (F_SETLK)", "FileLock{Posix}, owned by the process",
        AtFork::NotInherited, "The child does not inherit process-associated record locks.", "fork(2)",
        AtExec::Kept, "The process keeps its locks, unless exec closes a descriptor of the file (close-on-exec).", "execve(2)",
        [](Task const& t) {
            return locks_through_fds(t, LockKind::Posix, [&t](FdSlot const&) -> void const* { return t.files.get(); });
        }},
    TaskAttribute{"working directory", "FsStruct::cwd",
        AtFork::Inherited, "The child starts in its parent's current directory; chdir() in one does not move the other.", "fork(2)",
        AtExec::Kept, "The working directory is preserved.", "execve(2)",
        [](Task const& t) { return t.fs ? t.fs->cwd : std::string("(released at exit)"); }},
    TaskAttribute{"umask", "FsStruct::umask",
        AtFork::Inherited, "A child created by fork() inherits its parent's umask.", "umask(2)",
        AtExec::Kept, "The umask is left unchanged by execve().", "umask(2)",
        [](Task const& t) { return t.fs ? octal(t.fs->umask) : std::string("(released at exit)"); }},

    // --- Signals -------------------------------------------------------------------------------
    TaskAttribute{"caught signals (handlers)", "SighandStruct::entries()",
        AtFork::Inherited, "A child created by fork() inherits a copy of its parent's signal dispositions.", "signal(7)",
        AtExec::Reset, "Signals being caught are reset to their default action: the handler was code of the old program.", "execve(2)",
        [](Task const& t) { return dispositions(t, [](std::uint64_t h) { return h != kSigDfl && h != kSigIgn; }); }},
    TaskAttribute{"ignored signals (SIG_IGN)", "SighandStruct::entries()",
        AtFork::Inherited, "The child inherits the parent's dispositions, ignored signals among them.", "signal(7)",
        AtExec::Kept, "Ignored signals stay ignored (SIGCHLD included, on Linux).", "execve(2)",
        [](Task const& t) { return dispositions(t, [](std::uint64_t h) { return h == kSigIgn; }); }},
    TaskAttribute{"signal mask", "Task::blocked",
        AtFork::Inherited, "A child created by fork() inherits a copy of its parent's signal mask.", "signal(7)",
        AtExec::Kept, "The signal mask is preserved across execve().", "signal(7)",
        [](Task const& t) { return sigset_text(t.blocked); }},
    TaskAttribute{"pending signals", "Task::pending, SignalStruct::shared_pending",
        AtFork::Reset, "The child's set of pending signals is initially empty.", "fork(2)",
        AtExec::Kept, "The pending signal set is preserved across execve().", "signal(7)",
        [](Task const& t) { return sigset_text(t.pending | t.signal->shared_pending); }},
    TaskAttribute{"parent-death signal (PR_SET_PDEATHSIG)", "Task::pdeath_signal",
        AtFork::Reset, "The setting is cleared in the child: it gets no signal when its parent dies.", "fork(2)",
        AtExec::Kept, "Cleared only by a set-user-ID or set-group-ID program, which the model does not have.", "execve(2)",
        [](Task const& t) { return t.pdeath_signal ? std::string(signal_name(t.pdeath_signal)) : std::string("none"); }},
    TaskAttribute{"exit signal", "Task::exit_signal",
        AtFork::Reset, "The termination signal of a forked child is always SIGCHLD.", "fork(2)",
        AtExec::Reset, "The termination signal is reset to SIGCHLD, whatever clone() chose.", "execve(2)",
        [](Task const& t) { return t.exit_signal > 0 ? std::string(signal_name(t.exit_signal)) : std::string("none"); }},

    // --- Time ------------------------------------------------------------------------------------
    TaskAttribute{"alarm and interval timers", "SignalStruct::itimers",
        AtFork::NotInherited, "The child does not inherit timers from its parent (setitimer(), alarm()).", "fork(2)",
        AtExec::Kept, "Alarms and interval timers are preserved across execve().", "alarm(2), setitimer(2)",
        [](Task const& t) { return itimers_text(t); }},
    TaskAttribute{"POSIX timers (timer_create)", "SignalStruct::posix_timers",
        AtFork::NotInherited, "The child does not inherit timers created by timer_create().", "fork(2)",
        AtExec::Reset, "POSIX timers are not preserved.", "execve(2)",
        [](Task const& t) {
            std::string text;
            for (PosixTimer const& p : t.signal->posix_timers)
                text += format("{}timer {} ({})", text.empty() ? "" : ", ", p.id, signal_name(p.signo));
            return or_none(text);
        }},
    TaskAttribute{"timer slack", "Task::timer_slack_ns",
        AtFork::Inherited, "The child's timer slack, and its default, are the parent's current slack.", "fork(2), prctl(2)",
        AtExec::Kept, "The timer slack is not in execve()'s list of what changes.", "execve(2)",
        [](Task const& t) { return format("{} ns", t.timer_slack_ns); }},

    // --- Limits and scheduling ----------------------------------------------------------------
    TaskAttribute{"resource limits", "SignalStruct::rlim",
        AtFork::Inherited, "A child created by fork() inherits its parent's resource limits.", "getrlimit(2)",
        AtExec::Kept, "Resource limits are preserved across execve().", "getrlimit(2)",
        [](Task const& t) { return rlimits_text(t); }},
    TaskAttribute{"nice value", "Task::nice",
        AtFork::Inherited, "The child inherits its parent's nice value.", "sched(7)",
        AtExec::Kept, "The nice value is preserved across execve().", "sched(7)",
        [](Task const& t) { return std::to_string(t.nice); }},
    TaskAttribute{"scheduling policy and priority", "Task::policy, Task::rt_priority",
        AtFork::Inherited, "A child created by fork() inherits its parent's scheduling policy and priority.", "sched(7)",
        AtExec::Kept, "The policy and priority are preserved across execve().", "sched(7)",
        [](Task const& t) { return format("{} {}", policy_name(t.policy), t.rt_priority); }},
    TaskAttribute{"SCHED_RESET_ON_FORK", "Task::sched_reset_on_fork",
        AtFork::Reset, "The child of a reset-on-fork process starts as SCHED_OTHER without a negative nice value, and without the flag.", "sched(7)",
        AtExec::Kept, "The flag, like the policy it goes with, is preserved across execve().", "sched(7)",
        [](Task const& t) {
            return format("{} {}{}", policy_name(t.policy), t.rt_priority, t.sched_reset_on_fork ? " reset-on-fork" : "");
        }},
    TaskAttribute{"child subreaper (PR_SET_CHILD_SUBREAPER)", "SignalStruct::is_child_subreaper",
        AtFork::NotInherited, "The subreaper setting is not inherited by children created by fork().", "prctl(2)",
        AtExec::Kept, "The subreaper setting is preserved across execve().", "prctl(2)",
        [](Task const& t) { return std::string(t.signal->is_child_subreaper ? "yes" : "no"); }},
};

}  // namespace

std::span<TaskAttribute const> task_attributes() { return kAttributes; }

TaskAttribute const* find_task_attribute(std::string_view name)
{
    for (TaskAttribute const& a : kAttributes)
        if (a.name == name)
            return &a;
    return nullptr;
}

}  // namespace forklab
