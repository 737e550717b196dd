#include "explore/outcomes.h"

#include "explore/state_hash.h"
#include "lang/session.h"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace forklab::explore {

namespace {

using lang::Op;

// A task that has run this many private statements in a row at choice points (a loop that
// spins on its own memory) is no longer run ahead of the others: the others get their turns
// explored too, or a spinning task would starve every other order.
constexpr std::uint32_t kLongestPrivateRun = 1000;

// Whether the statement at cpu.pc only computes: no library or system call, no indirect call
// (it may reach one), no return from main or a handler. Every path through the statement's
// code is followed, through jumps and into calls and returns, up to the next statement.
bool statement_only_computes(lang::Cpu const& cpu)
{
    struct Path {
        std::uint32_t pc;
        std::size_t depth;  // Calls still in progress, as cpu.calls counts them.
        bool began;         // Past the statement's own Stmt: the next one ends the step.
    };
    auto const& code = cpu.program->code();
    std::vector<Path> work{{cpu.pc, cpu.calls.size(), false}};
    std::unordered_set<std::uint64_t> seen;
    while (!work.empty()) {
        Path p = work.back();
        work.pop_back();
        for (;;) {
            std::uint64_t const key = std::uint64_t(p.pc) << 24 | p.depth << 1 | std::uint64_t(p.began);
            if (p.pc >= code.size() || !seen.insert(key).second)
                break;
            lang::Insn const& in = code[p.pc];
            switch (in.op) {
            case Op::Stmt:
                if (p.began)
                    break;
                p.began = true;
                ++p.pc;
                continue;
            case Op::CallIndirect:
            case Op::CallBuiltin:
            case Op::ExitMain:
            case Op::SigReturn:
            case Op::BuiltinStub:
                return false;
            case Op::Jmp:
                p.pc = std::uint32_t(in.imm);
                continue;
            case Op::Jz:
            case Op::Jnz:
            case Op::JzKeep:
            case Op::JnzKeep:
                work.push_back({std::uint32_t(in.imm), p.depth, p.began});
                ++p.pc;
                continue;
            case Op::Case:
                work.push_back({std::uint32_t(in.c), p.depth, p.began});
                ++p.pc;
                continue;
            case Op::Call:
                p.pc = std::uint32_t(in.imm);  // Its Enter, then its first statement: the end.
                ++p.depth;
                continue;
            case Op::Ret: {
                if (p.depth == 0 || p.depth > cpu.calls.size())
                    return false;  // A return from a call this very statement made: not followed.
                std::int64_t const to = cpu.program->index_of(cpu.calls[p.depth - 1].return_address);
                if (to < 0)
                    return false;
                p.pc = std::uint32_t(to);
                --p.depth;
                continue;
            }
            default:
                ++p.pc;
                continue;
            }
            break;  // A second Stmt: the step ends here.
        }
    }
    return true;
}

class Explorer {
public:
    Explorer(std::string path, std::string source, lang::RunOptions options, ExploreOptions const& how)
        : m_how(how), m_session(std::move(path), std::move(source), prepared(std::move(options)))
    {
    }

    Exploration run()
    {
        if (m_session.done() &&
            (m_session.end() == lang::RunEnd::CompileError || m_session.end() == lang::RunEnd::SetupFailed)) {
            m_x.ok = false;
            m_x.error = m_session.error();
            return std::move(m_x);
        }
        descend();
        while (!m_stack.empty() && !m_x.bound_hit)
            next_branch();
        return std::move(m_x);
    }

private:
    // A point where more than one task could run, and the choices not yet explored there.
    struct Branch {
        std::uint64_t depth = 0;
        std::vector<pid_t> todo;
        std::size_t next = 0;
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
        m_private_run = 0;
        step(pid);
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

    // At a choice point: run one private statement ahead of everyone, or explore every order.
    // False when the state needs no exploring (seen before, or the bound is hit).
    bool choose(std::vector<pid_t> const& runnable)
    {
        if (++m_x.states > m_how.max_states) {
            --m_x.states;
            m_x.bound_hit = true;
            return false;
        }
        if (m_how.reduce && m_private_run < kLongestPrivateRun) {
            if (pid_t const pid = private_task(runnable)) {
                std::uint64_t const depth = m_session.steps();
                std::size_t const events = m_session.kernel().events().size();
                step(pid);
                if (only_private_faults(events, pid)) {
                    ++m_private_run;
                    return true;
                }
                push_others(depth, runnable, pid);
                m_private_run = 0;
                return true;
            }
        }
        if (!m_seen.insert(state_hash(m_session.kernel(), m_session.machine(), {m_how.pid_symmetry})).second) {
            ++m_x.pruned;
            --m_x.states;
            return false;
        }
        m_private_run = 0;
        push_others(m_session.steps(), runnable, runnable.front());
        step(runnable.front());
        return true;
    }

    void push_others(std::uint64_t depth, std::vector<pid_t> const& runnable, pid_t taken)
    {
        Branch b{depth, {}, 0};
        for (pid_t p : runnable)
            if (p != taken)
                b.todo.push_back(p);
        m_stack.push_back(std::move(b));
    }

    // The lowest-pid task whose next statement is private, or 0.
    pid_t private_task(std::vector<pid_t> const& runnable) const
    {
        for (pid_t pid : runnable)
            if (next_statement_is_private(pid))
                return pid;
        return 0;
    }

    // Nothing another task does can see this statement or change what it does: no signal can
    // make the task run a handler before or after it (none pending, none caught: a signal with
    // its default action only ends or stops the task, before or after a statement nobody
    // sees), its memory is its own (no shared mapping, no file mapping whose page cache
    // another process may write, no address space shared by vfork or CLONE_VM), and the
    // statement makes no call into the library or the kernel.
    bool next_statement_is_private(pid_t pid) const
    {
        Task const* t = m_session.kernel().find_task(pid);
        lang::Cpu const* cpu = m_session.machine().cpu(pid);
        if (!t || !cpu || !cpu->program || !t->mm || !t->signal || !t->sighand)
            return false;
        if (t->pending || t->signal->shared_pending || !t->signal->rt_queue.empty() || t->sighand->caught())
            return false;
        if (cpu->interrupted || !cpu->libc_resume.empty())
            return false;
        for (Vma const& v : t->mm->vmas())
            if (v.shared() || (v.object && v.kind == VmaKind::Mmap))
                return false;
        for (Task const& other : m_session.kernel().tasks())
            if (&other != t && other.mm.get() == t->mm.get())
                return false;
        return statement_only_computes(*cpu);
    }

    // What the statement did in the kernel: nothing, or only the page faults of private
    // memory (a fresh page, the zero page, a copy-on-write copy or reuse), whose only
    // difference in another order is which frame holds the bytes.
    bool only_private_faults(std::size_t first, pid_t pid) const
    {
        for (Event const& e : m_session.kernel().events().since(first)) {
            if (e.kind != EventKind::PageFault || e.pid != pid)
                return false;
            auto const kind = FaultResult::Kind(e.aux & 0x1f);
            if (kind != FaultResult::Kind::ZeroMap && kind != FaultResult::Kind::Alloc &&
                kind != FaultResult::Kind::CowCopy && kind != FaultResult::Kind::CowReuse)
                return false;
        }
        return true;
    }

    void finish_run()
    {
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
};

}  // namespace

Exploration explore(std::string path, std::string source, lang::RunOptions options, ExploreOptions const& how)
{
    return Explorer(std::move(path), std::move(source), std::move(options), how).run();
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
