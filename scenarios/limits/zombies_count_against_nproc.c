//! title: Do zombies still count against RLIMIT_NPROC?
//! tags: limits, rlimit, zombie, wait
//! summary: A child that has exited but was not reaped is still a task of its
//!   user. Three zombies fill a limit of 4, so fork fails; after wait() reaps
//!   them, fork works again.
//! uid: 1000
//! rlimit: NPROC 4
//! output: |
//!   3 children have exited, none reaped yet
//!   fork: Resource temporarily unavailable
//!   reaped 3 zombies
//!   fork after reaping: ok
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    for (int i = 0; i < 3; i++)
        if (fork() == 0)
            _exit(0);           /* exit at once: a zombie until reaped */
    sleep(1);                   /* let the three children finish exiting */
    printf("3 children have exited, none reaped yet\n");

    NOTE("The process list shows three zombies: each still counts for uid 1000.");
    pid_t pid = fork();
    EXPECT(pid == -1 && errno == EAGAIN);
    if (pid == -1)
        printf("fork: %s\n", strerror(errno));

    int reaped = 0;
    while (wait(NULL) > 0)
        reaped++;
    printf("reaped %d zombies\n", reaped);

    NOTE("wait() removed the zombies: the user owns one process again.");
    pid = fork();
    EXPECT(pid >= 0);
    if (pid == 0)
        _exit(0);
    wait(NULL);
    printf("fork after reaping: %s\n", pid > 0 ? "ok" : strerror(errno));
    return 0;
}
