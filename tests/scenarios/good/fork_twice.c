//! title: Does fork return twice?
//! tags: basics, fork
//! summary: One call, two returns: 0 in the child, the child's pid in the
//!   parent. The parent waits, so the child always prints first.
//! output: |
//!   child: fork returned 0
//!   parent: fork returned a pid
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        printf("child: fork returned %d\n", pid);
        return 0;
    }
    EXPECT(pid > 0);
    wait(NULL);
    printf("parent: fork returned a pid\n");
    return 0;
}
