/* cat [FILE]...: copy each file, or the standard input when there is none (or for "-"), to
 * the standard output, with read(2) and write(2) as coreutils' cat does: nothing is buffered
 * in the process, so what was read is written before the next read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Copy fd to the standard output; 0 on success, else the errno of the failed read or write. */
int copy(int fd)
{
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0)
            return errno;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(STDOUT_FILENO, buf + done, (size_t)(n - done));
            if (w < 0)
                return errno;
            done += w;
        }
    }
}

int cat(const char *name)
{
    int fd = STDIN_FILENO;
    int err;
    if (strcmp(name, "-") != 0)
        fd = open(name, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
        return 1;
    }
    err = copy(fd);
    if (fd != STDIN_FILENO)
        close(fd);
    if (err) {
        fprintf(stderr, "cat: %s: %s\n", name, strerror(err));
        return 1;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    int status = 0;
    if (argc < 2)
        return cat("-");
    for (int i = 1; i < argc; i++)
        status |= cat(argv[i]);
    return status;
}
