// `forklab demo --cow [--strategy S]`: the textbook copy-on-write program, driven on the model
// kernel one system call or memory access per step:
//
//     int x = 100;                  // .data
//     int main(void) {
//         x = 101;
//         if (fork() == 0) { x = 200; printf("child x=%d\n", x); exit(0); }
//         wait(NULL);
//         x = 300; printf("parent x=%d\n", x);
//     }
//
// Each page fault is explained, and the counters at the end show what the fork strategy cost.
#include "cow_demo.h"

#include "report.h"
#include "kernel/kernel.h"

#include <cstring>
#include <iostream>

namespace forklab::cli {

namespace {

class CowDemo {
public:
    explicit CowDemo(ForkStrategy strategy) : m_kernel(config(strategy)) {}

    void run()
    {
        m_main = must(m_kernel.fork(1));
        must(m_kernel.setuid(m_main, 1000));
        ProgramImage image;
        image.text = {0x90, 0xc3};
        image.data = {100, 0, 0, 0};  // int x = 100;
        must(m_kernel.exec_image(m_main, "cow", image));
        m_x = MmStruct::kTextBase + 2 * kPageSize;  // text, rodata, then .data.

        step("x = 101;", [&] { store(m_main, 101); });
        step("pid = fork();", [&] { m_child = must(m_kernel.fork(m_main)); });
        step("x = 200;                       (the child)", [&] { store(m_child, 200); });
        step("printf(\"child x=%d\", x);", [&] { say("child x=" + std::to_string(load(m_child))); });
        step("exit(0);                       (the child)", [&] { must(m_kernel.exit_group(m_child, 0)); });
        step("wait(NULL);", [&] { must(m_kernel.wait4(m_main, -1, 0)); });
        step("x = 300;", [&] { store(m_main, 300); });
        step("printf(\"parent x=%d\", x);", [&] { say("parent x=" + std::to_string(load(m_main))); });
    }

    Kernel const& kernel() const { return m_kernel; }
    std::vector<std::string> const& output() const { return m_output; }
    std::vector<std::pair<std::string, std::size_t>> const& lines() const { return m_lines; }

private:
    static KernelConfig config(ForkStrategy strategy)
    {
        KernelConfig c;
        c.physical_frames = 1024;
        c.fork_strategy = strategy;
        return c;
    }
    template<typename F>
    void step(std::string line, F const& body)
    {
        m_kernel.set_step(m_kernel.step() + 1);
        m_lines.emplace_back(std::move(line), m_kernel.events().size());
        body();
    }
    void say(std::string line)
    {
        m_output.push_back(line);
        m_lines.back().first += "   -> prints \"" + line + "\"";
    }
    void store(pid_t pid, std::int32_t value)
    {
        std::uint8_t bytes[4];
        std::memcpy(bytes, &value, 4);
        if (!must(m_kernel.write_memory(pid, m_x, bytes)).ok)
            std::exit(1);
    }
    std::int32_t load(pid_t pid)
    {
        std::uint8_t bytes[4];
        if (!must(m_kernel.read_memory(pid, m_x, bytes)).ok)
            std::exit(1);
        std::int32_t value = 0;
        std::memcpy(&value, bytes, 4);
        return value;
    }

    Kernel m_kernel;
    pid_t m_main = 0;
    pid_t m_child = 0;
    std::uint64_t m_x = 0;
    std::vector<std::string> m_output;
    std::vector<std::pair<std::string, std::size_t>> m_lines;  // Source line, first event.
};

}  // namespace

void run_cow_demo(ForkStrategy strategy, bool json)
{
    CowDemo demo(strategy);
    demo.run();
    MmCounters const& c = demo.kernel().mm_counters();
    if (json) {
        nlohmann::json out{{"strategy", fork_strategy_name(strategy)}, {"output", demo.output()},
            {"events", events_json(demo.kernel())},
            {"counters", {{"ptes_copied", c.ptes_copied}, {"pt_pages_copied", c.pt_pages_copied},
                             {"pt_pages_shared", c.pt_pages_shared}, {"frames_copied", c.frames_copied},
                             {"cow_copies", c.cow_copies}, {"cow_reuses", c.cow_reuses},
                             {"zero_maps", c.zero_maps}, {"minor_faults", c.minor_faults}}}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << "int x = 100;  -- copy-on-write, fork strategy: " << fork_strategy_name(strategy) << "\n";
    auto const& lines = demo.lines();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::size_t const first = lines[i].second;
        std::size_t const last = i + 1 < lines.size() ? lines[i + 1].second : demo.kernel().events().size();
        std::cout << "\n  " << lines[i].first << "\n";
        for (std::size_t e = first; e < last; ++e) {
            Event const& ev = demo.kernel().events()[e];
            if (ev.kind == EventKind::PageFault || ev.kind == EventKind::MmDup || ev.kind == EventKind::Fork ||
                ev.kind == EventKind::Exit || ev.kind == EventKind::Reap)
                std::cout << "      " << explain(ev) << "\n";
        }
    }
    std::cout << "\nOutput:\n";
    for (auto const& line : demo.output())
        std::cout << "  " << line << "\n";
    std::cout << "\nCost of this fork strategy: " << c.ptes_copied << " page-table entries copied, "
              << c.frames_copied << " frames copied at fork, " << c.pt_pages_shared
              << " page-table pages shared, " << c.cow_copies << " copy-on-write copies, " << c.cow_reuses
              << " reuses.\nTry --strategy cow, copy or odf.\n";
}

}  // namespace forklab::cli
