//! title: Does wait() make the parent print after its child?
//! tags: basics, wait
//! summary: Yes. wait() puts the parent to sleep until a child exits, so whatever the
//!   parent prints after wait() comes after everything the child printed, whichever
//!   process the scheduler happens to run first.
//! output: |
//!   child: step 1
//!   child: step 2
//!   child: step 3
//!   parent: my child has finished, now it is my turn
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        NOTE("The child runs only now, because the parent went to sleep in wait().");
        for (int i = 1; i <= 3; i++)
            printf("child: step %d\n", i);
        return 0;
    }
    NOTE("Parent-first: the parent runs on after fork. The child is ready but has not run yet.");
    int status;
    pid_t done = wait(&status);
    NOTE("The child's exit woke the parent up: look at the task list, the child is gone "
         "(wait reaped it) and the parent is running again.");
    EXPECT(done == pid);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("parent: my child has finished, now it is my turn\n");
    return 0;
}
