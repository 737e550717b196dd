#include "model/inspector_rows.h"

namespace forklab::gui {

namespace {

// A zombie has already let go of its fs_struct (Linux: exit_fs()), file table and memory; an
// attribute kept there has no value left to show. The row's `where` names the structure.
bool released(TaskAttribute const& a, Task const& t)
{
    std::string_view const where = a.where;
    return (where.starts_with("FsStruct") && !t.fs) || (where.starts_with("FilesStruct") && !t.files) ||
        (where.starts_with("SighandStruct") && !t.sighand) || (where.starts_with("SignalStruct") && !t.signal);
}

std::string value_of(TaskAttribute const& a, Task const& t)
{
    return released(a, t) ? std::string("(released at exit)") : a.value(t);
}

}  // namespace

std::optional<TaskInspection> inspect_task(Kernel const& kernel, pid_t pid)
{
    Task const* task = kernel.find_task(pid);
    if (!task)
        return std::nullopt;
    Task const* parent = task->real_parent;
    TaskInspection in;
    in.pid = pid;
    in.name = std::string(task->name());
    in.zombie = task->is_zombie();
    if (parent) {
        in.parent = parent->tgid;
        in.parent_name = std::string(parent->name());
    }
    for (TaskAttribute const& a : task_attributes()) {
        InspectorRow row{&a, value_of(a, *task), parent ? value_of(a, *parent) : std::string(), false};
        row.differs = parent && row.value != row.parent_value;
        in.rows.push_back(std::move(row));
    }
    return in;
}

pid_t default_inspected(Kernel const& kernel)
{
    pid_t newest = 0;
    for (Task const& t : kernel.tasks())
        if (t.is_thread_group_leader() && !t.is_zombie() && (t.pid != 1 || newest == 0))
            newest = t.pid;
    return newest;
}

}  // namespace forklab::gui
