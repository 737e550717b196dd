//! title: Who prints first?
//! summary: Nothing orders the parent and its child, so either line may come first.
//! outcome: "parent\nchild\n"
//! outcome: "child\nparent\n"
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
