//! title: How can a parent check on a child without blocking in wait()?
//! tags: lifecycle, wait, wnohang
//! summary: waitpid(pid, &status, WNOHANG) never sleeps: it returns 0 while the
//!   child is still running, and the child's pid (reaping it) once it has exited.
//!   The parent polls and does its own work in between.
//! output: |
//!   parent: waitpid returned 0: the child is still running
//!   child: done working, exiting with status 4
//!   parent: waitpid returned the child's pid: status 4
//!   parent: polled more than once, and never blocked
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int status;
    pid_t pid = fork();
    if (pid == 0) {
        sleep(2);
        printf("child: done working, exiting with status 4\n");
        return 4;
    }
    pid_t r = waitpid(pid, &status, WNOHANG);
    NOTE("The child is asleep, not exited: waitpid(WNOHANG) came back at once with 0 instead of waiting.");
    EXPECT(r == 0);
    printf("parent: waitpid returned %d: the child is still running\n", (int)r);
    fflush(stdout);
    int polls = 1;
    while ((r = waitpid(pid, &status, WNOHANG)) == 0) {
        polls++;
        usleep(250000); /* the parent's own work would go here */
    }
    NOTE("This poll found the child exited: waitpid reaped it and returned its pid.");
    EXPECT(r == pid && WIFEXITED(status));
    printf("parent: waitpid returned the child's pid: status %d\n", WEXITSTATUS(status));
    printf("parent: polled %s, and never blocked\n", polls > 1 ? "more than once" : "once");
    return 0;
}
