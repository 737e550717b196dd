//! title: If the child closes a file, is it closed for the parent too?
//! tags: files, fork, close
//! summary: close() removes one entry from the calling process's own fd table.
//!   The open file description stays open while another fd, here the parent's,
//!   still points to it.
//! output: |
//!   child: closed fd 3
//!   child: write to fd 3 failed: Bad file descriptor
//!   parent: write to fd 3 wrote 22 bytes
//!   written by the parent
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int fd = open("/tmp/notes.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fork() == 0) {
        close(fd);
        NOTE("The child's fd 3 is gone from the child's fd table, but the parent's fd 3 still points to the open file description.");
        printf("child: closed fd %d\n", fd);
        if (write(fd, "lost\n", 5) < 0)
            printf("child: write to fd %d failed: %s\n", fd, strerror(errno));
        return 0;
    }
    wait(NULL);
    ssize_t n = write(fd, "written by the parent\n", 22);
    EXPECT(n == 22);
    printf("parent: write to fd %d wrote %zd bytes\n", fd, n);
    close(fd);
    NOTE("Now the last fd is closed: the open file description is freed.");
    fflush(stdout);
    execlp("cat", "cat", "/tmp/notes.txt", (char *)NULL);
    return 1;
}
