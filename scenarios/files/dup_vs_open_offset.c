//! title: When do two fds share one file offset?
//! tags: files, offset, dup, fork
//! summary: An offset belongs to an open file description, not to an fd. dup() and
//!   fork() make new fds that point to the same description, so a read through one
//!   moves the other. A second open() of the same file makes a new description with
//!   its own offset, starting at 0.
//! file: /tmp/letters.txt "abcdefgh"
//! output: |
//!   fd 3 read "ab"
//!   fd 4 (a dup of fd 3) read "cd"
//!   fd 5 (a second open) read "ab"
//!   child: fd 3 read "ef"
//!   parent: fd 4 read "gh"
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

void read_two(const char *label, int fd)
{
    char buf[3] = {0};
    read(fd, buf, 2);
    printf("%s read \"%s\"\n", label, buf);
}

int main(void)
{
    int a = open("/tmp/letters.txt", O_RDONLY);
    int b = dup(a);
    int c = open("/tmp/letters.txt", O_RDONLY);
    EXPECT(a == 3 && b == 4 && c == 5);
    NOTE("Three fds, two open file descriptions: fds 3 and 4 point to one, fd 5 to another. Compare their offsets in the fds view.");
    read_two("fd 3", a);
    read_two("fd 4 (a dup of fd 3)", b);
    read_two("fd 5 (a second open)", c);
    fflush(stdout);
    if (fork() == 0) {
        read_two("child: fd 3", a);
        return 0;
    }
    wait(NULL);
    NOTE("The child's read through its fd 3 moved the offset that the parent's fd 3 and fd 4 share.");
    EXPECT(lseek(b, 0, SEEK_CUR) == 6);
    read_two("parent: fd 4", b);
    return 0;
}
