// A model kernel with a student's process in it, and steps that check every invariant.
//
// Kernel tests drive the kernel the way the interpreter will: one system call per step, then
// check_invariants(). Each helper REQUIREs the call to succeed; tests that expect an error call
// the kernel directly and then lab.check().
#pragma once

#include "kernel/kernel.h"

#include <doctest/doctest.h>
#include <algorithm>
#include <string>

namespace forklab::test {

inline std::string join(std::vector<std::string> const& lines)
{
    std::string all;
    for (auto const& l : lines)
        all += l + "\n";
    return all;
}

inline std::string errno_name(Error const& e) { return std::string(e.name()); }

// The error of a failed call, or "" -- doctest builds a message even when the check passes, and
// error() of a successful expected must not be called.
template<typename T>
std::string why(ErrorOr<T> const& r)
{
    return r ? std::string() : errno_name(r.error());
}

class Lab {
public:
    static constexpr uid_t kStudent = 1000;

    explicit Lab(KernelConfig config = {}) : k(config)
    {
        // As a scenario runs: init (root) forks a process that becomes the student's.
        auto pid = k.fork(1);
        REQUIRE(pid);
        REQUIRE(k.setuid(*pid, kStudent));
        main = *pid;
        check();
    }

    // check_invariants() after every step.
    void check() const
    {
        auto problems = k.check_invariants();
        INFO(join(problems));
        REQUIRE(problems.empty());
    }

    Task const& task(pid_t pid) const
    {
        Task const* t = k.find_task(pid);
        REQUIRE_MESSAGE(t != nullptr, "no task with pid " << pid);
        return *t;
    }
    bool exists(pid_t pid) const { return k.find_task(pid) != nullptr; }

    pid_t fork(pid_t parent)
    {
        auto r = k.fork(parent);
        REQUIRE_MESSAGE(r, "fork failed: " << why(r));
        check();
        return *r;
    }
    void exit(pid_t pid, int code = 0)
    {
        auto r = k.exit_group(pid, code);
        REQUIRE_MESSAGE(r, "exit failed: " << why(r));
        check();
    }
    void kill(pid_t from, pid_t to, int sig)
    {
        auto r = k.kill(from, to, sig);
        REQUIRE_MESSAGE(r, "kill failed: " << why(r));
        check();
    }
    // Let the task reach user mode: deliver what is pending (default actions happen here).
    std::optional<SignalDelivery> run(pid_t pid)
    {
        auto r = k.do_signal(pid);
        REQUIRE(r);
        check();
        return *r;
    }
    WaitResult wait(pid_t waiter, pid_t pid = -1, int options = 0)
    {
        auto r = k.wait4(waiter, pid, options);
        REQUIRE_MESSAGE(r, "wait4 failed: " << why(r));
        check();
        return *r;
    }
    // waitpid() that must report a child now.
    WaitResult reap(pid_t waiter, pid_t pid = -1, int options = 0)
    {
        WaitResult w = wait(waiter, pid, options);
        REQUIRE(w.kind == WaitResult::Kind::Reported);
        return w;
    }
    // A call that must fail with exactly `code`; the invariants must hold afterwards too.
    template<typename T>
    void fails(ErrorOr<T> const& result, int code) const
    {
        check();
        REQUIRE_FALSE(result);
        CHECK_MESSAGE(result.error().code() == code,
            "expected " << errno_name(Error::from_errno(code)) << ", got " << why(result));
    }

    // The root-namespace pid of `parent`'s most recent child. fork() returns the pid as the
    // parent's namespace sees it, which differs for a process inside a pid namespace.
    pid_t last_child_of(pid_t parent) const
    {
        for (auto it = k.events().all().rbegin(); it != k.events().all().rend(); ++it)
            if (it->kind == EventKind::Fork && it->pid == parent)
                return it->other;
        FAIL("pid " << parent << " has forked nothing");
        return 0;
    }

    int count_events(EventKind kind) const
    {
        int n = 0;
        for (Event const& e : k.events().all())
            n += e.kind == kind;
        return n;
    }

    // --- Files. read() and write() move bytes to and from the process's own memory, so the
    // helpers keep a scratch buffer mapped at a fixed address in each process that uses them.
    static constexpr std::uint64_t kScratch = 0x10000000;

    std::uint64_t scratch(pid_t pid, std::size_t size)
    {
        std::uint64_t const len = page_ceil(std::max<std::size_t>(size, 1));
        Vma const* v = task(pid).mm->find_vma(kScratch);
        if (!v || v->start != kScratch || v->end - kScratch < len) {
            auto r = k.mmap(pid, kScratch, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
            REQUIRE_MESSAGE(r, "mmap of the scratch buffer failed: " << why(r));
        }
        return kScratch;
    }
    int open(pid_t pid, std::string_view path, int flags, mode_t mode = 0644)
    {
        auto r = k.open(pid, path, flags, mode);
        REQUIRE_MESSAGE(r, "open(" << path << ") failed: " << why(r));
        check();
        return *r;
    }
    std::pair<int, int> pipe(pid_t pid, int flags = 0)
    {
        auto r = k.pipe2(pid, flags);
        REQUIRE_MESSAGE(r, "pipe failed: " << why(r));
        check();
        return *r;
    }
    // write(2) of `text`: the call's result as the kernel gave it (it may sleep or fail).
    ErrorOr<Blocking> try_write(pid_t pid, int fd, std::string_view text)
    {
        std::uint64_t const buf = scratch(pid, text.size());
        auto const* bytes = reinterpret_cast<std::uint8_t const*>(text.data());
        auto stored = k.write_memory(pid, buf, std::span(bytes, text.size()));
        REQUIRE((stored && stored->ok));
        auto r = k.write(pid, fd, buf, text.size());
        check();
        return r;
    }
    // write(2) that must complete; returns the byte count.
    std::int64_t write(pid_t pid, int fd, std::string_view text)
    {
        auto r = try_write(pid, fd, text);
        REQUIRE_MESSAGE(r, "write failed: " << why(r));
        REQUIRE(r->kind == Blocking::Kind::Done);
        return r->value;
    }
    // read(2) of up to `count` bytes: the call's result, and what arrived in `out`.
    ErrorOr<Blocking> try_read(pid_t pid, int fd, std::size_t count, std::string* out = nullptr)
    {
        std::uint64_t const buf = scratch(pid, count);
        auto r = k.read(pid, fd, buf, count);
        check();
        if (out && r && r->kind == Blocking::Kind::Done) {
            std::vector<std::uint8_t> bytes(std::size_t(r->value));
            auto got = k.read_memory(pid, buf, bytes);
            REQUIRE((got && got->ok));
            out->assign(bytes.begin(), bytes.end());
        }
        return r;
    }
    // read(2) that must complete; returns the bytes ("" at end-of-file).
    std::string read(pid_t pid, int fd, std::size_t count)
    {
        std::string out;
        auto r = try_read(pid, fd, count, &out);
        REQUIRE_MESSAGE(r, "read failed: " << why(r));
        REQUIRE(r->kind == Blocking::Kind::Done);
        return out;
    }

    Kernel k;
    pid_t main = 0;  // The student's first process, uid 1000, child of init.
};

}  // namespace forklab::test
