//! title: What does a vfork child's write do to the parent?
//! tags: memory, vfork, fork
//! summary: vfork creates a child that borrows the parent's address space: no copy,
//!   not even copy-on-write, so the child's write lands in the parent's memory. To
//!   make that safe the parent is suspended until the child calls _exit or exec.
//! output: |
//!   child: parent_ran = 0, setting x = 42
//!   parent: x = 42
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int x = 1;
int parent_ran = 0;

int main(void)
{
    x = 1; /* give x's page a frame before vfork */
    long frame = forklab_frame(&x);

    pid_t pid = vfork();
    if (pid == 0) {
        sleep(1);
        NOTE("A second went by, yet the parent has not run: it sleeps in vfork until the child "
             "leaves. Had it run, the child would see parent_ran = 1, in the very same memory.");
        dprintf(1, "child: parent_ran = %d, setting x = 42\n", parent_ran);
        x = 42;
        NOTE("No fault, no copy: the child wrote the parent's own frame, mapped once, refcount 1.");
        EXPECT(forklab_frame(&x) == frame);
        EXPECT(forklab_refcount(&x) == 1);
        _exit(0); /* not exit(): that would flush and close the parent's stdio */
    }
    parent_ran = 1;
    NOTE("The child's _exit woke the parent: vfork returns the child's pid, and x is 42 here.");
    EXPECT(x == 42);
    EXPECT(forklab_frame(&x) == frame);
    waitpid(pid, NULL, 0);
    printf("parent: x = %d\n", x);
    return 0;
}
