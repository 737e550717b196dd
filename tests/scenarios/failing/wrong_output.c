//! title: An expected output that the program does not print
//! output: |
//!   one
//!   two
//!   three
#include <stdio.h>

int main(void)
{
    printf("one\nTWO\nthree\n");
    return 0;
}
