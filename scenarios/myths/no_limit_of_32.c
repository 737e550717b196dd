//! title: Is Linux fork() limited to 32 processes?
//! tags: myths, limits
//! summary: A generated description of fork says "the Linux fork() system call is limited to a maximum of
//!   32 processes". False: there is no such number. Here one parent has 100 children
//!   alive at the same time. What really stops fork is RLIMIT_NPROC (processes per user),
//!   /proc/sys/kernel/pid_max and threads-max, and memory; at those limits fork fails
//!   with EAGAIN.
//! output: |
//!   parent: 100 children alive at once, no fork failed
//!   parent: reaped 100 children
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

#define CHILDREN 100

int main(void)
{
    int hold[2];
    pipe(hold);

    int made = 0;
    for (int i = 0; i < CHILDREN; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            break;
        }
        if (pid == 0) {
            char c;
            close(hold[1]);
            read(hold[0], &c, 1); /* Stays alive until the parent closes the pipe. */
            _exit(0);
        }
        made++;
    }
    NOTE("Look at the process tree: one parent, 100 children, all alive, each asleep in "
         "read() on the pipe. Fork number 33 and all after it succeeded.");
    EXPECT(made == CHILDREN);
    struct rlimit nproc;
    getrlimit(RLIMIT_NPROC, &nproc);
    NOTE("The real limit is per user, RLIMIT_NPROC, and it is far above 100 here.");
    EXPECT(nproc.rlim_cur == RLIM_INFINITY || nproc.rlim_cur > CHILDREN);
    printf("parent: %d children alive at once, no fork failed\n", made);
    fflush(stdout);

    close(hold[1]);
    NOTE("The last write end is closed: every child's read() returns 0 (end of file).");
    int reaped = 0;
    while (wait(NULL) > 0)
        reaped++;
    EXPECT(reaped == CHILDREN);
    printf("parent: reaped %d children\n", reaped);
    return 0;
}
