// "Which outputs are possible?" for the program open in the GUI: every distinct output of every
// interleaving (explore/outcomes.h, as `forklab outcomes` finds them), each with one schedule
// that gives it, so that a click can replay exactly that interleaving step by step.
#pragma once

#include "model/stepper.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace forklab::gui {

struct OutcomeRow {
    std::string output;           // The terminal's text at the end.
    std::vector<pid_t> schedule;  // One order of steps that ends so (Stepper::follow takes it).
    bool finished = true;         // False: the order deadlocks or runs out of steps ...
    std::string error;            // ... and this says which.
    bool expect_failed = false;   // An EXPECT fails in that order.
};

struct OutcomeList {
    bool ok = true;       // False: the program does not run (error says why).
    std::string error;
    bool complete = true; // False: the bound was hit and the list may miss outputs.
    std::uint64_t states = 0;
    std::vector<OutcomeRow> rows;
};

// Explores the stepper's program with its options (scheduler and schedule aside: every order
// is tried), exploring at most `max_states` choice points for at most `max_time` (zero: no
// time limit).
OutcomeList list_outcomes(Stepper const& run, std::uint64_t max_states,
    std::chrono::milliseconds max_time = std::chrono::milliseconds(0));

// The list for the program open now, explored once per program and fork strategy (what a
// program prints can depend on the strategy only through forklab_shared and its kin).
class OutcomeCache {
public:
    // The GUI waits for the search, so it is bounded in time too: 20,000 choice points of
    // scenarios/myths/no_limit_of_32.c (a hundred processes) take 30 s in a release build.
    static constexpr std::uint64_t kMaxStates = 20'000;
    static constexpr std::chrono::milliseconds kMaxTime{1500};
    OutcomeList const& at(Stepper const& run);
    void reset() { m_list.reset(); }

private:
    std::optional<OutcomeList> m_list;
    Stepper const* m_run = nullptr;
    ForkStrategy m_strategy{};
};

// The row with the output that the run's plan ends with, or -1.
int current_outcome(OutcomeList const& list, Stepper const& run);

}  // namespace forklab::gui
