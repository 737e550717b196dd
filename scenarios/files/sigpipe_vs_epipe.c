//! title: What happens when a process writes to a pipe that nobody reads?
//! tags: files, pipe, signals
//! summary: With no read end open, write() sends the writer SIGPIPE, whose default
//!   action kills it. A process that ignores SIGPIPE survives, and its write()
//!   returns -1 with errno EPIPE instead.
//! output: |
//!   parent: the child was killed by signal 13 (SIGPIPE)
//!   child: write returned -1: Broken pipe
//!   parent: the child exited with status 0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

void writer(int ignore_sigpipe)
{
    int p[2];
    pipe(p);
    close(p[0]);
    NOTE("The pipe's only read end is closed: nobody can ever read what is written.");
    if (ignore_sigpipe)
        signal(SIGPIPE, SIG_IGN);
    ssize_t n = write(p[1], "hello\n", 6);
    int err = errno;
    NOTE("Only the child that ignores SIGPIPE gets here: the other one was killed inside write().");
    EXPECT(ignore_sigpipe && n == -1 && err == EPIPE);
    printf("child: write returned %zd: %s\n", n, strerror(err));
    exit(0);
}

void run(int ignore_sigpipe)
{
    int status;
    pid_t pid = fork();
    if (pid == 0)
        writer(ignore_sigpipe);
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        printf("parent: the child was killed by signal %d (%s)\n", WTERMSIG(status),
            WTERMSIG(status) == SIGPIPE ? "SIGPIPE" : "?");
    else
        printf("parent: the child exited with status %d\n", WEXITSTATUS(status));
    fflush(stdout);
}

int main(void)
{
    run(0);
    run(1);
    return 0;
}
