//! title: Who becomes the parent of a child whose parent has exited?
//! tags: lifecycle, orphan, init, getppid
//! summary: When a parent exits first, its children are orphans. The kernel gives
//!   them a new parent at once: init, pid 1 (or the nearest subreaper), which will
//!   wait() for them so they do not stay zombies forever.
//! output: |
//!   child: my parent was my creator
//!   parent: exiting, my child is still running
//!   child: my parent is now init (pid 1)
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t creator = getpid();
    if (fork() == 0) {
        printf("child: my parent was %s\n", getppid() == creator ? "my creator" : "someone else");
        fflush(stdout);
        sleep(2);
        NOTE("The parent has exited: look at the tree, the child now hangs under init (pid 1).");
        EXPECT(getppid() == 1);
        if (getppid() == 1)
            printf("child: my parent is now init (pid 1)\n");
        else
            printf("child: my parent is now pid %d\n", (int)getppid());
        return 0;
    }
    sleep(1);
    printf("parent: exiting, my child is still running\n");
    return 0;
}
