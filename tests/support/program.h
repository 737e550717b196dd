// Running C programs in tests: every run checks the kernel's invariants after every step, and
// failures show the run's error and diagnostics.
#pragma once

#include "lang/runner.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace forklab::test {

using lang::Run;
using lang::RunOptions;

inline std::string join(std::vector<std::string> const& lines)
{
    std::string all;
    for (auto const& l : lines)
        all += l + "\n";
    return all;
}

// Every invariant of the kernel holds; a failure lists the broken ones.
inline void require_invariants(Kernel const& k)
{
    auto problems = k.check_invariants();
    INFO(join(problems));
    REQUIRE(problems.empty());
}

inline RunOptions checked(RunOptions options = {})
{
    options.after_step = require_invariants;
    return options;
}

inline Run run(std::string source, RunOptions options = {})
{
    Run r = lang::run_program("prog.c", std::move(source), checked(std::move(options)));
    INFO(r.error);
    INFO(join(r.diagnostics));
    return r;
}

// A run that must have gone to the end with every EXPECT passed.
inline void check_ran_well(Run const& r)
{
    INFO(r.error);
    INFO(join(r.diagnostics));
    CHECK(r.ok);
    std::string lines;
    for (lang::ExpectFailure const& f : r.expect_failures)
        lines += std::to_string(f.line) + " ";
    INFO("failed EXPECTs at lines: " << lines);
    CHECK(r.expect_failures.empty());
}

// A program that must run to the end; returns its output.
inline std::string output_of(std::string source, RunOptions options = {})
{
    Run r = run(std::move(source), std::move(options));
    check_ran_well(r);
    return r.output;
}

inline int count_events(Kernel const& k, EventKind kind, std::uint8_t aux_mask = 0, std::uint8_t aux = 0)
{
    int n = 0;
    for (Event const& e : k.events().all())
        n += e.kind == kind && (e.aux & aux_mask) == aux;
    return n;
}

}  // namespace forklab::test
