// How a task's state reads in the GUI: the words ps(1) and wait(2) would use, short enough for a
// node of the process tree.
#pragma once

#include "kernel/task.h"

#include <string>
#include <string_view>

namespace forklab::gui {

// What a blocked task is waiting for: "wait()", "read() on a pipe", ...
std::string_view block_reason_text(BlockReason);
// A raw wait status as a student reads it: "exit 0", "killed by SIGSEGV", "stopped by SIGSTOP".
std::string wait_status_text(int status);
// "running", "runnable", "blocked in wait()", "stopped", "zombie (exit 3)".
std::string task_state_text(Task const&);
// The edge label between a parent and a child it created.
std::string_view fork_kind_text(ForkKind);

}  // namespace forklab::gui
