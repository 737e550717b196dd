// The task inspector's rows: every attribute of trace/attributes.h (the table `forklab explain`
// prints) read from the selected task and from its parent, side by side, each with what fork()
// and execve() do to it. A student compares the two columns after a fork and sees which values
// the child got a copy of, which object they now share, and which started afresh.
#pragma once

#include "kernel/kernel.h"
#include "trace/attributes.h"

#include <optional>
#include <string>
#include <vector>

namespace forklab::gui {

struct InspectorRow {
    TaskAttribute const* attribute = nullptr;  // Name, fork and exec rules, manual pages.
    std::string value;         // In the selected task.
    std::string parent_value;  // In its parent now; empty when it has none (init).
    bool differs = false;      // The two values are not the same text.
};

struct TaskInspection {
    pid_t pid = 0;
    std::string name;
    pid_t parent = 0;          // real_parent now (the adopter, for an orphan); 0 for init.
    std::string parent_name;
    bool zombie = false;
    std::vector<InspectorRow> rows;  // One per attribute, in task_attributes() order.
};

// The inspection of `pid`, or std::nullopt when no such task exists (reaped, or not yet forked).
std::optional<TaskInspection> inspect_task(Kernel const&, pid_t pid);

// The task to inspect when the user has picked none: the newest live process that is not init
// (the one a fork just made), else init; 0 when there is none.
pid_t default_inspected(Kernel const&);

}  // namespace forklab::gui
