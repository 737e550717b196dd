//! title: Pids, a line of stdin and an orphan, the same in the model and on Linux
//! summary: The parent prints its child's pid, the child its own and its parent's, so verify
//!   must normalise pids the same way on both sides. The parent reads a line from the
//!   terminal before it waits, and a grandchild outlives everyone and is adopted by init.
//! stdin: "ping\n"
//! output: |
//!   parent: read ping
//!   child: I am P1, my parent is P2
//!   parent: my child was P1
//!   grandchild: adopted by 1
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    char line[32] = "";
    if (!fgets(line, sizeof line, stdin))
        return 3;
    for (char *p = line; *p; p++)
        if (*p == '\n')
            *p = 0;
    printf("parent: read %s\n", line);
    pid_t child = fork();
    if (child == 0) {
        printf("child: I am %d, my parent is %d\n", getpid(), getppid());
        if (fork() == 0) {
            sleep(1);
            printf("grandchild: adopted by %d\n", getppid());
            return 0;
        }
        return 0;
    }
    waitpid(child, NULL, 0);
    printf("parent: my child was %d\n", child);
    return 7;
}
