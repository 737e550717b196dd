#include "model/open_program.h"

#include "base/format.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace forklab::gui {

namespace {

namespace fs = std::filesystem;

// Larger than any program a class reads; the error panel draws the text every frame.
constexpr std::uintmax_t kLargestProgram = 4u << 20;

std::string read_text(std::filesystem::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The number at `at` (digits only), advancing past it; std::nullopt when there is none.
std::optional<int> number_at(std::string_view text, std::size_t& at)
{
    std::size_t const start = at;
    int value = 0;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) && at - start < 9)
        value = value * 10 + (text[at++] - '0');
    if (at == start)
        return std::nullopt;
    return value;
}

// Why `path` cannot be a program before anything reads it, or an empty string. A FIFO or a
// device would block or never end a read (/dev/zero), so only regular files are read at all.
std::string not_a_program(fs::path const& path)
{
    std::error_code ec;
    fs::file_status const st = fs::status(path, ec);
    if (!fs::exists(st))
        return "cannot open " + path.string() + ": " + (ec ? ec.message() : "No such file or directory");
    if (fs::is_directory(st))
        return path.string() + " is a directory, not a C file: open a .c file in it";
    if (!fs::is_regular_file(st))
        return path.string() + " is not a regular file (a device, a pipe or a socket), so it holds no program";
    std::uintmax_t const size = fs::file_size(path, ec);
    if (!ec && size > kLargestProgram)
        return format("{} is {} bytes: too large for a teaching program (the limit is {} bytes)", path.string(), size,
            kLargestProgram);
    return {};
}

// C source is text: a NUL byte means an executable, an image or an archive.
std::string binary_error(fs::path const& path, std::string const& text)
{
    std::size_t const nul = text.find('\0');
    if (nul == std::string::npos)
        return {};
    return format("{} is a binary file, not C source (a NUL byte at offset {}): open the .c file it was built from",
        path.string(), nul);
}

}  // namespace

OpenedProgram open_program(std::filesystem::path const& path, OptionsFor const& options_for)
{
    OpenedProgram opened;
    opened.path = path;
    opened.error = not_a_program(path);
    if (!opened.error.empty())
        return opened;
    opened.error = binary_error(path, read_text(path));
    if (!opened.error.empty())
        return opened;
    auto loaded = scenario::load(path);
    if (!loaded) {
        opened.error = loaded.error();
        opened.text = read_text(path);
        return opened;
    }
    lang::RunOptions options = options_for ? options_for(*loaded) : scenario::run_options(*loaded);
    opened.text = loaded->source;
    opened.run = std::make_unique<Stepper>(path.string(), loaded->source, std::move(options));
    return opened;
}

std::string program_error(OpenedProgram const& opened)
{
    if (!opened.run)
        return opened.error;
    if (opened.run->failed_to_start())
        return opened.run->preview().error;
    return {};
}

// GCC's shape, "FILE:LINE:COL: ": the first ":LINE:COL:" of the first line. A file name may
// hold colons itself, so every colon is tried.
std::optional<int> diagnostic_line(std::string_view message)
{
    std::string_view const first = message.substr(0, message.find('\n'));
    for (std::size_t colon = first.find(':'); colon != std::string_view::npos; colon = first.find(':', colon + 1)) {
        std::size_t at = colon + 1;
        auto const line = number_at(first, at);
        if (!line || at >= first.size() || first[at] != ':')
            continue;
        ++at;
        if (number_at(first, at) && at < first.size() && first[at] == ':' && *line > 0)
            return line;
    }
    return std::nullopt;
}

}  // namespace forklab::gui
