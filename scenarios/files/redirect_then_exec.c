//! title: How does a shell run `wc poem.txt > out.txt`?
//! tags: files, exec, redirection
//! summary: The child closes fd 1, so open() hands back the lowest free number, 1,
//!   for out.txt. execvp keeps the fd table: wc writes to "standard output" and
//!   never knows it is a file. The parent's own fd 1 is still the terminal.
//! file: /tmp/poem.txt "Tyger Tyger, burning bright,\nIn the forests of the night;\nWhat immortal hand or eye,\n"
//! output: |
//!   parent: wc exited with status 0
//!   parent: out.txt holds:
//!    3 15 85 /tmp/poem.txt
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        close(1);
        int fd = open("/tmp/out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        NOTE("open() returned the lowest free fd: 1. The child's fd 1 is now out.txt, not the terminal.");
        EXPECT(fd == 1);
        char *argv[] = {"wc", "/tmp/poem.txt", NULL};
        execvp("wc", argv);
        perror("execvp");
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("parent: wc exited with status %d\n", WEXITSTATUS(status));
    printf("parent: out.txt holds:\n");
    fflush(stdout);
    NOTE("wc's output went to the file: the terminal shows it only now, when cat prints the file.");
    execlp("cat", "cat", "/tmp/out.txt", (char *)NULL);
    return 1;
}
