//! title: How does a shell build the pipeline `ls | wc -l`?
//! tags: files, pipe, exec, dup2
//! summary: One pipe, two children. The first dup2s the write end onto its fd 1
//!   and execs ls; the second dup2s the read end onto its fd 0 and execs wc -l.
//!   Every other copy of the pipe's ends must be closed, or wc never sees EOF.
//! file: /tmp/photos/beach.jpg ""
//! file: /tmp/photos/cat.jpg ""
//! file: /tmp/photos/mountain.jpg ""
//! file: /tmp/photos/sunset.jpg ""
//! output: |
//!   4
//!   parent: both children finished
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int p[2];
    pipe(p);
    if (fork() == 0) {
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        NOTE("ls's fd 1 is the pipe's write end: not a terminal, so ls prints one name a line.");
        execlp("ls", "ls", "/tmp/photos", (char *)NULL);
        _exit(127);
    }
    if (fork() == 0) {
        dup2(p[0], STDIN_FILENO);
        close(p[0]);
        close(p[1]);
        NOTE("wc's fd 0 is the pipe's read end. It counts lines until read() returns 0, when no write end is left open.");
        execlp("wc", "wc", "-l", (char *)NULL);
        _exit(127);
    }
    NOTE("The parent closes both ends: if it kept the write end, wc would wait for it forever.");
    close(p[0]);
    close(p[1]);
    EXPECT(wait(NULL) > 0);
    EXPECT(wait(NULL) > 0);
    printf("parent: both children finished\n");
    return 0;
}
