//! title: What does a child find in memory marked MADV_WIPEONFORK?
//! tags: memory, madvise, fork
//! summary: Zeroes. The child gets the range, but empty, as if freshly mapped;
//!   the parent keeps its data. The mark is inherited, so the child's own child
//!   finds zeroes again, even after the child wrote there.
//! output: |
//!   child: buf holds "" (wiped)
//!   grandchild: buf holds "" (wiped again)
//!   child: buf still holds "mine"
//!   parent: buf holds "secret"
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
    long frame = forklab_frame(buf);
    EXPECT(madvise(buf, 4096, MADV_WIPEONFORK) == 0);

    if (fork() == 0) {
        NOTE("fork copied no page-table entry for buf: the child's range is empty.");
        EXPECT(forklab_frame(buf) == FORKLAB_NOT_PRESENT);
        printf("child: buf holds \"%s\" (wiped)\n", buf);
        NOTE("Reading untouched anonymous memory maps the zero page (frame 0), not the parent's frame.");
        EXPECT(forklab_frame(buf) == 0);

        strcpy(buf, "mine");
        fflush(stdout); /* so that a pipe's buffered line is not printed twice */
        if (fork() == 0) {
            NOTE("The grandchild inherits the WIPEONFORK mark: the child's \"mine\" is wiped too.");
            printf("grandchild: buf holds \"%s\" (wiped again)\n", buf);
            return 0;
        }
        wait(NULL);
        printf("child: buf still holds \"%s\"\n", buf);
        return 0;
    }
    wait(NULL);
    NOTE("The parent's page was never shared with anyone: same frame, refcount 1, data intact.");
    EXPECT(forklab_frame(buf) == frame);
    EXPECT(forklab_refcount(buf) == 1);
    printf("parent: buf holds \"%s\"\n", buf);
    return 0;
}
