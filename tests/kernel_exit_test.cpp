// Process death and wait: exit(2), _exit(2), wait4(2)/waitpid(2), reparenting, SIGCHLD,
// PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, threads, pid namespaces and orphaned process groups.
// The reference is Linux (kernel/exit.c) and the wait(2), fork(2), prctl(2) man pages.
#include "support/lab.h"

#include <climits>
#include <cstdint>
#include <optional>
#include <sys/wait.h>
#include <type_traits>
#include <vector>

using namespace forklab;
using namespace forklab::test;

namespace {

constexpr std::uint64_t kHandler = 0x401000;  // A handler's address in the simulated program.
constexpr std::uint64_t kThreadFlags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;  // pthread_create
constexpr pid_t kAny = -1;

using Kind = WaitResult::Kind;

// A system call that must succeed; invariants are checked after it.
template<typename T>
T ok(Lab& lab, ErrorOr<T> r)
{
    REQUIRE_MESSAGE(r.has_value(), "unexpected " << errno_name(r.error()));
    lab.check();
    if constexpr (!std::is_void_v<T>)
        return *r;
}

// A system call that must fail: its errno (0 if it succeeded); invariants are checked after it.
template<typename T>
int fails(Lab& lab, ErrorOr<T> const& r)
{
    lab.check();
    return r ? 0 : r.error().code();
}

pid_t new_thread(Lab& lab, pid_t creator)
{
    return ok(lab, lab.k.clone(creator, CloneArgs{kThreadFlags, 0}));
}

void exit_thread(Lab& lab, pid_t tid, int code = 0) { ok(lab, lab.k.exit_thread(tid, code)); }

// The root-namespace pid of the task forked last (fork returns the pid in the parent's namespace).
pid_t last_forked(Lab const& lab)
{
    auto const all = lab.k.events().all();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->kind == EventKind::Fork)
            return it->other;
    FAIL("no fork in the event log");
    return 0;
}

// Position of the first event of `kind` about `pid` (and `other`, unless kAny) at or after
// `since`; -1 when there is none.
long find_event(Lab const& lab, EventKind kind, pid_t pid, pid_t other = kAny, std::size_t since = 0)
{
    auto const& log = lab.k.events();
    for (std::size_t i = since; i < log.size(); ++i)
        if (log[i].kind == kind && log[i].pid == pid && (other == kAny || log[i].other == other))
            return long(i);
    return -1;
}

Event const& event_at(Lab const& lab, long i)
{
    REQUIRE(i >= 0);
    return lab.k.events()[std::size_t(i)];
}

// Is there a signal event (sent/discarded/coalesced) of `sig` to `pid` for `why` since `since`?
bool signal_event(Lab const& lab, EventKind kind, pid_t pid, int sig, SignalReason why, std::size_t since = 0)
{
    for (Event const& e : lab.k.events().since(since))
        if (e.kind == kind && e.pid == pid && (e.value & 0xff) == sig && e.aux == std::uint8_t(why))
            return true;
    return false;
}

// Any SIGCHLD-for-exit notification (sent, discarded or coalesced) to `parent` about `child`.
bool told_parent(Lab const& lab, pid_t parent, pid_t child, std::size_t since = 0)
{
    for (Event const& e : lab.k.events().since(since))
        if ((e.kind == EventKind::SignalSent || e.kind == EventKind::SignalDiscarded ||
                e.kind == EventKind::SignalCoalesced) &&
            e.pid == parent && e.other == child && e.aux == std::uint8_t(SignalReason::ChildExited))
            return true;
    return false;
}

bool has_child(Lab const& lab, pid_t parent, pid_t child)
{
    for (Task const& c : lab.task(parent).children)
        if (c.pid == child)
            return true;
    return false;
}

SigSet shared_pending(Lab const& lab, pid_t pid) { return lab.task(pid).signal->shared_pending; }

void set_rlimit(Lab& lab, pid_t pid, int resource, std::uint64_t soft)
{
    ok(lab, lab.k.prlimit(pid, 0, resource, Rlimit{soft, kRlimInfinity}));
}

}  // namespace

// --- exit(2) and the exit status ---------------------------------------------------------------

TEST_CASE("exit keeps only the low 8 bits of its status, as WEXITSTATUS shows")
{
    Lab lab;
    pid_t const c = lab.fork(lab.main);
    int code = 0, want = 0;
    SUBCASE("exit(3)") { code = 3; want = 3; }
    SUBCASE("exit(0)") { code = 0; want = 0; }
    SUBCASE("exit(256) is 0") { code = 256; want = 0; }
    SUBCASE("exit(-1) is 255") { code = -1; want = 255; }
    SUBCASE("exit(511) is 255") { code = 511; want = 255; }
    lab.exit(c, code);
    WaitResult const w = lab.reap(lab.main, c);
    CHECK(w.pid == c);
    CHECK(w.status == want << 8);  // Linux: (code & 0xff) << 8.
    CHECK(WIFEXITED(w.status));
    CHECK_FALSE(WIFSIGNALED(w.status));
    CHECK_FALSE(WIFSTOPPED(w.status));
    CHECK(WEXITSTATUS(w.status) == want);
}

TEST_CASE("exit(3) gives the raw wait status 0x300, whether by exit_group or by the only thread's exit")
{
    Lab lab;
    pid_t const c = lab.fork(lab.main);
    SUBCASE("exit_group") { lab.exit(c, 3); }
    SUBCASE("exit of the only thread") { exit_thread(lab, c, 3); }
    CHECK(lab.task(c).exit_code == 0x300);
    long const e = find_event(lab, EventKind::Exit, c);
    CHECK(event_at(lab, e).value == 0x300);
    CHECK(event_at(lab, e).other == lab.main);
    CHECK(lab.reap(lab.main, c).status == 0x300);
}

// --- Zombies -----------------------------------------------------------------------------------

TEST_CASE("an exited child stays a zombie, holding its pid, until its parent waits for it")
{
    Lab lab;
    pid_t const c = lab.fork(lab.main);
    int const nproc = lab.k.nr_processes_of(Lab::kStudent);
    std::size_t const tasks = lab.k.nr_tasks();
    lab.exit(c, 7);

    CHECK(lab.task(c).state == TaskState::Zombie);
    CHECK(has_child(lab, lab.main, c));
    CHECK(lab.k.root_pid_ns().find(c) != nullptr);          // The number is still taken.
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == nproc);   // RLIMIT_NPROC counts zombies.
    CHECK(lab.k.nr_tasks() == tasks);
    long const e = find_event(lab, EventKind::Exit, c);
    CHECK(event_at(lab, e).aux == std::uint8_t(ExitFate::Zombie));
    CHECK(event_at(lab, e).other == lab.main);
    // kill(2) still finds a zombie: signal 0 succeeds.
    CHECK(fails(lab, lab.k.kill(lab.main, c, 0)) == 0);

    WaitResult const w = lab.reap(lab.main, c);
    CHECK(w.pid == c);
    CHECK(w.status == 0x700);
    long const r = find_event(lab, EventKind::Reap, lab.main, c);
    CHECK(event_at(lab, r).aux == std::uint8_t(ReapKind::Wait));
    CHECK(event_at(lab, r).value == 0x700);
    CHECK_FALSE(lab.exists(c));
    CHECK_FALSE(has_child(lab, lab.main, c));
    CHECK(lab.k.root_pid_ns().find(c) == nullptr);  // The pid is free again.
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == nproc - 1);
    CHECK(lab.k.nr_tasks() == tasks - 1);
    CHECK(fails(lab, lab.k.kill(lab.main, c, 0)) == ESRCH);
}

TEST_CASE("a reaped process group leader's pid stays allocated while its group still uses the number")
{
    Lab lab;
    pid_t const p = lab.fork(lab.main);
    ok(lab, lab.k.setpgid(p, 0, 0));
    pid_t const c = lab.fork(p);
    CHECK(ok(lab, lab.k.getpgid(c, 0)) == p);
    lab.exit(p);
    lab.reap(lab.main, p);
    CHECK_FALSE(lab.exists(p));
    CHECK(lab.k.root_pid_ns().find(p) != nullptr);  // Linux: the struct pid lives while a group uses it.
    CHECK(ok(lab, lab.k.getpgid(c, 0)) == p);
    lab.exit(c);  // Reaped by init: the group is empty now.
    CHECK(lab.k.root_pid_ns().find(p) == nullptr);
}

// --- SIGCHLD -----------------------------------------------------------------------------------

TEST_CASE("a child's exit sends SIGCHLD to its parent")
{
    Lab lab;
    pid_t const c = lab.fork(lab.main);
    std::size_t const mark = lab.k.events().size();

    SUBCASE("with the default disposition SIGCHLD is discarded, since its default is to ignore")
    {
        lab.exit(c);
        CHECK(signal_event(lab, EventKind::SignalDiscarded, lab.main, SIGCHLD, SignalReason::ChildExited, mark));
        CHECK((shared_pending(lab, lab.main) & sigbit(SIGCHLD)) == 0);
        CHECK(lab.task(c).is_zombie());
    }
    SUBCASE("a blocked SIGCHLD stays pending (a blocked signal is never discarded)")
    {
        ok(lab, lab.k.sigprocmask(lab.main, SIG_BLOCK, sigbit(SIGCHLD)));
        lab.exit(c);
        CHECK(signal_event(lab, EventKind::SignalSent, lab.main, SIGCHLD, SignalReason::ChildExited, mark));
        CHECK(find_event(lab, EventKind::SignalSent, lab.main, c, mark) >= 0);  // Names the child.
        CHECK((ok(lab, lab.k.sigpending(lab.main)) & sigbit(SIGCHLD)) != 0);
        CHECK(lab.task(c).is_zombie());
    }
    SUBCASE("with a handler SIGCHLD is pending for the process and delivered when it runs")
    {
        ok(lab, lab.k.sigaction(lab.main, SIGCHLD, SigAction{kHandler, 0, 0}));
        lab.exit(c);
        CHECK(signal_event(lab, EventKind::SignalSent, lab.main, SIGCHLD, SignalReason::ChildExited, mark));
        CHECK((shared_pending(lab, lab.main) & sigbit(SIGCHLD)) != 0);
        auto const d = lab.run(lab.main);
        REQUIRE(d.has_value());
        CHECK(d->sig == SIGCHLD);
        CHECK(d->action.handler == kHandler);
        CHECK(lab.task(c).is_zombie());  // A handler does not reap: wait() still must.
        ok(lab, lab.k.sigreturn(lab.main, d->saved_mask));
        CHECK(lab.reap(lab.main, c).pid == c);
    }
}

// --- Reparenting -------------------------------------------------------------------------------

TEST_CASE("orphans are adopted by init, which reaps them as soon as they exit")
{
    Lab lab;
    pid_t const p = lab.fork(lab.main);
    pid_t const c = lab.fork(p);
    std::size_t const mark = lab.k.events().size();
    lab.exit(p);

    CHECK(lab.task(c).real_parent->pid == 1);
    CHECK(ok(lab, lab.k.getppid(c)) == 1);
    CHECK(has_child(lab, 1, c));
    long const rp = find_event(lab, EventKind::Reparent, c, p, mark);
    CHECK(event_at(lab, rp).value == 1);
    CHECK(event_at(lab, rp).aux == std::uint8_t(ReparentReason::Init));
    // The exit is logged before the adoption.
    CHECK(find_event(lab, EventKind::Exit, p, kAny, mark) < rp);

    lab.exit(c, 5);
    long const e = find_event(lab, EventKind::Exit, c);
    CHECK(event_at(lab, e).aux == std::uint8_t(ExitFate::ReapedByInit));
    long const r = find_event(lab, EventKind::Reap, 1, c);
    CHECK(event_at(lab, r).aux == std::uint8_t(ReapKind::Init));
    CHECK(event_at(lab, r).value == 0x500);
    CHECK_FALSE(lab.exists(c));
    CHECK(lab.task(p).is_zombie());  // p's own parent has not waited yet.
    lab.reap(lab.main, p);
}

TEST_CASE("an orphan that is already a zombie is reaped by init at once")
{
    Lab lab;
    pid_t const p = lab.fork(lab.main);
    pid_t const c = lab.fork(p);
    lab.exit(c, 9);
    CHECK(lab.task(c).is_zombie());
    lab.exit(p);
    CHECK_FALSE(lab.exists(c));
    long const r = find_event(lab, EventKind::Reap, 1, c);
    CHECK(event_at(lab, r).aux == std::uint8_t(ReapKind::Init));
    CHECK(event_at(lab, r).value == 0x900);
    CHECK(find_event(lab, EventKind::Reparent, c, p) < r);
}

TEST_CASE("a child subreaper adopts the orphans of its descendants instead of init")
{
    Lab lab;
    pid_t const m = lab.main;

    SUBCASE("its grandchild")
    {
        CHECK(ok(lab, lab.k.prctl(m, PR_SET_CHILD_SUBREAPER, 1)) == 0);
        CHECK(ok(lab, lab.k.prctl(m, PR_GET_CHILD_SUBREAPER)) == 1);
        pid_t const p = lab.fork(m);
        pid_t const c = lab.fork(p);
        lab.exit(p);
        CHECK(lab.task(c).real_parent->pid == m);
        CHECK(ok(lab, lab.k.getppid(c)) == m);
        long const rp = find_event(lab, EventKind::Reparent, c, p);
        CHECK(event_at(lab, rp).aux == std::uint8_t(ReparentReason::Subreaper));
        CHECK(event_at(lab, rp).value == m);
        // A subreaper is no init: the adopted child becomes its zombie, to be waited for.
        lab.exit(c, 4);
        CHECK(lab.task(c).is_zombie());
        CHECK(lab.reap(m, c).status == 0x400);
        lab.reap(m, p);
    }
    SUBCASE("a descendant further down, past ancestors that are not subreapers")
    {
        ok(lab, lab.k.prctl(m, PR_SET_CHILD_SUBREAPER, 1));
        pid_t const g = lab.fork(m);
        pid_t const p = lab.fork(g);
        pid_t const c = lab.fork(p);
        lab.exit(p);
        CHECK(lab.task(c).real_parent->pid == m);  // Not g, which is no subreaper.
        CHECK(has_child(lab, m, c));
    }
    SUBCASE("descendants that existed before PR_SET_CHILD_SUBREAPER")
    {
        pid_t const p = lab.fork(m);
        pid_t const c = lab.fork(p);
        ok(lab, lab.k.prctl(m, PR_SET_CHILD_SUBREAPER, 1));
        lab.exit(p);
        CHECK(lab.task(c).real_parent->pid == m);
    }
    SUBCASE("the nearest subreaper wins, and one that has exited is skipped")
    {
        ok(lab, lab.k.prctl(m, PR_SET_CHILD_SUBREAPER, 1));
        pid_t const s = lab.fork(m);
        ok(lab, lab.k.prctl(s, PR_SET_CHILD_SUBREAPER, 1));
        pid_t const p = lab.fork(s);
        pid_t const c = lab.fork(p);
        pid_t const d = lab.fork(c);
        lab.exit(p);
        CHECK(lab.task(c).real_parent->pid == s);
        lab.exit(s);  // s exits: its adopted child c moves up to m.
        CHECK(lab.task(c).real_parent->pid == m);
        lab.exit(c);
        CHECK(lab.task(d).real_parent->pid == m);  // s is gone; m is the nearest subreaper now.
    }
    SUBCASE("PR_SET_CHILD_SUBREAPER 0 makes it an ordinary process again")
    {
        ok(lab, lab.k.prctl(m, PR_SET_CHILD_SUBREAPER, 1));
        pid_t const p = lab.fork(m);
        pid_t const c = lab.fork(p);
        ok(lab, lab.k.prctl(m, PR_SET_CHILD_SUBREAPER, 0));
        CHECK(ok(lab, lab.k.prctl(m, PR_GET_CHILD_SUBREAPER)) == 0);
        lab.exit(p);
        CHECK(lab.task(c).real_parent->pid == 1);
    }
    SUBCASE("an orphan that is already a zombie is left for the subreaper to wait for")
    {
        ok(lab, lab.k.prctl(m, PR_SET_CHILD_SUBREAPER, 1));
        pid_t const p = lab.fork(m);
        pid_t const c = lab.fork(p);
        lab.exit(c, 6);
        std::size_t const mark = lab.k.events().size();
        lab.exit(p);
        REQUIRE(lab.exists(c));
        CHECK(lab.task(c).is_zombie());
        CHECK(lab.task(c).real_parent->pid == m);
        CHECK(told_parent(lab, m, c, mark));  // reparent_leader() announces the zombie.
        CHECK(find_event(lab, EventKind::Reap, 1, c) == -1);
        WaitResult const w = lab.reap(m, c);
        CHECK(w.pid == c);
        CHECK(w.status == 0x600);
    }
}

TEST_CASE("a subreaper adopts orphans descended from children that another of its threads created")
{
    // Linux: walk_process_tree() marks the children of every thread as having a subreaper.
    // Checked on Linux 6.18: the grandchild's getppid() is the subreaper's pid.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const t = new_thread(lab, m);
    pid_t const c = lab.fork(t);
    pid_t const d = lab.fork(c);
    SUBCASE("set by the creating thread") { ok(lab, lab.k.prctl(t, PR_SET_CHILD_SUBREAPER, 1)); }
    SUBCASE("set by the leader") { ok(lab, lab.k.prctl(m, PR_SET_CHILD_SUBREAPER, 1)); }
    lab.exit(c);
    CHECK(lab.task(d).real_parent->tgid == m);
    CHECK(ok(lab, lab.k.getppid(d)) == m);
}

// --- PR_SET_PDEATHSIG --------------------------------------------------------------------------

TEST_CASE("PR_SET_PDEATHSIG sends its signal to a child when its parent exits")
{
    Lab lab;
    pid_t const p = lab.fork(lab.main);
    pid_t const c = lab.fork(p);
    pid_t const quiet = lab.fork(p);
    CHECK(ok(lab, lab.k.prctl(c, PR_SET_PDEATHSIG, SIGUSR1)) == 0);
    CHECK(ok(lab, lab.k.prctl(c, PR_GET_PDEATHSIG)) == SIGUSR1);
    std::size_t const mark = lab.k.events().size();
    lab.exit(p);

    long const s = find_event(lab, EventKind::SignalSent, c, p, mark);
    CHECK(event_at(lab, s).value == SIGUSR1);
    CHECK(event_at(lab, s).aux == std::uint8_t(SignalReason::ParentDeath));
    CHECK(find_event(lab, EventKind::Reparent, c, p, mark) < s);  // Sent while reparenting.
    CHECK((shared_pending(lab, c) & sigbit(SIGUSR1)) != 0);
    CHECK(shared_pending(lab, quiet) == 0);  // Only a child that asked gets one.
    lab.run(c);  // SIGUSR1's default action terminates.
    CHECK_FALSE(lab.exists(c));
    long const r = find_event(lab, EventKind::Reap, 1, c);
    CHECK(event_at(lab, r).value == SIGUSR1);
    CHECK(lab.exists(quiet));
}

TEST_CASE("PR_SET_PDEATHSIG fires when the thread that created the child exits, though its process lives on")
{
    // prctl(2): "the parent" is the thread that created the child, not the process.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const t = new_thread(lab, m);
    pid_t const c = lab.fork(t);
    CHECK(lab.task(c).real_parent->pid == t);
    CHECK(ok(lab, lab.k.getppid(c)) == m);  // getppid() names the process.
    ok(lab, lab.k.prctl(c, PR_SET_PDEATHSIG, SIGTERM));
    std::size_t const mark = lab.k.events().size();
    exit_thread(lab, t);

    CHECK_FALSE(lab.exists(t));
    CHECK(lab.task(m).state == TaskState::Runnable);
    CHECK(lab.task(c).real_parent->pid == m);  // Adopted by another thread of the same process.
    CHECK(ok(lab, lab.k.getppid(c)) == m);
    long const rp = find_event(lab, EventKind::Reparent, c, t, mark);
    CHECK(event_at(lab, rp).aux == std::uint8_t(ReparentReason::Thread));
    CHECK(signal_event(lab, EventKind::SignalSent, c, SIGTERM, SignalReason::ParentDeath, mark));
    CHECK((shared_pending(lab, c) & sigbit(SIGTERM)) != 0);
}

// --- SIGCHLD ignored and SA_NOCLDWAIT -----------------------------------------------------------

TEST_CASE("with SIGCHLD set to SIG_IGN children leave no zombie, and wait blocks until all are gone, then ECHILD")
{
    // POSIX / wait(2) NOTES: the children are reaped at once, and wait() blocks until every
    // child has terminated, then fails with ECHILD.
    Lab lab;
    pid_t const m = lab.main;
    ok(lab, lab.k.sigaction(m, SIGCHLD, SigAction{kSigIgn, 0, 0}));
    pid_t const a = lab.fork(m);
    pid_t const b = lab.fork(m);
    lab.k.find_task_mut(a)->rusage.utime_ns = 3'000'000;

    CHECK(lab.wait(m).kind == Kind::Sleeping);
    CHECK(lab.task(m).state == TaskState::Blocked);
    std::size_t const mark = lab.k.events().size();
    lab.exit(a, 1);
    CHECK_FALSE(lab.exists(a));
    CHECK(event_at(lab, find_event(lab, EventKind::Exit, a)).aux == std::uint8_t(ExitFate::Autoreaped));
    long const r = find_event(lab, EventKind::Reap, m, a);
    CHECK(event_at(lab, r).aux == std::uint8_t(ReapKind::SigchldIgnored));
    CHECK_FALSE(told_parent(lab, m, a, mark));  // An ignored SIGCHLD is not even generated.
    CHECK(lab.task(m).signal->children_usage == Rusage{});  // Never waited for: not counted.
    CHECK(lab.task(m).state == TaskState::Runnable);  // Woken to look again...
    CHECK(lab.wait(m).kind == Kind::Sleeping);        // ...and b still lives.
    lab.exit(b);
    CHECK_FALSE(lab.exists(b));
    CHECK(lab.task(m).state == TaskState::Runnable);
    CHECK(fails(lab, lab.k.wait4(m, -1, 0)) == ECHILD);
    CHECK(lab.task(m).state == TaskState::Runnable);
}

TEST_CASE("SA_NOCLDWAIT with a handler leaves no zombie but still delivers SIGCHLD")
{
    Lab lab;
    pid_t const m = lab.main;
    ok(lab, lab.k.sigaction(m, SIGCHLD, SigAction{kHandler, 0, SA_NOCLDWAIT}));
    pid_t const c = lab.fork(m);
    std::size_t const mark = lab.k.events().size();
    lab.exit(c);
    CHECK_FALSE(lab.exists(c));
    CHECK(event_at(lab, find_event(lab, EventKind::Exit, c)).aux == std::uint8_t(ExitFate::Autoreaped));
    CHECK(event_at(lab, find_event(lab, EventKind::Reap, m, c)).aux == std::uint8_t(ReapKind::SigchldIgnored));
    CHECK(signal_event(lab, EventKind::SignalSent, m, SIGCHLD, SignalReason::ChildExited, mark));
    CHECK((shared_pending(lab, m) & sigbit(SIGCHLD)) != 0);
    CHECK(fails(lab, lab.k.wait4(m, -1, WNOHANG)) == ECHILD);
    auto const d = lab.run(m);
    REQUIRE(d.has_value());
    CHECK(d->sig == SIGCHLD);
}

TEST_CASE("SIGCHLD ignored does not reap a clone child whose exit signal is not SIGCHLD")
{
    // Linux do_notify_parent(): autoreap only when the exit signal is SIGCHLD.
    Lab lab;
    pid_t const m = lab.main;
    ok(lab, lab.k.sigaction(m, SIGCHLD, SigAction{kSigIgn, 0, 0}));
    pid_t const c = ok(lab, lab.k.clone(m, CloneArgs{0, 0}));
    lab.exit(c);
    CHECK(lab.task(c).is_zombie());
    CHECK(lab.reap(m, c, __WCLONE).pid == c);
}

// --- waitpid: which child --------------------------------------------------------------------

TEST_CASE("waitpid selects by pid, any child, the caller's process group or another process group")
{
    Lab lab;
    pid_t const m = lab.main;
    ok(lab, lab.k.setpgid(m, 0, 0));
    pid_t const a = lab.fork(m);  // In m's group.
    pid_t const b = lab.fork(m);
    ok(lab, lab.k.setpgid(m, b, b));  // A parent may move its child before exec.
    REQUIRE(lab.task(a).pgid() == m);
    REQUIRE(lab.task(b).pgid() == b);

    SUBCASE("pid > 0: exactly that child, even if another exited first")
    {
        lab.exit(a);
        lab.exit(b, 2);
        WaitResult const w = lab.reap(m, b);
        CHECK(w.pid == b);
        CHECK(w.status == 0x200);
        CHECK(lab.task(a).is_zombie());
        CHECK(lab.reap(m, a).pid == a);
    }
    SUBCASE("-1: any child")
    {
        lab.exit(b);
        CHECK(lab.reap(m, -1).pid == b);
    }
    SUBCASE("0: only children in the caller's process group")
    {
        lab.exit(b);
        CHECK(lab.wait(m, 0, WNOHANG).kind == Kind::NothingYet);  // b is in another group.
        lab.exit(a);
        CHECK(lab.reap(m, 0).pid == a);
        CHECK(fails(lab, lab.k.wait4(m, 0, WNOHANG)) == ECHILD);
        CHECK(lab.reap(m, -1).pid == b);
    }
    SUBCASE("-pgid: only children in that process group")
    {
        lab.exit(a);
        CHECK(lab.wait(m, -b, WNOHANG).kind == Kind::NothingYet);
        lab.exit(b);
        CHECK(lab.reap(m, -b).pid == b);
        CHECK(fails(lab, lab.k.wait4(m, -b, WNOHANG)) == ECHILD);
        CHECK(lab.reap(m, -m).pid == a);
    }
    SUBCASE("WNOHANG with live children returns 0 at once")
    {
        WaitResult const w = lab.wait(m, -1, WNOHANG);
        CHECK(w.kind == Kind::NothingYet);
        CHECK(w.pid == 0);
        CHECK(lab.task(m).state == TaskState::Runnable);
    }
}

TEST_CASE("WUNTRACED reports a stop once, and WCONTINUED reports a continue once")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const c = lab.fork(m);
    lab.kill(m, c, SIGSTOP);
    lab.run(c);
    REQUIRE(lab.task(c).state == TaskState::Stopped);

    CHECK(lab.wait(m, c, WNOHANG).kind == Kind::NothingYet);  // Without WUNTRACED a stop is no news.
    WaitResult const w = lab.wait(m, c, WUNTRACED | WNOHANG);
    REQUIRE(w.kind == Kind::Reported);
    CHECK(w.pid == c);
    CHECK(w.status == (0x7f | SIGSTOP << 8));
    CHECK(WIFSTOPPED(w.status));
    CHECK(WSTOPSIG(w.status) == SIGSTOP);
    CHECK_FALSE(WIFEXITED(w.status));
    CHECK(find_event(lab, EventKind::WaitReported, m, c) >= 0);
    CHECK(lab.exists(c));  // A stop report reaps nothing.
    CHECK(lab.wait(m, c, WUNTRACED | WNOHANG).kind == Kind::NothingYet);  // Once only.

    lab.kill(m, c, SIGCONT);
    CHECK(lab.task(c).state == TaskState::Runnable);
    CHECK(lab.wait(m, c, WUNTRACED | WNOHANG).kind == Kind::NothingYet);
    WaitResult const k = lab.wait(m, c, WCONTINUED | WNOHANG);
    REQUIRE(k.kind == Kind::Reported);
    CHECK(k.status == 0xffff);
    CHECK(WIFCONTINUED(k.status));
    CHECK(lab.wait(m, c, WCONTINUED | WNOHANG).kind == Kind::NothingYet);

    lab.exit(c);
    CHECK(lab.reap(m, c, WUNTRACED | WCONTINUED).status == 0);
}

TEST_CASE("a parent sleeping in wait(WUNTRACED) is woken by its child's stop and then reports it")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const c = lab.fork(m);
    CHECK(lab.wait(m, c, WUNTRACED).kind == Kind::Sleeping);
    lab.kill(1, c, SIGSTOP);
    lab.run(c);
    CHECK(lab.task(m).state == TaskState::Runnable);
    WaitResult const w = lab.reap(m, c, WUNTRACED);
    CHECK(WSTOPSIG(w.status) == SIGSTOP);
}

TEST_CASE("a child killed by a signal reports its number, with the core flag only when a core is dumped")
{
    // wait(2): WIFSIGNALED, WTERMSIG, WCOREDUMP. Linux sets 0x80 when the signal's default
    // action is to dump core and RLIMIT_CORE's soft limit allows a core file.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const c = lab.fork(m);
    int sig = 0;
    bool core = false;
    SUBCASE("SIGTERM") { sig = SIGTERM; }
    SUBCASE("SIGKILL") { sig = SIGKILL; }
    SUBCASE("SIGQUIT with RLIMIT_CORE 0") { sig = SIGQUIT; }
    SUBCASE("SIGSEGV with RLIMIT_CORE 0") { sig = SIGSEGV; }
    SUBCASE("SIGQUIT with RLIMIT_CORE > 0")
    {
        set_rlimit(lab, c, RLIMIT_CORE, 1 << 20);
        sig = SIGQUIT;
        core = true;
    }
    SUBCASE("SIGSEGV with RLIMIT_CORE > 0")
    {
        set_rlimit(lab, c, RLIMIT_CORE, kRlimInfinity);
        sig = SIGSEGV;
        core = true;
    }
    SUBCASE("SIGTERM with RLIMIT_CORE > 0: no core, it does not dump one")
    {
        set_rlimit(lab, c, RLIMIT_CORE, kRlimInfinity);
        sig = SIGTERM;
    }
    SUBCASE("SIGQUIT with RLIMIT_CORE > 0 inherited across fork")
    {
        set_rlimit(lab, m, RLIMIT_CORE, 4096);
        pid_t const g = lab.fork(m);
        lab.exit(c);
        lab.reap(m, c);
        lab.kill(m, g, SIGQUIT);
        lab.run(g);
        WaitResult const w = lab.reap(m, g);
        CHECK(w.status == (SIGQUIT | 0x80));
        CHECK(WCOREDUMP(w.status));
        return;
    }
    lab.kill(m, c, sig);
    CHECK(lab.exists(c));  // Nothing happens until the child runs.
    lab.run(c);
    WaitResult const w = lab.reap(m, c);
    CHECK(w.status == (sig | (core ? 0x80 : 0)));
    CHECK(WIFSIGNALED(w.status));
    CHECK_FALSE(WIFEXITED(w.status));
    CHECK(WTERMSIG(w.status) == sig);
    CHECK(bool(WCOREDUMP(w.status)) == core);
    long const d = find_event(lab, EventKind::SignalDefault, c);
    CHECK(event_at(lab, d).value == sig);
    CHECK(event_at(lab, d).aux == std::uint8_t(core));
}

// --- waitpid: errors ---------------------------------------------------------------------------

TEST_CASE("wait fails with ECHILD when the caller has no such child")
{
    Lab lab;
    pid_t const m = lab.main;
    SUBCASE("no children at all")
    {
        CHECK(fails(lab, lab.k.wait4(m, -1, 0)) == ECHILD);
        CHECK(fails(lab, lab.k.wait4(m, -1, WNOHANG)) == ECHILD);
        CHECK(fails(lab, lab.k.wait4(m, 0, 0)) == ECHILD);
        CHECK(lab.task(m).state == TaskState::Runnable);  // ECHILD never sleeps.
    }
    SUBCASE("a grandchild is not a child, even as a zombie")
    {
        pid_t const p = lab.fork(m);
        pid_t const g = lab.fork(p);
        CHECK(fails(lab, lab.k.wait4(m, g, WNOHANG)) == ECHILD);
        lab.exit(g);
        CHECK(fails(lab, lab.k.wait4(m, g, 0)) == ECHILD);
        CHECK(lab.task(g).is_zombie());
        CHECK(lab.reap(p, g).pid == g);
    }
    SUBCASE("a pid that is not the caller's child")
    {
        pid_t const sibling = lab.fork(1);
        lab.fork(m);  // m has a child, just not these.
        CHECK(fails(lab, lab.k.wait4(m, sibling, WNOHANG)) == ECHILD);
        CHECK(fails(lab, lab.k.wait4(m, 1, WNOHANG)) == ECHILD);
        CHECK(fails(lab, lab.k.wait4(m, m, WNOHANG)) == ECHILD);
        CHECK(fails(lab, lab.k.wait4(m, 4242, WNOHANG)) == ECHILD);  // No such pid at all.
        CHECK(fails(lab, lab.k.wait4(m, -4242, WNOHANG)) == ECHILD); // No such group.
    }
    SUBCASE("the same child twice")
    {
        pid_t const c = lab.fork(m);
        lab.exit(c);
        lab.reap(m, c);
        CHECK(fails(lab, lab.k.wait4(m, c, 0)) == ECHILD);
        CHECK(fails(lab, lab.k.wait4(m, -1, 0)) == ECHILD);
    }
}

TEST_CASE("wait4 rejects options it does not know with EINVAL, before anything else")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const c = lab.fork(m);
    lab.exit(c);
    int bad = 0;
    SUBCASE("WNOWAIT belongs to waitid") { bad = WNOWAIT; }
    SUBCASE("WEXITED belongs to waitid") { bad = WEXITED; }
    SUBCASE("an undefined bit") { bad = 0x10; }
    SUBCASE("an undefined bit with valid ones") { bad = WNOHANG | 0x100; }
    CHECK(fails(lab, lab.k.wait4(m, -1, bad)) == EINVAL);
    CHECK(lab.task(c).is_zombie());  // Nothing was reaped.
    // EINVAL even with no children to wait for.
    lab.reap(m, c);
    CHECK(fails(lab, lab.k.wait4(m, -1, bad)) == EINVAL);
}

TEST_CASE("wait4 with pid INT_MIN fails with ESRCH, since -INT_MIN is no process group")
{
    Lab lab;
    lab.fork(lab.main);
    CHECK(fails(lab, lab.k.wait4(lab.main, INT_MIN, WNOHANG)) == ESRCH);
}

// --- __WCLONE and __WALL ------------------------------------------------------------------------

TEST_CASE("__WCLONE waits only for clone children, __WALL for every child")
{
    // wait(2): a "clone" child delivers no signal, or a signal other than SIGCHLD, on exit.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const f = lab.fork(m);
    pid_t const c = ok(lab, lab.k.clone(m, CloneArgs{0, 0}));
    std::size_t const mark = lab.k.events().size();
    lab.exit(c, 1);
    CHECK(lab.task(c).is_zombie());
    CHECK_FALSE(told_parent(lab, m, c, mark));  // Exit signal 0: nothing is sent.

    SUBCASE("without either, a clone child is invisible")
    {
        CHECK(fails(lab, lab.k.wait4(m, c, WNOHANG)) == ECHILD);
        CHECK(lab.wait(m, -1, WNOHANG).kind == Kind::NothingYet);  // Only f is eligible.
        CHECK(lab.task(c).is_zombie());
    }
    SUBCASE("__WCLONE sees only clone children")
    {
        CHECK(lab.reap(m, -1, __WCLONE).pid == c);
        CHECK(fails(lab, lab.k.wait4(m, f, __WCLONE | WNOHANG)) == ECHILD);
    }
    SUBCASE("__WALL sees both")
    {
        CHECK(lab.reap(m, -1, __WALL).pid == c);
        CHECK(lab.wait(m, -1, __WALL | WNOHANG).kind == Kind::NothingYet);
        lab.exit(f);
        CHECK(lab.reap(m, f, __WALL).pid == f);
    }
}

TEST_CASE("a clone child's own exit signal goes to its parent instead of SIGCHLD")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const c = ok(lab, lab.k.clone(m, CloneArgs{0, SIGUSR2}));
    std::size_t const mark = lab.k.events().size();
    lab.exit(c);
    CHECK(signal_event(lab, EventKind::SignalSent, m, SIGUSR2, SignalReason::ChildExited, mark));
    CHECK_FALSE(signal_event(lab, EventKind::SignalSent, m, SIGCHLD, SignalReason::ChildExited, mark));
    CHECK(lab.reap(m, c, __WCLONE).pid == c);
}

TEST_CASE("an orphaned clone child sends SIGCHLD to its new parent")
{
    // Linux reparent_leader(): "We don't want people slaying init."
    Lab lab;
    ok(lab, lab.k.prctl(lab.main, PR_SET_CHILD_SUBREAPER, 1));
    pid_t const p = lab.fork(lab.main);
    pid_t const c = ok(lab, lab.k.clone(p, CloneArgs{0, SIGUSR2}));
    lab.exit(p);
    CHECK(lab.task(c).exit_signal == SIGCHLD);
    std::size_t const mark = lab.k.events().size();
    lab.exit(c);
    CHECK(signal_event(lab, EventKind::SignalDiscarded, lab.main, SIGCHLD, SignalReason::ChildExited, mark));
    CHECK(lab.reap(lab.main, c).pid == c);  // A plain wait sees it now.
}

// --- Sleeping in wait --------------------------------------------------------------------------

TEST_CASE("a parent blocked in wait is woken by its child's exit and its repeated wait reaps")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const c = lab.fork(m);
    WaitResult const w = lab.wait(m);
    CHECK(w.kind == Kind::Sleeping);
    CHECK(lab.task(m).state == TaskState::Blocked);
    CHECK(lab.task(m).blocked_on == BlockReason::Wait);
    CHECK(fails(lab, lab.k.wait4(m, -1, 0)) == EBUSY);  // A sleeping task makes no system call.

    std::size_t const mark = lab.k.events().size();
    lab.exit(c, 2);
    long const woke = find_event(lab, EventKind::Woken, m, kAny, mark);
    CHECK(event_at(lab, woke).aux == std::uint8_t(BlockReason::Wait));
    CHECK(lab.task(m).state == TaskState::Runnable);
    CHECK(lab.task(c).is_zombie());  // Woken, not yet reaped: the wait runs again.
    WaitResult const r = lab.reap(m);
    CHECK(r.pid == c);
    CHECK(r.status == 0x200);
}

TEST_CASE("a thread sleeping in wait is woken by the exit of a child of another thread")
{
    // Linux do_wait(): a thread waits for the children of every thread in its process.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const t = new_thread(lab, m);
    pid_t const c = lab.fork(m);
    CHECK(lab.wait(t).kind == Kind::Sleeping);
    lab.exit(c);
    CHECK(lab.task(t).state == TaskState::Runnable);
    CHECK(lab.reap(t).pid == c);
}

TEST_CASE("__WNOTHREAD waits only for the calling thread's own children")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const t = new_thread(lab, m);
    pid_t const c = lab.fork(m);
    lab.exit(c);
    CHECK(fails(lab, lab.k.wait4(t, -1, __WNOTHREAD | WNOHANG)) == ECHILD);
    CHECK(lab.reap(t, -1).pid == c);
}

TEST_CASE("a parent waiting for one child sleeps on when another child exits")
{
    // Linux child_wait_callback(): the exit wakes only waiters for which the child is eligible;
    // with SIGCHLD at its default nothing else wakes the parent.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const a = lab.fork(m);
    pid_t const b = lab.fork(m);
    CHECK(lab.wait(m, a).kind == Kind::Sleeping);
    std::size_t const mark = lab.k.events().size();
    lab.exit(b);
    CHECK(lab.task(m).state == TaskState::Blocked);
    CHECK(find_event(lab, EventKind::Woken, m, kAny, mark) == -1);
    lab.exit(a);
    CHECK(lab.task(m).state == TaskState::Runnable);
}

TEST_CASE("a wait interrupted by a caught signal returns Interrupted when no child is ready")
{
    Lab lab;
    pid_t const m = lab.main;
    ok(lab, lab.k.sigaction(m, SIGUSR1, SigAction{kHandler, 0, 0}));
    pid_t const c = lab.fork(m);
    CHECK(lab.wait(m).kind == Kind::Sleeping);

    SUBCASE("the handler's signal wakes it; the wait then returns Interrupted (EINTR or restart)")
    {
        lab.kill(c, m, SIGUSR1);
        CHECK(lab.task(m).state == TaskState::Runnable);
        CHECK(event_at(lab, find_event(lab, EventKind::Woken, m)).aux == std::uint8_t(BlockReason::Wait));
        CHECK(lab.wait(m).kind == Kind::Interrupted);
        CHECK(lab.task(m).state == TaskState::Runnable);  // Interrupted does not sleep.
        auto const d = lab.run(m);
        REQUIRE(d.has_value());
        CHECK(d->sig == SIGUSR1);
    }
    SUBCASE("a child that is ready wins over the pending signal")
    {
        lab.kill(c, m, SIGUSR1);
        lab.exit(c);
        CHECK(lab.reap(m).pid == c);
    }
    SUBCASE("a blocked signal does not wake it")
    {
        // m is asleep, so it cannot call sigprocmask: block through the task directly.
        lab.k.find_task_mut(m)->blocked |= sigbit(SIGUSR1);
        lab.kill(c, m, SIGUSR1);
        CHECK(lab.task(m).state == TaskState::Blocked);
    }
    SUBCASE("an ignored signal does not wake it")
    {
        lab.kill(c, m, SIGWINCH);  // Default action: ignore. It is discarded at once.
        CHECK(lab.task(m).state == TaskState::Blocked);
    }
}

// --- RUSAGE_CHILDREN ---------------------------------------------------------------------------

TEST_CASE("reaping adds a child's usage, and that of the descendants it reaped, to RUSAGE_CHILDREN")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const p = lab.fork(m);
    pid_t const c = lab.fork(p);
    Rusage const cu{3'000'000, 1'000'000, 10, 1, 2, 3};
    Rusage const pu{5'000'000, 2'000'000, 20, 0, 4, 0};
    lab.k.find_task_mut(c)->rusage = cu;
    lab.k.find_task_mut(p)->rusage = pu;

    SUBCASE("the grandchild was waited for: its usage flows up")
    {
        lab.exit(c);
        lab.reap(p, c);
        CHECK(lab.task(p).signal->children_usage == cu);
        CHECK(lab.task(m).signal->children_usage == Rusage{});  // Nothing reaped by m yet.
        lab.exit(p);
        lab.reap(m, p);
        Rusage want = pu;
        want += cu;
        CHECK(lab.task(m).signal->children_usage == want);
    }
    SUBCASE("the grandchild was not waited for: its usage goes to init, which reaped it")
    {
        Rusage const init_before = lab.task(1).signal->children_usage;
        lab.exit(c);
        lab.exit(p);  // c, a zombie orphan, is reaped by init.
        Rusage want_init = init_before;
        want_init += cu;
        CHECK(lab.task(1).signal->children_usage == want_init);
        lab.reap(m, p);
        CHECK(lab.task(m).signal->children_usage == pu);
    }
}

TEST_CASE("RUSAGE_CHILDREN counts the usage of every thread of a reaped child")
{
    // getrusage(2): a process's usage is that of all its threads. Linux __exit_signal() keeps
    // the times of each exited thread in the signal_struct, and wait_task_zombie() adds the
    // whole group's to the parent. Checked on Linux 6.18: a child whose leader exited at once
    // and whose other thread burned 0.5 s reports 0.5 s to its parent.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const p = lab.fork(m);
    pid_t const t = new_thread(lab, p);
    lab.k.find_task_mut(p)->rusage.utime_ns = 1'000'000;
    lab.k.find_task_mut(t)->rusage.utime_ns = 4'000'000;
    SUBCASE("the thread exits first")
    {
        exit_thread(lab, t);
        lab.exit(p);
    }
    SUBCASE("exit_group ends the thread") { lab.exit(p); }
    lab.reap(m, p);
    CHECK(lab.task(m).signal->children_usage.utime_ns == 5'000'000);
}

// --- Threads -----------------------------------------------------------------------------------

TEST_CASE("a thread other than the leader is released at once when it exits: threads are never zombies")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const t = new_thread(lab, m);
    std::size_t const tasks = lab.k.nr_tasks();
    int const nproc = lab.k.nr_processes_of(Lab::kStudent);
    std::size_t const mark = lab.k.events().size();
    exit_thread(lab, t, 9);

    CHECK_FALSE(lab.exists(t));
    CHECK(lab.k.root_pid_ns().find(t) == nullptr);
    CHECK(lab.k.nr_tasks() == tasks - 1);
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == nproc - 1);  // RLIMIT_NPROC counts threads.
    long const e = find_event(lab, EventKind::Exit, t, kAny, mark);
    CHECK(event_at(lab, e).aux == std::uint8_t(ExitFate::ThreadReleased));
    CHECK(event_at(lab, e).value == 0x900);
    CHECK(lab.task(m).state == TaskState::Runnable);
    CHECK(lab.task(m).signal->nr_threads == 1);
    CHECK_FALSE(told_parent(lab, 1, t, mark));  // No SIGCHLD: the process did not exit.
    CHECK(find_event(lab, EventKind::Reap, 1, kAny, mark) == -1);
}

TEST_CASE("a leader that exits before its other threads stays an unreported zombie until the last thread exits")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const p = lab.fork(m);
    pid_t const t = new_thread(lab, p);
    std::size_t const mark = lab.k.events().size();
    exit_thread(lab, p, 3);

    CHECK(lab.task(p).is_zombie());
    CHECK(lab.task(t).state == TaskState::Runnable);
    CHECK(event_at(lab, find_event(lab, EventKind::Exit, p, kAny, mark)).aux == std::uint8_t(ExitFate::Delayed));
    CHECK_FALSE(told_parent(lab, m, p, mark));  // No SIGCHLD yet.
    CHECK(lab.wait(m, p, WNOHANG).kind == Kind::NothingYet);
    CHECK(lab.wait(m, -1, WNOHANG).kind == Kind::NothingYet);
    CHECK(ok(lab, lab.k.getpid(t)) == p);  // The process lives on in t.

    exit_thread(lab, t, 3);
    CHECK_FALSE(lab.exists(t));
    CHECK(told_parent(lab, m, p, mark));
    WaitResult const w = lab.reap(m, p);
    CHECK(w.pid == p);
    CHECK(WEXITSTATUS(w.status) == 3);
}

TEST_CASE("a process whose leader has exited still takes signals through its other threads")
{
    // Linux prepare_signal() drops signals only for a dying group (SIGNAL_GROUP_EXIT); the
    // zombie leader is skipped by complete_signal() and a live thread takes the signal.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const p = lab.fork(m);
    pid_t const t = new_thread(lab, p);
    exit_thread(lab, p, 0);
    std::size_t const mark = lab.k.events().size();
    lab.kill(m, p, SIGTERM);
    CHECK(signal_event(lab, EventKind::SignalSent, p, SIGTERM, SignalReason::Kill, mark));
    lab.run(t);
    CHECK_FALSE(lab.exists(t));
    WaitResult const w = lab.reap(m, p);
    CHECK(WIFSIGNALED(w.status));
    CHECK(WTERMSIG(w.status) == SIGTERM);
}

TEST_CASE("a process whose leader exited first reports the status of the thread that ended it")
{
    // Linux synchronize_group_exit(): the last thread to exit sets the group's exit code, and
    // wait_task_zombie() reports group_exit_code. exit_group(2) from any thread always decides
    // the status. Checked on Linux 6.18: leader exit(3), then the other thread exit_group(5)
    // -> 0x500; or exit(7) -> 0x700.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const p = lab.fork(m);
    pid_t const t = new_thread(lab, p);
    exit_thread(lab, p, 3);
    int want = 0;
    SUBCASE("the last thread calls exit_group(5)")
    {
        ok(lab, lab.k.exit_group(t, 5));
        want = 0x500;
    }
    SUBCASE("the last thread calls exit(7)")
    {
        exit_thread(lab, t, 7);
        want = 0x700;
    }
    CHECK(lab.reap(m, p).status == want);
}

TEST_CASE("exit_group ends every thread of the process with the same status")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const p = lab.fork(m);
    pid_t const t1 = new_thread(lab, p);
    pid_t const t2 = new_thread(lab, p);
    std::size_t const tasks = lab.k.nr_tasks();
    SUBCASE("called by the leader") { lab.exit(p, 4); }
    SUBCASE("called by another thread") { lab.exit(t1, 4); }
    CHECK_FALSE(lab.exists(t1));
    CHECK_FALSE(lab.exists(t2));
    CHECK(lab.task(p).is_zombie());
    CHECK(lab.k.nr_tasks() == tasks - 2);
    CHECK(told_parent(lab, m, p));
    WaitResult const w = lab.reap(m, p);
    CHECK(w.status == 0x400);
    CHECK(lab.k.nr_tasks() == tasks - 3);
}

TEST_CASE("wait never reports a thread, not even with __WALL")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const p = lab.fork(m);
    pid_t const t = new_thread(lab, p);
    pid_t const own = new_thread(lab, m);
    CHECK(fails(lab, lab.k.wait4(m, t, __WALL | WNOHANG)) == ECHILD);
    CHECK(fails(lab, lab.k.wait4(m, own, __WALL | WNOHANG)) == ECHILD);
    exit_thread(lab, t);
    exit_thread(lab, own);
    CHECK(lab.wait(m, -1, __WALL | WNOHANG).kind == Kind::NothingYet);  // p itself lives.
    CHECK(fails(lab, lab.k.wait4(m, t, __WALL | WNOHANG)) == ECHILD);
}

TEST_CASE("children of an exiting thread are adopted by a live thread of the same process")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const t = new_thread(lab, m);
    pid_t const c = lab.fork(m);
    exit_thread(lab, m, 0);  // The leader goes first: its child moves to t.
    CHECK(lab.task(c).real_parent->pid == t);
    CHECK(ok(lab, lab.k.getppid(c)) == m);
    lab.exit(c, 8);
    CHECK(lab.reap(t, c).status == 0x800);
}

// --- pid namespaces ----------------------------------------------------------------------------

TEST_CASE("when a pid namespace's init exits, every process in it is killed and the init's zombie waits for them")
{
    // pid_namespaces(7): the init's death SIGKILLs the namespace; fork(2): ENOMEM afterwards.
    Lab lab;
    pid_t const r = lab.fork(1);  // A root process: CLONE_NEWPID needs CAP_SYS_ADMIN.
    pid_t const n = ok(lab, lab.k.clone(r, CloneArgs{CLONE_NEWPID, SIGCHLD}));
    CHECK(ok(lab, lab.k.getpid(n)) == 1);
    CHECK(ok(lab, lab.k.getppid(n)) == 0);
    CHECK(ok(lab, lab.k.fork(n)) == 2);  // Numbers inside the namespace start again.
    pid_t const a = last_forked(lab);
    lab.fork(n);
    pid_t const b = last_forked(lab);
    lab.fork(a);
    pid_t const a1 = last_forked(lab);
    lab.fork(n);
    pid_t const z = last_forked(lab);
    lab.exit(z);  // A zombie the init never waited for.
    std::size_t const tasks = lab.k.nr_tasks();

    std::size_t const mark = lab.k.events().size();
    lab.exit(n);
    CHECK(find_event(lab, EventKind::PidNsZap, n, kAny, mark) >= 0);
    CHECK_FALSE(lab.exists(z));  // Reaped at once.
    CHECK(event_at(lab, find_event(lab, EventKind::Reap, n, z, mark)).aux == std::uint8_t(ReapKind::Init));
    for (pid_t v : {a, b, a1}) {
        CAPTURE(v);
        CHECK(signal_event(lab, EventKind::SignalSent, v, SIGKILL, SignalReason::NamespaceZap, mark));
        CHECK((shared_pending(lab, v) & sigbit(SIGKILL)) != 0);
    }
    CHECK(lab.task(n).state == TaskState::Blocked);  // Not a zombie yet.
    CHECK(lab.wait(r, n, WNOHANG).kind == Kind::NothingYet);
    CHECK(fails(lab, lab.k.fork(a)) == ENOMEM);  // No process may join a dying namespace.
    CHECK(lab.k.nr_tasks() == tasks - 1);

    lab.run(a);
    CHECK_FALSE(lab.exists(a));
    CHECK(event_at(lab, find_event(lab, EventKind::Reap, n, a, mark)).value == SIGKILL);
    CHECK(lab.task(a1).real_parent->pid == n);
    CHECK(event_at(lab, find_event(lab, EventKind::Reparent, a1, a, mark)).aux ==
        std::uint8_t(ReparentReason::NamespaceInit));
    CHECK(lab.task(n).state == TaskState::Blocked);
    lab.run(a1);
    CHECK(lab.task(n).state == TaskState::Blocked);
    CHECK(lab.wait(r, n, WNOHANG).kind == Kind::NothingYet);
    lab.run(b);
    CHECK_FALSE(lab.exists(b));
    CHECK_FALSE(lab.exists(a1));

    CHECK(lab.task(n).is_zombie());
    CHECK(find_event(lab, EventKind::Exit, n, kAny, mark) > find_event(lab, EventKind::Reap, n, b, mark));
    CHECK(told_parent(lab, r, n, mark));
    CHECK(lab.k.nr_tasks() == tasks - 4);
    // Its parent reaping it: see "the parent of a dead pid namespace's init reaps it" below.
}

TEST_CASE("a fork refused in a dying pid namespace is logged as a failed fork")
{
    // The log is the record of every observable change; ForkFailure::PidNsDead names this case.
    Lab lab;
    pid_t const r = lab.fork(1);
    pid_t const n = ok(lab, lab.k.clone(r, CloneArgs{CLONE_NEWPID, SIGCHLD}));
    lab.fork(n);
    pid_t const a = last_forked(lab);
    lab.exit(n);
    std::uint64_t const failures = lab.k.counters().fork_failures;
    std::size_t const mark = lab.k.events().size();
    CHECK(fails(lab, lab.k.fork(a)) == ENOMEM);
    long const f = find_event(lab, EventKind::ForkFailed, a, kAny, mark);
    REQUIRE(f >= 0);
    CHECK(event_at(lab, f).aux == std::uint8_t(ForkFailure::PidNsDead));
    CHECK(event_at(lab, f).value == ENOMEM);
    CHECK(lab.k.counters().fork_failures == failures + 1);
}

TEST_CASE("a subreaper outside a pid namespace does not adopt orphans inside it")
{
    // find_new_reaper() looks for a subreaper only within the dying process's namespace.
    Lab lab;
    pid_t const r = lab.fork(1);
    ok(lab, lab.k.prctl(r, PR_SET_CHILD_SUBREAPER, 1));
    pid_t const n = ok(lab, lab.k.clone(r, CloneArgs{CLONE_NEWPID, SIGCHLD}));
    lab.fork(n);
    pid_t const a = last_forked(lab);
    lab.fork(a);
    pid_t const b = last_forked(lab);
    lab.exit(a);
    CHECK(lab.task(b).real_parent->pid == n);
    CHECK(ok(lab, lab.k.getppid(b)) == 1);  // Its namespace's init.
}

// --- Orphaned process groups -------------------------------------------------------------------

TEST_CASE("a process group orphaned while a member is stopped gets SIGHUP, then SIGCONT")
{
    // POSIX _exit(): if the exit orphans a process group with a stopped member, every member
    // gets SIGHUP followed by SIGCONT (no job-control shell could ever resume it).
    Lab lab;
    pid_t const m = lab.main;
    pid_t const p = lab.fork(m);  // In m's group and session.
    pid_t c = 0;
    SUBCASE("the exiting parent was the only link of its child's group")
    {
        c = lab.fork(p);
        ok(lab, lab.k.setpgid(p, c, c));
    }
    SUBCASE("the exiting parent led the group and was its only link outside")
    {
        ok(lab, lab.k.setpgid(p, 0, 0));
        c = lab.fork(p);
    }
    REQUIRE(lab.task(c).pgid() != lab.task(m).pgid());
    REQUIRE(lab.task(c).sid() == lab.task(p).sid());
    lab.kill(p, c, SIGSTOP);
    lab.run(c);
    REQUIRE(lab.task(c).state == TaskState::Stopped);

    std::size_t const mark = lab.k.events().size();
    lab.exit(p);
    long const hup = find_event(lab, EventKind::SignalSent, c, kAny, mark);
    REQUIRE(hup >= 0);
    CHECK(event_at(lab, hup).value == SIGHUP);
    CHECK(event_at(lab, hup).aux == std::uint8_t(SignalReason::OrphanedPgrp));
    long const cont = find_event(lab, EventKind::Continued, c, kAny, mark);
    CHECK(cont > hup);  // SIGHUP first, then SIGCONT.
    CHECK(lab.task(c).state == TaskState::Runnable);
    CHECK((shared_pending(lab, c) & sigbit(SIGHUP)) != 0);

    lab.run(c);  // SIGHUP's default action: terminate.
    CHECK_FALSE(lab.exists(c));
    CHECK(event_at(lab, find_event(lab, EventKind::Reap, 1, c, mark)).value == SIGHUP);
}

TEST_CASE("a process group that becomes orphaned with no stopped member gets no SIGHUP")
{
    Lab lab;
    pid_t const p = lab.fork(lab.main);
    pid_t const c = lab.fork(p);
    ok(lab, lab.k.setpgid(p, c, c));
    std::size_t const mark = lab.k.events().size();
    lab.exit(p);
    CHECK(find_event(lab, EventKind::SignalSent, c, kAny, mark) == -1);
    CHECK(lab.task(c).state == TaskState::Runnable);
    CHECK(shared_pending(lab, c) == 0);
}

TEST_CASE("a stopped process group that keeps another link to its session gets no SIGHUP")
{
    Lab lab;
    pid_t const m = lab.main;
    pid_t const p = lab.fork(m);
    pid_t const q = lab.fork(m);
    pid_t const c = lab.fork(p);
    ok(lab, lab.k.setpgid(p, c, c));
    ok(lab, lab.k.setpgid(q, 0, c));  // q joins c's group; q's parent m is outside it.
    lab.kill(p, c, SIGSTOP);
    lab.run(c);
    std::size_t const mark = lab.k.events().size();
    lab.exit(p);
    CHECK(find_event(lab, EventKind::SignalSent, c, kAny, mark) == -1);
    CHECK(find_event(lab, EventKind::SignalSent, q, kAny, mark) == -1);
    CHECK(lab.task(c).state == TaskState::Stopped);
}

// --- Misuse ------------------------------------------------------------------------------------

TEST_CASE("the kernel's init cannot exit")
{
    Lab lab;
    CHECK(fails(lab, lab.k.exit_group(1, 1)) == EPERM);
    CHECK(fails(lab, lab.k.exit_thread(1, 0)) == EPERM);
    CHECK(lab.task(1).state == TaskState::Runnable);
    CHECK_FALSE(lab.task(1).exiting);
}

TEST_CASE("exit and wait by a task that cannot make a system call fail")
{
    Lab lab;
    pid_t const m = lab.main;
    SUBCASE("an unknown pid: ESRCH")
    {
        CHECK(fails(lab, lab.k.wait4(4242, -1, 0)) == ESRCH);
        CHECK(fails(lab, lab.k.exit_group(4242, 0)) == ESRCH);
        CHECK(fails(lab, lab.k.exit_thread(4242, 0)) == ESRCH);
    }
    SUBCASE("a zombie: ESRCH")
    {
        pid_t const c = lab.fork(m);
        lab.exit(c);
        CHECK(fails(lab, lab.k.wait4(c, -1, 0)) == ESRCH);
        CHECK(fails(lab, lab.k.exit_group(c, 0)) == ESRCH);
        CHECK(lab.reap(m, c).status == 0);  // The failed calls changed nothing.
    }
    SUBCASE("a task asleep in wait: EBUSY")
    {
        lab.fork(m);
        CHECK(lab.wait(m).kind == Kind::Sleeping);
        CHECK(fails(lab, lab.k.wait4(m, -1, WNOHANG)) == EBUSY);
        CHECK(fails(lab, lab.k.exit_group(m, 0)) == EBUSY);
        CHECK(lab.task(m).state == TaskState::Blocked);
    }
    SUBCASE("a stopped task: EBUSY")
    {
        pid_t const c = lab.fork(m);
        lab.fork(c);
        lab.kill(m, c, SIGSTOP);
        lab.run(c);
        CHECK(fails(lab, lab.k.wait4(c, -1, WNOHANG)) == EBUSY);
        CHECK(fails(lab, lab.k.exit_group(c, 0)) == EBUSY);
    }
}

// --- Everything back to the start --------------------------------------------------------------

TEST_CASE("after everything exits and is reaped only init remains and every count is back to its start")
{
    Lab lab;
    pid_t const m = lab.main;
    std::size_t const tasks0 = lab.k.nr_tasks();
    int const nproc0 = lab.k.nr_processes_of(Lab::kStudent);
    std::int64_t const cg0 = lab.k.root_cgroup().pids_current;
    int const pids0 = lab.k.root_pid_ns().allocated();

    // A bit of everything: threads, zombies, orphans, a subreaper, a stopped child, a group.
    pid_t const s = lab.fork(m);
    ok(lab, lab.k.prctl(s, PR_SET_CHILD_SUBREAPER, 1));
    pid_t const p = lab.fork(s);
    ok(lab, lab.k.setpgid(p, 0, 0));
    pid_t const c1 = lab.fork(p);
    pid_t const c2 = lab.fork(p);
    new_thread(lab, c1);
    pid_t const t = new_thread(lab, p);
    pid_t const c3 = lab.fork(t);
    lab.kill(p, c2, SIGSTOP);
    lab.run(c2);
    lab.exit(c3, 1);           // A zombie of thread t.
    lab.exit(p, 2);            // Orphans c1, c2 and the zombie c3 go to the subreaper s.
    lab.kill(s, c2, SIGKILL);  // SIGKILL ends even a stopped process.
    lab.run(c2);
    pid_t const w = lab.fork(m);
    ok(lab, lab.k.sigaction(w, SIGCHLD, SigAction{kSigIgn, 0, 0}));
    lab.fork(w);
    lab.fork(w);
    lab.exit(w);               // Its children go to init.
    lab.exit(c1, 3);
    while (!lab.task(s).children.empty())
        lab.reap(s);
    lab.exit(s);
    lab.reap(m, s);
    lab.reap(m, w);
    std::vector<pid_t> adopted;  // w's orphans, now init's.
    for (Task const& task : lab.k.tasks())
        if (task.pid != m && task.real_parent && task.real_parent->pid == 1)
            adopted.push_back(task.pid);
    CHECK(adopted.size() == 2);
    for (pid_t a : adopted)
        lab.exit(a);

    CHECK(lab.k.nr_tasks() == tasks0);
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == nproc0);
    CHECK(lab.k.root_cgroup().pids_current == cg0);
    CHECK(lab.k.root_pid_ns().allocated() == pids0);

    lab.exit(m);
    CHECK(lab.k.nr_tasks() == 1);
    CHECK(&lab.k.tasks().front() == &lab.k.init());
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == 0);
    CHECK(lab.k.nr_processes_of(0) == 1);
    CHECK(lab.k.root_cgroup().pids_current == 1);
    CHECK(lab.k.root_pid_ns().allocated() == 1);
    CHECK(lab.k.init().children.empty());
    CHECK(lab.k.counters().exits == lab.k.counters().forks);
}

// --- Crashes (last, so that they do not hide the results above when run as one binary) ---------

TEST_CASE("a child left in init's process group can exit after its parent moved to a new group")
{
    // Linux will_become_orphaned_pgrp() walks the group, init included; init's parent is the
    // idle task there, never a null pointer. In the model init has no parent.
    Lab lab;
    pid_t const m = lab.main;
    pid_t const c = lab.fork(m);  // In init's group, as m was.
    ok(lab, lab.k.setpgid(m, 0, 0));
    REQUIRE(lab.task(c).pgid() == 1);
    lab.exit(c, 1);
    CHECK(lab.reap(m, c).status == 0x100);
}

TEST_CASE("the parent of a dead pid namespace's init reaps it, and every count is back")
{
    Lab lab;
    std::size_t const tasks0 = lab.k.nr_tasks();
    int const pids0 = lab.k.root_pid_ns().allocated();
    pid_t const r = lab.fork(1);
    pid_t const n = ok(lab, lab.k.clone(r, CloneArgs{CLONE_NEWPID, SIGCHLD}));
    lab.fork(n);
    pid_t const a = last_forked(lab);
    lab.exit(n, 3);
    lab.run(a);
    REQUIRE(lab.task(n).is_zombie());
    WaitResult const w = lab.reap(r, n);  // ASan: release_task() then reads the freed init.
    CHECK(w.pid == n);
    CHECK(w.status == 0x300);
    lab.exit(r);
    CHECK(lab.k.nr_tasks() == tasks0);
    CHECK(lab.k.root_pid_ns().allocated() == pids0);
}
