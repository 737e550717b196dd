#include "explore/outcomes.h"

#include "explore/footprint.h"
#include "explore/state_hash.h"
#include "lang/session.h"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace forklab::explore {

namespace {

// A task that has been run alone at this many choice points in a row (a loop that spins on
// its own memory) is no longer run ahead of the others: the others get their turns explored
// too, or a spinning task would starve every other order.
constexpr std::uint32_t kLongestPrivateRun = 1000;

class Explorer {
public:
    using Clock = std::chrono::steady_clock;

    // `trust_forks`: explore as if no fork could fail (see run()). `deadline`: when to give up
    // (how.max_time from the start of the whole search), if ever.
    Explorer(std::string path, std::string source, lang::RunOptions options, ExploreOptions const& how, bool trust_forks,
        std::optional<Clock::time_point> deadline)
        : m_how(how), m_session(std::move(path), std::move(source), prepared(std::move(options))),
          m_trust_forks(trust_forks), m_deadline(deadline)
    {
    }

    // Whether the exploration assumed no fork could fail, and a fork could have: it must be
    // made again without the assumption.
    bool forks_were_trusted_wrongly() const { return m_trust_forks && m_fork_trouble; }

    Exploration run()
    {
        if (m_session.done() &&
            (m_session.end() == lang::RunEnd::CompileError || m_session.end() == lang::RunEnd::SetupFailed)) {
            m_x.ok = false;
            m_x.error = m_session.error();
            return std::move(m_x);
        }
        // Reordering forks with each other and exits before forks is only sound while every
        // fork succeeds: the order explored must not be the one order where a fork has room.
        // The processes alive at any point of any order are at most those at the start plus
        // the forks of a run -- a prefix explored here and a suffix explored from the same
        // state reached another way, so twice the most forks any explored path made. When
        // that fits in every limit's room, no order can make a fork fail; when it does not,
        // or a fork failed, the exploration is made again without reordering them.
        std::int64_t const room = fork_room();
        m_trust_forks = m_trust_forks && room > 0;
        descend();
        while (!m_stack.empty() && !m_x.bound_hit)
            next_branch();
        if (2 * std::int64_t(m_most_path_forks) >= room)
            m_fork_trouble = true;
        return std::move(m_x);
    }

private:
    // A point where more than one task could run, and the choices not yet explored there.
    struct Branch {
        std::uint64_t depth = 0;
        std::vector<pid_t> todo;
        std::size_t next = 0;
        // A persistent set's point: its members (todo holds the ones still to run) and the
        // runnable tasks left out, added to todo if a member's step does more than planned.
        std::vector<pid_t> members, left_out;
    };

    // What each live task could still do, and whether forks and exits may be reordered.
    struct Future {
        pid_t pid;
        pid_t parent;
        bool adopts;     // A subreaper or a namespace's init: may become anyone's parent.
        bool has_pdeath; // PR_SET_PDEATHSIG: its parent's death signals it.
        Touch touch;
    };
    struct Independence {
        std::vector<Future> futures;
        std::unordered_map<pid_t, std::size_t> index;  // Into futures, by pid.
        bool spawns_commute = false;
        bool exits_commute_with_spawns = false;

        // Whether task pid's step touching `step` depends on what task f could still do.
        bool depends_on(Touch step, pid_t pid, Future const& f) const
        {
            auto const found = index.find(pid);
            Future const* me = found == index.end() ? nullptr : &futures[found->second];
            Kinship const kin{.other_is_parent = me && f.pid == me->parent,
                .other_is_child = f.parent == pid,
                .other_adopts = f.adopts,
                .step_adopts = !me || me->adopts,
                .step_has_pdeath = !me || me->has_pdeath,
                .other_has_pdeath = f.has_pdeath};
            if (forklab::explore::depends(step, f.touch, kin, spawns_commute))
                return true;
            // Ending a process before another forks leaves one process fewer at that fork: a
            // fork that RLIMIT_NPROC (or pid_max) would refuse in the other order succeeds in
            // this one, unless no fork can fail at all.
            return (step & kTouchExit) && (f.touch & kTouchSpawn) && !exits_commute_with_spawns;
        }

        // ... on what any task outside `members` could still do.
        bool depends(Touch step, pid_t pid, std::vector<pid_t> const& members) const
        {
            for (Future const& f : futures)
                if (f.pid != pid && std::find(members.begin(), members.end(), f.pid) == members.end() &&
                    depends_on(step, pid, f))
                    return true;
            return false;
        }
    };

    static lang::RunOptions prepared(lang::RunOptions options)
    {
        options.schedule.clear();
        options.sched.policy = lang::SchedPolicy::Manual;
        return options;
    }

    void next_branch()
    {
        Branch& b = m_stack.back();
        if (b.next == b.todo.size()) {
            m_stack.pop_back();
            return;
        }
        pid_t const pid = b.todo[b.next++];
        m_session.at(b.depth);
        m_x.steps += b.depth;
        m_events_noted = 0;  // The replay wrote the log afresh.
        m_path_forks = 0;
        m_private_run = 0;
        if (is_member(b.members, pid) && !b.left_out.empty()) {
            if (!step_as_planned(pid, b.members, independence())) {
                b.todo.insert(b.todo.end(), b.left_out.begin(), b.left_out.end());
                b.left_out.clear();
            }
        } else {
            step(pid);
        }
        descend();
    }

    void step(pid_t pid)
    {
        m_session.step_task(pid);
        ++m_x.steps;
    }

    // Runs on from the current state, taking the first choice at every choice point and
    // leaving the others on the stack, until the run ends or meets a state already explored.
    void descend()
    {
        for (;;) {
            if (m_session.done())
                return finish_run();
            std::vector<pid_t> const runnable = m_session.runnable();
            if (runnable.empty()) {
                if (!m_session.step() && !m_session.done())
                    return;  // Not expected: no task can run, yet the session is not over.
                continue;
            }
            if (runnable.size() == 1) {
                step(runnable.front());
                continue;
            }
            if (!choose(runnable))
                return;
        }
    }

    // At a choice point: run one task alone when its step is independent of everything the
    // others could still do, or explore every order. False when the state needs no exploring
    // (seen before, or the bound is hit).
    bool choose(std::vector<pid_t> const& runnable)
    {
        note_forks();
        if (++m_x.states > m_how.max_states || (m_deadline && Clock::now() >= *m_deadline)) {
            --m_x.states;
            m_x.bound_hit = true;
            return false;
        }
        if (m_how.reduce && m_private_run < kLongestPrivateRun) {
            switch (run_alone(runnable)) {
            case Alone::Ran:
                return true;
            case Alone::Seen:
                return false;
            case Alone::NoCandidate:
                break;
            }
        }
        if (seen_before())
            return false;
        m_private_run = 0;
        push_others(m_session.steps(), runnable, runnable.front());
        step(runnable.front());
        return true;
    }

    // A persistent set: the fewest runnable tasks whose next steps, as their code reads,
    // depend on nothing any task outside the set could still do. Often it is one task (a fork,
    // a private statement); a parent's wait and its child's exit make a set of two that leaves
    // the rest of the tree out. Only the set's members are run from here. Each member's step,
    // when it is taken, is checked against what it really did (its events: a write, a last
    // close, a signal); if it did more, the tasks left out are explored here too. NoCandidate
    // when every set is every runnable task.
    enum class Alone : std::uint8_t { Ran, Seen, NoCandidate };
    Alone run_alone(std::vector<pid_t> const& runnable)
    {
        Independence const ind = independence();
        std::vector<std::pair<pid_t, Touch>> planned;
        for (pid_t pid : runnable)
            planned.emplace_back(pid, planned_touch(pid));
        std::vector<pid_t> best;
        // Planned touches by the futures' order, kTouchAll for a task that cannot run now.
        std::vector<Touch> steps(ind.futures.size(), kTouchAll);
        for (auto const& [pid, touch] : planned)
            if (auto const at = ind.index.find(pid); at != ind.index.end())
                steps[at->second] = touch;
        for (auto const& [seed, touch] : planned) {
            std::size_t const limit = best.empty() ? runnable.size() : best.size();
            std::vector<pid_t> set = persistent_set(seed, steps, ind, limit);
            if (!set.empty())
                best = std::move(set);
            if (best.size() == 1)
                break;
        }
        if (best.empty())
            return Alone::NoCandidate;
        // A step that only computes leads to a state no other order reaches, so it is not
        // worth a hash; one that forks, exits or writes may close a diamond.
        bool const pure = best.size() == 1 && touch_of(planned, best.front()) == kTouchNone;
        if (!pure && seen_before())
            return Alone::Seen;
        std::sort(best.begin(), best.end());
        Branch b{m_session.steps(), {best.begin() + 1, best.end()}, 0, best, {}};
        for (pid_t p : runnable)
            if (!is_member(best, p))
                b.left_out.push_back(p);
        m_stack.push_back(std::move(b));
        if (step_as_planned(best.front(), best, ind)) {
            if (m_stack.back().todo.empty())
                m_stack.pop_back();
            ++m_private_run;
        } else {
            Branch& mine = m_stack.back();
            mine.todo.insert(mine.todo.end(), mine.left_out.begin(), mine.left_out.end());
            mine.left_out.clear();
            m_private_run = 0;
        }
        return Alone::Ran;
    }

    // The set grown from `seed`: every task whose future depends on a member's planned step
    // joins it, if it can run and its step can be read; a task that cannot (asleep, stopped)
    // makes the seed fail (empty).
    // `steps`: each future's planned step, kTouchAll for one that cannot run. Empty as well
    // when the set would reach `limit` members (no smaller than one found already).
    static std::vector<pid_t> persistent_set(pid_t seed, std::vector<Touch> const& steps, Independence const& ind,
        std::size_t limit)
    {
        auto const at = ind.index.find(seed);
        if (at == ind.index.end() || steps[at->second] == kTouchAll)
            return {};
        std::vector<std::size_t> set{at->second};
        std::vector<char> in(ind.futures.size(), 0);
        in[at->second] = 1;
        for (std::size_t i = 0; i < set.size(); ++i) {
            Future const& member = ind.futures[set[i]];
            for (std::size_t j = 0; j < ind.futures.size(); ++j) {
                if (in[j] || !ind.depends_on(steps[set[i]], member.pid, ind.futures[j]))
                    continue;
                if (steps[j] == kTouchAll || set.size() + 1 >= limit)
                    return {};  // Asleep, stopped, a step that can touch anything, or too many.
                in[j] = 1;
                set.push_back(j);
            }
        }
        std::vector<pid_t> pids;
        for (std::size_t i : set)
            pids.push_back(ind.futures[i].pid);
        return pids;
    }

    static Touch touch_of(std::vector<std::pair<pid_t, Touch>> const& planned, pid_t pid)
    {
        for (auto const& [p, t] : planned)
            if (p == pid)
                return t;
        return kTouchAll;  // Not runnable.
    }

    static bool is_member(std::vector<pid_t> const& set, pid_t pid)
    {
        return std::find(set.begin(), set.end(), pid) != set.end();
    }

    // Takes a member's step and says whether it did only what its code promised, as far as
    // the tasks outside the set can tell.
    bool step_as_planned(pid_t pid, std::vector<pid_t> const& members, Independence const& ind)
    {
        Touch const planned = planned_touch(pid);
        std::size_t const events = m_session.kernel().events().size();
        step(pid);
        Touch const did = planned | events_touch(m_session.kernel().events().since(events), pid);
        return did != kTouchAll && !ind.depends(did, pid, members);
    }

    // Whether this state was explored before (by another order of the same steps): it is not
    // explored again, and does not count as a state.
    bool seen_before()
    {
        if (m_seen.insert(state_hash(m_session.kernel(), m_session.machine(), {m_how.pid_symmetry})).second)
            return false;
        ++m_x.pruned;
        --m_x.states;
        return true;
    }

    Independence independence()
    {
        Independence ind;
        Kernel const& k = m_session.kernel();
        for (Task const& t : k.tasks()) {
            if (t.is_zombie() || (t.reaps_children && !m_session.machine().cpu(t.pid)))
                continue;
            bool const adopts = (t.signal && t.signal->is_child_subreaper) || t.reaps_children ||
                (t.pid_ns() && t.pid_ns()->child_reaper == &t);
            ind.index.emplace(t.pid, ind.futures.size());
            ind.futures.push_back({t.pid, t.real_parent ? t.real_parent->pid : 0, adopts, t.pdeath_signal != 0, future_touch(t)});
        }
        ind.spawns_commute = m_how.pid_symmetry && m_trust_forks;
        ind.exits_commute_with_spawns = m_trust_forks;
        return ind;
    }

    // Everything task t could still do: what its code can reach, or anything when a signal
    // handler may run in it.
    Touch future_touch(Task const& t)
    {
        lang::Cpu const* cpu = m_session.machine().cpu(t.pid);
        if (!cpu || !cpu->program || !t.signal || !t.sighand)
            return kTouchAll;
        if (t.pending || t.signal->shared_pending || !t.signal->rt_queue.empty() || t.sighand->caught())
            return kTouchAll;
        Touch const future = m_footprints.of(*cpu->program).future(*cpu);
        return exit_touches_files(t, *cpu->program) ? future | kTouchFiles : future;
    }

    // How many more processes every limit a fork checks leaves room for: pid_max,
    // threads-max, each user's RLIMIT_NPROC. None when a cgroup limits pids or the fork
    // strategy copies frames (a fork could then fail for want of memory).
    std::int64_t fork_room() const
    {
        Kernel const& k = m_session.kernel();
        if (k.config().fork_strategy == ForkStrategy::Copy || has_pids_limit(k.root_cgroup()))
            return 0;
        std::int64_t room = std::min(std::int64_t(k.root_pid_ns().pid_max()) - std::int64_t(k.tasks().size()),
            std::int64_t(k.config().threads_max) - std::int64_t(k.nr_tasks()));
        for (Task const& t : k.tasks()) {
            if (t.cred.uid == 0 || !t.signal)
                continue;
            std::uint64_t const limit = t.signal->rlim[RLIMIT_NPROC].cur;
            std::uint64_t const used = std::uint64_t(k.nr_processes_of(t.cred.uid));
            room = std::min(room, limit <= used ? 0 : std::int64_t(std::min<std::uint64_t>(limit - used, 1u << 30)));
        }
        return room;
    }

    static bool has_pids_limit(Cgroup const& g)
    {
        if (g.pids_max != Cgroup::kMax)
            return true;
        for (auto const& child : g.children())
            if (has_pids_limit(*child))
                return true;
        return false;
    }

    void push_others(std::uint64_t depth, std::vector<pid_t> const& runnable, pid_t taken)
    {
        Branch b{depth, {}, 0, {}, {}};
        for (pid_t p : runnable)
            if (p != taken)
                b.todo.push_back(p);
        m_stack.push_back(std::move(b));
    }

    // What the task's next statement can touch as its code reads, for a task whose own state
    // keeps others out: no signal can make it run a handler before or after the statement
    // (none pending, none caught: a signal with its default action only ends or stops the
    // task, before or after a step nobody sees), its memory, descriptors and working
    // directory are its own (no shared mapping, no file mapping whose page cache another
    // process may write, no address space or fd table shared by vfork or CLONE_*), and it is
    // not in the middle of a library call a signal interrupted. An exit by a task that holds
    // anything but terminals flushes and closes where others may look: a file operation.
    Touch planned_touch(pid_t pid)
    {
        Task const* t = m_session.kernel().find_task(pid);
        lang::Cpu const* cpu = m_session.machine().cpu(pid);
        if (!t || !cpu || !cpu->program || !t->mm || !t->signal || !t->sighand || !t->files || !t->fs)
            return kTouchAll;
        if (t->pending || t->signal->shared_pending || !t->signal->rt_queue.empty() || t->sighand->caught())
            return kTouchAll;
        if (cpu->interrupted || !cpu->libc_resume.empty())
            return kTouchAll;
        if (t->files->use_count() > 1 || t->fs->use_count() > 1)
            return kTouchAll;
        for (Vma const& v : t->mm->vmas())
            if (v.shared() || (v.object && v.kind == VmaKind::Mmap))
                return kTouchAll;
        for (Task const& other : m_session.kernel().tasks())
            if (&other != t && other.mm.get() == t->mm.get())
                return kTouchAll;
        Touch touch = m_footprints.of(*cpu->program).statement(*cpu);
        if ((touch & kTouchExit) && exit_touches_files(*t, *cpu->program))
            touch |= kTouchFiles;
        return touch;
    }

    // Counts the forks of the path so far, and notes any that failed.
    void note_forks()
    {
        auto const& events = m_session.kernel().events();
        for (Event const& e : events.since(m_events_noted)) {
            if (e.kind == EventKind::Fork)
                ++m_path_forks;
            else if (e.kind == EventKind::ForkFailed)
                m_fork_trouble = true;
        }
        m_events_noted = events.size();
        m_most_path_forks = std::max(m_most_path_forks, m_path_forks);
    }

    void finish_run()
    {
        note_forks();
        ++m_x.runs;
        std::string output = m_session.kernel().terminal().text();
        auto const key = std::make_pair(output, m_session.end());
        auto [it, fresh] = m_index.try_emplace(key, m_x.outcomes.size());
        if (fresh) {
            Outcome o;
            o.output = std::move(output);
            o.end = m_session.end();
            o.error = m_session.error();
            o.schedule = m_session.schedule();
            o.expect_failed = !m_session.machine().expect_failures().empty();
            m_x.outcomes.push_back(std::move(o));
            m_end_states.emplace_back();
        }
        Outcome& o = m_x.outcomes[it->second];
        ++o.runs;
        if (m_end_states[it->second].insert(state_hash(m_session.kernel(), m_session.machine())).second)
            ++o.end_states;
    }

    ExploreOptions m_how;
    lang::Session m_session;
    Exploration m_x;
    std::vector<Branch> m_stack;
    std::unordered_set<std::uint64_t> m_seen;
    std::map<std::pair<std::string, lang::RunEnd>, std::size_t> m_index;
    std::vector<std::unordered_set<std::uint64_t>> m_end_states;
    std::uint32_t m_private_run = 0;
    Footprints m_footprints;
    bool m_trust_forks = true;
    bool m_fork_trouble = false;
    std::optional<Clock::time_point> m_deadline;
    std::size_t m_events_noted = 0;
    std::uint64_t m_path_forks = 0, m_most_path_forks = 0;
};

}  // namespace

Exploration explore(std::string path, std::string source, lang::RunOptions options, ExploreOptions const& how)
{
    std::optional<Explorer::Clock::time_point> deadline;
    if (how.max_time.count() > 0)
        deadline = Explorer::Clock::now() + how.max_time;
    Explorer trusting(path, source, options, how, true, deadline);
    Exploration x = trusting.run();
    if (!trusting.forks_were_trusted_wrongly())
        return x;
    return Explorer(std::move(path), std::move(source), std::move(options), how, false, deadline).run();
}

OutcomeCheck compare_outcomes(Exploration const& found, std::vector<std::string> const& declared)
{
    OutcomeCheck c;
    if (!found.ok) {
        c.problems.push_back(found.error);
        return c;
    }
    std::vector<std::string> produced;
    for (Outcome const& o : found.outcomes) {
        if (o.end != lang::RunEnd::Finished)
            c.problems.push_back("a run can end without finishing: " + o.error + " (schedule " +
                schedule_text(o.schedule) + ")");
        else
            produced.push_back(o.output);
        if (o.expect_failed)
            c.problems.push_back("an EXPECT can fail (schedule " + schedule_text(o.schedule) + ")");
    }
    if (found.bound_hit)
        c.problems.push_back("explored " + std::to_string(found.states) +
            " states; the bound was hit: the outcomes may be incomplete");
    for (std::string const& d : declared)
        if (std::find(produced.begin(), produced.end(), d) == produced.end())
            c.missing.push_back(d);
    for (std::string const& p : produced)
        if (std::find(declared.begin(), declared.end(), p) == declared.end())
            c.unexpected.push_back(p);
    return c;
}

std::string schedule_text(std::vector<pid_t> const& schedule)
{
    std::string text;
    for (pid_t p : schedule)
        text += (text.empty() ? "" : ",") + std::to_string(p);
    return text;
}

}  // namespace forklab::explore
