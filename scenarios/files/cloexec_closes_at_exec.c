//! title: Does an exec'd program keep the fds marked FD_CLOEXEC?
//! tags: files, exec, fcntl, pipe
//! summary: A child holds the write end of a pipe and execs sleep 2. Without
//!   FD_CLOEXEC, sleep inherits that fd, so the parent's read sees end-of-file only
//!   when sleep exits. With FD_CLOEXEC, execve closes it and the read returns at once.
//! output: |
//!   without FD_CLOEXEC: EOF after sleep exited
//!   with FD_CLOEXEC: EOF as soon as the child exec'd
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "forklab.h"

void run(const char *label, int fd_flags)
{
    int p[2];
    char c;
    pipe(p);
    if (fork() == 0) {
        close(p[0]);
        fcntl(p[1], F_SETFD, fd_flags);
        execlp("sleep", "sleep", "2", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    NOTE("The parent closed its write end. The pipe's only other write end is the child's fd 4: whether it survives the exec decides when read() returns 0.");
    time_t start = time(NULL);
    ssize_t n = read(p[0], &c, 1);
    time_t waited = time(NULL) - start;
    EXPECT(n == 0);
    printf("%s: EOF %s\n", label, waited >= 2 ? "after sleep exited" : "as soon as the child exec'd");
    close(p[0]);
    wait(NULL);
}

int main(void)
{
    run("without FD_CLOEXEC", 0);
    run("with FD_CLOEXEC", FD_CLOEXEC);
    return 0;
}
