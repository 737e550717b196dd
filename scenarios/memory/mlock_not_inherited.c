//! title: Does the child inherit the parent's locked memory?
//! tags: memory, mlock, fork, rlimit
//! strategy: cow
//! summary: No. fork clears the lock on every mapping in the child, so the child
//!   starts with no locked memory. RLIMIT_MEMLOCK makes it visible: the parent has
//!   used its one-page budget, while the child can still lock a page.
//! output: |
//!   parent: locked page a; locking page b fails (Cannot allocate memory)
//!   child: locking page b works: page a is not locked here
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    if (getuid() == 0)
        setuid(1000); /* root may lock without limit (CAP_IPC_LOCK): be the student */
    struct rlimit one_page = {4096, 4096};
    setrlimit(RLIMIT_MEMLOCK, &one_page);

    char *a = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b = a + 4096;
    EXPECT(mlock(a, 4096) == 0);
    NOTE("mlock faulted page a in and locked it: the parent's whole RLIMIT_MEMLOCK budget.");
    EXPECT(forklab_refcount(a) == 1);
    if (mlock(b, 4096) != 0) {
        EXPECT(errno == ENOMEM);
        printf("parent: locked page a; locking page b fails (%s)\n", strerror(errno));
    }
    fflush(stdout); /* print it now, not again from the child's copy of the buffer */

    if (fork() == 0) {
        NOTE("The child maps page a's frame copy-on-write, but without the lock: "
             "its count of locked pages is 0.");
        EXPECT(forklab_shared(a));
        EXPECT(mlock(b, 4096) == 0);
        printf("child: locking page b works: page a is not locked here\n");
        return 0;
    }
    wait(NULL);
    return 0;
}
