//! title: Does RLIMIT_NPROC stop root?
//! tags: limits, rlimit, root
//! summary: The same limit of 10 processes that stops a student's fork bomb
//!   does not apply to root: Linux skips the check for the root user and for
//!   CAP_SYS_RESOURCE or CAP_SYS_ADMIN. All 15 forks succeed.
//! uid: 0
//! rlimit: NPROC 10
//! output: |
//!   NPROC limit: 10
//!   forks that succeeded: 15 of 15
//!   reaped 15 children
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NPROC, &rl);
    printf("NPROC limit: %ld\n", (long)rl.rlim_cur);

    pid_t kids[15];
    int n = 0;
    for (int i = 0; i < 15; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            pause();            /* stay alive, as in the fork bomb */
            _exit(0);
        }
        if (pid > 0)
            kids[n++] = pid;
    }
    NOTE("16 processes of uid 0 are alive, past the limit of 10: root is exempt.");
    EXPECT(n == 15);
    printf("forks that succeeded: %d of 15\n", n);

    for (int i = 0; i < n; i++)
        kill(kids[i], SIGKILL);
    int reaped = 0;
    while (wait(NULL) > 0)
        reaped++;
    printf("reaped %d children\n", reaped);
    return 0;
}
