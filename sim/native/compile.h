// The native side's compile step: scenarios and the programs of scenarios/bin/ built with the
// host's C compiler, against scenarios/include/forklab.h's native implementation.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace forklab::native {

// The C compiler: $CC if set, else "gcc"; std::nullopt when it cannot be run (not installed).
std::optional<std::string> find_compiler();

// Compile one C file into an executable. The error is the compiler's own message.
std::expected<void, std::string> compile_c(std::string const& cc, std::filesystem::path const& source,
    std::filesystem::path const& exe, std::filesystem::path const& include_dir);

// Build every scenarios/bin/NAME.c into out_dir/NAME (the native /bin of a verify run).
std::expected<void, std::string> build_bin(std::string const& cc, std::filesystem::path const& bin_dir,
    std::filesystem::path const& out_dir, std::filesystem::path const& include_dir);

// Run argv (found through PATH) and collect what it writes to stdout and stderr; the result is
// its wait status, or -1 when it could not be started.
int run_capture(std::vector<std::string> const& argv, std::string& output);

}  // namespace forklab::native
