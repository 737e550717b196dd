#include "native/compile.h"

#include "base/format.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace forklab::native {

int run_capture(std::vector<std::string> const& argv, std::string& output)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> args;
    for (auto const& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int const err = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (err != 0) {
        close(fds[0]);
        output = format("cannot run {}: {}", argv[0], std::strerror(err));
        return -1;
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            output.append(buf, std::size_t(n));
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

std::optional<std::string> find_compiler()
{
    char const* cc = std::getenv("CC");
    std::string const name = cc && *cc ? cc : "gcc";
    std::string ignored;
    int const status = run_capture({name, "--version"}, ignored);
    if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return std::nullopt;
    return name;
}

std::expected<void, std::string> compile_c(std::string const& cc, std::filesystem::path const& source,
    std::filesystem::path const& exe, std::filesystem::path const& include_dir)
{
    // -w: a scenario is judged by what it does, not by the host compiler's warnings.
    std::string output;
    int const status = run_capture(
        {cc, "-std=gnu17", "-O0", "-w", "-I", include_dir.string(), "-o", exe.string(), source.string()}, output);
    if (status < 0)
        return std::unexpected(output.empty() ? "cannot run " + cc : output);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return std::unexpected(format("{} could not compile {}:\n{}", cc, source.string(), output));
    return {};
}

std::expected<void, std::string> build_bin(std::string const& cc, std::filesystem::path const& bin_dir,
    std::filesystem::path const& out_dir, std::filesystem::path const& include_dir)
{
    std::error_code ec;
    for (auto const& entry : std::filesystem::directory_iterator(bin_dir, ec)) {
        if (entry.path().extension() != ".c")
            continue;
        if (auto r = compile_c(cc, entry.path(), out_dir / entry.path().stem(), include_dir); !r)
            return r;
    }
    if (ec)
        return std::unexpected(format("cannot read {}: {}", bin_dir.string(), ec.message()));
    return {};
}

}  // namespace forklab::native
