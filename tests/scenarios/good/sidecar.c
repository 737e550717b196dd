//! title: Expected output in a sidecar file
//! tags: basics
//! argv: sidecar "two words" three
#include <stdio.h>

int main(int argc, char *argv[])
{
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    return 0;
}
