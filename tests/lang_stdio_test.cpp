// stdio and the heap of the simulated C library, against what gcc + glibc 2.36 do on this host.
// Every expected output below was printed by the same C program compiled with gcc and run on the
// host (/tmp/stdio-c/): on a terminal with `script -qc ./a.out /dev/null`, into a pipe, a file;
// write(2) sizes were taken with strace, from programs built with -fno-builtin (gcc otherwise
// turns printf("x\n") into puts("x"), which writes differently on an unbuffered stream).
#include "support/program.h"

#include <doctest/doctest.h>

#include <csignal>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>

using namespace forklab;
using namespace forklab::lang;
using namespace forklab::test;

namespace {

// The size of each write(2) that reached a file of this kind (the terminal, a pipe, a file).
std::vector<std::uint64_t> write_sizes(Kernel const& k, InodeKind kind)
{
    std::vector<std::uint64_t> sizes;
    for (Event const& e : k.events().all())
        if (e.kind == EventKind::FileWrite && e.aux == std::uint8_t(kind))
            sizes.push_back(io_bytes(e.value));
    return sizes;
}

// The host's peak resident memory so far, in KiB (getrusage(2)'s ru_maxrss): what a program
// must not be able to push up by gigabytes.
long host_peak_kib()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

constexpr long kHostGrowthKib = 256 << 10;  // Far above what a run needs, far below a 2 GiB buffer.

}  // namespace

constexpr char const* kConversions = R"__(#include <stdio.h>
int main(void) {
    printf("[%d][%i][%u][%x][%X][%o][%c][%s][%p][%%]\n", -42, 42, 3000000000u, 0xbeef, 0xbeef, 8, 'A', "str", (void *)0x1000);
    printf("[%5d][%-5d|][%05d][%+d][% d][%+5d][%-+5d|][% 05d][%5.3d][%-8.3d|][%08.3d][%.0d][%5.0d][%+.0d]\n", 42, 42, 42, 42, 42, 42, 42, 42, 7, 42, 42, 0, 0, 0);
    printf("[%#x][%#X][%#o][%#x][%#o][%#.0o][%#.0x][%#5x][%#-8x|][%#08x][%#.5o][%#o][%020p][%-20p|]\n", 255, 255, 8, 0, 0, 0, 0, 255, 255, 255, 8, 8, (void *)0x1234, (void *)0x1234);
    printf("[%s][%8s][%-8s|][%.2s][%8.2s][%-8.2s|][%05s][%s][%.3s][%.8s][%10s]\n", "hello", "hi", "hi", "hello", "hello", "hello", "ab", (char *)0, (char *)0, (char *)0, (char *)0);
    printf("[%p][%10p][%-10p|][%+p][% p][%c][%5c][%-3c|][%05c]\n", (void *)0, (void *)0, (void *)0, (void *)0x10, (void *)0x10, 'x', 'y', 'z', 'w');
    printf("[%hhd][%hhu][%hd][%hu][%ld][%lu][%lld][%llu][%zu][%zd][%jd][%td][%lx][%llo]\n", 300, 300, 70000, 70000, -5L, -1L, -9223372036854775807LL - 1, 18446744073709551615ULL, (size_t)-1, (long)-2, (long)-3, (long)-4, -1L, -1LL);
    printf("[%*d][%-*d][%.*d][%*.*d][%.*s][%*s]\n", 5, 1, 5, 2, 3, 4, -6, 2, 9, 3, "abcdef", -4, "x");
    printf("[%+u][% u][%+x][%d][%d][%x][%lx][%u]\n", 5u, 5u, 5u, -2147483647 - 1, 2147483647, -1, -1L, -1);
    printf("[%y][%5y][%-#05.3y][%ly][%'d][%#+-8.3y]\n", 1234567);
    int n = printf("%s|%5d|%c\n", "count", 3, '!');
    printf("n=%d\n", n);
    return 0;
}
)__";

TEST_CASE("stdio: every conversion and flag prints what glibc prints")
{
    CHECK(output_of(kConversions) == "[-42][42][3000000000][beef][BEEF][10][A][str][0x1000][%]\n[   42][42   |][00042][+42][ 42][  +42][+42  |][ 0042][  007][042     |][     042][][     ][+]\n[0xff][0XFF][010][0][0][0][][ 0xff][0xff    |][0x0000ff][00010][010][0x000000000000001234][0x1234              |]\n[hello][      hi][hi      |][he][      he][he      |][   ab][(null)][][(null)][    (null)]\n[(nil)][     (nil)][(nil)     |][+0x10][ 0x10][x][    y][z  |][    w]\n[44][44][4464][4464][-5][18446744073709551615][-9223372036854775808][18446744073709551615][18446744073709551615][-2][-3][-4][ffffffffffffffff][1777777777777777777777]\n[    1][2    ][004][09    ][abc][x   ]\n[5][5][5][-2147483648][2147483647][ffffffff][ffffffffffffffff][4294967295]\n[%y][%5y][%#-5.3y][%y][1234567][%#+-8.3y]\ncount|    3|!\nn=14\n");
}

TEST_CASE("stdio: a terminal is line-buffered in 1024-byte blocks and stderr is unbuffered")
{
    // strace on the host: write(1, 1024) write(1, 1024) write(1, 953) write(2, "y") write(1, "xz\n").
    Run r = run(R"(#include <stdio.h>
int main(void) {
    for (int i = 0; i < 3000; i++) putchar('a' + i % 26);
    putchar('\n');
    printf("x");
    fputs("y", stderr);
    printf("z\n");
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(write_sizes(*r.kernel, InodeKind::Terminal) == std::vector<std::uint64_t>{1024, 1024, 953, 1, 3});
    CHECK(r.output.substr(3001) == "yxz\n");
    CHECK(r.output.substr(0, 30) == "abcdefghijklmnopqrstuvwxyzabcd");
}

// Five ways to print a 10,000-byte string; `setup` runs first (it may redirect stdout).
std::string big_strings(std::string const& setup)
{
    return "#include <stdio.h>\n#include <string.h>\n#include <fcntl.h>\n#include <unistd.h>\n"
           "char big[10001];\n"
           "int main(void) {\n" + setup +
           "    memset(big, 'a', 10000);\n"
           "    printf(\"x\");\n"
           "    printf(\"%s\", big);\n"
           "    printf(\"yy%syy\", big);\n"
           "    puts(big);\n"
           "    fputs(big, stdout);\n"
           "    return 0;\n"
           "}\n";
}

TEST_CASE("stdio: a big string to a file goes out in whole 4096-byte blocks as glibc's xsputn writes them")
{
    // strace on the host (stdout a file): 4096 x5, 8192, 4096, 4096, 3142.
    Run r = run(big_strings("    close(1);\n    open(\"/tmp/out\", O_WRONLY | O_CREAT | O_TRUNC, 0644);\n"));
    REQUIRE(r.ok);
    CHECK(write_sizes(*r.kernel, InodeKind::Regular) ==
        std::vector<std::uint64_t>{4096, 4096, 4096, 4096, 4096, 8192, 4096, 4096, 3142});
}

TEST_CASE("stdio: the same strings to a terminal: 1024-byte blocks and a flush at each newline")
{
    Run r = run(big_strings(""));
    REQUIRE(r.ok);
    CHECK(write_sizes(*r.kernel, InodeKind::Terminal) ==
        std::vector<std::uint64_t>{1024, 8192, 1024, 9216, 1024, 9216, 310, 1024, 8192, 784});
    CHECK(r.output.size() == 1 + 10000 + 10004 + 10001 + 10000);
}

TEST_CASE("stdio: stderr writes each fprintf at once and dprintf buffers per call")
{
    // strace on the host, on a terminal: dprintf(1, "a\nb\n") is two writes (line-buffered);
    // fprintf(stderr) of 10002 bytes is 8192 + 1810 (+ "\n"), perror one write.
    Run r = run(R"(#include <stdio.h>
#include <string.h>
#include <errno.h>
char big[10001];
int main(void) {
    memset(big, 'a', 10000);
    dprintf(1, "a\nb\n");
    fprintf(stderr, "e%sf\n", big);
    fprintf(stderr, "1\n2\n");
    errno = 2;
    perror("p");
    perror(0);
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(write_sizes(*r.kernel, InodeKind::Terminal) == std::vector<std::uint64_t>{2, 2, 8192, 1811, 4, 29, 26});
    CHECK(r.output.substr(r.output.size() - 59) == "1\n2\np: No such file or directory\nNo such file or directory\n");
}

TEST_CASE("stdio: printf then fork prints the unflushed hello twice")
{
    char const* program = R"(#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) { printf("hello"); fork(); wait(0); return 0; })";
    CHECK(output_of(program) == "hellohello");
}

TEST_CASE("stdio: a line printed before fork appears once on a terminal and twice in a file")
{
    CHECK(output_of(R"(#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) { printf("hello\n"); fork(); wait(0); return 0; })") == "hello\n");
    CHECK(output_of(R"(#include <stdio.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
int main(void) {
    close(1);
    open("/tmp/out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    printf("hello\n");
    fork();
    wait(0);
    return 0;
})") == "");
    Run r = run(R"(#include <stdio.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
int main(void) {
    int saved = dup(1);
    close(1);
    open("/tmp/out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    printf("hello\n");
    if (fork() == 0) return 0;
    wait(0);
    fflush(stdout);
    char buf[64];
    int fd = open("/tmp/out", O_RDONLY);
    int n = read(fd, buf, sizeof buf);
    write(saved, buf, n);
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(r.output == "hello\nhello\n");
}

TEST_CASE("stdio: a pipe is fully buffered so fork duplicates the line")
{
    Run r = run(R"(#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    int fd[2];
    pipe(fd);
    if (fork() == 0) {
        dup2(fd[1], 1);
        close(fd[0]); close(fd[1]);
        printf("hello\n");
        fork();
        return 0;
    }
    close(fd[1]);
    char buf[64];
    int n, total = 0;
    while ((n = read(fd[0], buf, sizeof buf)) > 0) { write(1, buf, n); total += n; }
    while (wait(0) > 0) {}
    return total == 12 ? 0 : 1;
})");
    REQUIRE(r.ok);
    CHECK(r.output == "hello\nhello\n");
    CHECK(WEXITSTATUS(r.main_status()) == 0);
}

TEST_CASE("stdio: exit and a return from main flush but _exit and abort do not")
{
    CHECK(output_of("#include <stdio.h>\n#include <stdlib.h>\nint main(void) { printf(\"a\"); exit(3); }") == "a");
    CHECK(output_of("#include <stdio.h>\nint main(void) { printf(\"b\"); return 0; }") == "b");
    Run r = run("#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf(\"c\"); _exit(4); }");
    REQUIRE(r.ok);
    CHECK(r.output == "");
    CHECK(WEXITSTATUS(r.main_status()) == 4);
    Run a = run("#include <stdio.h>\n#include <stdlib.h>\nint main(void) { printf(\"d\"); abort(); }");
    REQUIRE(a.ok);
    CHECK(a.output == "");
    CHECK(WIFSIGNALED(a.main_status()));
    CHECK(WTERMSIG(a.main_status()) == SIGABRT);
}

TEST_CASE("stdio: a vfork child's exit flushes the parent's buffer and leaves stdout unbuffered")
{
    // On the host, through a pipe and on a terminal alike: "hello world", then SIGABRT.
    Run r = run(R"(#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(void) { printf("hello"); if (vfork() == 0) exit(0); printf(" world"); abort(); })");
    REQUIRE(r.ok);
    CHECK(r.output == "hello world");
    CHECK(WTERMSIG(r.main_status()) == SIGABRT);
}

TEST_CASE("stdio: a child's exit gives back the stdin it read ahead from a file")
{
    // glibc's exit syncs stdin: the shared offset goes back to just after the line read.
    RunOptions o;
    o.files.push_back(FileSpec{"/tmp/in.txt", "line1\nline2\nline3\n"});
    CHECK(output_of(R"(#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
int main(void) {
    close(0);
    open("/tmp/in.txt", O_RDONLY);
    char b[64];
    fgets(b, sizeof b, stdin);
    printf("%s", b);
    printf("before=%ld\n", (long)lseek(0, 0, SEEK_CUR));
    fflush(stdout);
    if (fork() == 0) exit(0);
    wait(0);
    printf("after=%ld\n", (long)lseek(0, 0, SEEK_CUR));
    return 0;
})", o) == "line1\nbefore=18\nafter=6\n");
}

TEST_CASE("stdio: fgets and getchar read the terminal's input, a prompt is flushed first")
{
    RunOptions o;
    o.stdin_text = "alice\nbob";
    Run r = run(R"(#include <stdio.h>
int main(void) {
    char name[16];
    printf("name? ");
    if (!fgets(name, sizeof name, stdin)) return 1;
    printf("hi %s", name);
    int c, n = 0;
    while ((c = getchar()) != EOF) n++;
    printf("%d more\n", n);
    EXPECT(fgets(name, sizeof name, stdin) == NULL);
    return 0;
})", o);
    REQUIRE(r.ok);
    CHECK(r.expect_failures.empty());
    CHECK(r.output.find("name? ") == 0);
    CHECK(r.output.find("hi alice\n3 more\n") != std::string::npos);
}

TEST_CASE("stdio: a child printing 110 KB into a slow pipe delivers every byte once and in order")
{
    Run r = run(R"(#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    int fd[2];
    pipe(fd);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 1);
        close(fd[1]);
        for (int i = 0; i < 10000; i++) printf("line %05d\n", i);
        exit(7);
    }
    close(fd[1]);
    char buf[100];
    int n;
    while ((n = read(fd[0], buf, sizeof buf)) > 0) write(1, buf, n);
    int status;
    waitpid(pid, &status, 0);
    return WEXITSTATUS(status);
})");
    REQUIRE(r.ok);
    std::string expected;
    char line[16];
    for (int i = 0; i < 10000; ++i) {
        std::snprintf(line, sizeof line, "line %05d\n", i);
        expected += line;
    }
    CHECK(r.output.size() == expected.size());
    CHECK(r.output == expected);
    CHECK(WEXITSTATUS(r.main_status()) == 7);
}

TEST_CASE("stdio: one printf bigger than the pipe sleeps part-way and resumes without repeating")
{
    Run r = run(R"(#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
char big[100001];
int main(void) {
    int fd[2];
    pipe(fd);
    if (fork() == 0) {
        close(fd[0]);
        dup2(fd[1], 1);
        memset(big, 'a', 100000);
        for (int i = 0; i < 100; i++) big[i * 1000 + 7] = '0' + i % 10;
        int n = printf("<%s>", big);
        return n == 100002 ? 0 : 1;
    }
    close(fd[1]);
    char buf[1000];
    int n;
    while ((n = read(fd[0], buf, sizeof buf)) > 0) write(1, buf, n);
    int status;
    wait(&status);
    return WEXITSTATUS(status);
})");
    REQUIRE(r.ok);
    std::string expected(100000, 'a');
    for (int i = 0; i < 100; ++i)
        expected[std::size_t(i * 1000 + 7)] = char('0' + i % 10);
    CHECK(r.output == "<" + expected + ">");
    CHECK(WEXITSTATUS(r.main_status()) == 0);
}

constexpr char const* kInterruptedFlush = R"(#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/wait.h>
char big[65536];
int go[2];
void on_usr1(int sig) { write(2, "[handler]\n", 10); write(go[1], "h", 1); }
int main(void) {
    int fd[2];
    pipe(fd);
    pipe(go);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = FLAGS;
    sigaction(SIGUSR1, &sa, 0);
    pid_t child = fork();
    if (child == 0) {
        char c, buf[4096];
        long total = 0;
        int n;
        close(fd[1]);
        sleep(1);
        kill(getppid(), SIGUSR1);
        read(go[0], &c, 1);
        while ((n = read(fd[0], buf, sizeof buf)) > 0) total += n;
        dprintf(2, "child read %ld\n", total);
        _exit(0);
    }
    dup2(fd[1], 1);
    close(fd[1]);
    write(1, big, sizeof big);
    printf("hello\n");
    int r = fflush(stdout);
    int e = errno;
    dprintf(2, "fflush=%d errno=%d\n", r, r ? e : 0);
    close(1);
    wait(0);
    return 0;
})";

TEST_CASE("stdio: a flush blocked on a full pipe is restarted after an SA_RESTART handler")
{
    // The host's output (/tmp/stdio-c/eintr2.c with SA_RESTART).
    std::string const restart = std::string("#define FLAGS SA_RESTART\n") + kInterruptedFlush;
    CHECK(output_of(restart) == "[handler]\nfflush=0 errno=0\nchild read 65542\n");
}

// When a signal wakes a task asleep in a call, the call ends first (Linux returns -ERESTARTSYS)
// and the handler runs after; without SA_RESTART the flush then fails with EINTR.
TEST_CASE("stdio: a flush blocked on a full pipe fails with EINTR after a handler without SA_RESTART")
{
    std::string const plain = std::string("#define FLAGS 0\n") + kInterruptedFlush;
    CHECK(output_of(plain) == "[handler]\nfflush=-1 errno=4\nchild read 65536\n");
}

TEST_CASE("stdio: fork returning twice and four hellos through printf")
{
    CHECK(output_of(R"(#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    pid_t pid = fork();
    if (pid == 0) { printf("child\n"); return 0; }
    printf("parent\n");
    wait(0);
    return 0;
})") == "parent\nchild\n");
    CHECK(output_of("#include <stdio.h>\n#include <unistd.h>\nint main(void) { fork(); fork(); printf(\"hello\\n\"); return 0; }") ==
        "hello\nhello\nhello\nhello\n");
}

TEST_CASE("stdio: a loop of forks with wait ordering and a global the parent does not see")
{
    Run r = run(R"(#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int x = 100;
int main(void) {
    for (int i = 0; i < 3; i++) {
        pid_t pid = fork();
        if (pid == 0) { x += i + 1; printf("child %d x=%d\n", i, x); exit(10 + i); }
        int status;
        waitpid(pid, &status, 0);
        printf("reaped %d status %d\n", i, WEXITSTATUS(status));
    }
    printf("parent x=%d\n", x);
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(r.output == "child 0 x=101\nreaped 0 status 10\nchild 1 x=102\nreaped 1 status 11\nchild 2 x=103\n"
                      "reaped 2 status 12\nparent x=100\n");
    CHECK(r.exit_statuses.size() == 4);
}

TEST_CASE("stdio: sprintf snprintf strerror and stream errors")
{
    CHECK(output_of(R"(#include <stdio.h>
#include <string.h>
#include <errno.h>
int main(void) {
    char buf[32];
    int n = snprintf(buf, 8, "%d-%s", 12345, "abcdef");
    EXPECT(n == 12);
    EXPECT(strcmp(buf, "12345-a") == 0);
    EXPECT(snprintf(0, 0, "%05d", 3) == 5);
    EXPECT(sprintf(buf, "[%-4s]", "x") == 6 && strcmp(buf, "[x   ]") == 0);
    puts(strerror(ENOENT));
    puts(strerror(EAGAIN));
    puts(strerror(12345));
    errno = 0;
    EXPECT(fprintf(stdin, "x") == -1 && errno == EBADF);
    EXPECT(fputs("x", stdin) == EOF);
    EXPECT(fgets(buf, 8, stdout) == NULL);
    return 0;
})") == "No such file or directory\nResource temporarily unavailable\nUnknown error 12345\n");
}

TEST_CASE("stdio: floating point in a format is a clear error, a wild %s a SIGSEGV")
{
    Run r = run("#include <stdio.h>\nint main(void) {\n    printf(\"%f\\n\", 1);\n    return 0;\n}");
    REQUIRE(r.ok);
    CHECK(WTERMSIG(r.main_status()) == SIGSYS);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].find("line 3") != std::string::npos);
    CHECK(r.diagnostics[0].find("%f") != std::string::npos);
    Run s = run("#include <stdio.h>\nint main(void) { printf(\"%s\\n\", (char *)16); return 0; }");
    REQUIRE(s.ok);
    CHECK(WTERMSIG(s.main_status()) == SIGSEGV);
}

TEST_CASE("stdio: an output past INT_MAX characters is the model's 64 MiB error and never reaches the host")
{
    // glibc writes two gigabytes and then fails with EOVERFLOW; the model stops at its limit
    // instead of handing a two-gigabyte padding to the terminal or to sprintf's buffer.
    long const before = host_peak_kib();
    for (char const* call : {"printf(\"a%2147483647d\", 1);", "sprintf(buf, \"a%2147483647d\", 1);"}) {
        Run r = run(std::string("#include <stdio.h>\nchar buf[16];\nint main(void) {\n    ") + call +
            "\n    return 0;\n}");
        INFO(call);
        REQUIRE(r.ok);
        CHECK(WTERMSIG(r.main_status()) == SIGSYS);
        REQUIRE(r.diagnostics.size() == 1);
        CHECK(r.diagnostics[0].find("64 MiB") != std::string::npos);
        CHECK(r.output.empty());
    }
    CHECK(host_peak_kib() - before < kHostGrowthKib);
}

TEST_CASE("stdio: fgets on a FILE the program overwrote faults in the program without a host buffer")
{
    // read_ptr and read_end (bytes 40 and 48 of the model's FILE) claim 128 TiB of read-ahead.
    // On the host glibc's memchr runs off the mapped memory: SIGSEGV.
    long const before = host_peak_kib();
    Run r = run(R"(#include <stdio.h>
char buf[64];
int main(void) {
    unsigned long *f = (unsigned long *)stdin;
    f[5] = (unsigned long)buf;
    f[6] = 0x7fffffffffffUL;
    fgets(buf, 2147483647, stdin);
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(WTERMSIG(r.main_status()) == SIGSEGV);
    CHECK(host_peak_kib() - before < kHostGrowthKib);
}

TEST_CASE("stdio: setvbuf makes stdout unbuffered or line-buffered")
{
    // The host with gcc -fno-builtin (else gcc turns printf("cd\n") into puts("cd"): two writes).
    // _IOLBF without a buffer keeps the one-byte buffer _IONBF left: "ef" goes out a byte a time.
    Run r = run(R"(#include <stdio.h>
#include <unistd.h>
#include <fcntl.h>
int main(void) {
    close(1);
    open("/tmp/out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("ab");
    printf("cd\n");
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("ef");
    printf("g\nh");
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(write_sizes(*r.kernel, InodeKind::Regular) == std::vector<std::uint64_t>{2, 3, 1, 1, 1, 2});
}

TEST_CASE("malloc: reuse after free, 16-byte alignment, unique malloc(0), calloc and realloc")
{
    CHECK(output_of(R"(#include <stdlib.h>
#include <string.h>
#include <errno.h>
int main(void) {
    char *p = malloc(40);
    free(p);
    EXPECT(malloc(40) == p);
    for (int n = 0; n < 100; n++) EXPECT(((unsigned long)malloc(n) & 15) == 0);
    void *a = malloc(0), *b = malloc(0);
    EXPECT(a != NULL && b != NULL && a != b);
    char *d = malloc(64);
    memset(d, 'x', 64);
    free(d);
    char *z = calloc(8, 8);
    EXPECT(z == d);
    for (int i = 0; i < 64; i++) EXPECT(z[i] == 0);
    char *s = malloc(16);
    strcpy(s, "hello");
    char *t = realloc(s, 5000);
    EXPECT(t != NULL && strcmp(t, "hello") == 0);
    t[4999] = 'y';
    char *u = realloc(t, 10);
    EXPECT(u == t && strcmp(u, "hello") == 0);
    errno = 0;
    EXPECT(calloc((size_t)-1, 16) == NULL && errno == ENOMEM);
    errno = 0;
    EXPECT(malloc(1UL << 47) == NULL && errno == ENOMEM);
    EXPECT(realloc(u, 0) == NULL);
    return 0;
})") == "");
}

TEST_CASE("malloc: a loop of malloc and free does not grow the heap")
{
    CHECK(output_of(R"(#include <stdlib.h>
int main(void) {
    char *first = malloc(1);
    char *high = first;
    for (int i = 0; i < 500; i++) {
        char *p = malloc(100 + (i % 5) * 700);
        char *q = malloc(24 + (i % 3) * 8);
        p[0] = 1;
        if (p > high) high = p;
        if (q > high) high = q;
        free(p);
        free(q);
    }
    EXPECT(high - first < 8192);
    return 0;
})") == "");
}

TEST_CASE("malloc: a double free or a bad pointer aborts with glibc's message")
{
    // The host: "free(): double free detected in tcache 2" for a small chunk, "double free or
    // corruption (top)" for a 2000-byte one next to the top, "free(): invalid pointer" for p + 8.
    struct Case {
        char const* code;
        char const* message;
    };
    Case const cases[] = {
        {"char *p = malloc(10); free(p); free(p);", "free(): double free detected in tcache 2\n"},
        {"char *p = malloc(2000); free(p); free(p);", "double free or corruption (top)\n"},
        {"char *p = malloc(64); free(p + 8);", "free(): invalid pointer\n"},
    };
    for (Case const& c : cases) {
        Run r = run(std::string("#include <stdio.h>\n#include <stdlib.h>\nint main(void) { printf(\"x\"); ") + c.code +
            " return 0; }");
        REQUIRE(r.ok);
        CHECK(r.output == c.message);  // The "x" buffered by printf is lost: abort does not flush.
        CHECK(WIFSIGNALED(r.main_status()));
        CHECK(WTERMSIG(r.main_status()) == SIGABRT);
    }
}

TEST_CASE("malloc: after fork the child's write to a malloc'd buffer copies one page")
{
    Run r = run(R"(#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    char *p = malloc(100);
    p[0] = 'p';
    printf("%lu\n", (unsigned long)p);
    fflush(stdout);
    if (fork() == 0) {
        p[0] = 'c';
        p[50] = 'c';
        _exit(0);
    }
    wait(0);
    EXPECT(p[0] == 'p');
    return 0;
})");
    REQUIRE(r.ok);
    CHECK(r.expect_failures.empty());
    std::uint64_t const page = std::stoull(r.output) & ~std::uint64_t(4095);
    pid_t child = 0;
    for (auto const& [pid, status] : r.exit_statuses)
        if (pid != r.main_pid)
            child = pid;
    int copies = 0;
    for (Event const& e : r.kernel->events().all())
        if (e.kind == EventKind::PageFault && e.pid == child && (e.aux & 0x1f) == std::uint8_t(FaultResult::Kind::CowCopy) &&
            (std::uint64_t(e.value) & 0xffffffffffffULL & ~std::uint64_t(4095)) == page)
            ++copies;
    CHECK(copies == 1);
}
