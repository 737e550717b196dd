//! title: Does the child inherit the parent's pending signals?
//! tags: signals, fork, sigpending
//! summary: A blocked signal waits in the parent's pending set. fork() copies
//!   the signal mask, but the child starts with an empty pending set: the
//!   signal was sent to the parent only.
//! output: |
//!   child: SIGUSR1 blocked: yes, pending: no
//!   parent: SIGUSR1 blocked: yes, pending: yes
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

void report(const char *who)
{
    sigset_t mask, pending;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    sigpending(&pending);
    printf("%s: SIGUSR1 blocked: %s, pending: %s\n", who,
           sigismember(&mask, SIGUSR1) ? "yes" : "no",
           sigismember(&pending, SIGUSR1) ? "yes" : "no");
}

int main(void)
{
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR1);
    NOTE("SIGUSR1 is blocked, so it stays pending in the parent instead of killing it.");

    if (fork() == 0) {
        NOTE("The child copied the mask, but its pending set starts empty.");
        report("child");
        return 0;
    }
    wait(NULL);
    report("parent");
    return 0;
}
