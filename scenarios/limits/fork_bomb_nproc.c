//! title: What stops a fork bomb?
//! tags: limits, rlimit, fork
//! summary: A user may own at most RLIMIT_NPROC processes. Past it fork()
//!   fails with EAGAIN instead of taking the machine down; the parent then
//!   kills and reaps every child it made.
//! uid: 1000
//! rlimit: NPROC 10
//! output: |
//!   fork failed: Resource temporarily unavailable
//!   forks that succeeded: 9
//!   reaped 9 children
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t kids[64];
    int n = 0;

    while (n < 64) {
        pid_t pid = fork();
        if (pid == 0) {
            pause();            /* stay alive: each child holds one slot */
            _exit(0);
        }
        if (pid == -1) {
            NOTE("This user already owns 10 processes (the parent and 9 children): fork refuses an 11th.");
            EXPECT(errno == EAGAIN);
            printf("fork failed: %s\n", strerror(errno));
            break;
        }
        kids[n++] = pid;
    }
    printf("forks that succeeded: %d\n", n);

    for (int i = 0; i < n; i++)
        kill(kids[i], SIGKILL);
    int reaped = 0;
    while (wait(NULL) > 0)
        reaped++;
    NOTE("Every child is reaped: the user's process count is back to 1.");
    printf("reaped %d children\n", reaped);
    return 0;
}
