//! title: Four processes asking about their pages at the same time
//! summary: Each child writes its own copy of x's page, then asks about it again and again
//!   while its siblings do the same. Every answer must be about the asker's own page: its own
//!   frame, mapped once. Answers crossed between processes would show another child's frame.
//! output: |
//!   4 children asked
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int x;

int main(void)
{
    x = 1;
    long parent = forklab_frame(&x);
    for (int i = 0; i < 4; i++) {
        if (fork() == 0) {
            x = 10 + i;
            long mine = forklab_frame(&x);
            /* The question is asked inside EXPECT, so an unanswered one is skipped, not failed. */
            EXPECT(forklab_frame(&x) != parent);
            for (int round = 0; round < 100; round++) {
                EXPECT(forklab_frame(&x) == mine);
                EXPECT(forklab_refcount(&x) == 1);
            }
            return 0;
        }
    }
    while (wait(NULL) > 0) {
    }
    EXPECT(forklab_frame(&x) == parent);
    printf("4 children asked\n");
    return 0;
}
