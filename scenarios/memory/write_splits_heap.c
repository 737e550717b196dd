//! title: What does a write to malloc'd memory copy after fork?
//! tags: memory, cow, fork, heap
//! strategy: cow
//! summary: The heap is ordinary private memory: after fork the child maps the
//!   parent's heap frames copy-on-write. The child's write through p copies the
//!   one heap page that p points into; the parent's *p is untouched.
//! output: |
//!   child: *p = 2
//!   parent: *p = 1
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int *p = malloc(sizeof *p); /* on the heap that malloc grows with brk */
    *p = 1;
    long frame = forklab_frame(p);
    NOTE("Before fork, the heap page under p is the parent's alone: refcount 1.");
    EXPECT(forklab_refcount(p) == 1);

    if (fork() == 0) {
        NOTE("The child has the same pointer value, and it leads to the same frame: shared, refcount 2.");
        EXPECT(forklab_frame(p) == frame);
        EXPECT(forklab_shared(p));
        EXPECT(forklab_refcount(p) == 2);

        *p = 2;
        NOTE("The write through p faulted: the child got its own copy of that heap page.");
        EXPECT(forklab_frame(p) != frame);
        EXPECT(!forklab_shared(p));
        EXPECT(forklab_refcount(p) == 1);
        printf("child: *p = %d\n", *p);
        return 0;
    }
    wait(NULL);
    NOTE("Same address, different frames: the parent's *p is still 1.");
    EXPECT(forklab_frame(p) == frame);
    EXPECT(forklab_refcount(p) == 1);
    printf("parent: *p = %d\n", *p);
    free(p);
    return 0;
}
