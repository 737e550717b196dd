//! title: A child's page questions before and after its write
//! summary: After fork the child still maps its parent's frame for x, counted twice. The stdin
//!   line says whether the child writes x first; verify's own test gives the native run
//!   "write" (--native-stdin), so the child's "still the parent's frame" claims are false
//!   natively and verify must say DIFFER -- when the host answers page questions at all.
//! stdin: "keep\n"
//! output: |
//!   child done
//!   parent done
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int x;

int main(void)
{
    char line[16] = "";
    if (!fgets(line, sizeof line, stdin))
        return 3;
    x = 1;
    long frame = forklab_frame(&x);
    EXPECT(forklab_refcount(&x) == 1);
    if (fork() == 0) {
        if (strcmp(line, "write\n") == 0)
            x = 2;
        EXPECT(forklab_frame(&x) == frame);
        EXPECT(forklab_refcount(&x) == 2);
        printf("child done\n");
        return 0;
    }
    wait(NULL);
    EXPECT(forklab_frame(&x) == frame);
    printf("parent done\n");
    return 0;
}
