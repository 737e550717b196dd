#include "support/host.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <string_view>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace forklab::bench {

namespace {

// Set in the helper's environment to "<fd> <job> <arg> <arg>": the job to run and the pipe to
// send its figure to.
constexpr std::string_view kHelperVariable = "FORKLAB_HOST_HELPER";
constexpr int kCowRuns = 5;
constexpr std::size_t kSmallProcessPages = 10;

double fail(char const* what)
{
    std::fprintf(stderr, "forklab host: %s: %s\n", what, std::strerror(errno));
    return -1;
}

double microseconds(std::chrono::steady_clock::duration d)
{
    return std::chrono::duration<double, std::micro>(d).count();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    std::size_t const n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Moves all `len` bytes through read(2) or write(2), retrying after EINTR and short transfers;
// false at end of file or on an error (the other side died without finishing).
template<typename Transfer, typename Byte>
bool transfer_all(Transfer transfer, int fd, Byte* p, std::size_t left)
{
    while (left > 0) {
        ssize_t const n = transfer(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        left -= std::size_t(n);
    }
    return true;
}

bool write_double(int fd, double value)
{
    return transfer_all(::write, fd, reinterpret_cast<char const*>(&value), sizeof value);
}

// Reads one double, or fails at end of file (the writer died without sending one).
bool read_double(int fd, double& value)
{
    return transfer_all(::read, fd, reinterpret_cast<char*>(&value), sizeof value);
}

// Waits for `pid`; true if it exited with status 0.
bool reap(pid_t pid, char const* who)
{
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (r != pid) {
        fail("waitpid");
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "forklab host: %s ended with wait status %#x\n", who, unsigned(status));
        return false;
    }
    return true;
}

// The figure a child sends down `fd` (the read end, which this closes), once the child is
// reaped.
double collect(pid_t pid, int fd, char const* who)
{
    double value = -1;
    bool const got = read_double(fd, value);
    ::close(fd);
    bool const exited = reap(pid, who);
    if (!got) {
        std::fprintf(stderr, "forklab host: %s sent no figure\n", who);
        return -1;
    }
    return exited ? value : -1;
}

// Runs `fn` in a forked child, which sends back the double it returns and _exits.
template <class Fn>
double run_in_child(char const* who, Fn fn)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return fail("pipe2");
    pid_t const pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return fail("fork");
    }
    if (pid == 0) {
        ::close(fds[0]);
        double const value = fn();
        ::_exit(write_double(fds[1], value) ? 0 : 1);
    }
    ::close(fds[1]);
    return collect(pid, fds[0], who);
}

// Runs `job` in a fresh helper process (see host.h), which sends back its figure.
double run_in_fresh_process(std::string const& job)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return fail("pipe2");
    std::string variable = std::string(kHelperVariable) + "=" + std::to_string(fds[1]) + " " + job;
    std::vector<char*> env;
    for (char** e = environ; *e; ++e)
        if (!std::string_view(*e).starts_with(std::string(kHelperVariable) + "="))
            env.push_back(*e);
    env.push_back(variable.data());
    env.push_back(nullptr);
    char arg0[] = "forklab-host-helper";
    char* argv[] = {arg0, nullptr};

    // The write end is kept open across exec (adddup2 onto itself clears close-on-exec); the
    // helper gets SIGCHLD's default action and no blocked signals, whatever the benchmark set.
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], fds[1]);
    posix_spawnattr_init(&attr);
    sigset_t none, chld;
    sigemptyset(&none);
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &chld);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    int const error = ::posix_spawn(&pid, "/proc/self/exe", &actions, &attr, argv, env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    if (error != 0) {
        ::close(fds[0]);
        errno = error;
        return fail("posix_spawn /proc/self/exe");
    }
    return collect(pid, fds[0], "helper process");
}

// This process's RssAnon (anonymous pages with a frame of their own mapped), in bytes.
long rss_anon_bytes()
{
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) {
        fail("open /proc/self/status");
        return -1;
    }
    char line[256];
    long kb = -1;
    while (std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "RssAnon: %ld kB", &kb) == 1)
            break;
    std::fclose(f);
    if (kb < 0)
        std::fprintf(stderr, "forklab host: no RssAnon in /proc/self/status\n");
    return kb < 0 ? -1 : kb * 1024;
}

std::size_t page_size()
{
    return std::size_t(::sysconf(_SC_PAGESIZE));
}

// `bytes` of private anonymous memory in base pages, every page written with `value`; or null.
// With `check`, RssAnon must have grown by all of it (no page left on the shared zero page).
char* map_touched(std::size_t bytes, char value, bool check)
{
    void* const p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fail("mmap");
        return nullptr;
    }
    // EINVAL: a kernel without transparent huge pages, whose pages are base pages anyway.
    if (::madvise(p, bytes, MADV_NOHUGEPAGE) != 0 && errno != EINVAL) {
        fail("madvise MADV_NOHUGEPAGE");
        return nullptr;
    }
    long const before = check ? rss_anon_bytes() : 0;
    volatile char* const mem = static_cast<char*>(p);
    for (std::size_t offset = 0; offset < bytes; offset += page_size())
        mem[offset] = value;
    if (!check)
        return static_cast<char*>(p);
    long const after = rss_anon_bytes();
    if (before < 0 || after < 0)
        return nullptr;
    // The kernel's RSS counters are per-cpu and may lag by a few dozen pages.
    long const slack = 256 * long(page_size());
    if (after - before + slack < long(bytes)) {
        std::fprintf(stderr, "forklab host: wrote every page of %zu bytes but RssAnon grew by %ld\n", bytes,
            after - before);
        return nullptr;
    }
    return static_cast<char*>(p);
}

double measure_fork_touched_us(std::size_t bytes, int repeats)
{
    if (!map_touched(bytes, 1, true))
        return -1;
    std::vector<double> times;
    times.reserve(std::size_t(repeats));
    for (int i = 0; i < repeats; ++i) {
        auto const start = std::chrono::steady_clock::now();
        pid_t const pid = ::fork();
        if (pid == 0)
            ::_exit(0);
        auto const end = std::chrono::steady_clock::now();
        if (pid < 0)
            return fail("fork");
        if (!reap(pid, "forked child"))
            return -1;
        times.push_back(microseconds(end - start));
    }
    return median(times);
}

double measure_cow_fault_ns(std::size_t bytes)
{
    char* const mem = map_touched(bytes, 1, true);
    if (!mem)
        return -1;
    std::size_t const page = page_size();
    std::size_t const pages = (bytes + page - 1) / page;
    std::vector<double> per_page;
    for (int run = 0; run < kCowRuns; ++run) {
        // This process waits in collect() with every page still mapped, so none can be reused.
        double const ns = run_in_child("copy-on-write writer", [&] {
            struct rusage before {}, after {};
            ::getrusage(RUSAGE_SELF, &before);
            volatile char* const m = mem;
            auto const start = std::chrono::steady_clock::now();
            for (std::size_t offset = 0; offset < bytes; offset += page)
                m[offset] = 2;
            auto const end = std::chrono::steady_clock::now();
            ::getrusage(RUSAGE_SELF, &after);
            long const faults = after.ru_minflt - before.ru_minflt;
            if (faults < long(pages)) {
                std::fprintf(stderr, "forklab host: %zu copy-on-write writes took only %ld faults\n", pages, faults);
                return -1.0;
            }
            return microseconds(end - start) * 1000 / double(pages);
        });
        if (ns < 0)
            return -1;
        per_page.push_back(ns);
    }
    return median(per_page);
}

double measure_small_fork_rate(int count)
{
    if (!map_touched(kSmallProcessPages * page_size(), 1, false))
        return -1;
    Stopwatch clock;
    for (int i = 0; i < count; ++i) {
        pid_t const pid = ::fork();
        if (pid < 0)
            return fail("fork");
        if (pid == 0)
            ::_exit(0);
        if (!reap(pid, "forked child"))
            return -1;
    }
    return count / clock.seconds();
}

// The helper's entry: when the variable is set, this process is a helper started by
// run_in_fresh_process(); it runs the job before the program's own static initializers and
// before main(), sends the figure and exits.
[[gnu::constructor(101), gnu::used]] void helper_entry()
{
    char const* const job = std::getenv(std::string(kHelperVariable).c_str());
    if (!job)
        return;
    int fd = -1;
    char kind[32] = {};
    unsigned long long a = 0, b = 0;
    int const fields = std::sscanf(job, "%d %31s %llu %llu", &fd, kind, &a, &b);
    std::string_view const name = kind;
    double figure = -1;
    if (fields == 4 && name == "fork_touched")
        figure = measure_fork_touched_us(std::size_t(a), int(b));
    else if (fields >= 3 && name == "cow_fault")
        figure = measure_cow_fault_ns(std::size_t(a));
    else if (fields >= 3 && name == "small_fork")
        figure = measure_small_fork_rate(int(a));
    else
        std::fprintf(stderr, "forklab host: bad %s job '%s'\n", std::string(kHelperVariable).c_str(), job);
    ::_exit(fd >= 0 && write_double(fd, figure) ? 0 : 1);
}

}  // namespace

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

double kernel_fork_touched_us(std::size_t bytes, int repeats)
{
    if (bytes == 0 || repeats <= 0) {
        std::fprintf(stderr, "forklab host: kernel_fork_touched_us needs bytes and repeats above 0\n");
        return -1;
    }
    return run_in_fresh_process("fork_touched " + std::to_string(bytes) + " " + std::to_string(repeats));
}

double kernel_cow_fault_ns(std::size_t bytes)
{
    if (bytes == 0) {
        std::fprintf(stderr, "forklab host: kernel_cow_fault_ns needs bytes above 0\n");
        return -1;
    }
    return run_in_fresh_process("cow_fault " + std::to_string(bytes));
}

double kernel_small_fork_rate(int count)
{
    if (count <= 0) {
        std::fprintf(stderr, "forklab host: kernel_small_fork_rate needs count above 0\n");
        return -1;
    }
    return run_in_fresh_process("small_fork " + std::to_string(count));
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
