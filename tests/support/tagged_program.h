// A small program image for kernel tests: each section holds a tag saying which program it
// belongs to ("prog text", "prog data"), so a test can tell after execve(2) whose memory a
// process has. Installed in the model's file system as the language front end installs a
// compiled program in /bin.
#pragma once

#include "support/lab.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace forklab::test {

class TaggedProgram final : public Executable {
public:
    explicit TaggedProgram(ProgramImage image) : m_image(std::move(image)) {}
    ProgramImage const& image() const override { return m_image; }

private:
    ProgramImage m_image;
};

inline std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

// Text, rodata and data that name the program, and a page of bss.
inline ProgramImage image_of(std::string_view tag)
{
    ProgramImage img;
    img.text = bytes_of(std::string(tag) + " text");
    img.rodata = bytes_of(std::string(tag) + " rodata");
    img.data = bytes_of(std::string(tag) + " data");
    img.bss_size = kPageSize;
    return img;
}

inline std::shared_ptr<Executable const> make_program(std::string_view tag)
{
    return std::make_shared<TaggedProgram>(image_of(tag));
}

// The program's inode. A raw pointer: its directory holds it, and a reference held by the test
// would be one check_invariants() cannot account for.
inline Inode* install(Lab& lab, std::string_view path, std::string_view tag = "prog", mode_t mode = 0755)
{
    auto r = lab.k.vfs().install_program(path, make_program(tag), mode);
    REQUIRE_MESSAGE(r, "install_program failed: " << why(r));
    return r->get();
}

}  // namespace forklab::test
