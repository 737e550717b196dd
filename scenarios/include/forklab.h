/* forklab.h: checks, narration and page introspection for forklab scenarios.
 *
 * The same scenario runs in two worlds:
 *  - in forklab's model, where `#include "forklab.h"` is built in and every name below is a
 *    library function of the interpreter (sim/lang/runtime.cpp, sim/lang/libc_forklab.cpp);
 *  - on the real kernel, compiled with `gcc -Iscenarios/include scenario.c`, where this file is
 *    the implementation (the native verifier, `forklab verify`, builds scenarios this way).
 *
 *   EXPECT(cond)       A checked assertion. A failure is reported with its file and line and
 *                      the program goes on: EXPECT never changes what the program prints or its
 *                      exit status (a parent's wait() must see the same status in both worlds).
 *                      Natively each EXPECT a process runs is one line, appended to the file
 *                      named by the environment variable FORKLAB_REPORT when it is set (a
 *                      passed one only there), else a failed or skipped one is written to
 *                      stderr with write(2) (stdio's buffers are not touched):
 *                          forklab: EXPECT passed at FILE:LINE in pid PID: COND
 *                          forklab: EXPECT failed at FILE:LINE in pid PID (pages): COND
 *                          forklab: EXPECT skipped at FILE:LINE in pid PID (pages): COND
 *                      "(pages)": the condition asked one of the page questions below.
 *                      "skipped" means the condition used an introspection call that the host
 *                      kernel would not answer (FORKLAB_UNKNOWN): it was neither passed nor
 *                      failed.
 *   NOTE("text")       A narration point: the GUI pauses on it and shows the text. Natively it
 *                      does nothing at all.
 *
 *   long forklab_frame(const void *addr)
 *       The physical frame number behind addr; FORKLAB_NOT_PRESENT (-1) when no page is mapped
 *       there yet. The shared zero page is frame 0. Natively: the pagemap's PFN (CAP_SYS_ADMIN
 *       only) and /proc/kpageflags to recognise the zero page.
 *   long forklab_refcount(const void *addr)
 *       How many page-table entries map that frame, in any process (Linux's map count): 1 for a
 *       private page, 2 or more while fork's copy-on-write keeps it shared. 0 when no page is
 *       mapped; FORKLAB_UNKNOWN for the zero page, which Linux does not count. Natively:
 *       /proc/kpagecount (root only); without it the pagemap's "exclusively mapped" bit
 *       (readable by anyone) still answers 1.
 *   int forklab_shared(const void *addr)
 *       1 when another mapping sees the same page (a copy-on-write page not yet split, MAP_SHARED
 *       memory, the zero page), 0 when the page is this mapping's alone or is not there.
 *       Natively: the pagemap's "exclusively mapped" bit, readable without privileges.
 *
 * Natively the pagemap and frame files are read by forklab verify's page broker, which runs as
 * root beside the scenario (see "Page questions" below), else by the process itself. Each
 * returns FORKLAB_UNKNOWN (-2) when the host does not say (no /proc, or neither the broker nor
 * the process may read frame numbers); an EXPECT that used such an answer is reported as
 * skipped. They leave errno as it was. In the model the answers are
 * always known. Frame numbers are the model's in one world and the host's in the other: compare
 * them with each other (same frame or not), never with a number written in the scenario.
 */
#ifndef FORKLAB_H
#define FORKLAB_H

#ifndef __FORKLAB__ /* Compiled by gcc: the native implementation. */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FORKLAB_NOT_PRESENT (-1L)
#define FORKLAB_UNKNOWN (-2L)

/* Set by an introspection call that could not answer, and by any page question; EXPECT clears
 * them before its condition. They fill a page of their own, so that EXPECT's bookkeeping never
 * writes to (and so never splits) a copy-on-write page that the scenario is looking at. */
static int forklab_state_[4096 / sizeof(int)] __attribute__((aligned(4096), unused));
#define forklab_unknown_ (forklab_state_[0])
#define forklab_asked_ (forklab_state_[1])

#define EXPECT(cond) \
    forklab_expect_((forklab_unknown_ = 0, forklab_asked_ = 0, (cond) != 0), #cond, __FILE__, __LINE__)
#define NOTE(text) ((void)(text))

/* The report leaves errno as it was: the scenario may print strerror(errno) next. */
static inline void forklab_report_(const char *what, const char *cond, const char *file, int line)
{
    char text[512];
    const char *report = getenv("FORKLAB_REPORT");
    int saved = errno, fd = 2;
    int n = snprintf(text, sizeof text, "forklab: EXPECT %s at %s:%d in pid %d%s: %s\n", what, file, line,
        (int)getpid(), forklab_asked_ ? " (pages)" : "", cond);
    if (n < 0)
        return;
    if (n >= (int)sizeof text) {
        n = (int)sizeof text;
        text[n - 1] = '\n';
    }
    if (report && *report)
        fd = open(report, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    else if (what[0] == 'p')
        return; /* Nobody counts the passed ones. */
    if (fd >= 0) {
        /* One write(2) per line: O_APPEND keeps lines from several processes whole. */
        if (write(fd, text, (size_t)n) < 0) {
        }
        if (fd != 2)
            close(fd);
    }
    errno = saved;
}

static inline void forklab_expect_(int ok, const char *cond, const char *file, int line)
{
    forklab_report_(forklab_unknown_ ? "skipped" : ok ? "passed" : "failed", cond, file, line);
}

/* ---- Page questions ------------------------------------------------------------------------
 *
 * What the host says about one page: its pagemap entry (Documentation/admin-guide/mm/pagemap.rst)
 * and, when its frame number is known, that frame's /proc/kpageflags and /proc/kpagecount
 * entries. Linux shows frame numbers only to CAP_SYS_ADMIN, so two sources, in order:
 *  1. forklab verify's page broker: the sandbox's init, still root, listens on the Unix socket
 *     named by $FORKLAB_PAGES and reads /proc/PID/pagemap for whoever connects (the kernel tells
 *     it the caller's pid, so a process only learns about its own pages). A connection per
 *     question: no descriptor is kept, so the scenario's fd table is the same before and after.
 *  2. The process's own /proc/self/pagemap, and the frame files when it may read them (root).
 * The layout below is the broker's (sim/native/page_broker.h). */
struct forklab_page_ {
    uint32_t magic;
    uint32_t known; /* FORKLAB_KNOWN_* */
    uint64_t pagemap;
    uint64_t kpageflags;
    uint64_t kpagecount;
};

#define FORKLAB_PAGES_MAGIC_ 0x464b4c50u
#define FORKLAB_KNOWN_PAGEMAP_ 1u
#define FORKLAB_KNOWN_FRAME_ 2u

#define FORKLAB_PM_PRESENT_ (1ULL << 63)
#define FORKLAB_PM_SWAPPED_ (1ULL << 62)
#define FORKLAB_PM_EXCLUSIVE_ (1ULL << 56)
#define FORKLAB_PM_PFN_ ((1ULL << 55) - 1)
#define FORKLAB_KPF_ZERO_PAGE_ (1ULL << 24)

/* The broker is reached with raw system calls, not <sys/socket.h>: that header would declare
 * socket, bind, send, accept, ... in every scenario, whose own functions may have those names.
 * The constants are Linux's ABI: AF_UNIX 1, SOCK_SEQPACKET 5, MSG_NOSIGNAL 0x4000. */
static inline int forklab_ask_broker_(const void *addr, struct forklab_page_ *page)
{
    const char *path = getenv("FORKLAB_PAGES");
    struct {
        unsigned short family;
        char path[108];
    } where;
    struct {
        uint32_t magic, reserved;
        uint64_t address;
    } question = {FORKLAB_PAGES_MAGIC_, 0, (uint64_t)(uintptr_t)addr};
    size_t length;
    long fd, got = -1;
    int asked;
    if (!path || (length = strlen(path)) == 0 || length >= sizeof where.path)
        return 0;
    memset(&where, 0, sizeof where);
    where.family = 1;
    memcpy(where.path, path, length);
    fd = syscall(SYS_socket, 1, 5 | O_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    /* MSG_NOSIGNAL: a broker that has gone is an unanswered question, not a SIGPIPE. */
    asked = syscall(SYS_connect, fd, &where, sizeof where) == 0 &&
        syscall(SYS_sendto, fd, &question, sizeof question, 0x4000, NULL, 0) == (long)sizeof question;
    while (asked && (got = syscall(SYS_recvfrom, fd, page, sizeof *page, 0, NULL, NULL)) < 0 && errno == EINTR) {
    }
    close((int)fd);
    return got == (long)sizeof *page && page->magic == FORKLAB_PAGES_MAGIC_ && (page->known & FORKLAB_KNOWN_PAGEMAP_);
}

/* One 64-bit entry of a /proc file indexed by page or frame number; 0 when it cannot be read. */
static inline int forklab_read_entry_(const char *path, uint64_t index, uint64_t *entry)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got = -1;
    if (fd < 0)
        return 0;
    if (lseek(fd, (off_t)(index * sizeof *entry), SEEK_SET) >= 0)
        got = read(fd, entry, sizeof *entry);
    close(fd);
    return got == (ssize_t)sizeof *entry;
}

/* The process's own reads: the PFN reads as 0 without CAP_SYS_ADMIN, and the frame files are
 * root's alone. */
static inline void forklab_read_page_(const void *addr, struct forklab_page_ *page)
{
    uint64_t pfn;
    if (!forklab_read_entry_("/proc/self/pagemap", (uint64_t)(uintptr_t)addr / (uint64_t)sysconf(_SC_PAGESIZE),
            &page->pagemap))
        return;
    page->known = FORKLAB_KNOWN_PAGEMAP_;
    pfn = page->pagemap & FORKLAB_PM_PFN_;
    if ((page->pagemap & FORKLAB_PM_PRESENT_) && !(page->pagemap & FORKLAB_PM_SWAPPED_) && pfn != 0 &&
        forklab_read_entry_("/proc/kpageflags", pfn, &page->kpageflags) &&
        forklab_read_entry_("/proc/kpagecount", pfn, &page->kpagecount))
        page->known |= FORKLAB_KNOWN_FRAME_;
}

/* addr's page, from the broker or else the process's own reads; errno is left as it was. */
static inline void forklab_page_(const void *addr, struct forklab_page_ *page)
{
    int saved = errno;
    memset(page, 0, sizeof *page);
    if (!forklab_ask_broker_(addr, page)) {
        memset(page, 0, sizeof *page);
        forklab_read_page_(addr, page);
    }
    if (page->pagemap & FORKLAB_PM_SWAPPED_) {
        page->pagemap = 0; /* Swapped out: no frame behind it right now. */
        page->known &= ~FORKLAB_KNOWN_FRAME_;
    }
    forklab_asked_ = 1;
    errno = saved;
}

static inline long forklab_unknown_answer_(void)
{
    forklab_unknown_ = 1;
    return FORKLAB_UNKNOWN;
}

static inline long forklab_frame(const void *addr)
{
    struct forklab_page_ page;
    forklab_page_(addr, &page);
    if (!(page.known & FORKLAB_KNOWN_PAGEMAP_))
        return forklab_unknown_answer_();
    if (!(page.pagemap & FORKLAB_PM_PRESENT_))
        return FORKLAB_NOT_PRESENT;
    if (!(page.known & FORKLAB_KNOWN_FRAME_))
        return forklab_unknown_answer_();
    return (page.kpageflags & FORKLAB_KPF_ZERO_PAGE_) ? 0 : (long)(page.pagemap & FORKLAB_PM_PFN_);
}

static inline long forklab_refcount(const void *addr)
{
    struct forklab_page_ page;
    forklab_page_(addr, &page);
    if (!(page.known & FORKLAB_KNOWN_PAGEMAP_))
        return forklab_unknown_answer_();
    if (!(page.pagemap & FORKLAB_PM_PRESENT_))
        return 0;
    if ((page.known & FORKLAB_KNOWN_FRAME_) && !(page.kpageflags & FORKLAB_KPF_ZERO_PAGE_))
        return (long)page.kpagecount;
    /* Without the frame, the "exclusively mapped" bit (readable by anyone) still answers 1. */
    if (page.pagemap & FORKLAB_PM_EXCLUSIVE_)
        return 1;
    return forklab_unknown_answer_();
}

static inline int forklab_shared(const void *addr)
{
    struct forklab_page_ page;
    forklab_page_(addr, &page);
    if (!(page.known & FORKLAB_KNOWN_PAGEMAP_))
        return (int)forklab_unknown_answer_();
    if (!(page.pagemap & FORKLAB_PM_PRESENT_))
        return 0;
    return (page.pagemap & FORKLAB_PM_EXCLUSIVE_) == 0;
}

#endif /* !__FORKLAB__ */
#endif /* FORKLAB_H */
