//! title: Which outputs can a loop that forks and prints make?
//! tags: basics, fork, puzzle, outcomes
//! summary: Three, and no more. Each process prints 0 before its second fork, so every 1 comes
//!   after some 0, and the second 0 is followed by the two 1s of its own branch. Run
//!   forklab outcomes on it, or press P in forklab-gui, to see each one and an order that
//!   makes it.
//! outcome: "0\n0\n1\n1\n1\n1\n"
//! outcome: "0\n1\n0\n1\n1\n1\n"
//! outcome: "0\n1\n1\n0\n1\n1\n"
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    for (int i = 0; i < 2; i++) {
        fork();
        printf("%d\n", i);
    }
    NOTE("Four processes each print 1 once; two of them printed 0 first. The scheduler decides "
         "where the second 0 falls among the 1s.");
    while (wait(NULL) > 0)
        ;
    return 0;
}
