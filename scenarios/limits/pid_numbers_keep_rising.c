//! title: Does a new process get the pid that was just freed?
//! tags: limits, pid, wait
//! summary: Linux hands out pids in increasing order and wraps around only at
//!   pid_max. A reaped child's pid is free, but the next fork takes a higher
//!   number, so a stale pid does not name a new process straight away.
//! output: |
//!   round 1: new pid > last pid: yes, reused the freed pid: no
//!   round 2: new pid > last pid: yes, reused the freed pid: no
//!   round 3: new pid > last pid: yes, reused the freed pid: no
//!   round 4: new pid > last pid: yes, reused the freed pid: no
//!   round 5: new pid > last pid: yes, reused the freed pid: no
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t last = fork();
    if (last == 0)
        _exit(0);
    waitpid(last, NULL, 0);
    NOTE("The first child was reaped: its pid is free again.");

    for (int round = 1; round <= 5; round++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        NOTE("The kernel searched on from the last pid it gave out, not from the lowest free one.");
        EXPECT(pid > last);
        printf("round %d: new pid > last pid: %s, reused the freed pid: %s\n",
               round, pid > last ? "yes" : "no", pid == last ? "yes" : "no");
        waitpid(pid, NULL, 0);  /* free this pid before the next fork */
        last = pid;
    }
    return 0;
}
