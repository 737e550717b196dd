//! title: What happens to a program whose exec fails?
//! tags: exec, errno
//! summary: exec only replaces the program when it succeeds. When the kernel
//!   cannot load the file it returns -1 with errno set, and the old program
//!   goes on with its memory untouched.
//! output: |
//!   execl("/nonexistent"): No such file or directory
//!   execl("/tmp"): Permission denied
//!   still the old program: counter = 2, word = before
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "forklab.h"

int counter = 0;
char word[16] = "before";

void try_exec(const char *path)
{
    counter++;
    int r = execl(path, path, (char *)NULL);
    NOTE("exec returned: the kernel kept this process's old pages and went back to it.");
    EXPECT(r == -1);
    printf("execl(\"%s\"): %s\n", path, strerror(errno));
}

int main(void)
{
    try_exec("/nonexistent");   /* no such file: ENOENT */
    try_exec("/tmp");           /* a directory is not a program: EACCES */
    NOTE("The globals still hold what this program stored in them.");
    EXPECT(counter == 2 && strcmp(word, "before") == 0);
    printf("still the old program: counter = %d, word = %s\n", counter, word);
    return 0;
}
