//! title: Who pays for the copy when both processes write the same page?
//! tags: memory, cow, fork, reuse
//! strategy: cow
//! summary: Only the first writer. The child's write copies x's page into a new
//!   frame for the child; the old frame is then mapped by the parent alone, so the
//!   parent's later write reuses it in place. One copy, not two.
//! output: |
//!   child: x = 1
//!   parent: x = 2
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int x;

int main(void)
{
    x = 100;
    long frame = forklab_frame(&x);

    pid_t pid = fork();
    if (pid == 0) {
        x = 1;
        NOTE("The child wrote first: it got a copy of x's page in a new frame.");
        EXPECT(forklab_frame(&x) != frame);
        EXPECT(forklab_refcount(&x) == 1);
        printf("child: x = %d\n", x);
        return 0;
    }
    waitpid(pid, NULL, 0);
    NOTE("The parent's frame lost its other mapping when the child copied: refcount 1.");
    EXPECT(forklab_frame(&x) == frame);
    EXPECT(forklab_refcount(&x) == 1);

    x = 2;
    NOTE("The parent, the last sharer, writes without a copy: same frame as before fork. "
         "(With several CPUs Linux now and then copies anyway: a page faulted in on another CPU "
         "can hold a reference from that CPU's batch of new pages. forklab is one CPU, and so is "
         "forklab verify's native run.)");
    EXPECT(forklab_frame(&x) == frame);
    EXPECT(forklab_refcount(&x) == 1);
    printf("parent: x = %d\n", x);
    return 0;
}
