#include "native/page_broker.h"

#include "base/format.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <utility>

namespace forklab::native {

namespace {

// Documentation/admin-guide/mm/pagemap.rst: bits 0-54 the PFN, 62 swapped, 63 present.
constexpr std::uint64_t kPresent = 1ULL << 63;
constexpr std::uint64_t kSwapped = 1ULL << 62;
constexpr std::uint64_t kPfnMask = (1ULL << 55) - 1;

// The most connections the listening socket holds before accept(2).
constexpr int kBacklog = 64;

// One 64-bit entry of a /proc file indexed by page or frame number.
bool read_entry(char const* path, std::uint64_t index, std::uint64_t& entry)
{
    int const fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t const got = pread(fd, &entry, sizeof entry, off_t(index * sizeof entry));
    close(fd);
    return got == ssize_t(sizeof entry);
}

}  // namespace

PageAnswer read_page(pid_t pid, std::uint64_t address)
{
    PageAnswer a;
    char pagemap[64];
    std::snprintf(pagemap, sizeof pagemap, "/proc/%d/pagemap", int(pid));
    if (!read_entry(pagemap, address / std::uint64_t(sysconf(_SC_PAGESIZE)), a.pagemap))
        return a;
    a.known |= PageAnswer::Pagemap;
    // A swapped-out page's entry holds a swap location, not a frame; and without
    // CAP_SYS_ADMIN the PFN field reads as 0.
    std::uint64_t const pfn = a.pagemap & kPfnMask;
    if (!(a.pagemap & kPresent) || (a.pagemap & kSwapped) || pfn == 0)
        return a;
    if (read_entry("/proc/kpageflags", pfn, a.kpageflags) && read_entry("/proc/kpagecount", pfn, a.kpagecount))
        a.known |= PageAnswer::Frame;
    return a;
}

std::expected<PageBroker, std::string> PageBroker::listen(std::filesystem::path const& path)
{
    sockaddr_un where{};
    where.sun_family = AF_UNIX;
    if (path.native().size() >= sizeof where.sun_path)
        return std::unexpected(format("the socket path {} is longer than a Unix socket's", path.string()));
    std::memcpy(where.sun_path, path.c_str(), path.native().size());
    int const fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return std::unexpected(format("socket: {}", std::strerror(errno)));
    PageBroker broker(fd);
    unlink(path.c_str());
    // Any user may connect: the scenario runs as its own uid, and the answer is only ever about
    // the asker's own pages.
    if (bind(fd, reinterpret_cast<sockaddr const*>(&where), sizeof where) != 0 || chmod(path.c_str(), 0666) != 0 ||
        ::listen(fd, kBacklog) != 0)
        return std::unexpected(format("cannot listen at {}: {}", path.string(), std::strerror(errno)));
    return broker;
}

PageBroker::PageBroker(PageBroker&& other) noexcept
    : m_listen(std::exchange(other.m_listen, -1)), m_count(std::exchange(other.m_count, 0))
{
    std::memcpy(m_waiting, other.m_waiting, sizeof m_waiting);
}

PageBroker::~PageBroker()
{
    for (std::size_t i = 0; i < m_count; ++i)
        close(m_waiting[i]);
    if (m_listen >= 0)
        close(m_listen);
}

std::size_t PageBroker::poll_fds(std::span<pollfd> fds) const
{
    // A full table of waiting connections stops accept(2) (a negative fd is not polled) until
    // one is answered; the askers beyond it wait in the listen backlog.
    fds[0] = {m_count < std::size(m_waiting) ? m_listen : -1, POLLIN, 0};
    for (std::size_t i = 0; i < m_count; ++i)
        fds[i + 1] = {m_waiting[i], POLLIN, 0};
    return m_count + 1;
}

void PageBroker::serve(std::span<pollfd const> fds)
{
    for (pollfd const& p : fds) {
        if (!p.revents || p.fd < 0)
            continue;
        if (p.fd == m_listen) {
            accept_new();
            continue;
        }
        answer(p.fd);
    }
}

void PageBroker::accept_new()
{
    while (m_count < std::size(m_waiting)) {
        int const c = accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0)
            return;  // EAGAIN: nobody else is knocking (or an asker gave up before accept).
        m_waiting[m_count++] = c;
    }
}

void PageBroker::answer(int connection)
{
    PageQuestion q;
    // MSG_TRUNC: the length of the whole packet, so a longer one is told apart from ours.
    ssize_t const n = recv(connection, &q, sizeof q, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;  // Not here yet: keep waiting for it.
    ucred who{};
    socklen_t len = sizeof who;
    if (n == ssize_t(sizeof q) && q.magic == kPageMagic &&
        getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &who, &len) == 0 && who.pid > 0) {
        PageAnswer const a = read_page(who.pid, q.address);
        // The asker waits in recv(2) with room for the answer; if it has gone, so be it.
        if (send(connection, &a, sizeof a, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
        }
    }
    close(connection);
    auto* const end = m_waiting + m_count;
    auto* const at = std::find(m_waiting, end, connection);
    if (at != end) {
        std::move(at + 1, end, at);
        --m_count;
    }
}

}  // namespace forklab::native
