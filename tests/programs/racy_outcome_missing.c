//! title: A racy scenario that declares one outcome too few
//! summary: The child may print first too; forklab check must say the outcome is not declared.
//! outcome: "parent\nchild\n"
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    if (fork() == 0) {
        printf("child\n");
        return 0;
    }
    printf("parent\n");
    wait(NULL);
    return 0;
}
