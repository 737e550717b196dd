// The fork strategies side by side: the program open now, with the same schedule (who ran each
// step, as the session recorded it), run to the same step under copy-on-write, eager copy and
// On-demand-fork, and what each one's kernel counted. Only the memory work differs: the
// strategies change how fork duplicates an address space, never what a process sees, so the
// same schedule is valid under each (a run that parts from it says so in its column).
//
// A StrategyComparer keeps one session per strategy and moves them with the run, so a step
// forward costs one step of each, and nothing is computed while neither the step nor the
// program changes.
#pragma once

#include "model/stepper.h"

#include <memory>
#include <string>
#include <vector>

namespace forklab::gui {

// What one strategy's kernel shows at the step.
struct StrategyMeasures {
    MmCounters mm;                   // The kernel's totals since boot (fork and fault work).
    Rss rss;                         // Summed over the live address spaces, each counted once.
    std::uint64_t frames_in_use = 0; // Physical frames allocated (the zero page not counted).
    std::uint64_t table_pages = 0;   // Distinct page-table pages the live address spaces use.
};

// The measures of `kernel` as it stands.
StrategyMeasures measure_memory(Kernel const&);

struct StrategyColumn {
    ForkStrategy strategy = ForkStrategy::Cow;
    std::uint64_t step = 0;   // The step it reached: the run's, unless it parted from the schedule.
    std::string stopped;      // Why it did not reach the run's step (empty when it did).
    StrategyMeasures measures;
};

// Which way a row's numbers are better, if either: the work rows and the memory in use are
// costs; what is shared or reused is neither good nor bad in itself.
enum class Better : std::uint8_t { Lower, Neither };

struct CompareRow {
    std::string label;
    std::string explanation;          // What the kernel counts there, for a tooltip.
    bool section = false;             // A heading: label only, no numbers.
    Better better = Better::Neither;
    std::vector<std::uint64_t> values;  // One per column.
    std::vector<bool> best;             // The lowest of a cost row, when the columns differ.
};

struct StrategyComparison {
    std::uint64_t step = 0;
    std::vector<StrategyColumn> columns;  // Cow, Copy, Odf, and the run's own if it is another.
    std::size_t current = 0;              // The column of the run's own strategy.
    std::vector<CompareRow> rows;
};

// The strategies compared: every fork() strategy, and the run's own if it is another (vfork).
std::vector<ForkStrategy> compared_strategies(ForkStrategy current);

// The comparison at `run`'s step, computed afresh (a replay per strategy).
StrategyComparison compare_strategies(Stepper const& run);

// The table's rows from the columns: the counters, headings, and each cost row's best value.
std::vector<CompareRow> compare_rows(std::vector<StrategyColumn> const& columns);

// The comparison kept up to date with a run: at() recomputes only when the run's step, plan or
// options changed, and then by stepping its sessions, not by replaying from the start.
class StrategyComparer {
public:
    StrategyComparer();
    ~StrategyComparer();
    StrategyComparer(StrategyComparer const&) = delete;
    StrategyComparer& operator=(StrategyComparer const&) = delete;

    StrategyComparison const& at(Stepper const& run);
    // How many times at() had to recompute (for tests: a second look at the same step is free).
    std::uint64_t updates() const { return m_updates; }
    // Forget everything (a new program was opened).
    void reset();

private:
    struct Lane;
    bool current_for(Stepper const& run) const;
    void rebuild(Stepper const& run);
    void move_to(std::uint64_t step);

    std::vector<std::unique_ptr<Lane>> m_lanes;
    Stepper const* m_run = nullptr;
    std::string m_path, m_source;
    std::uint64_t m_generation = 0;
    ForkStrategy m_strategy = ForkStrategy::Cow;
    bool m_valid = false;
    StrategyComparison m_result;
    std::uint64_t m_updates = 0;
};

}  // namespace forklab::gui
