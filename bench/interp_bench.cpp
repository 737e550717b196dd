// The interpreter's speed:
//   interp_rate   simulated statements per second for an arithmetic loop over locals, every
//                 load and store through the task's page table (the whole run: compile, load,
//                 fork from init, exec, the loop, exit)
#include "lang/runner.h"

#include <chrono>
#include <cstdio>

using namespace forklab;

int main()
{
    char const* source =
        "int main(void) {\n"
        "    int s = 0;\n"
        "    for (int i = 0; i < 2000000; i++) {\n"
        "        s = s + i * 3;\n"
        "    }\n"
        "    return s & 1;\n"
        "}\n";
    lang::RunOptions options;
    options.max_steps = 100'000'000;
    auto const start = std::chrono::steady_clock::now();
    lang::Run const run = lang::run_program("loop.c", source, options);
    double const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!run.ok) {
        std::fprintf(stderr, "interp_bench: the loop did not run: %s\n", run.error.c_str());
        return 1;
    }
    std::printf("%-22s forklab=%.4g statements/s\n", "interp_rate", double(run.steps) / seconds);
    return 0;
}
