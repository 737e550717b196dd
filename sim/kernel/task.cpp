#include "kernel/task.h"

#include <algorithm>

namespace forklab {

Task::~Task() = default;

void Task::set_name(std::string_view name)
{
    // Linux keeps the last path component, truncated to TASK_COMM_LEN - 1 characters.
    if (auto slash = name.rfind('/'); slash != std::string_view::npos)
        name.remove_prefix(slash + 1);
    comm.fill('\0');
    std::copy_n(name.begin(), std::min(name.size(), comm.size() - 1), comm.begin());
}

std::string_view task_state_name(TaskState state)
{
    switch (state) {
    case TaskState::Runnable: return "runnable";
    case TaskState::Running: return "running";
    case TaskState::Blocked: return "blocked";
    case TaskState::Stopped: return "stopped";
    case TaskState::Zombie: return "zombie";
    }
    return "?";
}

char task_state_letter(TaskState state)
{
    switch (state) {
    case TaskState::Runnable: case TaskState::Running: return 'R';
    case TaskState::Blocked: return 'S';
    case TaskState::Stopped: return 'T';
    case TaskState::Zombie: return 'Z';
    }
    return '?';
}

}  // namespace forklab
