// Process creation: fork(), vfork() and clone(), the limits that make them fail, and process
// groups and sessions. The reference is fork(2) (what the child inherits and what is reset),
// clone(2) (the CLONE_ flags), setpgid(2)/setsid(2), and Linux's kernel/fork.c, kernel/pid.c and
// kernel/sys.c where the man pages are silent. Every step is followed by check_invariants().
#include "support/lab.h"

#include <cstdint>
#include <fcntl.h>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

using namespace forklab;
using namespace forklab::test;

namespace {

constexpr std::uint64_t kThreadFlags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;  // pthread_create()

Event last_event(Kernel const& k)
{
    REQUIRE(k.events().size() > 0);
    return k.events()[k.events().size() - 1];
}

// The most recent event of a kind, or a default Event (kind Fork, pid 0) when there is none.
Event last_event_of(Kernel const& k, EventKind kind)
{
    auto all = k.events().all();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->kind == kind)
            return *it;
    FAIL("no event of kind " << event_kind_name(kind));
    return {};
}

// clone() that must succeed: the new task's pid as the caller sees it.
pid_t clone_ok(Lab& lab, pid_t caller, std::uint64_t flags, int exit_signal = SIGCHLD)
{
    auto r = lab.k.clone(caller, CloneArgs{flags, exit_signal});
    REQUIRE_MESSAGE(r, "clone failed: " << errno_name(r.error()));
    lab.check();
    return *r;
}

// A new thread in the caller's process.
pid_t spawn_thread(Lab& lab, pid_t caller) { return clone_ok(lab, caller, kThreadFlags, 0); }

// A process owned by root: a child of init that has not called setuid().
pid_t root_process(Lab& lab)
{
    pid_t const pid = lab.fork(1);
    REQUIRE(lab.task(pid).cred.uid == 0);
    return pid;
}

// The root-namespace pid of `parent`'s newest child (for children in a nested pid namespace,
// whose parent is told a pid in another namespace).
pid_t newest_child(Lab const& lab, pid_t parent)
{
    Task const& p = lab.task(parent);
    REQUIRE_FALSE(p.children.empty());
    return p.children.back().pid;
}

// Run a child to completion: exit it and let its parent reap it.
void exit_and_reap(Lab& lab, pid_t child, pid_t parent)
{
    lab.exit(child);
    WaitResult const w = lab.reap(parent, child);
    CHECK(w.pid == child);
}

// Everything a successful fork changes, read before a fork that must fail.
struct Footprint {
    std::size_t tasks = 0;
    int nproc_student = 0, nproc_root = 0;
    std::int64_t root_cgroup_pids = 0, own_cgroup_pids = 0;
    int root_pids_allocated = 0, own_ns_pids_allocated = 0, own_ns_tasks = 0;
    std::size_t children = 0;
    TaskState parent_state{};
    std::uint64_t forks = 0, fork_failures = 0;
    std::size_t events = 0;
};

Footprint footprint(Lab const& lab, pid_t parent)
{
    Task const& p = lab.task(parent);
    Footprint f;
    f.tasks = lab.k.nr_tasks();
    f.nproc_student = lab.k.nr_processes_of(Lab::kStudent);
    f.nproc_root = lab.k.nr_processes_of(0);
    f.root_cgroup_pids = lab.k.root_cgroup().pids_current;
    f.own_cgroup_pids = p.cgroup->pids_current;
    f.root_pids_allocated = lab.k.root_pid_ns().allocated();
    f.own_ns_pids_allocated = p.pid_ns()->allocated();
    f.own_ns_tasks = p.pid_ns()->nr_tasks;
    f.children = std::size_t(std::distance(p.children.begin(), p.children.end()));
    f.parent_state = p.state;
    f.forks = lab.k.counters().forks;
    f.fork_failures = lab.k.counters().fork_failures;
    f.events = lab.k.events().size();
    return f;
}

std::string failure_name(ForkFailure why)
{
    switch (why) {
    case ForkFailure::BadFlags: return "BadFlags";
    case ForkFailure::Nproc: return "Nproc";
    case ForkFailure::ThreadsMax: return "ThreadsMax";
    case ForkFailure::PidMax: return "PidMax";
    case ForkFailure::PidsCgroup: return "PidsCgroup";
    case ForkFailure::PidNsDead: return "PidNsDead";
    case ForkFailure::Deadline: return "Deadline";
    case ForkFailure::NewPidNsPerm: return "NewPidNsPerm";
    case ForkFailure::SignalPending: return "SignalPending";
    case ForkFailure::NoMemory: return "NoMemory";
    }
    return "?";
}

// A fork that must fail (fork(2): "On failure, -1 is returned in the parent, no child process is
// created"): exactly errno `err`, one ForkFailed event naming the check that refused, and no
// count, pid, cgroup charge or child left behind; the invariants hold.
template<typename Call>
void expect_fork_fails(Lab& lab, pid_t parent, int err, ForkFailure why, Call&& call)
{
    INFO("fork by pid " << parent << " expected to fail with " << Error::from_errno(err).name()
                        << " from the " << failure_name(why) << " check");
    Footprint const before = footprint(lab, parent);
    ErrorOr<pid_t> const r = call();
    lab.check();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == err);
    Footprint const after = footprint(lab, parent);
    CHECK(after.tasks == before.tasks);
    CHECK(after.nproc_student == before.nproc_student);
    CHECK(after.nproc_root == before.nproc_root);
    CHECK(after.root_cgroup_pids == before.root_cgroup_pids);
    CHECK(after.own_cgroup_pids == before.own_cgroup_pids);
    CHECK(after.root_pids_allocated == before.root_pids_allocated);
    CHECK(after.own_ns_pids_allocated == before.own_ns_pids_allocated);
    CHECK(after.own_ns_tasks == before.own_ns_tasks);
    CHECK(after.children == before.children);
    CHECK(after.parent_state == before.parent_state);
    CHECK(after.forks == before.forks);
    CHECK(after.fork_failures == before.fork_failures + 1);
    // The failure is observable: exactly one event, ForkFailed, saying which check and which errno.
    CHECK(after.events == before.events + 1);
    Event const e = last_event(lab.k);
    CHECK(e.kind == EventKind::ForkFailed);
    CHECK(int(e.aux) == int(why));
    CHECK(e.pid == parent);
    CHECK(e.value == err);
}

}  // namespace

// ================================================================================================
// init and the student's process
// ================================================================================================

TEST_CASE("init is pid 1, owned by root, and leads its own session and process group")
{
    Lab lab;
    Task const& init = lab.k.init();
    CHECK(init.pid == 1);
    CHECK(init.tgid == 1);
    CHECK(&lab.task(1) == &init);
    CHECK(init.cred.uid == 0);
    CHECK(init.cred.euid == 0);
    CHECK(init.real_parent == nullptr);
    CHECK(init.pgid() == 1);
    CHECK(init.sid() == 1);
    CHECK(init.signal->leader);
    CHECK(init.signal->unkillable);
    CHECK(init.pid_ns()->child_reaper == &init);
    CHECK(lab.k.getpid(1).value() == 1);
    CHECK(lab.k.getppid(1).value() == 0);  // Its parent (the idle task) is no process.
    CHECK(lab.k.getpgid(1, 0).value() == 1);
    CHECK(lab.k.getsid(1, 0).value() == 1);
    lab.check();
}

TEST_CASE("the student's process is pid 2, a uid-1000 child of init in init's session and group")
{
    Lab lab;
    CHECK(lab.main == 2);
    Task const& m = lab.task(lab.main);
    CHECK(m.cred.uid == Lab::kStudent);
    CHECK(m.cred.euid == Lab::kStudent);
    CHECK(m.cred.suid == Lab::kStudent);
    CHECK(m.real_parent == &lab.k.init());
    CHECK(lab.k.getppid(lab.main).value() == 1);
    CHECK(lab.k.getpgid(lab.main, 0).value() == 1);
    CHECK(lab.k.getsid(lab.main, 0).value() == 1);
    CHECK_FALSE(m.signal->leader);
    CHECK(lab.k.nr_tasks() == 2);
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == 1);
    CHECK(lab.k.nr_processes_of(0) == 1);
    lab.check();
}

// ================================================================================================
// Pid allocation (kernel/pid.c alloc_pid -> idr_alloc_cyclic)
// ================================================================================================

TEST_CASE("pids are allocated cyclically: a freed pid is not handed out again by the next fork")
{
    Lab lab;
    pid_t const a = lab.fork(lab.main);
    CHECK(a == 3);
    exit_and_reap(lab, a, lab.main);
    pid_t const b = lab.fork(lab.main);
    CHECK(b == 4);  // Not 3: the search starts after the last pid handed out.
    exit_and_reap(lab, b, lab.main);
    pid_t const c = lab.fork(lab.main);
    CHECK(c == 5);
    CHECK(lab.k.root_pid_ns().last_pid() == 5);
}

TEST_CASE("pid allocation wraps around at pid_max and skips the pids still in use")
{
    // Pids are 1 .. pid_max-1: with pid_max 10 there are nine.
    Lab lab{KernelConfig{.pid_max = 10}};
    std::vector<pid_t> kids;
    for (pid_t expect = 3; expect <= 9; ++expect) {
        kids.push_back(lab.fork(lab.main));
        CHECK(kids.back() == expect);
    }
    exit_and_reap(lab, 4, lab.main);
    exit_and_reap(lab, 6, lab.main);
    CHECK(lab.fork(lab.main) == 4);  // Wrapped past 9; 1, 2 and 3 are in use.
    CHECK(lab.fork(lab.main) == 6);  // 5 is in use.
    expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::PidMax, [&] { return lab.k.fork(lab.main); });
}

TEST_CASE("once the pid cursor has passed RESERVED_PIDS, allocation wraps around to 300, not 1")
{
    Lab lab;
    REQUIRE(lab.k.set_pid_max(310));
    lab.check();
    pid_t last = 0;
    while (last != 309) {
        last = lab.fork(lab.main);
        exit_and_reap(lab, last, lab.main);
    }
    // Pids 3..299 are free, but daemons started at boot keep the low numbers (RESERVED_PIDS).
    CHECK(lab.fork(lab.main) == 300);
    CHECK(lab.fork(lab.main) == 301);
}

TEST_CASE("a pid that is still the id of a process group is not reused after its leader is reaped")
{
    Lab lab{KernelConfig{.pid_max = 10}};
    pid_t const a = lab.fork(lab.main);
    REQUIRE(a == 3);
    REQUIRE(lab.k.setpgid(a, 0, 0));
    lab.check();
    pid_t const b = lab.fork(a);  // In process group 3.
    REQUIRE(b == 4);
    exit_and_reap(lab, a, lab.main);  // b is orphaned to init, still in group 3.
    CHECK_FALSE(lab.exists(a));
    CHECK(lab.k.getpgid(b, 0).value() == a);
    CHECK(lab.k.root_pid_ns().find(a) != nullptr);  // The number stays allocated.
    for (pid_t expect = 5; expect <= 9; ++expect)
        CHECK(lab.fork(lab.main) == expect);
    // 1..9 are all taken: 3 by the group, the others by processes.
    expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::PidMax, [&] { return lab.k.fork(lab.main); });
    exit_and_reap(lab, 5, lab.main);
    CHECK(lab.fork(lab.main) == 5);  // Not 3.
    lab.exit(b);  // The group's last member goes (init reaps it at once): 3 and 4 are free.
    CHECK_FALSE(lab.exists(b));
    CHECK(lab.k.root_pid_ns().find(a) == nullptr);
    CHECK(lab.fork(lab.main) == 3);
}

TEST_CASE("a pid that is still the id of a session is not reused after its leader is reaped")
{
    Lab lab{KernelConfig{.pid_max = 10}};
    pid_t const a = lab.fork(lab.main);
    REQUIRE(a == 3);
    REQUIRE(lab.k.setsid(a).value() == a);
    lab.check();
    pid_t const b = lab.fork(a);
    REQUIRE(b == 4);
    REQUIRE(lab.k.setpgid(b, 0, 0));  // Its own group: only the session still names 3.
    lab.check();
    exit_and_reap(lab, a, lab.main);
    CHECK(lab.k.getsid(b, 0).value() == a);
    CHECK(lab.k.getpgid(b, 0).value() == b);
    for (pid_t expect = 5; expect <= 9; ++expect)
        CHECK(lab.fork(lab.main) == expect);
    expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::PidMax, [&] { return lab.k.fork(lab.main); });
    lab.exit(b);
    CHECK(lab.fork(lab.main) == 3);
}

TEST_CASE("fork fails with EAGAIN when every pid below pid_max is taken, and works once pid_max is raised")
{
    Lab lab{KernelConfig{.pid_max = 5}};
    CHECK(lab.fork(lab.main) == 3);
    CHECK(lab.fork(lab.main) == 4);
    SUBCASE("fork")
    {
        expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::PidMax, [&] { return lab.k.fork(lab.main); });
    }
    SUBCASE("vfork")
    {
        expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::PidMax, [&] { return lab.k.vfork(lab.main); });
    }
    SUBCASE("a thread needs a pid too")
    {
        expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::PidMax,
            [&] { return lab.k.clone(lab.main, CloneArgs{kThreadFlags, 0}); });
    }
    SUBCASE("root is not exempt")
    {
        expect_fork_fails(lab, 1, EAGAIN, ForkFailure::PidMax, [&] { return lab.k.fork(1); });
    }
    // /proc/sys/kernel/pid_max is an administrator's knob: raising it makes room.
    CHECK(lab.k.set_pid_max(1).error().code() == EINVAL);
    lab.check();
    REQUIRE(lab.k.set_pid_max(6));
    lab.check();
    CHECK(lab.fork(lab.main) == 5);
}

// ================================================================================================
// copy_process(): each CLONE_ flag shares a resource; without it the child gets a copy
// ================================================================================================

TEST_CASE("CLONE_VM shares the address space, without it the child gets its own")
{
    Lab lab;
    Task const& parent = lab.task(lab.main);
    SUBCASE("shared")
    {
        pid_t const c = clone_ok(lab, lab.main, CLONE_VM);
        CHECK(lab.task(c).mm == parent.mm);
        CHECK(parent.mm->use_count() == 2);
        CHECK(parent.state == TaskState::Runnable);  // Only CLONE_VFORK makes the parent wait.
        lab.exit(c);
        CHECK(parent.mm->use_count() == 1);  // The child's reference went with it.
    }
    SUBCASE("copied")
    {
        pid_t const c = lab.fork(lab.main);
        CHECK(lab.task(c).mm != nullptr);
        CHECK(lab.task(c).mm != parent.mm);
        CHECK(parent.mm->use_count() == 1);
        CHECK(lab.task(c).mm->use_count() == 1);
    }
}

TEST_CASE("CLONE_FILES shares the fd table, without it the table is copied and the open files shared")
{
    Lab lab;
    Task const& parent = lab.task(lab.main);
    OpenFileDescription const* console = parent.files->fds.at(0).file.get();  // Held by no test ref.
    REQUIRE(console != nullptr);
    long const refs = long(console->use_count());
    SUBCASE("shared")
    {
        pid_t const c = clone_ok(lab, lab.main, CLONE_FILES);
        CHECK(lab.task(c).files == parent.files);
        CHECK(parent.files->use_count() == 2);
        CHECK(long(console->use_count()) == refs);  // One table, no new descriptors.
        // A descriptor the child opens appears in the parent.
        REQUIRE(lab.k.open(c, "/tmp/log", O_WRONLY | O_CREAT, 0644) == 3);
        lab.check();
        CHECK(parent.files->count_open() == 4);
    }
    SUBCASE("copied")
    {
        int const open_before = parent.files->count_open();
        pid_t const c = lab.fork(lab.main);
        FilesStruct const& table = *lab.task(c).files;
        CHECK(&table != parent.files.get());
        REQUIRE(table.fds.size() == parent.files->fds.size());
        for (std::size_t fd = 0; fd < table.fds.size(); ++fd) {
            CHECK(table.fds[fd].file == parent.files->fds[fd].file);  // The same open file description.
            CHECK(table.fds[fd].cloexec == parent.files->fds[fd].cloexec);
        }
        CHECK(long(console->use_count()) == refs + 3);  // fds 0, 1 and 2 of the copy.
        REQUIRE(lab.k.open(c, "/tmp/log", O_WRONLY | O_CREAT, 0644) == 3);
        lab.check();
        CHECK(parent.files->count_open() == open_before);
    }
}

TEST_CASE("CLONE_FS shares umask and cwd, without it they are copied")
{
    Lab lab;
    Task const& parent = lab.task(lab.main);
    REQUIRE(lab.k.umask(lab.main, 027));
    REQUIRE(lab.k.chdir(lab.main, "/home/student"));
    lab.check();
    SUBCASE("shared")
    {
        pid_t const c = clone_ok(lab, lab.main, CLONE_FS);
        CHECK(lab.task(c).fs == parent.fs);
        CHECK(parent.fs->use_count() == 2);
        REQUIRE(lab.k.chdir(c, "/tmp"));
        REQUIRE(lab.k.umask(c, 077));
        lab.check();
        CHECK(parent.fs->cwd == "/tmp");
        CHECK(parent.fs->umask == 077);
    }
    SUBCASE("copied")
    {
        pid_t const c = lab.fork(lab.main);
        FsStruct const& fs = *lab.task(c).fs;
        CHECK(&fs != parent.fs.get());
        CHECK(fs.cwd == "/home/student");
        CHECK(fs.umask == 027);
        CHECK(fs.root == parent.fs->root);
        REQUIRE(lab.k.chdir(c, "/tmp"));
        REQUIRE(lab.k.umask(c, 077));
        lab.check();
        CHECK(parent.fs->cwd == "/home/student");
        CHECK(parent.fs->umask == 027);
    }
}

TEST_CASE("CLONE_SIGHAND shares the signal dispositions, without it they are copied")
{
    Lab lab;
    Task const& parent = lab.task(lab.main);
    SigAction const handler{0x4000, sigbit(SIGUSR2), SA_RESTART};
    REQUIRE(lab.k.sigaction(lab.main, SIGUSR1, handler));
    lab.check();
    SUBCASE("shared")
    {
        pid_t const c = clone_ok(lab, lab.main, CLONE_SIGHAND | CLONE_VM);
        CHECK(lab.task(c).sighand == parent.sighand);
        CHECK(parent.sighand->use_count() == 2);
        REQUIRE(lab.k.sigaction(c, SIGUSR1, SigAction{kSigIgn, 0, 0}));
        lab.check();
        CHECK(lab.k.sigaction(lab.main, SIGUSR1, std::nullopt).value().handler == kSigIgn);
    }
    SUBCASE("copied")
    {
        pid_t const c = lab.fork(lab.main);
        CHECK(lab.task(c).sighand != parent.sighand);
        CHECK(lab.task(c).sighand->entries() == parent.sighand->entries());
        REQUIRE(lab.k.sigaction(c, SIGUSR1, SigAction{kSigIgn, 0, 0}));
        lab.check();
        CHECK(lab.k.sigaction(lab.main, SIGUSR1, std::nullopt).value() == handler);
    }
}

TEST_CASE("CLONE_THREAD makes a thread of the caller's process, without it the child is a new process")
{
    Lab lab;
    Task const& parent = lab.task(lab.main);
    SUBCASE("shared: a thread")
    {
        pid_t const t = spawn_thread(lab, lab.main);
        Task const& th = lab.task(t);
        CHECK(last_event_of(lab.k, EventKind::Fork).aux == std::uint8_t(ForkKind::Thread));
        CHECK(th.signal == parent.signal);
        CHECK(parent.signal->use_count() == 2);
        CHECK(parent.signal->nr_threads == 2);
        CHECK(th.tgid == lab.main);
        CHECK_FALSE(th.is_thread_group_leader());
        CHECK(th.group_leader == &parent);
        CHECK(lab.k.getpid(t).value() == lab.main);  // getpid() is the process id...
        CHECK(lab.k.gettid(t).value() == t);         // ...gettid() the thread's own.
        CHECK(lab.k.getppid(t).value() == 1);        // The process's parent.
        CHECK(th.real_parent == parent.real_parent);
        CHECK(th.exit_signal == -1);                 // Threads do not signal anyone when they exit.
        CHECK(parent.children.empty());              // A thread is nobody's child.
        CHECK(lab.k.nr_tasks() == 3);
    }
    SUBCASE("copied: a process")
    {
        pid_t const c = clone_ok(lab, lab.main, CLONE_SIGHAND | CLONE_VM);
        Task const& ch = lab.task(c);
        CHECK(last_event_of(lab.k, EventKind::Fork).aux == std::uint8_t(ForkKind::Clone));
        CHECK(ch.signal != parent.signal);
        CHECK(parent.signal->use_count() == 1);
        CHECK(ch.signal->nr_threads == 1);
        CHECK(ch.signal->rlim == parent.signal->rlim);
        CHECK(ch.signal->pgrp == parent.signal->pgrp);
        CHECK(ch.signal->session == parent.signal->session);
        CHECK(ch.tgid == c);
        CHECK(ch.is_thread_group_leader());
        CHECK(lab.k.getpid(c).value() == c);
        CHECK(lab.k.getppid(c).value() == lab.main);
        CHECK(ch.exit_signal == SIGCHLD);
    }
}

TEST_CASE("CLONE_VFORK suspends the parent until the child lets go of it, without it both run")
{
    Lab lab;
    SUBCASE("with CLONE_VFORK")
    {
        pid_t const c = clone_ok(lab, lab.main, CLONE_VFORK | CLONE_VM);
        CHECK(lab.task(lab.main).state == TaskState::Blocked);
        CHECK(lab.task(lab.main).blocked_on == BlockReason::Vfork);
        CHECK(lab.task(c).vfork_parent == &lab.task(lab.main));
        CHECK(last_event(lab.k).kind == EventKind::Blocked);
        lab.exit(c);
        CHECK(lab.task(lab.main).state == TaskState::Runnable);
    }
    SUBCASE("with CLONE_VFORK but its own copy of the memory")
    {
        pid_t const c = clone_ok(lab, lab.main, CLONE_VFORK);
        CHECK(lab.task(c).mm != lab.task(lab.main).mm);
        CHECK(lab.task(lab.main).blocked_on == BlockReason::Vfork);
        lab.exit(c);
        CHECK(lab.task(lab.main).state == TaskState::Runnable);
    }
    SUBCASE("without")
    {
        pid_t const c = clone_ok(lab, lab.main, CLONE_VM);
        CHECK(lab.task(lab.main).state == TaskState::Runnable);
        CHECK(lab.task(c).vfork_parent == nullptr);
        CHECK(lab.k.getpid(lab.main).value() == lab.main);
    }
}

TEST_CASE("CLONE_PARENT makes the child its creator's sibling, without it the creator is the parent")
{
    Lab lab;
    pid_t const parent = lab.fork(lab.main);  // So that the grandparent is not init.
    SUBCASE("with CLONE_PARENT")
    {
        // The exit signal asked for is ignored: the sibling signals like its creator (kernel/fork.c).
        pid_t const c = clone_ok(lab, parent, CLONE_PARENT, SIGUSR1);
        CHECK(lab.task(c).real_parent == &lab.task(lab.main));
        CHECK(lab.k.getppid(c).value() == lab.main);
        CHECK(lab.task(c).exit_signal == SIGCHLD);
        CHECK(lab.task(parent).children.empty());
        auto w = lab.k.wait4(parent, c, WNOHANG);
        lab.check();
        REQUIRE_FALSE(w);
        CHECK(w.error().code() == ECHILD);  // Not the creator's child.
        lab.exit(c);
        CHECK(lab.reap(lab.main, c).pid == c);
    }
    SUBCASE("without")
    {
        pid_t const c = clone_ok(lab, parent, 0, SIGUSR1);
        CHECK(lab.task(c).real_parent == &lab.task(parent));
        CHECK(lab.k.getppid(c).value() == parent);
        CHECK(lab.task(c).exit_signal == SIGUSR1);
    }
}

TEST_CASE("clone refuses inconsistent or unknown flags with EINVAL and leaves no trace")
{
    Lab lab;
    auto bad = [&](pid_t caller, CloneArgs args) {
        expect_fork_fails(lab, caller, EINVAL, ForkFailure::BadFlags, [&] { return lab.k.clone(caller, args); });
    };
    // clone(2): "CLONE_THREAD was specified in flags, but CLONE_SIGHAND was not."
    SUBCASE("CLONE_THREAD without CLONE_SIGHAND") { bad(lab.main, {CLONE_THREAD | CLONE_VM, 0}); }
    // clone(2): "CLONE_SIGHAND was specified in flags, but CLONE_VM was not."
    SUBCASE("CLONE_SIGHAND without CLONE_VM") { bad(lab.main, {CLONE_SIGHAND, SIGCHLD}); }
    SUBCASE("CLONE_THREAD | CLONE_SIGHAND without CLONE_VM") { bad(lab.main, {CLONE_THREAD | CLONE_SIGHAND, 0}); }
    // clone(2): "CLONE_PARENT was specified, and the caller is an init process."
    SUBCASE("CLONE_PARENT from init") { bad(1, {CLONE_PARENT, SIGCHLD}); }
    SUBCASE("CLONE_PARENT from the init of a pid namespace")
    {
        pid_t const r = root_process(lab);
        pid_t const ns_init = clone_ok(lab, r, CLONE_NEWPID);
        bad(ns_init, {CLONE_PARENT, SIGCHLD});
    }
    // clone(2): "Both CLONE_THREAD and CLONE_NEWPID were specified" -- even by root.
    SUBCASE("CLONE_THREAD with CLONE_NEWPID")
    {
        pid_t const r = root_process(lab);
        bad(r, {kThreadFlags | CLONE_NEWPID, 0});
    }
    // clone3(): flag bits it does not know, and signal numbers in the flags (CSIGNAL), are EINVAL.
    SUBCASE("an unknown flag bit") { bad(lab.main, {std::uint64_t(1) << 40, SIGCHLD}); }
    SUBCASE("a signal number in the flags") { bad(lab.main, {SIGCHLD, SIGCHLD}); }
    // clone3(): the exit signal must be a valid signal number (0 for none).
    SUBCASE("an exit signal above _NSIG") { bad(lab.main, {0, kNSig + 1}); }
    SUBCASE("a negative exit signal") { bad(lab.main, {0, -1}); }
}

// ================================================================================================
// The limits: each fails with Linux's errno, where Linux checks it, and leaves nothing behind
// ================================================================================================

TEST_CASE("RLIMIT_NPROC counts every task of the real uid, zombies and threads included: EAGAIN at the limit")
{
    Lab lab;
    REQUIRE(lab.k.prlimit(lab.main, 0, RLIMIT_NPROC, Rlimit{4, 4}));
    lab.check();
    pid_t const zombie = lab.fork(lab.main);
    lab.exit(zombie);  // Not reaped: still counted.
    REQUIRE(lab.task(zombie).is_zombie());
    pid_t const thread = spawn_thread(lab, lab.main);
    pid_t const live = lab.fork(lab.main);
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == 4);
    expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::Nproc, [&] { return lab.k.fork(lab.main); });
    expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::Nproc, [&] { return lab.k.vfork(lab.main); });
    expect_fork_fails(lab, thread, EAGAIN, ForkFailure::Nproc, [&] { return lab.k.fork(thread); });
    expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::Nproc,
        [&] { return lab.k.clone(lab.main, CloneArgs{kThreadFlags, 0}); });
    // The child inherited the limit: it is refused too.
    expect_fork_fails(lab, live, EAGAIN, ForkFailure::Nproc, [&] { return lab.k.fork(live); });
    // Reaping the zombie makes room for one.
    CHECK(lab.reap(lab.main, zombie).pid == zombie);
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == 3);
    pid_t const again = lab.fork(lab.main);
    CHECK(lab.task(again).cred.uid == Lab::kStudent);
    expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::Nproc, [&] { return lab.k.fork(lab.main); });
}

TEST_CASE("RLIMIT_NPROC counts the uid's processes anywhere in the system, not only the caller's descendants")
{
    Lab lab;
    pid_t const other = lab.fork(1);
    REQUIRE(lab.k.setuid(other, Lab::kStudent));  // Another login of the same user.
    lab.check();
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == 2);
    REQUIRE(lab.k.prlimit(lab.main, 0, RLIMIT_NPROC, Rlimit{2, 2}));
    lab.check();
    expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::Nproc, [&] { return lab.k.fork(lab.main); });
    lab.exit(other);  // init reaps it at once.
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == 1);
    lab.fork(lab.main);
}

TEST_CASE("root is exempt from RLIMIT_NPROC")
{
    Lab lab;
    pid_t const r = root_process(lab);
    REQUIRE(lab.k.prlimit(r, 0, RLIMIT_NPROC, Rlimit{0, 0}));
    lab.check();
    pid_t const c = lab.fork(r);
    pid_t const g = lab.fork(c);
    CHECK(lab.task(g).cred.uid == 0);
    CHECK(lab.task(g).signal->rlim[RLIMIT_NPROC].cur == 0);
    // The same limit on a user's process refuses its fork, even its first.
    pid_t const user = lab.fork(r);
    REQUIRE(lab.k.setuid(user, Lab::kStudent));
    lab.check();
    expect_fork_fails(lab, user, EAGAIN, ForkFailure::Nproc, [&] { return lab.k.fork(user); });
}

TEST_CASE("threads-max caps the number of tasks on the system, root included: EAGAIN")
{
    Lab lab;
    // Linux accepts 20 .. FUTEX_TID_MASK in /proc/sys/kernel/threads-max.
    CHECK(lab.k.set_threads_max(19).error().code() == EINVAL);
    lab.check();
    REQUIRE(lab.k.set_threads_max(20));
    lab.check();
    std::vector<pid_t> kids;
    for (int i = 0; i < 9; ++i) {
        kids.push_back(lab.fork(lab.main));
        spawn_thread(lab, lab.main);
    }
    REQUIRE(lab.k.nr_tasks() == 20);
    expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::ThreadsMax, [&] { return lab.k.fork(lab.main); });
    expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::ThreadsMax,
        [&] { return lab.k.clone(lab.main, CloneArgs{kThreadFlags, 0}); });
    expect_fork_fails(lab, 1, EAGAIN, ForkFailure::ThreadsMax, [&] { return lab.k.fork(1); });
    exit_and_reap(lab, kids.front(), lab.main);
    lab.fork(lab.main);
}

TEST_CASE("pids.max of the caller's cgroup or any ancestor refuses a fork with EAGAIN and counts it there")
{
    Lab lab;
    REQUIRE(lab.k.cgroup_mkdir("/lab"));
    REQUIRE(lab.k.cgroup_mkdir("/lab/box"));
    lab.check();
    Cgroup const& outer = *lab.k.find_cgroup("/lab");
    Cgroup const& inner = *lab.k.find_cgroup("/lab/box");
    REQUIRE(lab.k.cgroup_attach(lab.main, "/lab/box"));
    lab.check();
    CHECK(inner.pids_current == 1);
    CHECK(outer.pids_current == 1);  // Hierarchical: a cgroup counts its descendants' tasks.
    SUBCASE("the limit of an ancestor cgroup")
    {
        REQUIRE(lab.k.cgroup_set_pids_max("/lab", 3));
        lab.check();
        pid_t const a = lab.fork(lab.main);
        CHECK(lab.task(a).cgroup == &inner);  // The child starts in its parent's cgroup.
        spawn_thread(lab, lab.main);          // A thread is a task: it is charged too.
        CHECK(outer.pids_current == 3);
        expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::PidsCgroup, [&] { return lab.k.fork(lab.main); });
        CHECK(outer.pids_events_max == 1);  // Counted on the cgroup whose limit said no...
        CHECK(inner.pids_events_max == 0);  // ...not on the one below it that has no limit.
        // A zombie stays charged until it is reaped.
        lab.exit(a);
        CHECK(outer.pids_current == 3);
        expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::PidsCgroup, [&] { return lab.k.fork(lab.main); });
        CHECK(outer.pids_events_max == 2);
        CHECK(lab.reap(lab.main, a).pid == a);
        CHECK(outer.pids_current == 2);
        lab.fork(lab.main);
    }
    SUBCASE("the limit of the caller's own cgroup")
    {
        REQUIRE(lab.k.cgroup_set_pids_max("/lab/box", 2));
        lab.check();
        lab.fork(lab.main);
        expect_fork_fails(lab, lab.main, EAGAIN, ForkFailure::PidsCgroup, [&] { return lab.k.fork(lab.main); });
        CHECK(inner.pids_events_max == 1);
        CHECK(outer.pids_current == 2);
    }
    SUBCASE("root is not exempt")
    {
        REQUIRE(lab.k.cgroup_set_pids_max("/lab/box", 1));
        lab.check();
        pid_t const r = root_process(lab);
        REQUIRE(lab.k.cgroup_attach(r, "/lab/box"));  // Migration ignores pids.max, as in Linux.
        lab.check();
        CHECK(inner.pids_current == 2);
        expect_fork_fails(lab, r, EAGAIN, ForkFailure::PidsCgroup, [&] { return lab.k.fork(r); });
        CHECK(inner.pids_events_max == 1);
    }
}

TEST_CASE("a fork in a pid namespace whose init has exited fails with ENOMEM")
{
    Lab lab;
    pid_t const r = root_process(lab);
    pid_t const ns_init = clone_ok(lab, r, CLONE_NEWPID);
    CHECK(lab.fork(ns_init) == 2);  // Pid 2 in the new namespace.
    pid_t const member = newest_child(lab, ns_init);
    lab.exit(ns_init);  // zap_pid_ns_processes(): no process may join the namespace any more.
    CHECK(lab.task(ns_init).blocked_on == BlockReason::PidNsZap);
    REQUIRE_FALSE(lab.task(member).exiting);  // Killed, but it has not yet run to die.
    // fork(2): "An attempt was made to create a child process in a PID namespace whose init
    // process has terminated."
    expect_fork_fails(lab, member, ENOMEM, ForkFailure::PidNsDead, [&] { return lab.k.fork(member); });
    // The member still dies of the SIGKILL it was sent; then the namespace's init finishes dying.
    lab.run(member);
    CHECK_FALSE(lab.exists(member));
    CHECK(lab.task(ns_init).is_zombie());
}

TEST_CASE("CLONE_NEWPID needs privilege: a normal user gets EPERM")
{
    Lab lab;
    expect_fork_fails(lab, lab.main, EPERM, ForkFailure::NewPidNsPerm,
        [&] { return lab.k.clone(lab.main, CloneArgs{CLONE_NEWPID, SIGCHLD}); });
}

TEST_CASE("a SCHED_DEADLINE process cannot fork unless it set reset-on-fork")
{
    Lab lab;
    pid_t const r = root_process(lab);
    DeadlineParams params{.runtime_ns = 10'000, .deadline_ns = 100'000, .period_ns = 100'000};
    CHECK(lab.k.set_deadline_policy(lab.main, 0, params).error().code() == EPERM);  // Needs CAP_SYS_NICE.
    lab.check();
    SUBCASE("without reset-on-fork: EAGAIN")
    {
        REQUIRE(lab.k.set_deadline_policy(r, 0, params));
        lab.check();
        // fork(2): "The caller is operating under the SCHED_DEADLINE scheduling policy and does
        // not have the reset-on-fork flag set."
        expect_fork_fails(lab, r, EAGAIN, ForkFailure::Deadline, [&] { return lab.k.fork(r); });
        expect_fork_fails(lab, r, EAGAIN, ForkFailure::Deadline, [&] { return lab.k.vfork(r); });
    }
    SUBCASE("with reset-on-fork: the child is SCHED_OTHER")
    {
        params.reset_on_fork = true;
        REQUIRE(lab.k.set_deadline_policy(r, 0, params));
        lab.check();
        pid_t const c = lab.fork(r);
        CHECK(lab.k.sched_getscheduler(c, 0).value() == SCHED_OTHER);
        CHECK_FALSE(lab.task(c).sched_reset_on_fork);
        CHECK(lab.k.sched_getscheduler(r, 0).value() == (SCHED_DEADLINE | SCHED_RESET_ON_FORK));
    }
}

// ================================================================================================
// The child, attribute by attribute (fork(2), DESCRIPTION and NOTES)
// ================================================================================================

TEST_CASE("the child has a new pid of its own and its parent's pid as its parent pid")
{
    Lab lab;
    std::size_t const before = lab.k.events().size();
    pid_t const c = lab.fork(lab.main);
    Task const& ch = lab.task(c);
    CHECK(c != lab.main);
    CHECK(ch.pid == c);
    CHECK(ch.tgid == c);
    CHECK(lab.k.getpid(c).value() == c);
    CHECK(lab.k.getppid(c).value() == lab.main);
    CHECK(ch.real_parent == &lab.task(lab.main));
    CHECK(&lab.task(lab.main).children.back() == &ch);
    // The child does not match any existing process group id (fork(2)): it is not a leader.
    CHECK(lab.k.root_pid_ns().find(c)->pgrp_members.empty());
    CHECK(lab.k.root_pid_ns().find(c)->session_members.empty());
    CHECK(ch.state == TaskState::Runnable);
    CHECK(lab.task(lab.main).state == TaskState::Runnable);  // fork does not make the parent wait.
    CHECK(lab.k.counters().forks == 2);  // The fixture's fork and this one.
    // Two events: the fork, and what copying the address space cost (mm-copy).
    REQUIRE(lab.k.events().size() == before + 2);
    CHECK(last_event(lab.k).kind == EventKind::MmDup);
    CHECK(last_event(lab.k).other == c);
    Event const e = lab.k.events()[before];
    CHECK(e.kind == EventKind::Fork);
    CHECK(int(e.aux) == int(ForkKind::Fork));
    CHECK(e.pid == lab.main);
    CHECK(e.other == c);
}

TEST_CASE("the child's resource usage and its children's usage start at zero")
{
    Lab lab;
    Task* m = lab.k.find_task_mut(lab.main);
    m->rusage = Rusage{.utime_ns = 5'000, .stime_ns = 7'000, .minflt = 3, .majflt = 1, .nvcsw = 2, .nivcsw = 4};
    m->signal->children_usage = Rusage{.utime_ns = 9'000};
    lab.check();
    pid_t const c = lab.fork(lab.main);
    CHECK(lab.task(c).rusage == Rusage{});
    CHECK(lab.task(c).signal->children_usage == Rusage{});
    CHECK(lab.task(lab.main).rusage.utime_ns == 5'000);
}

TEST_CASE("the child's set of pending signals is empty, even of signals pending and blocked in the parent")
{
    Lab lab;
    REQUIRE(lab.k.sigprocmask(lab.main, SIG_BLOCK, sigbit(SIGUSR1) | sigbit(SIGUSR2)));
    lab.check();
    lab.kill(lab.main, lab.main, SIGUSR1);  // Process-directed, held pending by the mask.
    lab.k.find_task_mut(lab.main)->pending |= sigbit(SIGUSR2);  // Thread-directed (tgkill).
    lab.check();
    REQUIRE(lab.k.sigpending(lab.main).value() == (sigbit(SIGUSR1) | sigbit(SIGUSR2)));
    pid_t const c = lab.fork(lab.main);
    CHECK(lab.k.sigpending(c).value() == 0);
    CHECK(lab.task(c).pending == 0);
    CHECK(lab.task(c).signal->shared_pending == 0);
    CHECK(lab.k.sigpending(lab.main).value() == (sigbit(SIGUSR1) | sigbit(SIGUSR2)));
    // Unblocked, nothing arrives in the child.
    REQUIRE(lab.k.sigprocmask(c, SIG_SETMASK, SigSet{0}));
    lab.check();
    CHECK_FALSE(lab.run(c).has_value());
    CHECK(lab.exists(c));
}

TEST_CASE("the child inherits no alarm, no interval timers and no POSIX timers")
{
    Lab lab;
    REQUIRE(lab.k.alarm(lab.main, 100).value() == 0);
    REQUIRE(lab.k.setitimer(lab.main, ITIMER_VIRTUAL, 5'000'000'000, 1'000'000'000));
    REQUIRE(lab.k.setitimer(lab.main, ITIMER_PROF, 3'000'000'000, 0));
    int const timer = lab.k.timer_create(lab.main, SIGUSR1).value();
    REQUIRE(lab.k.timer_settime(lab.main, timer, 2'000'000'000, 0));
    lab.check();
    pid_t const c = lab.fork(lab.main);
    SignalStruct const& sig = *lab.task(c).signal;
    for (int which : {ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF}) {
        CAPTURE(which);
        CHECK(sig.itimers[which].expires_ns == 0);
        CHECK(sig.itimers[which].interval_ns == 0);
    }
    CHECK(sig.posix_timers.empty());
    CHECK(lab.k.alarm(c, 0).value() == 0);  // No alarm was pending in the child.
    lab.check();
    auto settime = lab.k.timer_settime(c, timer, 1'000'000'000, 0);
    lab.check();
    REQUIRE_FALSE(settime);
    CHECK(settime.error().code() == EINVAL);  // The parent's timer id means nothing in the child.
    // The parent's timers are untouched.
    CHECK(lab.k.alarm(lab.main, 0).value() == 100);
    lab.check();
    CHECK(lab.task(lab.main).signal->posix_timers.size() == 1);
    CHECK(lab.task(lab.main).signal->itimers[ITIMER_VIRTUAL].interval_ns == 1'000'000'000);
}

TEST_CASE("the child has no semaphore adjustments of its own unless CLONE_SYSVSEM")
{
    Lab lab;
    lab.k.find_task_mut(lab.main)->sysvsem_undo = {SemUndo{.semid = 7, .semnum = 0, .adj = -1}};
    lab.check();
    SUBCASE("fork: reset")
    {
        pid_t const c = lab.fork(lab.main);
        CHECK(lab.task(c).sysvsem_undo.empty());
        CHECK(lab.task(lab.main).sysvsem_undo.size() == 1);
    }
    SUBCASE("CLONE_SYSVSEM: the parent's adjustments")
    {
        pid_t const c = clone_ok(lab, lab.main, CLONE_SYSVSEM);
        REQUIRE(lab.task(c).sysvsem_undo.size() == 1);
        CHECK(lab.task(c).sysvsem_undo[0].semid == 7);
        CHECK(lab.task(c).sysvsem_undo[0].adj == -1);
    }
}

TEST_CASE("the child does not inherit memory locks: mlockall(MCL_FUTURE) is off in its copy")
{
    Lab lab;
    REQUIRE(lab.k.mlockall(lab.main, MCL_FUTURE));
    lab.check();
    SUBCASE("fork copies the address space without the lock")
    {
        pid_t const c = lab.fork(lab.main);
        CHECK_FALSE(lab.task(c).mm->lock_future());
        CHECK(lab.task(lab.main).mm->lock_future());
    }
    SUBCASE("vfork shares the very same, still locked, address space")
    {
        pid_t const c = lab.k.vfork(lab.main).value();
        lab.check();
        CHECK(lab.task(c).mm == lab.task(lab.main).mm);
        CHECK(lab.task(c).mm->lock_future());
        lab.exit(c);
    }
}

TEST_CASE("the child's parent-death signal is cleared")
{
    Lab lab;
    REQUIRE(lab.k.prctl(lab.main, PR_SET_PDEATHSIG, SIGTERM));
    lab.check();
    pid_t const c = lab.fork(lab.main);
    CHECK(lab.k.prctl(c, PR_GET_PDEATHSIG).value() == 0);
    CHECK(lab.task(c).pdeath_signal == 0);
    pid_t const t = spawn_thread(lab, lab.main);
    CHECK(lab.k.prctl(t, PR_GET_PDEATHSIG).value() == 0);  // Cleared for a thread too.
    CHECK(lab.k.prctl(lab.main, PR_GET_PDEATHSIG).value() == SIGTERM);
    lab.check();
}

TEST_CASE("the child of a subreaper is not a subreaper but knows that an ancestor is")
{
    Lab lab;
    pid_t const plain = lab.fork(lab.main);
    CHECK_FALSE(lab.task(plain).signal->has_child_subreaper);
    REQUIRE(lab.k.prctl(lab.main, PR_SET_CHILD_SUBREAPER, 1));
    lab.check();
    pid_t const c = lab.fork(lab.main);
    CHECK(lab.k.prctl(c, PR_GET_CHILD_SUBREAPER).value() == 0);
    CHECK_FALSE(lab.task(c).signal->is_child_subreaper);
    CHECK(lab.task(c).signal->has_child_subreaper);
    pid_t const g = lab.fork(c);
    CHECK(lab.task(g).signal->has_child_subreaper);  // Passed on to every descendant.
    CHECK(lab.k.prctl(lab.main, PR_GET_CHILD_SUBREAPER).value() == 1);
    lab.check();
    // What it is for: the orphan goes to the subreaper, not to init.
    lab.exit(c);
    CHECK(lab.task(g).real_parent == &lab.task(lab.main));
}

TEST_CASE("SCHED_RESET_ON_FORK: the child starts as SCHED_OTHER with nice 0, and the flag is not inherited")
{
    Lab lab;
    pid_t const r = root_process(lab);  // Real-time policies and negative nice need privilege.
    SUBCASE("a real-time policy is reset, and its nice with it")
    {
        REQUIRE(lab.k.setpriority(r, 0, -5));
        REQUIRE(lab.k.sched_setscheduler(r, 0, SCHED_FIFO | SCHED_RESET_ON_FORK, 10));
        lab.check();
        pid_t const c = lab.fork(r);
        CHECK(lab.k.sched_getscheduler(c, 0).value() == SCHED_OTHER);
        CHECK(lab.task(c).rt_priority == 0);
        CHECK(lab.k.getpriority(c, 0).value() == 0);
        CHECK_FALSE(lab.task(c).sched_reset_on_fork);
        CHECK(lab.k.sched_getscheduler(r, 0).value() == (SCHED_FIFO | SCHED_RESET_ON_FORK));
        CHECK(lab.task(r).rt_priority == 10);
        CHECK(lab.k.getpriority(r, 0).value() == -5);
    }
    SUBCASE("a negative nice is reset to 0")
    {
        REQUIRE(lab.k.setpriority(r, 0, -5));
        REQUIRE(lab.k.sched_setscheduler(r, 0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0));
        lab.check();
        pid_t const c = lab.fork(r);
        CHECK(lab.k.getpriority(c, 0).value() == 0);
        CHECK_FALSE(lab.task(c).sched_reset_on_fork);
        CHECK(lab.k.getpriority(r, 0).value() == -5);
    }
    SUBCASE("a positive nice is kept")
    {
        REQUIRE(lab.k.setpriority(r, 0, 5));
        REQUIRE(lab.k.sched_setscheduler(r, 0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0));
        lab.check();
        pid_t const c = lab.fork(r);
        CHECK(lab.k.getpriority(c, 0).value() == 5);
        CHECK_FALSE(lab.task(c).sched_reset_on_fork);
    }
    SUBCASE("without the flag the real-time policy is inherited")
    {
        REQUIRE(lab.k.sched_setscheduler(r, 0, SCHED_RR, 20));
        lab.check();
        pid_t const c = lab.fork(r);
        CHECK(lab.k.sched_getscheduler(c, 0).value() == SCHED_RR);
        CHECK(lab.task(c).rt_priority == 20);
    }
    lab.check();
}

TEST_CASE("the child inherits the signal dispositions and the signal mask")
{
    Lab lab;
    SigAction const handler{0x4000, sigbit(SIGUSR2), SA_RESTART};
    REQUIRE(lab.k.sigaction(lab.main, SIGUSR1, handler));
    REQUIRE(lab.k.sigaction(lab.main, SIGINT, SigAction{kSigIgn, 0, 0}));
    REQUIRE(lab.k.sigprocmask(lab.main, SIG_BLOCK, sigbit(SIGTERM) | sigbit(SIGHUP)));
    lab.check();
    pid_t const c = lab.fork(lab.main);
    CHECK(lab.k.sigaction(c, SIGUSR1, std::nullopt).value() == handler);
    CHECK(lab.k.sigaction(c, SIGINT, std::nullopt).value().handler == kSigIgn);
    CHECK(lab.k.sigaction(c, SIGQUIT, std::nullopt).value().handler == kSigDfl);
    CHECK(lab.k.sigprocmask(c, SIG_BLOCK, std::nullopt).value() == (sigbit(SIGTERM) | sigbit(SIGHUP)));
    lab.check();
    // An ignored signal stays ignored in the child (how nohup works).
    lab.kill(lab.main, c, SIGINT);
    CHECK_FALSE(lab.run(c).has_value());
    CHECK(lab.exists(c));
    CHECK_FALSE(lab.task(c).is_zombie());
}

TEST_CASE("the child inherits the resource limits and the credentials")
{
    Lab lab;
    REQUIRE(lab.k.prlimit(lab.main, 0, RLIMIT_NOFILE, Rlimit{256, 512}));
    REQUIRE(lab.k.prlimit(lab.main, 0, RLIMIT_CORE, Rlimit{0, 0}));
    lab.check();
    pid_t const c = lab.fork(lab.main);
    CHECK(lab.task(c).signal->rlim == lab.task(lab.main).signal->rlim);
    Rlimit const nofile{256, 512};
    CHECK(lab.k.prlimit(c, 0, RLIMIT_NOFILE, std::nullopt).value() == nofile);
    // Separate copies: the child lowering its limit does not lower the parent's.
    REQUIRE(lab.k.prlimit(c, 0, RLIMIT_NOFILE, Rlimit{128, 512}));
    lab.check();
    CHECK(lab.k.prlimit(lab.main, 0, RLIMIT_NOFILE, std::nullopt).value() == nofile);
    Credentials const& p = lab.task(lab.main).cred;
    Credentials const& ch = lab.task(c).cred;
    CHECK(ch.uid == p.uid);
    CHECK(ch.euid == p.euid);
    CHECK(ch.suid == p.suid);
    CHECK(ch.gid == p.gid);
    CHECK(ch.egid == p.egid);
    CHECK(ch.sgid == p.sgid);
    CHECK(ch.uid == Lab::kStudent);
    CHECK(lab.k.nr_processes_of(Lab::kStudent) == 2);  // Counted for its real uid.
    lab.check();
}

TEST_CASE("the child inherits its process group, session, nice value, umask and working directory")
{
    Lab lab;
    REQUIRE(lab.k.setsid(lab.main));
    REQUIRE(lab.k.setpriority(lab.main, 0, 7));
    REQUIRE(lab.k.umask(lab.main, 027));
    REQUIRE(lab.k.chdir(lab.main, "/home/student"));
    REQUIRE(lab.k.set_name(lab.main, "puzzle"));
    lab.check();
    pid_t const c = lab.fork(lab.main);
    CHECK(lab.k.getpgid(c, 0).value() == lab.main);
    CHECK(lab.k.getsid(c, 0).value() == lab.main);
    CHECK_FALSE(lab.task(c).signal->leader);  // Session leadership is not inherited.
    CHECK(lab.k.getpriority(c, 0).value() == 7);
    CHECK(lab.k.umask(c, 022).value() == 027);
    CHECK(lab.task(c).fs->cwd == "/home/student");
    CHECK(lab.task(c).name() == "puzzle");
    CHECK(lab.task(c).policy == SCHED_OTHER);
    lab.check();
}

TEST_CASE("the child inherits the environment, and setenv in either does not change the other")
{
    Lab lab;
    REQUIRE(lab.k.setenv(lab.main, "GREETING", "hello"));
    lab.check();
    pid_t const c = lab.fork(lab.main);
    CHECK(lab.task(c).env.entries() == lab.task(lab.main).env.entries());
    CHECK(lab.task(c).env.get("GREETING") == "hello");
    CHECK(lab.task(c).env.get("PATH") == "/bin:/usr/bin");  // From init, through main.
    REQUIRE(lab.k.setenv(c, "GREETING", "bye"));
    lab.check();
    CHECK(lab.task(lab.main).env.get("GREETING") == "hello");
    REQUIRE(lab.k.unsetenv(lab.main, "PATH"));
    lab.check();
    CHECK(lab.task(c).env.get("PATH") == "/bin:/usr/bin");
    CHECK(lab.task(c).env.get("GREETING") == "bye");
}

TEST_CASE("the child inherits the timer slack, and its default slack is the parent's current slack")
{
    Lab lab;
    REQUIRE(lab.k.prctl(lab.main, PR_SET_TIMERSLACK, 123'456));
    lab.check();
    pid_t const c = lab.fork(lab.main);
    CHECK(lab.k.prctl(c, PR_GET_TIMERSLACK).value() == 123'456);
    CHECK(lab.task(c).default_timer_slack_ns == 123'456);
    // prctl(2): setting 0 restores the default, which for the child is what the parent had.
    REQUIRE(lab.k.prctl(c, PR_SET_TIMERSLACK, 0));
    lab.check();
    CHECK(lab.k.prctl(c, PR_GET_TIMERSLACK).value() == 123'456);
    REQUIRE(lab.k.prctl(lab.main, PR_SET_TIMERSLACK, 0));
    lab.check();
    CHECK(lab.k.prctl(lab.main, PR_GET_TIMERSLACK).value() == 50'000);
}

TEST_CASE("the child's termination signal is SIGCHLD for fork and vfork, and what clone asks for")
{
    Lab lab;
    CHECK(lab.task(lab.fork(lab.main)).exit_signal == SIGCHLD);
    pid_t const v = lab.k.vfork(lab.main).value();
    lab.check();
    CHECK(lab.task(v).exit_signal == SIGCHLD);
    lab.exit(v);
    CHECK(lab.task(clone_ok(lab, lab.main, 0, SIGUSR1)).exit_signal == SIGUSR1);
    CHECK(lab.task(clone_ok(lab, lab.main, 0, 0)).exit_signal == 0);
}

TEST_CASE("fork in a multi-threaded process creates a child with a single thread")
{
    Lab lab;
    pid_t const t1 = spawn_thread(lab, lab.main);
    spawn_thread(lab, lab.main);
    REQUIRE(lab.task(lab.main).signal->nr_threads == 3);
    pid_t const c = lab.fork(t1);  // fork(2): the child has the one thread that called fork.
    Task const& ch = lab.task(c);
    CHECK(ch.signal->nr_threads == 1);
    CHECK(std::distance(ch.signal->thread_head.begin(), ch.signal->thread_head.end()) == 1);
    CHECK(&ch.signal->thread_head.front() == &ch);
    CHECK(ch.is_thread_group_leader());
    CHECK(ch.tgid == c);
    CHECK(lab.task(lab.main).signal->nr_threads == 3);
    CHECK(lab.k.getppid(c).value() == lab.main);  // The parent is the process.
    // Any thread of the process may wait for it.
    lab.exit(c);
    CHECK(lab.reap(lab.main, c).pid == c);
}

// ================================================================================================
// vfork(): the parent is suspended while the child borrows its address space
// ================================================================================================

TEST_CASE("vfork suspends the parent, which can make no system call, until the child execs")
{
    Lab lab;
    pid_t const c = lab.k.vfork(lab.main).value();
    lab.check();
    Task const& parent = lab.task(lab.main);
    CHECK(last_event_of(lab.k, EventKind::Fork).aux == std::uint8_t(ForkKind::Vfork));
    CHECK(parent.state == TaskState::Blocked);
    CHECK(parent.blocked_on == BlockReason::Vfork);
    CHECK(lab.task(c).mm == parent.mm);  // The child runs in the parent's memory.
    CHECK(parent.mm->use_count() == 2);
    CHECK(lab.k.getppid(c).value() == lab.main);
    // A sleeping task executes no statements: a client asking for one has a bug, told EBUSY.
    auto f = lab.k.fork(lab.main);
    lab.check();
    REQUIRE_FALSE(f);
    CHECK(f.error().code() == EBUSY);
    auto g = lab.k.getpid(lab.main);
    lab.check();
    REQUIRE_FALSE(g);
    CHECK(g.error().code() == EBUSY);
    // The child's exec gives it a new address space and releases the parent.
    REQUIRE(lab.k.begin_new_exec(c, "/bin/echo"));
    lab.check();
    CHECK(parent.state == TaskState::Runnable);
    CHECK(lab.task(c).mm != parent.mm);
    CHECK(parent.mm->use_count() == 1);
    Event const woken = last_event_of(lab.k, EventKind::Woken);
    CHECK(woken.pid == lab.main);
    CHECK(int(woken.aux) == int(BlockReason::Vfork));
    CHECK(lab.k.getpid(lab.main).value() == lab.main);
    lab.check();
}

TEST_CASE("vfork suspends the parent until the child exits, if it never execs")
{
    Lab lab;
    pid_t const c = lab.k.vfork(lab.main).value();
    lab.check();
    REQUIRE(lab.task(lab.main).blocked_on == BlockReason::Vfork);
    pid_t const g = lab.fork(c);  // The child may itself fork: that does not release the parent.
    CHECK(lab.task(lab.main).state == TaskState::Blocked);
    CHECK(lab.task(g).mm != lab.task(lab.main).mm);
    lab.exit(c);
    CHECK(lab.task(lab.main).state == TaskState::Runnable);
    CHECK(lab.task(lab.main).mm->use_count() == 1);
    CHECK(lab.reap(lab.main, c).pid == c);
}

// ================================================================================================
// CLONE_NEWPID: the child is init of a new pid namespace
// ================================================================================================

TEST_CASE("a child in a new pid namespace is pid 1 there, sees parent pid 0, and its parent sees its outer pid")
{
    Lab lab;
    pid_t const r = root_process(lab);
    pid_t const c = clone_ok(lab, r, CLONE_NEWPID);
    Task const& ch = lab.task(c);  // Tests name tasks by their root-namespace pid.
    CHECK(ch.pid == c);
    CHECK(c != 1);
    CHECK(lab.k.getpid(c).value() == 1);
    CHECK(lab.k.gettid(c).value() == 1);
    CHECK(lab.k.getppid(c).value() == 0);  // Its parent is outside the namespace.
    CHECK(ch.pid_ns() != lab.task(r).pid_ns());
    CHECK(ch.pid_ns()->level() == 1);
    CHECK(ch.pid_ns()->parent() == &lab.k.root_pid_ns());
    CHECK(ch.pid_ns()->child_reaper == &ch);
    CHECK(ch.signal->unkillable);
    CHECK(ch.real_parent == &lab.task(r));
    // Its children are numbered in the namespace, and in every ancestor.
    pid_t const inner = lab.fork(c);
    CHECK(inner == 2);
    pid_t const g = newest_child(lab, c);
    CHECK(g != inner);
    CHECK(lab.k.getpid(g).value() == 2);
    CHECK(lab.k.getppid(g).value() == 1);
    CHECK(lab.k.root_pid_ns().find(g)->nr_in(ch.pid_ns()) == 2);
    CHECK(lab.k.pid_in_ns_of(lab.task(g), lab.task(r)) == g);
    CHECK(lab.k.getpid(r).value() == r);  // Nothing changes for the parent.
}

// ================================================================================================
// Process groups and sessions (setpgid(2), setsid(2), getpgid(2), getsid(2))
// ================================================================================================

TEST_CASE("setpgid moves the caller or a child into a new group, or into a group of the same session")
{
    Lab lab;
    pid_t const a = lab.fork(lab.main);
    pid_t const b = lab.fork(lab.main);
    REQUIRE(lab.k.setpgid(lab.main, a, 0));  // pgid 0: the target's own pid.
    lab.check();
    CHECK(lab.k.getpgid(lab.main, a).value() == a);
    Event const e = last_event(lab.k);
    CHECK(e.kind == EventKind::SetPgid);
    CHECK(e.value == a);
    REQUIRE(lab.k.setpgid(lab.main, b, a));  // Join a's group.
    lab.check();
    CHECK(lab.k.getpgid(b, 0).value() == a);
    REQUIRE(lab.k.setpgid(lab.main, 0, 0));  // pid 0: the caller.
    lab.check();
    CHECK(lab.k.getpgid(lab.main, 0).value() == lab.main);
    REQUIRE(lab.k.setpgid(b, 0, lab.main));  // A process may move itself too.
    lab.check();
    CHECK(lab.k.getpgid(lab.main, b).value() == lab.main);
    REQUIRE(lab.k.setpgid(a, a, a));  // Already there: nothing to do, and no error.
    lab.check();
    CHECK(lab.k.getsid(a, 0).value() == 1);  // The session never changes.
}

TEST_CASE("setpgid fails with EINVAL, ESRCH, EACCES or EPERM as setpgid(2) lists")
{
    Lab lab;
    pid_t const c = lab.fork(lab.main);
    auto expect = [&](pid_t caller, pid_t pid, pid_t pgid, int err) {
        CAPTURE(caller);
        CAPTURE(pid);
        CAPTURE(pgid);
        pid_t const before = lab.task(lab.k.find_task(pid) ? pid : caller).pgid();
        auto r = lab.k.setpgid(caller, pid, pgid);
        lab.check();
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == err);
        CHECK(lab.task(lab.k.find_task(pid) ? pid : caller).pgid() == before);
    };
    SUBCASE("EINVAL: a negative pgid") { expect(lab.main, c, -1, EINVAL); }
    SUBCASE("EINVAL: a thread rather than a process")
    {
        pid_t const t = spawn_thread(lab, lab.main);
        expect(lab.main, t, 0, EINVAL);
    }
    SUBCASE("ESRCH: no such process") { expect(lab.main, 9999, 0, ESRCH); }
    SUBCASE("ESRCH: neither the caller nor a child of it")
    {
        expect(lab.main, 1, 1, ESRCH);  // Its parent.
        pid_t const g = lab.fork(c);
        expect(lab.main, g, 0, ESRCH);  // A grandchild.
        pid_t const sibling = lab.fork(1);
        expect(c, sibling, 0, ESRCH);
    }
    SUBCASE("EACCES: a child that has performed an execve")
    {
        REQUIRE(lab.k.begin_new_exec(c, "/bin/sh"));
        lab.check();
        expect(lab.main, c, 0, EACCES);
        REQUIRE(lab.k.setpgid(c, 0, 0));  // It may still move itself.
        lab.check();
        CHECK(lab.k.getpgid(c, 0).value() == c);
    }
    SUBCASE("EPERM: a session leader")
    {
        REQUIRE(lab.k.setsid(c));
        lab.check();
        expect(c, 0, 0, EPERM);
        expect(1, 1, 1, EPERM);  // init leads its session too.
    }
    SUBCASE("EPERM: a child in another session")
    {
        REQUIRE(lab.k.setsid(c));
        lab.check();
        expect(lab.main, c, lab.main, EPERM);
        expect(lab.main, c, 0, EPERM);
    }
    SUBCASE("EPERM: a process group that does not exist")
    {
        expect(lab.main, c, 9999, EPERM);
        pid_t const d = lab.fork(lab.main);  // A process, but not the id of any group.
        expect(lab.main, c, d, EPERM);
    }
    SUBCASE("EPERM: a process group in another session")
    {
        pid_t const other = lab.fork(lab.main);
        REQUIRE(lab.k.setsid(other));
        lab.check();
        expect(lab.main, c, other, EPERM);
        expect(c, 0, other, EPERM);
    }
}

TEST_CASE("setpgid may move a child that is a zombie but not yet reaped, as Linux allows")
{
    // Linux finds a zombie by its pid until it is reaped, and checks only PF_FORKNOEXEC:
    // setpgid(zombie_child, zombie_child) returns 0 (checked on Linux 6.18).
    Lab lab;
    pid_t const z = lab.fork(lab.main);
    lab.exit(z);
    REQUIRE(lab.task(z).is_zombie());
    auto r = lab.k.setpgid(lab.main, z, z);
    lab.check();
    REQUIRE_MESSAGE(r.has_value(), "setpgid(zombie child) failed: " << errno_name(r.error()));
    CHECK(lab.k.getpgid(lab.main, z).value() == z);
    lab.check();
}

TEST_CASE("setsid starts a new session and group led by the caller, EPERM for a process group leader")
{
    Lab lab;
    REQUIRE(lab.k.setsid(lab.main).value() == lab.main);  // main is in init's group: allowed.
    lab.check();
    CHECK(lab.k.getsid(lab.main, 0).value() == lab.main);
    CHECK(lab.k.getpgid(lab.main, 0).value() == lab.main);
    CHECK(lab.task(lab.main).signal->leader);
    Event const e = last_event(lab.k);
    CHECK(e.kind == EventKind::SetSid);
    CHECK(e.value == lab.main);
    auto expect_eperm = [&](pid_t caller) {
        CAPTURE(caller);
        pid_t const sid = lab.task(caller).sid();
        auto r = lab.k.setsid(caller);
        lab.check();
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == EPERM);
        CHECK(lab.task(caller).sid() == sid);
    };
    SUBCASE("a session leader") { expect_eperm(lab.main); }
    SUBCASE("a process group leader")
    {
        pid_t const c = lab.fork(lab.main);
        REQUIRE(lab.k.setpgid(c, 0, 0));
        lab.check();
        expect_eperm(c);
    }
    SUBCASE("a process whose pid is still the id of a group it has left")
    {
        pid_t const a = lab.fork(lab.main);
        REQUIRE(lab.k.setpgid(a, 0, 0));
        lab.check();
        pid_t const b = lab.fork(a);  // In group a.
        REQUIRE(lab.k.setpgid(a, 0, lab.main));  // a goes back to main's group; b stays.
        lab.check();
        CHECK(lab.k.getpgid(b, 0).value() == a);
        expect_eperm(a);
    }
    SUBCASE("a child of a session leader may start its own")
    {
        pid_t const c = lab.fork(lab.main);
        CHECK(lab.k.setsid(c).value() == c);
        lab.check();
        CHECK(lab.k.getsid(lab.main, c).value() == c);
        CHECK(lab.k.getsid(lab.main, 0).value() == lab.main);
    }
}

TEST_CASE("getpgid and getsid report any process's group and session, and ESRCH for no process")
{
    Lab lab;
    pid_t const c = lab.fork(lab.main);
    REQUIRE(lab.k.setpgid(lab.main, c, 0));
    lab.check();
    CHECK(lab.k.getpgid(1, c).value() == c);  // Not only a parent may ask.
    CHECK(lab.k.getsid(1, c).value() == 1);
    CHECK(lab.k.getpgid(c, 0).value() == c);
    lab.exit(c);
    CHECK(lab.k.getpgid(lab.main, c).value() == c);  // A zombie still has its group.
    lab.check();
    for (pid_t who : {9999, -3}) {
        CAPTURE(who);
        auto g = lab.k.getpgid(lab.main, who);
        lab.check();
        REQUIRE_FALSE(g);
        CHECK(g.error().code() == ESRCH);
        auto s = lab.k.getsid(lab.main, who);
        lab.check();
        REQUIRE_FALSE(s);
        CHECK(s.error().code() == ESRCH);
    }
}

// ================================================================================================
// Misuse: the caller must be a live task
// ================================================================================================

TEST_CASE("fork, vfork and clone by a pid that names no task fail with ESRCH")
{
    Lab lab;
    std::size_t const events = lab.k.events().size();
    for (pid_t who : {0, -1, 9999}) {
        CAPTURE(who);
        lab.fails(lab.k.fork(who), ESRCH);
        lab.fails(lab.k.vfork(who), ESRCH);
        lab.fails(lab.k.clone(who, CloneArgs{}), ESRCH);
    }
    CHECK(lab.k.nr_tasks() == 2);
    CHECK(lab.k.events().size() == events);  // Nobody called: nothing happened.
}

TEST_CASE("fork, vfork and clone by a zombie or a reaped process fail with ESRCH")
{
    Lab lab;
    pid_t const z = lab.fork(lab.main);
    lab.exit(z);
    REQUIRE(lab.task(z).is_zombie());
    auto check_esrch = [&](pid_t who) {
        CAPTURE(who);
        std::size_t const tasks = lab.k.nr_tasks();
        lab.fails(lab.k.fork(who), ESRCH);
        lab.fails(lab.k.vfork(who), ESRCH);
        lab.fails(lab.k.clone(who, CloneArgs{kThreadFlags, 0}), ESRCH);
        CHECK(lab.k.nr_tasks() == tasks);
    };
    check_esrch(z);
    CHECK(lab.reap(lab.main, z).pid == z);
    check_esrch(z);
}

// ================================================================================================
// A failed fork leaves nothing behind, even when the last check fails after a namespace was made.
// (Every expect_fork_fails() above checks the same for its own check.)
// ================================================================================================

TEST_CASE("a CLONE_NEWPID fork refused by pids.max leaves no namespace and no pid behind")
{
    // The cgroup check comes after the new namespace and the child's pid in it were made: both
    // must be undone (and the pid freed before the namespace that numbers it).
    Lab lab;
    pid_t const r = root_process(lab);
    REQUIRE(lab.k.cgroup_mkdir("/box"));
    REQUIRE(lab.k.cgroup_set_pids_max("/box", 1));
    REQUIRE(lab.k.cgroup_attach(r, "/box"));
    lab.check();
    expect_fork_fails(lab, r, EAGAIN, ForkFailure::PidsCgroup,
        [&] { return lab.k.clone(r, CloneArgs{CLONE_NEWPID, SIGCHLD}); });
    CHECK(lab.k.find_cgroup("/box")->pids_events_max == 1);
    // The kernel is still sound: with room in the cgroup the same clone works.
    REQUIRE(lab.k.cgroup_set_pids_max("/box", 2));
    lab.check();
    pid_t const c = clone_ok(lab, r, CLONE_NEWPID);
    CHECK(lab.k.getpid(c).value() == 1);
}

// ================================================================================================
// The end of a pid namespace made by CLONE_NEWPID
// ================================================================================================

TEST_CASE("the init of a pid namespace is reaped by its parent once the namespace has wound down")
{
    // The other end of CLONE_NEWPID: the namespace's init exits, its members are killed, and its
    // parent (outside the namespace) reaps it like any child.
    Lab lab;
    pid_t const r = root_process(lab);
    pid_t const ns_init = clone_ok(lab, r, CLONE_NEWPID);
    lab.fork(ns_init);
    pid_t const member = newest_child(lab, ns_init);
    lab.exit(ns_init);
    lab.run(member);  // Dies of the namespace's SIGKILL; its init reaps it and finishes exiting.
    REQUIRE(lab.task(ns_init).is_zombie());
    WaitResult const w = lab.reap(r, ns_init);
    CHECK(w.pid == ns_init);
    CHECK(WIFEXITED(w.status));
    CHECK_FALSE(lab.exists(ns_init));
    CHECK(lab.k.nr_tasks() == 3);  // init, main and r.
}
