// What every frame works out before any panel draws: the colours of every pid the run makes,
// and which processes the memory and files views show. The App calls these each frame; the
// frame benchmark (bench/gui_frame_bench.cpp) calls them with the panels' own view-model builders.
#pragma once

#include "model/palette.h"
#include "model/stepper.h"

#include <set>
#include <vector>

namespace forklab::gui {

// More bands than this do not fit a projected screen.
inline constexpr std::size_t kMostShownProcesses = 8;

// The processes the memory and files panels show: the selected ones, or with none selected
// every live process but init; at most kMostShownProcesses, by pid.
std::vector<pid_t> shown_pids(Kernel const&, std::set<pid_t> const& selected);

// Colours go to pids in the order of their forks over the whole run, whichever panel draws
// first, so a pid has the same colour in every screenshot of a run at every step. The forks of
// the preview are read once per preview (it changes only when the run is re-planned).
class PidColours {
public:
    void see_run(Palette&, Stepper const&);

private:
    Stepper const* m_run = nullptr;
    std::uint64_t m_generation = 0;
};

}  // namespace forklab::gui
