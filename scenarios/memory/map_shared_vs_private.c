//! title: Can a child's write reach the parent through mmap?
//! tags: memory, mmap, fork, MAP_SHARED
//! strategy: cow
//! summary: Only through a MAP_SHARED mapping: parent and child reach the very same
//!   frame there, and writes go straight to it. A MAP_PRIVATE page is copy-on-write
//!   like the rest of memory, so the child's write stays its own.
//! output: |
//!   child: shared = 42, private = 42
//!   parent: shared = 42, private = 0
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *shared = 0;
    *private = 0;
    long shared_frame = forklab_frame(shared);
    long private_frame = forklab_frame(private);

    if (fork() == 0) {
        NOTE("The private page is mapped by parent and child: refcount 2. The shared page is not "
             "in the child's page table at all yet: fork skips the entries of shared mappings, "
             "and the child's first touch maps the same frame from the shared memory object.");
        EXPECT(forklab_refcount(private) == 2);
        EXPECT(forklab_frame(shared) == FORKLAB_NOT_PRESENT);

        *shared = 42;
        *private = 42;
        NOTE("The write to the shared page went into the same frame, no fault copied it. "
             "The write to the private page copied it into a new frame for the child.");
        EXPECT(forklab_frame(shared) == shared_frame);
        EXPECT(forklab_refcount(shared) == 2);
        EXPECT(forklab_frame(private) != private_frame);
        EXPECT(!forklab_shared(private));
        printf("child: shared = %d, private = %d\n", *shared, *private);
        return 0;
    }
    wait(NULL);
    NOTE("The parent reads the child's 42 through the shared frame; its private page still holds 0.");
    EXPECT(forklab_frame(private) == private_frame);
    printf("parent: shared = %d, private = %d\n", *shared, *private);
    return 0;
}
