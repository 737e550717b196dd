//! title: Who is my parent? getpid() and getppid() after fork
//! tags: basics, pid
//! summary: The child gets a new pid of its own, and its getppid() is the pid of the
//!   process that forked it. The parent's own pid and parent do not change.
//! output: |
//!   parent: pid 2, parent 1
//!   child: pid 3, parent 2
//!   parent: pid 2, parent 1, fork and wait both said 3
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t me = getpid();
    pid_t my_parent = getppid();
    printf("parent: pid %d, parent %d\n", me, my_parent);
    fflush(stdout);

    pid_t pid = fork();
    if (pid == 0) {
        NOTE("The child has a new pid, and its parent is the process that called fork.");
        EXPECT(getpid() != me);
        EXPECT(getppid() == me);
        printf("child: pid %d, parent %d\n", getpid(), getppid());
        return 0;
    }
    pid_t done = wait(NULL);
    NOTE("fork() in the parent and wait() both name the child by the pid it saw in getpid().");
    EXPECT(done == pid);
    EXPECT(getpid() == me && getppid() == my_parent);
    printf("parent: pid %d, parent %d, fork and wait both said %d\n", getpid(), getppid(), pid);
    return 0;
}
