#include "model/outcome_list.h"

#include "explore/outcomes.h"

#include <algorithm>

namespace forklab::gui {

OutcomeList list_outcomes(Stepper const& run, std::uint64_t max_states, std::chrono::milliseconds max_time)
{
    explore::ExploreOptions how;
    how.max_states = max_states;
    how.max_time = max_time;
    lang::RunOptions options = run.options();
    options.after_step = nullptr;  // The explorer replays thousands of steps: no per-step hooks.
    explore::Exploration const x = explore::explore(run.path(), run.source(), std::move(options), how);
    OutcomeList list;
    list.ok = x.ok;
    list.error = x.error;
    list.complete = !x.bound_hit;
    list.states = x.states;
    for (explore::Outcome const& o : x.outcomes)
        list.rows.push_back(OutcomeRow{o.output, o.schedule, o.end == lang::RunEnd::Finished, o.error, o.expect_failed});
    return list;
}

OutcomeList const& OutcomeCache::at(Stepper const& run)
{
    ForkStrategy const strategy = run.options().kernel.fork_strategy;
    if (!m_list || m_run != &run || m_strategy != strategy) {
        m_list = list_outcomes(run, kMaxStates, kMaxTime);
        m_run = &run;
        m_strategy = strategy;
    }
    return *m_list;
}

// The preview ran the plan to its end and kept what the terminal showed then.
int current_outcome(OutcomeList const& list, Stepper const& run)
{
    if (run.preview().end != lang::RunEnd::Finished)
        return -1;
    std::string const& output = run.preview().output;
    auto const it = std::find_if(list.rows.begin(), list.rows.end(), [&](OutcomeRow const& r) { return r.output == output; });
    return it == list.rows.end() ? -1 : int(it - list.rows.begin());
}

}  // namespace forklab::gui
