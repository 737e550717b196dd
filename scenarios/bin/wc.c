/* wc [-lwc] [FILE]...: count lines, words and bytes, printed as GNU coreutils' wc prints them.
 *
 * The counts share one width: 1 when a single count of a single input is asked for; otherwise
 * the number of digits of the regular files' total size, and at least 7 when an input is not a
 * regular file (a pipe or the terminal, whose size is not known in advance). With more than
 * one file a "total" line follows. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 64

struct counts {
    long lines;
    long words;
    long bytes;
};

int show_lines, show_words, show_bytes;

int is_space(int c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* Count what fd holds; 0 on success, else the errno of the failed read. */
int count(int fd, struct counts *c)
{
    char buf[4096];
    int in_word = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0)
            return errno;
        c->bytes += n;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n')
                c->lines++;
            if (is_space((unsigned char)buf[i]))
                in_word = 0;
            else if (!in_word) {
                in_word = 1;
                c->words++;
            }
        }
    }
}

int digits(long n)
{
    int d = 1;
    for (; n >= 10; n /= 10)
        d++;
    return d;
}

void print_number(long n, int width, int first)
{
    if (!first)
        putchar(' ');
    for (int pad = width - digits(n); pad > 0; pad--)
        putchar(' ');
    printf("%ld", n);
}

void print_counts(struct counts *c, int width, const char *name)
{
    int first = 1;
    if (show_lines) {
        print_number(c->lines, width, first);
        first = 0;
    }
    if (show_words) {
        print_number(c->words, width, first);
        first = 0;
    }
    if (show_bytes)
        print_number(c->bytes, width, first);
    if (name)
        printf(" %s", name);
    putchar('\n');
}

/* The options; returns the index of the first file operand, or -1 after a usage error. */
int parse_options(int argc, char *argv[])
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0)
            return i + 1;
        for (int j = 1; argv[i][j]; j++) {
            char o = argv[i][j];
            if (o == 'l')
                show_lines = 1;
            else if (o == 'w')
                show_words = 1;
            else if (o == 'c')
                show_bytes = 1;
            else {
                fprintf(stderr, "wc: invalid option -- '%c'\nTry 'wc --help' for more information.\n", o);
                return -1;
            }
        }
    }
    if (!show_lines && !show_words && !show_bytes)
        show_lines = show_words = show_bytes = 1;
    return i;
}

int main(int argc, char *argv[])
{
    int fds[MAX_FILES];
    int open_errors[MAX_FILES];
    struct counts counts[MAX_FILES];
    struct counts total;
    int first = parse_options(argc, argv);
    int nfiles, status = 0, width = 1, min_width = 1;
    long regular_size = 0;
    if (first < 0)
        return 1;
    nfiles = argc - first;
    if (nfiles > MAX_FILES) {
        fprintf(stderr, "wc: at most %d files\n", MAX_FILES);
        return 1;
    }
    memset(&total, 0, sizeof total);
    /* Open everything first: the width depends on every input's size. */
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        const char *name = nfiles ? argv[first + i] : "-";
        struct stat st;
        fds[i] = strcmp(name, "-") == 0 ? STDIN_FILENO : open(name, O_RDONLY);
        open_errors[i] = fds[i] < 0 ? errno : 0;
        if (fds[i] >= 0 && fstat(fds[i], &st) == 0) {
            if ((st.st_mode & S_IFMT) == S_IFREG)
                regular_size += st.st_size;
            else
                min_width = 7;
        }
    }
    if (show_lines + show_words + show_bytes > 1 || nfiles > 1) {
        width = digits(regular_size);
        if (width < min_width)
            width = min_width;
    }
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        const char *name = nfiles ? argv[first + i] : 0;
        int err;
        if (fds[i] < 0) {
            /* Reported in turn, as GNU wc reports a file it cannot open when it gets to it. */
            fflush(stdout);
            fprintf(stderr, "wc: %s: %s\n", name, strerror(open_errors[i]));
            status = 1;
            continue;
        }
        memset(&counts[i], 0, sizeof counts[i]);
        err = count(fds[i], &counts[i]);
        if (fds[i] != STDIN_FILENO)
            close(fds[i]);
        if (err) {
            fflush(stdout);
            fprintf(stderr, "wc: %s: %s\n", name ? name : "-", strerror(err));
            status = 1;
            continue;
        }
        print_counts(&counts[i], width, name);
        total.lines += counts[i].lines;
        total.words += counts[i].words;
        total.bytes += counts[i].bytes;
    }
    if (nfiles > 1)
        print_counts(&total, width, "total");
    return status;
}
