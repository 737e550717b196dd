#include "model/strategy_compare.h"

#include <algorithm>
#include <functional>
#include <set>

namespace forklab::gui {

namespace {

// The same program, options and schedule as the run, under `strategy`. Manual scheduling needs
// no choices here: the schedule (the run's plan) names who runs every step.
lang::RunOptions lane_options(Stepper const& run, ForkStrategy strategy)
{
    lang::RunOptions options = run.options();
    if (options.sched.policy == lang::SchedPolicy::Manual)
        options.sched.policy = lang::SchedPolicy::ParentFirst;
    options.kernel.fork_strategy = strategy;
    options.schedule = run.preview().plan;
    return options;
}

std::string why_stopped(lang::Session const& s, std::uint64_t wanted)
{
    if (s.steps() >= wanted)
        return {};
    if (!s.error().empty())
        return s.error();
    return "the run ended before this step";
}

struct RowSpec {
    char const* label;
    char const* explanation;
    Better better;
    std::function<std::uint64_t(StrategyMeasures const&)> value;
};

// The rows, in the order a lecture tells it: what fork and the faults copied, then what is in
// memory now. Headings have no value.
std::vector<RowSpec> row_specs()
{
    using M = StrategyMeasures const&;
    return {
        {"Work done so far (since the start)", "", Better::Neither, nullptr},
        {"frames copied, in all", "Frames copied at fork plus frames copied by write faults: the bytes "
            "the kernel had to duplicate.", Better::Lower, [](M m) { return m.mm.frames_copied + m.mm.cow_copies; }},
        {"  frames copied at fork", "copy: fork copies every private present page at once (early Unix, xv6).",
            Better::Lower, [](M m) { return m.mm.frames_copied; }},
        {"  frames copied by write faults", "copy-on-write and on-demand: a write to a page still shared "
            "after fork faults, and only that page is copied (Linux: do_wp_page).",
            Better::Lower, [](M m) { return m.mm.cow_copies; }},
        {"PTEs copied at fork", "Page-table entries fork copied into the child's page table (Linux: "
            "copy_page_range). On-demand-fork shares whole page-table pages instead.",
            Better::Lower, [](M m) { return m.mm.ptes_copied; }},
        {"page-table pages copied", "Page-table pages (512 entries each) copied, at fork or when a shared "
            "one was first written under (On-demand-fork).", Better::Lower, [](M m) { return m.mm.pt_pages_copied; }},
        {"page-table pages shared at fork", "On-demand-fork: page-table pages parent and child share "
            "instead of copying them.", Better::Neither, [](M m) { return m.mm.pt_pages_shared; }},
        {"write faults that reused the frame", "A write to a write-protected page that nobody else maps "
            "any more: the kernel makes it writable again, no copy.", Better::Neither,
            [](M m) { return m.mm.cow_reuses; }},
        {"page faults", "Every fault the kernel resolved (minor faults: no disk I/O here).", Better::Lower,
            [](M m) { return m.mm.minor_faults; }},
        {"Memory now", "", Better::Neither, nullptr},
        {"physical frames in use", "Frames allocated now, by every process, the page cache and the programs' "
            "text (the zero page not counted).", Better::Lower, [](M m) { return m.frames_in_use; }},
        {"page-table pages in use", "Distinct page-table pages the live address spaces use; shared ones "
            "count once.", Better::Lower, [](M m) { return m.table_pages; }},
        {"RSS shared (all processes)", "Resident pages also mapped elsewhere, summed over the address "
            "spaces (as smaps_rollup's Shared_*).", Better::Neither, [](M m) { return m.rss.shared; }},
        {"RSS private (all processes)", "Resident pages only one address space maps, summed (as "
            "smaps_rollup's Private_*).", Better::Neither, [](M m) { return m.rss.private_; }},
    };
}

// A cost row's lowest value, among the columns that reached the step; none when they all agree.
std::vector<bool> best_of(std::vector<std::uint64_t> const& values, std::vector<StrategyColumn> const& columns)
{
    std::vector<bool> best(values.size(), false);
    std::optional<std::uint64_t> low, high;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!columns[i].stopped.empty())
            continue;
        low = std::min(low.value_or(values[i]), values[i]);
        high = std::max(high.value_or(values[i]), values[i]);
    }
    if (!low || *low == *high)
        return best;
    for (std::size_t i = 0; i < values.size(); ++i)
        best[i] = columns[i].stopped.empty() && values[i] == *low;
    return best;
}

}  // namespace

StrategyMeasures measure_memory(Kernel const& kernel)
{
    StrategyMeasures m;
    m.mm = kernel.mm_counters();
    m.frames_in_use = kernel.physical_memory().in_use();
    std::set<MmStruct const*> spaces;
    std::set<PteTable const*> tables;
    for (Task const& t : kernel.tasks()) {
        if (!t.mm || !spaces.insert(t.mm.get()).second)
            continue;  // No address space, or one already counted (vfork, threads).
        Rss const rss = t.mm->rss();
        m.rss.shared += rss.shared;
        m.rss.private_ += rss.private_;
        for (PageTable::Leaf const& leaf : t.mm->page_table().leaves())
            tables.insert(leaf.table.get());
    }
    m.table_pages = tables.size();
    return m;
}

std::vector<ForkStrategy> compared_strategies(ForkStrategy current)
{
    std::vector<ForkStrategy> all{ForkStrategy::Cow, ForkStrategy::Copy, ForkStrategy::Odf};
    if (std::find(all.begin(), all.end(), current) == all.end())
        all.push_back(current);
    return all;
}

std::vector<CompareRow> compare_rows(std::vector<StrategyColumn> const& columns)
{
    std::vector<CompareRow> rows;
    for (RowSpec const& spec : row_specs()) {
        CompareRow row{spec.label, spec.explanation, !spec.value, spec.better, {}, {}};
        if (spec.value) {
            for (StrategyColumn const& c : columns)
                row.values.push_back(spec.value(c.measures));
            if (spec.better == Better::Lower)
                row.best = best_of(row.values, columns);
            else
                row.best.assign(columns.size(), false);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

StrategyComparison compare_strategies(Stepper const& run)
{
    StrategyComparer comparer;
    return comparer.at(run);
}

// ---- StrategyComparer -----------------------------------------------------------------------

struct StrategyComparer::Lane {
    ForkStrategy strategy;
    std::unique_ptr<lang::Session> session;
};

StrategyComparer::StrategyComparer() = default;
StrategyComparer::~StrategyComparer() = default;

void StrategyComparer::reset()
{
    m_lanes.clear();
    m_run = nullptr;
    m_valid = false;
    m_result = {};
}

// The lanes follow this run's plan: the same run object, plan and program. (A new Stepper may
// be made where an old one was, so the program's text is compared too.)
bool StrategyComparer::current_for(Stepper const& run) const
{
    return !m_lanes.empty() && m_run == &run && m_generation == run.plan_generation() && m_path == run.path() &&
        m_source == run.source();
}

void StrategyComparer::rebuild(Stepper const& run)
{
    m_lanes.clear();
    for (ForkStrategy s : compared_strategies(run.options().kernel.fork_strategy))
        m_lanes.push_back(std::make_unique<Lane>(
            Lane{s, std::make_unique<lang::Session>(run.path(), run.source(), lane_options(run, s))}));
    m_run = &run;
    m_generation = run.plan_generation();
    m_path = run.path();
    m_source = run.source();
    m_valid = false;
}

// Each lane to `step`: forward by stepping, back by the session's replay.
void StrategyComparer::move_to(std::uint64_t step)
{
    for (auto& lane : m_lanes) {
        lang::Session& s = *lane->session;
        if (step < s.steps())
            s.at(step);
        while (s.steps() < step && s.step()) {
        }
    }
}

StrategyComparison const& StrategyComparer::at(Stepper const& run)
{
    if (!current_for(run))
        rebuild(run);
    if (m_valid && m_result.step == run.step())
        return m_result;
    ++m_updates;
    move_to(run.step());
    StrategyComparison result;
    result.step = run.step();
    ForkStrategy const current = run.options().kernel.fork_strategy;
    for (auto const& lane : m_lanes) {
        lang::Session const& s = *lane->session;
        if (lane->strategy == current)
            result.current = result.columns.size();
        result.columns.push_back(StrategyColumn{lane->strategy, s.steps(), why_stopped(s, run.step()),
            measure_memory(s.kernel())});
    }
    result.rows = compare_rows(result.columns);
    m_result = std::move(result);
    m_valid = true;
    return m_result;
}

}  // namespace forklab::gui
