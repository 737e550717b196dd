//! title: Who prints first after fork?
//! summary: Nothing orders the two lines: either may come first, on Linux as in the model, and
//!   verify accepts whichever the host shows if the model can show it too. (The word read
//!   first lets verify's own test give the native run other input.)
//! stdin: "go\n"
//! outcome: "parent go\nchild go\n"
//! outcome: "child go\nparent go\n"
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    char word[16] = "";
    long n = read(0, word, sizeof word - 1);
    if (n < 1)
        return 1;
    word[n - 1] = 0; /* the newline */
    if (fork() == 0) {
        printf("child %s\n", word);
        return 0;
    }
    printf("parent %s\n", word);
    wait(NULL);
    return 0;
}
