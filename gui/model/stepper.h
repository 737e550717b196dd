// The GUI's hold on a run: a Session (lang/session.h) driven along a plan, and a preview of the
// whole run so that the timeline and the scrubber can show what is still to come.
//
// The plan is the schedule of a complete run under the chosen policy. The session follows it,
// so stepping forward, stepping back (a replay) and jumping anywhere on the timeline all agree
// with the preview. When the user picks a different task to run (manual scheduling), the plan
// is cut there, the choice appended, and the rest re-planned by the policy from that point.
#pragma once

#include "lang/session.h"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace forklab::gui {

// The whole run, seen once from start to end.
struct Preview {
    std::vector<pid_t> plan;        // Who runs each step.
    std::vector<Event> events;      // Every event of the run.
    std::vector<lang::Note> notes;  // Every NOTE, with its step.
    std::string output;             // What the terminal shows at the end.
    lang::RunEnd end = lang::RunEnd::Finished;
    std::string error;
    std::uint64_t steps() const { return plan.size(); }
};

class Stepper {
public:
    Stepper(std::string path, std::string source, lang::RunOptions options);

    lang::Session const& session() const { return *m_session; }
    Kernel const& kernel() const { return m_session->kernel(); }
    lang::Machine const& machine() const { return m_session->machine(); }
    Preview const& preview() const { return m_preview; }
    // Counts the previews made: it changes whenever the run is re-planned (choose, set_options),
    // so a client can keep what it derived from the preview until then.
    std::uint64_t plan_generation() const { return m_plan_generation; }
    lang::RunOptions const& options() const { return m_options; }
    std::string const& path() const { return m_path; }
    std::string const& source() const { return m_source; }

    std::uint64_t step() const { return m_session->steps(); }
    std::uint64_t total() const { return m_preview.steps(); }
    bool at_end() const { return m_session->done() || step() >= total(); }
    // The compile error (rendered), if the program did not compile.
    bool failed_to_start() const;

    bool forward();                 // One step along the plan.
    bool back();                    // One step back (a replay).
    void go_to(std::uint64_t step); // Anywhere from 0 to total().
    void restart() { go_to(0); }
    // Run `pid` for the next step instead of the planned task; re-plans the rest.
    bool choose(pid_t pid);
    std::vector<pid_t> runnable() { return m_session->runnable(); }
    pid_t planned_next() const;     // Who the plan runs next (0 at the end).

    // Step forward until a step makes an event of `kind` (true), or the run ends (false).
    bool run_to(EventKind kind);
    // Step forward until a step makes a NOTE.
    bool run_to_note();
    // Go to the step at which NOTE number `n` (1-based) is made; false if there is none.
    bool go_to_note(std::size_t n);

    // The events of the step just taken (empty at step 0).
    std::span<Event const> last_step_events() const;

    // Re-run with other options (scheduler, fork strategy), at the same step where possible.
    void set_options(lang::RunOptions options);
    // Re-plan along `schedule` (one pid per step, as `forklab outcomes` gives; the policy goes
    // on where it ends) and go back to the start, to step through that interleaving.
    void follow(std::vector<pid_t> schedule);

private:
    void plan_from(std::vector<pid_t> prefix);
    void start_session();

    std::string m_path, m_source;
    lang::RunOptions m_options;
    Preview m_preview;
    std::uint64_t m_plan_generation = 0;
    std::unique_ptr<lang::Session> m_session;
};

}  // namespace forklab::gui
