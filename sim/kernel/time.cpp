// Timers on the simulated clock. Linux: kernel/time/itimer.c, kernel/time/posix-timers.c.
//
// They belong to the process (signal_struct), which is why fork(2) says the child inherits
// none of them: it gets a fresh SignalStruct. ITIMER_VIRTUAL and ITIMER_PROF are kept and
// reported but count CPU time, which the scheduler will charge; ITIMER_REAL (and alarm) and
// POSIX timers run on the simulated clock that advance_time() moves.
#include "kernel/kernel.h"

#include <algorithm>

namespace forklab {

static constexpr std::uint64_t kNsPerSec = 1'000'000'000;

// Linux: alarm_setitimer(). The old alarm's remaining seconds, rounded so that a pending
// alarm never reads as 0.
ErrorOr<unsigned> Kernel::alarm(pid_t caller, unsigned seconds)
{
    Task* me = TRY(current(caller));
    Itimer& real = me->signal->itimers[ITIMER_REAL];
    std::uint64_t const left = real.expires_ns > m_now_ns ? real.expires_ns - m_now_ns : 0;
    real = seconds ? Itimer{m_now_ns + seconds * kNsPerSec, 0} : Itimer{};
    lower_expiry_floor(real.expires_ns);
    std::uint64_t secs = left / kNsPerSec;
    std::uint64_t const nsecs = left % kNsPerSec;
    if ((secs == 0 && nsecs) || nsecs >= kNsPerSec / 2)
        ++secs;
    return unsigned(secs);
}

ErrorOr<Itimer> Kernel::setitimer(pid_t caller, int which, std::uint64_t value_ns, std::uint64_t interval_ns)
{
    Task* me = TRY(current(caller));
    if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
        return error(EINVAL);
    Itimer& timer = me->signal->itimers[which];
    Itimer old = timer;
    if (which == ITIMER_REAL) {
        // Report what is left, as getitimer does, not the absolute expiry.
        old.expires_ns = old.expires_ns > m_now_ns ? old.expires_ns - m_now_ns : 0;
        timer = value_ns ? Itimer{m_now_ns + value_ns, interval_ns} : Itimer{};
        lower_expiry_floor(timer.expires_ns);
    } else {
        timer = value_ns ? Itimer{value_ns, interval_ns} : Itimer{};
    }
    return old;
}

ErrorOr<int> Kernel::timer_create(pid_t caller, int signo)
{
    Task* me = TRY(current(caller));
    if (!valid_signal(signo))
        return error(EINVAL);
    int const id = me->signal->next_timer_id++;
    me->signal->posix_timers.push_back(PosixTimer{id, signo, {}});
    return id;
}

static PosixTimer* find_timer(SignalStruct& sig, int id)
{
    auto it = std::find_if(sig.posix_timers.begin(), sig.posix_timers.end(),
        [id](PosixTimer const& t) { return t.id == id; });
    return it == sig.posix_timers.end() ? nullptr : &*it;
}

ErrorOr<void> Kernel::timer_settime(pid_t caller, int id, std::uint64_t value_ns, std::uint64_t interval_ns)
{
    Task* me = TRY(current(caller));
    PosixTimer* timer = find_timer(*me->signal, id);
    if (!timer)
        return error(EINVAL);
    timer->timer = value_ns ? Itimer{m_now_ns + value_ns, interval_ns} : Itimer{};
    lower_expiry_floor(timer->timer.expires_ns);
    return {};
}

ErrorOr<void> Kernel::timer_delete(pid_t caller, int id)
{
    Task* me = TRY(current(caller));
    if (!find_timer(*me->signal, id))
        return error(EINVAL);
    std::erase_if(me->signal->posix_timers, [id](PosixTimer const& t) { return t.id == id; });
    return {};
}

// Linux: hrtimer_nanosleep() and do_nanosleep(). The sleep's end is kept in the task (as
// Linux keeps it in restart_block), so the call made again after a wake-up that was not the
// timer -- a signal, SIGSTOP and SIGCONT -- sleeps on to the same end. A signal that is
// pending when the task wakes ends the sleep early with the time left, as nanosleep's rem.
ErrorOr<Blocking> Kernel::nanosleep(pid_t caller, std::uint64_t ns)
{
    Task* me = TRY(current(caller));
    if (!me->sleep_expires_ns) {
        if (ns == 0)
            return Blocking{Blocking::Kind::Done, 0};
        me->sleep_expires_ns = m_now_ns + ns;
    }
    std::uint64_t const expires = me->sleep_expires_ns;
    if (m_now_ns >= expires) {
        me->sleep_expires_ns = 0;
        return Blocking{Blocking::Kind::Done, 0};
    }
    if (signal_pending(*me)) {
        me->sleep_expires_ns = 0;
        return Blocking{Blocking::Kind::Interrupted, std::int64_t(expires - m_now_ns)};
    }
    lower_expiry_floor(expires);
    set_state(*me, TaskState::Blocked, BlockReason::Sleep);
    return Blocking{Blocking::Kind::Sleeping, 0};
}

static bool in_nanosleep(Task const& t)
{
    return t.sleep_expires_ns && t.state == TaskState::Blocked && t.blocked_on == BlockReason::Sleep;
}

std::optional<std::uint64_t> Kernel::next_expiry_ns() const
{
    std::optional<std::uint64_t> next;
    auto consider = [&](std::uint64_t at) {
        if (at && (!next || at < *next))
            next = at;
    };
    for (Task const& t : m_tasks) {
        if (in_nanosleep(t))
            consider(t.sleep_expires_ns);
        if (!t.is_thread_group_leader() || t.exiting)
            continue;
        consider(t.signal->itimers[ITIMER_REAL].expires_ns);
        for (PosixTimer const& pt : t.signal->posix_timers)
            consider(pt.timer.expires_ns);
    }
    return next;
}

void Kernel::lower_expiry_floor(std::uint64_t expires)
{
    if (expires && expires < m_expiry_floor)
        m_expiry_floor = expires;
}

// Fire every timer and end every sleep that expires up to now + ns, in the order of expiry
// (a timer before a sleep ending at the same time), reloading the periodic timers. A scan of
// every process, done only when the clock reaches the earliest expiry: a scheduler moves the
// clock at every step, and steps that fire nothing pay nothing.
void Kernel::advance_time(std::uint64_t ns)
{
    std::uint64_t const end = m_now_ns + ns;
    if (end < m_expiry_floor) {
        m_now_ns = end;
        return;
    }
    for (;;) {
        Itimer* next = nullptr;
        Task* owner = nullptr;
        Task* sleeper = nullptr;
        std::uint64_t at = 0;
        int signo = 0;
        SignalReason why = SignalReason::Alarm;
        auto consider = [&](Itimer& t, Task& leader, int sig, SignalReason reason) {
            if (t.expires_ns && t.expires_ns <= end && (!at || t.expires_ns < at)) {
                next = &t;
                owner = &leader;
                signo = sig;
                why = reason;
                at = t.expires_ns;
            }
        };
        for (Task& t : m_tasks) {
            if (!t.is_thread_group_leader() || t.exiting)
                continue;
            consider(t.signal->itimers[ITIMER_REAL], t, SIGALRM, SignalReason::Alarm);
            for (PosixTimer& pt : t.signal->posix_timers)
                consider(pt.timer, t, pt.signo, SignalReason::Timer);
        }
        for (Task& t : m_tasks)
            if (in_nanosleep(t) && t.sleep_expires_ns <= end && (!at || t.sleep_expires_ns < at))
                sleeper = &t, next = nullptr, at = t.sleep_expires_ns;
        if (!at)
            break;
        m_now_ns = at;
        if (sleeper) {
            wake_up(*sleeper);  // The call made again finds its time slept.
            continue;
        }
        next->expires_ns = next->interval_ns ? next->expires_ns + next->interval_ns : 0;
        (void)group_send_sig_info(nullptr, signo, *owner, why);
    }
    m_now_ns = end;
    m_expiry_floor = next_expiry_ns().value_or(UINT64_MAX);
}

}  // namespace forklab
