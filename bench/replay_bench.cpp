// Stepping back is a replay from the start:
//   replay_100k   milliseconds to rebuild the state at step 100,000 of a recorded run
//                 (Session::at: a fresh kernel, the program started again, then 100,000
//                 recorded steps of two processes taking turns, round-robin), best of 5
#include "lang/session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace forklab;

int main()
{
    char const* source =
        "#include <unistd.h>\n"
        "#include <sys/wait.h>\n"
        "int main(void) {\n"
        "    pid_t pid = fork();\n"
        "    int s = 0;\n"
        "    for (int i = 0; i < 40000; i++) {\n"
        "        s = s + i * 3;\n"
        "        if (i % 10000 == 0)\n"
        "            write(1, \".\", 1);\n"
        "    }\n"
        "    if (pid)\n"
        "        wait(NULL);\n"
        "    return s & 1;\n"
        "}\n";
    constexpr std::uint64_t kStep = 100'000;
    lang::RunOptions options;
    options.sched = {lang::SchedPolicy::RoundRobin, 7};
    lang::Session session("replay.c", source, options);
    session.run_to_end();
    if (session.end() != lang::RunEnd::Finished || session.steps() <= kStep) {
        std::fprintf(stderr, "replay_bench: the run did not reach step %llu: %s\n", (unsigned long long)kStep,
            session.error().c_str());
        return 1;
    }
    double best = 1e9;
    for (int i = 0; i < 5; ++i) {
        auto const start = std::chrono::steady_clock::now();
        bool const ok = session.at(kStep);
        double const ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        if (!ok || session.steps() != kStep) {
            std::fprintf(stderr, "replay_bench: the replay did not reach step %llu\n", (unsigned long long)kStep);
            return 1;
        }
        best = std::min(best, ms);
    }
    std::printf("%-22s forklab=%.4g ms\n", "replay_100k", best);
    return 0;
}
