// Answering the classic fork puzzles exhaustively:
//   outcomes_puzzles   milliseconds to explore every interleaving of each of the puzzles
//                      below (explore::explore, as `forklab outcomes` runs it), all of them
//                      one after another, best of 5
// Each puzzle's count of outputs and choice points goes to stderr, for a look at what the
// reductions save.
#include "explore/outcomes.h"
#include "support/host.h"

#include <algorithm>
#include <cstdio>

using namespace forklab;

namespace {

struct Puzzle {
    char const* name;
    char const* body;  // main's body.
};

constexpr Puzzle kPuzzles[] = {
    {"parent-or-child", "if (fork() == 0) printf(\"child\\n\"); else printf(\"parent\\n\");"},
    {"fork-fork", "fork(); fork(); printf(\"A\\n\");"},
    {"fork-loop-3", "for (int i = 0; i < 3; i++) fork(); printf(\"hi\\n\");"},
    {"fork-print-loop", "for (int i = 0; i < 2; i++) { fork(); printf(\"%d\\n\", i); }"},
    {"and-or", "if (fork() && fork()) printf(\"A\\n\"); else printf(\"B\\n\");"},
    {"buffered", "printf(\"X\"); if (fork() == 0) { printf(\"A\"); printf(\"B\"); } else printf(\"C\");"},
    {"three-places", "if (fork() == 0) { printf(\"A\\n\"); printf(\"B\\n\"); } else printf(\"C\\n\");"},
    {"wait", "if (fork() == 0) { printf(\"child\\n\"); return 0; } wait(NULL); printf(\"parent\\n\");"},
    {"counter", "int x = 1; if (fork() == 0) { x++; printf(\"child %d\\n\", x); } else { x--; "
                "printf(\"parent %d\\n\", x); }"},
};

std::string program(Puzzle const& p)
{
    return std::string("#include <stdio.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
                       "int main(void) {\n    ") + p.body + "\n    return 0;\n}\n";
}

}  // namespace

int main()
{
    double best = 1e9;
    for (int round = 0; round < 5; ++round) {
        bench::Stopwatch clock;
        for (Puzzle const& p : kPuzzles) {
            explore::Exploration const x = explore::explore(std::string(p.name) + ".c", program(p), {});
            if (!x.ok || x.bound_hit || x.outcomes.empty()) {
                std::fprintf(stderr, "outcomes_bench: %s did not explore: %s\n", p.name, x.error.c_str());
                return 1;
            }
            if (round == 0)
                std::fprintf(stderr, "  %-16s %3zu outputs %6llu choice points %5llu runs %8llu steps\n", p.name,
                    x.outcomes.size(), (unsigned long long)x.states, (unsigned long long)x.runs,
                    (unsigned long long)x.steps);
        }
        best = std::min(best, clock.seconds() * 1000);
    }
    bench::print_figure("outcomes_puzzles", best, "ms");
    return 0;
}
