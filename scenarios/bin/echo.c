/* echo [-neE] [STRING]...: write the arguments, separated by spaces, and a newline.
 * As coreutils' echo: an argument made only of n, e and E after its '-' is options (-n: no
 * newline, -e: interpret backslash escapes, -E: do not); the first other argument starts the
 * text. With -e, "\c" stops all output there. */
#include <stdio.h>

int is_option(const char *arg)
{
    if (arg[0] != '-' || arg[1] == '\0')
        return 0;
    for (int i = 1; arg[i]; i++)
        if (arg[i] != 'n' && arg[i] != 'e' && arg[i] != 'E')
            return 0;
    return 1;
}

int digit_value(char c, int base)
{
    int v = 99;
    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    return v < base ? v : -1;
}

/* Write s with -e's escapes; returns 0 when "\c" asked to stop all output. */
int put_escaped(const char *s)
{
    while (*s) {
        char c = *s++;
        if (c != '\\' || *s == '\0') {
            putchar(c);
            continue;
        }
        c = *s++;
        if (c == 'c')
            return 0;
        if (c == 'x' && digit_value(*s, 16) >= 0) {
            int v = 0;
            for (int n = 0; n < 2 && digit_value(*s, 16) >= 0; n++)
                v = v * 16 + digit_value(*s++, 16);
            putchar(v);
        } else if (c == '0') {
            int v = 0;
            for (int n = 0; n < 3 && digit_value(*s, 8) >= 0; n++)
                v = v * 8 + digit_value(*s++, 8);
            putchar(v);
        } else if (c == 'n') putchar('\n');
        else if (c == 't') putchar('\t');
        else if (c == 'r') putchar('\r');
        else if (c == 'a') putchar('\a');
        else if (c == 'b') putchar('\b');
        else if (c == 'e') putchar(27);
        else if (c == 'f') putchar('\f');
        else if (c == 'v') putchar('\v');
        else if (c == '\\') putchar('\\');
        else {
            putchar('\\');
            putchar(c);
        }
    }
    return 1;
}

int main(int argc, char *argv[])
{
    int newline = 1, escapes = 0, i = 1;
    for (; i < argc && is_option(argv[i]); i++)
        for (int j = 1; argv[i][j]; j++) {
            if (argv[i][j] == 'n')
                newline = 0;
            else
                escapes = argv[i][j] == 'e';
        }
    for (int first = i; i < argc; i++) {
        if (i > first)
            putchar(' ');
        if (!escapes)
            fputs(argv[i], stdout);
        else if (!put_escaped(argv[i]))
            return 0;
    }
    if (newline)
        putchar('\n');
    return 0;
}
