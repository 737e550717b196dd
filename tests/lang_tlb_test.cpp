// The interpreter's software TLB (lang/memory_port.h). A hit skips the kernel, so it must only
// ever give what the kernel's path would: after every step of programs that fork, exec, change
// their mappings and take signals, each translation the TLB would still use is checked against
// the page table as it is now, under each fork strategy. And the accesses that must fault --
// a store after fork, after mprotect, after munmap, after brk shrinks the heap -- still do.
#include "support/program.h"

#include "lang/session.h"

#include <csignal>

using namespace forklab;
using namespace forklab::test;

namespace {

// Whether every entry the TLB would still use (its address space and mapping generation are
// the current ones) translates as the page table does now. Sets `used` when it held any.
void check_tlb(lang::Session const& s, bool& used)
{
    lang::SoftTlb const& tlb = s.machine().soft_tlb();
    Kernel const& k = s.kernel();
    if (!tlb.mm() || tlb.generation() != k.mapping_generation())
        return;  // Dropped, unread, at its next use.
    bool live = false;
    for (Task const& t : k.tasks())
        live |= t.mm.get() == tlb.mm();
    REQUIRE(live);  // The same generation means no address space was freed since.
    for (lang::SoftTlb::Entry const& e : tlb.entries()) {
        if (!e.used())
            continue;
        used = true;
        auto const page = tlb.mm()->direct_page(e.vpage << kPageShift);
        INFO("page " << std::hex << (e.vpage << kPageShift));
        REQUIRE(page.has_value());
        CHECK(page->frame == e.frame);
        CHECK(page->writable == e.writable);
    }
}

// Runs `source` to the end, checking the TLB and the kernel's invariants after every step.
lang::Run run_checked(std::string const& source, ForkStrategy strategy, RunOptions options = {})
{
    options.kernel.fork_strategy = strategy;
    lang::Session s("prog.c", source, std::move(options));
    bool used = false;
    while (s.step()) {
        check_tlb(s, used);
        require_invariants(s.kernel());
    }
    CHECK(used);  // Else the checks above looked at nothing.
    lang::Run r = s.take_result();
    check_ran_well(r);
    return r;
}

ForkStrategy const kStrategies[] = {ForkStrategy::Cow, ForkStrategy::Copy, ForkStrategy::Odf};

// run_checked under each fork strategy.
void run_checked_each_way(std::string const& source, RunOptions const& options = {})
{
    for (ForkStrategy strategy : kStrategies) {
        CAPTURE(fork_strategy_name(strategy));
        run_checked(source, strategy, options);
    }
}

// A loop over locals, a fork whose parent keeps writing what the child reads (copy-on-write
// must give the child the value before the fork), and a wait.
char const* const kForkProgram = R"(#include <unistd.h>
#include <sys/wait.h>
int g = 1;
int main(void) {
    int p[2];
    pipe(p);
    int s = 0;
    for (int i = 0; i < 50; i++)
        s += i;
    g = 2;
    pid_t child = fork();
    if (child == 0) {
        char c;
        read(p[0], &c, 1);
        EXPECT(g == 2);
        g = 3;
        EXPECT(g == 3);
        _exit(0);
    }
    for (int i = 0; i < 20; i++)
        g = 100 + i;
    write(p[1], "x", 1);
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT(g == 119 && s == 1225);
    return 0;
}
)";

// Stores that must fault although the page was just written: after mprotect, after munmap,
// after brk gave the heap back. Each is made in a child that SIGSEGV must kill.
char const* const kMappingProgram = R"(#include <unistd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
int killed_by_segv(pid_t child) {
    int status = 0;
    waitpid(child, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}
int main(void) {
    int *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT(m != MAP_FAILED);
    pid_t c = fork();
    if (c == 0) {
        for (int i = 0; i < 10; i++)
            m[i] = i;
        EXPECT(mprotect(m, 4096, PROT_READ) == 0);
        EXPECT(m[9] == 9);
        m[0] = 5;
        _exit(0);
    }
    EXPECT(killed_by_segv(c));
    c = fork();
    if (c == 0) {
        m[1024] = 7;
        EXPECT(m[1024] == 7);
        EXPECT(munmap(m + 1024, 4096) == 0);
        m[0] = 1;
        EXPECT(m[1024] == 7);
        _exit(0);
    }
    EXPECT(killed_by_segv(c));
    c = fork();
    if (c == 0) {
        char *heap = sbrk(0);
        EXPECT(sbrk(8192) == heap);
        heap[0] = 1;
        heap[5000] = 2;
        EXPECT(heap[5000] == 2);
        EXPECT(brk(heap) == 0);
        heap[5000] = 3;
        _exit(0);
    }
    EXPECT(killed_by_segv(c));
    m[0] = 8;
    EXPECT(m[0] == 8 && munmap(m, 8192) == 0);
    return 0;
}
)";

// A handler that writes what the interrupted loop reads, and an exec'd program in a child.
char const* const kSignalExecProgram = R"(#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>
int hits = 0;
void on_usr1(int sig) { hits = hits + sig - SIGUSR1 + 1; }
int main(void) {
    signal(SIGUSR1, on_usr1);
    int seen = 0;
    for (int i = 0; i < 5; i++) {
        raise(SIGUSR1);
        seen = hits;
    }
    EXPECT(seen == 5 && hits == 5);
    pid_t c = fork();
    if (c == 0) {
        char *argv[] = {"count", 0};
        execv("/bin/count", argv);
        _exit(127);
    }
    int status = 0;
    waitpid(c, &status, 0);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 45);
    return 0;
}
)";

char const* const kCountProgram = R"(int total = 0;
int main(void) {
    int local[4] = {0, 0, 0, 0};
    for (int i = 0; i < 10; i++) {
        local[i % 4] += i;
        total += i;
    }
    return total == 45 && local[1] == 1 + 5 + 9 ? total : 1;
}
)";

// Paths that change what a cached page holds or maps without this task's own mapping call:
// MADV_DONTNEED gives a written page back (it reads as zeros again), a shared page is written
// and unmapped by a child while the parent keeps it cached, and frames a child's exit freed
// are reused by the parent's next faults. (The same program, built by gcc, passes natively.)
char const* const kOtherPathsProgram = R"(#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
int main(void) {
    char *a = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    a[0] = 7;
    a[1] = 8;
    EXPECT(a[0] == 7);
    EXPECT(madvise(a, 4096, MADV_DONTNEED) == 0);
    EXPECT(a[0] == 0 && a[1] == 0);
    a[1] = 9;
    EXPECT(a[1] == 9);

    int *s = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    s[0] = 1;
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        s[0] = 2;
        EXPECT(munmap(s, 4096) == 0);
        write(p[1], "x", 1);
        _exit(0);
    }
    char ch;
    read(p[0], &ch, 1);
    EXPECT(s[0] == 2);
    s[0] = 3;
    waitpid(c, 0, 0);
    EXPECT(s[0] == 3);

    pid_t d = fork();
    if (d == 0) {
        char *m = mmap(0, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (int i = 0; i < 8; i++)
            m[i * 4096] = 9;
        _exit(m[4096] == 9 ? 0 : 1);
    }
    int status = 0;
    waitpid(d, &status, 0);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *n = mmap(0, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int zeros = 0;
    for (int i = 0; i < 8; i++)
        zeros += n[i * 4096] == 0;
    for (int i = 0; i < 8; i++)
        n[i * 4096] = i;
    EXPECT(zeros == 8 && n[7 * 4096] == 7 && a[1] == 9 && s[0] == 3);
    return 0;
}
)";

}  // namespace

TEST_CASE("tlb: translations match the page table after madvise and another process's munmap and exit")
{
    run_checked_each_way(kOtherPathsProgram);
}

TEST_CASE("tlb: translations match the page table after every step of fork and copy-on-write")
{
    run_checked_each_way(kForkProgram);
}

TEST_CASE("tlb: stores after mprotect and munmap and a shrunk brk still fault")
{
    run_checked_each_way(kMappingProgram);
}

TEST_CASE("tlb: translations match the page table across signal handlers and exec")
{
    RunOptions options;
    options.bin = {{"count", kCountProgram}};
    run_checked_each_way(kSignalExecProgram, options);
}

TEST_CASE("tlb: a store after fork is a copy-on-write fault in the parent as without a TLB")
{
    // The parent's loop writes g's page twenty times after the fork: the first write must fault
    // (the page is copy-on-write), however many writes before the fork filled the TLB.
    lang::Run r = run_checked(kForkProgram, ForkStrategy::Cow);
    REQUIRE(r.kernel);
    std::uint64_t fork_at = 0;
    for (Event const& e : r.kernel->events().all())
        if (e.kind == EventKind::Fork && e.pid == r.main_pid)
            fork_at = e.step;
    REQUIRE(fork_at > 0);
    int cow_faults_after_fork = 0;
    for (Event const& e : r.kernel->events().all()) {
        bool const write = e.aux & 0x40;
        auto const kind = FaultResult::Kind(e.aux & 0x1f);
        bool const cow = kind == FaultResult::Kind::CowCopy || kind == FaultResult::Kind::CowReuse;
        cow_faults_after_fork += e.kind == EventKind::PageFault && e.pid == r.main_pid && e.step >= fork_at && write && cow;
    }
    // The stack page (fork's result is stored in the step of the fork) and g's page.
    CHECK(cow_faults_after_fork >= 2);
}
