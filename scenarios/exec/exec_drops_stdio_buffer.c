//! title: Why is text printed just before exec never seen?
//! tags: exec, stdio, buffering
//! summary: printf() only copies text into a buffer in the process's memory.
//!   exec discards that memory, so text not yet flushed is lost. fflush()
//!   before exec, or a newline on a terminal, would have saved it.
//! output: |
//!   saved
//!   echo runs in the same process
#include <stdio.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    printf("saved\n");
    fflush(stdout);
    printf("lost");             /* no newline, no flush: still in the buffer */
    NOTE("'lost' is in stdout's buffer in the heap, not yet written to fd 1.");
    execlp("echo", "echo", "echo runs in the same process", (char *)NULL);
    return 1;
}
