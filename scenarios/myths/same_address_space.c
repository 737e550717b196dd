//! title: Does the child run in the parent's address space?
//! tags: myths, memory, cow
//! summary: A generated description of fork says fork "creates a copy of the process in
//!   the same address space". False: the child gets an address space of its own. The
//!   addresses are the same numbers, but each process translates them with its own page
//!   table. Right after fork both tables point at the same frames, write-protected
//!   (copy-on-write); the first write gives the writer a frame of its own, and the other
//!   process never sees it.
//! output: |
//!   child: *x = 2
//!   parent: *x = 1 at the same address
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    /* One page that holds x alone, so that only our own writes touch it. */
    int *x = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *x = 1;
    long frame = forklab_frame(x);

    pid_t pid = fork();
    if (pid == 0) {
        NOTE("Look at x's page in both processes' maps: two page tables, one frame, "
             "write-protected in both. fork copied the table, not the page.");
        EXPECT(forklab_frame(x) == frame);
        EXPECT(forklab_shared(x) && forklab_refcount(x) == 2);
        *x = 2;
        NOTE("The write faulted: the kernel copied the page into a new frame for the child "
             "only. Same address x, different frame. The parent's frame still holds 1.");
        EXPECT(forklab_frame(x) != frame);
        EXPECT(!forklab_shared(x));
        printf("child: *x = %d\n", *x);
        return 0;
    }
    wait(NULL);
    NOTE("The parent's x never moved: same address, its original frame, its own value.");
    EXPECT(*x == 1);
    EXPECT(forklab_frame(x) == frame);
    printf("parent: *x = %d at the same address\n", *x);
    return 0;
}
