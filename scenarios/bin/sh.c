/* sh -c COMMAND: a minimal POSIX shell that runs one command, or one pipeline `a | b | c`,
 * with `<`, `>` and `>>` redirections, quotes ('...', "...", \) and $NAME, $$ expansion.
 *
 * As dash (Debian's /bin/sh) does: a single command is exec'd in place of the shell (no fork:
 * the command keeps the shell's pid); each stage of a pipeline is a child with its standard
 * input and output joined by pipe(2) and dup2(2), and the shell waits for all of them. The exit
 * status is the last stage's: its exit status, or 128 + the signal that killed it; 127 when a
 * command is not found, 126 when it cannot be executed, 2 for a syntax error or a failed
 * redirection. Lists (`;`, `&&`), background jobs and subshells are not supported. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TOKENS 128
#define TEXT_SIZE 4096
#define MAX_STAGES 16

/* A token is a word, or one of the operators below (its text is then the operator). */
#define WORD 0
#define PIPE 1
#define FROM 2   /* < */
#define TO 3     /* > */
#define APPEND 4 /* >> */

struct stage {
    int first_arg;        /* Index in args[] of argv[0]; args[] ends each argv with NULL. */
    const char *input;    /* < FILE, or NULL */
    const char *output;   /* > FILE or >> FILE, or NULL */
    int append;
};

char text[TEXT_SIZE]; /* The words, each ending with '\0'. */
int text_used;
char *tokens[MAX_TOKENS];
int kinds[MAX_TOKENS];
int ntokens;
char *args[MAX_TOKENS + MAX_STAGES];
struct stage stages[MAX_STAGES];
int nstages;

int syntax_error(const char *what)
{
    fprintf(stderr, "sh: 1: Syntax error: %s\n", what);
    return -1;
}

int put_char(char c)
{
    if (text_used == TEXT_SIZE)
        return -1;
    text[text_used++] = c;
    return 0;
}

int put_string(const char *s)
{
    for (; *s; s++)
        if (put_char(*s) < 0)
            return -1;
    return 0;
}

int is_name_char(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* $NAME or $$ at s (just after the '$'); returns how many characters it used. */
int expand(const char *s)
{
    char name[128];
    int n = 0;
    if (*s == '$') {
        char pid[24];
        snprintf(pid, sizeof pid, "%d", (int)getpid());
        put_string(pid);
        return 1;
    }
    while (is_name_char(s[n]) && n < (int)sizeof name - 1) {
        name[n] = s[n];
        n++;
    }
    name[n] = '\0';
    if (n == 0) {
        put_char('$');
        return 0;
    }
    if (getenv(name))
        put_string(getenv(name));
    return n;
}

/* One word starting at s: its text goes into text[]; returns where it ends, or NULL. */
const char *read_word(const char *s)
{
    while (*s && !strchr(" \t\n|<>;&()", *s)) {
        if (*s == '\'') {
            const char *close = strchr(s + 1, '\'');
            if (!close)
                return NULL;
            for (s++; s < close; s++)
                put_char(*s);
            s++;
        } else if (*s == '"') {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && s[1] && strchr("$`\"\\", s[1]))
                    s++;
                else if (*s == '$') {
                    s += expand(s + 1);
                    continue;
                }
                put_char(*s);
            }
            if (!*s)
                return NULL;
            s++;
        } else if (*s == '\\' && s[1]) {
            put_char(s[1]);
            s += 2;
        } else if (*s == '$') {
            s += 1 + expand(s + 1);
        } else
            put_char(*s++);
    }
    return s;
}

int add_token(int kind, char *t)
{
    if (ntokens == MAX_TOKENS)
        return syntax_error("too many words");
    kinds[ntokens] = kind;
    tokens[ntokens++] = t;
    return 0;
}

int tokenize(const char *s)
{
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n') {
            s++;
        } else if (*s == '|') {
            s++;
            if (add_token(PIPE, "|") < 0)
                return -1;
        } else if (*s == '<') {
            s++;
            if (add_token(FROM, "<") < 0)
                return -1;
        } else if (*s == '>') {
            int append = s[1] == '>';
            s += 1 + append;
            if (add_token(append ? APPEND : TO, append ? ">>" : ">") < 0)
                return -1;
        } else if (strchr(";&()", *s)) {
            fprintf(stderr, "sh: 1: '%c': only one command or one pipeline is supported\n", *s);
            return -1;
        } else {
            char *word = text + text_used;
            s = read_word(s);
            if (!s)
                return syntax_error("Unterminated quoted string");
            if (put_char('\0') < 0)
                return syntax_error("command too long");
            if (add_token(WORD, word) < 0)
                return -1;
        }
    }
    return 0;
}

/* Group the tokens into stages, each argv ending with NULL in args[]. */
int parse(void)
{
    int nargs = 0;
    struct stage *st = &stages[0];
    nstages = 1;
    memset(st, 0, sizeof *st);
    for (int i = 0; i < ntokens; i++) {
        if (kinds[i] == WORD) {
            args[nargs++] = tokens[i];
        } else if (kinds[i] == PIPE) {
            if (nargs == st->first_arg)
                return syntax_error("\"|\" unexpected");
            if (i + 1 == ntokens)
                return syntax_error("end of file unexpected");
            if (nstages == MAX_STAGES)
                return syntax_error("pipeline too long");
            args[nargs++] = NULL;
            st = &stages[nstages++];
            memset(st, 0, sizeof *st);
            st->first_arg = nargs;
        } else {
            if (i + 1 == ntokens || kinds[i + 1] != WORD)
                return syntax_error("redirection unexpected");
            if (kinds[i] == FROM)
                st->input = tokens[++i];
            else {
                st->output = tokens[++i];
                st->append = kinds[i - 1] == APPEND;
            }
        }
    }
    args[nargs] = NULL;
    return nargs == st->first_arg && ntokens > 0 ? syntax_error("end of file unexpected") : 0;
}

/* Open `path` onto `fd`; 0, or -1 with dash's message. */
int redirect(const char *path, int fd, int flags)
{
    int opened = open(path, flags, 0666);
    if (opened < 0) {
        const char *why = strerror(errno);
        if (errno == ENOENT)
            why = fd == 0 ? "No such file" : "Directory nonexistent";
        fprintf(stderr, "sh: 1: cannot %s %s: %s\n", fd == 0 ? "open" : "create", path, why);
        return -1;
    }
    if (opened != fd) {
        dup2(opened, fd);
        close(opened);
    }
    return 0;
}

/* In the process that becomes the command: redirections, then exec. Never returns. */
void exec_stage(struct stage *st)
{
    char **argv = &args[st->first_arg];
    if (st->input && redirect(st->input, 0, O_RDONLY) < 0)
        _exit(2);
    if (st->output && redirect(st->output, 1, O_WRONLY | O_CREAT | (st->append ? O_APPEND : O_TRUNC)) < 0)
        _exit(2);
    if (!argv[0])
        _exit(0);
    execvp(argv[0], argv);
    if (errno == ENOENT) {
        fprintf(stderr, "sh: 1: %s: not found\n", argv[0]);
        _exit(127);
    }
    fprintf(stderr, "sh: 1: %s: %s\n", argv[0], strerror(errno));
    _exit(126);
}

int status_of(int wstatus)
{
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

/* Fork every stage, joined by pipes; wait for them all; the last one's status. */
int run_pipeline(void)
{
    pid_t pids[MAX_STAGES];
    int input = -1, wstatus = 0;
    for (int i = 0; i < nstages; i++) {
        int p[2] = {-1, -1};
        if (i + 1 < nstages && pipe(p) < 0) {
            perror("sh: 1: pipe");
            return 2;
        }
        pids[i] = fork();
        if (pids[i] == 0) {
            if (input >= 0) {
                dup2(input, 0);
                close(input);
            }
            if (p[1] >= 0) {
                close(p[0]);
                dup2(p[1], 1);
                close(p[1]);
            }
            exec_stage(&stages[i]);
        }
        if (pids[i] < 0)
            perror("sh: 1: fork");
        /* The shell keeps no pipe end open: a reader must see EOF when its writer exits. */
        if (input >= 0)
            close(input);
        if (p[1] >= 0)
            close(p[1]);
        input = p[0];
    }
    for (int i = 0; i < nstages; i++)
        if (pids[i] > 0)
            waitpid(pids[i], &wstatus, 0);
    return status_of(wstatus);
}

int main(int argc, char *argv[])
{
    if (argc < 3 || strcmp(argv[1], "-c") != 0) {
        fprintf(stderr, "sh: only 'sh -c COMMAND' is supported\n");
        return 2;
    }
    if (tokenize(argv[2]) < 0 || parse() < 0)
        return 2;
    if (ntokens == 0)
        return 0;
    if (nstages == 1)
        exec_stage(&stages[0]); /* As dash: the last (only) command replaces the shell. */
    return run_pipeline();
}
