#include "model/frame.h"

#include <algorithm>

namespace forklab::gui {

std::vector<pid_t> shown_pids(Kernel const& kernel, std::set<pid_t> const& selected)
{
    std::vector<pid_t> pids;
    for (Task const& t : kernel.tasks()) {
        if (!t.is_thread_group_leader() || pids.size() == kMostShownProcesses)
            continue;
        bool const wanted = selected.empty() ? t.pid != 1 : selected.contains(t.pid);
        if (wanted)
            pids.push_back(t.pid);
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}

void PidColours::see_run(Palette& palette, Stepper const& run)
{
    if (m_run != &run || m_generation != run.plan_generation()) {
        for (Event const& e : run.preview().events)
            if (e.kind == EventKind::Fork)
                palette.see(e.other);
        m_run = &run;
        m_generation = run.plan_generation();
    }
    for (Task const& t : run.kernel().tasks())
        palette.see(t.pid);
}

}  // namespace forklab::gui
