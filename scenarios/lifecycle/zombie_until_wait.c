//! title: What is left of a child that has exited but not been waited for?
//! tags: lifecycle, zombie, wait
//! summary: A child that exits becomes a zombie: its memory and files are gone,
//!   but its pid and exit status stay in the process table until the parent calls
//!   wait(). Until then the pid still exists (kill(pid, 0) succeeds); after, it is gone.
//! output: |
//!   child: exiting with status 7
//!   parent: 1 s later, the child's pid still exists: it is a zombie
//!   parent: wait reaped the child, status 7
//!   parent: now kill(pid, 0) fails: No such process
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        printf("child: exiting with status 7\n");
        return 7;
    }
    sleep(1);
    NOTE("Look at the process tree: the child has exited but is still there, a zombie (state Z) that holds only its pid and exit status.");
    EXPECT(kill(pid, 0) == 0);
    printf("parent: 1 s later, the child's pid still exists: it is a zombie\n");

    int status;
    EXPECT(wait(&status) == pid);
    NOTE("wait() collected the status: the zombie is gone from the tree.");
    printf("parent: wait reaped the child, status %d\n", WEXITSTATUS(status));
    if (kill(pid, 0) == -1)
        printf("parent: now kill(pid, 0) fails: %s\n", strerror(errno));
    return 0;
}
