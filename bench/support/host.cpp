#include "support/host.h"

#include <cstdio>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

namespace forklab::bench {

std::size_t heap_in_use()
{
    struct mallinfo2 const info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

double kernel_fork_exit_wait_rate(int count)
{
    Stopwatch clock;
    for (int i = 0; i < count; ++i) {
        pid_t const pid = ::fork();
        if (pid < 0)
            return -1;
        if (pid == 0)
            ::_exit(0);
        int status = 0;
        if (::waitpid(pid, &status, 0) != pid)
            return -1;
    }
    return count / clock.seconds();
}

void print_figure(std::string const& name, double forklab, std::string const& unit)
{
    std::printf("%-22s forklab=%.6g %s\n", name.c_str(), forklab, unit.c_str());
}

void print_figure(std::string const& name, double forklab, double kernel, std::string const& unit)
{
    std::printf("%-22s forklab=%.6g %s  kernel=%.6g %s  ratio=%.4g\n", name.c_str(), forklab, unit.c_str(),
        kernel, unit.c_str(), kernel / forklab);
}

}  // namespace forklab::bench
