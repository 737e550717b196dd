//! title: What the terminal typed, printed back
//! summary: verify's own test gives the native run other input (--native-stdin) than the
//!   model's, so the two outputs really differ and verify must say DIFFER.
//! stdin: "yes\n"
//! output: "answer: yes\n"
#include <stdio.h>

int main(void)
{
    char line[32] = "";
    if (fgets(line, sizeof line, stdin))
        printf("answer: %s", line);
    return 0;
}
