//! title: Does an alarm survive fork? Does it survive exec?
//! tags: signals, alarm, fork, exec
//! summary: A pending alarm belongs to the process that set it. The child of
//!   fork starts with none, but exec keeps it: the new program is killed by
//!   SIGALRM when the old program's alarm fires.
//! output: |
//!   child: alarm(0) = 0, no alarm pending
//!   parent: SIGALRM caught at its own alarm
//!   sleep 5: killed by SIGALRM
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

void on_alarm(int sig)
{
    const char *msg = "parent: SIGALRM caught at its own alarm\n";
    write(1, msg, strlen(msg));
}

int main(void)
{
    signal(SIGALRM, on_alarm);
    alarm(2);
    pid_t pid = fork();
    if (pid == 0) {
        unsigned left = alarm(0);   /* cancel the pending alarm, if any */
        NOTE("alarm(0) returns the seconds that were left: the child has no alarm.");
        EXPECT(left == 0);
        printf("child: alarm(0) = %u, no alarm pending\n", left);
        return 0;
    }
    wait(NULL);
    pause();                        /* the parent's own alarm still comes */

    pid = fork();
    if (pid == 0) {
        alarm(1);
        NOTE("exec replaces the program but keeps the process's alarm.");
        execlp("sleep", "sleep", "5", (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    NOTE("exec reset the inherited handler to the default, so SIGALRM killed sleep.");
    EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        printf("sleep 5: killed by SIGALRM\n");
    else
        printf("sleep 5: status %#x\n", status);
    return 0;
}
