//! title: Does reading untouched memory cost a frame?
//! tags: memory, zero-page, fork, bss, heap
//! summary: No. A read of a page nobody has written maps the kernel's shared zero
//!   page (frame 0), read-only. Only a write gets a private frame, zeroed, in the
//!   process that writes. fork shares the zero page like any other.
//! output: |
//!   before: table = 0, heap = 0
//!   child: heap = 7
//!   parent: heap = 0
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

char table[1 << 16]; /* 64 KiB of bss, never written */

int main(void)
{
    char *t = &table[1 << 15];
    char *h = (char *)malloc(1 << 18) + (1 << 17); /* the middle of 256 KiB, never written */
    NOTE("Nothing has touched these pages: no frame behind either.");
    EXPECT(forklab_frame(t) == FORKLAB_NOT_PRESENT);
    EXPECT(forklab_frame(h) == FORKLAB_NOT_PRESENT);

    printf("before: table = %d, heap = %d\n", *t, *h);
    NOTE("The reads mapped the zero page, frame 0, read-only and shared by everyone.");
    EXPECT(forklab_frame(t) == 0);
    EXPECT(forklab_frame(h) == 0);
    EXPECT(forklab_shared(h));

    fflush(stdout); /* print "before" now, not again from the child's copy of the buffer */
    if (fork() == 0) {
        NOTE("The child maps the zero page at h too: fork had nothing to copy there.");
        EXPECT(forklab_frame(h) == 0);
        *h = 7;
        NOTE("The write faulted on the zero page: the child got a fresh zeroed frame of its own.");
        EXPECT(forklab_frame(h) > 0);
        EXPECT(forklab_refcount(h) == 1);
        printf("child: heap = %d\n", *h);
        return 0;
    }
    wait(NULL);
    NOTE("The parent's h still maps the zero page.");
    EXPECT(forklab_frame(h) == 0);
    printf("parent: heap = %d\n", *h);
    return 0;
}
