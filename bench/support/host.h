// What benchmarks measure on the host: heap in use, wall time, and the real kernel doing the
// same work, so that each figure can be printed beside the kernel's from the same run.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace forklab::bench {

// Bytes of heap in use (glibc mallinfo2: small blocks plus mmapped blocks).
std::size_t heap_in_use();

class Stopwatch {
public:
    Stopwatch() : m_start(std::chrono::steady_clock::now()) {}
    double seconds() const
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }

private:
    std::chrono::steady_clock::time_point m_start;
};

// The real kernel: `count` rounds of fork(), _exit(0) in the child, waitpid() in the parent.
// Returns forks per second, or a negative number if fork failed.
double kernel_fork_exit_wait_rate(int count);

// One output line in the format bench/run promises.
void print_figure(std::string const& name, double forklab, std::string const& unit);
void print_figure(std::string const& name, double forklab, double kernel, std::string const& unit);

}  // namespace forklab::bench
