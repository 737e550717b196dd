//! title: Does the parent wait for the child to finish before going on?
//! tags: myths, scheduling, wait
//! summary: A generated description of fork claims "the fork() system call is synchronous, meaning the
//!   parent process waits for the child process to complete before proceeding". False:
//!   fork returns in the parent at once, and both processes run on independently. Here
//!   the parent works while its child is alive and has not finished; it waits only when
//!   it calls wait(), which is a separate, optional step.
//! output: |
//!   parent: fork returned, and my child is still alive
//!   parent: I keep working: 1
//!   parent: I keep working: 2
//!   child: my parent went on without waiting for me
//!   parent: only now do I wait for my child
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int go[2];
    pipe(go);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(go[0], &c, 1); /* Holds the child back until the parent says so. */
        printf("child: my parent went on without waiting for me\n");
        return 0;
    }
    NOTE("fork has returned in the parent, and the parent runs on. Look at the task list: "
         "the child exists and is runnable, but it has not run one step (parent-first).");
    EXPECT(waitpid(pid, NULL, WNOHANG) == 0);
    printf("parent: fork returned, and my child is still alive\n");
    for (int i = 1; i <= 2; i++)
        printf("parent: I keep working: %d\n", i);
    fflush(stdout);

    write(go[1], "!", 1);
    NOTE("The pipe now holds a byte for the child, but the parent is still the one running.");
    sleep(1);
    NOTE("Only when the parent slept did the child get to run and print. Now the parent "
         "calls wait(): waiting is the parent's choice, never fork's.");
    printf("parent: only now do I wait for my child\n");
    wait(NULL);
    return 0;
}
