// The memory model's costs beside the real kernel's, from the same run:
//   fork_1gib_cow, fork_1gib_copy, fork_1gib_odf  fork of a process with 262,144 populated pages
//                                                 (1 GiB, a non-zero byte in every page), in µs
//   cow_fault                                     a child's write to each page of 256 MiB after
//                                                 fork, each a copy-on-write copy, in ns per page
//   pte_host_bytes                                host bytes of page table per populated page
//   fork_small_rate                               fork+exit+wait of a textbook-sized process
#include "kernel/kernel.h"
#include "support/host.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace forklab;

namespace {

constexpr std::uint64_t kGiB = 1ull << 30;

[[noreturn]] void fail(char const* what, Error const& e)
{
    std::fprintf(stderr, "mm_bench: %s: %s\n", what, e.to_string().c_str());
    std::exit(1);
}

template<typename T>
T must(ErrorOr<T> r, char const* what)
{
    if (!r)
        fail(what, r.error());
    if constexpr (!std::is_void_v<T>)
        return *r;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// A kernel with room for a 1 GiB process and a full copy of it, and a student's process.
struct Lab {
    explicit Lab(ForkStrategy strategy)
        : kernel([&] {
            KernelConfig config;
            config.physical_frames = 2 * (kGiB >> kPageShift) + 4096;
            config.fork_strategy = strategy;
            return config;
        }())
    {
        main = must(kernel.fork(1), "fork");
        must(kernel.setuid(main, 1000), "setuid");
        must(kernel.exec_image(main, "bench", ProgramImage{{0x90}, {}, {1}, 4096, 8 << 20}), "exec");
    }

    // An anonymous private area with a non-zero byte written to every page.
    std::uint64_t populate(std::uint64_t bytes)
    {
        std::uint64_t const at = must(kernel.mmap(main, 0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), "mmap");
        std::uint8_t const one = 1;
        for (std::uint64_t off = 0; off < bytes; off += kPageSize)
            if (!must(kernel.write_memory(main, at + off, std::span(&one, 1)), "write").ok)
                std::exit(1);
        return at;
    }

    void reap(pid_t child)
    {
        must(kernel.exit_group(child, 0), "exit");
        auto w = must(kernel.wait4(main, child, 0), "wait");
        if (w.kind != WaitResult::Kind::Reported)
            std::exit(1);
    }

    Kernel kernel;
    pid_t main = 0;
};

// The fork call itself, median of `repeats`; each child is reaped untimed.
double fork_us(ForkStrategy strategy, int repeats)
{
    Lab lab(strategy);
    lab.populate(kGiB);
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        bench::Stopwatch clock;
        pid_t const child = must(lab.kernel.fork(lab.main), "fork");
        times.push_back(clock.seconds() * 1e6);
        lab.reap(child);
    }
    return median(times);
}

// A child writes one byte to each page of 256 MiB its parent populated: one COW copy per page.
double cow_fault_ns()
{
    std::uint64_t const bytes = 256ull << 20;
    Lab lab(ForkStrategy::Cow);
    std::uint64_t const at = lab.populate(bytes);
    std::vector<double> runs;
    for (int r = 0; r < 3; ++r) {
        pid_t const child = must(lab.kernel.fork(lab.main), "fork");
        std::uint8_t const two = 2;
        bench::Stopwatch clock;
        for (std::uint64_t off = 0; off < bytes; off += kPageSize)
            if (!must(lab.kernel.write_memory(child, at + off, std::span(&two, 1)), "write").ok)
                std::exit(1);
        runs.push_back(clock.seconds() * 1e9 / double(bytes >> kPageShift));
        if (lab.kernel.find_task(child)->mm_counters.cow_copies != bytes >> kPageShift) {
            std::fprintf(stderr, "mm_bench: the child's writes were not all copy-on-write copies\n");
            std::exit(1);
        }
        lab.reap(child);
    }
    return median(runs);
}

// Host memory of the page table per populated page: heap growth while 1 GiB is faulted in
// (frames are preallocated, and MAP_POPULATE allocates no page contents), over the pages.
double pte_host_bytes()
{
    Lab lab(ForkStrategy::Cow);
    std::size_t const before = bench::heap_in_use();
    must(lab.kernel.mmap(lab.main, 0, kGiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE), "mmap");
    return double(bench::heap_in_use() - before) / double(kGiB >> kPageShift);
}

// fork + exit + wait of a process with about ten populated pages, as the real figure is.
double small_fork_rate(int count)
{
    Kernel kernel;
    pid_t const main = must(kernel.fork(1), "fork");
    must(kernel.exec_image(main, "small", ProgramImage{{0x90}, {1}, {2}, 2 * kPageSize, 8 << 20}), "exec");
    std::uint8_t const one = 1;
    std::uint64_t const heap = must(kernel.brk(main, 0), "brk");
    must(kernel.brk(main, heap + 2 * kPageSize), "brk");
    for (std::uint64_t va : {MmStruct::kTextBase + 2 * kPageSize, MmStruct::kTextBase + 3 * kPageSize,
             MmStruct::kTextBase + 4 * kPageSize, heap, heap + kPageSize, MmStruct::kStackTop - kPageSize,
             MmStruct::kStackTop - 2 * kPageSize, MmStruct::kStackTop - 3 * kPageSize})
        must(kernel.write_memory(main, va, std::span(&one, 1)), "write");
    bench::Stopwatch clock;
    for (int i = 0; i < count; ++i) {
        pid_t const child = must(kernel.fork(main), "fork");
        must(kernel.exit_group(child, 0), "exit");
        must(kernel.wait4(main, child, 0), "wait");
    }
    return count / clock.seconds();
}

}  // namespace

int main()
{
    // The real kernel first, each in a freshly spawned small process (bench/support/host.cpp).
    double const k_fork = bench::kernel_fork_touched_us(kGiB, 9);
    double const k_cow = bench::kernel_cow_fault_ns(256ull << 20);
    double const k_small = bench::kernel_small_fork_rate(2000);

    bench::print_figure("fork_1gib_cow", fork_us(ForkStrategy::Cow, 9), k_fork, "us");
    bench::print_figure("fork_1gib_odf", fork_us(ForkStrategy::Odf, 9), k_fork, "us");
    bench::print_figure("fork_1gib_copy", fork_us(ForkStrategy::Copy, 3), k_fork, "us");
    bench::print_figure("cow_fault", cow_fault_ns(), k_cow, "ns");
    bench::print_figure("pte_host_bytes", pte_host_bytes(), "bytes/page");
    bench::print_figure("fork_small_rate", small_fork_rate(200000), k_small, "forks/s");
    return 0;
}
