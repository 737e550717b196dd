#include "fs/files_struct.h"

namespace forklab {

RefPtr<FilesStruct> FilesStruct::dup() const
{
    auto copy = make_ref<FilesStruct>();
    copy->fds = fds;  // Copying each RefPtr takes a reference on its description.
    return copy;
}

ErrorOr<int> FilesStruct::alloc_fd(int start, std::uint64_t limit) const
{
    std::size_t fd = std::size_t(start);
    while (fd < fds.size() && fds[fd].file)
        ++fd;
    if (fd >= limit)
        return error(EMFILE);
    return int(fd);
}

RefPtr<OpenFileDescription> FilesStruct::install(int fd, RefPtr<OpenFileDescription> file, bool cloexec)
{
    if (std::size_t(fd) >= fds.size())
        fds.resize(std::size_t(fd) + 1);
    RefPtr<OpenFileDescription> old = std::move(fds[std::size_t(fd)].file);
    fds[std::size_t(fd)] = FdSlot{std::move(file), cloexec};
    return old;
}

int FilesStruct::install(RefPtr<OpenFileDescription> file, bool cloexec)
{
    int const fd = *alloc_fd(0, ~std::uint64_t(0));
    install(fd, std::move(file), cloexec);
    return fd;
}

OpenFileDescription* FilesStruct::get(int fd) const
{
    if (fd < 0 || std::size_t(fd) >= fds.size())
        return nullptr;
    return fds[std::size_t(fd)].file.get();
}

RefPtr<OpenFileDescription> FilesStruct::take(int fd)
{
    if (fd < 0 || std::size_t(fd) >= fds.size())
        return {};
    RefPtr<OpenFileDescription> file = std::move(fds[std::size_t(fd)].file);
    fds[std::size_t(fd)].cloexec = false;
    // Trailing free slots go, so a table that shrinks back costs what it did before.
    while (!fds.empty() && !fds.back().file)
        fds.pop_back();
    return file;
}

int FilesStruct::count_open() const
{
    int n = 0;
    for (auto const& slot : fds)
        n += slot.file != nullptr;
    return n;
}

}  // namespace forklab
