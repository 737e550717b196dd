// Signals: generation (kill, timers, the kernel's own), dispositions, the blocked mask and the
// pending set, default actions, job control, interruptible sleeps, timers and what exec and fork
// do to all of it. The reference is signal(7), kill(2), sigaction(2), sigprocmask(2), alarm(2),
// execve(2), fork(2) -- and, where the pages are silent, what Linux's kernel/signal.c does.
#include "support/lab.h"

#include <climits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

using namespace forklab;
using forklab::test::Lab;

namespace {

constexpr std::uint64_t kHandler = 0x401136;  // A function in the simulated program.
constexpr std::uint64_t kOtherHandler = 0x4011a0;
constexpr std::uint64_t kSec = 1'000'000'000;

// Why a signal was discarded, in bits 8..15 of a SignalDiscarded event's value (signal.cpp's
// Kernel::Discard); the low byte is the signal.
constexpr int kDiscardIgnored = 0;
constexpr int kDiscardExiting = 1;
constexpr int kDiscardUnkillable = 2;
constexpr int kDiscardDefaultIgnored = 3;

// The call must succeed; then every invariant must hold.
template<typename T>
T ok(Lab& lab, ErrorOr<T> r)
{
    REQUIRE_MESSAGE(r.has_value(), "failed with " << (r ? std::string() : test::errno_name(r.error())));
    lab.check();
    if constexpr (!std::is_void_v<T>)
        return *r;
}

// The call must fail with exactly `code`; the failure must leave every invariant intact.
template<typename T>
void fails(Lab& lab, ErrorOr<T> const& r, int code)
{
    REQUIRE_FALSE(r.has_value());
    CHECK_MESSAGE(r.error().code() == code,
        "got " << test::errno_name(r.error()) << ", want " << Error::from_errno(code).name());
    lab.check();
}

void catch_signal(Lab& lab, pid_t pid, int sig, std::uint32_t flags = 0, SigSet mask = 0)
{
    ok(lab, lab.k.sigaction(pid, sig, SigAction{kHandler, mask, flags}));
}

void ignore_signal(Lab& lab, pid_t pid, int sig)
{
    ok(lab, lab.k.sigaction(pid, sig, SigAction{kSigIgn, 0, 0}));
}

void block(Lab& lab, pid_t pid, SigSet set) { ok(lab, lab.k.sigprocmask(pid, SIG_BLOCK, set)); }
void unblock(Lab& lab, pid_t pid, SigSet set) { ok(lab, lab.k.sigprocmask(pid, SIG_UNBLOCK, set)); }

// Everything queued on the process or its thread, blocked or not.
SigSet queued(Lab const& lab, pid_t pid)
{
    Task const& t = lab.task(pid);
    return t.pending | t.signal->shared_pending;
}
bool is_queued(Lab const& lab, pid_t pid, int sig) { return (queued(lab, pid) & sigbit(sig)) != 0; }

std::vector<Event> events_since(Lab const& lab, std::size_t mark, EventKind kind, pid_t pid)
{
    std::vector<Event> found;
    for (Event const& e : lab.k.events().since(mark))
        if (e.kind == kind && e.pid == pid)
            found.push_back(e);
    return found;
}

std::size_t mark(Lab const& lab) { return lab.k.events().size(); }

// A child of main in a process group of its own. Its parent is in another group of the same
// session, so the group is not orphaned and the terminal stop signals do stop it (POSIX).
pid_t stoppable_child(Lab& lab)
{
    pid_t c = lab.fork(lab.main);
    ok(lab, lab.k.setpgid(lab.main, c, c));
    return c;
}

void stop(Lab& lab, pid_t pid, int sig = SIGSTOP)
{
    lab.kill(lab.main, pid, sig);
    CHECK_FALSE(lab.run(pid).has_value());
    REQUIRE(lab.task(pid).state == TaskState::Stopped);
}

// The child takes its pending signals; it must die of them, and main reaps it.
int dies(Lab& lab, pid_t child)
{
    CHECK_FALSE(lab.run(child).has_value());
    REQUIRE(lab.task(child).is_zombie());
    return lab.reap(lab.main, child).status;
}

}  // namespace

// ------------------------------------------------------------------------------------------
// kill(2): who gets the signal
// ------------------------------------------------------------------------------------------

TEST_CASE("kill to a pid queues the signal on that process and counts it")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    auto const before = lab.k.counters().signals_sent;
    auto const m = mark(lab);

    lab.kill(lab.main, c, SIGUSR1);

    CHECK(is_queued(lab, c, SIGUSR1));
    CHECK_FALSE(is_queued(lab, lab.main, SIGUSR1));
    CHECK(lab.k.counters().signals_sent == before + 1);
    auto sent = events_since(lab, m, EventKind::SignalSent, c);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].other == lab.main);
    CHECK(sent[0].value == SIGUSR1);
    CHECK(sent[0].aux == std::uint8_t(SignalReason::Kill));
    // Generation is not delivery: the target is untouched until it next runs.
    CHECK(lab.task(c).state == TaskState::Runnable);
    CHECK(dies(lab, c) == SIGUSR1);
}

TEST_CASE("kill with pid 0 signals every process in the caller's process group, the caller included")
{
    Lab lab;
    ok(lab, lab.k.setpgid(lab.main, 0, 0));
    pid_t a = lab.fork(lab.main);
    pid_t b = lab.fork(lab.main);
    pid_t outsider = lab.fork(lab.main);
    ok(lab, lab.k.setpgid(outsider, 0, 0));

    lab.kill(lab.main, 0, SIGUSR1);

    CHECK(is_queued(lab, lab.main, SIGUSR1));
    CHECK(is_queued(lab, a, SIGUSR1));
    CHECK(is_queued(lab, b, SIGUSR1));
    CHECK_FALSE(is_queued(lab, outsider, SIGUSR1));
}

TEST_CASE("kill with pid -pgid signals every process of that group and nobody else")
{
    Lab lab;
    pid_t leader = lab.fork(lab.main);
    ok(lab, lab.k.setpgid(leader, 0, 0));
    pid_t member = lab.fork(leader);  // Inherits the group.
    pid_t bystander = lab.fork(lab.main);

    lab.kill(lab.main, -leader, SIGUSR2);

    CHECK(is_queued(lab, leader, SIGUSR2));
    CHECK(is_queued(lab, member, SIGUSR2));
    CHECK_FALSE(is_queued(lab, lab.main, SIGUSR2));
    CHECK_FALSE(is_queued(lab, bystander, SIGUSR2));
}

TEST_CASE("kill -1 signals every process the caller may signal except init and the caller")
{
    Lab lab;
    pid_t root = lab.fork(1);  // A root daemon: uid 1000 may not signal it.

    SUBCASE("the processes it may signal get the signal; init, itself and root's do not")
    {
        pid_t a = lab.fork(lab.main);
        pid_t b = lab.fork(a);
        auto const m = mark(lab);
        lab.kill(lab.main, -1, SIGUSR1);
        CHECK(is_queued(lab, a, SIGUSR1));
        CHECK(is_queued(lab, b, SIGUSR1));
        CHECK_FALSE(is_queued(lab, lab.main, SIGUSR1));
        CHECK_FALSE(is_queued(lab, root, SIGUSR1));
        CHECK(queued(lab, 1) == 0);
        // init is skipped, not tried and discarded.
        CHECK(events_since(lab, m, EventKind::SignalDiscarded, 1).empty());
    }
    SUBCASE("it succeeds when every process tried refused with EPERM")
    {
        // Linux: kill_something_info() returns 0 once anything was tried and only EPERM came
        // back (checked on Linux 6.18: kill(-1, 0) as uid 1000 with no uid-1000 process returns 0).
        lab.kill(lab.main, -1, SIGUSR1);
        CHECK_FALSE(is_queued(lab, root, SIGUSR1));
        lab.kill(lab.main, -1, 0);
    }
}

TEST_CASE("kill -1 with nobody but init and the caller fails with ESRCH")
{
    Lab lab;  // init and main only.
    fails(lab, lab.k.kill(lab.main, -1, SIGUSR1), ESRCH);
    CHECK(queued(lab, lab.main) == 0);
}

TEST_CASE("kill with signal 0 checks existence and permission and queues nothing")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    pid_t root = lab.fork(1);
    auto const before = lab.k.counters().signals_sent;
    auto const m = mark(lab);

    lab.kill(lab.main, c, 0);
    CHECK(queued(lab, c) == 0);
    CHECK(lab.k.events().size() == m);
    CHECK(lab.k.counters().signals_sent == before);

    fails(lab, lab.k.kill(lab.main, root, 0), EPERM);
    fails(lab, lab.k.kill(lab.main, 4242, 0), ESRCH);
    lab.kill(lab.main, 0, 0);  // The caller's own group exists.
    CHECK(lab.k.events().size() == m);
}

TEST_CASE("kill to a pid or process group that does not exist fails with ESRCH")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);  // In main's group: no group has c's number.
    auto const before = lab.k.counters().signals_sent;

    SUBCASE("no such pid") { fails(lab, lab.k.kill(lab.main, 4242, SIGTERM), ESRCH); }
    SUBCASE("no such group") { fails(lab, lab.k.kill(lab.main, -4242, SIGTERM), ESRCH); }
    SUBCASE("a pid that names a process but no group") { fails(lab, lab.k.kill(lab.main, -c, SIGTERM), ESRCH); }
    SUBCASE("INT_MIN, whose negation does not exist") { fails(lab, lab.k.kill(lab.main, INT_MIN, SIGTERM), ESRCH); }

    CHECK(queued(lab, c) == 0);
    CHECK(lab.k.counters().signals_sent == before);
}

TEST_CASE("kill with a signal number below 0 or above 64 fails with EINVAL")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    fails(lab, lab.k.kill(lab.main, c, -1), EINVAL);
    fails(lab, lab.k.kill(lab.main, c, 65), EINVAL);
    fails(lab, lab.k.kill(lab.main, 0, 65), EINVAL);
    fails(lab, lab.k.kill(lab.main, -1, -1), EINVAL);
    CHECK(queued(lab, c) == 0);
    lab.kill(lab.main, c, 64);  // SIGRTMAX is the last valid one.
    CHECK(is_queued(lab, c, 64));
}

TEST_CASE("kill looks the target up before it checks the signal: a missing pid is ESRCH even with a bad signal")
{
    // Linux: kill_pid_info() finds no task and returns ESRCH before group_send_sig_info() can
    // call check_kill_permission(), where the signal is validated. Checked on Linux 6.18:
    // kill(4000000, 65) and kill(-4000000, 65) fail with ESRCH, kill(getpid(), 65) with EINVAL.
    Lab lab;
    fails(lab, lab.k.kill(lab.main, 4242, 65), ESRCH);
    fails(lab, lab.k.kill(lab.main, -4242, 65), ESRCH);
    fails(lab, lab.k.kill(lab.main, 4242, -1), ESRCH);
}

TEST_CASE("a user may not signal root's processes or another user's, and root may signal anyone")
{
    Lab lab;
    pid_t root = lab.fork(1);
    pid_t other = lab.fork(1);
    ok(lab, lab.k.setuid(other, 2000));
    auto const before = lab.k.counters().signals_sent;

    // kill(2): the sender's real or effective uid must match the target's real or saved uid.
    fails(lab, lab.k.kill(lab.main, root, SIGTERM), EPERM);
    fails(lab, lab.k.kill(lab.main, other, SIGUSR1), EPERM);
    fails(lab, lab.k.kill(lab.main, -other, SIGUSR1), ESRCH);  // other is in init's group.
    CHECK(queued(lab, root) == 0);
    CHECK(queued(lab, other) == 0);
    CHECK(lab.k.counters().signals_sent == before);

    // CAP_KILL.
    block(lab, lab.main, sigbit(SIGUSR1));
    lab.kill(root, lab.main, SIGUSR1);
    lab.kill(root, other, SIGUSR1);
    CHECK(is_queued(lab, lab.main, SIGUSR1));
    CHECK(is_queued(lab, other, SIGUSR1));
}

TEST_CASE("kill to a group where every member refuses fails with EPERM")
{
    Lab lab;
    pid_t root = lab.fork(1);
    ok(lab, lab.k.setpgid(root, 0, 0));
    pid_t root_child = lab.fork(root);
    // Linux: __kill_pgrp_info() returns the last error when no member could be signalled.
    fails(lab, lab.k.kill(lab.main, -root, SIGTERM), EPERM);
    CHECK(queued(lab, root) == 0);
    CHECK(queued(lab, root_child) == 0);
}

TEST_CASE("SIGCONT may go to another user's process in the same session but not in another session")
{
    Lab lab;
    pid_t root = lab.fork(1);
    pid_t other = lab.fork(1);  // Session 1, like main.
    ok(lab, lab.k.setuid(other, 2000));

    SUBCASE("same session: allowed, and it resumes the stopped process")
    {
        lab.kill(root, other, SIGSTOP);
        lab.run(other);
        REQUIRE(lab.task(other).state == TaskState::Stopped);
        fails(lab, lab.k.kill(lab.main, other, SIGTERM), EPERM);  // Only SIGCONT is let through.
        lab.kill(lab.main, other, SIGCONT);
        CHECK(lab.task(other).state == TaskState::Runnable);
    }
    SUBCASE("another session: EPERM, and it stays stopped")
    {
        ok(lab, lab.k.setsid(other));
        lab.kill(root, other, SIGSTOP);
        lab.run(other);
        REQUIRE(lab.task(other).state == TaskState::Stopped);
        fails(lab, lab.k.kill(lab.main, other, SIGCONT), EPERM);
        CHECK(lab.task(other).state == TaskState::Stopped);
    }
}

TEST_CASE("kill of a zombie succeeds and queues nothing")
{
    Lab lab;
    pid_t z = lab.fork(lab.main);
    lab.exit(z, 3);
    REQUIRE(lab.task(z).is_zombie());
    auto const before = lab.k.counters().signals_sent;
    auto const m = mark(lab);

    // The zombie still has a pid: kill(2) finds it, and the signal is dropped because the
    // process is already dead (Linux: prepare_signal() on SIGNAL_GROUP_EXIT).
    lab.kill(lab.main, z, SIGKILL);
    lab.kill(lab.main, z, SIGUSR1);

    CHECK(queued(lab, z) == 0);
    CHECK(lab.k.counters().signals_sent == before);
    auto dropped = events_since(lab, m, EventKind::SignalDiscarded, z);
    REQUIRE(dropped.size() == 2);
    CHECK((dropped[0].value >> 8) == kDiscardExiting);
    CHECK(lab.reap(lab.main, z).status == wait_status_exited(3));
}

// ------------------------------------------------------------------------------------------
// Dispositions
// ------------------------------------------------------------------------------------------

TEST_CASE("an ignored signal is discarded when it is sent, not when it would be delivered")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    ignore_signal(lab, c, SIGTERM);
    auto const before = lab.k.counters().signals_sent;
    auto const m = mark(lab);

    lab.kill(lab.main, c, SIGTERM);

    CHECK(queued(lab, c) == 0);
    CHECK(lab.k.counters().signals_sent == before);
    auto dropped = events_since(lab, m, EventKind::SignalDiscarded, c);
    REQUIRE(dropped.size() == 1);
    CHECK((dropped[0].value & 0xff) == SIGTERM);
    CHECK((dropped[0].value >> 8) == kDiscardIgnored);
    CHECK(dropped[0].other == lab.main);
    CHECK(events_since(lab, m, EventKind::SignalSent, c).empty());
    CHECK_FALSE(lab.run(c).has_value());
    CHECK(lab.task(c).state == TaskState::Runnable);
}

TEST_CASE("sigaction returns the previous action")
{
    Lab lab;
    SigAction const first{kHandler, sigbit(SIGINT), SA_RESTART};
    SigAction const second{kOtherHandler, 0, 0};
    CHECK(ok(lab, lab.k.sigaction(lab.main, SIGUSR1, first)) == SigAction{});
    CHECK(ok(lab, lab.k.sigaction(lab.main, SIGUSR1, second)) == first);
    CHECK(ok(lab, lab.k.sigaction(lab.main, SIGUSR1, std::nullopt)) == second);  // Query only.
    CHECK(lab.task(lab.main).sighand->action(SIGUSR1) == second);
}

TEST_CASE("a caught signal is delivered as a handler to run, with the mask it runs under")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    block(lab, c, sigbit(SIGINT));
    SigSet const old_mask = sigbit(SIGINT);
    std::uint32_t flags = 0;
    SigSet expected_mask = 0;

    // sigaction(2): during the handler the mask is the old mask | sa_mask | the signal itself,
    // unless SA_NODEFER.
    SUBCASE("plain") { expected_mask = old_mask | sigbit(SIGUSR2) | sigbit(SIGUSR1); }
    SUBCASE("SA_NODEFER leaves the signal itself unblocked")
    {
        flags = SA_NODEFER;
        expected_mask = old_mask | sigbit(SIGUSR2);
    }
    catch_signal(lab, c, SIGUSR1, flags, sigbit(SIGUSR2));
    auto const delivered = lab.k.counters().signals_delivered;
    auto const m = mark(lab);

    lab.kill(lab.main, c, SIGUSR1);
    auto d = lab.run(c);

    REQUIRE(d.has_value());
    CHECK(d->sig == SIGUSR1);
    CHECK(d->action.handler == kHandler);
    CHECK(d->saved_mask == old_mask);
    CHECK(lab.task(c).blocked == expected_mask);
    CHECK(queued(lab, c) == 0);
    CHECK(lab.k.counters().signals_delivered == delivered + 1);
    CHECK(events_since(lab, m, EventKind::SignalHandled, c).size() == 1);
    // The handler stays installed.
    CHECK(lab.task(c).sighand->action(SIGUSR1).handler == kHandler);

    // Returning from the handler restores the mask of before.
    ok(lab, lab.k.sigreturn(c, d->saved_mask));
    CHECK(lab.task(c).blocked == old_mask);
}

TEST_CASE("SA_RESETHAND resets the action to SIG_DFL as the handler is entered")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    catch_signal(lab, c, SIGUSR1, SA_RESETHAND);
    lab.kill(lab.main, c, SIGUSR1);
    auto d = lab.run(c);
    REQUIRE(d.has_value());
    CHECK(d->action.handler == kHandler);
    CHECK(lab.task(c).sighand->action(SIGUSR1) == SigAction{});
    ok(lab, lab.k.sigreturn(c, d->saved_mask));
    // The next one takes the default action: it kills.
    lab.kill(lab.main, c, SIGUSR1);
    CHECK(dies(lab, c) == SIGUSR1);
}

TEST_CASE("sigaction drops SIGKILL and SIGSTOP from sa_mask, and a handler never blocks them")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    catch_signal(lab, c, SIGUSR1, 0, ~SigSet(0));
    SigAction const stored = ok(lab, lab.k.sigaction(c, SIGUSR1, std::nullopt));
    CHECK(stored.mask == ~kUnblockable);
    lab.kill(lab.main, c, SIGUSR1);
    auto d = lab.run(c);
    REQUIRE(d.has_value());
    CHECK((lab.task(c).blocked & kUnblockable) == 0);
    // Even inside the handler, SIGKILL kills.
    lab.kill(lab.main, c, SIGKILL);
    CHECK(dies(lab, c) == SIGKILL);
}

TEST_CASE("setting a pending signal's action to SIG_IGN discards it")
{
    Lab lab;
    block(lab, lab.main, sigbit(SIGUSR1));
    lab.kill(lab.main, lab.main, SIGUSR1);
    REQUIRE(ok(lab, lab.k.sigpending(lab.main)) == sigbit(SIGUSR1));

    // POSIX 2.4.3: "Setting a signal action to SIG_IGN for a signal that is pending shall cause
    // the pending signal to be discarded, whether or not it is blocked."
    ignore_signal(lab, lab.main, SIGUSR1);

    CHECK(ok(lab, lab.k.sigpending(lab.main)) == 0);
    CHECK(queued(lab, lab.main) == 0);
    catch_signal(lab, lab.main, SIGUSR1);
    unblock(lab, lab.main, sigbit(SIGUSR1));
    CHECK_FALSE(lab.run(lab.main).has_value());
}

TEST_CASE("setting SIG_DFL discards a pending signal whose default is to ignore, and keeps others")
{
    Lab lab;
    int sig = 0;
    bool discarded = true;
    SUBCASE("SIGCHLD") { sig = SIGCHLD; }
    SUBCASE("SIGURG") { sig = SIGURG; }
    SUBCASE("SIGWINCH") { sig = SIGWINCH; }
    SUBCASE("SIGCONT") { sig = SIGCONT; }
    SUBCASE("SIGUSR1, whose default terminates, stays pending")
    {
        sig = SIGUSR1;
        discarded = false;
    }
    CAPTURE(sig);
    catch_signal(lab, lab.main, sig);
    block(lab, lab.main, sigbit(sig));
    lab.kill(lab.main, lab.main, sig);
    REQUIRE(is_queued(lab, lab.main, sig));

    ok(lab, lab.k.sigaction(lab.main, sig, SigAction{}));

    CHECK(is_queued(lab, lab.main, sig) == !discarded);
}

// ------------------------------------------------------------------------------------------
// The blocked mask and the pending set
// ------------------------------------------------------------------------------------------

TEST_CASE("a blocked signal stays pending, shows in sigpending, and is delivered once unblocked")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);

    SUBCASE("caught")
    {
        catch_signal(lab, c, SIGUSR1);
        block(lab, c, sigbit(SIGUSR1));
        lab.kill(lab.main, c, SIGUSR1);
        CHECK(ok(lab, lab.k.sigpending(c)) == sigbit(SIGUSR1));
        CHECK_FALSE(lab.run(c).has_value());
        CHECK(ok(lab, lab.k.sigpending(c)) == sigbit(SIGUSR1));
        unblock(lab, c, sigbit(SIGUSR1));
        // sigpending(2) reports only the blocked ones.
        CHECK(ok(lab, lab.k.sigpending(c)) == 0);
        auto d = lab.run(c);
        REQUIRE(d.has_value());
        CHECK(d->sig == SIGUSR1);
        CHECK(queued(lab, c) == 0);
    }
    SUBCASE("default action: it kills only once unblocked")
    {
        ok(lab, lab.k.sigprocmask(c, SIG_SETMASK, sigbit(SIGTERM)));
        lab.kill(lab.main, c, SIGTERM);
        CHECK_FALSE(lab.run(c).has_value());
        CHECK(lab.task(c).state == TaskState::Runnable);
        ok(lab, lab.k.sigprocmask(c, SIG_SETMASK, SigSet(0)));
        CHECK(dies(lab, c) == SIGTERM);
    }
}

TEST_CASE("sigprocmask's SIG_BLOCK, SIG_UNBLOCK and SIG_SETMASK change the mask and return the old one")
{
    Lab lab;
    CHECK(ok(lab, lab.k.sigprocmask(lab.main, SIG_BLOCK, sigbit(SIGUSR1) | sigbit(SIGINT))) == 0);
    CHECK(ok(lab, lab.k.sigprocmask(lab.main, SIG_UNBLOCK, sigbit(SIGINT))) == (sigbit(SIGUSR1) | sigbit(SIGINT)));
    CHECK(ok(lab, lab.k.sigprocmask(lab.main, SIG_SETMASK, sigbit(SIGHUP))) == sigbit(SIGUSR1));
    CHECK(ok(lab, lab.k.sigprocmask(lab.main, SIG_BLOCK, std::nullopt)) == sigbit(SIGHUP));
    CHECK(lab.task(lab.main).blocked == sigbit(SIGHUP));
}

TEST_CASE("a blocked signal is queued even when it is ignored")
{
    // Linux: sig_ignored() is false for a blocked signal -- the action may change before it is
    // unblocked -- so it is queued; if still ignored when unblocked, it is dropped then.
    Lab lab;
    pid_t c = lab.fork(lab.main);
    ignore_signal(lab, c, SIGUSR1);
    block(lab, c, sigbit(SIGUSR1));
    auto const delivered = lab.k.counters().signals_delivered;
    auto const m = mark(lab);

    lab.kill(lab.main, c, SIGUSR1);

    CHECK(events_since(lab, m, EventKind::SignalSent, c).size() == 1);
    CHECK(events_since(lab, m, EventKind::SignalDiscarded, c).empty());
    CHECK(ok(lab, lab.k.sigpending(c)) == sigbit(SIGUSR1));

    SUBCASE("still ignored when unblocked: dropped")
    {
        unblock(lab, c, sigbit(SIGUSR1));
        CHECK_FALSE(lab.run(c).has_value());
        CHECK(queued(lab, c) == 0);
        CHECK(lab.task(c).state == TaskState::Runnable);
        CHECK(lab.k.counters().signals_delivered == delivered);
    }
    SUBCASE("caught by the time it is unblocked: the handler runs")
    {
        // Setting a handler (not SIG_IGN) does not discard the pending signal.
        catch_signal(lab, c, SIGUSR1);
        REQUIRE(is_queued(lab, c, SIGUSR1));
        unblock(lab, c, sigbit(SIGUSR1));
        auto d = lab.run(c);
        REQUIRE(d.has_value());
        CHECK(d->sig == SIGUSR1);
    }
}

TEST_CASE("a standard signal sent again while pending is not queued twice")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    catch_signal(lab, c, SIGUSR1);
    block(lab, c, sigbit(SIGUSR1));
    auto const before = lab.k.counters().signals_sent;
    auto const m = mark(lab);

    lab.kill(lab.main, c, SIGUSR1);
    lab.kill(lab.main, c, SIGUSR1);
    lab.kill(lab.main, c, SIGUSR1);

    CHECK(lab.k.counters().signals_sent == before + 1);
    CHECK(events_since(lab, m, EventKind::SignalSent, c).size() == 1);
    auto merged = events_since(lab, m, EventKind::SignalCoalesced, c);
    REQUIRE(merged.size() == 2);
    CHECK(merged[0].value == SIGUSR1);

    unblock(lab, c, sigbit(SIGUSR1));
    auto d = lab.run(c);
    REQUIRE(d.has_value());
    ok(lab, lab.k.sigreturn(c, d->saved_mask));
    CHECK_FALSE(lab.run(c).has_value());  // Once only.
}

TEST_CASE("real-time signals are queued: each one sent is delivered")
{
    // signal(7): "Multiple instances of real-time signals can be queued." Checked on Linux 6.18:
    // SIGRTMIN sent twice while blocked runs its handler twice once unblocked.
    Lab lab;
    int const rt = SIGRTMIN;
    pid_t c = lab.fork(lab.main);
    catch_signal(lab, c, rt);
    block(lab, c, sigbit(rt));
    lab.kill(lab.main, c, rt);
    lab.kill(lab.main, c, rt);
    unblock(lab, c, sigbit(rt));

    int handled = 0;
    for (int i = 0; i < 3; ++i) {
        auto d = lab.run(c);
        if (!d)
            break;
        CHECK(d->sig == rt);
        ++handled;
        ok(lab, lab.k.sigreturn(c, d->saved_mask));
    }
    CHECK(handled == 2);
}

TEST_CASE("pending signals are delivered synchronous ones first, then the lowest number first")
{
    // Linux: next_signal() takes SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE and SIGSYS first
    // (they say what the faulting instruction did), then the lowest-numbered one.
    Lab lab;
    pid_t c = lab.fork(lab.main);
    int const sent[] = {SIGTERM, SIGUSR1, SIGHUP, SIGSEGV, SIGINT, SIGFPE};
    SigSet all = 0;
    for (int sig : sent) {
        catch_signal(lab, c, sig);
        all |= sigbit(sig);
    }
    block(lab, c, all);
    for (int sig : sent)
        lab.kill(lab.main, c, sig);
    ok(lab, lab.k.sigprocmask(c, SIG_SETMASK, SigSet(0)));

    std::vector<int> order;
    for (int i = 0; i < 8; ++i) {
        auto d = lab.run(c);
        if (!d)
            break;
        order.push_back(d->sig);
        ok(lab, lab.k.sigreturn(c, d->saved_mask));
    }
    CHECK(order == std::vector<int>{SIGFPE, SIGSEGV, SIGHUP, SIGINT, SIGUSR1, SIGTERM});
}

TEST_CASE("sigreturn restores the saved mask but never blocks SIGKILL or SIGSTOP")
{
    Lab lab;
    ok(lab, lab.k.sigreturn(lab.main, ~SigSet(0)));
    CHECK(lab.task(lab.main).blocked == ~kUnblockable);
}

// ------------------------------------------------------------------------------------------
// Default actions
// ------------------------------------------------------------------------------------------

TEST_CASE("a signal whose default action is to terminate kills with the signal number as the status")
{
    Lab lab;
    int sig = 0;
    SUBCASE("SIGTERM") { sig = SIGTERM; }
    SUBCASE("SIGHUP") { sig = SIGHUP; }
    SUBCASE("SIGINT") { sig = SIGINT; }
    SUBCASE("SIGUSR2") { sig = SIGUSR2; }
    SUBCASE("SIGPIPE") { sig = SIGPIPE; }
    SUBCASE("SIGALRM") { sig = SIGALRM; }
    SUBCASE("SIGKILL") { sig = SIGKILL; }
    SUBCASE("a real-time signal") { sig = SIGRTMIN + 3; }
    CAPTURE(sig);
    pid_t c = lab.fork(lab.main);
    lab.kill(lab.main, c, sig);
    auto const m = mark(lab);
    int const status = dies(lab, c);
    CHECK(status == sig);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == sig);
    CHECK_FALSE(WCOREDUMP(status));
    auto took = events_since(lab, m, EventKind::SignalDefault, c);
    REQUIRE(took.size() == 1);
    CHECK(took[0].value == sig);
}

TEST_CASE("a core-dumping signal sets 0x80 in the status only when RLIMIT_CORE's soft limit is above 0")
{
    Lab lab;
    std::optional<Rlimit> limit;
    bool core = false;
    SUBCASE("RLIMIT_CORE 0, Debian's default: no core") {}
    SUBCASE("soft limit raised to 4096 with prlimit: core")
    {
        limit = Rlimit{4096, kRlimInfinity};
        core = true;
    }
    SUBCASE("soft 0 under an unlimited hard limit: no core") { limit = Rlimit{0, kRlimInfinity}; }
    for (int sig : {SIGQUIT, SIGSEGV, SIGABRT}) {
        CAPTURE(sig);
        pid_t c = lab.fork(lab.main);
        if (limit)
            ok(lab, lab.k.prlimit(c, 0, RLIMIT_CORE, *limit));
        lab.kill(lab.main, c, sig);
        int const status = dies(lab, c);
        CHECK(status == wait_status_signaled(sig, core));
        CHECK(WTERMSIG(status) == sig);
        CHECK(bool(WCOREDUMP(status)) == core);
    }
}

TEST_CASE("SIGCHLD, SIGURG and SIGWINCH are ignored by default and discarded when sent")
{
    Lab lab;
    int sig = 0;
    SUBCASE("SIGCHLD") { sig = SIGCHLD; }
    SUBCASE("SIGURG") { sig = SIGURG; }
    SUBCASE("SIGWINCH") { sig = SIGWINCH; }
    CAPTURE(sig);
    pid_t c = lab.fork(lab.main);
    auto const m = mark(lab);
    lab.kill(lab.main, c, sig);
    CHECK(queued(lab, c) == 0);
    auto dropped = events_since(lab, m, EventKind::SignalDiscarded, c);
    REQUIRE(dropped.size() == 1);
    CHECK((dropped[0].value >> 8) == kDiscardDefaultIgnored);
    CHECK_FALSE(lab.run(c).has_value());
    CHECK(lab.task(c).state == TaskState::Runnable);
}

TEST_CASE("a stop signal stops the process and its parent gets SIGCHLD and a WUNTRACED report")
{
    Lab lab;
    int sig = 0;
    SUBCASE("SIGSTOP") { sig = SIGSTOP; }
    SUBCASE("SIGTSTP") { sig = SIGTSTP; }
    SUBCASE("SIGTTIN") { sig = SIGTTIN; }
    SUBCASE("SIGTTOU") { sig = SIGTTOU; }
    CAPTURE(sig);
    catch_signal(lab, lab.main, SIGCHLD);
    block(lab, lab.main, sigbit(SIGCHLD));
    pid_t c = stoppable_child(lab);
    auto const m = mark(lab);

    stop(lab, c, sig);

    CHECK(lab.task(c).signal->stopped);
    auto stopped = events_since(lab, m, EventKind::Stopped, c);
    REQUIRE(stopped.size() == 1);
    CHECK(stopped[0].value == sig);
    CHECK(ok(lab, lab.k.sigpending(lab.main)) == sigbit(SIGCHLD));
    auto note = events_since(lab, m, EventKind::SignalSent, lab.main);
    REQUIRE(note.size() == 1);
    CHECK(note[0].aux == std::uint8_t(SignalReason::ChildStopped));
    CHECK(note[0].other == c);

    WaitResult w = lab.reap(lab.main, c, WUNTRACED);
    CHECK(w.pid == c);
    CHECK(WIFSTOPPED(w.status));
    CHECK(WSTOPSIG(w.status) == sig);
    // Reported once.
    CHECK(lab.wait(lab.main, c, WUNTRACED | WNOHANG).kind == WaitResult::Kind::NothingYet);
}

TEST_CASE("SA_NOCLDSTOP keeps a child's stop from sending SIGCHLD, but wait still reports it")
{
    Lab lab;
    catch_signal(lab, lab.main, SIGCHLD, SA_NOCLDSTOP);
    block(lab, lab.main, sigbit(SIGCHLD));
    pid_t c = stoppable_child(lab);

    stop(lab, c, SIGSTOP);

    CHECK(queued(lab, lab.main) == 0);
    WaitResult w = lab.reap(lab.main, c, WUNTRACED);
    CHECK(w.status == wait_status_stopped(SIGSTOP));
}

TEST_CASE("SIGCONT resumes a stopped process even when it blocks, ignores or catches SIGCONT")
{
    Lab lab;
    pid_t c = stoppable_child(lab);
    bool pending_after = false;
    bool handler_after = false;
    SUBCASE("default") {}
    SUBCASE("blocked: it resumes, and SIGCONT stays pending")
    {
        block(lab, c, sigbit(SIGCONT));
        pending_after = true;
    }
    SUBCASE("ignored") { ignore_signal(lab, c, SIGCONT); }
    SUBCASE("caught: it resumes, then runs the handler")
    {
        catch_signal(lab, c, SIGCONT);
        handler_after = true;
    }
    stop(lab, c);
    auto const m = mark(lab);

    lab.kill(lab.main, c, SIGCONT);

    CHECK(lab.task(c).state == TaskState::Runnable);
    CHECK_FALSE(lab.task(c).signal->stopped);
    CHECK(events_since(lab, m, EventKind::Continued, c).size() == 1);
    CHECK(is_queued(lab, c, SIGCONT) == (pending_after || handler_after));
    auto d = lab.run(c);
    CHECK(d.has_value() == handler_after);
    if (pending_after)
        CHECK(ok(lab, lab.k.sigpending(c)) == sigbit(SIGCONT));
    WaitResult w = lab.reap(lab.main, c, WCONTINUED);
    CHECK(WIFCONTINUED(w.status));
}

TEST_CASE("SIGCONT discards a pending stop signal, and a stop signal discards a pending SIGCONT")
{
    // Linux: prepare_signal() flushes the stop signals on SIGCONT and SIGCONT on a stop signal,
    // when they are sent: the last one sent wins.
    Lab lab;
    pid_t c = stoppable_child(lab);

    SUBCASE("SIGTSTP, then SIGCONT before the process runs: it does not stop")
    {
        lab.kill(lab.main, c, SIGTSTP);
        REQUIRE(is_queued(lab, c, SIGTSTP));
        lab.kill(lab.main, c, SIGCONT);
        CHECK_FALSE(is_queued(lab, c, SIGTSTP));
        CHECK_FALSE(lab.run(c).has_value());
        CHECK(lab.task(c).state == TaskState::Runnable);
    }
    SUBCASE("a blocked SIGTSTP is flushed by SIGCONT too")
    {
        block(lab, c, sigbit(SIGTSTP));
        lab.kill(lab.main, c, SIGTSTP);
        lab.kill(lab.main, c, SIGCONT);
        CHECK(ok(lab, lab.k.sigpending(c)) == 0);
    }
    SUBCASE("a caught SIGCONT, then SIGSTOP: it stops and the handler never runs")
    {
        catch_signal(lab, c, SIGCONT);
        lab.kill(lab.main, c, SIGCONT);
        REQUIRE(is_queued(lab, c, SIGCONT));
        lab.kill(lab.main, c, SIGSTOP);
        CHECK_FALSE(is_queued(lab, c, SIGCONT));
        CHECK_FALSE(lab.run(c).has_value());
        CHECK(lab.task(c).state == TaskState::Stopped);
    }
}

TEST_CASE("a terminal stop signal is discarded in an orphaned process group, SIGSTOP is not")
{
    // POSIX: SIGTSTP, SIGTTIN and SIGTTOU must not stop a process of an orphaned group, since no
    // job-control shell could ever continue it.
    Lab lab;
    pid_t c = lab.fork(lab.main);
    ok(lab, lab.k.setsid(c));  // Its parent is in another session: the group is orphaned.
    auto const m = mark(lab);

    lab.kill(lab.main, c, SIGTSTP);
    CHECK_FALSE(lab.run(c).has_value());
    CHECK(lab.task(c).state == TaskState::Runnable);
    auto dropped = events_since(lab, m, EventKind::SignalDiscarded, c);
    REQUIRE(dropped.size() == 1);
    CHECK(dropped[0].aux == std::uint8_t(SignalReason::OrphanedPgrp));
    CHECK(dropped[0].value == SIGTSTP);

    stop(lab, c, SIGSTOP);
}

// ------------------------------------------------------------------------------------------
// SIGKILL and SIGSTOP
// ------------------------------------------------------------------------------------------

TEST_CASE("SIGKILL and SIGSTOP can be neither caught nor ignored")
{
    Lab lab;
    int sig = 0;
    SUBCASE("SIGKILL") { sig = SIGKILL; }
    SUBCASE("SIGSTOP") { sig = SIGSTOP; }
    CAPTURE(sig);
    fails(lab, lab.k.sigaction(lab.main, sig, SigAction{kHandler, 0, 0}), EINVAL);
    fails(lab, lab.k.sigaction(lab.main, sig, SigAction{kSigIgn, 0, 0}), EINVAL);
    fails(lab, lab.k.sigaction(lab.main, sig, SigAction{}), EINVAL);  // Linux: any new action.
    CHECK(lab.task(lab.main).sighand->action(sig) == SigAction{});
    // Asking is allowed.
    CHECK(ok(lab, lab.k.sigaction(lab.main, sig, std::nullopt)) == SigAction{});
}

TEST_CASE("sigprocmask silently leaves SIGKILL and SIGSTOP unblocked")
{
    Lab lab;
    pid_t c = stoppable_child(lab);
    SUBCASE("SIG_BLOCK") { CHECK(ok(lab, lab.k.sigprocmask(c, SIG_BLOCK, ~SigSet(0))) == 0); }
    SUBCASE("SIG_SETMASK") { CHECK(ok(lab, lab.k.sigprocmask(c, SIG_SETMASK, ~SigSet(0))) == 0); }
    CHECK(lab.task(c).blocked == ~kUnblockable);
    stop(lab, c, SIGSTOP);  // SIGSTOP still stops,
    lab.kill(lab.main, c, SIGKILL);
    CHECK(dies(lab, c) == SIGKILL);  // and SIGKILL still kills.
}

TEST_CASE("SIGKILL wakes a stopped process and kills it")
{
    Lab lab;
    pid_t c = stoppable_child(lab);
    stop(lab, c);
    lab.kill(lab.main, c, SIGKILL);
    CHECK(lab.task(c).state != TaskState::Stopped);
    CHECK(dies(lab, c) == SIGKILL);
}

TEST_CASE("SIGKILL kills before any caught signal that was pending with it is handled")
{
    // Linux: complete_signal() marks the process for death (SIGNAL_GROUP_EXIT) as SIGKILL is
    // sent, and get_signal() checks that before it dequeues anything. Checked on Linux 6.18: a
    // stopped child with a caught SIGINT pending, sent SIGKILL, dies by SIGKILL and its SIGINT
    // handler never runs.
    Lab lab;
    pid_t c = stoppable_child(lab);
    catch_signal(lab, c, SIGINT);
    stop(lab, c);
    lab.kill(lab.main, c, SIGINT);
    lab.kill(lab.main, c, SIGKILL);

    auto d = lab.run(c);
    CHECK_FALSE(d.has_value());
    CHECK(lab.task(c).is_zombie());
}

TEST_CASE("a stopped process keeps a fatal signal pending until SIGCONT")
{
    // Linux: complete_signal() leaves a stopped single-threaded process alone for anything but
    // SIGKILL. Checked on Linux 6.18: SIGTERM to a stopped child leaves it there; SIGCONT lets
    // it die of SIGTERM.
    Lab lab;
    pid_t c = stoppable_child(lab);
    stop(lab, c);
    lab.kill(lab.main, c, SIGTERM);
    CHECK(lab.task(c).state == TaskState::Stopped);
    CHECK_FALSE(lab.run(c).has_value());
    CHECK(lab.task(c).state == TaskState::Stopped);
    lab.kill(lab.main, c, SIGCONT);
    CHECK(dies(lab, c) == SIGTERM);
}

TEST_CASE("a parent sleeping in vfork is woken by a fatal signal only")
{
    // The vfork parent sleeps killably (wait_for_vfork_done: TASK_KILLABLE). Checked on Linux
    // 6.18: a caught SIGUSR1 leaves it asleep until the child exits; SIGUSR1 at SIG_DFL kills it.
    Lab lab;
    pid_t const parent = lab.main;
    int sig = 0;
    SUBCASE("SIGKILL") { sig = SIGKILL; }
    SUBCASE("SIGUSR1 with its default action") { sig = SIGUSR1; }
    SUBCASE("caught SIGUSR1: it sleeps on")
    {
        catch_signal(lab, parent, SIGUSR1);
        pid_t v = ok(lab, lab.k.vfork(parent));
        lab.kill(v, parent, SIGUSR1);
        CHECK(lab.task(parent).state == TaskState::Blocked);
        CHECK(lab.task(parent).blocked_on == BlockReason::Vfork);
        CHECK(is_queued(lab, parent, SIGUSR1));
        lab.exit(v);  // The child lets go of the address space: the parent runs.
        CHECK(lab.task(parent).state == TaskState::Runnable);
        auto d = lab.run(parent);
        REQUIRE(d.has_value());
        CHECK(d->sig == SIGUSR1);
        return;
    }
    CAPTURE(sig);
    pid_t v = ok(lab, lab.k.vfork(parent));
    REQUIRE(lab.task(parent).blocked_on == BlockReason::Vfork);
    auto const m = mark(lab);

    lab.kill(v, parent, sig);

    CHECK(lab.task(parent).state == TaskState::Runnable);
    auto woken = events_since(lab, m, EventKind::Woken, parent);
    REQUIRE(woken.size() == 1);
    CHECK(woken[0].aux == std::uint8_t(BlockReason::Vfork));
    lab.run(parent);
    // init, its parent, reaped it at once.
    CHECK_FALSE(lab.exists(parent));
    auto exited = events_since(lab, m, EventKind::Exit, parent);
    REQUIRE(exited.size() == 1);
    CHECK(exited[0].value == sig);
    CHECK(lab.task(v).vfork_parent == nullptr);
    lab.exit(v);
}

// ------------------------------------------------------------------------------------------
// init
// ------------------------------------------------------------------------------------------

TEST_CASE("init ignores every signal it has no handler for, even SIGKILL from root")
{
    // kill(2): "The only signals that can be sent to process ID 1, the init process, are those
    // for which init has explicitly installed signal handlers."
    Lab lab;
    pid_t root = lab.fork(1);
    int sig = 0;
    SUBCASE("SIGKILL") { sig = SIGKILL; }
    SUBCASE("SIGSTOP") { sig = SIGSTOP; }
    SUBCASE("SIGTERM") { sig = SIGTERM; }
    SUBCASE("SIGSEGV") { sig = SIGSEGV; }
    CAPTURE(sig);
    auto const m = mark(lab);

    lab.kill(root, 1, sig);

    CHECK(queued(lab, 1) == 0);
    auto dropped = events_since(lab, m, EventKind::SignalDiscarded, 1);
    REQUIRE(dropped.size() == 1);
    CHECK((dropped[0].value & 0xff) == sig);
    CHECK((dropped[0].value >> 8) == kDiscardUnkillable);
    CHECK_FALSE(lab.run(1).has_value());
    CHECK(lab.task(1).state == TaskState::Runnable);
    CHECK_FALSE(lab.task(1).exiting);
}

TEST_CASE("init gets the signals it has a handler for")
{
    Lab lab;
    pid_t root = lab.fork(1);
    catch_signal(lab, 1, SIGTERM);
    lab.kill(root, 1, SIGTERM);
    auto d = lab.run(1);
    REQUIRE(d.has_value());
    CHECK(d->sig == SIGTERM);
    // A user still needs permission first.
    fails(lab, lab.k.kill(lab.main, 1, SIGTERM), EPERM);
}

// ------------------------------------------------------------------------------------------
// Interruptible sleeps
// ------------------------------------------------------------------------------------------

TEST_CASE("a caught signal wakes a process sleeping in pause()")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    catch_signal(lab, lab.main, SIGUSR1);
    CHECK(ok(lab, lab.k.pause(lab.main)) == WaitResult::Kind::Sleeping);
    REQUIRE(lab.task(lab.main).blocked_on == BlockReason::Pause);
    auto const m = mark(lab);

    lab.kill(c, lab.main, SIGUSR1);

    CHECK(lab.task(lab.main).state == TaskState::Runnable);
    auto woken = events_since(lab, m, EventKind::Woken, lab.main);
    REQUIRE(woken.size() == 1);
    CHECK(woken[0].aux == std::uint8_t(BlockReason::Pause));
    auto d = lab.run(lab.main);
    REQUIRE(d.has_value());
    CHECK(d->sig == SIGUSR1);
}

TEST_CASE("a signal that is ignored or blocked does not wake pause()")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    int sig = SIGUSR1;
    SUBCASE("ignored") { ignore_signal(lab, lab.main, SIGUSR1); }
    SUBCASE("blocked")
    {
        catch_signal(lab, lab.main, SIGUSR1);
        block(lab, lab.main, sigbit(SIGUSR1));
    }
    SUBCASE("SIGCHLD at its default, from a child's exit") { sig = SIGCHLD; }
    CHECK(ok(lab, lab.k.pause(lab.main)) == WaitResult::Kind::Sleeping);
    if (sig == SIGCHLD)
        lab.exit(c);
    else
        lab.kill(c, lab.main, sig);
    CHECK(lab.task(lab.main).state == TaskState::Blocked);
    CHECK(lab.task(lab.main).blocked_on == BlockReason::Pause);
}

TEST_CASE("pause() with an unblocked signal already pending returns at once, interrupted")
{
    Lab lab;
    catch_signal(lab, lab.main, SIGUSR1);
    lab.kill(lab.main, lab.main, SIGUSR1);
    CHECK(ok(lab, lab.k.pause(lab.main)) == WaitResult::Kind::Interrupted);
    CHECK(lab.task(lab.main).state != TaskState::Blocked);
}

TEST_CASE("pause() sleeps when the only pending signal is blocked")
{
    Lab lab;
    catch_signal(lab, lab.main, SIGUSR1);
    block(lab, lab.main, sigbit(SIGUSR1));
    lab.kill(lab.main, lab.main, SIGUSR1);
    CHECK(ok(lab, lab.k.pause(lab.main)) == WaitResult::Kind::Sleeping);
    CHECK(lab.task(lab.main).blocked_on == BlockReason::Pause);
}

TEST_CASE("a caught signal wakes a parent sleeping in wait(), which then reports it was interrupted")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    catch_signal(lab, lab.main, SIGUSR1);
    REQUIRE(lab.wait(lab.main).kind == WaitResult::Kind::Sleeping);
    auto const m = mark(lab);

    lab.kill(c, lab.main, SIGUSR1);

    auto woken = events_since(lab, m, EventKind::Woken, lab.main);
    REQUIRE(woken.size() == 1);
    CHECK(woken[0].aux == std::uint8_t(BlockReason::Wait));
    // EINTR (or a restart) comes after the handler: wait first says a signal is due.
    CHECK(lab.wait(lab.main).kind == WaitResult::Kind::Interrupted);
    auto d = lab.run(lab.main);
    REQUIRE(d.has_value());
    ok(lab, lab.k.sigreturn(lab.main, d->saved_mask));
    CHECK(lab.wait(lab.main).kind == WaitResult::Kind::Sleeping);
    lab.exit(c, 7);
    CHECK(lab.reap(lab.main).status == wait_status_exited(7));
}

// ------------------------------------------------------------------------------------------
// Timers
// ------------------------------------------------------------------------------------------

TEST_CASE("alarm returns the seconds left on the previous alarm, rounded to the nearest")
{
    Lab lab;
    pid_t const p = lab.main;
    CHECK(ok(lab, lab.k.alarm(p, 5)) == 0);   // None before.
    lab.k.advance_time(2 * kSec);
    lab.check();
    CHECK(ok(lab, lab.k.alarm(p, 10)) == 3);  // Due at 12 s.
    lab.k.advance_time(9 * kSec + kSec / 2);  // 0.5 s left: rounds up.
    lab.check();
    CHECK(ok(lab, lab.k.alarm(p, 10)) == 1);  // Due at 21.5 s.
    lab.k.advance_time(8 * kSec + 6 * kSec / 10);  // 1.4 s left: rounds down.
    lab.check();
    CHECK(ok(lab, lab.k.alarm(p, 10)) == 1);  // Due at 30.1 s.
    lab.k.advance_time(9 * kSec + 7 * kSec / 10);  // 0.3 s left: never 0 while pending.
    lab.check();
    CHECK(ok(lab, lab.k.alarm(p, 0)) == 1);   // Cancels it.
    CHECK(ok(lab, lab.k.alarm(p, 0)) == 0);
    lab.k.advance_time(60 * kSec);
    lab.check();
    CHECK_FALSE(is_queued(lab, p, SIGALRM));
}

TEST_CASE("alarm never reports a pending alarm as 0 seconds, even with under a microsecond left")
{
    // Linux alarm_setitimer(): "We can't return 0 if we have an alarm pending"; it tests the
    // nanoseconds left (tv_nsec, or `old > 0 && old < NSEC_PER_SEC` in newer kernels).
    Lab lab;
    ok(lab, lab.k.alarm(lab.main, 1));
    lab.k.advance_time(kSec - 999);
    lab.check();
    REQUIRE_FALSE(is_queued(lab, lab.main, SIGALRM));
    CHECK(ok(lab, lab.k.alarm(lab.main, 0)) == 1);
}

TEST_CASE("SIGALRM is sent when the alarm expires and not before")
{
    Lab lab;
    pid_t const p = lab.main;
    catch_signal(lab, p, SIGALRM);
    ok(lab, lab.k.alarm(p, 2));
    auto const m = mark(lab);
    lab.k.advance_time(2 * kSec - 1);
    lab.check();
    CHECK_FALSE(is_queued(lab, p, SIGALRM));
    lab.k.advance_time(1);
    lab.check();
    CHECK(is_queued(lab, p, SIGALRM));
    auto sent = events_since(lab, m, EventKind::SignalSent, p);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].aux == std::uint8_t(SignalReason::Alarm));
    CHECK(sent[0].value == SIGALRM);
    CHECK(ok(lab, lab.k.alarm(p, 0)) == 0);  // Fired: nothing left.
    auto d = lab.run(p);
    REQUIRE(d.has_value());
    CHECK(d->sig == SIGALRM);
    lab.k.advance_time(10 * kSec);  // One-shot.
    lab.check();
    CHECK(queued(lab, p) == 0);
}

TEST_CASE("an interval timer reloads after each expiry")
{
    Lab lab;
    pid_t const p = lab.main;
    catch_signal(lab, p, SIGALRM);
    Itimer const none = ok(lab, lab.k.setitimer(p, ITIMER_REAL, kSec, kSec));
    CHECK(none.expires_ns == 0);
    CHECK(none.interval_ns == 0);
    auto const m = mark(lab);

    for (int i = 0; i < 2; ++i) {
        lab.k.advance_time(kSec);
        lab.check();
        auto d = lab.run(p);
        REQUIRE(d.has_value());
        CHECK(d->sig == SIGALRM);
        ok(lab, lab.k.sigreturn(p, d->saved_mask));
    }
    // Three more expiries while nobody runs: one SIGALRM, the others merge into it.
    lab.k.advance_time(3 * kSec);
    lab.check();
    CHECK(events_since(lab, m, EventKind::SignalSent, p).size() == 3);
    CHECK(events_since(lab, m, EventKind::SignalCoalesced, p).size() == 2);

    lab.k.advance_time(kSec / 4);
    lab.check();
    Itimer const old = ok(lab, lab.k.setitimer(p, ITIMER_REAL, 0, 0));  // Disarm.
    CHECK(old.expires_ns == 3 * kSec / 4);  // What is left, as getitimer() says.
    CHECK(old.interval_ns == kSec);
    auto const after = mark(lab);
    lab.k.advance_time(5 * kSec);
    lab.check();
    CHECK(events_since(lab, after, EventKind::SignalSent, p).empty());
}

TEST_CASE("setitimer rejects an unknown timer with EINVAL")
{
    Lab lab;
    fails(lab, lab.k.setitimer(lab.main, 3, kSec, 0), EINVAL);
    fails(lab, lab.k.setitimer(lab.main, -1, kSec, 0), EINVAL);
    CHECK(lab.task(lab.main).signal->itimers[ITIMER_REAL].expires_ns == 0);
}

TEST_CASE("a POSIX timer sends its own signal when it expires")
{
    Lab lab;
    pid_t const p = lab.main;
    catch_signal(lab, p, SIGUSR2);
    int const id = ok(lab, lab.k.timer_create(p, SIGUSR2));
    ok(lab, lab.k.timer_settime(p, id, kSec + kSec / 2, 0));
    auto const m = mark(lab);

    lab.k.advance_time(kSec);
    lab.check();
    CHECK_FALSE(is_queued(lab, p, SIGUSR2));
    lab.k.advance_time(kSec / 2);
    lab.check();
    CHECK(is_queued(lab, p, SIGUSR2));
    auto sent = events_since(lab, m, EventKind::SignalSent, p);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].aux == std::uint8_t(SignalReason::Timer));
    CHECK(sent[0].value == SIGUSR2);

    SUBCASE("one-shot: it fires once")
    {
        lab.k.advance_time(10 * kSec);
        lab.check();
        CHECK(events_since(lab, m, EventKind::SignalSent, p).size() == 1);
    }
    SUBCASE("periodic: it fires again")
    {
        auto d = lab.run(p);
        REQUIRE(d.has_value());
        ok(lab, lab.k.sigreturn(p, d->saved_mask));
        ok(lab, lab.k.timer_settime(p, id, kSec, kSec));
        lab.k.advance_time(kSec);
        lab.check();
        CHECK(is_queued(lab, p, SIGUSR2));
    }
    SUBCASE("deleted: it never fires")
    {
        auto d = lab.run(p);
        REQUIRE(d.has_value());
        ok(lab, lab.k.sigreturn(p, d->saved_mask));
        ok(lab, lab.k.timer_settime(p, id, kSec, kSec));
        ok(lab, lab.k.timer_delete(p, id));
        lab.k.advance_time(10 * kSec);
        lab.check();
        CHECK(queued(lab, p) == 0);
    }
}

TEST_CASE("POSIX timer calls reject a bad signal or timer id with EINVAL")
{
    Lab lab;
    pid_t const p = lab.main;
    fails(lab, lab.k.timer_create(p, 0), EINVAL);
    fails(lab, lab.k.timer_create(p, 65), EINVAL);
    fails(lab, lab.k.timer_create(p, -1), EINVAL);
    CHECK(lab.task(p).signal->posix_timers.empty());
    fails(lab, lab.k.timer_settime(p, 42, kSec, 0), EINVAL);
    fails(lab, lab.k.timer_delete(p, 42), EINVAL);

    int const id = ok(lab, lab.k.timer_create(p, SIGUSR1));
    ok(lab, lab.k.timer_delete(p, id));
    fails(lab, lab.k.timer_delete(p, id), EINVAL);
    fails(lab, lab.k.timer_settime(p, id, kSec, 0), EINVAL);
}

TEST_CASE("a forked child starts with no timers and no pending signals, but the parent's mask and actions")
{
    // fork(2): the child does not inherit timers (alarm, setitimer, timer_create); its set of
    // pending signals is empty; it inherits the signal mask and dispositions.
    Lab lab;
    pid_t const p = lab.main;
    catch_signal(lab, p, SIGUSR2);
    catch_signal(lab, p, SIGALRM);
    block(lab, p, sigbit(SIGUSR1));
    lab.kill(p, p, SIGUSR1);
    ok(lab, lab.k.alarm(p, 5));
    ok(lab, lab.k.setitimer(p, ITIMER_VIRTUAL, 3 * kSec, kSec));
    int const id = ok(lab, lab.k.timer_create(p, SIGUSR2));
    ok(lab, lab.k.timer_settime(p, id, kSec, 0));

    pid_t c = lab.fork(p);

    Task const& child = lab.task(c);
    for (int which : {ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF}) {
        CAPTURE(which);
        CHECK(child.signal->itimers[which].expires_ns == 0);
        CHECK(child.signal->itimers[which].interval_ns == 0);
    }
    CHECK(child.signal->posix_timers.empty());
    CHECK(queued(lab, c) == 0);
    CHECK(ok(lab, lab.k.sigpending(c)) == 0);
    CHECK(child.blocked == sigbit(SIGUSR1));
    CHECK(child.sighand->action(SIGUSR2).handler == kHandler);
    CHECK(ok(lab, lab.k.alarm(c, 0)) == 0);
    fails(lab, lab.k.timer_delete(c, id), EINVAL);

    lab.k.advance_time(10 * kSec);
    lab.check();
    CHECK(is_queued(lab, p, SIGALRM));
    CHECK(is_queued(lab, p, SIGUSR2));
    CHECK(queued(lab, c) == 0);
}

TEST_CASE("signals_sent counts the signals queued, not those discarded, merged or refused")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    catch_signal(lab, lab.main, SIGCHLD);
    block(lab, c, sigbit(SIGUSR1));
    ignore_signal(lab, c, SIGUSR2);
    pid_t root = lab.fork(1);
    auto const base = lab.k.counters().signals_sent;

    lab.kill(lab.main, c, SIGUSR1);  // Queued.
    CHECK(lab.k.counters().signals_sent == base + 1);
    lab.kill(lab.main, c, SIGUSR1);  // Merged.
    lab.kill(lab.main, c, SIGUSR2);  // Ignored.
    lab.kill(lab.main, c, 0);        // Nothing to send.
    fails(lab, lab.k.kill(lab.main, root, SIGTERM), EPERM);
    CHECK(lab.k.counters().signals_sent == base + 1);
    ok(lab, lab.k.alarm(c, 1));
    lab.k.advance_time(kSec);  // The kernel's own signals count too.
    lab.check();
    CHECK(lab.k.counters().signals_sent == base + 2);
    // SIGALRM's default action terminates, so c was doomed when it was sent (Linux:
    // complete_signal()); a SIGKILL now is dropped, not counted.
    lab.kill(lab.main, c, SIGKILL);
    CHECK(lab.k.counters().signals_sent == base + 2);
    lab.run(c);                    // c dies of SIGALRM; main is sent SIGCHLD.
    CHECK(lab.k.counters().signals_sent == base + 3);
    CHECK(WTERMSIG(lab.reap(lab.main, c).status) == SIGALRM);
}

// ------------------------------------------------------------------------------------------
// exec
// ------------------------------------------------------------------------------------------

TEST_CASE("exec resets caught signals to SIG_DFL and keeps ignored ones, the mask and pending signals")
{
    // execve(2): "the dispositions of any signals that are being caught are reset to the
    // default"; ignored ones stay ignored; the mask and the pending set are preserved.
    Lab lab;
    pid_t c = lab.fork(lab.main);
    catch_signal(lab, c, SIGUSR1, SA_RESTART, sigbit(SIGINT));
    ignore_signal(lab, c, SIGINT);
    ok(lab, lab.k.sigaction(c, SIGCHLD, SigAction{kSigDfl, 0, SA_NOCLDSTOP}));
    block(lab, c, sigbit(SIGUSR2));
    lab.kill(lab.main, c, SIGUSR2);
    auto const m = mark(lab);

    ok(lab, lab.k.begin_new_exec(c, "/bin/ls"));

    SighandStruct const& h = *lab.task(c).sighand;
    CHECK(h.action(SIGUSR1) == SigAction{});
    CHECK(h.action(SIGINT).handler == kSigIgn);
    // Linux's flush_signal_handlers() also clears every flag and sa_mask.
    CHECK(h.action(SIGCHLD) == SigAction{});
    CHECK(lab.task(c).blocked == sigbit(SIGUSR2));
    CHECK(ok(lab, lab.k.sigpending(c)) == sigbit(SIGUSR2));
    CHECK(events_since(lab, m, EventKind::Exec, c).size() == 1);
    CHECK(lab.task(c).did_exec);
}

TEST_CASE("exec deletes POSIX timers and keeps the alarm")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    ok(lab, lab.k.alarm(c, 7));
    int const id = ok(lab, lab.k.timer_create(c, SIGUSR1));
    ok(lab, lab.k.timer_settime(c, id, kSec, 0));

    ok(lab, lab.k.begin_new_exec(c, "/bin/sleep"));

    CHECK(lab.task(c).signal->posix_timers.empty());
    fails(lab, lab.k.timer_delete(c, id), EINVAL);
    lab.k.advance_time(2 * kSec);
    lab.check();
    CHECK_FALSE(is_queued(lab, c, SIGUSR1));
    CHECK(ok(lab, lab.k.alarm(c, 7)) == 5);
    lab.k.advance_time(7 * kSec);
    lab.check();
    CHECK(is_queued(lab, c, SIGALRM));
}

TEST_CASE("exec closes the close-on-exec descriptors and keeps the others")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    FilesStruct& files = *lab.k.find_task_mut(c)->files;
    int const closing = *lab.k.open(c, "/tmp/x", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    lab.check();
    int const staying = *lab.k.open(c, "/tmp/y", O_RDWR | O_CREAT, 0600);
    lab.check();
    int const open_before = files.count_open();

    ok(lab, lab.k.begin_new_exec(c, "/bin/cat"));

    FilesStruct const& after = *lab.task(c).files;
    REQUIRE(std::size_t(staying) < after.fds.size());
    CHECK(after.fds[std::size_t(closing)].file == nullptr);
    REQUIRE(after.fds[std::size_t(staying)].file != nullptr);
    CHECK(after.fds[std::size_t(staying)].file->path == "/tmp/y");
    CHECK(after.fds[0].file != nullptr);  // stdin, inherited without FD_CLOEXEC.
    CHECK(after.count_open() == open_before - 1);
}

TEST_CASE("exec in a process that shares its handler table unshares it first")
{
    // CLONE_SIGHAND without CLONE_THREAD: two processes, one table of actions. Linux:
    // unshare_sighand() in begin_new_exec(), so the reset does not touch the other process.
    Lab lab;
    catch_signal(lab, lab.main, SIGUSR1);
    pid_t c = ok(lab, lab.k.clone(lab.main, CloneArgs{CLONE_SIGHAND | CLONE_VM, SIGCHLD}));
    REQUIRE(lab.task(c).sighand.get() == lab.task(lab.main).sighand.get());

    ok(lab, lab.k.begin_new_exec(c, "/bin/true"));

    CHECK(lab.task(c).sighand.get() != lab.task(lab.main).sighand.get());
    CHECK(lab.task(c).sighand->action(SIGUSR1) == SigAction{});
    CHECK(lab.task(lab.main).sighand->action(SIGUSR1).handler == kHandler);
}

TEST_CASE("exec by a vfork child lets its parent run again")
{
    Lab lab;
    pid_t v = ok(lab, lab.k.vfork(lab.main));
    REQUIRE(lab.task(lab.main).blocked_on == BlockReason::Vfork);
    auto const m = mark(lab);

    ok(lab, lab.k.begin_new_exec(v, "/bin/echo"));

    CHECK(lab.task(lab.main).state == TaskState::Runnable);
    auto woken = events_since(lab, m, EventKind::Woken, lab.main);
    REQUIRE(woken.size() == 1);
    CHECK(woken[0].aux == std::uint8_t(BlockReason::Vfork));
    CHECK(lab.task(v).vfork_parent == nullptr);
    CHECK(lab.task(v).mm.get() != lab.task(lab.main).mm.get());
}

TEST_CASE("exec names the process after the last component of the program's path")
{
    Lab lab;
    pid_t c = lab.fork(lab.main);
    std::string expected;
    SUBCASE("a path")
    {
        ok(lab, lab.k.begin_new_exec(c, "/usr/bin/env"));
        expected = "env";
    }
    SUBCASE("a bare name") {
        ok(lab, lab.k.begin_new_exec(c, "hello"));
        expected = "hello";
    }
    SUBCASE("a long name, cut to 15 characters (TASK_COMM_LEN - 1)")
    {
        ok(lab, lab.k.begin_new_exec(c, "/opt/a-very-long-program-name"));
        expected = "a-very-long-pro";
    }
    CHECK(lab.task(c).name() == expected);
}

// ------------------------------------------------------------------------------------------
// Misuse
// ------------------------------------------------------------------------------------------

TEST_CASE("sigaction on signal 0 or a number above 64 fails with EINVAL")
{
    Lab lab;
    int sig = 0;
    SUBCASE("0") { sig = 0; }
    SUBCASE("65") { sig = 65; }
    SUBCASE("-1") { sig = -1; }
    CAPTURE(sig);
    fails(lab, lab.k.sigaction(lab.main, sig, SigAction{kHandler, 0, 0}), EINVAL);
    fails(lab, lab.k.sigaction(lab.main, sig, std::nullopt), EINVAL);
    CHECK(lab.task(lab.main).sighand->entries().empty());
}

TEST_CASE("sigprocmask with an unknown how fails with EINVAL and leaves the mask alone")
{
    Lab lab;
    block(lab, lab.main, sigbit(SIGINT));
    fails(lab, lab.k.sigprocmask(lab.main, 99, sigbit(SIGUSR1)), EINVAL);
    CHECK(lab.task(lab.main).blocked == sigbit(SIGINT));
    // Linux checks `how` only when there is a new set.
    CHECK(ok(lab, lab.k.sigprocmask(lab.main, 99, std::nullopt)) == sigbit(SIGINT));
}

TEST_CASE("do_signal on a pid that does not exist fails with ESRCH")
{
    Lab lab;
    auto r = lab.k.do_signal(4242);
    fails(lab, r, ESRCH);
}

TEST_CASE("a stopped process can make no system call: EBUSY")
{
    Lab lab;
    pid_t c = stoppable_child(lab);
    stop(lab, c);
    fails(lab, lab.k.kill(c, lab.main, SIGUSR1), EBUSY);
    fails(lab, lab.k.sigaction(c, SIGUSR1, SigAction{kHandler, 0, 0}), EBUSY);
    fails(lab, lab.k.sigprocmask(c, SIG_BLOCK, sigbit(SIGUSR1)), EBUSY);
    fails(lab, lab.k.sigpending(c), EBUSY);
    fails(lab, lab.k.pause(c), EBUSY);
    fails(lab, lab.k.sigreturn(c, 0), EBUSY);
    fails(lab, lab.k.alarm(c, 1), EBUSY);
    fails(lab, lab.k.timer_create(c, SIGUSR1), EBUSY);
    fails(lab, lab.k.begin_new_exec(c, "/bin/ls"), EBUSY);
    CHECK(queued(lab, lab.main) == 0);
    CHECK(lab.task(c).sighand->action(SIGUSR1) == SigAction{});
    CHECK(lab.task(c).blocked == 0);
    CHECK(lab.task(c).state == TaskState::Stopped);
}

TEST_CASE("a process sleeping in pause() can make no system call: EBUSY")
{
    Lab lab;
    ok(lab, lab.k.pause(lab.main));
    fails(lab, lab.k.kill(lab.main, lab.main, SIGUSR1), EBUSY);
    fails(lab, lab.k.pause(lab.main), EBUSY);
    CHECK(lab.task(lab.main).blocked_on == BlockReason::Pause);
}

// ------------------------------------------------------------------------------------------
// Last, because the model crashes on it (a null real_parent in will_become_orphaned_pgrp()):
// CTest runs each case in its own process, and a direct run still reports every case above.
// ------------------------------------------------------------------------------------------

TEST_CASE("a terminal stop signal to a process in init's process group is discarded as orphaned")
{
    // main never left init's group (pgid 1). main's parent is init, which does not count, and
    // init's own parent (Linux: the idle task) is in another session: the group is orphaned.
    Lab lab;
    REQUIRE(lab.task(lab.main).pgid() == 1);
    lab.kill(lab.main, lab.main, SIGTSTP);
    CHECK_FALSE(lab.run(lab.main).has_value());
    CHECK(lab.task(lab.main).state == TaskState::Runnable);
}

TEST_CASE("force_fault: a CPU fault's signal kills even when ignored or blocked, and a handler catches it")
{
    // Linux: force_sig_fault(). Division by zero raises SIGFPE that SIG_IGN or the signal mask
    // cannot hold back (checked on the host: signal(SIGFPE, SIG_IGN); 7 / 0 dies of SIGFPE).
    Lab lab;
    pid_t const child = lab.fork(lab.main);
    auto dies_of_sigfpe = [&] {
        lab.run(child);
        WaitResult const w = lab.reap(lab.main, child);
        CHECK(WIFSIGNALED(w.status));
        CHECK(WTERMSIG(w.status) == SIGFPE);
    };
    SUBCASE("SIG_IGN")
    {
        REQUIRE(lab.k.sigaction(child, SIGFPE, SigAction{kSigIgn}));
        REQUIRE(lab.k.force_fault(child, SIGFPE));
        lab.check();
        CHECK(lab.task(child).sighand->action(SIGFPE).handler == kSigDfl);
        dies_of_sigfpe();
    }
    SUBCASE("blocked")
    {
        REQUIRE(lab.k.sigprocmask(child, SIG_BLOCK, sigbit(SIGFPE)));
        REQUIRE(lab.k.force_fault(child, SIGFPE));
        lab.check();
        CHECK((lab.task(child).blocked & sigbit(SIGFPE)) == 0);
        dies_of_sigfpe();
    }
    SUBCASE("a handler")
    {
        REQUIRE(lab.k.sigaction(child, SIGFPE, SigAction{0x401000}));
        REQUIRE(lab.k.force_fault(child, SIGFPE));
        lab.check();
        auto d = lab.run(child);
        REQUIRE(d.has_value());
        CHECK(d->sig == SIGFPE);
        CHECK_FALSE(lab.task(child).is_zombie());
    }
    SUBCASE("not a fault's signal")
    {
        lab.fails(lab.k.force_fault(child, SIGKILL), EINVAL);
        lab.fails(lab.k.force_fault(child, 0), EINVAL);
        lab.fails(lab.k.force_fault(child, 65), EINVAL);
        lab.fails(lab.k.force_fault(99999, SIGFPE), ESRCH);
    }
}
