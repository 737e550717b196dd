//! title: How many processes does fork() || fork(); make?
//! tags: basics, fork, puzzle, tree
//! summary: Three, in a chain. || stops at the first true value: the parent gets a pid
//!   (true) and stops, the child gets 0 (false) and calls the second fork, so the
//!   child has a child of its own.
//! output: |
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
    pid_t parent = getppid();
    int children = 0;

    fork() || fork();
    NOTE("Open the process tree: a chain of three. The first process has one child, "
         "that child has one child, and the grandchild forked nothing.");
    printf("hello\n");

    while (wait(NULL) > 0)
        children++;
    if (getpid() == first || getppid() == first) {
        NOTE("The first process and its child each made exactly one process.");
        EXPECT(children == 1);
    } else {
        NOTE("The grandchild's parent is the child, not the first process.");
        EXPECT(getppid() != parent);
        EXPECT(children == 0);
    }
    return 0;
}
