//! title: Why is "hello" printed twice when only one process printed it?
//! tags: memory, stdio, fork, buffering
//! summary: printf does not write at once: on a terminal stdout is line-buffered, so
//!   "hello" without a newline waits in stdout's buffer, in the process's heap.
//!   fork copies that memory, buffer included, and each process flushes its copy.
//! output: |
//!   hello from the child
//!   hello from the parent
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    printf("hello");
    NOTE("Nothing is on the terminal yet: \"hello\" waits for a newline in stdout's buffer, in the heap.");

    if (fork() == 0) {
        NOTE("The child's heap is a copy of the parent's, and so is the buffer: it holds \"hello\" too.");
        printf(" from the child\n");
        NOTE("The newline flushed the child's buffer: \"hello from the child\" in one write().");
        return 0;
    }
    wait(NULL);
    printf(" from the parent\n");
    NOTE("The parent's own copy still held \"hello\": it is written a second time.");
    return 0;
}
