//! title: Does the child see the parent's later writes?
//! tags: myths, memory, cow
//! summary: A generated description of fork claims "when the parent process makes changes to any of its
//!   memory, these changes are visible to the child process". False: after fork each
//!   process has its own copy. The parent's write splits the shared page, and the child,
//!   which reads only after the write is done, still sees the values fork copied.
//! output: |
//!   parent: wrote global = 200, heap = 200, local = 200
//!   child: global = 100, heap = 100, local = 100
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int global = 100;

int main(void)
{
    int local = 100;
    int *heap = malloc(sizeof *heap);
    *heap = 100;
    int go[2];
    pipe(go);

    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(go[0], &c, 1); /* Sleeps until the parent has written all three. */
        NOTE("The child reads only now, after the parent's writes: it still sees 100.");
        EXPECT(global == 100 && *heap == 100 && local == 100);
        printf("child: global = %d, heap = %d, local = %d\n", global, *heap, local);
        return 0;
    }
    NOTE("fork copied the page tables, not the pages: the heap page behind *heap is one "
         "frame mapped by both processes, write-protected.");
    EXPECT(forklab_shared(heap));
    global = 200;
    *heap = 200;
    local = 200;
    NOTE("Each write faulted and gave the parent a private copy of that page: look at the "
         "data, heap and stack pages in the parent's maps. The child keeps the old frames.");
    EXPECT(!forklab_shared(&global) && !forklab_shared(heap) && !forklab_shared(&local));
    printf("parent: wrote global = %d, heap = %d, local = %d\n", global, *heap, local);
    fflush(stdout);
    write(go[1], "!", 1);
    wait(NULL);
    return 0;
}
