// The page-information broker of `forklab verify`'s sandbox.
//
// A scenario's page questions (forklab_frame, forklab_refcount, forklab_shared) are answered
// natively from /proc/PID/pagemap and /proc/kpagecount. Linux shows frame numbers only to a
// reader with CAP_SYS_ADMIN (pagemap's PFN field reads as 0 otherwise, and kpagecount and
// kpageflags are mode 0400 root), and the scenario runs as uid 1000. So the sandbox's init,
// which stays root, listens on a Unix socket and answers for them: "my page at address A?" ->
// the pagemap entry of A in the asker's own address space and, for its frame, the kpageflags
// and kpagecount entries.
//
// The socket is a named SOCK_SEQPACKET socket (its path in $FORKLAB_PAGES), connected afresh
// for every question: each question has a connection of its own, so answers to several
// processes asking at once cannot cross, and the scenario holds no descriptor of the broker's
// between questions (none shows in its fd table, none is inherited, closed, or counted). Who
// asks is read from the connection itself (SO_PEERCRED, the pid as seen in init's pid
// namespace), never from the question: a process can only ask about its own pages, and a
// process outside the sandbox's namespace (whose pid there is 0) gets no answer.
//
// The wire format is mirrored in scenarios/include/forklab.h (C, which cannot include this).
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <poll.h>
#include <span>
#include <string>
#include <sys/types.h>

namespace forklab::native {

inline constexpr std::uint32_t kPageMagic = 0x464b4c50;  // "FKLP"

struct PageQuestion {
    std::uint32_t magic = kPageMagic;
    std::uint32_t reserved = 0;
    std::uint64_t address = 0;
};

struct PageAnswer {
    enum Known : std::uint32_t {
        Pagemap = 1,  // `pagemap` is the entry of the asker's page.
        Frame = 2,    // `kpageflags` and `kpagecount` are its frame's (a page was present).
    };
    std::uint32_t magic = kPageMagic;
    std::uint32_t known = 0;
    std::uint64_t pagemap = 0;
    std::uint64_t kpageflags = 0;
    std::uint64_t kpagecount = 0;
};

static_assert(sizeof(PageQuestion) == 16 && sizeof(PageAnswer) == 32, "forklab.h reads these layouts");

// What the host says about the page at `address` of process `pid`, read as the caller (root:
// every field; anyone else: the pagemap entry with a zero PFN, and no frame).
PageAnswer read_page(pid_t pid, std::uint64_t address);

class PageBroker {
public:
    // Listen at `path` (replacing what is there), connectable by every user.
    static std::expected<PageBroker, std::string> listen(std::filesystem::path const& path);

    PageBroker(PageBroker&& other) noexcept;
    PageBroker& operator=(PageBroker&&) = delete;
    PageBroker(PageBroker const&) = delete;
    ~PageBroker();

    // The most descriptors poll_fds() adds: the listening socket and the connections whose
    // question has not arrived yet.
    static constexpr std::size_t kMostFds = 65;

    // Fill `fds` (at least kMostFds long) with what to poll(2); returns how many it used.
    std::size_t poll_fds(std::span<pollfd> fds) const;

    // After poll(2): take the new connections and answer every question that has arrived. It
    // never blocks, so a stopped or silent asker cannot hold init up.
    void serve(std::span<pollfd const> fds);

private:
    explicit PageBroker(int listen_fd) : m_listen(listen_fd) {}
    void accept_new();
    void answer(int connection);

    int m_listen = -1;
    int m_waiting[kMostFds - 1] = {};  // Connections waiting for their question, in order.
    std::size_t m_count = 0;
};

}  // namespace forklab::native
