// The bytecode compiler and the machine: C programs run on the model kernel, one statement per
// step, with check_invariants() after every step. Expected values of the arithmetic tests were
// printed by the same C programs compiled with gcc on x86-64 (/tmp/vm-c/).
#include "support/program.h"

#include <doctest/doctest.h>

#include <string>
#include <sys/wait.h>

using namespace forklab;
using namespace forklab::lang;
using namespace forklab::test;


TEST_CASE("vm: main's return value is the exit status")
{
    Run r = run("int main(void) { int x = 40; x = x + 2; return x; }");
    REQUIRE(r.ok);
    CHECK(WIFEXITED(r.main_status()));
    CHECK(WEXITSTATUS(r.main_status()) == 42);
}

TEST_CASE("vm: write to the terminal")
{
    CHECK(output_of(R"(#include <unistd.h>
int main(void) { write(1, "hello\n", 6); return 0; })") == "hello\n");
}

// Each expectation's value is what gcc -fwrapv printed for the same expression (/tmp/vm-c/arith.c).
constexpr char const* kArithDecls = R"(signed char sc = -100; unsigned char uc = 200; short s = -20000; unsigned short us = 65535;
int i = -123456; unsigned u = 1; long l = -9876543210L; unsigned long ul = 3;
int imax = 2147483647; int one = 1; int imin = -2147483647 - 1; long lmin = -9223372036854775807L - 1;)";
constexpr char const* kArithChecks = R"(    EXPECT((long long)((unsigned char)(uc + 250)) == 194LL);
    EXPECT((long long)((signed char)(sc + 100)) == 0LL);
    EXPECT((long long)((short)(s * 3)) == 5536LL);
    EXPECT((long long)((unsigned short)(us + 1)) == 0LL);
    EXPECT((long long)(i * 3) == -370368LL);
    EXPECT((long long)((int)(imax + one)) == -2147483648LL);
    EXPECT((long long)(u - 2u) == 4294967295LL);
    EXPECT((long long)(u * 3u) == 3LL);
    EXPECT((long long)(l * 1000000007L) == 8570200794573749146LL);
    EXPECT((long long)(ul - 5ul) == -2LL);
    EXPECT((long long)(-7 / 2) == -3LL);
    EXPECT((long long)(-7 % 2) == -1LL);
    EXPECT((long long)(7u / 2u) == 3LL);
    EXPECT((long long)((-8) >> 1) == -4LL);
    EXPECT((long long)(0xF0000000u >> 4) == 251658240LL);
    EXPECT((long long)(1 << 31) == -2147483648LL);
    EXPECT((long long)((long)(1L << 40)) == 1099511627776LL);
    EXPECT((long long)(~0u) == 4294967295LL);
    EXPECT((long long)(~0) == -1LL);
    EXPECT((long long)(sc) == -100LL);
    EXPECT((long long)(uc) == 200LL);
    EXPECT((long long)((int)uc + sc) == 100LL);
    EXPECT((long long)((unsigned)sc) == 4294967196LL);
    EXPECT((long long)((unsigned long)i) == -123456LL);
    EXPECT((long long)((long)u) == 1LL);
    EXPECT((long long)((char)300) == 44LL);
    EXPECT((long long)(us * us) == -131071LL);
    EXPECT((long long)(s * s) == 400000000LL);
    EXPECT((long long)((u < i)) == 1LL);
    EXPECT((long long)((-1 < 1u)) == 0LL);
    EXPECT((long long)((ul > l)) == 0LL);
    EXPECT((long long)(imin / 3) == -715827882LL);
    EXPECT((long long)(lmin % 7) == -1LL);
    EXPECT((long long)((unsigned char)-1 == 255) == 1LL);
    EXPECT((long long)((short)40000) == -25536LL);
    EXPECT((long long)(!i) == 0LL);
    EXPECT((long long)(!!l) == 1LL);
    EXPECT((long long)(i && 0) == 0LL);
    EXPECT((long long)(0 || l) == 1LL);
    EXPECT((long long)(i ? 5 : 6) == 5LL);
    EXPECT((long long)((i += 3, i)) == -123453LL);
    EXPECT((long long)((uc += 10, uc)) == 210LL);
    EXPECT((long long)((sc -= 30, sc)) == 126LL);
    EXPECT((long long)((us <<= 3, us)) == 65528LL);
    EXPECT((long long)((u >>= 1, u)) == 0LL);
    EXPECT((long long)(i++) == -123453LL);
    EXPECT((long long)(--l) == -9876543211LL);
    EXPECT((long long)((ul *= 3, ul)) == 9LL);
    EXPECT((long long)((i %= 7, i)) == 0LL);
    EXPECT((long long)((l /= -3, l)) == 3292181070LL);
    EXPECT((long long)((i ^= 0x55, i)) == 85LL);
    EXPECT((long long)((i |= 0x100, i)) == 341LL);
    EXPECT((long long)((i &= 0x1ff, i)) == 341LL);
)";

TEST_CASE("vm: integer arithmetic of every width and signedness matches gcc")
{
    SUBCASE("locals") { output_of(std::string("int main(void) {\n") + kArithDecls + "\n" + kArithChecks + "return 0; }"); }
    SUBCASE("globals") { output_of(std::string(kArithDecls) + "\nint main(void) {\n" + kArithChecks + "return 0; }"); }
}

TEST_CASE("vm: a failed EXPECT is recorded with its line and the program goes on")
{
    Run r = run("int main(void) {\n  EXPECT(1 == 2);\n  return 3;\n}");
    REQUIRE(r.ok);
    REQUIRE(r.expect_failures.size() == 1);
    CHECK(r.expect_failures[0].line == 2);
    CHECK(WEXITSTATUS(r.main_status()) == 3);
}

TEST_CASE("vm: pointers, arrays, structs and string literals")
{
    output_of(R"(
struct point { int x; long y; char tag[4]; };
struct point origin = { 1, 2, "ab" };
int table[5] = { 10, 20, 30, 40, 50 };
int *middle = &table[2];
char const *greeting = "hello";
int sum(int const *a, int n) { int s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
int main(void) {
    int a[4] = { 1, 2, 3 };
    EXPECT(a[3] == 0);
    EXPECT(sum(a, 4) == 6);
    int *p = a + 1;
    EXPECT(*p == 2 && p[1] == 3 && p - a == 1);
    p++;
    EXPECT(*p == 3);
    EXPECT(1 + p == &a[3]);
    EXPECT(sum(table, 5) == 150 && *middle == 30 && middle[-1] == 20);
    EXPECT(greeting[4] == 'o' && greeting[5] == 0);
    char buf[8] = "xyz";
    EXPECT(buf[2] == 'z' && buf[3] == 0 && sizeof buf == 8);
    struct point q = origin;
    EXPECT(q.x == 1 && q.y == 2 && q.tag[1] == 'b');
    struct point *pq = &q;
    pq->y += 40;
    EXPECT(q.y == 42);
    long *py = &pq->y;
    *py = 7;
    EXPECT(q.y == 7 && origin.y == 2);
    void *v = a;
    EXPECT((char *)v + 4 == (char *)&a[1]);
    return 0;
})");
}

TEST_CASE("vm: recursion, function pointers and control flow")
{
    output_of(R"(
int fact(int n) { if (n <= 1) return 1; return n * fact(n - 1); }
int twice(int (*f)(int), int x) { return f(f(x)); }
int inc(int x) { return x + 1; }
int (*ops[2])(int) = { inc, fact };
int classify(int c) {
    switch (c) {
    case 1: return 10;
    case 2:
    case 3: return 20;
    default: return 30;
    case 4: break;
    }
    return 40;
}
int main(int argc, char **argv) {
    EXPECT(fact(10) == 3628800);
    EXPECT(twice(inc, 5) == 7);
    EXPECT(ops[1](5) == 120 && ops[0](1) == 2);
    EXPECT(classify(1) == 10 && classify(3) == 20 && classify(9) == 30 && classify(4) == 40);
    int n = 0;
    for (int i = 0; i < 10; i++) { if (i == 2) continue; if (i == 6) break; n += i; }
    EXPECT(n == 13);
    int k = 0;
    do { k++; } while (k < 5);
    EXPECT(k == 5);
    while (1) { if (++k == 9) break; }
    EXPECT(k == 9);
    int j = 0;
again:
    j++;
    if (j < 3) goto again;
    EXPECT(j == 3);
    EXPECT(argc == 2 && argv[1][0] == 'x' && argv[2] == 0);
    return 0;
})", [] { RunOptions o; o.argv = {"prog", "xy"}; return o; }());
}

TEST_CASE("vm: an empty loop still takes steps and the budget stops it")
{
    Run r = run("int main(void) { for (;;); }", [] { RunOptions o; o.max_steps = 1000; return o; }());
    CHECK_FALSE(r.ok);
    CHECK(r.steps == 1000);
    CHECK(r.error.find("step budget") != std::string::npos);
}

TEST_CASE("vm: fork returns twice")
{
    Run r = run(R"(#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) { EXPECT(getppid() == parent); write(1, "child\n", 6); return 0; }
    EXPECT(pid > parent);
    write(1, "parent\n", 7);
    wait(0);  // Else the child may find itself orphaned: getppid() would be 1.
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(r.expect_failures.empty());
    CHECK(r.output == "parent\nchild\n");  // Linux runs the parent first.
}

TEST_CASE("vm: two forks print four lines")
{
    CHECK(output_of("#include <unistd.h>\nint main(void) { fork(); fork(); write(1, \"hello\\n\", 6); return 0; }") ==
        "hello\nhello\nhello\nhello\n");
}

TEST_CASE("vm: a loop of forks, wait and exit statuses")
{
    Run r = run(R"(#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>
int codes[3] = { 42, 256, -1 };
int main(void) {
    for (int i = 0; i < 3; i++) {
        pid_t pid = fork();
        if (pid == 0) exit(codes[i]);
        int status;
        EXPECT(waitpid(pid, &status, 0) == pid);
        EXPECT(WIFEXITED(status));
        if (i == 0) EXPECT(WEXITSTATUS(status) == 42);
        if (i == 1) EXPECT(WEXITSTATUS(status) == 0);
        if (i == 2) EXPECT(WEXITSTATUS(status) == 255);
    }
    EXPECT(wait(0) == -1 && errno == ECHILD);
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(r.expect_failures.empty());
    CHECK(r.exit_statuses.size() == 4);
}

TEST_CASE("vm: a child's write to a global is its own copy")
{
    Run r = run(R"(#include <sys/wait.h>
#include <unistd.h>
int x = 100;
int main(void) {
    if (fork() == 0) { x = 200; EXPECT(x == 200); _exit(0); }
    wait(0);
    EXPECT(x == 100);
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(r.expect_failures.empty());
    // The child's store took a copy-on-write fault (aux kind CowCopy or CowReuse, write bit).
    CHECK(count_events(*r.kernel, EventKind::PageFault, 0x40, 0x40) > 0);
    CHECK(r.kernel->mm_counters().cow_copies + r.kernel->mm_counters().cow_reuses > 0);
}

TEST_CASE("vm: a pipe between parent and child, EOF after close")
{
    CHECK(output_of(R"(#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    int fd[2];
    pipe(fd);
    if (fork() == 0) {
        close(fd[0]);
        write(fd[1], "through the pipe\n", 17);
        close(fd[1]);
        _exit(0);
    }
    close(fd[1]);
    char buf[64];
    int n, total = 0;
    while ((n = read(fd[0], buf, sizeof buf)) > 0) { write(1, buf, n); total += n; }
    EXPECT(n == 0 && total == 17);
    wait(0);
    return 0;
})") == "through the pipe\n");
}

TEST_CASE("vm: exec of another compiled program in /bin")
{
    RunOptions o;
    o.bin["echo2"] = R"(#include <unistd.h>
int len(char const *s) { int n = 0; while (s[n]) n++; return n; }
int main(int argc, char *argv[]) {
    for (int i = 1; i < argc; i++) { write(1, argv[i], len(argv[i])); write(1, "\n", 1); }
    return argc;
})";
    Run r = run(R"(#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    pid_t pid = fork();
    if (pid == 0) {
        execlp("echo2", "echo2", "one", "two", (char *)0);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    EXPECT(WEXITSTATUS(status) == 3);
    EXPECT(execl("/bin/nope", "nope", (char *)0) == -1 && errno == ENOENT);
    return 0;
})", o);
    REQUIRE(r.ok);
    CHECK(r.expect_failures.empty());
    CHECK(r.output == "one\ntwo\n");
}

TEST_CASE("vm: a signal handler runs, and SIGSEGV kills with the right status")
{
    Run r = run(R"(#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
int got;
void handler(int sig) { got = sig; }
int main(void) {
    signal(SIGUSR1, handler);
    kill(getpid(), SIGUSR1);
    EXPECT(got == SIGUSR1);
    pid_t pid = fork();
    if (pid == 0) { int *p = 0; *p = 1; _exit(0); }
    int status;
    waitpid(pid, &status, 0);
    EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(r.expect_failures.empty());
}

TEST_CASE("vm: deep recursion meets the stack limit")
{
    // A 1 MiB stack rather than the default 8 MiB: the same fault after an eighth of the steps,
    // since the invariants are checked after every one of them, over every stack page.
    RunOptions small_stack;
    small_stack.rlimits[RLIMIT_STACK] = Rlimit{1 << 20, 1 << 20};
    Run r = run("int down(int n) { return down(n + 1) + 1; }\nint main(void) { return down(0); }", small_stack);
    REQUIRE(r.ok);
    CHECK(r.steps > 30'000);  // About 32 bytes a frame: tens of thousands of calls fit in 1 MiB.
    CHECK(r.steps < 40'000);
    CHECK(WIFSIGNALED(r.main_status()));
    CHECK(WTERMSIG(r.main_status()) == SIGSEGV);
}

TEST_CASE("vm: division by zero raises SIGFPE")
{
    Run r = run("int zero;\nint main(void) { return 1 / zero; }");
    REQUIRE(r.ok);
    CHECK(WIFSIGNALED(r.main_status()));
    CHECK(WTERMSIG(r.main_status()) == SIGFPE);
    Run m = run("int main(void) { int a = -2147483647 - 1; int b = -1; return a / b; }");
    CHECK(WTERMSIG(m.main_status()) == SIGFPE);
}

TEST_CASE("vm: a division fault kills even a process that ignores SIGFPE, but a handler catches it")
{
    // Linux: force_sig_fault() puts an ignored or blocked fault signal back to SIG_DFL. (Checked
    // on the host: signal(SIGFPE, SIG_IGN) then 7 / 0 dies of SIGFPE.)
    Run ignored = run(R"(#include <signal.h>
int zero;
int main(void) { signal(SIGFPE, SIG_IGN); return 7 / zero; })");
    REQUIRE(ignored.ok);
    CHECK(WIFSIGNALED(ignored.main_status()));
    CHECK(WTERMSIG(ignored.main_status()) == SIGFPE);
    Run caught = run(R"(#include <signal.h>
#include <unistd.h>
int zero;
void on_fpe(int sig) { _exit(sig); }
int main(void) { signal(SIGFPE, on_fpe); return 7 / zero; })");
    REQUIRE(caught.ok);
    CHECK(WIFEXITED(caught.main_status()));
    CHECK(WEXITSTATUS(caught.main_status()) == SIGFPE);
}

TEST_CASE("vm: a fork bomb meets RLIMIT_NPROC as a student")
{
    RunOptions o;
    o.kernel.init_rlimits[RLIMIT_NPROC] = Rlimit{20, 20};
    Run r = run(R"(#include <unistd.h>
int main(void) {
    int made = 0;
    for (;;) {
        pid_t pid = fork();
        if (pid < 0) { EXPECT(errno == EAGAIN); break; }
        if (pid == 0) { pause(); }
        made++;
    }
    EXPECT(made == 19);
    kill(0, SIGKILL);
    return 0;
})", o);
    CHECK(r.expect_failures.empty());
    CHECK(r.kernel->counters().fork_failures >= 1);
}

TEST_CASE("vm: a smashed return address is a SIGSEGV, never a jump into the middle of code")
{
    // The machine keeps a shadow stack of calls, as Intel CET does: a return to any address
    // but the one the call came from is a control-protection fault.
    Run r = run(R"(void smash(void) {
    long x = 0;
    long *p = &x;
    for (int i = 0; i < 8; i++)
        p[i] = 0x400050;
}
int main(void) { smash(); return 7; })");
    REQUIRE(r.ok);
    CHECK(WIFSIGNALED(r.main_status()));
    CHECK(WTERMSIG(r.main_status()) == SIGSEGV);
}

TEST_CASE("vm: a call through a pointer of the wrong type passes missing arguments as 0")
{
    // Undefined behaviour in C; the machine must still not crash, and what it does is fixed:
    // missing arguments read as 0, extra ones are dropped.
    Run fewer = run(R"(int add3(int a, int b, int c) { return a + b + c; }
int main(void) { int (*f)(int) = (int (*)(int))add3; return f(5); })");
    REQUIRE(fewer.ok);
    CHECK(WIFEXITED(fewer.main_status()));
    CHECK(WEXITSTATUS(fewer.main_status()) == 5);
    Run more = run(R"(int one(int a) { return a; }
int main(void) { int (*f)(int, int, int) = (int (*)(int, int, int))one; return f(9, 1, 2) + 1; })");
    REQUIRE(more.ok);
    CHECK(WEXITSTATUS(more.main_status()) == 10);
}
