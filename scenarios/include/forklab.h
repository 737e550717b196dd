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
 *                      Natively the report is one line, appended to the file named by the
 *                      environment variable FORKLAB_REPORT when it is set, else written to
 *                      stderr with write(2) (stdio's buffers are not touched):
 *                          forklab: EXPECT failed at FILE:LINE in pid PID: COND
 *                          forklab: EXPECT skipped at FILE:LINE in pid PID: COND
 *                      "skipped" means the condition used an introspection call that the host
 *                      kernel would not answer (FORKLAB_UNKNOWN): it was neither passed nor
 *                      failed.
 *   NOTE("text")       A narration point: the GUI pauses on it and shows the text. Natively it
 *                      does nothing at all.
 *
 *   long forklab_frame(const void *addr)
 *       The physical frame number behind addr; FORKLAB_NOT_PRESENT (-1) when no page is mapped
 *       there yet. The shared zero page is frame 0. Natively: /proc/self/pagemap's PFN (root
 *       only) and /proc/kpageflags to recognise the zero page.
 *   long forklab_refcount(const void *addr)
 *       How many page-table entries map that frame, in any process (Linux's map count): 1 for a
 *       private page, 2 or more while fork's copy-on-write keeps it shared. 0 when no page is
 *       mapped; FORKLAB_UNKNOWN for the zero page, which Linux does not count. Natively: the
 *       pagemap's "exclusively mapped" bit (readable by anyone) answers 1, else /proc/kpagecount.
 *   int forklab_shared(const void *addr)
 *       1 when another mapping sees the same page (a copy-on-write page not yet split, MAP_SHARED
 *       memory, the zero page), 0 when the page is this mapping's alone or is not there.
 *       Natively: the pagemap's "exclusively mapped" bit, readable without privileges.
 *
 * Each natively returns FORKLAB_UNKNOWN (-2) when the host does not say (no /proc, or not
 * root); an EXPECT that used such an answer is reported as skipped. In the model the answers are
 * always known. Frame numbers are the model's in one world and the host's in the other: compare
 * them with each other (same frame or not), never with a number written in the scenario.
 */
#ifndef FORKLAB_H
#define FORKLAB_H

#ifndef __FORKLAB__ /* Compiled by gcc: the native implementation. */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FORKLAB_NOT_PRESENT (-1L)
#define FORKLAB_UNKNOWN (-2L)

/* Set by an introspection call that could not answer; EXPECT clears it before its condition.
 * It fills a page of its own, so that EXPECT's bookkeeping never writes to (and so never
 * splits) a copy-on-write page that the scenario is looking at. */
static int forklab_state_[4096 / sizeof(int)] __attribute__((aligned(4096), unused));
#define forklab_unknown_ (forklab_state_[0])

#define EXPECT(cond) forklab_expect_((forklab_unknown_ = 0, (cond) != 0), #cond, __FILE__, __LINE__)
#define NOTE(text) ((void)(text))

static inline void forklab_report_(const char *what, const char *cond, const char *file, int line)
{
    char text[512];
    const char *report = getenv("FORKLAB_REPORT");
    int fd = 2;
    int n = snprintf(text, sizeof text, "forklab: EXPECT %s at %s:%d in pid %d: %s\n", what, file, line,
        (int)getpid(), cond);
    if (n < 0)
        return;
    if (n >= (int)sizeof text)
        n = (int)sizeof text - 1;
    if (report && *report)
        fd = open(report, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0)
        return;
    /* One write(2) per line: O_APPEND keeps lines from several processes whole. */
    if (write(fd, text, (size_t)n) < 0) {
    }
    if (fd != 2)
        close(fd);
}

static inline void forklab_expect_(int ok, const char *cond, const char *file, int line)
{
    if (forklab_unknown_)
        forklab_report_("skipped", cond, file, line);
    else if (!ok)
        forklab_report_("failed", cond, file, line);
}

/* One 64-bit entry of a /proc file indexed by page or frame number; 0 when it cannot be read. */
static inline int forklab_read_entry_(const char *path, uint64_t index, uint64_t *entry)
{
    int fd = open(path, O_RDONLY);
    ssize_t got = -1;
    if (fd < 0)
        return 0;
    if (lseek(fd, (off_t)(index * sizeof *entry), SEEK_SET) >= 0)
        got = read(fd, entry, sizeof *entry);
    close(fd);
    return got == (ssize_t)sizeof *entry;
}

#define FORKLAB_PM_PRESENT_ (1ULL << 63)
#define FORKLAB_PM_SWAPPED_ (1ULL << 62)
#define FORKLAB_PM_EXCLUSIVE_ (1ULL << 56)
#define FORKLAB_PM_PFN_ ((1ULL << 55) - 1)
#define FORKLAB_KPF_ZERO_PAGE_ (1ULL << 24)

/* The pagemap entry of addr's page (Documentation/admin-guide/mm/pagemap.rst). */
static inline int forklab_pagemap_(const void *addr, uint64_t *entry)
{
    uint64_t page = (uint64_t)(uintptr_t)addr / (uint64_t)sysconf(_SC_PAGESIZE);
    if (!forklab_read_entry_("/proc/self/pagemap", page, entry))
        return 0;
    if (*entry & FORKLAB_PM_SWAPPED_)
        *entry = 0; /* Swapped out: no frame behind it right now. */
    return 1;
}

static inline long forklab_unknown_answer_(void)
{
    forklab_unknown_ = 1;
    return FORKLAB_UNKNOWN;
}

/* The PFN and whether it is the zero page; 0 when the host hides either (not root). */
static inline int forklab_pfn_(uint64_t entry, uint64_t *pfn, int *zero)
{
    uint64_t flags = 0;
    *pfn = entry & FORKLAB_PM_PFN_;
    if (*pfn == 0 || !forklab_read_entry_("/proc/kpageflags", *pfn, &flags))
        return 0;
    *zero = (flags & FORKLAB_KPF_ZERO_PAGE_) != 0;
    return 1;
}

static inline long forklab_frame(const void *addr)
{
    uint64_t entry, pfn;
    int zero;
    if (!forklab_pagemap_(addr, &entry))
        return forklab_unknown_answer_();
    if (!(entry & FORKLAB_PM_PRESENT_))
        return FORKLAB_NOT_PRESENT;
    if (!forklab_pfn_(entry, &pfn, &zero))
        return forklab_unknown_answer_();
    return zero ? 0 : (long)pfn;
}

static inline long forklab_refcount(const void *addr)
{
    uint64_t entry, pfn, count;
    int zero;
    if (!forklab_pagemap_(addr, &entry))
        return forklab_unknown_answer_();
    if (!(entry & FORKLAB_PM_PRESENT_))
        return 0;
    if (entry & FORKLAB_PM_EXCLUSIVE_)
        return 1;
    if (!forklab_pfn_(entry, &pfn, &zero) || zero || !forklab_read_entry_("/proc/kpagecount", pfn, &count))
        return forklab_unknown_answer_();
    return (long)count;
}

static inline int forklab_shared(const void *addr)
{
    uint64_t entry;
    if (!forklab_pagemap_(addr, &entry))
        return (int)forklab_unknown_answer_();
    if (!(entry & FORKLAB_PM_PRESENT_))
        return 0;
    return (entry & FORKLAB_PM_EXCLUSIVE_) == 0;
}

#endif /* !__FORKLAB__ */
#endif /* FORKLAB_H */
