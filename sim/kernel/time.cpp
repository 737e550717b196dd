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

// Fire every timer that expires up to now + ns, in the order of expiry, reloading the
// periodic ones. (A scan of every process: scenarios have few, and the fork path pays nothing.)
void Kernel::advance_time(std::uint64_t ns)
{
    std::uint64_t const end = m_now_ns + ns;
    for (;;) {
        Itimer* next = nullptr;
        Task* owner = nullptr;
        int signo = 0;
        SignalReason why = SignalReason::Alarm;
        auto consider = [&](Itimer& t, Task& leader, int sig, SignalReason reason) {
            if (t.expires_ns && t.expires_ns <= end && (!next || t.expires_ns < next->expires_ns)) {
                next = &t;
                owner = &leader;
                signo = sig;
                why = reason;
            }
        };
        for (Task& t : m_tasks) {
            if (!t.is_thread_group_leader() || t.exiting)
                continue;
            consider(t.signal->itimers[ITIMER_REAL], t, SIGALRM, SignalReason::Alarm);
            for (PosixTimer& pt : t.signal->posix_timers)
                consider(pt.timer, t, pt.signo, SignalReason::Timer);
        }
        if (!next)
            break;
        m_now_ns = next->expires_ns;
        next->expires_ns = next->interval_ns ? next->expires_ns + next->interval_ns : 0;
        (void)group_send_sig_info(nullptr, signo, *owner, why);
    }
    m_now_ns = end;
}

}  // namespace forklab
