//! title: How can a parent have no zombies without ever calling wait()?
//! tags: lifecycle, zombie, signals, wait
//! summary: If the parent sets SIGCHLD to SIG_IGN, it declares it will never ask
//!   for its children's statuses. The kernel then reaps each child as it exits: no
//!   zombie is left, and wait() finds no child at all (ECHILD).
//! output: |
//!   child: exiting with status 3
//!   parent: 1 s later, the child's pid is gone: No such process
//!   parent: wait returned -1: No child processes
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    signal(SIGCHLD, SIG_IGN);
    pid_t pid = fork();
    if (pid == 0) {
        printf("child: exiting with status 3\n");
        return 3;
    }
    sleep(1);
    NOTE("Look at the process tree: the child exited and was reaped at once. There is no zombie under the parent.");
    int r = kill(pid, 0);
    int err = errno;
    EXPECT(r == -1 && err == ESRCH);
    printf("parent: 1 s later, the child's pid is gone: %s\n", strerror(err));
    r = wait(NULL);
    err = errno;
    EXPECT(r == -1 && err == ECHILD);
    printf("parent: wait returned %d: %s\n", r, strerror(err));
    return 0;
}
