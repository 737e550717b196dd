/* sleep SECONDS...: pause for the sum of the whole seconds given (coreutils adds them up). */
#include <stdio.h>
#include <unistd.h>

/* The value of a string of decimal digits, or -1 when it is anything else. */
long seconds_of(const char *s)
{
    long n = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        n = n * 10 + (*s - '0');
    }
    return n;
}

int main(int argc, char *argv[])
{
    long total = 0;
    if (argc < 2) {
        fprintf(stderr, "sleep: missing operand\nTry 'sleep --help' for more information.\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        long n = seconds_of(argv[i]);
        if (n < 0) {
            fprintf(stderr, "sleep: invalid time interval '%s'\nTry 'sleep --help' for more information.\n", argv[i]);
            return 1;
        }
        total += n;
    }
    sleep((unsigned int)total);
    return 0;
}
