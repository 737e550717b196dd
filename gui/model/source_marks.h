// Where each task is in the program: the line of the statement each live task runs next (or is
// running), for the source view's markers in the tasks' colours.
#pragma once

#include "lang/machine.h"

#include <map>
#include <vector>

namespace forklab::gui {

// Line -> the pids there, lowest first. A task that has exited has no line.
std::map<int, std::vector<pid_t>> task_lines(Kernel const&, lang::Machine const&);

}  // namespace forklab::gui
