//! title: How many times does fork(); fork(); print hello?
//! tags: basics, fork, puzzle
//! summary: Four times. The first fork makes two processes, and each of them runs the
//!   second fork, so four processes reach the printf. Each fork doubles the count.
//! output: |
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

    fork();
    NOTE("After the first fork there are two processes, and both are about to run the second fork.");
    fork();
    NOTE("After the second fork there are four: the first process, its two children, and "
         "one grandchild (the first child's child). Open the process tree.");
    printf("hello\n");

    while (wait(NULL) > 0)
        children++;
    if (getpid() == first) {
        NOTE("The first process made two of the four processes itself: one per fork it called.");
        EXPECT(children == 2);
    }
    return 0;
}
