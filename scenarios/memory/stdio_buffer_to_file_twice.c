//! title: Why does a line end up twice in a file when stdout is redirected?
//! tags: memory, stdio, fork, buffering, files
//! summary: When stdout is a file or a pipe, stdio buffers it fully, 4096 bytes at a
//!   time: even a line ending in "\n" stays in the buffer. fork copies the buffer, and
//!   both processes flush it at exit, so the file gets the line twice.
//! output: |
//!   written once
//!   written once
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int terminal = dup(1);
    int fd = open("/tmp/out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1); /* stdout is now the file: stdio will buffer it fully */
    close(fd);

    printf("written once\n");
    NOTE("/tmp/out.txt is still empty: the line sits in stdout's buffer in the heap, newline and all.");

    if (fork() == 0) {
        NOTE("The child's copy of the heap holds the same unwritten line.");
        return 0; /* exit flushes the child's copy into the file */
    }
    wait(NULL);
    fflush(stdout);
    NOTE("The parent flushed its copy as well: the file holds the line twice.");

    dup2(terminal, 1);
    execlp("cat", "cat", "/tmp/out.txt", (char *)NULL);
    return 1;
}
