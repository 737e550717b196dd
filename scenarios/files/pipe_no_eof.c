//! title: Why does a pipe's reader wait forever for end-of-file?
//! tags: files, pipe, deadlock
//! summary: read() on a pipe returns 0 only when no write end is open anywhere.
//!   A child that reads from a pipe but keeps its own inherited copy of the write
//!   end never sees EOF: it waits for itself. Here an alarm ends the wait after 3 s;
//!   the second child closes its copy and finishes.
//! output: |
//!   child (write end kept): read "hello"
//!   parent: the child was killed by SIGALRM: no EOF came in 3 s
//!   child (write end closed): read "hello"
//!   child (write end closed): EOF
//!   parent: the child exited with status 0
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

void reader(const char *name, int p[2], int close_write_end)
{
    char buf[64];
    ssize_t n;
    if (close_write_end)
        close(p[1]);
    alarm(3);
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
        printf("child (%s): read \"%.*s\"\n", name, (int)n - 1, buf);
        fflush(stdout);
    }
    printf("child (%s): EOF\n", name);
    exit(0);
}

void run(const char *name, int close_write_end)
{
    int p[2], status;
    pipe(p);
    fflush(stdout); /* so that a child does not inherit unprinted lines */
    pid_t pid = fork();
    if (pid == 0)
        reader(name, p, close_write_end);
    close(p[0]);
    write(p[1], "hello\n", 6);
    close(p[1]);
    NOTE("The parent has closed its write end. Look at the pipe in the fds view: is any fd still open on its write end, and whose is it?");
    waitpid(pid, &status, 0);
    NOTE("Without the alarm the first child would sleep in read() forever: the only write end still open is its own fd 4.");
    EXPECT(close_write_end ? WIFEXITED(status) : WIFSIGNALED(status));
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        printf("parent: the child was killed by SIGALRM: no EOF came in 3 s\n");
    else
        printf("parent: the child exited with status %d\n", WEXITSTATUS(status));
}

int main(void)
{
    run("write end kept", 0);
    run("write end closed", 1);
    return 0;
}
