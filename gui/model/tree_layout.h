// The process tree as the GUI draws it: one node per process, placed by a tidy tree layout.
//
// The structure is a Boost.Graph graph of trace/tree.h's kind: parent -> child edges as
// real_parent says now, so an orphan sits under whoever adopted it; processes already reaped
// stay as faded nodes under their last parent, found from the event log (fork, reparent, reap). The layout is the classic
// one for ordered trees: leaves take consecutive columns left to right in depth-first order, and
// a parent is centred over its first and last child. Subtrees therefore never overlap, a parent
// is always exactly one level above its children, and adding a child moves only what lies to
// its right. Coordinates are in abstract units (a column is 1 wide, a level 1 tall): the panel
// scales them to pixels.
#pragma once

#include "kernel/kernel.h"

#include <optional>
#include <string>
#include <vector>

namespace forklab::gui {

struct TreeNode {
    pid_t pid = 0;
    pid_t ppid = 0;               // 0 for the root.
    std::string name;             // comm: the program name (exec renames the node in place).
    TaskState state = TaskState::Runnable;
    std::string state_text;       // "blocked: wait()", "zombie (exit 0)", ...
    std::string edge_label;       // How the parent made it: "fork", "vfork"; "adopted" if reparented.
    std::optional<pid_t> forked_by;  // Set when it was reparented: who created it.
    int threads = 1;
    bool reaped = false;          // Gone: exited and waited for. Kept, faded, so the tree of
                                  // everything the run created stays readable to the end.
    float x = 0;                  // Column (the centre of the node).
    int depth = 0;                // Level: 0 for the root.
    int parent = -1;              // Index of the parent node in TreeLayout::nodes.
};

struct TreeLayout {
    std::vector<TreeNode> nodes;  // In the kernel's task-list order (the order of the forks).
    int columns = 0;              // Width in columns (leaves).
    int levels = 0;               // Height in levels.

    TreeNode const* find(pid_t pid) const;
};

TreeLayout layout_process_tree(Kernel const&);

}  // namespace forklab::gui
