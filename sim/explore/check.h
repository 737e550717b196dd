// `forklab check` for a racy scenario: its `outcome:` lines declare every output it may show,
// and exploring every interleaving (explore/outcomes.h) must find exactly those.
#pragma once

#include "explore/outcomes.h"
#include "scenario/verdict.h"

namespace forklab::explore {

// When the scenario declares outcomes: explore it with its metadata on top of `base` and turn
// `verdict` into a failure, with one reason per missing or unexpected output (and for a run
// that does not finish, a failed EXPECT, or the bound), unless the two sets are equal.
// Nothing happens for a scenario without `outcome:` lines or one that could not be run.
void check_outcomes(scenario::Loaded const& loaded, lang::RunOptions const& base, scenario::Verdict& verdict,
    ExploreOptions const& how = {});

}  // namespace forklab::explore
