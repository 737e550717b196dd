//! title: A child that sleeps long after its parent has gone
//! summary: verify's time limit must end the sleeping orphan, and nothing of the run may be
//!   left on the host afterwards.
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    if (fork() == 0) {
        sleep(300);
        return 0;
    }
    printf("parent: leaving my child asleep\n");
    return 0;
}
