//! title: A private file and a user
//! summary: The scenario's files exist in the sandbox's /tmp and /home with their modes, owned
//!   by the user the program runs as.
//! uid: 1000
//! file: /tmp/in.txt "one\ntwo\n" 0600
//! file: /home/student/notes "hello\n"
//! output: |
//!   read 8 bytes, mode 600, mine 1
//!   uid 1000, notes: 1
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    struct stat st;
    char buf[64];
    int fd = open("/tmp/in.txt", O_RDONLY);
    long n = read(fd, buf, sizeof buf);
    fstat(fd, &st);
    printf("read %ld bytes, mode %o, mine %d\n", n, (int)(st.st_mode & 0777), st.st_uid == getuid());
    printf("uid %d, notes: %d\n", (int)getuid(), open("/home/student/notes", O_RDONLY) >= 0);
    return 0;
}
