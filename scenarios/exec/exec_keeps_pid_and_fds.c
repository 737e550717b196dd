//! title: What does a process keep when it calls exec?
//! tags: exec, fds, pid
//! summary: exec replaces the program, not the process. The pid stays the
//!   same, and so do the open file descriptors: cat reads the file that the
//!   old program opened and put on fd 0 before exec.
//! output: |
//!   a line from the file opened before exec
//!   parent: the child reported pid == fork's pid: yes
//!   parent: the pid that exited == fork's pid: yes
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    const char *text = "a line from the file opened before exec\n";
    int fd = open("/tmp/note.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write(fd, text, strlen(text));
    close(fd);

    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        pid_t me = getpid();
        write(p[1], &me, sizeof me);    /* tell the parent who is about to exec */
        close(p[0]);
        close(p[1]);
        fd = open("/tmp/note.txt", O_RDONLY);
        dup2(fd, 0);                    /* the file becomes cat's standard input */
        close(fd);
        NOTE("fd 0 now points at /tmp/note.txt: exec will keep it open for cat.");
        execlp("cat", "cat", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    pid_t reported = 0;
    read(p[0], &reported, sizeof reported);
    int status;
    pid_t done = wait(&status);
    NOTE("The task that ran cat and exited is the same pid the child reported before exec.");
    EXPECT(reported == pid && done == pid);
    printf("parent: the child reported pid == fork's pid: %s\n", reported == pid ? "yes" : "no");
    printf("parent: the pid that exited == fork's pid: %s\n", done == pid ? "yes" : "no");
    unlink("/tmp/note.txt");
    return 0;
}
