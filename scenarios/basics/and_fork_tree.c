//! title: How many processes does if (fork() && fork()) fork(); make?
//! tags: basics, fork, puzzle, tree
//! summary: Four, and all of them are children of the first process. && stops at the
//!   first 0, and 0 is what fork returns in a child, so every child skips the rest of
//!   the condition. Only the parent, which always gets a nonzero pid, goes on forking.
//! output: |
//!   hello
//!   hello
//!   hello
//!   hello
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t first = getpid();
    int children = 0;

    if (fork() && fork()) {
        NOTE("Only the first process gets here: both forks returned it a pid (true). Each "
             "child got 0 (false) from its fork, so && did not call the second one.");
        fork();
    }
    NOTE("Open the process tree: a parent with three children, and no grandchildren. "
         "The tree is flat because no child ever called fork.");
    printf("hello\n");

    while (wait(NULL) > 0)
        children++;
    if (getpid() == first)
        EXPECT(children == 3);
    else
        EXPECT(children == 0);
    return 0;
}
