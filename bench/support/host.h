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

// The three functions below measure in a fresh helper process: the benchmark's own binary
// started again by posix_spawn() of /proc/self/exe, which performs the measurement in a
// constructor before main() and sends the figure back through a pipe. A fresh process, not a
// fork of the benchmark, because a forked child shares the benchmark's whole address space (a
// model heap of a gigabyte would be copied by every fork it makes); posix_spawn() also leaves
// the benchmark's own page tables as they were. Every process they start is reaped before they
// return. Each returns a negative number, having said why on stderr, if a system call fails or
// the memory could not be shown populated.

// The time of one fork() of a process with `bytes` of touched memory: the helper maps `bytes`
// of private anonymous memory (with transparent huge pages turned off for it, so it is made of
// base pages), writes a nonzero byte to every page so that each has its own frame (checked
// against the helper's RssAnon), then makes `repeats` rounds of fork(), _exit(0) in the child
// and waitpid() in the parent. Returns the median, in microseconds, of the time from just
// before fork() to just after it returns in the parent.
double kernel_fork_touched_us(std::size_t bytes, int repeats);

// The cost of one copy-on-write fault: the helper maps `bytes` of private anonymous memory
// (base pages), writes a nonzero byte to every page, and forks a child that writes one byte to
// every page while the helper, still mapping all of them, waits; so every write faults and
// copies its page (checked against the child's count of minor faults). Returns the time of the
// child's whole write loop divided by the number of pages, in nanoseconds per page: the median
// of five such children.
double kernel_cow_fault_ns(std::size_t bytes);

// The fork+exit+wait rate of a small process: the helper, which has written to ten pages of
// its own private anonymous memory besides what starting a program touches, makes `count`
// rounds of fork(), _exit(0) in the child and waitpid() in the parent. Returns forks per
// second over the whole loop.
double kernel_small_fork_rate(int count);

// One output line in the format bench/run promises.
void print_figure(std::string const& name, double forklab, std::string const& unit);
void print_figure(std::string const& name, double forklab, double kernel, std::string const& unit);

}  // namespace forklab::bench
