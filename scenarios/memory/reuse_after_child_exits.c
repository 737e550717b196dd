//! title: Does the parent's write copy the page once the child is gone?
//! tags: memory, cow, fork, reuse
//! strategy: cow
//! summary: No. Copy-on-write copies only while another process still maps the
//!   frame. Once the child has exited and been reaped, the parent is the last
//!   sharer: its write fault finds refcount 1 and makes the page writable in place.
//! output: |
//!   child: x = 100
//!   parent: x = 200
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int x;

int main(void)
{
    x = 100;
    long frame = forklab_frame(&x);

    if (fork() == 0) {
        printf("child: x = %d\n", x);
        NOTE("The child only read x (printf writes stdio's own data, not x's page): "
             "the frame is still shared by parent and child.");
        EXPECT(forklab_frame(&x) == frame);
        EXPECT(forklab_refcount(&x) == 2);
        return 0;
    }
    wait(NULL);
    NOTE("The child has exited and been reaped: its mapping of x's frame is gone, refcount 1. "
         "The page is still write-protected in the parent from fork.");
    EXPECT(forklab_refcount(&x) == 1);
    EXPECT(!forklab_shared(&x));

    x = 200;
    NOTE("The write faulted, but nobody else maps the frame: the kernel reused it, no copy. "
         "(With several CPUs Linux now and then copies anyway: a page faulted in on another CPU "
         "can hold a reference from that CPU's batch of new pages. forklab is one CPU, and so is "
         "forklab verify's native run.)");
    EXPECT(forklab_frame(&x) == frame);
    EXPECT(forklab_refcount(&x) == 1);
    printf("parent: x = %d\n", x);
    return 0;
}
