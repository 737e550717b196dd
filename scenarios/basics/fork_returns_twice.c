//! title: Does fork return twice?
//! tags: basics, fork
//! summary: One call to fork(), two returns: the child gets 0, the parent gets the
//!   child's pid. The same line of code then takes a different branch in each process.
//! output: |
//!   child: fork returned 0
//!   parent: fork returned the child's pid, and wait returned it too
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t pid = fork();
    NOTE("fork() has returned twice: look at the task list, there are now two processes "
         "running the same line, each with its own copy of the variable pid.");
    if (pid == 0) {
        NOTE("In the child, fork() returned 0: a child can always ask getppid() for its parent.");
        printf("child: fork returned %d\n", pid);
        return 0;
    }
    NOTE("In the parent, fork() returned the child's pid: the only way a parent learns it.");
    EXPECT(pid > 0);
    pid_t done = wait(NULL);
    NOTE("wait() slept until the child exited, and returned its pid: the one fork() gave us.");
    EXPECT(done == pid);
    printf("parent: fork returned the child's pid, and wait returned it too\n");
    return 0;
}
