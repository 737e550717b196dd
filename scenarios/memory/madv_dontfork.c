//! title: What happens when a child touches memory marked MADV_DONTFORK?
//! tags: memory, madvise, fork, signals
//! summary: fork leaves a MADV_DONTFORK range out of the child's address space
//!   altogether. The parent keeps it; the child has no mapping there, so its first
//!   access is a segmentation fault, which the parent sees in wait's status.
//! output: |
//!   parent: buf holds "secret"
//!   parent: child killed by signal 11 (SIGSEGV)
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    char *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(buf, "secret");
    EXPECT(madvise(buf, 4096, MADV_DONTFORK) == 0);

    pid_t pid = fork();
    if (pid == 0) {
        NOTE("The child's address space has a hole where buf was: no page, and no mapping either.");
        EXPECT(forklab_frame(buf) == FORKLAB_NOT_PRESENT);
        buf[0] = 'S';
        NOTE("Not reached: the write above faulted, and the kernel killed the child with SIGSEGV.");
        return 0;
    }
    int status;
    waitpid(pid, &status, 0);
    NOTE("The parent's page was never shared: it is still the parent's alone, with its data.");
    EXPECT(forklab_refcount(buf) == 1);
    printf("parent: buf holds \"%s\"\n", buf);
    EXPECT(WIFSIGNALED(status));
    if (WIFSIGNALED(status))
        printf("parent: child killed by signal %d (%s)\n", WTERMSIG(status),
            WTERMSIG(status) == SIGSEGV ? "SIGSEGV" : "another signal");
    return 0;
}
