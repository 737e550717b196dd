// Checking a scenario: run it with its metadata and say whether it did what it declares -- ran
// to the end, every EXPECT held, and the terminal showed exactly the expected output. `forklab
// check`, the tests and (later) the GUI's browser share this judgement.
#pragma once

#include "scenario/library.h"

#include <string>
#include <string_view>
#include <vector>

namespace forklab::scenario {

struct Verdict {
    enum class Kind : std::uint8_t {
        Pass,
        Fail,      // It ran, and something it declares did not hold.
        BadInput,  // It could not be run: a compile error, or the program could not start.
    };
    Kind kind = Kind::Pass;
    std::vector<std::string> reasons;  // One line each, e.g. "EXPECT failed at line 12 in pid 8".
    std::string diff;                  // For an output mismatch: line_diff(expected, actual).
    lang::Run run;
};

Verdict check(Loaded const& loaded, lang::RunOptions base = {});

// The lines of `expected` and `actual` with what differs marked, as `diff -u` marks it: "-" a
// line expected and missing, "+" a line printed but not expected, " " two lines of context
// around each change, "..." for lines left out. A last line without its newline is marked.
// Empty when the two are the same.
std::string line_diff(std::string_view expected, std::string_view actual);

}  // namespace forklab::scenario
