//! title: Why does fork copy pages on write instead of copying them all?
//! tags: memory, cow, fork, strategy, performance
//! summary: The same program under three ways to fork. Run it with
//!   `forklab run cow_copy_odf_strategies.c --json --strategy cow`, then `copy`, then
//!   `odf`, and compare the "counters": the output never changes, the work does.
//! output: |
//!   child: big[0] = 2, big[last] = 1
//!   parent: big[0] = 1
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

#define PAGES 64
char big[PAGES * 4096];

int main(void)
{
    memset(big, 1, sizeof big);
    NOTE("The parent has written all 64 pages of big: each has a frame of its own.");
    EXPECT(forklab_refcount(&big[0]) == 1);

    if (fork() == 0) {
        NOTE("What fork did depends on the strategy. copy: it copied every present frame, big's 64 and "
             "the program's others (counter frames_copied). cow: it copied only the page-table entries, "
             "write-protected (ptes_copied), and no frame. odf (On-demand-fork): not even the entries; "
             "parent and child share the page-table pages themselves (pt_pages_shared).");
        big[0] = 2;
        NOTE("cow and odf copy now, and only big[0]'s page (cow_copies; odf first copies the page-table "
             "page, pt_pages_copied). copy has nothing left to do: that frame was already the child's.");
        EXPECT(forklab_refcount(&big[0]) == 1);
        EXPECT(!forklab_shared(&big[0]));
        printf("child: big[0] = %d, big[last] = %d\n", big[0], big[sizeof big - 1]);
        return 0;
    }
    wait(NULL);
    NOTE("Same output every time. With copy, frames_copied counted all 64 pages of big although the "
         "child changed one; with cow, cow_copies counted 2 frames (big[0]'s page, and the library's data "
         "page that the child's exit wrote). That saving, on every fork, is why copy-on-write won.");
    EXPECT(forklab_refcount(&big[0]) == 1);
    printf("parent: big[0] = %d\n", big[0]);
    return 0;
}
