//! title: Which fd flags does a child share with its parent: O_APPEND or FD_CLOEXEC?
//! tags: files, fork, fcntl
//! summary: O_APPEND is a status flag of the open file description, which parent
//!   and child share: the child's F_SETFL changes the parent's fd too. FD_CLOEXEC
//!   is a flag of the descriptor itself, in each process's own fd table: the
//!   child's F_SETFD leaves the parent's fd alone.
//! output: |
//!   child: set O_APPEND and FD_CLOEXEC on fd 3
//!   parent: O_APPEND is on
//!   parent: FD_CLOEXEC is off
//!   parent: wrote at offset 0, the file now holds "data+more"
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int fd = open("/tmp/data.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "data", 4);
    if (fork() == 0) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_APPEND);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        printf("child: set O_APPEND and FD_CLOEXEC on fd 3\n");
        return 0;
    }
    wait(NULL);
    int status_flags = fcntl(fd, F_GETFL);
    int fd_flags = fcntl(fd, F_GETFD);
    NOTE("The child changed both flags on its fd 3. O_APPEND lives in the open file description that both fd 3s point to; FD_CLOEXEC lives in the child's own fd table.");
    EXPECT(status_flags & O_APPEND);
    EXPECT(!(fd_flags & FD_CLOEXEC));
    printf("parent: O_APPEND is %s\n", (status_flags & O_APPEND) ? "on" : "off");
    printf("parent: FD_CLOEXEC is %s\n", (fd_flags & FD_CLOEXEC) ? "on" : "off");

    lseek(fd, 0, SEEK_SET);
    write(fd, "+more", 5);
    NOTE("With O_APPEND every write first moves the offset to the end of the file: the lseek to 0 did not matter.");
    char buf[16] = {0};
    lseek(fd, 0, SEEK_SET);
    read(fd, buf, sizeof buf - 1);
    printf("parent: wrote at offset 0, the file now holds \"%s\"\n", buf);
    return 0;
}
