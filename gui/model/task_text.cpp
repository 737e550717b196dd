#include "model/task_text.h"

#include "base/format.h"
#include "kernel/uapi.h"

#include <sys/wait.h>

namespace forklab::gui {

std::string_view block_reason_text(BlockReason why)
{
    switch (why) {
    case BlockReason::None: return "sleep";
    case BlockReason::Wait: return "wait()";
    case BlockReason::Vfork: return "vfork: child running";
    case BlockReason::Pause: return "pause()";
    case BlockReason::PidNsZap: return "namespace teardown";
    case BlockReason::Sleep: return "sleep()";
    case BlockReason::PipeRead: return "read() on a pipe";
    case BlockReason::PipeWrite: return "write() to a pipe";
    case BlockReason::FileLock: return "a file lock";
    }
    return "?";
}

std::string wait_status_text(int status)
{
    if (WIFEXITED(status))
        return format("exit {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return format("killed by {}", signal_name(WTERMSIG(status)));
    if (WIFSTOPPED(status))
        return format("stopped by {}", signal_name(WSTOPSIG(status)));
    return format("status {}", status);
}

std::string task_state_text(Task const& task)
{
    switch (task.state) {
    case TaskState::Running: return "running";
    case TaskState::Runnable: return "runnable";
    case TaskState::Blocked: return format("blocked: {}", block_reason_text(task.blocked_on));
    case TaskState::Stopped: return "stopped";
    case TaskState::Zombie: return format("zombie ({})", wait_status_text(task.exit_code));
    }
    return "?";
}

std::string_view fork_kind_text(ForkKind kind)
{
    switch (kind) {
    case ForkKind::Fork: return "fork";
    case ForkKind::Vfork: return "vfork";
    case ForkKind::Clone: return "clone";
    case ForkKind::Thread: return "thread";
    }
    return "?";
}

}  // namespace forklab::gui
