//! title: What happens when a process runs out of file descriptors?
//! tags: limits, rlimit, fds
//! summary: RLIMIT_NOFILE bounds the fd numbers a process may use. With a limit
//!   of 10, dup() fills fds 3 to 9 and then fails with EMFILE. A new fd always
//!   takes the lowest free number, and a forked child inherits the full table.
//! rlimit: NOFILE 10
//! output: |
//!   dup gave fds 3 to 9
//!   dup: Too many open files
//!   child: dup: Too many open files
//!   after closing 7 and 5: dup gives 5, then 7
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int first = -1, last = -1, fd;
    while ((fd = dup(0)) != -1) {
        if (first == -1)
            first = fd;
        last = fd;
    }
    EXPECT(errno == EMFILE);
    printf("dup gave fds %d to %d\n", first, last);
    printf("dup: %s\n", strerror(errno));
    fflush(stdout);
    NOTE("The fd table is full: fds 0 to 9 are all in use and the limit is 10.");

    if (fork() == 0) {
        NOTE("The child got a copy of the full table, and the same limit.");
        if (dup(0) == -1)
            printf("child: dup: %s\n", strerror(errno));
        return 0;
    }
    wait(NULL);

    close(7);
    close(5);
    int a = dup(0);
    int b = dup(0);
    NOTE("dup took the lowest free numbers, 5 first, not the fd closed last.");
    EXPECT(a == 5 && b == 7);
    printf("after closing 7 and 5: dup gives %d, then %d\n", a, b);
    return 0;
}
