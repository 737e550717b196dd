//! title: How many processes does a loop of three forks make?
//! tags: basics, fork, puzzle
//! summary: Eight. Every process alive at the start of a round forks once, so the count
//!   doubles each time round the loop: 2, 4, 8. Seven of the eight are new processes.
//! output: |
//!   hello
//!   hello
//!   hello
//!   hello
//!   hello
//!   hello
//!   hello
//!   hello
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t first = getpid();
    int children = 0;
    int i;

    for (i = 0; i < 3; i++) {
        fork();
        NOTE("A child starts in the middle of the loop with the parent's copy of i: it does "
             "only the rounds that are left. Compare i in the task that just appeared.");
    }
    printf("hello\n");

    while (wait(NULL) > 0)
        children++;
    if (getpid() == first) {
        NOTE("The first process forked once per round, so it has three children; the tree has "
             "eight processes in all, 2 to the power 3.");
        EXPECT(children == 3);
    }
    return 0;
}
