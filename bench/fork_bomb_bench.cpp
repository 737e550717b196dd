// fork_bomb_rate and task_host_bytes: a million live tasks made by repeated fork, then killed
// and reaped, on the model kernel; beside it, the real kernel's fork+exit+wait rate on a bounded
// loop of 2,000 processes measured in the same run (before the model's heap grows, so that the
// host's fork copies a small process, as the real figure should).
//
//   fork_bomb_bench [TASKS]   (default 1,000,000)
#include "kernel/kernel.h"
#include "support/host.h"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <malloc.h>
#include <vector>

using namespace forklab;

namespace {

[[noreturn]] void fail(char const* what, Error const& e)
{
    std::fprintf(stderr, "fork_bomb_bench: %s: %s\n", what, e.to_string().c_str());
    std::exit(1);
}

// Limits raised so that a million tasks fit: pid_max at Linux's ceiling, threads-max and
// RLIMIT_NPROC above the count.
KernelConfig big_config(int tasks)
{
    KernelConfig config;
    config.pid_max = kPidMaxLimit;
    config.threads_max = tasks + 1000;
    config.init_rlimits = KernelConfig::default_rlimits(config.threads_max);
    config.init_rlimits[RLIMIT_NPROC] = {kRlimInfinity, kRlimInfinity};
    return config;
}

}  // namespace

struct Round {
    double fork_seconds = 0;
    double reap_seconds = 0;
    double bytes_per_task = 0;
};

// One round: a fresh kernel, `tasks` forks by one parent, then every child killed, run (it
// takes SIGKILL's default action) and reaped.
Round fork_kill_reap(int tasks)
{
    Round round;
    auto kernel = std::make_unique<Kernel>(big_config(tasks));
    auto main_pid = kernel->fork(1);
    if (!main_pid)
        fail("fork from init", main_pid.error());
    if (auto r = kernel->setuid(*main_pid, 1000); !r)
        fail("setuid", r.error());
    std::vector<pid_t> children;
    children.reserve(std::size_t(tasks));
    std::size_t const heap_start = bench::heap_in_use();

    bench::Stopwatch fork_clock;
    for (int i = 0; i < tasks; ++i) {
        auto child = kernel->fork(*main_pid);
        if (!child)
            fail("fork", child.error());
        children.push_back(*child);
    }
    round.fork_seconds = fork_clock.seconds();
    // The children's share of the heap: tasks, pids, shared structures, pid map, event log
    // entries, and the benchmark's own pid vector (4 bytes a task), all counted.
    round.bytes_per_task = double(bench::heap_in_use() - heap_start) / tasks;

    bench::Stopwatch reap_clock;
    for (pid_t child : children)
        if (auto r = kernel->kill(*main_pid, child, SIGKILL); !r)
            fail("kill", r.error());
    for (pid_t child : children)
        if (auto r = kernel->do_signal(child); !r)
            fail("do_signal", r.error());
    for (int i = 0; i < tasks; ++i) {
        auto w = kernel->wait4(*main_pid, -1, 0);
        if (!w || w->kind != WaitResult::Kind::Reported || !WIFSIGNALED(w->status)) {
            std::fprintf(stderr, "fork_bomb_bench: wait %d did not reap a killed child\n", i);
            std::exit(1);
        }
    }
    round.reap_seconds = reap_clock.seconds();
    if (kernel->nr_tasks() != 2) {
        std::fprintf(stderr, "fork_bomb_bench: %zu tasks left, expected init and main\n", kernel->nr_tasks());
        std::exit(1);
    }
    return round;
}

int main(int argc, char** argv)
{
    int const tasks = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
    if (tasks <= 0) {
        std::fprintf(stderr, "usage: fork_bomb_bench [TASKS > 0]\n");
        return 2;
    }
    double const kernel_rate = bench::kernel_fork_exit_wait_rate(2000);

    // The first round warms up the host: growing a fresh 1.4 GB heap costs page faults that a
    // virtual machine makes slow and erratic (the host zeroes every new page), and that are the
    // host's cost, not the model's. Freed memory is kept, and the second round is measured --
    // as the real kernel's loop above runs on recycled slab memory.
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    mallopt(M_MMAP_THRESHOLD, std::numeric_limits<int>::max());
    Round const cold = fork_kill_reap(tasks);
    Round const round = fork_kill_reap(tasks);

    bench::print_figure("fork_bomb_rate", tasks / round.fork_seconds, kernel_rate, "forks/s");
    bench::print_figure("fork_bomb_rate_cold", tasks / cold.fork_seconds, kernel_rate, "forks/s");
    bench::print_figure("task_host_bytes", round.bytes_per_task, "bytes/task");
    bench::print_figure("kill_reap_rate", tasks / round.reap_seconds, "tasks/s");
    return 0;
}
