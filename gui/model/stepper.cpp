#include "model/stepper.h"

#include <algorithm>

namespace forklab::gui {

namespace {

// A run that starts with `prefix` and goes on by the policy. Manual scheduling has no policy of
// its own: the plan then continues parent-first, and the user may pick otherwise at any step.
lang::RunOptions planning_options(lang::RunOptions options, std::vector<pid_t> prefix)
{
    if (options.sched.policy == lang::SchedPolicy::Manual)
        options.sched.policy = lang::SchedPolicy::ParentFirst;
    options.schedule = std::move(prefix);
    options.after_step = nullptr;
    return options;
}

}  // namespace

Stepper::Stepper(std::string path, std::string source, lang::RunOptions options)
    : m_path(std::move(path))
    , m_source(std::move(source))
    , m_options(std::move(options))
{
    plan_from({});
    start_session();
}

// The preview: one whole run, remembered for the timeline, and its schedule as the plan.
void Stepper::plan_from(std::vector<pid_t> prefix)
{
    lang::Session run(m_path, m_source, planning_options(m_options, std::move(prefix)));
    run.run_to_end();
    m_preview.plan = run.schedule();
    auto const all = run.kernel().events().all();
    m_preview.events.assign(all.begin(), all.end());
    m_preview.notes = run.machine().notes();
    m_preview.output = run.kernel().terminal().text();
    m_preview.end = run.end();
    m_preview.error = run.error();
    ++m_plan_generation;
}

void Stepper::start_session()
{
    lang::RunOptions options = planning_options(m_options, m_preview.plan);
    options.after_step = m_options.after_step;
    m_session = std::make_unique<lang::Session>(m_path, m_source, std::move(options));
}

bool Stepper::failed_to_start() const
{
    return m_preview.end == lang::RunEnd::CompileError || m_preview.end == lang::RunEnd::SetupFailed;
}

bool Stepper::forward()
{
    return !at_end() && m_session->step();
}

bool Stepper::back()
{
    return m_session->step_back();
}

void Stepper::go_to(std::uint64_t step)
{
    step = std::min(step, total());
    if (step < m_session->steps()) {
        m_session->at(step);
        return;
    }
    while (m_session->steps() < step && m_session->step()) {
    }
}

pid_t Stepper::planned_next() const
{
    return step() < m_preview.plan.size() ? m_preview.plan[step()] : 0;
}

bool Stepper::choose(pid_t pid)
{
    auto ready = m_session->runnable();
    if (!std::binary_search(ready.begin(), ready.end(), pid))
        return false;
    if (pid == planned_next())
        return forward();
    std::uint64_t const here = step();
    std::vector<pid_t> prefix(m_preview.plan.begin(), m_preview.plan.begin() + std::ptrdiff_t(here));
    prefix.push_back(pid);
    plan_from(std::move(prefix));
    start_session();
    go_to(here + 1);
    return true;
}

bool Stepper::run_to(EventKind kind)
{
    while (forward())
        for (Event const& e : last_step_events())
            if (e.kind == kind)
                return true;
    return false;
}

bool Stepper::run_to_note()
{
    std::size_t const before = machine().notes().size();
    while (forward())
        if (machine().notes().size() > before)
            return true;
    return false;
}

bool Stepper::go_to_note(std::size_t n)
{
    if (n == 0 || n > m_preview.notes.size())
        return false;
    go_to(m_preview.notes[n - 1].step);
    return true;
}

std::span<Event const> Stepper::last_step_events() const
{
    auto const all = kernel().events().all();
    std::uint64_t const now = step();
    if (now == 0)
        return {};
    auto first = std::find_if(all.rbegin(), all.rend(), [now](Event const& e) { return e.step < now; });
    std::size_t const begin = std::size_t(all.rend() - first);
    return all.subspan(begin);
}

void Stepper::set_options(lang::RunOptions options)
{
    std::uint64_t const here = step();
    m_options = std::move(options);
    plan_from({});
    start_session();
    go_to(here);
}

void Stepper::follow(std::vector<pid_t> schedule)
{
    plan_from(std::move(schedule));
    start_session();
}

}  // namespace forklab::gui
