//! title: Can a child ask to be killed when its parent dies?
//! tags: lifecycle, prctl, signals, orphan
//! summary: prctl(PR_SET_PDEATHSIG, SIGTERM) asks the kernel to send SIGTERM to the
//!   caller when its parent exits. The worker below sets it and sleeps; its parent
//!   exits after 1 s, and the worker dies instead of living on as an orphan. The
//!   top process is a subreaper, so it adopts the worker and sees how it ended.
//! output: |
//!   worker: I will get SIGTERM when my parent dies
//!   parent: exiting
//!   reaper: the parent exited with status 0
//!   reaper: the worker was killed by signal 15 (SIGTERM)
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

void worker(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        exit(1); /* the parent died before prctl: no signal would come */
    printf("worker: I will get SIGTERM when my parent dies\n");
    fflush(stdout);
    sleep(3);
    NOTE("Never reached: the worker was killed when its parent exited.");
    printf("worker: still alive after 3 s\n");
    exit(0);
}

int main(void)
{
    int status;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (fork() == 0) {
        pid_t parent = getpid();
        if (fork() == 0)
            worker(parent);
        sleep(1);
        NOTE("The parent exits now: the kernel reparents the worker to the subreaper and sends it its parent-death signal.");
        printf("parent: exiting\n");
        exit(0);
    }
    wait(&status);
    printf("reaper: the parent exited with status %d\n", WEXITSTATUS(status));
    wait(&status);
    EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    if (WIFSIGNALED(status))
        printf("reaper: the worker was killed by signal %d (%s)\n", WTERMSIG(status),
            WTERMSIG(status) == SIGTERM ? "SIGTERM" : "?");
    else
        printf("reaper: the worker exited with status %d\n", WEXITSTATUS(status));
    return 0;
}
