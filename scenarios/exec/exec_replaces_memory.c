//! title: Does a global survive exec?
//! tags: exec, memory
//! summary: exec throws the old address space away and builds a new one from
//!   the program file. Even when the program execs itself, its globals start
//!   again from their initial values.
//! output: |
//!   first run: marker = 0, setting it to 12345
//!   after exec: marker = 0
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "forklab.h"

int marker = 0;

int main(int argc, char *argv[])
{
    if (argc > 1 && strcmp(argv[1], "again") == 0) {
        NOTE("A fresh image: the data page holding marker came from the file again.");
        EXPECT(marker == 0);
        printf("after exec: marker = %d\n", marker);
        return 0;
    }
    printf("first run: marker = %d, setting it to 12345\n", marker);
    marker = 12345;
    fflush(stdout);             /* exec would throw the buffer away too */
    NOTE("marker is 12345 in this image; exec is about to drop every page of it.");
    char *again[] = { argv[0], "again", NULL };
    execvp(argv[0], again);     /* run this same program file once more */
    perror("execvp");
    return 1;
}
