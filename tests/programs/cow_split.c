// After fork the child's write to x copies one page: the parent keeps x == 1.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int x = 100;

int main(void)
{
    x = 1;
    pid_t pid = fork();
    if (pid == 0) {
        x = 2;
        printf("child x=%d\n", x);
        return 0;
    }
    wait(NULL);
    printf("parent x=%d\n", x);
    return 0;
}
