#include "lang/scheduler.h"

#include "base/format.h"

#include <algorithm>
#include <charconv>

namespace forklab::lang {

namespace {

bool contains(std::span<pid_t const> runnable, pid_t pid)
{
    return pid && std::binary_search(runnable.begin(), runnable.end(), pid);
}

// Linux (2.6.32 on) lets the parent run on after fork: the task that ran last keeps the CPU
// until it sleeps or exits.
pid_t parent_first(SchedContext const& c, std::span<pid_t const> runnable)
{
    if (!c.yielded && contains(runnable, c.last))
        return c.last;
    return runnable.front();
}

// kernel.sched_child_runs_first = 1: a new child preempts its parent, then runs on as
// parent-first would.
pid_t child_first(SchedContext const& c, std::span<pid_t const> runnable)
{
    if (contains(runnable, c.forked))
        return c.forked;
    return parent_first(c, runnable);
}

// Around the ring of runnable pids: `quantum` steps each, then the next higher pid (wrapping
// to the lowest). A task that sleeps or exits gives up the rest of its turn.
pid_t round_robin(SchedContext const& c, std::uint32_t quantum, std::span<pid_t const> runnable)
{
    if (!c.yielded && c.run < std::max<std::uint32_t>(quantum, 1) && contains(runnable, c.last))
        return c.last;
    auto after = std::upper_bound(runnable.begin(), runnable.end(), c.last);
    return after == runnable.end() ? runnable.front() : *after;
}

// SplitMix64 of the seed and the step: a draw that depends on nothing but the two, so a replay
// to any step needs no generator state.
std::uint64_t mix(std::uint64_t seed, std::uint64_t step)
{
    std::uint64_t z = seed + (step + 1) * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::optional<std::uint64_t> number(std::string_view text)
{
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return v;
}

}  // namespace

pid_t pick_next(SchedOptions const& options, SchedContext const& context, std::span<pid_t const> runnable)
{
    switch (options.policy) {
    case SchedPolicy::ParentFirst:
    case SchedPolicy::Manual: return parent_first(context, runnable);
    case SchedPolicy::ChildFirst: return child_first(context, runnable);
    case SchedPolicy::RoundRobin: return round_robin(context, options.quantum, runnable);
    case SchedPolicy::Random: return runnable[mix(options.seed, context.step) % runnable.size()];
    }
    return runnable.front();
}

std::optional<SchedOptions> parse_sched(std::string_view text)
{
    SchedOptions o;
    auto const colon = text.find(':');
    std::string_view const name = text.substr(0, colon);
    std::optional<std::uint64_t> arg;
    if (colon != std::string_view::npos && !(arg = number(text.substr(colon + 1))))
        return std::nullopt;
    if (name == "parent-first" && !arg)
        o.policy = SchedPolicy::ParentFirst;
    else if (name == "child-first" && !arg)
        o.policy = SchedPolicy::ChildFirst;
    else if (name == "manual" && !arg)
        o.policy = SchedPolicy::Manual;
    else if (name == "round-robin" && (!arg || (*arg >= 1 && *arg <= UINT32_MAX)))
        o.policy = SchedPolicy::RoundRobin, o.quantum = std::uint32_t(arg.value_or(1));
    else if (name == "random")
        o.policy = SchedPolicy::Random, o.seed = arg.value_or(1);
    else
        return std::nullopt;
    return o;
}

std::string sched_name(SchedOptions const& o)
{
    switch (o.policy) {
    case SchedPolicy::ParentFirst: return "parent-first";
    case SchedPolicy::ChildFirst: return "child-first";
    case SchedPolicy::RoundRobin: return format("round-robin:{}", o.quantum);
    case SchedPolicy::Random: return format("random:{}", o.seed);
    case SchedPolicy::Manual: return "manual";
    }
    return "?";
}

std::optional<std::vector<pid_t>> parse_schedule(std::string_view text)
{
    std::vector<pid_t> pids;
    for (std::size_t from = 0; !text.empty() && from <= text.size();) {
        std::size_t const comma = std::min(text.find(',', from), text.size());
        pid_t pid = 0;
        auto const [end, ec] = std::from_chars(text.data() + from, text.data() + comma, pid);
        if (ec != std::errc() || end != text.data() + comma || pid <= 0)
            return std::nullopt;
        pids.push_back(pid);
        from = comma + 1;
    }
    return pids;
}

}  // namespace forklab::lang
