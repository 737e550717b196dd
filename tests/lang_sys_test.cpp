// The system-call wrappers of the simulated programs' C library (lang/libc_sys*.cpp): each
// wrapper's success and its errors, with errno and -1 as glibc and Linux give them. Every
// expected value was first printed by the same calls in a C program on the host (gcc, glibc
// 2.36, Linux 6.x: /tmp/b2/t1.c, t2.c, t3.c).
#include "support/program.h"

#include <dirent.h>
#include <cstddef>

using namespace forklab;
using namespace forklab::test;

namespace {

int status_of(Run const& r) { return r.main_status(); }

std::string failed_lines(Run const& r)
{
    std::string lines;
    for (lang::ExpectFailure const& f : r.expect_failures)
        lines += std::to_string(f.line) + " ";
    return lines;
}

}  // namespace

TEST_CASE("sys: open creat and lseek and their errors")
{
    output_of(R"(#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
int main(void) {
    int fd = open("/tmp/f", O_CREAT | O_RDWR, 0600);
    EXPECT(fd == 3);
    EXPECT(write(fd, "hello", 5) == 5);
    EXPECT(lseek(fd, 0, SEEK_CUR) == 5);
    EXPECT(lseek(fd, 1, SEEK_SET) == 1);
    EXPECT(lseek(fd, -2, SEEK_END) == 3);
    char c[2];
    EXPECT(read(fd, c, 2) == 2 && c[0] == 'l' && c[1] == 'o');
    errno = 0;
    EXPECT(lseek(fd, 0, 99) == -1 && errno == EINVAL);
    EXPECT(lseek(99, 0, SEEK_SET) == -1 && errno == EBADF);
    int p[2];
    pipe(p);
    EXPECT(lseek(p[0], 0, SEEK_SET) == -1 && errno == ESPIPE);
    EXPECT(open("/tmp/nothing", O_RDONLY) == -1 && errno == ENOENT);
    EXPECT(open("", O_RDONLY) == -1 && errno == ENOENT);
    EXPECT(open("", O_CREAT | O_RDONLY, 0644) == -1 && errno == ENOENT);
    EXPECT(open((char *)1, O_RDONLY) == -1 && errno == EFAULT);
    EXPECT(open("/tmp", O_WRONLY) == -1 && errno == EISDIR);
    EXPECT(open("/tmp/f", O_RDONLY | O_DIRECTORY) == -1 && errno == ENOTDIR);
    EXPECT(open("/tmp/f", O_CREAT | O_EXCL | O_RDWR, 0600) == -1 && errno == EEXIST);
    int t = creat("/tmp/f", 0644);
    EXPECT(t >= 0 && lseek(t, 0, SEEK_END) == 0);
    EXPECT(close(t) == 0);
    return 0;
}
)");
}

TEST_CASE("sys: a bad pointer passed to a system call is EFAULT and no signal")
{
    Run r = run(R"(#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <time.h>
int main(void) {
    EXPECT(pipe((int *)1) == -1 && errno == EFAULT);
    struct stat st;
    EXPECT(stat("/tmp", (struct stat *)1) == -1 && errno == EFAULT);
    EXPECT(stat((char *)1, &st) == -1 && errno == EFAULT);
    EXPECT(fstat(0, (struct stat *)1) == -1 && errno == EFAULT);
    EXPECT(getrlimit(RLIMIT_NOFILE, (struct rlimit *)1) == -1 && errno == EFAULT);
    EXPECT(setrlimit(RLIMIT_NOFILE, (struct rlimit *)1) == -1 && errno == EFAULT);
    EXPECT(sigpending((sigset_t *)1) == -1 && errno == EFAULT);
    EXPECT(sigprocmask(SIG_BLOCK, 0, (sigset_t *)1) == -1 && errno == EFAULT);
    EXPECT(sigsuspend((sigset_t *)1) == -1 && errno == EFAULT);
    EXPECT(nanosleep((struct timespec *)1, 0) == -1 && errno == EFAULT);
    EXPECT(getcwd((char *)1, 100) == 0 && errno == EFAULT);
    int p[2];
    pipe(p);
    write(p[1], "x", 1);
    EXPECT(read(p[0], (char *)1, 1) == -1 && errno == EFAULT);
    pid_t child = fork();
    if (child == 0)
        _exit(3);
    /* The child is reaped, then the status cannot be stored: EFAULT, and it is gone. */
    EXPECT(wait((int *)1) == -1 && errno == EFAULT);
    EXPECT(wait(0) == -1 && errno == ECHILD);
    return 0;
}
)");
    CHECK(r.ok);
    INFO("failed EXPECTs at lines: " << failed_lines(r));
    CHECK(r.expect_failures.empty());
    CHECK(WIFEXITED(status_of(r)));
    CHECK(WEXITSTATUS(status_of(r)) == 0);
}

TEST_CASE("sys: a bad pointer dereferenced by library code is SIGSEGV")
{
    // glibc's sigaddset and sigaction touch the structs in user space.
    for (char const* call : {"sigaddset((sigset_t *)1, SIGINT)", "sigaction(SIGUSR1, (struct sigaction *)1, 0)",
             "sigaction(SIGUSR1, &sa, (struct sigaction *)1)", "sigprocmask(SIG_BLOCK, (sigset_t *)1, 0)",
             "time((time_t *)1)"}) {
        CAPTURE(call);
        Run r = run(std::string("#include <signal.h>\n#include <time.h>\nint main(void) {\n"
                                "    struct sigaction sa = {0};\n    ") + call + ";\n    return 0;\n}\n");
        CHECK(r.ok);
        CHECK(WIFSIGNALED(status_of(r)));
        CHECK(WTERMSIG(status_of(r)) == SIGSEGV);
    }
}

TEST_CASE("sys: fcntl descriptor flags status flags and record locks")
{
    output_of(R"(#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <sys/file.h>
#include <sys/wait.h>
int main(void) {
    int fd = open("/tmp/lk", O_CREAT | O_RDWR | O_APPEND, 0644);
    EXPECT(fcntl(fd, F_GETFL) == 0x8402);
    EXPECT(fcntl(fd, F_GETFD) == 0);
    EXPECT(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
    EXPECT(fcntl(fd, F_DUPFD, 10) == 10);
    EXPECT(fcntl(99, F_GETFD) == -1 && errno == EBADF);
    EXPECT(fcntl(fd, 9999) == -1 && errno == EINVAL);
    EXPECT(fcntl(fd, F_GETLK, (struct flock *)1) == -1 && errno == EFAULT);
    EXPECT(fcntl(99, F_GETLK, (struct flock *)1) == -1 && errno == EBADF);
    struct flock fl = { F_WRLCK, SEEK_SET, 0, 10, 0 };
    EXPECT(fcntl(fd, F_SETLK, &fl) == 0);
    EXPECT(flock(fd, LOCK_EX) == 0);
    EXPECT(flock(99, LOCK_SH) == -1 && errno == EBADF);
    pid_t parent = getpid();
    if (fork() == 0) {
        struct flock q = { F_RDLCK, SEEK_SET, 5, 1, 0 };
        EXPECT(fcntl(fd, F_GETLK, &q) == 0);
        EXPECT(q.l_type == F_WRLCK && q.l_pid == parent && q.l_start == 0 && q.l_len == 10);
        int fd2 = open("/tmp/lk", O_RDWR);
        EXPECT(flock(fd2, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK);
        EXPECT(fcntl(fd2, F_SETLK, &q) == -1 && errno == EAGAIN);
        _exit(0);
    }
    wait(0);
    return 0;
}
)");
}

TEST_CASE("sys: unlink mkdir chdir getcwd and umask")
{
    output_of(R"(#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>
int same(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}
int main(void) {
    EXPECT(umask(027) == 022);
    EXPECT(umask(022) == 027);
    EXPECT(mkdir("/tmp/d", 0777) == 0);
    struct stat st;
    EXPECT(stat("/tmp/d", &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR && (st.st_mode & 0777) == 0755);
    EXPECT(mkdir("/tmp/d", 0777) == -1 && errno == EEXIST);
    EXPECT(mkdir((char *)1, 0777) == -1 && errno == EFAULT);
    EXPECT(chdir("/tmp/d") == 0);
    char buf[64];
    EXPECT(getcwd(buf, sizeof buf) == buf && same(buf, "/tmp/d"));
    EXPECT(getcwd(buf, 6) == 0 && errno == ERANGE);
    EXPECT(getcwd(buf, 7) == buf);
    EXPECT(getcwd(buf, 0) == 0 && errno == EINVAL);
    int fd = open("here", O_CREAT | O_WRONLY, 0644);
    EXPECT(fd >= 0 && stat("/tmp/d/here", &st) == 0);
    EXPECT(chdir("/nothing") == -1 && errno == ENOENT);
    EXPECT(chdir("here") == -1 && errno == ENOTDIR);
    EXPECT(unlink("here") == 0 && stat("here", &st) == -1 && errno == ENOENT);
    EXPECT(unlink("here") == -1 && errno == ENOENT);
    EXPECT(unlink("/tmp/d") == -1 && errno == EISDIR);
    EXPECT(unlink((char *)1) == -1 && errno == EFAULT);
    return 0;
}
)");
}

TEST_CASE("sys: isatty stat and fstat fill struct stat as glibc does")
{
    output_of(R"(#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>
int main(void) {
    EXPECT(isatty(1) == 1);
    int p[2];
    pipe(p);
    errno = 0;
    EXPECT(isatty(p[0]) == 0 && errno == ENOTTY);
    EXPECT(isatty(99) == 0 && errno == EBADF);
    int fd = open("/tmp/s", O_CREAT | O_WRONLY, 0640);
    write(fd, "12345", 5);
    struct stat st;
    EXPECT(fstat(fd, &st) == 0);
    EXPECT((st.st_mode & S_IFMT) == S_IFREG && (st.st_mode & 07777) == 0640);
    EXPECT(st.st_size == 5 && st.st_nlink == 1 && st.st_uid == 1000 && st.st_blksize == 4096);
    struct stat again;
    EXPECT(stat("/tmp/s", &again) == 0 && again.st_ino == st.st_ino);
    EXPECT(fstat(p[1], &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO);
    EXPECT(stat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == 0x103);
    EXPECT(stat("/tmp/none", &st) == -1 && errno == ENOENT);
    EXPECT(fstat(99, &st) == -1 && errno == EBADF);
    return 0;
}
)");
}

TEST_CASE("sys: getdents64 lists dot and dotdot then the entries")
{
    output_of(R"(#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <dirent.h>
int same(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}
int main(void) {
    mkdir("/tmp/list", 0755);
    close(open("/tmp/list/zz", O_CREAT | O_WRONLY, 0644));
    close(open("/tmp/list/aa", O_CREAT | O_WRONLY, 0644));
    mkdir("/tmp/list/sub", 0755);
    int fd = open("/tmp/list", O_RDONLY | O_DIRECTORY);
    char buf[512];
    EXPECT(getdents64(fd, buf, 10) == -1 && errno == EINVAL);
    EXPECT(getdents64(fd, buf, 23) == -1 && errno == EINVAL);
    EXPECT(getdents64(fd, buf, 24) == 24);
    EXPECT(lseek(fd, 0, SEEK_SET) == 0);
    long n = getdents64(fd, buf, sizeof buf);
    EXPECT(n == 120);
    const char *names[5] = { ".", "..", "aa", "sub", "zz" };
    int types[5] = { DT_DIR, DT_DIR, DT_REG, DT_DIR, DT_REG };
    int i = 0;
    for (long at = 0; at < n; i++) {
        struct dirent *d = (struct dirent *)(buf + at);
        EXPECT(i < 5 && same(d->d_name, names[i]) && d->d_type == types[i]);
        EXPECT(d->d_reclen == 24 && d->d_off == i + 1 && d->d_ino != 0);
        at += d->d_reclen;
    }
    EXPECT(i == 5);
    EXPECT(getdents64(fd, buf, sizeof buf) == 0);
    EXPECT(lseek(fd, 0, SEEK_SET) == 0);
    EXPECT(getdents64(fd, (char *)1, sizeof buf) == -1 && errno == EFAULT);
    EXPECT(getdents64(fd, buf, sizeof buf) == 120);
    int file = open("/tmp/list/aa", O_RDONLY);
    EXPECT(getdents64(file, buf, sizeof buf) == -1 && errno == ENOTDIR);
    EXPECT(getdents64(99, buf, sizeof buf) == -1 && errno == EBADF);
    return 0;
}
)");
}

TEST_CASE("sys: opendir readdir and closedir")
{
    // The DIR lives in the malloc heap; until the allocator can grow it, opendir says ENOMEM.
    output_of(R"(#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <dirent.h>
int same(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}
int main(void) {
    EXPECT(opendir("/nothing") == 0 && errno == ENOENT);
    close(open("/tmp/file", O_CREAT | O_WRONLY, 0644));
    EXPECT(opendir("/tmp/file") == 0 && errno == ENOTDIR);
    EXPECT(opendir((char *)1) == 0 && errno == EFAULT);
    DIR *d = opendir("/tmp");
    if (!d) {
        EXPECT(errno == ENOMEM);
        return 0;
    }
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(d)) != 0) {
        if (seen == 0) EXPECT(same(e->d_name, "."));
        if (seen == 1) EXPECT(same(e->d_name, ".."));
        if (seen == 2) EXPECT(same(e->d_name, "file") && e->d_type == DT_REG);
        seen++;
    }
    EXPECT(seen == 3);
    errno = 0;
    EXPECT(readdir(d) == 0 && errno == 0);
    rewinddir(d);
    EXPECT(readdir(d) != 0);
    EXPECT(closedir(d) == 0);
    return 0;
}
)");
}

TEST_CASE("sys: sbrk and brk move the break and the new memory can be used")
{
    output_of(R"(#include <unistd.h>
#include <errno.h>
#include <stdint.h>
#include <sys/wait.h>
int main(void) {
    char *start = sbrk(0);
    EXPECT(start != (char *)-1);
    EXPECT(sbrk(0) == start);
    EXPECT(sbrk(8192) == start);
    EXPECT(sbrk(0) == start + 8192);
    for (int i = 0; i < 8192; i += 512)
        start[i] = (char)i;
    EXPECT(start[8192 - 512] == (char)(8192 - 512));
    EXPECT(sbrk(-4096) == start + 8192);
    EXPECT(sbrk(0) == start + 4096);
    EXPECT(brk(start + 100) == 0 && sbrk(0) == start + 100);
    EXPECT(brk((void *)1) == 0);
    EXPECT(sbrk(0) == start + 100);
    EXPECT(sbrk((intptr_t)1 << 50) == (void *)-1 && errno == ENOMEM);
    EXPECT(brk(start + 4096) == 0);
    if (fork() == 0) {
        start[8192] = 1;
        _exit(0);
    }
    int status;
    wait(&status);
    EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    return 0;
}
)");
}

TEST_CASE("sys: mmap MAP_SHARED anonymous memory is shared across fork and MAP_PRIVATE is not")
{
    output_of(R"(#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
int main(void) {
    int *shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *private = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT(shared != MAP_FAILED && private != MAP_FAILED);
    *shared = 1;
    *private = 1;
    if (fork() == 0) {
        *shared = 42;
        *private = 42;
        _exit(0);
    }
    wait(0);
    EXPECT(*shared == 42);
    EXPECT(*private == 1);
    EXPECT(mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
    EXPECT(mmap(0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
    EXPECT(mmap(0, 4096, PROT_READ, MAP_PRIVATE, -1, 0) == MAP_FAILED && errno == EBADF);
    EXPECT(mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 5) == MAP_FAILED && errno == EINVAL);
    int p[2];
    pipe(p);
    EXPECT(mmap(0, 4096, PROT_READ, MAP_PRIVATE, p[0], 0) == MAP_FAILED && errno == ENODEV);
    EXPECT(munmap((void *)1, 4096) == -1 && errno == EINVAL);
    EXPECT(munmap(0, 0) == -1 && errno == EINVAL);
    EXPECT(mprotect((void *)1, 4096, PROT_READ) == -1 && errno == EINVAL);
    EXPECT(madvise(shared, 4096, 999) == -1 && errno == EINVAL);
    EXPECT(mlockall(0) == -1 && errno == EINVAL);
    EXPECT(mlock(private, 4096) == 0 && munlock(private, 4096) == 0);
    EXPECT(mlockall(MCL_CURRENT) == 0 && munlockall() == 0);
    EXPECT(madvise(private, 4096, MADV_DONTNEED) == 0 && *private == 0);

    int fd = open("/tmp/m", O_CREAT | O_RDWR, 0644);
    write(fd, "abc", 3);
    char *file = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    EXPECT(file != MAP_FAILED && file[0] == 'a');
    file[1] = 'X';
    char back[3];
    EXPECT(lseek(fd, 0, SEEK_SET) == 0 && read(fd, back, 3) == 3 && back[1] == 'X');
    EXPECT(munmap(file, 4096) == 0);
    return 0;
}
)");
}

TEST_CASE("sys: getrlimit and setrlimit and RLIMIT_NPROC stopping a fork loop with EAGAIN")
{
    output_of(R"(#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <signal.h>
#include <errno.h>
int main(void) {
    struct rlimit rl;
    EXPECT(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 1024);
    EXPECT(getrlimit(99, &rl) == -1 && errno == EINVAL);
    rl.rlim_cur = 10;
    rl.rlim_max = 5;
    EXPECT(setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EINVAL);
    EXPECT(getrlimit(RLIMIT_NPROC, &rl) == 0);
    rl.rlim_cur = 3;
    rl.rlim_max = 3;
    EXPECT(setrlimit(RLIMIT_NPROC, &rl) == 0);
    rl.rlim_max = 4;
    EXPECT(setrlimit(RLIMIT_NPROC, &rl) == -1 && errno == EPERM);
    EXPECT(getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur == 3 && rl.rlim_max == 3);
    int forked = 0;
    pid_t kids[8];
    for (;;) {
        pid_t p = fork();
        if (p == 0) {
            pause();
            _exit(0);
        }
        if (p < 0) {
            EXPECT(errno == EAGAIN);
            break;
        }
        kids[forked++] = p;
    }
    EXPECT(forked == 2);
    for (int i = 0; i < forked; i++) {
        kill(kids[i], SIGKILL);
        wait(0);
    }
    return 0;
}
)");
}

TEST_CASE("sys: prctl PR_SET_PDEATHSIG kills the child when its parent dies")
{
    output_of(R"(#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <signal.h>
#include <errno.h>
int same(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}
int main(void) {
    int v = 5;
    EXPECT(prctl(PR_GET_PDEATHSIG, &v) == 0 && v == 0);
    EXPECT(prctl(PR_SET_PDEATHSIG, 65) == -1 && errno == EINVAL);
    EXPECT(prctl(PR_GET_PDEATHSIG, (int *)1) == -1 && errno == EFAULT);
    EXPECT(prctl(9999, 0) == -1 && errno == EINVAL);
    EXPECT(prctl(PR_SET_NAME, "worker-with-a-long-name") == 0);
    char name[16];
    EXPECT(prctl(PR_GET_NAME, name) == 0 && same(name, "worker-with-a-l"));
    EXPECT(prctl(PR_GET_NAME, (char *)1) == -1 && errno == EFAULT);
    EXPECT(prctl(PR_SET_NAME, (char *)1) == -1 && errno == EFAULT);
    EXPECT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    EXPECT(prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 1);
    int ready[2];
    pipe(ready);
    pid_t middle = fork();
    if (middle == 0) {
        if (fork() == 0) {
            EXPECT(prctl(PR_SET_PDEATHSIG, SIGTERM) == 0);
            EXPECT(prctl(PR_GET_PDEATHSIG, &v) == 0 && v == SIGTERM);
            write(ready[1], "r", 1);
            pause();
            _exit(0);
        }
        char c;
        read(ready[0], &c, 1);
        _exit(7);
    }
    int status;
    EXPECT(waitpid(middle, &status, 0) == middle && WEXITSTATUS(status) == 7);
    /* The orphan came to us, the subreaper, and died of its parent's death signal. */
    EXPECT(wait(&status) > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    return 0;
}
)");
}

TEST_CASE("sys: sigprocmask blocks a signal until it is unblocked and the sigset functions check numbers")
{
    output_of(R"(#include <signal.h>
#include <unistd.h>
#include <errno.h>
int got;
void on_usr1(int sig) { got = sig; }
int main(void) {
    sigset_t set, old, pending;
    EXPECT(sigemptyset(&set) == 0 && sigismember(&set, SIGUSR1) == 0);
    EXPECT(sigaddset(&set, SIGUSR1) == 0 && sigismember(&set, SIGUSR1) == 1);
    EXPECT(sigaddset(&set, 0) == -1 && errno == EINVAL);
    EXPECT(sigaddset(&set, 32) == -1 && errno == EINVAL);
    EXPECT(sigaddset(&set, 33) == -1 && errno == EINVAL);
    EXPECT(sigaddset(&set, 65) == -1 && errno == EINVAL);
    EXPECT(sigdelset(&set, 32) == -1 && errno == EINVAL);
    EXPECT(sigismember(&set, 65) == -1 && errno == EINVAL);
    EXPECT(sigaddset(&set, 64) == 0 && sigismember(&set, 64) == 1 && sigdelset(&set, 64) == 0);
    sigset_t all;
    EXPECT(sigfillset(&all) == 0 && sigismember(&all, 32) == 0 && sigismember(&all, 33) == 0);
    EXPECT(sigismember(&all, 34) == 1 && sigismember(&all, SIGKILL) == 1);
    signal(SIGUSR1, on_usr1);
    EXPECT(sigprocmask(SIG_BLOCK, &set, &old) == 0 && sigismember(&old, SIGUSR1) == 0);
    raise(SIGUSR1);
    EXPECT(got == 0);
    EXPECT(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1) == 1);
    EXPECT(sigprocmask(5, &set, 0) == -1 && errno == EINVAL);
    EXPECT(sigprocmask(5, 0, 0) == 0);
    EXPECT(sigprocmask(SIG_UNBLOCK, &set, 0) == 0);
    EXPECT(got == SIGUSR1);
    EXPECT(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1) == 0);
    /* Blocking every signal leaves SIGKILL and SIGSTOP unblocked. */
    EXPECT(sigprocmask(SIG_SETMASK, &all, 0) == 0 && sigprocmask(SIG_SETMASK, 0, &old) == 0);
    EXPECT(sigismember(&old, SIGKILL) == 0 && sigismember(&old, SIGTERM) == 1);
    return 0;
}
)");
}

TEST_CASE("sys: sigsuspend runs the handler under the temporary mask then restores the old one")
{
    output_of(R"(#include <signal.h>
#include <unistd.h>
#include <errno.h>
#include <sys/wait.h>
int got;
void on_usr1(int sig) { got = sig; }
int main(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;  /* sigsuspend fails with EINTR all the same. */
    sigaction(SIGUSR1, &sa, 0);
    sigset_t block, empty, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, 0);
    if (fork() == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigemptyset(&empty);
    EXPECT(sigsuspend(&empty) == -1 && errno == EINTR);
    EXPECT(got == SIGUSR1);
    EXPECT(sigprocmask(SIG_BLOCK, 0, &now) == 0 && sigismember(&now, SIGUSR1) == 1);
    wait(0);
    return 0;
}
)");
}

TEST_CASE("sys: alarm delivers SIGALRM during sleep and the itimers count down")
{
    output_of(R"(#include <signal.h>
#include <unistd.h>
#include <errno.h>
#include <sys/time.h>
int got;
void on_alarm(int sig) { got = sig; }
int main(void) {
    signal(SIGALRM, on_alarm);
    EXPECT(alarm(2) == 0);
    sleep(5);
    EXPECT(got == SIGALRM);
    EXPECT(alarm(5) == 0);
    EXPECT(alarm(0) == 5);
    struct itimerval it = { { 0, 0 }, { 1, 500000 } }, old, now;
    EXPECT(setitimer(ITIMER_REAL, &it, 0) == 0);
    EXPECT(getitimer(ITIMER_REAL, &now) == 0);
    long left = now.it_value.tv_sec * 1000000L + now.it_value.tv_usec;
    EXPECT(left > 1000000 && left <= 1500000);
    EXPECT(now.it_interval.tv_sec == 0 && now.it_interval.tv_usec == 0);
    it.it_value.tv_sec = 0;
    it.it_value.tv_usec = 0;
    EXPECT(setitimer(ITIMER_REAL, &it, &old) == 0 && old.it_value.tv_sec == 1);
    EXPECT(getitimer(ITIMER_REAL, &now) == 0 && now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0);
    it.it_value.tv_usec = 1000000;
    EXPECT(setitimer(ITIMER_REAL, &it, 0) == -1 && errno == EINVAL);
    it.it_value.tv_usec = 0;
    EXPECT(setitimer(7, &it, 0) == -1 && errno == EINVAL);
    EXPECT(getitimer(7, &now) == -1 && errno == EINVAL);
    EXPECT(setitimer(ITIMER_REAL, (struct itimerval *)1, 0) == -1 && errno == EFAULT);
    EXPECT(setitimer(ITIMER_REAL, &it, (struct itimerval *)1) == -1 && errno == EFAULT);
    EXPECT(getitimer(ITIMER_REAL, (struct itimerval *)1) == -1 && errno == EFAULT);
    return 0;
}
)");
}

TEST_CASE("sys: nanosleep and usleep advance the simulated clock")
{
    output_of(R"(#include <unistd.h>
#include <errno.h>
#include <time.h>
int main(void) {
    time_t t0;
    time_t start = time(&t0);
    EXPECT(start == t0 && start > 1000000000);
    struct timespec req = { 2, 500000000 }, rem = { 9, 9 };
    EXPECT(nanosleep(&req, &rem) == 0);
    EXPECT(time(0) - start >= 2);
    EXPECT(usleep(1000000) == 0 && usleep(0) == 0);
    EXPECT(time(0) - start >= 3);
    req.tv_nsec = 1000000000;
    EXPECT(nanosleep(&req, 0) == -1 && errno == EINVAL);
    req.tv_sec = -1;
    req.tv_nsec = 0;
    EXPECT(nanosleep(&req, 0) == -1 && errno == EINVAL);
    return 0;
}
)");
}

// A signal whose handler runs cuts a sleep short: -1 with EINTR and the time left, even under
// SA_RESTART (host: rem = 4.000005973 s).
TEST_CASE("sys: a signal cuts nanosleep and usleep short")
{
    output_of(R"(#include <signal.h>
#include <unistd.h>
#include <errno.h>
#include <time.h>
int got;
void on_alarm(int sig) { got = sig; }
int main(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;  /* nanosleep is not restarted all the same. */
    sigaction(SIGALRM, &sa, 0);
    alarm(1);
    struct timespec req = { 5, 0 }, rem = { 9, 9 };
    int r = nanosleep(&req, &rem);
    EXPECT(r == -1 && errno == EINTR);
    EXPECT(got == SIGALRM);
    long left = rem.tv_sec * 1000000000L + rem.tv_nsec;
    EXPECT(left > 4000000000L && left < 4100000000L);  /* The alarm started first. */
    got = 0;
    alarm(1);
    r = usleep(3000000);
    EXPECT(r == -1 && errno == EINTR);
    EXPECT(got == SIGALRM);
    return 0;
}
)");
}

TEST_CASE("sys: user and group ids and process groups and sessions")
{
    output_of(R"(#include <unistd.h>
#include <errno.h>
#include <sys/wait.h>
int main(void) {
    EXPECT(getuid() == 1000 && geteuid() == 1000);
    EXPECT(getgid() == getegid());
    EXPECT(setuid(0) == -1 && errno == EPERM);
    EXPECT(setuid(1000) == 0);
    EXPECT(setgid(12345) == -1 && errno == EPERM);
    EXPECT(setgid(getgid()) == 0);
    EXPECT(getpgrp() == getpgid(0));
    EXPECT(getpgid(999999) == -1 && errno == ESRCH);
    EXPECT(getsid(999999) == -1 && errno == ESRCH);
    EXPECT(setpgid(-1, 0) == -1 && errno == EINVAL);
    EXPECT(setpgid(999999, 0) == -1 && errno == ESRCH);
    if (fork() == 0) {
        EXPECT(setpgid(0, 0) == 0 && getpgrp() == getpid());
        EXPECT(setsid() == -1 && errno == EPERM);
        _exit(0);
    }
    wait(0);
    if (fork() == 0) {
        EXPECT(setsid() == getpid() && getsid(0) == getpid() && getpgrp() == getpid());
        _exit(0);
    }
    wait(0);
    return 0;
}
)", [] {
        RunOptions o;
        o.uid = 1000;
        return o;
    }());
}

TEST_CASE("sys: struct dirent matches glibc's x86-64 layout")
{
    auto const at = [](std::size_t offset) { return std::to_string(offset); };
    Run r = run("#include <dirent.h>\nint main(void) {\n    struct dirent d;\n"
                "    EXPECT(sizeof d == " + at(sizeof(struct dirent)) + ");\n"
                "    EXPECT((char *)&d.d_off - (char *)&d == " + at(offsetof(struct dirent, d_off)) + ");\n"
                "    EXPECT((char *)&d.d_reclen - (char *)&d == " + at(offsetof(struct dirent, d_reclen)) + ");\n"
                "    EXPECT((char *)&d.d_type - (char *)&d == " + at(offsetof(struct dirent, d_type)) + ");\n"
                "    EXPECT((char *)d.d_name - (char *)&d == " + at(offsetof(struct dirent, d_name)) + ");\n"
                "    return 0;\n}\n");
    CHECK(r.ok);
    CHECK(r.expect_failures.empty());
}
