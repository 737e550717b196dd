//! title: Is it unsafe for the parent to change its memory before fork?
//! tags: myths, memory
//! summary: A generated description of fork warns that "the parent process should not change any of its
//!   memory before the child process exists, otherwise the child will inherit these
//!   changes which could lead to undefined behavior". False: inheriting them is exactly
//!   what fork promises. The child starts with a copy of the parent's memory as it is at
//!   the moment of fork, every change included, and this is the usual way a parent hands
//!   work to a child.
//! output: |
//!   child: job 2 of 3, task "compress the logs", count 7
//!   parent: the child did its job
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int job = 0;
int total = 3;

int main(void)
{
    int count = 0;
    char *task = malloc(32);

    /* The parent changes a global, a local and the heap just before forking. */
    job = 2;
    count = 7;
    strcpy(task, "compress the logs");
    NOTE("Every change is done before fork. fork will copy the memory in this state.");

    pid_t pid = fork();
    if (pid == 0) {
        NOTE("The child starts with the parent's values at the moment of fork, changes "
             "included: the heap page with the task string is the parent's frame, shared.");
        EXPECT(job == 2 && count == 7 && strcmp(task, "compress the logs") == 0);
        EXPECT(forklab_shared(task));
        printf("child: job %d of %d, task \"%s\", count %d\n", job, total, task, count);
        exit(job == 2 ? 0 : 1);
    }
    int status;
    wait(&status);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("parent: the child did its job\n");
    return 0;
}
