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
#include <sys/file.h>
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
    case EventKind::FileRead:
    case EventKind::FileWrite:
    case EventKind::FileSeek:
        if (e.other)
            v.push_back(e.other);  // A process sharing the description: its offset moved too.
        break;
    case EventKind::LockConflict:
        v.push_back(e.other);  // The holder of the lock in the way.
        break;
    // FileOpened, PipeCreated and Unlinked keep an inode number in `other`, FileDup an fd:
    // only `pid` is a process there.
    default:
        break;
    }
    return v;
}

// A program that exec can load: a few bytes of text.
class TinyProgram final : public Executable {
public:
    TinyProgram() { m_image.text = {0x90, 0xc3}; }
    ProgramImage const& image() const override { return m_image; }

private:
    ProgramImage m_image;
};

FlockArgs range_lock(short type, std::int64_t start, std::int64_t len)
{
    FlockArgs a;
    a.type = type;
    a.whence = SEEK_SET;
    a.start = start;
    a.len = len;
    return a;
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
        files_story();
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

    // Files: open, write, dup, a fork that shares the description (so a seek or a read by one
    // moves the other's offset), POSIX and flock locks with every kind of conflict, a pipe read
    // to end-of-file, exec closing a close-on-exec descriptor, a failed exec, unlink of an open
    // file, and exit closing what is left.
    void files_story()
    {
        REQUIRE(k.vfs().install_program("/bin/tiny", std::make_shared<TinyProgram>()));
        next();
        pid_t const p = lab.fork(lab.main);
        pids["files"] = p;
        int const fd = lab.open(p, "/tmp/story", O_RDWR | O_CREAT, 0644);
        next();
        REQUIRE(lab.write(p, fd, "hello, world\n") == 13);
        next();
        auto const copy = k.dup(p, fd);
        REQUIRE(copy);
        lab.check();
        next();
        pid_t const c = lab.fork(p);  // c's fd table points at the same description.
        pids["files child"] = c;
        next();
        REQUIRE(k.lseek(c, fd, 0, SEEK_SET) == 0);  // Moves p's offset too.
        lab.check();
        next();
        REQUIRE(lab.read(p, fd, 5) == "hello");  // ... and this moves c's.
        next();
        lab.write(p, 1, "on the terminal\n");

        // POSIX locks belong to the process: c, sharing the description, still conflicts.
        next();
        FlockArgs mine = range_lock(F_WRLCK, 0, 5);
        REQUIRE(k.fcntl_lock(p, fd, F_SETLK, mine)->done());
        lab.check();
        next();
        FlockArgs theirs = range_lock(F_WRLCK, 0, 5);
        lab.fails(k.fcntl_lock(c, fd, F_SETLK, theirs), EAGAIN);

        // flock locks belong to the description: another open of the file conflicts.
        next();
        REQUIRE(k.flock(c, fd, LOCK_EX)->done());
        lab.check();
        next();
        pid_t const q = lab.fork(lab.main);
        pids["files other"] = q;
        int const qfd = lab.open(q, "/tmp/story", O_RDWR);
        lab.fails(k.flock(q, qfd, LOCK_SH | LOCK_NB), EWOULDBLOCK);
        next();
        auto const sleeps = k.flock(q, qfd, LOCK_SH);
        REQUIRE(sleeps);
        REQUIRE(sleeps->kind == Blocking::Kind::Sleeping);
        lab.check();
        next();
        REQUIRE(k.flock(c, fd, LOCK_UN)->done());  // Wakes q.
        lab.check();
        REQUIRE(lab.task(q).state == TaskState::Runnable);
        REQUIRE(k.flock(q, qfd, LOCK_SH)->done());  // q makes the same call again.
        lab.check();

        // A circle of POSIX lock waiters: EDEADLK for the one that would close it.
        next();
        FlockArgs qr = range_lock(F_WRLCK, 10, 3);
        REQUIRE(k.fcntl_lock(q, qfd, F_SETLK, qr)->done());
        next();
        FlockArgs qw = range_lock(F_WRLCK, 0, 5);
        auto const waits = k.fcntl_lock(q, qfd, F_SETLKW, qw);
        REQUIRE(waits);
        REQUIRE(waits->kind == Blocking::Kind::Sleeping);
        lab.check();
        next();
        FlockArgs pw = range_lock(F_WRLCK, 10, 3);
        lab.fails(k.fcntl_lock(p, fd, F_SETLKW, pw), EDEADLK);
        // Any close by p releases p's POSIX locks, and q gets its range.
        next();
        REQUIRE(k.close(p, *copy));
        lab.check();
        REQUIRE(lab.task(q).state == TaskState::Runnable);
        FlockArgs again = range_lock(F_WRLCK, 0, 5);
        REQUIRE(k.fcntl_lock(q, qfd, F_SETLKW, again)->done());
        lab.check();

        // A pipe: what is written is read, then end-of-file once no write end is open.
        next();
        auto const [rd, wr] = lab.pipe(p);
        next();
        REQUIRE(lab.write(p, wr, "ping") == 4);
        next();
        REQUIRE(lab.read(p, rd, 16) == "ping");
        next();
        REQUIRE(k.close(p, wr));
        lab.check();
        next();
        REQUIRE(lab.read(p, rd, 16).empty());

        // exec closes the close-on-exec descriptor; a failed exec changes nothing.
        next();
        int const cloexec = lab.open(p, "/tmp/story", O_RDONLY | O_CLOEXEC);
        next();
        auto const bad = k.execve(p, "/tmp/story", {"story"});  // No x bit: EACCES.
        lab.fails(bad, EACCES);
        REQUIRE(k.fcntl(p, cloexec, F_GETFD) == FD_CLOEXEC);
        next();
        REQUIRE(k.execve(p, "/bin/tiny", {"tiny"}));
        lab.check();
        lab.fails(k.fcntl(p, cloexec, F_GETFD), EBADF);

        // The name goes; the file lives on while descriptions have it open.
        next();
        REQUIRE(k.unlink(p, "/tmp/story"));
        lab.check();
        REQUIRE(k.fstat(q, qfd)->nlink == 0);

        // exit closes every descriptor left.
        next();
        lab.exit(c, 0);
        lab.reap(p, c);
        lab.exit(q, 0);
        lab.exit(p, 0);
        next();
        lab.reap(lab.main, q);
        lab.reap(lab.main, p);
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
    SUBCASE("files: a read through a shared description says the offset moved for both processes")
    {
        bool found = false;
        for (Event const& e : events_of(k, EventKind::FileRead)) {
            if (InodeKind(e.aux) != InodeKind::Regular || e.pid != s.pids["files"])
                continue;
            found = true;
            std::string const text = explain(e);
            INFO(text);
            // fork() copied the fd table, not the description: p and its child share one offset.
            CHECK(e.other == s.pids["files child"]);
            CHECK(io_bytes(e.value) == 5);
            CHECK(contains(text, "offset now 5"));
            CHECK(contains(text, "shares that description"));
            CHECK(contains(text, "offset moved for both"));
        }
        CHECK(found);
        bool seek = false;
        for (Event const& e : events_of(k, EventKind::FileSeek)) {
            seek = true;
            std::string const text = explain(e);
            INFO(text);
            CHECK(e.pid == s.pids["files child"]);
            CHECK(e.other == s.pids["files"]);
            CHECK(contains(text, "its next read or write starts there too"));
        }
        CHECK(seek);
    }
    SUBCASE("files: an end-of-file read from a pipe says no write end is open")
    {
        bool found = false;
        for (Event const& e : events_of(k, EventKind::FileRead)) {
            if (InodeKind(e.aux) != InodeKind::Pipe)
                continue;
            std::string const text = explain(e);
            INFO(text);
            if (io_bytes(e.value) == 0) {
                found = true;
                CHECK(contains(text, "end-of-file"));
                CHECK(contains(text, "no write end is open"));
            } else {
                CHECK(contains(text, std::to_string(io_bytes(e.value)) + " bytes from a pipe"));
                CHECK_FALSE(contains(text, "end-of-file"));
            }
        }
        CHECK(found);
    }
    SUBCASE("files: a POSIX lock belongs to the process, a flock lock to the description")
    {
        bool posix = false, flock_held = false, unlocked = false;
        for (Event const& e : events_of(k, EventKind::FileLocked)) {
            std::string const text = explain(e);
            INFO(text);
            int const type = (e.aux >> 2) & 3;
            if (type == F_UNLCK) {
                unlocked = true;
                CHECK(contains(text, "released"));
                continue;
            }
            if (LockKind(e.aux & 3) == LockKind::Posix) {
                posix = true;
                CHECK(contains(text, "POSIX record lock"));
                CHECK(contains(text, "belongs to the process"));
                CHECK(contains(text, "a child does not inherit it"));
            } else if (LockKind(e.aux & 3) == LockKind::Flock) {
                flock_held = true;
                CHECK(contains(text, "flock"));
                CHECK(contains(text, "belongs to the open file description"));
                CHECK(contains(text, "shares it"));
            }
        }
        CHECK(posix);
        CHECK(flock_held);
        CHECK(unlocked);
    }
    SUBCASE("files: a lock conflict says EAGAIN, sleeping or EDEADLK, by what the caller asked")
    {
        std::map<LockOutcome, std::string> outcomes;
        for (Event const& e : events_of(k, EventKind::LockConflict))
            outcomes.emplace(LockOutcome(e.value), explain(e));
        REQUIRE(outcomes.size() == 3);
        CHECK(contains(outcomes[LockOutcome::WouldBlock], "EAGAIN"));
        CHECK(contains(outcomes[LockOutcome::Sleeps], "sleeps until that lock is released"));
        CHECK(contains(outcomes[LockOutcome::Deadlock], "EDEADLK"));
        // The circle: q waits for p's lock, so p waiting for q's would never end.
        CHECK(contains(outcomes[LockOutcome::Deadlock], "pid " + std::to_string(s.pids["files"]) + " asked"));
        CHECK(contains(outcomes[LockOutcome::Deadlock], "pid " + std::to_string(s.pids["files other"]) + " holds"));
    }
    SUBCASE("files: any close releases the process's POSIX locks, and the log says so")
    {
        // p closed a dup of its descriptor: its one lock went. q's exit closed its descriptor:
        // both of q's ranges went.
        std::map<pid_t, std::int64_t> released;
        for (Event const& e : events_of(k, EventKind::LocksReleased)) {
            if (!(e.aux >> 4))
                continue;
            std::string const text = explain(e);
            INFO(text);
            released[e.pid] += e.value;
            CHECK((e.aux & 3) == std::uint8_t(LockKind::Posix));
            CHECK(contains(text, "any close"));
            CHECK(contains(text, "all " + std::to_string(e.value) + " of its POSIX record locks"));
        }
        CHECK(released[s.pids["files"]] == 1);
        CHECK(released[s.pids["files other"]] == 2);
    }
    SUBCASE("files: the last close of a description releases its flock lock, naming who closed it")
    {
        // q's exit closed the last descriptor for its description, which held a shared flock.
        bool found = false;
        for (Event const& e : events_of(k, EventKind::LocksReleased)) {
            if (e.aux >> 4)
                continue;
            found = true;
            std::string const text = explain(e);
            INFO(text);
            CHECK(e.pid == s.pids["files other"]);
            CHECK((e.aux & 3) == std::uint8_t(LockKind::Flock));
            CHECK(contains(text, "flock"));
            CHECK(contains(text, "pid " + std::to_string(e.pid)));
        }
        CHECK(found);
    }
    SUBCASE("files: dup, close-on-exec, a failed exec and unlink say what stays shared or alive")
    {
        auto const dups = events_of(k, EventKind::FileDup);
        REQUIRE_FALSE(dups.empty());
        CHECK(contains(explain(dups[0]), "share its offset"));
        bool exec_close = false, freed = false, stays = false;
        for (Event const& e : events_of(k, EventKind::FileClosed)) {
            std::string const text = explain(e);
            INFO(text);
            if (CloseReason(e.aux & 0x7f) == CloseReason::Exec) {
                exec_close = true;
                CHECK(contains(text, "close-on-exec"));
            }
            if (e.aux & 0x80) {
                freed = true;
                CHECK(contains(text, "which is freed"));
            } else {
                stays = true;
                CHECK(contains(text, "stays open"));
            }
        }
        CHECK(exec_close);
        CHECK(freed);
        CHECK(stays);
        auto const failed = events_of(k, EventKind::ExecFailed);
        REQUIRE(failed.size() == 1);
        CHECK(failed[0].value == EACCES);
        CHECK(contains(explain(failed[0]), "EACCES"));
        CHECK(contains(explain(failed[0]), "old program carries on"));
        auto const unlinked = events_of(k, EventKind::Unlinked);
        REQUIRE(unlinked.size() == 1);
        CHECK(unlinked[0].value == 0);
        CHECK(contains(explain(unlinked[0]), "(0 left)"));
        CHECK(contains(explain(unlinked[0]), "lives on while a descriptor still has it open"));
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
