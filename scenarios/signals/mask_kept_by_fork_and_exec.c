//! title: Does a blocked signal stay blocked across fork and exec?
//! tags: signals, fork, exec, sigprocmask
//! summary: The signal mask is copied by fork() and kept by exec(). A program
//!   started with SIGUSR1 blocked does not die from it: the signal waits,
//!   pending, until the process exits.
//! output: |
//!   child: SIGUSR1 blocked: yes
//!   sleep 2 with SIGUSR1 blocked: exited 0, not killed
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    sigset_t block, mask;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);

    if (fork() == 0) {
        sigprocmask(SIG_BLOCK, NULL, &mask);
        NOTE("The child's mask is a copy of the parent's.");
        EXPECT(sigismember(&mask, SIGUSR1));
        printf("child: SIGUSR1 blocked: %s\n", sigismember(&mask, SIGUSR1) ? "yes" : "no");
        return 0;
    }
    wait(NULL);

    pid_t pid = fork();
    if (pid == 0) {
        execlp("sleep", "sleep", "2", (char *)NULL);
        _exit(127);
    }
    sleep(1);
    kill(pid, SIGUSR1);
    NOTE("sleep kept the mask through exec: SIGUSR1 is pending in it, not delivered.");
    int status;
    waitpid(pid, &status, 0);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (WIFEXITED(status))
        printf("sleep 2 with SIGUSR1 blocked: exited %d, not killed\n", WEXITSTATUS(status));
    else
        printf("sleep 2 with SIGUSR1 blocked: killed by signal %d\n", WTERMSIG(status));
    return 0;
}
