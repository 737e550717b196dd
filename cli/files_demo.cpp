// `forklab demo --files`: why a forked child's output does not overwrite its parent's. The
// program, driven on the model kernel one system call per step:
//
//     int fd = open("/tmp/log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
//     write(fd, "parent: before fork\n", 20);
//     if (fork() == 0) { write(fd, "child: hello\n", 13); exit(0); }
//     wait(NULL);
//     write(fd, "parent: after wait\n", 19);
//
// fork() copies the fd table, not the open file description behind fd 3, so both processes
// move one offset: each write lands after the other's.
#include "files_demo.h"

#include "report.h"
#include "show.h"
#include "kernel/kernel.h"

#include <iostream>

namespace forklab::cli {

namespace {

class FilesDemo {
public:
    void run()
    {
        m_main = must(m_kernel.fork(1));
        must(m_kernel.setuid(m_main, 1000));
        must(m_kernel.set_name(m_main, "log"));
        m_buffer = must(m_kernel.mmap(m_main, 0, kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS));
        int fd = 0;
        step("fd = open(\"/tmp/log\", O_WRONLY | O_CREAT | O_TRUNC, 0644);",
            [&] { fd = must(m_kernel.open(m_main, "/tmp/log", O_WRONLY | O_CREAT | O_TRUNC, 0644)); });
        step("write(fd, \"parent: before fork\\n\", 20);", [&] { put(m_main, fd, "parent: before fork\n"); });
        step("pid = fork();", [&] { m_child = must(m_kernel.fork(m_main)); });
        m_lsof = lsof_text();
        step("write(fd, \"child: hello\\n\", 13);          (the child)", [&] { put(m_child, fd, "child: hello\n"); });
        step("exit(0);                                     (the child)", [&] { must(m_kernel.exit_group(m_child, 0)); });
        step("wait(NULL);", [&] { must(m_kernel.wait4(m_main, -1, 0)); });
        step("write(fd, \"parent: after wait\\n\", 19);", [&] { put(m_main, fd, "parent: after wait\n"); });
        step("close(fd);", [&] { must(m_kernel.close(m_main, fd)); });
    }

    Kernel const& kernel() const { return m_kernel; }
    std::string const& lsof_after_fork() const { return m_lsof; }
    std::vector<std::pair<std::string, std::size_t>> const& lines() const { return m_lines; }

    // The file as `cat /tmp/log` would show it.
    std::string contents() const
    {
        auto where = must(m_kernel.vfs().lookup("/", "/tmp/log", FsCred{}));
        std::string text(where.inode->size, '\0');
        where.inode->read_at(0, std::span(reinterpret_cast<std::uint8_t*>(text.data()), text.size()));
        return text;
    }

private:
    template<typename F>
    void step(std::string line, F const& body)
    {
        m_kernel.set_step(m_kernel.step() + 1);
        m_lines.emplace_back(std::move(line), m_kernel.events().size());
        body();
    }
    // The string goes into the process's own memory first: write() copies from there.
    void put(pid_t pid, int fd, std::string_view text)
    {
        auto const* bytes = reinterpret_cast<std::uint8_t const*>(text.data());
        if (!must(m_kernel.write_memory(pid, m_buffer, std::span(bytes, text.size()))).ok)
            std::exit(1);
        must(m_kernel.write(pid, fd, m_buffer, text.size()));
    }
    std::string lsof_text() const
    {
        std::ostringstream out;
        show_fds(out, m_kernel);
        return out.str();
    }

    Kernel m_kernel;
    pid_t m_main = 0;
    pid_t m_child = 0;
    std::uint64_t m_buffer = 0;
    std::string m_lsof;
    std::vector<std::pair<std::string, std::size_t>> m_lines;  // Source line, first event.
};

// The file's story; the terminal descriptors every process has are left out.
bool worth_showing(Event const& e)
{
    if (e.kind == EventKind::FileClosed)
        return e.value > 2;
    return e.kind == EventKind::FileOpened || e.kind == EventKind::FileWrite || e.kind == EventKind::Fork ||
        e.kind == EventKind::Reap;
}

}  // namespace

void run_files_demo(bool json)
{
    FilesDemo demo;
    demo.run();
    if (json) {
        nlohmann::json out{{"file", demo.contents()}, {"events", events_json(demo.kernel())},
            {"open_file_descriptions", demo.kernel().vfs().nr_files()}, {"inodes", demo.kernel().vfs().nr_inodes()}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << "One open file, two processes  -- whose write lands where?\n";
    auto const& lines = demo.lines();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::size_t const first = lines[i].second;
        std::size_t const last = i + 1 < lines.size() ? lines[i + 1].second : demo.kernel().events().size();
        std::cout << "\n  " << lines[i].first << "\n";
        for (std::size_t e = first; e < last; ++e)
            if (Event const& ev = demo.kernel().events()[e]; worth_showing(ev))
                std::cout << "      " << explain(ev) << "\n";
        if (i == 2)
            std::cout << "\n  Right after fork (lsof): both fd 3s name open file description #2\n\n"
                      << demo.lsof_after_fork();
    }
    std::cout << "\n$ cat /tmp/log\n" << demo.contents()
              << "\nNo line overwrote another: parent and child share one offset, because fork copies the\n"
                 "fd table but not the open file descriptions it points to.\n";
}

}  // namespace forklab::cli
