//! title: Does a child inherit its parent's file locks?
//! tags: files, fork, locks
//! summary: It depends on the kind. A flock() lock belongs to the open file
//!   description, which the child shares: the child holds it too. A POSIX record
//!   lock (fcntl F_SETLK) belongs to the process: the child does not inherit it,
//!   and F_GETLK shows the parent as the holder that blocks it.
//! output: |
//!   child: flock on the inherited fd: granted (the lock is already ours)
//!   child: flock on a new open of the file: Resource temporarily unavailable
//!   child: F_GETLK: a write lock held by my parent
//!   child: F_SETLK: Resource temporarily unavailable
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int fd = open("/tmp/shared.db", O_RDWR | O_CREAT, 0644);
    struct flock whole = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    flock(fd, LOCK_EX);
    fcntl(fd, F_SETLK, &whole);
    NOTE("The parent holds two locks on shared.db: a flock lock on its open file description and a POSIX write lock owned by the parent process.");
    if (fork() == 0) {
        int r = flock(fd, LOCK_EX | LOCK_NB);
        EXPECT(r == 0);
        printf("child: flock on the inherited fd: %s\n", r == 0 ? "granted (the lock is already ours)" : strerror(errno));

        int other = open("/tmp/shared.db", O_RDWR);
        r = flock(other, LOCK_EX | LOCK_NB);
        int err = errno;
        NOTE("A second open() made a new open file description: the parent's flock lock is not on it, so it conflicts.");
        EXPECT(r == -1 && err == EWOULDBLOCK);
        printf("child: flock on a new open of the file: %s\n", r == 0 ? "granted" : strerror(err));

        struct flock probe = whole;
        fcntl(fd, F_GETLK, &probe);
        NOTE("F_GETLK did not find the lock as the child's own: it names the parent's pid as the holder.");
        EXPECT(probe.l_type == F_WRLCK && probe.l_pid == getppid());
        printf("child: F_GETLK: %s\n", probe.l_type == F_WRLCK && probe.l_pid == getppid()
            ? "a write lock held by my parent" : "no conflicting lock");
        r = fcntl(fd, F_SETLK, &whole);
        printf("child: F_SETLK: %s\n", r == 0 ? "granted" : strerror(errno));
        return 0;
    }
    wait(NULL);
    return 0;
}
