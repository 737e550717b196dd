//! title: What exit status does the parent see?
//! tags: basics, exit, wait, signals
//! summary: Only the low 8 bits of exit()'s argument reach the parent, so exit(256) is
//!   seen as 0 and exit(-1) as 255. A child killed by a signal has no exit status at
//!   all: WIFSIGNALED is true and WTERMSIG names the signal.
//! output: |
//!   exit(42)  -> WEXITSTATUS 42
//!   exit(256) -> WEXITSTATUS 0
//!   exit(-1)  -> WEXITSTATUS 255
//!   SIGKILL   -> WIFSIGNALED, WTERMSIG 9
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

/* Fork a child that exits with `code` and return what waitpid() reports for it. */
int status_of_exit(int code)
{
    int status;
    fflush(stdout); /* Else, on a pipe, the child's exit() would print our buffered lines again. */
    pid_t pid = fork();
    if (pid == 0)
        exit(code);
    waitpid(pid, &status, 0);
    return status;
}

int main(void)
{
    int s = status_of_exit(42);
    EXPECT(WIFEXITED(s) && WEXITSTATUS(s) == 42);
    printf("exit(42)  -> WEXITSTATUS %d\n", WEXITSTATUS(s));

    s = status_of_exit(256);
    NOTE("256 is 0x100: its low byte is 0, so the parent cannot tell this from success.");
    EXPECT(WIFEXITED(s) && WEXITSTATUS(s) == 0);
    printf("exit(256) -> WEXITSTATUS %d\n", WEXITSTATUS(s));

    s = status_of_exit(-1);
    NOTE("-1 is all ones in two's complement: its low byte is 0xff, 255.");
    EXPECT(WIFEXITED(s) && WEXITSTATUS(s) == 255);
    printf("exit(-1)  -> WEXITSTATUS %d\n", WEXITSTATUS(s));

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pause(); /* Waits for a signal that never comes back: SIGKILL cannot be caught. */
        exit(0);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &s, 0);
    NOTE("The child never called exit: the kernel ended it for the signal, and the status "
         "says so. Look at the task's end in the process list: killed by SIGKILL.");
    EXPECT(WIFSIGNALED(s) && !WIFEXITED(s));
    EXPECT(WTERMSIG(s) == SIGKILL);
    printf("SIGKILL   -> WIFSIGNALED, WTERMSIG %d\n", WTERMSIG(s));
    return 0;
}
