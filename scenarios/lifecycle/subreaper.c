//! title: Can a process other than init adopt its orphaned grandchildren?
//! tags: lifecycle, orphan, subreaper, prctl
//! summary: A process that calls prctl(PR_SET_CHILD_SUBREAPER, 1) becomes the
//!   adopter of every orphan below it in the tree: when the middle process exits,
//!   its child is reparented to the subreaper instead of init, and the subreaper
//!   reaps it with wait(). Service managers such as systemd work this way.
//! output: |
//!   middle: started a grandchild, exiting
//!   reaper: reaped the middle process
//!   grandchild: my parent is now the subreaper
//!   reaper: reaped my grandchild too, status 5
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t reaper = getpid();
    int status;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t middle = fork();
    if (middle == 0) {
        if (fork() == 0) {
            sleep(1);
            NOTE("The grandchild's parent has exited. Look at the tree: it hangs under the subreaper, not under init.");
            EXPECT(getppid() == reaper);
            printf("grandchild: my parent is now %s\n", getppid() == reaper ? "the subreaper" : "someone else");
            exit(5);
        }
        printf("middle: started a grandchild, exiting\n");
        exit(0);
    }
    EXPECT(wait(&status) == middle);
    printf("reaper: reaped the middle process\n");
    fflush(stdout);
    pid_t adopted = wait(&status);
    NOTE("wait() returned a pid this process never forked: the adopted grandchild.");
    EXPECT(adopted != middle && WEXITSTATUS(status) == 5);
    printf("reaper: reaped my grandchild too, status %d\n", WEXITSTATUS(status));
    return 0;
}
