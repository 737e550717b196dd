// Wrappers for signal masks and time: sigprocmask, the sigset_t functions, sigpending,
// sigsuspend, alarm, setitimer, getitimer, nanosleep, usleep and time.
//
// The model's sigset_t is an unsigned long, bit (sig - 1) for signal sig (1..64). glibc keeps
// signals 32 and 33 for its threads: sigaddset and sigdelset refuse them (EINVAL), sigfillset
// leaves them out and sigprocmask never blocks them.
#include "lang/libc_sys.h"

#include <sys/time.h>

namespace forklab::lang::libc {

namespace {

constexpr std::uint64_t kNsPerSec = 1'000'000'000;
constexpr SigSet kInternal = sigbit(32) | sigbit(33);  // SIGCANCEL and SIGSETXID.

// ---- sigset_t, in the library: a bad pointer here is the program's own fault (SIGSEGV) --------

bool user_signal(int sig) { return valid_signal(sig) && !(kInternal & sigbit(sig)); }

CallOutcome do_sigemptyset(BuiltinCall& c)
{
    if (!c.arg(0))
        return fail(c, EINVAL);
    return c.mem.store(c.arg(0), 8, 0) ? value(0) : CallOutcome{Kind::Fault};
}

CallOutcome do_sigfillset(BuiltinCall& c)
{
    if (!c.arg(0))
        return fail(c, EINVAL);
    return c.mem.store(c.arg(0), 8, ~kInternal) ? value(0) : CallOutcome{Kind::Fault};
}

// The set that sigaddset, sigdelset and sigismember work on: a NULL set, or a signal the
// function does not `accept`, is EINVAL; a set behind a bad pointer faults. Reads `set`, or
// gives how the call ends instead.
std::optional<CallOutcome> read_set(BuiltinCall& c, bool accept, std::uint64_t& set)
{
    if (!c.arg(0) || !accept)
        return fail(c, EINVAL);
    if (!c.mem.load(c.arg(0), 8, set))
        return CallOutcome{Kind::Fault};
    return std::nullopt;
}

CallOutcome change_set(BuiltinCall& c, bool add)
{
    int const sig = as_int(c.arg(1));
    std::uint64_t set = 0;
    if (auto refused = read_set(c, user_signal(sig), set))
        return *refused;
    set = add ? set | sigbit(sig) : set & ~sigbit(sig);
    return c.mem.store(c.arg(0), 8, set) ? value(0) : CallOutcome{Kind::Fault};
}

CallOutcome do_sigaddset(BuiltinCall& c) { return change_set(c, true); }
CallOutcome do_sigdelset(BuiltinCall& c) { return change_set(c, false); }

CallOutcome do_sigismember(BuiltinCall& c)
{
    int const sig = as_int(c.arg(1));
    std::uint64_t set = 0;
    if (auto refused = read_set(c, valid_signal(sig), set))
        return *refused;
    return value((set & sigbit(sig)) != 0);
}

// ---- The mask ---------------------------------------------------------------------------------

// sigprocmask(2) through glibc: the new set is read by the library (which takes the internal
// signals out of it), so a bad `set` faults; the old one is written by the kernel (EFAULT).
CallOutcome do_sigprocmask(BuiltinCall& c)
{
    std::optional<SigSet> set;
    if (c.arg(1)) {
        std::uint64_t bits = 0;
        if (!c.mem.load(c.arg(1), 8, bits))
            return {Kind::Fault};
        set = bits & ~kInternal;
    }
    auto old = c.kernel.sigprocmask(c.pid, as_int(c.arg(0)), set);
    if (!old)
        return fail(c, old.error().code());
    if (c.arg(2) && !copy_out(c, c.arg(2), *old))
        return fail(c, EFAULT);
    return value(0);
}

CallOutcome do_sigpending(BuiltinCall& c)
{
    auto set = c.kernel.sigpending(c.pid);
    if (!set)
        return fail(c, set.error().code());
    return copy_out(c, c.arg(0), *set) ? value(0) : fail(c, EFAULT);
}

// sigsuspend(2): the mask is replaced and the task sleeps until a signal runs a handler; the
// handler runs under the temporary mask, then the old mask comes back and the call fails with
// EINTR (whatever SA_RESTART says). Linux keeps the old mask in the task (saved_sigmask); here
// the call keeps it in its red zone, the 128 bytes below the stack pointer that signal delivery
// skips, with a tag saying how far the call got, since the machine makes the call again both
// when the sleeping task is woken and after the handler has run.
namespace suspend {
inline constexpr std::uint64_t kTag = 0x5349475355535044;  // "SIGSUSPD"
inline constexpr std::uint64_t kSleeping = 0, kHandled = 1;
}  // namespace suspend

struct SuspendState {
    std::uint64_t tag = 0;
    SigSet saved = 0;
    std::uint64_t events = 0;  // The event log's length when the task went to sleep.
};

// Whether `pid` ran a signal handler since the event log had `since` entries. (The machine
// delivers the signal that woke a sleeping task before the task makes its call again.)
bool handled_since(BuiltinCall& c, std::uint64_t since)
{
    auto const& all = c.kernel.events().all();
    for (std::size_t i = std::size_t(since); i < all.size(); ++i)
        if (all[i].kind == EventKind::SignalHandled && all[i].pid == c.pid)
            return true;
    return false;
}

CallOutcome do_sigsuspend(BuiltinCall& c)
{
    std::uint64_t const at = c.cpu.sp - sizeof(SuspendState);
    std::uint64_t const mine = suspend::kTag ^ (std::uint64_t(c.cpu.pc) << 1);
    SuspendState state;
    bool const resumed = copy_in(c, at, state) && (state.tag & ~std::uint64_t(1)) == mine;
    if (resumed && ((state.tag & 1) == suspend::kHandled || handled_since(c, state.events))) {
        (void)copy_out(c, at, SuspendState{});
        (void)c.kernel.sigprocmask(c.pid, SIG_SETMASK, state.saved);
        return fail(c, EINTR);
    }
    if (!resumed) {
        SigSet mask = 0;
        if (!copy_in(c, c.arg(0), mask))
            return fail(c, EFAULT);
        auto old = c.kernel.sigprocmask(c.pid, SIG_SETMASK, mask);
        if (!old)
            return fail(c, old.error().code());
        state = SuspendState{mine | suspend::kSleeping, *old, 0};
    }
    state.events = c.kernel.events().all().size();
    if (!copy_out(c, at, state)) {
        (void)c.kernel.sigprocmask(c.pid, SIG_SETMASK, state.saved);
        return fail(c, EFAULT);
    }
    auto r = c.kernel.pause(c.pid);
    if (!r) {
        (void)c.kernel.sigprocmask(c.pid, SIG_SETMASK, state.saved);
        return fail(c, r.error().code());
    }
    if (*r == WaitResult::Kind::Sleeping)
        return {Kind::Block};
    // A signal is pending under the temporary mask: deliver it, then come back here.
    state.tag = mine | suspend::kHandled;
    (void)copy_out(c, at, state);
    return {Kind::Restart};
}

// ---- Timers and sleeping --------------------------------------------------------------------

CallOutcome do_alarm(BuiltinCall& c) { return returned(c, c.kernel.alarm(c.pid, unsigned(c.arg(0)))); }

struct UserTimeval {
    std::int64_t sec, usec;
};
struct UserItimerval {
    UserTimeval interval, value;
};

// Linux: timeval_valid().
bool valid(UserTimeval const& tv) { return tv.sec >= 0 && tv.usec >= 0 && tv.usec < 1'000'000; }
std::uint64_t ns_of(UserTimeval const& tv) { return std::uint64_t(tv.sec) * kNsPerSec + std::uint64_t(tv.usec) * 1000; }

// A time left as a timeval; an armed timer never reads as 0 (Linux rounds it up to 1 us).
UserTimeval timeval_of(std::uint64_t ns)
{
    if (ns && ns < 1000)
        ns = 1000;
    return UserTimeval{std::int64_t(ns / kNsPerSec), std::int64_t(ns % kNsPerSec / 1000)};
}

// setitimer(2): the new value is copied in (EFAULT) and checked (EINVAL) before `which` is;
// the old one is copied out after the timer is set.
CallOutcome do_setitimer(BuiltinCall& c)
{
    UserItimerval set{};
    if (c.arg(1) && !copy_in(c, c.arg(1), set))
        return fail(c, EFAULT);
    if (!valid(set.value) || !valid(set.interval))
        return fail(c, EINVAL);
    auto old = c.kernel.setitimer(c.pid, as_int(c.arg(0)), ns_of(set.value), ns_of(set.interval));
    if (!old)
        return fail(c, old.error().code());
    if (c.arg(2) && !copy_out(c, c.arg(2), UserItimerval{timeval_of(old->interval_ns), timeval_of(old->expires_ns)}))
        return fail(c, EFAULT);
    return value(0);
}

// getitimer(2): ITIMER_REAL counts down on the simulated clock; the CPU-time timers keep the
// value they were set to.
CallOutcome do_getitimer(BuiltinCall& c)
{
    int const which = as_int(c.arg(0));
    if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
        return fail(c, EINVAL);
    Task const* me = c.kernel.find_task(c.pid);
    if (!me)
        return fail(c, ESRCH);
    Itimer const& t = me->signal->itimers[which];
    std::uint64_t left = t.expires_ns;
    if (which == ITIMER_REAL)
        left = t.expires_ns > c.kernel.now_ns() ? t.expires_ns - c.kernel.now_ns() : 0;
    UserItimerval const out{timeval_of(t.interval_ns), timeval_of(left)};
    return copy_out(c, c.arg(1), out) ? value(0) : fail(c, EFAULT);
}

struct UserTimespec {
    std::int64_t sec, nsec;
};

// The sleep nanosleep and usleep share: how the call ends now (asleep, done, an error), or
// nothing when a signal cut it short, with `left` nanoseconds still to go.
std::optional<CallOutcome> sleep_ns(BuiltinCall& c, std::uint64_t ns, std::uint64_t& left)
{
    auto r = c.kernel.nanosleep(c.pid, ns);
    if (!r)
        return fail(c, r.error().code());
    switch (r->kind) {
    case Blocking::Kind::Sleeping: return CallOutcome{Kind::Block};
    case Blocking::Kind::Done: return value(0);
    case Blocking::Kind::Interrupted: break;
    }
    left = std::uint64_t(r->value);
    return std::nullopt;
}

// nanosleep(2) on the simulated clock: the task sleeps while the others run. A signal ends it
// early: -1 with EINTR, and the time left in *rem (EINTR even under SA_RESTART, as Linux).
CallOutcome do_nanosleep(BuiltinCall& c)
{
    UserTimespec req{};
    if (!copy_in(c, c.arg(0), req))
        return fail(c, EFAULT);
    if (req.sec < 0 || req.nsec < 0 || req.nsec >= std::int64_t(kNsPerSec))
        return fail(c, EINVAL);
    std::uint64_t left = 0;
    if (auto ended = sleep_ns(c, std::uint64_t(req.sec) * kNsPerSec + std::uint64_t(req.nsec), left))
        return *ended;
    UserTimespec const rem{std::int64_t(left / kNsPerSec), std::int64_t(left % kNsPerSec)};
    if (c.arg(1) && !copy_out(c, c.arg(1), rem))
        return fail(c, EFAULT);
    return fail(c, EINTR);
}

// usleep(3): nanosleep for `usec` microseconds (an unsigned int); -1 with EINTR if a signal
// cuts it short.
CallOutcome do_usleep(BuiltinCall& c)
{
    std::uint64_t left = 0;
    if (auto ended = sleep_ns(c, std::uint64_t(std::uint32_t(c.arg(0))) * 1000, left))
        return *ended;
    return fail(c, EINTR);
}

// time(2): seconds since the Epoch on the simulated clock, which starts at kBootEpoch so that a
// run is the same every time. glibc's time() runs in user space (the vDSO): a bad tloc faults.
constexpr std::int64_t kBootEpoch = 1'700'000'000;  // 2023-11-14 22:13:20 UTC.

CallOutcome do_time(BuiltinCall& c)
{
    std::int64_t const now = kBootEpoch + std::int64_t(c.kernel.now_ns() / kNsPerSec);
    if (c.arg(0) && !c.mem.store(c.arg(0), 8, std::uint64_t(now)))
        return {Kind::Fault};
    return value(now);
}

}  // namespace

std::span<Entry const> sys_signal_builtins()
{
    static Entry const table[] = {
        {"sigemptyset", do_sigemptyset}, {"sigfillset", do_sigfillset}, {"sigaddset", do_sigaddset},
        {"sigdelset", do_sigdelset}, {"sigismember", do_sigismember}, {"sigprocmask", do_sigprocmask},
        {"sigpending", do_sigpending}, {"sigsuspend", do_sigsuspend}, {"alarm", do_alarm},
        {"setitimer", do_setitimer}, {"getitimer", do_getitimer}, {"nanosleep", do_nanosleep},
        {"usleep", do_usleep}, {"time", do_time},
    };
    return table;
}

}  // namespace forklab::lang::libc
