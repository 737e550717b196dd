//! title: A child's write is not seen by its parent
//! summary: The EXPECT below claims the opposite, and fails.
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int x = 1;

int main(void)
{
    if (fork() == 0) {
        x = 2;
        _exit(0);
    }
    wait(NULL);
    EXPECT(x == 2);
    return 0;
}
