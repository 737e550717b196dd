// The "Open file..." chooser's data: a folder's sub-folders and C files, and what a typed path
// or a click means. It only reads the file system, through std::filesystem's error_code
// overloads, so a folder that cannot be read (EACCES, ENOENT, ENOTDIR) is a message to show,
// never an exception. The panel (panels/file_chooser_panel.cpp) draws it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace forklab::gui {

struct DirEntry {
    std::string name;               // "cow_split.c", "memory"
    std::filesystem::path path;
    bool directory = false;
};

struct DirListing {
    std::filesystem::path dir;      // Absolute and normalised, so that its parent is a real folder.
    std::vector<DirEntry> entries;  // Folders first, then .c files, each by name; no hidden ones.
    std::string error;              // Why the folder could not be (fully) read; empty when it could.
};

// The folders and .c files in `dir`. Hidden entries (a leading dot, as ls(1) hides them) are
// left out, and so are other files: the GUI runs C programs only.
DirListing list_c_files(std::filesystem::path const& dir);

// The chooser between frames: the folder shown, the path being typed, the last complaint.
class FileChooser {
public:
    // Show `dir`; when it cannot be read, stay where we are and say why (false).
    bool go_to(std::filesystem::path const& dir);
    bool go_up() { return go_to(m_listing.dir.parent_path()); }
    // A click on an entry: a folder is entered, a file is the one to open.
    std::optional<std::filesystem::path> choose(DirEntry const&);
    // Enter in the path field: the typed path, relative to the folder shown (~ is $HOME). A
    // folder is entered; a readable regular file is returned to open; anything else (missing,
    // unreadable, a device or a pipe) leaves a message and returns nothing.
    std::optional<std::filesystem::path> enter();

    DirListing const& listing() const { return m_listing; }
    std::string& typed() { return m_typed; }
    std::string const& message() const { return m_message; }
    // True from when the chooser rewrote the typed path (it entered a folder) until the panel
    // has put the new text, cursor at its end, into the field being typed in.
    bool typed_rewritten() const { return m_rewritten; }
    void rewrite_seen() { m_rewritten = false; }

private:
    std::filesystem::path resolve(std::string const& typed) const;

    DirListing m_listing;
    std::string m_typed;
    std::string m_message;
    bool m_rewritten = false;
};

}  // namespace forklab::gui
