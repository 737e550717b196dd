#include "model/source_marks.h"

namespace forklab::gui {

std::map<int, std::vector<pid_t>> task_lines(Kernel const& kernel, lang::Machine const& machine)
{
    std::map<int, std::vector<pid_t>> lines;
    for (auto const& [pid, cpu] : machine.cpus()) {
        Task const* t = kernel.find_task(pid);
        if (!t || t->is_zombie() || cpu.line <= 0)
            continue;
        lines[cpu.line].push_back(pid);  // cpus() is ordered by pid.
    }
    return lines;
}

}  // namespace forklab::gui
