#include "fs/files_struct.h"

namespace forklab {

RefPtr<FilesStruct> FilesStruct::dup() const
{
    auto copy = make_ref<FilesStruct>();
    copy->fds = fds;  // Copying each RefPtr takes a reference on its description.
    return copy;
}

int FilesStruct::install(RefPtr<OpenFileDescription> file, bool cloexec)
{
    for (std::size_t fd = 0; fd < fds.size(); ++fd) {
        if (!fds[fd].file) {
            fds[fd] = FdSlot{std::move(file), cloexec};
            return int(fd);
        }
    }
    fds.push_back(FdSlot{std::move(file), cloexec});
    return int(fds.size() - 1);
}

int FilesStruct::count_open() const
{
    int n = 0;
    for (auto const& slot : fds)
        n += slot.file != nullptr;
    return n;
}

}  // namespace forklab
