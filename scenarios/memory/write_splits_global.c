//! title: What does a write to a global variable copy after fork?
//! tags: memory, cow, fork
//! strategy: cow
//! summary: After fork parent and child map the same frame for the global x,
//!   write-protected. The child's write faults, and the kernel copies that one
//!   page into a new frame for the child; the parent keeps the old frame and value.
//! output: |
//!   child: x = 200
//!   parent: x = 100
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int x; /* a global: it lives in the program's bss page */

int main(void)
{
    x = 100; /* the first write gives x's page a frame of its own */
    long frame = forklab_frame(&x);
    NOTE("Before fork, x's page is the parent's alone: refcount 1.");
    EXPECT(forklab_refcount(&x) == 1);

    if (fork() == 0) {
        NOTE("In the child, x is still the parent's frame, now mapped twice and write-protected.");
        EXPECT(forklab_frame(&x) == frame);
        EXPECT(forklab_shared(&x));
        EXPECT(forklab_refcount(&x) == 2);

        x = 200;
        NOTE("The write faulted: the kernel copied x's page into a new frame for the child (copy-on-write).");
        EXPECT(forklab_frame(&x) != frame);
        EXPECT(!forklab_shared(&x));
        EXPECT(forklab_refcount(&x) == 1);
        printf("child: x = %d\n", x);
        return 0;
    }
    wait(NULL);
    NOTE("The parent never wrote x: it still maps the old frame, now its alone again.");
    EXPECT(forklab_frame(&x) == frame);
    EXPECT(forklab_refcount(&x) == 1);
    printf("parent: x = %d\n", x);
    return 0;
}
