// fork(); fork(); prints hello four times: each fork doubles the processes.
#include <unistd.h>
#include <sys/wait.h>

int main(void)
{
    fork();
    fork();
    write(1, "hello\n", 6);
    while (wait(NULL) > 0)
        ;
    return 0;
}
