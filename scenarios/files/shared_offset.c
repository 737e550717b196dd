//! title: Why don't the parent's and child's writes overwrite each other?
//! tags: files, fork, offset
//! summary: fork copies the fd table, not the open file: fd 3 in both processes
//!   names one open file description with one offset. Each write starts where the
//!   last one ended, whoever made it, so the lines follow each other in the file.
//! output: |
//!   child: offset before writing = 7
//!   parent: offset after the child's writes = 23
//!   header
//!   child 1
//!   child 2
//!   parent 1
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

void say(int fd, const char *line)
{
    write(fd, line, strlen(line));
}

int main(void)
{
    int fd = open("/tmp/log.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    say(fd, "header\n");
    pid_t pid = fork();
    if (pid == 0) {
        NOTE("The child's fd 3 and the parent's fd 3 point to the same open file description: look at its offset in the fds view.");
        printf("child: offset before writing = %ld\n", (long)lseek(fd, 0, SEEK_CUR));
        say(fd, "child 1\n");
        say(fd, "child 2\n");
        return 0;
    }
    wait(NULL);
    off_t now = lseek(fd, 0, SEEK_CUR);
    NOTE("The child moved the offset that the parent's fd 3 uses too: the parent's next write goes after the child's lines.");
    EXPECT(now == 7 + 16);
    printf("parent: offset after the child's writes = %ld\n", (long)now);
    say(fd, "parent 1\n");
    close(fd);
    fflush(stdout);
    execlp("cat", "cat", "/tmp/log.txt", (char *)NULL);
    perror("execlp");
    return 1;
}
