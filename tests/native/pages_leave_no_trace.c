//! title: Page questions leave no descriptor behind and errno as it was
//! summary: Natively a page question may be asked of verify's page broker over a socket; the
//!   socket is gone when the answer comes, so the next descriptor is still 3, and errno is
//!   untouched.
//! output: |
//!   next fd 3
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "forklab.h"

int x;

int main(void)
{
    x = 1;
    errno = EBADF;
    EXPECT(forklab_frame(&x) > 0 && forklab_refcount(&x) == 1 && !forklab_shared(&x));
    EXPECT(errno == EBADF);
    int fd = dup(0);
    EXPECT(fd == 3);
    printf("next fd %d\n", fd);
    return 0;
}
