/* ls [-1aC] [FILE]...: list directory contents, sorted by name (byte order, as in the C
 * locale), without names starting with '.' unless -a is given.
 *
 * As GNU ls: one name per line when the standard output is not a terminal (or with -1); on a
 * terminal (or with -C) names go in columns filled top to bottom, as many as fit in $COLUMNS
 * (80 by default) characters, padded with tabs. Unlike GNU ls on a terminal, names with spaces
 * are not quoted. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NAMES 512
#define POOL_SIZE 16384
#define MIN_COLUMN_WIDTH 3
#define TAB_SIZE 8

char pool[POOL_SIZE];
int pool_used;
char *names[MAX_NAMES];
int nnames;
int show_all, one_per_line;

int add_name(const char *name)
{
    int len = (int)strlen(name) + 1;
    if (nnames == MAX_NAMES || pool_used + len > POOL_SIZE)
        return -1;
    names[nnames++] = strcpy(pool + pool_used, name);
    pool_used += len;
    return 0;
}

void sort_names(void)
{
    for (int i = 1; i < nnames; i++) {
        char *name = names[i];
        int j = i;
        for (; j > 0 && strcmp(names[j - 1], name) > 0; j--)
            names[j] = names[j - 1];
        names[j] = name;
    }
}

/* The widths of `cols` columns filled top to bottom, as GNU ls computes them: each column is
 * as wide as its longest name plus two spaces (the last column without them), and at least
 * MIN_COLUMN_WIDTH. Returns the line's length. */
int column_widths(int cols, int *widths)
{
    int rows = (nnames + cols - 1) / cols;
    int line = 0;
    for (int c = 0; c < cols; c++)
        widths[c] = MIN_COLUMN_WIDTH;
    for (int i = 0; i < nnames; i++) {
        int c = i / rows;
        int len = (int)strlen(names[i]) + (c == cols - 1 ? 0 : 2);
        if (widths[c] < len)
            widths[c] = len;
    }
    for (int c = 0; c < cols; c++)
        line += widths[c];
    return line;
}

/* Move from column `from` to column `to` with tabs where a whole tab fits, then spaces. */
void indent(int from, int to)
{
    while (from < to) {
        if (to / TAB_SIZE > (from + 1) / TAB_SIZE) {
            putchar('\t');
            from += TAB_SIZE - from % TAB_SIZE;
        } else {
            putchar(' ');
            from++;
        }
    }
}

int line_length(void)
{
    char *columns = getenv("COLUMNS");
    int n = columns ? atoi(columns) : 0;
    return n > 0 ? n : 80;
}

void print_columns(void)
{
    int widths[MAX_NAMES];
    int limit = line_length();
    int most = limit / MIN_COLUMN_WIDTH + (limit % MIN_COLUMN_WIDTH != 0);
    int cols = most < nnames ? most : nnames;
    for (; cols > 1; cols--)
        if (column_widths(cols, widths) < limit)
            break;
    column_widths(cols, widths);
    int rows = (nnames + cols - 1) / cols;
    for (int r = 0; r < rows; r++) {
        int pos = 0;
        for (int i = r, c = 0; i < nnames; i += rows, c++) {
            fputs(names[i], stdout);
            if (i + rows >= nnames)
                break;
            indent(pos + (int)strlen(names[i]), pos + widths[c]);
            pos += widths[c];
        }
        putchar('\n');
    }
}

void print_names(void)
{
    sort_names();
    if (one_per_line) {
        for (int i = 0; i < nnames; i++)
            puts(names[i]);
    } else if (nnames > 0)
        print_columns();
    nnames = 0;
    pool_used = 0;
}

/* Gather the names in a directory; 0 on success, else an errno. */
int read_directory(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *entry;
    if (!dir)
        return errno;
    while ((entry = readdir(dir)) != NULL)
        if (show_all || entry->d_name[0] != '.')
            if (add_name(entry->d_name) < 0) {
                fprintf(stderr, "ls: %s: more than %d names: the rest are not listed\n", path, MAX_NAMES);
                break;
            }
    closedir(dir);
    return 0;
}

int is_directory(const char *path, int *exists)
{
    struct stat st;
    *exists = stat(path, &st) == 0;
    return *exists && (st.st_mode & S_IFMT) == S_IFDIR;
}

int parse_options(int argc, char *argv[])
{
    int i = 1;
    one_per_line = !isatty(STDOUT_FILENO);
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++)
        for (int j = 1; argv[i][j]; j++) {
            char o = argv[i][j];
            if (o == 'a')
                show_all = 1;
            else if (o == '1')
                one_per_line = 1;
            else if (o == 'C')
                one_per_line = 0;
            else {
                fprintf(stderr, "ls: invalid option -- '%c'\nTry 'ls --help' for more information.\n", o);
                return -1;
            }
        }
    return i;
}

/* As GNU ls: files named on the command line first, then each directory under a "DIR:"
 * heading when there is more than one operand. */
int main(int argc, char *argv[])
{
    int first = parse_options(argc, argv);
    int status = 0, ndirs = 0, printed = 0, exists;
    if (first < 0)
        return 2;
    if (first == argc) {
        int err = read_directory(".");
        if (err) {
            fprintf(stderr, "ls: cannot open directory '.': %s\n", strerror(err));
            return 2;
        }
        print_names();
        return 0;
    }
    for (int i = first; i < argc; i++) {
        if (is_directory(argv[i], &exists))
            ndirs++;
        else if (exists)
            add_name(argv[i]);
        else {
            fprintf(stderr, "ls: cannot access '%s': %s\n", argv[i], strerror(errno));
            status = 2;
        }
    }
    printed = nnames > 0;
    print_names();
    for (int i = first; i < argc; i++) {
        if (!is_directory(argv[i], &exists))
            continue;
        if (printed)
            putchar('\n');
        if (argc - first > 1)
            printf("%s:\n", argv[i]);
        int err = read_directory(argv[i]);
        if (err) {
            fprintf(stderr, "ls: cannot open directory '%s': %s\n", argv[i], strerror(err));
            status = 2;
        }
        print_names();
        printed = 1;
    }
    return status;
}
