// The parent and its child each write one line: the scheduler decides which comes first.
#include <unistd.h>
#include <sys/wait.h>

int main(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        write(1, "child\n", 6);
        return 0;
    }
    write(1, "parent\n", 7);
    wait(NULL);
    return 0;
}
