// The user-visible constants of the model kernel: clone flags, wait options, signal numbers,
// rlimit resources, prctl options. They are Linux x86-64's values; the host is Linux x86-64, so
// they come from the host's own headers and carry Linux's names.
#pragma once

#include <csignal>
#include <cstdint>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

namespace forklab {

inline constexpr int kNSig = 64;  // _NSIG: signals 1..64.
using SigSet = std::uint64_t;     // Bit (sig - 1) stands for signal sig.

constexpr SigSet sigbit(int sig) { return SigSet(1) << (sig - 1); }
constexpr bool valid_signal(int sig) { return sig >= 1 && sig <= kNSig; }

// SIGKILL and SIGSTOP can be neither caught, ignored nor blocked (signal(7)).
inline constexpr SigSet kUnblockable = sigbit(SIGKILL) | sigbit(SIGSTOP);

// Linux's handler encodings: SIG_DFL is 0 and SIG_IGN is 1; anything else is the address of a
// function in the simulated program.
inline constexpr std::uint64_t kSigDfl = 0;
inline constexpr std::uint64_t kSigIgn = 1;

// What a signal does when its disposition is SIG_DFL (signal(7), "Standard signals").
enum class DefaultAction : std::uint8_t { Terminate, Core, Ignore, Stop, Continue };
DefaultAction default_action(int sig);
char const* signal_name(int sig);  // "SIGCHLD", "SIGRTMIN+3"

// The clone flags this model implements; any other bit is rejected with EINVAL, as clone3() does.
inline constexpr std::uint64_t kSupportedCloneFlags = CLONE_VM | CLONE_FS | CLONE_FILES |
    CLONE_SIGHAND | CLONE_THREAD | CLONE_VFORK | CLONE_PARENT | CLONE_SYSVSEM | CLONE_NEWPID;

// Wait options for wait4()/waitpid().
inline constexpr int kWaitOptions = WNOHANG | WUNTRACED | WCONTINUED | WNOWAIT | __WCLONE |
    __WALL | __WNOTHREAD;

// Raw wait statuses, as the kernel builds them and <sys/wait.h>'s macros take them apart.
constexpr int wait_status_exited(int code) { return (code & 0xff) << 8; }
constexpr int wait_status_signaled(int sig, bool core) { return sig | (core ? 0x80 : 0); }
constexpr int wait_status_stopped(int sig) { return 0x7f | (sig << 8); }
inline constexpr int kWaitStatusContinued = 0xffff;

inline constexpr int kRlimits = RLIM_NLIMITS;  // 16 resources, RLIMIT_CPU..RLIMIT_RTTIME.
inline constexpr std::uint64_t kRlimInfinity = ~std::uint64_t(0);
char const* rlimit_name(int resource);  // "RLIMIT_NPROC"

struct Rlimit {
    std::uint64_t cur = kRlimInfinity;
    std::uint64_t max = kRlimInfinity;
    bool operator==(Rlimit const&) const = default;
};

// Linux: include/linux/pid.h RESERVED_PIDS. Once the pid cursor passes it, allocation wraps
// around to 300 instead of 1, so that daemons started at boot keep the low pids.
inline constexpr int kReservedPids = 300;

// Linux's internal "restart this system call" code (include/linux/errno.h). A user never sees
// it: the caller delivers the pending signal, then makes the same call again.
inline constexpr int kErestartNoIntr = 513;
inline constexpr int kPidMaxLimit = 4 * 1024 * 1024;  // PID_MAX_LIMIT on 64-bit.

}  // namespace forklab
