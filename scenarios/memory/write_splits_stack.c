//! title: What does a write to a local variable copy after fork?
//! tags: memory, cow, fork, stack
//! strategy: cow
//! summary: A local lives on the stack, and the child gets the parent's stack
//!   pages copy-on-write like any other page. The first write to that stack page,
//!   by either process, copies it; from then on each has its own n.
//! output: |
//!   child: n = 2
//!   parent: n = 1
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int n = 1; /* a local: it lives in main's stack frame */
    NOTE("Before fork, the stack page holding n is the parent's alone.");
    EXPECT(forklab_refcount(&n) == 1);
    EXPECT(!forklab_shared(&n));

    if (fork() == 0) {
        NOTE("Parent and child start with the same stack frame. On Linux every call writes a return "
             "address there, so whichever process calls first takes a copy of the stack page.");
        n = 2;
        NOTE("After the child's write, the page holding its n is its own: a private copy, refcount 1.");
        EXPECT(!forklab_shared(&n));
        EXPECT(forklab_refcount(&n) == 1);
        printf("child: n = %d\n", n);
        return 0;
    }
    wait(NULL);
    NOTE("The parent's n is still 1: the child wrote its own copy of the page.");
    EXPECT(forklab_refcount(&n) == 1);
    EXPECT(n == 1);
    printf("parent: n = %d\n", n);
    return 0;
}
