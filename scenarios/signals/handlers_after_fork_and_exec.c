//! title: Which signal dispositions survive fork and exec?
//! tags: signals, fork, exec, signal
//! summary: fork() copies every disposition, handlers included. exec() cannot
//!   keep a handler (its code is gone), so a caught signal goes back to its
//!   default action; an ignored signal stays ignored.
//! output: |
//!   child: handler caught SIGUSR1
//!   sleep with SIGINT ignored: exited 0 after SIGINT
//!   sleep with SIGUSR1 caught before exec: killed by SIGUSR1
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

void on_usr1(int sig)
{
    const char *msg = "child: handler caught SIGUSR1\n";
    write(1, msg, strlen(msg));
}

/* Fork a child that runs `sleep 2`, send it sig once it runs sleep, and say how it ended. */
void exec_sleep_and_send(const char *label, int sig)
{
    int ready[2];
    char c;
    pipe(ready);
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        fcntl(ready[1], F_SETFD, FD_CLOEXEC);  /* the exec itself closes it */
        execlp("sleep", "sleep", "2", (char *)NULL);
        _exit(127);
    }
    close(ready[1]);
    read(ready[0], &c, 1);      /* end of file: the child has exec'd sleep */
    close(ready[0]);
    kill(pid, sig);
    int status;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status))
        printf("%s: exited %d after %s\n", label, WEXITSTATUS(status),
               sig == SIGINT ? "SIGINT" : "SIGUSR1");
    else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1)
        printf("%s: killed by SIGUSR1\n", label);
    else
        printf("%s: status %#x\n", label, status);
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    if (fork() == 0) {
        NOTE("The child inherited the handler: raising SIGUSR1 runs on_usr1.");
        raise(SIGUSR1);
        return 0;
    }
    wait(NULL);

    signal(SIGINT, SIG_IGN);
    NOTE("SIG_IGN names no code, so exec keeps it: sleep ignores SIGINT.");
    exec_sleep_and_send("sleep with SIGINT ignored", SIGINT);

    NOTE("on_usr1 is gone after exec: SIGUSR1 takes its default action, terminate.");
    exec_sleep_and_send("sleep with SIGUSR1 caught before exec", SIGUSR1);
    return 0;
}
