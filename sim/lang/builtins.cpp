#include "lang/builtins.h"

#include "base/format.h"

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <type_traits>
#include <unistd.h>

namespace forklab::lang {

namespace {

// The constants, by name; each is spelled below with a suffix that keeps its C type.
// clang-format off
#define FORKLAB_HOST_CONSTANTS(C) \
    C(BUFSIZ) C(CHAR_BIT) C(CHAR_MAX) C(CHAR_MIN) C(E2BIG) C(EACCES) C(EADDRINUSE) C(EADDRNOTAVAIL) \
    C(EADV) C(EAFNOSUPPORT) C(EAGAIN) C(EALREADY) C(EBADE) C(EBADF) C(EBADFD) C(EBADMSG) C(EBADR) \
    C(EBADRQC) C(EBADSLT) C(EBFONT) C(EBUSY) C(ECANCELED) C(ECHILD) C(ECHRNG) C(ECOMM) \
    C(ECONNABORTED) C(ECONNREFUSED) C(ECONNRESET) C(EDEADLK) C(EDEADLOCK) C(EDESTADDRREQ) C(EDOM) \
    C(EDOTDOT) C(EDQUOT) C(EEXIST) C(EFAULT) C(EFBIG) C(EHOSTDOWN) C(EHOSTUNREACH) C(EHWPOISON) \
    C(EIDRM) C(EILSEQ) C(EINPROGRESS) C(EINTR) C(EINVAL) C(EIO) C(EISCONN) C(EISDIR) C(EISNAM) \
    C(EKEYEXPIRED) C(EKEYREJECTED) C(EKEYREVOKED) C(EL2HLT) C(EL2NSYNC) C(EL3HLT) C(EL3RST) \
    C(ELIBACC) C(ELIBBAD) C(ELIBEXEC) C(ELIBMAX) C(ELIBSCN) C(ELNRNG) C(ELOOP) C(EMEDIUMTYPE) \
    C(EMFILE) C(EMLINK) C(EMSGSIZE) C(EMULTIHOP) C(ENAMETOOLONG) C(ENAVAIL) C(ENETDOWN) C(ENETRESET) \
    C(ENETUNREACH) C(ENFILE) C(ENOANO) C(ENOBUFS) C(ENOCSI) C(ENODATA) C(ENODEV) C(ENOENT) \
    C(ENOEXEC) C(ENOKEY) C(ENOLCK) C(ENOLINK) C(ENOMEDIUM) C(ENOMEM) C(ENOMSG) C(ENONET) C(ENOPKG) \
    C(ENOPROTOOPT) C(ENOSPC) C(ENOSR) C(ENOSTR) C(ENOSYS) C(ENOTBLK) C(ENOTCONN) C(ENOTDIR) \
    C(ENOTEMPTY) C(ENOTNAM) C(ENOTRECOVERABLE) C(ENOTSOCK) C(ENOTSUP) C(ENOTTY) C(ENOTUNIQ) C(ENXIO) \
    C(EOF) C(EOPNOTSUPP) C(EOVERFLOW) C(EOWNERDEAD) C(EPERM) C(EPFNOSUPPORT) C(EPIPE) C(EPROTO) \
    C(EPROTONOSUPPORT) C(EPROTOTYPE) C(ERANGE) C(EREMCHG) C(EREMOTE) C(EREMOTEIO) C(ERESTART) \
    C(ERFKILL) C(EROFS) C(ESHUTDOWN) C(ESOCKTNOSUPPORT) C(ESPIPE) C(ESRCH) C(ESRMNT) C(ESTALE) \
    C(ESTRPIPE) C(ETIME) C(ETIMEDOUT) C(ETOOMANYREFS) C(ETXTBSY) C(EUCLEAN) C(EUNATCH) C(EUSERS) \
    C(EWOULDBLOCK) C(EXDEV) C(EXFULL) C(EXIT_FAILURE) C(EXIT_SUCCESS) C(FD_CLOEXEC) C(F_ADD_SEALS) \
    C(F_DUPFD) C(F_DUPFD_CLOEXEC) C(F_EXLCK) C(F_GETFD) C(F_GETFL) C(F_GETLEASE) C(F_GETLK) \
    C(F_GETLK64) C(F_GETOWN) C(F_GETOWN_EX) C(F_GETPIPE_SZ) C(F_GETSIG) C(F_GET_FILE_RW_HINT) \
    C(F_GET_RW_HINT) C(F_GET_SEALS) C(F_LOCK) C(F_NOTIFY) C(F_OFD_GETLK) C(F_OFD_SETLK) \
    C(F_OFD_SETLKW) C(F_OK) C(F_RDLCK) C(F_SEAL_FUTURE_WRITE) C(F_SEAL_GROW) C(F_SEAL_SEAL) \
    C(F_SEAL_SHRINK) C(F_SEAL_WRITE) C(F_SETFD) C(F_SETFL) C(F_SETLEASE) C(F_SETLK) C(F_SETLK64) \
    C(F_SETLKW) C(F_SETLKW64) C(F_SETOWN) C(F_SETOWN_EX) C(F_SETPIPE_SZ) C(F_SETSIG) \
    C(F_SET_FILE_RW_HINT) C(F_SET_RW_HINT) C(F_SHLCK) C(F_TEST) C(F_TLOCK) C(F_ULOCK) C(F_UNLCK) \
    C(F_WRLCK) C(INTPTR_MAX) C(INTPTR_MIN) C(INT_MAX) C(INT_MIN) C(LLONG_MAX) C(LLONG_MIN) \
    C(LOCK_EX) C(LOCK_MAND) C(LOCK_NB) C(LOCK_READ) C(LOCK_RW) C(LOCK_SH) C(LOCK_UN) C(LOCK_WRITE) \
    C(LONG_MAX) C(LONG_MIN) C(MADV_COLD) C(MADV_DODUMP) C(MADV_DOFORK) C(MADV_DONTDUMP) \
    C(MADV_DONTFORK) C(MADV_DONTNEED) C(MADV_DONTNEED_LOCKED) C(MADV_FREE) C(MADV_HUGEPAGE) \
    C(MADV_HWPOISON) C(MADV_KEEPONFORK) C(MADV_MERGEABLE) C(MADV_NOHUGEPAGE) C(MADV_NORMAL) \
    C(MADV_PAGEOUT) C(MADV_POPULATE_READ) C(MADV_POPULATE_WRITE) C(MADV_RANDOM) C(MADV_REMOVE) \
    C(MADV_SEQUENTIAL) C(MADV_UNMERGEABLE) C(MADV_WILLNEED) C(MADV_WIPEONFORK) C(MAP_32BIT) \
    C(MAP_ANON) C(MAP_ANONYMOUS) C(MAP_DENYWRITE) C(MAP_EXECUTABLE) C(MAP_FILE) C(MAP_FIXED) \
    C(MAP_FIXED_NOREPLACE) C(MAP_GROWSDOWN) C(MAP_HUGETLB) C(MAP_HUGE_MASK) C(MAP_HUGE_SHIFT) \
    C(MAP_LOCKED) C(MAP_NONBLOCK) C(MAP_NORESERVE) C(MAP_POPULATE) C(MAP_PRIVATE) C(MAP_SHARED) \
    C(MAP_SHARED_VALIDATE) C(MAP_STACK) C(MAP_SYNC) C(MAP_TYPE) C(MCL_CURRENT) C(MCL_FUTURE) \
    C(MCL_ONFAULT) C(O_ACCMODE) C(O_APPEND) C(O_ASYNC) C(O_CLOEXEC) C(O_CREAT) C(O_DIRECT) \
    C(O_DIRECTORY) C(O_DSYNC) C(O_EXCL) C(O_FSYNC) C(O_LARGEFILE) C(O_NDELAY) C(O_NOATIME) \
    C(O_NOCTTY) C(O_NOFOLLOW) C(O_NONBLOCK) C(O_PATH) C(O_RDONLY) C(O_RDWR) C(O_RSYNC) C(O_SYNC) \
    C(O_TMPFILE) C(O_TRUNC) C(O_WRONLY) C(PATH_MAX) C(PROT_EXEC) C(PROT_GROWSDOWN) C(PROT_GROWSUP) \
    C(PROT_NONE) C(PROT_READ) C(PROT_WRITE) C(PR_CAPBSET_DROP) C(PR_CAPBSET_READ) C(PR_CAP_AMBIENT) \
    C(PR_CAP_AMBIENT_CLEAR_ALL) C(PR_CAP_AMBIENT_IS_SET) C(PR_CAP_AMBIENT_LOWER) \
    C(PR_CAP_AMBIENT_RAISE) C(PR_ENDIAN_BIG) C(PR_ENDIAN_LITTLE) C(PR_ENDIAN_PPC_LITTLE) \
    C(PR_FPEMU_NOPRINT) C(PR_FPEMU_SIGFPE) C(PR_FP_EXC_ASYNC) C(PR_FP_EXC_DISABLED) C(PR_FP_EXC_DIV) \
    C(PR_FP_EXC_INV) C(PR_FP_EXC_NONRECOV) C(PR_FP_EXC_OVF) C(PR_FP_EXC_PRECISE) C(PR_FP_EXC_RES) \
    C(PR_FP_EXC_SW_ENABLE) C(PR_FP_EXC_UND) C(PR_FP_MODE_FR) C(PR_FP_MODE_FRE) \
    C(PR_GET_CHILD_SUBREAPER) C(PR_GET_DUMPABLE) C(PR_GET_ENDIAN) C(PR_GET_FPEMU) C(PR_GET_FPEXC) \
    C(PR_GET_FP_MODE) C(PR_GET_IO_FLUSHER) C(PR_GET_KEEPCAPS) C(PR_GET_NAME) C(PR_GET_NO_NEW_PRIVS) \
    C(PR_GET_PDEATHSIG) C(PR_GET_SECCOMP) C(PR_GET_SECUREBITS) C(PR_GET_SPECULATION_CTRL) \
    C(PR_GET_TAGGED_ADDR_CTRL) C(PR_GET_THP_DISABLE) C(PR_GET_TID_ADDRESS) C(PR_GET_TIMERSLACK) \
    C(PR_GET_TIMING) C(PR_GET_TSC) C(PR_GET_UNALIGN) C(PR_MCE_KILL) C(PR_MCE_KILL_CLEAR) \
    C(PR_MCE_KILL_DEFAULT) C(PR_MCE_KILL_EARLY) C(PR_MCE_KILL_GET) C(PR_MCE_KILL_LATE) \
    C(PR_MCE_KILL_SET) C(PR_MPX_DISABLE_MANAGEMENT) C(PR_MPX_ENABLE_MANAGEMENT) C(PR_MTE_TAG_MASK) \
    C(PR_MTE_TAG_SHIFT) C(PR_MTE_TCF_ASYNC) C(PR_MTE_TCF_MASK) C(PR_MTE_TCF_NONE) \
    C(PR_MTE_TCF_SHIFT) C(PR_MTE_TCF_SYNC) C(PR_PAC_APDAKEY) C(PR_PAC_APDBKEY) C(PR_PAC_APGAKEY) \
    C(PR_PAC_APIAKEY) C(PR_PAC_APIBKEY) C(PR_PAC_GET_ENABLED_KEYS) C(PR_PAC_RESET_KEYS) \
    C(PR_PAC_SET_ENABLED_KEYS) C(PR_SCHED_CORE) C(PR_SCHED_CORE_CREATE) C(PR_SCHED_CORE_GET) \
    C(PR_SCHED_CORE_MAX) C(PR_SCHED_CORE_SCOPE_PROCESS_GROUP) C(PR_SCHED_CORE_SCOPE_THREAD) \
    C(PR_SCHED_CORE_SCOPE_THREAD_GROUP) C(PR_SCHED_CORE_SHARE_FROM) C(PR_SCHED_CORE_SHARE_TO) \
    C(PR_SET_CHILD_SUBREAPER) C(PR_SET_DUMPABLE) C(PR_SET_ENDIAN) C(PR_SET_FPEMU) C(PR_SET_FPEXC) \
    C(PR_SET_FP_MODE) C(PR_SET_IO_FLUSHER) C(PR_SET_KEEPCAPS) C(PR_SET_MM) C(PR_SET_MM_ARG_END) \
    C(PR_SET_MM_ARG_START) C(PR_SET_MM_AUXV) C(PR_SET_MM_BRK) C(PR_SET_MM_END_CODE) \
    C(PR_SET_MM_END_DATA) C(PR_SET_MM_ENV_END) C(PR_SET_MM_ENV_START) C(PR_SET_MM_EXE_FILE) \
    C(PR_SET_MM_MAP) C(PR_SET_MM_MAP_SIZE) C(PR_SET_MM_START_BRK) C(PR_SET_MM_START_CODE) \
    C(PR_SET_MM_START_DATA) C(PR_SET_MM_START_STACK) C(PR_SET_NAME) C(PR_SET_NO_NEW_PRIVS) \
    C(PR_SET_PDEATHSIG) C(PR_SET_PTRACER) C(PR_SET_PTRACER_ANY) C(PR_SET_SECCOMP) \
    C(PR_SET_SECUREBITS) C(PR_SET_SPECULATION_CTRL) C(PR_SET_SYSCALL_USER_DISPATCH) \
    C(PR_SET_TAGGED_ADDR_CTRL) C(PR_SET_THP_DISABLE) C(PR_SET_TIMERSLACK) C(PR_SET_TIMING) \
    C(PR_SET_TSC) C(PR_SET_UNALIGN) C(PR_SET_VMA) C(PR_SET_VMA_ANON_NAME) C(PR_SME_GET_VL) \
    C(PR_SME_SET_VL) C(PR_SME_SET_VL_ONEXEC) C(PR_SME_VL_INHERIT) C(PR_SME_VL_LEN_MASK) \
    C(PR_SPEC_DISABLE) C(PR_SPEC_DISABLE_NOEXEC) C(PR_SPEC_ENABLE) C(PR_SPEC_FORCE_DISABLE) \
    C(PR_SPEC_INDIRECT_BRANCH) C(PR_SPEC_L1D_FLUSH) C(PR_SPEC_NOT_AFFECTED) C(PR_SPEC_PRCTL) \
    C(PR_SPEC_STORE_BYPASS) C(PR_SVE_GET_VL) C(PR_SVE_SET_VL) C(PR_SVE_SET_VL_ONEXEC) \
    C(PR_SVE_VL_INHERIT) C(PR_SVE_VL_LEN_MASK) C(PR_SYS_DISPATCH_OFF) C(PR_SYS_DISPATCH_ON) \
    C(PR_TAGGED_ADDR_ENABLE) C(PR_TASK_PERF_EVENTS_DISABLE) C(PR_TASK_PERF_EVENTS_ENABLE) \
    C(PR_TIMING_STATISTICAL) C(PR_TIMING_TIMESTAMP) C(PR_TSC_ENABLE) C(PR_TSC_SIGSEGV) \
    C(PR_UNALIGN_NOPRINT) C(PR_UNALIGN_SIGBUS) C(PTRDIFF_MAX) C(PTRDIFF_MIN) C(RAND_MAX) \
    C(RLIMIT_AS) C(RLIMIT_CORE) C(RLIMIT_CPU) C(RLIMIT_DATA) C(RLIMIT_FSIZE) C(RLIMIT_LOCKS) \
    C(RLIMIT_MEMLOCK) C(RLIMIT_MSGQUEUE) C(RLIMIT_NICE) C(RLIMIT_NLIMITS) C(RLIMIT_NOFILE) \
    C(RLIMIT_NPROC) C(RLIMIT_OFILE) C(RLIMIT_RSS) C(RLIMIT_RTPRIO) C(RLIMIT_RTTIME) \
    C(RLIMIT_SIGPENDING) C(RLIMIT_STACK) C(RLIM_INFINITY) C(RLIM_NLIMITS) C(R_OK) C(SA_INTERRUPT) \
    C(SA_NOCLDSTOP) C(SA_NOCLDWAIT) C(SA_NODEFER) C(SA_NOMASK) C(SA_ONESHOT) C(SA_ONSTACK) \
    C(SA_RESETHAND) C(SA_RESTART) C(SA_SIGINFO) C(SA_STACK) C(SCHAR_MAX) C(SCHAR_MIN) C(SEEK_CUR) \
    C(SEEK_DATA) C(SEEK_END) C(SEEK_HOLE) C(SEEK_SET) C(SHRT_MAX) C(SHRT_MIN) C(SIGABRT) C(SIGALRM) \
    C(SIGBUS) C(SIGCHLD) C(SIGCLD) C(SIGCONT) C(SIGFPE) C(SIGHUP) C(SIGILL) C(SIGINT) C(SIGIO) \
    C(SIGIOT) C(SIGKILL) C(SIGPIPE) C(SIGPOLL) C(SIGPROF) C(SIGPWR) C(SIGQUIT) C(SIGSEGV) \
    C(SIGSTKFLT) C(SIGSTOP) C(SIGSYS) C(SIGTERM) C(SIGTRAP) C(SIGTSTP) C(SIGTTIN) C(SIGTTOU) \
    C(SIGURG) C(SIGUSR1) C(SIGUSR2) C(SIGVTALRM) C(SIGWINCH) C(SIGXCPU) C(SIGXFSZ) C(SIG_BLOCK) \
    C(SIG_SETMASK) C(SIG_UNBLOCK) C(SIZE_MAX) C(SSIZE_MAX) C(STDERR_FILENO) C(STDIN_FILENO) \
    C(STDOUT_FILENO) C(S_IFBLK) C(S_IFCHR) C(S_IFDIR) C(S_IFIFO) C(S_IFLNK) C(S_IFMT) C(S_IFREG) \
    C(S_IFSOCK) C(S_IRGRP) C(S_IROTH) C(S_IRUSR) C(S_IRWXG) C(S_IRWXO) C(S_IRWXU) C(S_ISGID) \
    C(S_ISUID) C(S_ISVTX) C(S_IWGRP) C(S_IWOTH) C(S_IWUSR) C(S_IXGRP) C(S_IXOTH) C(S_IXUSR) \
    C(UCHAR_MAX) C(UINTPTR_MAX) C(UINT_MAX) C(ULLONG_MAX) C(ULONG_MAX) C(USHRT_MAX) C(WCONTINUED) \
    C(WEXITED) C(WNOHANG) C(WNOWAIT) C(WSTOPPED) C(WUNTRACED) C(W_OK) C(X_OK) \
    C(ITIMER_REAL) C(ITIMER_VIRTUAL) C(ITIMER_PROF) C(_IOFBF) C(_IOLBF) C(_IONBF) \
    C(DT_BLK) C(DT_CHR) C(DT_DIR) C(DT_FIFO) C(DT_LNK) C(DT_REG) C(DT_SOCK) C(DT_UNKNOWN) C(DT_WHT)
// clang-format on

// The value as a C constant of the same type: glibc's RLIMIT_* are enumerators (int), SIZE_MAX
// is unsigned long, SA_RESETHAND unsigned int.
template<typename T>
std::string spell(T value)
{
    using V = std::conditional_t<std::is_enum_v<T>, int, T>;
    auto const v = static_cast<V>(value);
    char const* suffix = "";
    if constexpr (std::is_same_v<V, unsigned>)
        suffix = "U";
    else if constexpr (std::is_same_v<V, long>)
        suffix = "L";
    else if constexpr (std::is_same_v<V, unsigned long>)
        suffix = "UL";
    else if constexpr (std::is_same_v<V, long long>)
        suffix = "LL";
    else if constexpr (std::is_same_v<V, unsigned long long>)
        suffix = "ULL";
    if constexpr (std::is_signed_v<V>) {
        // -N-1 spells the most negative value without an out-of-range constant.
        if (v < 0)
            return format("(-{}{}-1)", -(v + 1), suffix);
    }
    return format("{}{}", +v, suffix);
}

// Constants the host spells as something other than a constant expression, or that this model
// fixes: glibc's SIGRTMIN is a function call (it reserves two signals for threads, hence 34).
constexpr std::string_view kFixedMacros = R"(
#define SIGRTMIN 34
#define SIGRTMAX 64
#define NULL ((void *)0)
#define true 1
#define false 0
#define SIG_DFL ((sighandler_t)0)
#define SIG_IGN ((sighandler_t)1)
#define SIG_ERR ((sighandler_t)-1)
#define MAP_FAILED ((void *)-1)
#define __STDC__ 1
#define __linux__ 1
#define __x86_64__ 1
#define __FORKLAB__ 1
#define FORKLAB_NOT_PRESENT (-1L)
#define FORKLAB_UNKNOWN (-2L)
)";

// glibc's <assert.h> in the form it takes for strict ISO C (statement expressions are not
// supported here). C11 7.2p1: each inclusion defines assert by whether NDEBUG is defined then.
// __func__ stands for glibc's __ASSERT_FUNCTION, which in C is the same name.
constexpr std::string_view kAssertHeader = R"(
#undef assert
#ifdef NDEBUG
#define assert(expr) ((void) (0))
#else
#define assert(expr) ((expr) ? (void) (0) : __assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif
)";

}  // namespace

std::string builtin_macros()
{
    std::string out(kFixedMacros);
#define FORKLAB_DEFINE(name) out += format("#define {} {}\n", #name, spell(name));
    FORKLAB_HOST_CONSTANTS(FORKLAB_DEFINE)
#undef FORKLAB_DEFINE
    // assert works without the #include too, as every other library name does here.
    out += kAssertHeader;
    return out;
}

std::string_view builtin_header(std::string_view name) { return name == "assert.h" ? kAssertHeader : std::string_view(); }

// The layouts follow glibc on x86-64 (checked against the host's offsetof in the tests), except
// struct sigaction: glibc's sigset_t is 128 bytes for 1024 signals, while the model has 64
// signals and makes sigset_t an unsigned long, so sa_mask is 8 bytes and sa_flags sits at 16.
constexpr std::string_view kPrelude = R"(
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int id_t;
typedef unsigned int mode_t;
typedef unsigned long size_t;
typedef long ssize_t;
typedef long off_t;
typedef long ptrdiff_t;
typedef long time_t;
typedef long suseconds_t;
typedef long clock_t;
typedef unsigned long rlim_t;
typedef unsigned long sigset_t;
typedef int sig_atomic_t;
typedef void (*sighandler_t)(int);
typedef void (*__sighandler_t)(int);
typedef _Bool bool;
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
typedef long intmax_t;
typedef unsigned long uintmax_t;
typedef struct _IO_FILE FILE;
typedef struct __dirstream DIR;

struct sigaction {
    sighandler_t sa_handler;
    sigset_t sa_mask;
    int sa_flags;
    void (*sa_restorer)(void);
};
struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; };
struct timespec { time_t tv_sec; long tv_nsec; };
struct timeval { time_t tv_sec; suseconds_t tv_usec; };
struct itimerval { struct timeval it_interval; struct timeval it_value; };
struct flock { short l_type; short l_whence; off_t l_start; off_t l_len; pid_t l_pid; };
struct stat {
    unsigned long st_dev; unsigned long st_ino; unsigned long st_nlink;
    mode_t st_mode; uid_t st_uid; gid_t st_gid; int __pad0;
    unsigned long st_rdev; off_t st_size; long st_blksize; long st_blocks;
    struct timespec st_atim; struct timespec st_mtim; struct timespec st_ctim;
    long __glibc_reserved[3];
};
struct dirent {
    unsigned long d_ino; long d_off; unsigned short d_reclen; unsigned char d_type; char d_name[256];
};

extern int errno;
extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;
extern char **environ;

int printf(const char *format, ...);
int fprintf(FILE *stream, const char *format, ...);
int dprintf(int fd, const char *format, ...);
int sprintf(char *str, const char *format, ...);
int snprintf(char *str, size_t size, const char *format, ...);
int puts(const char *s);
int fputs(const char *s, FILE *stream);
int putchar(int c);
int fputc(int c, FILE *stream);
int putc(int c, FILE *stream);
int getchar(void);
char *fgets(char *s, int size, FILE *stream);
int fflush(FILE *stream);
void setbuf(FILE *stream, char *buf);
int setvbuf(FILE *stream, char *buf, int mode, size_t size);
void perror(const char *s);
char *strerror(int errnum);

size_t strlen(const char *s);
char *strcpy(char *dest, const char *src);
char *strncpy(char *dest, const char *src, size_t n);
int strcmp(const char *s1, const char *s2);
int strncmp(const char *s1, const char *s2, size_t n);
char *strcat(char *dest, const char *src);
char *strncat(char *dest, const char *src, size_t n);
char *strdup(const char *s);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
void *memset(void *s, int c, size_t n);
void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *s1, const void *s2, size_t n);

int atoi(const char *nptr);
long atol(const char *nptr);
long strtol(const char *nptr, char **endptr, int base);
int abs(int j);
long labs(long j);
void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
void exit(int status);
void _exit(int status);
void abort(void);
int atexit(void (*function)(void));
char *getenv(const char *name);
int setenv(const char *name, const char *value, int overwrite);
int unsetenv(const char *name);
int rand(void);
void srand(unsigned int seed);

int isdigit(int c);
int isspace(int c);
int isalpha(int c);
int isalnum(int c);
int isupper(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int isxdigit(int c);
int isgraph(int c);
int iscntrl(int c);
int isblank(int c);
int toupper(int c);
int tolower(int c);

unsigned int sleep(unsigned int seconds);
int usleep(unsigned long usec);
int nanosleep(const struct timespec *req, struct timespec *rem);
time_t time(time_t *tloc);
pid_t fork(void);
pid_t vfork(void);
int execl(const char *path, const char *arg, ...);
int execlp(const char *file, const char *arg, ...);
int execle(const char *path, const char *arg, ...);
int execv(const char *path, char *const argv[]);
int execvp(const char *file, char *const argv[]);
int execve(const char *path, char *const argv[], char *const envp[]);
pid_t wait(int *wstatus);
pid_t waitpid(pid_t pid, int *wstatus, int options);
pid_t getpid(void);
pid_t getppid(void);
pid_t getpgrp(void);
pid_t getpgid(pid_t pid);
int setpgid(pid_t pid, pid_t pgid);
pid_t getsid(pid_t pid);
pid_t setsid(void);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int setuid(uid_t uid);
int setgid(gid_t gid);
int kill(pid_t pid, int sig);
int raise(int sig);
sighandler_t signal(int signum, sighandler_t handler);
int sigaction(int signum, const struct sigaction *act, struct sigaction *oldact);
int sigprocmask(int how, const sigset_t *set, sigset_t *oldset);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int signum);
int sigdelset(sigset_t *set, int signum);
int sigismember(const sigset_t *set, int signum);
int sigpending(sigset_t *set);
int sigsuspend(const sigset_t *mask);
int pause(void);
unsigned int alarm(unsigned int seconds);
int setitimer(int which, const struct itimerval *new_value, struct itimerval *old_value);
int getitimer(int which, struct itimerval *curr_value);
int pipe(int pipefd[2]);
int dup(int oldfd);
int dup2(int oldfd, int newfd);
int open(const char *pathname, int flags, ...);
int creat(const char *pathname, mode_t mode);
int close(int fd);
ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);
off_t lseek(int fd, off_t offset, int whence);
int fcntl(int fd, int cmd, ...);
int flock(int fd, int operation);
int unlink(const char *pathname);
int chdir(const char *path);
char *getcwd(char *buf, size_t size);
mode_t umask(mode_t mask);
int isatty(int fd);
int stat(const char *pathname, struct stat *statbuf);
int fstat(int fd, struct stat *statbuf);
void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t length);
int mprotect(void *addr, size_t len, int prot);
int madvise(void *addr, size_t length, int advice);
int mlock(const void *addr, size_t len);
int munlock(const void *addr, size_t len);
int mlockall(int flags);
int munlockall(void);
int brk(void *addr);
void *sbrk(intptr_t increment);
int getrlimit(int resource, struct rlimit *rlim);
int setrlimit(int resource, const struct rlimit *rlim);
int prctl(int option, ...);
int mkdir(const char *pathname, mode_t mode);
ssize_t getdents64(int fd, void *dirp, size_t count);
DIR *opendir(const char *name);
struct dirent *readdir(DIR *dirp);
int closedir(DIR *dirp);
void rewinddir(DIR *dirp);
int dirfd(DIR *dirp);

int WIFEXITED(int status);
int WEXITSTATUS(int status);
int WIFSIGNALED(int status);
int WTERMSIG(int status);
int WIFSTOPPED(int status);
int WSTOPSIG(int status);
int WIFCONTINUED(int status);
int WCOREDUMP(int status);
void __assert_fail(const char *assertion, const char *file, unsigned int line, const char *function);
void EXPECT(_Bool condition);
void NOTE(const char *text);
long forklab_frame(const void *addr);
long forklab_refcount(const void *addr);
int forklab_shared(const void *addr);
)";

std::string_view builtin_prelude() { return kPrelude; }

}  // namespace forklab::lang
