// One-line explanations of events, each naming the rule that made it happen.
#include "kernel/uapi.h"
#include "base/error.h"
#include "mm/mm_struct.h"
#include "trace/event.h"
#include "trace/explain_files.h"

#include <sstream>

#include "base/format.h"

namespace forklab {

namespace {

std::string status_text(int status)
{
    if (WIFEXITED(status))
        return format("exit status {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return format("killed by {}{}", signal_name(WTERMSIG(status)), WCOREDUMP(status) ? " (core dumped)" : "");
    if (WIFSTOPPED(status))
        return format("stopped by {}", signal_name(WSTOPSIG(status)));
    if (status == 0xffff)
        return "continued";
    return format("raw status {}", status);
}

std::string fork_text(Event const& e)
{
    switch (ForkKind(e.aux)) {
    case ForkKind::Fork:
        return format("pid {} forked pid {}: the child has a copy of the parent's memory, fd table "
                           "and signal dispositions; fork returns {} in the parent and 0 in the child",
            e.pid, e.other, e.other);
    case ForkKind::Vfork:
        return format("pid {} vforked pid {}: they share one address space, and pid {} sleeps until "
                           "pid {} calls exec or _exit", e.pid, e.other, e.pid, e.other);
    case ForkKind::Clone:
        return format("pid {} cloned pid {}: each CLONE_ flag chose to share a resource instead of "
                           "copying it", e.pid, e.other);
    case ForkKind::Thread:
        return format("pid {} created thread {} (CLONE_THREAD): same process, same memory, files and "
                           "signal handlers, its own thread id", e.pid, e.other);
    }
    return {};
}

std::string fork_failed_text(Event const& e)
{
    std::string const err(Error::from_errno(int(e.value)).name());
    std::string const why = [&]() -> std::string {
        switch (ForkFailure(e.aux)) {
        case ForkFailure::BadFlags: return "that combination of clone flags is invalid";
        case ForkFailure::Nproc: return "its user is at RLIMIT_NPROC (every process of the user counts, zombies too)";
        case ForkFailure::ThreadsMax: return "the system is at threads-max";
        case ForkFailure::PidMax: return "every pid below pid_max is in use";
        case ForkFailure::PidsCgroup: return "its cgroup is at pids.max";
        case ForkFailure::PidNsDead: return "the init of its pid namespace has exited";
        case ForkFailure::Deadline: return "it runs under SCHED_DEADLINE without reset-on-fork";
        case ForkFailure::NewPidNsPerm: return "only root may create a pid namespace";
        case ForkFailure::SignalPending: return "a signal is pending; fork is restarted after it is handled";
        case ForkFailure::NoMemory: return "there are not enough free frames to copy its memory (the copy strategy)";
        }
        return "?";
    }();
    return format("fork by pid {} failed with {}: {}; nothing of the child remains", e.pid, err, why);
}

std::string exit_text(Event const& e)
{
    std::string const what = format("pid {} exited ({})", e.pid, status_text(int(e.value)));
    switch (ExitFate(e.aux)) {
    case ExitFate::Zombie:
        return what + format("; it is a zombie until its parent pid {} waits for it", e.other);
    case ExitFate::Autoreaped:
        return what + format("; its parent pid {} ignores SIGCHLD, so no zombie is kept", e.other);
    case ExitFate::ReapedByInit:
        return what + format("; its parent pid {} is an init, which reaps it at once", e.other);
    case ExitFate::ThreadReleased:
        return what + format("; a thread of process {} leaves no zombie", e.other);
    case ExitFate::Delayed:
        return what + "; as the thread-group leader it stays a zombie, unreported, until its other threads exit";
    }
    return what;
}

std::string reason_text(SignalReason why, pid_t cause)
{
    switch (why) {
    case SignalReason::Kill: return format("sent by pid {}", cause);
    case SignalReason::ChildExited: return format("its child pid {} exited", cause);
    case SignalReason::ChildStopped: return format("its child pid {} stopped", cause);
    case SignalReason::ChildContinued: return format("its child pid {} continued", cause);
    case SignalReason::ParentDeath: return format("its parent pid {} exited (PR_SET_PDEATHSIG)", cause);
    case SignalReason::Alarm: return "its alarm went off";
    case SignalReason::Timer: return "its POSIX timer expired";
    case SignalReason::OrphanedPgrp: return "its process group was orphaned with a stopped member";
    case SignalReason::NamespaceZap: return format("the init (pid {}) of its pid namespace exited", cause);
    case SignalReason::Kernel: return "sent by the kernel";
    case SignalReason::Fault: return "it touched memory it may not (a segmentation fault)";
    case SignalReason::OutOfMemory: return "memory ran out during its page fault (the OOM killer)";
    case SignalReason::BrokenPipe: return "it wrote to a pipe that no process has open for reading";
    }
    return "?";
}

std::string reparent_text(Event const& e)
{
    std::string head = format("pid {}'s parent (pid {}) exited; pid {} is reparented to ", e.pid, e.other, e.pid);
    switch (ReparentReason(e.aux)) {
    case ReparentReason::Init: return head + format("init (pid {}), which will reap it", e.value);
    case ReparentReason::Subreaper: return head + format("pid {}, its nearest child subreaper", e.value);
    case ReparentReason::Thread: return head + format("pid {}, another thread of the same process", e.value);
    case ReparentReason::NamespaceInit: return head + format("pid {}, the init of its pid namespace", e.value);
    }
    return head;
}

std::string hex(std::uint64_t v)
{
    std::ostringstream out;
    out << "0x" << std::hex << v;
    return out.str();
}

std::string page_fault_text(Event const& e)
{
    auto const kind = FaultResult::Kind(e.aux & 0x1f);
    bool const write = e.aux & 0x40;
    std::uint64_t const va = std::uint64_t(e.value) & ((std::uint64_t(1) << 48) - 1);
    auto const refs = std::uint64_t(e.value) >> 48;
    std::string head = format("pid {} {} {}", e.pid, write ? "wrote" : "read", hex(va));
    if (e.aux & 0x80)
        head += "; the page-table page it shared with another process (On-demand-fork) was copied first";
    switch (kind) {
    case FaultResult::Kind::ZeroMap: return head + ": untouched memory reads as zeros, so the shared zero page is mapped, read-only";
    case FaultResult::Kind::Alloc: return head + format(": untouched memory gets a fresh zeroed frame, {}", e.extra);
    case FaultResult::Kind::ObjectMap: return head + format(": frame {} of the file or shared memory is mapped", e.extra);
    case FaultResult::Kind::CowCopy:
        if (e.aux & 0x20)
            return head + format("; frame {} holds the program file's page, which a private mapping never changes, so it was copied to frame {}", e.other, e.extra);
        return head + format("; frame {} was shared by {} mappings, so it was copied to frame {} (copy-on-write)", e.other, refs, e.extra);
    case FaultResult::Kind::CowReuse: return head + format("; frame {} is mapped only here any more, so it is made writable again without a copy", e.other);
    case FaultResult::Kind::MadeWritable: return head + format(": frame {} is shared memory, so the write goes to it and every process sees it", e.other);
    case FaultResult::Kind::Segv: return head + ": no mapping allows that access, so the process gets SIGSEGV";
    case FaultResult::Kind::Oom: return head + ": no free frame";
    }
    return head;
}

std::string mm_dup_text(Event const& e)
{
    switch (ForkStrategy(e.aux)) {
    case ForkStrategy::Cow: return format("fork copied pid {}'s page tables for pid {} ({} {}): both now map the same frames, write-protected, until one writes", e.pid, e.other, e.value, e.value == 1 ? "entry" : "entries");
    case ForkStrategy::Copy: return format("fork copied pid {}'s memory for pid {} ({} pages and entries), as early Unix did: nothing is shared", e.pid, e.other, e.value);
    case ForkStrategy::Odf: return format("fork shared {} of pid {}'s page-table pages with pid {} and copied {} entries: On-demand-fork copies a page-table page only when either side first writes under it", e.extra, e.pid, e.other, e.value);
    case ForkStrategy::Vfork: return format("pid {} and pid {} share one address space", e.pid, e.other);
    }
    return {};
}

std::string block_text(BlockReason why)
{
    switch (why) {
    case BlockReason::None: return "nothing";
    case BlockReason::Wait: return "wait() for a child to change state";
    case BlockReason::Vfork: return "vfork() until its child calls exec or exits";
    case BlockReason::Pause: return "pause() until a signal arrives";
    case BlockReason::PidNsZap: return "exit until every process of its pid namespace is gone";
    case BlockReason::Sleep: return "sleep()";
    case BlockReason::PipeRead: return "read() on an empty pipe, until a writer writes or every write end closes";
    case BlockReason::PipeWrite: return "write() on a full pipe, until a reader makes room";
    case BlockReason::FileLock: return "a lock request, until the conflicting lock is released";
    }
    return "?";
}

}  // namespace

std::string explain(Event const& e)
{
    int const sig = int(e.value & 0xff);
    switch (e.kind) {
    case EventKind::Fork: return fork_text(e);
    case EventKind::ForkFailed: return fork_failed_text(e);
    case EventKind::Exec: return format("pid {} called exec: new program, same pid, same open files (but not close-on-exec ones); caught signals are reset to default", e.pid);
    case EventKind::Exit: return exit_text(e);
    case EventKind::Reap:
        switch (ReapKind(e.aux)) {
        case ReapKind::Wait: return format("pid {} reaped pid {} with wait() ({}): its pid and task struct are freed", e.pid, e.other, status_text(int(e.value)));
        case ReapKind::SigchldIgnored: return format("pid {} was released without a zombie: its parent pid {} ignores SIGCHLD", e.other, e.pid);
        case ReapKind::Init: return format("init (pid {}) reaped pid {} ({})", e.pid, e.other, status_text(int(e.value)));
        }
        return {};
    case EventKind::Reparent: return reparent_text(e);
    case EventKind::SignalSent: return format("{} is pending for pid {}: {}", signal_name(sig), e.pid, reason_text(SignalReason(e.aux), e.other));
    case EventKind::SignalDiscarded: {
        int const why = int(e.value >> 8);
        char const* text = why == 1 ? "the process is exiting"
            : why == 2 ? "an init ignores signals it has no handler for"
            : why == 3 ? "its default action is to ignore it (a sleeping wait() still wakes)"
            : "the process set it to SIG_IGN";
        if (SignalReason(e.aux) == SignalReason::OrphanedPgrp && why == 0)
            text = "a terminal stop signal is discarded in an orphaned process group";
        return format("{} for pid {} was discarded: {}", signal_name(sig), e.pid, text);
    }
    case EventKind::SignalCoalesced: return format("{} was already pending for pid {}: standard signals do not queue, so the two count as one", signal_name(sig), e.pid);
    case EventKind::SignalDefault: return format("pid {} received {} with no handler: the default action is to {}", e.pid, signal_name(sig), default_action(sig) == DefaultAction::Core ? (e.aux ? "terminate and dump core" : "terminate (and dump core, but RLIMIT_CORE is 0)") : "terminate");
    case EventKind::SignalHandled: return format("pid {} runs its {} handler; the signal is blocked until the handler returns", e.pid, signal_name(sig));
    case EventKind::Stopped: return format("pid {} stopped ({}); its parent can see this with waitpid(WUNTRACED)", e.pid, signal_name(sig));
    case EventKind::Continued: return format("pid {} continued (SIGCONT); its parent can see this with waitpid(WCONTINUED)", e.pid);
    case EventKind::Blocked: return format("pid {} sleeps in {}", e.pid, block_text(BlockReason(e.aux)));
    case EventKind::Woken: return format("pid {} wakes up from {}", e.pid, block_text(BlockReason(e.aux)));
    case EventKind::WaitReported: return format("pid {}'s wait reports pid {}: {}", e.pid, e.other, status_text(int(e.value)));
    case EventKind::SetPgid: return format("pid {} is now in process group {}", e.pid, e.value);
    case EventKind::SetSid: return format("pid {} started session {} and leads process group {}", e.pid, e.value, e.value);
    case EventKind::SetRlimit: return format("pid {} set {} to {}", e.pid, rlimit_name(e.aux), e.value);
    case EventKind::SetUid: return format("pid {} changed its user id to {}", e.pid, e.value);
    case EventKind::PidNsZap: return format("pid {}, the init of a pid namespace, exited: every process in the namespace is killed and no new one may start there", e.pid);
    case EventKind::PageFault: return page_fault_text(e);
    case EventKind::MmDup: return mm_dup_text(e);
    case EventKind::OomKill: return format("pid {} faulted at {} with no free frame left: it is killed, as Linux's OOM killer would", e.pid, hex(std::uint64_t(e.value)));
    case EventKind::FileOpened:
    case EventKind::FileClosed:
    case EventKind::FileDup:
    case EventKind::FileRead:
    case EventKind::FileWrite:
    case EventKind::FileSeek:
    case EventKind::PipeCreated:
    case EventKind::FileLocked:
    case EventKind::LockConflict:
    case EventKind::LocksReleased:
    case EventKind::ExecFailed:
    case EventKind::Unlinked:
        return explain_file_event(e);
    }
    return {};
}

std::string_view event_kind_name(EventKind kind)
{
    switch (kind) {
    case EventKind::Fork: return "fork";
    case EventKind::ForkFailed: return "fork-failed";
    case EventKind::Exec: return "exec";
    case EventKind::Exit: return "exit";
    case EventKind::Reap: return "reap";
    case EventKind::Reparent: return "reparent";
    case EventKind::SignalSent: return "signal";
    case EventKind::SignalDiscarded: return "signal-discarded";
    case EventKind::SignalCoalesced: return "signal-coalesced";
    case EventKind::SignalDefault: return "signal-default";
    case EventKind::SignalHandled: return "signal-handler";
    case EventKind::Stopped: return "stop";
    case EventKind::Continued: return "continue";
    case EventKind::Blocked: return "sleep";
    case EventKind::Woken: return "wake";
    case EventKind::WaitReported: return "wait-report";
    case EventKind::SetPgid: return "setpgid";
    case EventKind::SetSid: return "setsid";
    case EventKind::SetRlimit: return "setrlimit";
    case EventKind::SetUid: return "setuid";
    case EventKind::PidNsZap: return "pidns-zap";
    case EventKind::PageFault: return "page-fault";
    case EventKind::MmDup: return "mm-copy";
    case EventKind::OomKill: return "oom-kill";
    case EventKind::FileOpened: return "open";
    case EventKind::FileClosed: return "close";
    case EventKind::FileDup: return "dup";
    case EventKind::FileRead: return "read";
    case EventKind::FileWrite: return "write";
    case EventKind::FileSeek: return "lseek";
    case EventKind::PipeCreated: return "pipe";
    case EventKind::FileLocked: return "lock";
    case EventKind::LockConflict: return "lock-conflict";
    case EventKind::LocksReleased: return "locks-released";
    case EventKind::ExecFailed: return "exec-failed";
    case EventKind::Unlinked: return "unlink";
    }
    return "?";
}

}  // namespace forklab
