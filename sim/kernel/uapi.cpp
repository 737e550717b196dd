#include "kernel/uapi.h"

#include <array>
#include <cstring>
#include <string>

namespace forklab {

DefaultAction default_action(int sig)
{
    switch (sig) {
    case SIGCHLD: case SIGURG: case SIGWINCH:
        return DefaultAction::Ignore;
    case SIGCONT:
        return DefaultAction::Continue;
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        return DefaultAction::Stop;
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
    case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
        return DefaultAction::Core;
    default:
        return DefaultAction::Terminate;  // Everything else, real-time signals included.
    }
}

char const* signal_name(int sig)
{
    // sigabbrev_np() gives glibc's names without the "SIG" prefix; real-time signals get the
    // SIGRTMIN+n form that kill -l prints. SIGRTMIN is 34 on glibc (32 and 33 are NPTL's).
    static std::array<std::string, kNSig + 1> const names = [] {
        std::array<std::string, kNSig + 1> table;
        for (int s = 1; s <= kNSig; ++s) {
            char const* abbrev = sigabbrev_np(s);
            if (abbrev)
                table[s] = std::string("SIG") + abbrev;
            else if (s >= 34)
                table[s] = (s == 34) ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(s - 34);
            else
                table[s] = "SIG" + std::to_string(s);
        }
        table[0] = "signal 0";
        return table;
    }();
    return (sig >= 0 && sig <= kNSig) ? names[sig].c_str() : "SIG?";
}

char const* rlimit_name(int resource)
{
    static constexpr char const* names[kRlimits] = {
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
        "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
        "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO",
        "RLIMIT_RTTIME",
    };
    return (resource >= 0 && resource < kRlimits) ? names[resource] : "RLIMIT_?";
}

}  // namespace forklab
