#include "explore/check.h"

#include <algorithm>

namespace forklab::explore {

namespace {

// An output on one line, its newlines shown as \n.
std::string quoted(std::string const& output)
{
    std::string text = "\"";
    for (char c : output)
        text += c == '\n' ? std::string("\\n") : std::string(1, c);
    return text + "\"";
}

}  // namespace

void check_outcomes(scenario::Loaded const& loaded, lang::RunOptions const& base, scenario::Verdict& verdict,
    ExploreOptions const& how)
{
    scenario::Scenario const& s = loaded.scenario;
    if (s.outcomes.empty() || verdict.kind == scenario::Verdict::Kind::BadInput)
        return;
    Exploration const x = explore(s.path, loaded.source, scenario::run_options(loaded, base), how);
    OutcomeCheck const c = compare_outcomes(x, s.outcomes);
    if (c.pass())
        return;
    verdict.kind = scenario::Verdict::Kind::Fail;
    for (std::string const& m : c.missing)
        verdict.reasons.push_back("a declared outcome is never produced: " + quoted(m));
    for (Outcome const& o : x.outcomes)
        if (std::find(c.unexpected.begin(), c.unexpected.end(), o.output) != c.unexpected.end())
            verdict.reasons.push_back("an outcome that is not declared: " + quoted(o.output) + " (schedule " +
                schedule_text(o.schedule) + ")");
    for (std::string const& p : c.problems)
        verdict.reasons.push_back(p);
}

}  // namespace forklab::explore
