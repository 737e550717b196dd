// The event log, its explanations, and the process tree (Boost.Graph and its Graphviz output).
//
// One scenario makes the kernel produce every kind of event; each event must come with a
// one-line explanation that names the tasks involved, and the explanations of the rules a
// course teaches (fork returns twice, orphans go to init or a subreaper, RLIMIT_NPROC, zombies,
// SIGCHLD's default) must say so.
#include "support/lab.h"

#include "trace/event.h"
#include "trace/tree.h"

#include <boost/graph/graph_traits.hpp>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace forklab::test {
namespace {

constexpr std::uint64_t kThreadFlags =
    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
constexpr std::uint64_t kHandler = 0x401000;
constexpr int kEventKinds = kEventKindCount;

// Does `text` contain the number n as a whole word (not as part of a longer number)?
bool names_number(std::string const& text, long long n)
{
    std::regex const re("(^|[^0-9])" + std::to_string(n) + "([^0-9]|$)");
    return std::regex_search(text, re);
}

bool contains(std::string const& text, std::string_view part) { return text.find(part) != std::string::npos; }

std::vector<Event> events_of(Kernel const& k, EventKind kind)
{
    std::vector<Event> v;
    for (Event const& e : k.events().all())
        if (e.kind == kind)
            v.push_back(e);
    return v;
}

// The pids an explanation must name, by kind: the task the event is about, and the other task
// where the explanation is about two.
std::vector<long long> pids_involved(Event const& e)
{
    std::vector<long long> v{e.pid};
    switch (e.kind) {
    case EventKind::Exit:
        if (ExitFate(e.aux) != ExitFate::Delayed)  // About the leader and its threads only.
            v.push_back(e.other);
        break;
    case EventKind::Fork:
    case EventKind::MmDup:
    case EventKind::Reap:
    case EventKind::WaitReported:
        v.push_back(e.other);
        break;
    case EventKind::Reparent:
        v.push_back(e.other);  // The parent that exited.
        v.push_back(e.value);  // The new parent.
        break;
    case EventKind::SignalSent:
        switch (SignalReason(e.aux)) {
        case SignalReason::Kill:
        case SignalReason::ChildExited:
        case SignalReason::ChildStopped:
        case SignalReason::ChildContinued:
        case SignalReason::ParentDeath:
        case SignalReason::NamespaceZap:
            v.push_back(e.other);  // The sender, or the child the signal is about.
            break;
        default:
            break;
        }
        break;
    case EventKind::SetPgid:
    case EventKind::SetSid:
        v.push_back(e.value);  // The group or session.
        break;
    default:
        break;
    }
    return v;
}

// A scenario that makes the kernel produce every kind of event, one step per system call.
constexpr std::size_t kSmallMemory = 256;  // Frames: small enough to run out of.

KernelConfig small_memory()
{
    KernelConfig config;
    config.physical_frames = kSmallMemory;
    return config;
}

struct Everything {
    Lab lab{small_memory()};
    Kernel& k = lab.k;
    std::uint64_t step = 0;
    std::map<std::string, pid_t> pids;  // Who is who, for the assertions.

    void next() { k.set_step(++step); }

    // The root-namespace pid of the task `parent` created last (from its Fork event).
    pid_t last_child(pid_t parent) const
    {
        auto const all = k.events().all();
        for (auto it = all.rbegin(); it != all.rend(); ++it)
            if (it->kind == EventKind::Fork && it->pid == parent)
                return it->other;
        FAIL("no fork by " << parent);
        return 0;
    }

    Everything()
    {
        pid_t const m = lab.main;
        pids["main"] = m;

        // fork, exec, a zombie and its reap; SIGCHLD discarded by default.
        next();
        pid_t const c = lab.fork(m);
        pids["child"] = c;
        next();
        REQUIRE(k.begin_new_exec(c, "/bin/prog"));
        lab.check();
        next();
        lab.exit(c, 5);
        next();
        lab.reap(m, c);

        // vfork: the parent sleeps and wakes.
        next();
        auto v = k.vfork(m);
        REQUIRE(v);
        lab.check();
        pids["vfork child"] = *v;
        next();
        lab.exit(*v, 0);
        next();
        lab.reap(m, *v);

        // A thread, its exit, and the delayed zombie of a leader that exits before its thread.
        next();
        pid_t const tp = lab.fork(m);
        pids["threaded"] = tp;
        auto t = k.clone(tp, CloneArgs{kThreadFlags, 0});
        REQUIRE(t);
        pids["thread"] = *t;
        auto t2 = k.clone(tp, CloneArgs{kThreadFlags, 0});
        REQUIRE(t2);
        lab.check();
        next();
        REQUIRE(k.exit_thread(*t2, 0));
        lab.check();
        // The leader forks, then exits alone: its child goes to the other thread.
        next();
        pid_t const tc = lab.fork(tp);
        pids["thread's orphan"] = tc;
        next();
        REQUIRE(k.exit_thread(tp, 0));
        lab.check();
        next();
        REQUIRE(k.exit_group(*t, 9));
        lab.check();
        next();
        lab.reap(m, tp);

        // Orphans go to init, which reaps at once.
        next();
        pid_t const a = lab.fork(m);
        pid_t const b = lab.fork(a);
        pids["orphan"] = b;
        pids["orphan's parent"] = a;
        next();
        lab.exit(a, 0);
        next();
        lab.exit(b, 0);
        next();
        lab.reap(m, a);

        // A subreaper adopts its grandchildren.
        next();
        REQUIRE(k.prctl(m, PR_SET_CHILD_SUBREAPER, 1));
        pid_t const x = lab.fork(m);
        pid_t const y = lab.fork(x);
        pids["subreaper's grandchild"] = y;
        pids["subreaper's child"] = x;
        next();
        lab.exit(x, 0);
        next();
        lab.exit(y, 0);
        next();
        lab.reap(m, x);
        lab.reap(m, y);
        REQUIRE(k.prctl(m, PR_SET_CHILD_SUBREAPER, 0));

        // Signals: sent, coalesced, handled, default action; stop, continue, wait reports.
        next();
        pid_t const s = lab.fork(m);
        pids["signalled"] = s;
        REQUIRE(k.sigaction(s, SIGUSR1, SigAction{kHandler, 0, 0}));
        next();
        REQUIRE(k.sigprocmask(s, SIG_BLOCK, sigbit(SIGUSR1)));
        lab.kill(m, s, SIGUSR1);
        next();
        lab.kill(m, s, SIGUSR1);  // Coalesced.
        next();
        REQUIRE(k.sigprocmask(s, SIG_UNBLOCK, sigbit(SIGUSR1)));
        auto d = lab.run(s);
        REQUIRE(d);
        REQUIRE(k.sigreturn(s, d->saved_mask));
        next();
        lab.kill(m, s, SIGSTOP);
        lab.run(s);
        next();
        lab.wait(m, s, WUNTRACED);
        next();
        lab.kill(m, s, SIGCONT);
        next();
        lab.wait(m, s, WCONTINUED);
        next();
        lab.kill(m, s, SIGTERM);
        lab.run(s);
        next();
        lab.reap(m, s);

        // Ignoring SIGCHLD: no zombie. A pause() that a signal ends.
        next();
        REQUIRE(k.sigaction(m, SIGCHLD, SigAction{kSigIgn, 0, 0}));
        pid_t const z = lab.fork(m);
        pids["autoreaped"] = z;
        next();
        lab.exit(z, 0);
        REQUIRE(k.sigaction(m, SIGCHLD, SigAction{kSigDfl, 0, 0}));
        next();
        pid_t const p = lab.fork(m);
        pids["paused"] = p;
        REQUIRE(k.pause(p));
        lab.check();
        next();
        lab.kill(m, p, SIGKILL);
        lab.run(p);
        next();
        lab.reap(m, p);

        // Groups and sessions.
        next();
        pid_t const g = lab.fork(m);
        pids["grouped"] = g;
        REQUIRE(k.setpgid(m, g, g));
        lab.check();
        next();
        pid_t const ss = lab.fork(m);
        pids["session"] = ss;
        REQUIRE(k.setsid(ss));
        lab.check();

        // RLIMIT_NPROC: a fork that fails with EAGAIN.
        next();
        auto const n = std::uint64_t(k.nr_processes_of(Lab::kStudent));
        auto const old = k.prlimit(m, 0, RLIMIT_NPROC, std::nullopt);
        REQUIRE(old);
        REQUIRE(k.prlimit(m, 0, RLIMIT_NPROC, Rlimit{n, old->max}));
        auto f = k.fork(m);
        REQUIRE_FALSE(f);
        REQUIRE(f.error().code() == EAGAIN);
        lab.check();
        REQUIRE(k.prlimit(m, 0, RLIMIT_NPROC, *old));

        // A pid namespace (root only): its init adopts orphans, and its end kills everything.
        next();
        pid_t const r = lab.fork(1);
        pids["root"] = r;
        REQUIRE(k.clone(r, CloneArgs{CLONE_NEWPID, SIGCHLD}));
        pid_t const ni = last_child(r);
        pids["namespace init"] = ni;
        REQUIRE(k.fork(ni));  // fork returns the pid in the namespace; tests use root pids.
        pid_t const n1 = last_child(ni);
        REQUIRE(k.fork(n1));
        pid_t const n2 = last_child(n1);
        pids["namespace orphan"] = n2;
        lab.check();
        next();
        lab.exit(n1, 0);
        next();
        lab.exit(ni, 0);
        lab.run(n2);
        lab.check();
        next();
        lab.reap(r, ni);
        lab.check();

        memory_story();
    }

    // Memory: a program image, a zero-page read, a fresh frame, fork's page-table copy, a
    // copy-on-write copy and a reuse, a segmentation fault, and memory running out.
    void memory_story()
    {
        next();
        pid_t const p = lab.fork(lab.main);
        pids["memory"] = p;
        ProgramImage image;
        image.text = {0x90, 0xc3};
        image.data = {1, 2, 3, 4};
        image.bss_size = 4096;
        REQUIRE(k.exec_image(p, "/bin/mem", image));
        std::uint64_t const bss = MmStruct::kTextBase + 3 * kPageSize;
        std::uint8_t byte = 0;
        next();
        REQUIRE(k.read_memory(p, bss, std::span(&byte, 1))->ok);  // Zero page.
        next();
        std::uint8_t const one = 1;
        REQUIRE(k.write_memory(p, bss, std::span(&one, 1))->ok);  // A fresh frame.
        next();
        pid_t const c = lab.fork(p);                              // mm-copy.
        next();
        REQUIRE(k.write_memory(c, bss, std::span(&one, 1))->ok);  // Copied: p still maps it.
        next();
        REQUIRE(k.write_memory(p, bss, std::span(&one, 1))->ok);  // Reused: only p maps it now.
        next();
        REQUIRE_FALSE(k.write_memory(c, 0, std::span(&one, 1))->ok);  // NULL: SIGSEGV.
        lab.run(c);
        lab.reap(p, c);
        next();
        std::uint64_t const big = k.mmap(p, 0, kSmallMemory * kPageSize, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS).value();
        std::vector<std::uint8_t> ones(kSmallMemory * kPageSize, 1);
        REQUIRE_FALSE(k.write_memory(p, big, ones)->ok);          // oom-kill.
        lab.run(p);
        lab.reap(lab.main, p);
        lab.check();
    }
};

}  // namespace

TEST_CASE("a scenario produces every kind of event, each explained and naming its pids")
{
    Everything s;
    std::set<EventKind> seen;
    for (Event const& e : s.k.events().all()) {
        seen.insert(e.kind);
        std::string const text = explain(e);
        INFO("event " << event_kind_name(e.kind) << " aux " << int(e.aux) << " pid " << e.pid << " other " << e.other
                      << " value " << e.value << ": " << text);
        CHECK_FALSE(text.empty());
        CHECK(contains(text, "pid " + std::to_string(e.pid)));
        for (long long p : pids_involved(e))
            CHECK_MESSAGE(names_number(text, p), "does not name " << p);
    }
    for (int i = 0; i < kEventKinds; ++i) {
        INFO("event kind " << event_kind_name(EventKind(i)));
        CHECK(seen.count(EventKind(i)) == 1);
    }
}

TEST_CASE("explanations name the rule")
{
    Everything s;
    Kernel const& k = s.k;

    SUBCASE("fork: the child gets a copy, and fork returns twice")
    {
        auto const forks = events_of(k, EventKind::Fork);
        bool found = false;
        for (Event const& e : forks) {
            if (ForkKind(e.aux) != ForkKind::Fork)
                continue;
            found = true;
            std::string const text = explain(e);
            INFO(text);
            CHECK(contains(text, "copy"));
            // Returns twice: the child's pid in the parent, 0 in the child.
            CHECK(contains(text, "returns " + std::to_string(e.other) + " in the parent"));
            CHECK(contains(text, "0 in the child"));
        }
        CHECK(found);
    }
    SUBCASE("vfork and threads say what they share")
    {
        for (Event const& e : events_of(k, EventKind::Fork)) {
            std::string const text = explain(e);
            INFO(text);
            if (ForkKind(e.aux) == ForkKind::Vfork) {
                CHECK(contains(text, "vfork"));
                CHECK(contains(text, "exec or _exit"));
            }
            if (ForkKind(e.aux) == ForkKind::Thread)
                CHECK(contains(text, "CLONE_THREAD"));
        }
    }
    SUBCASE("reparent names init or the subreaper")
    {
        std::map<ReparentReason, int> reasons;
        for (Event const& e : events_of(k, EventKind::Reparent)) {
            std::string const text = explain(e);
            INFO(text);
            ++reasons[ReparentReason(e.aux)];
            switch (ReparentReason(e.aux)) {
            case ReparentReason::Init:
                CHECK(e.value == 1);
                CHECK(contains(text, "init (pid 1)"));
                break;
            case ReparentReason::Subreaper:
                CHECK(e.value == s.pids["main"]);
                CHECK(contains(text, "subreaper"));
                CHECK(contains(text, "pid " + std::to_string(e.value)));
                break;
            case ReparentReason::Thread:
                CHECK(e.value == s.pids["thread"]);
                CHECK(contains(text, "thread"));
                break;
            case ReparentReason::NamespaceInit:
                CHECK(e.value == s.pids["namespace init"]);
                CHECK(contains(text, "init of its pid namespace"));
                break;
            }
        }
        CHECK(reasons[ReparentReason::Init] >= 1);
        CHECK(reasons[ReparentReason::Subreaper] >= 1);
        CHECK(reasons[ReparentReason::Thread] >= 1);
        CHECK(reasons[ReparentReason::NamespaceInit] >= 1);
    }
    SUBCASE("ForkFailed names EAGAIN and RLIMIT_NPROC")
    {
        auto const failed = events_of(k, EventKind::ForkFailed);
        REQUIRE(failed.size() == 1);
        std::string const text = explain(failed[0]);
        INFO(text);
        CHECK(ForkFailure(failed[0].aux) == ForkFailure::Nproc);
        CHECK(failed[0].pid == s.pids["main"]);
        CHECK(contains(text, "EAGAIN"));
        CHECK(contains(text, "RLIMIT_NPROC"));
    }
    SUBCASE("the exit of a zombie says it waits for its parent")
    {
        bool found = false;
        for (Event const& e : events_of(k, EventKind::Exit)) {
            if (ExitFate(e.aux) != ExitFate::Zombie || e.pid != s.pids["child"])
                continue;
            found = true;
            std::string const text = explain(e);
            INFO(text);
            CHECK(e.other == s.pids["main"]);
            CHECK(contains(text, "zombie"));
            CHECK(contains(text, "parent pid " + std::to_string(s.pids["main"])));
            CHECK(contains(text, "waits for it"));
            CHECK(contains(text, "exit status 5"));
        }
        CHECK(found);
    }
    SUBCASE("every exit fate and every reap kind is explained by its rule")
    {
        std::map<ExitFate, std::string> fates;
        for (Event const& e : events_of(k, EventKind::Exit))
            fates.emplace(ExitFate(e.aux), explain(e));
        REQUIRE(fates.size() == 5);
        CHECK(contains(fates[ExitFate::Autoreaped], "ignores SIGCHLD"));
        CHECK(contains(fates[ExitFate::ReapedByInit], "init"));
        CHECK(contains(fates[ExitFate::ThreadReleased], "thread"));
        CHECK(contains(fates[ExitFate::Delayed], "other threads exit"));
        std::map<ReapKind, std::string> reaps;
        for (Event const& e : events_of(k, EventKind::Reap))
            reaps.emplace(ReapKind(e.aux), explain(e));
        REQUIRE(reaps.size() == 3);
        CHECK(contains(reaps[ReapKind::Wait], "wait()"));
        CHECK(contains(reaps[ReapKind::SigchldIgnored], "ignores SIGCHLD"));
        CHECK(contains(reaps[ReapKind::Init], "init (pid 1)"));
    }
    SUBCASE("SIGCHLD discarded explains the default ignore")
    {
        bool found = false;
        for (Event const& e : events_of(k, EventKind::SignalDiscarded)) {
            if ((e.value & 0xff) != SIGCHLD || e.pid != s.pids["main"])
                continue;
            std::string const text = explain(e);
            if (!contains(text, "default"))
                continue;  // Other discards of SIGCHLD (SIG_IGN) have their own reason.
            found = true;
            INFO(text);
            CHECK(contains(text, "SIGCHLD"));
            CHECK(contains(text, "default action is to ignore"));
        }
        CHECK(found);
    }
    SUBCASE("signals: coalescing, handlers and default actions say what happens")
    {
        auto const coalesced = events_of(k, EventKind::SignalCoalesced);
        REQUIRE_FALSE(coalesced.empty());
        CHECK(contains(explain(coalesced[0]), "do not queue"));
        auto const handled = events_of(k, EventKind::SignalHandled);
        REQUIRE_FALSE(handled.empty());
        CHECK(contains(explain(handled[0]), "SIGUSR1 handler"));
        bool term = false;
        for (Event const& e : events_of(k, EventKind::SignalDefault))
            term |= e.pid == s.pids["signalled"] && contains(explain(e), "SIGTERM") &&
                contains(explain(e), "terminate");
        CHECK(term);
        auto const stops = events_of(k, EventKind::Stopped);
        REQUIRE_FALSE(stops.empty());
        CHECK(contains(explain(stops[0]), "SIGSTOP"));
        CHECK(contains(explain(stops[0]), "WUNTRACED"));
        auto const conts = events_of(k, EventKind::Continued);
        REQUIRE_FALSE(conts.empty());
        CHECK(contains(explain(conts[0]), "WCONTINUED"));
    }
}

TEST_CASE("events are stamped with the step, in order, and the log only grows")
{
    Lab lab;
    Kernel& k = lab.k;
    std::vector<Event> copy(k.events().all().begin(), k.events().all().end());
    for (Event const& e : copy)
        CHECK(e.step == 0);  // Boot: nothing has set a step yet.

    pid_t const m = lab.main;
    std::vector<pid_t> kids;
    for (std::uint64_t step = 1; step <= 40; ++step) {
        k.set_step(step * 10);
        CHECK(k.step() == step * 10);
        std::size_t const before = k.events().size();
        switch (step % 4) {
        case 0: kids.push_back(lab.fork(m)); break;
        case 1:
            if (!kids.empty()) {
                lab.exit(kids.back(), int(step));
                kids.pop_back();
            }
            break;
        case 2: (void)k.wait4(m, -1, WNOHANG); break;
        default: lab.kill(m, m, SIGCHLD); break;
        }
        auto const all = k.events().all();
        REQUIRE(all.size() >= before);
        // Old events are unchanged, new ones carry this step.
        REQUIRE(copy.size() == before);
        for (std::size_t i = 0; i < before; ++i) {
            CHECK(all[i].step == copy[i].step);
            CHECK(all[i].kind == copy[i].kind);
            CHECK(all[i].pid == copy[i].pid);
            CHECK(all[i].other == copy[i].other);
            CHECK(all[i].value == copy[i].value);
            CHECK(all[i].aux == copy[i].aux);
        }
        for (std::size_t i = before; i < all.size(); ++i)
            CHECK(all[i].step == step * 10);
        auto const fresh = k.events().since(before);
        CHECK(fresh.size() == all.size() - before);
        copy.assign(all.begin(), all.end());
    }
    // Steps never go down along the log.
    auto const all = k.events().all();
    for (std::size_t i = 1; i < all.size(); ++i)
        CHECK(all[i - 1].step <= all[i].step);
    CHECK(k.events().since(all.size() + 100).empty());
    CHECK(k.events().since(all.size()).empty());
}

TEST_CASE("event_kind_name gives a distinct name for every kind")
{
    std::set<std::string_view> names;
    for (int i = 0; i < kEventKinds; ++i) {
        std::string_view const name = event_kind_name(EventKind(i));
        INFO("kind " << i);
        CHECK_FALSE(name.empty());
        CHECK(name != "?");
        CHECK(names.insert(name).second);
    }
    CHECK(names.size() == std::size_t(kEventKinds));
    CHECK(event_kind_name(EventKind(kEventKinds)) == "?");  // Past the last kind.
}

// ---------------------------------------------------------------------------------------------
// The process tree.

namespace {

// A family with threads, zombies, an orphan and a thread's child.
struct Family {
    Lab lab;
    Kernel& k = lab.k;
    pid_t m = lab.main, a = 0, b = 0, zombie = 0, t1 = 0, t2 = 0, tchild = 0, orphan = 0;

    Family()
    {
        a = lab.fork(m);
        b = lab.fork(m);
        zombie = lab.fork(a);
        lab.exit(zombie, 3);
        t1 = *k.clone(b, CloneArgs{kThreadFlags, 0});
        t2 = *k.clone(b, CloneArgs{kThreadFlags, 0});
        tchild = lab.fork(t1);  // The child of a thread: its parent process is b.
        pid_t const gone = lab.fork(b);
        orphan = lab.fork(gone);
        lab.exit(gone, 0);  // orphan goes to init.
        lab.reap(b, gone);
        lab.check();
    }

    int processes() const
    {
        int n = 0;
        for (Task const& t : k.tasks())
            n += t.is_thread_group_leader();
        return n;
    }
};

std::string dot_of(ProcessGraph const& g)
{
    std::ostringstream out;
    write_process_tree_dot(out, g);
    return out.str();
}

}  // namespace

TEST_CASE("process_tree: one vertex per process, edges parent to child, zombies marked")
{
    Family f;
    ProcessGraph const g = process_tree(f.k);
    REQUIRE(int(boost::num_vertices(g)) == f.processes());
    CHECK(boost::num_vertices(g) == 7);  // init, main, a, b, zombie, tchild, orphan.

    std::map<pid_t, ProcessGraph::vertex_descriptor> by_pid;
    for (auto v : boost::make_iterator_range(boost::vertices(g))) {
        ProcessVertex const& p = g[v];
        CHECK(by_pid.emplace(p.pid, v).second);  // No process twice.
        Task const* t = f.k.find_task(p.pid);
        REQUIRE(t);
        CHECK(t->is_thread_group_leader());
        CHECK(p.state == t->state);
        CHECK(p.uid == t->cred.uid);
        CHECK(p.name == std::string(t->name()));
        CHECK(p.threads == t->signal->nr_threads);
        CHECK(p.ppid == (t->real_parent ? t->real_parent->tgid : 0));
    }
    // Threads are not vertices; they are counted in their process.
    CHECK(by_pid.count(f.t1) == 0);
    CHECK(by_pid.count(f.t2) == 0);
    CHECK(g[by_pid.at(f.b)].threads == 3);
    // Zombies are marked.
    CHECK(g[by_pid.at(f.zombie)].state == TaskState::Zombie);
    CHECK(g[by_pid.at(f.a)].state == TaskState::Runnable);

    // Edges: exactly one from each parent process to each child process.
    std::set<std::pair<pid_t, pid_t>> edges;
    for (auto e : boost::make_iterator_range(boost::edges(g))) {
        pid_t const from = g[boost::source(e, g)].pid, to = g[boost::target(e, g)].pid;
        CHECK(edges.emplace(from, to).second);
        CHECK(g[boost::target(e, g)].ppid == from);
    }
    std::set<std::pair<pid_t, pid_t>> const want = {
        {1, f.m}, {f.m, f.a}, {f.m, f.b}, {f.a, f.zombie}, {f.b, f.tchild}, {1, f.orphan}};
    CHECK(edges == want);
    CHECK(boost::num_edges(g) == boost::num_vertices(g) - 1);  // A tree rooted at init.
    // Init has no parent.
    CHECK(g[by_pid.at(1)].ppid == 0);
}

TEST_CASE("write_process_tree_dot: a digraph, a node per process with its pid, an edge per parent and child")
{
    Family f;
    ProcessGraph const g = process_tree(f.k);
    std::string const dot = dot_of(g);
    INFO(dot);
    CHECK(dot.rfind("digraph", 0) == 0);
    CHECK(contains(dot, "{"));
    CHECK(dot.find_last_of('}') != std::string::npos);

    // Boost's write_graphviz names nodes by vertex index: `3[label="7 init\nrunnable",...];` and
    // edges by index too: `0->1 ;`. Map the indices back to pids through the labels.
    std::map<std::string, pid_t> node_pid;
    std::regex const node_re(R"re((?:^|\n)(\d+)\[label="(\d+) ([^"\\]*)\\n([a-z]+)([^"]*)"([^\]]*)\];)re");
    int zombies_styled = 0;
    for (std::sregex_iterator it(dot.begin(), dot.end(), node_re), end; it != end; ++it) {
        auto const& m = *it;
        pid_t const pid = std::stoi(m[2].str());
        CHECK(node_pid.emplace(m[1].str(), pid).second);
        Task const* t = f.k.find_task(pid);
        REQUIRE(t);
        CHECK(m[3].str() == std::string(t->name()));
        CHECK(m[4].str() == std::string(task_state_name(t->state)));
        bool const dashed = contains(m[6].str(), "style=dashed");
        CHECK(dashed == t->is_zombie());
        zombies_styled += dashed;
        if (pid == f.b)
            CHECK(contains(m[5].str(), "3 threads"));
    }
    CHECK(int(node_pid.size()) == f.processes());
    CHECK(zombies_styled == 1);

    std::set<std::pair<pid_t, pid_t>> edges;
    std::regex const edge_re(R"((?:^|\n)(\d+)->(\d+) *;)");
    for (std::sregex_iterator it(dot.begin(), dot.end(), edge_re), end; it != end; ++it) {
        auto const& m = *it;
        REQUIRE(node_pid.count(m[1].str()));
        REQUIRE(node_pid.count(m[2].str()));
        CHECK(edges.emplace(node_pid.at(m[1].str()), node_pid.at(m[2].str())).second);
    }
    std::set<std::pair<pid_t, pid_t>> const want = {
        {1, f.m}, {f.m, f.a}, {f.m, f.b}, {f.a, f.zombie}, {f.b, f.tchild}, {1, f.orphan}};
    CHECK(edges == want);
}

TEST_CASE("the tree follows the kernel: reparenting and reaping move and remove vertices")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const a = lab.fork(m);
    pid_t const b = lab.fork(a);
    auto parent_of = [&](pid_t pid) -> pid_t {
        ProcessGraph const g = process_tree(lab.k);
        for (auto e : boost::make_iterator_range(boost::edges(g)))
            if (g[boost::target(e, g)].pid == pid)
                return g[boost::source(e, g)].pid;
        return -1;
    };
    CHECK(parent_of(b) == a);
    lab.exit(a, 0);
    CHECK(parent_of(b) == 1);  // Reparented to init.
    CHECK(parent_of(a) == m);  // A zombie until main waits.
    lab.reap(m, a);
    CHECK(parent_of(a) == -1);
    ProcessGraph const g = process_tree(lab.k);
    CHECK(boost::num_vertices(g) == 3);  // init, main, b.
    // A fresh kernel: init alone, and a digraph with no edge.
    Kernel const fresh;
    ProcessGraph const only_init = process_tree(fresh);
    CHECK(boost::num_vertices(only_init) == 1);
    CHECK(boost::num_edges(only_init) == 0);
    std::string const dot = dot_of(only_init);
    CHECK(contains(dot, "digraph"));
    CHECK(contains(dot, "label=\"1 init"));
    CHECK_FALSE(contains(dot, "->"));
}

}  // namespace forklab::test
