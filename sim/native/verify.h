// `forklab verify`'s judgement: a scenario run in the model and on the host's kernel, and the
// two compared -- the terminal output with pids normalised (exactly for a deterministic
// scenario, one of the declared `outcome:`s for a racy one), main's exit status and the EXPECTs
// that failed. A difference is a bug in the model or in the scenario.
#pragma once

#include "native/sandbox.h"
#include "scenario/verdict.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace forklab::native {

struct Options {
    std::uint64_t max_steps = 10'000'000;       // The model's step budget.
    std::chrono::milliseconds time_limit{10'000}; // The native run's.
    // For testing verify itself: the native run reads this instead of the scenario's stdin, so
    // the two sides really differ.
    std::optional<std::string> native_stdin;
    // For testing verify itself: false runs without the page broker, as a scenario built and
    // run by hand would.
    bool page_broker = true;
};

// The EXPECTs a native run ran, one for each time a process ran one.
struct ExpectTally {
    int checked = 0;        // Passed or failed.
    int checked_pages = 0;  // Of those, the ones that asked a page question.
    int skipped = 0;        // The host would not answer their page question.
};

struct Outcome {
    enum class Kind : std::uint8_t {
        Match,
        Differ,
        Skip,   // Not run natively (or not comparable); `reason` says why.
        Error,  // Could not be checked at all: bad input, or the sandbox itself failed.
    };
    Kind kind = Kind::Match;
    std::string reason;             // One line.
    std::vector<std::string> notes; // Further lines: what differs, what was skipped.
    std::string diff;               // For output: -model +native.
    ExpectTally expects;            // The native run's (Match and Differ only).
    bool page_broker = false;       // The native run's page questions went to the page broker.
};

// One verify run: a private work folder (removed by the destructor), the C compiler, and the
// native builds of each scenarios/bin folder made once.
class Verifier {
public:
    explicit Verifier(Options options = {});
    ~Verifier();
    Verifier(Verifier const&) = delete;
    Verifier& operator=(Verifier const&) = delete;

    // Set when nothing can be verified on this host (no C compiler, no work folder).
    std::optional<std::string> const& unavailable() const { return m_unavailable; }

    Outcome verify(std::filesystem::path const& path);

    // The private work folder: the native programs and the EXPECT report live here.
    std::filesystem::path const& work_dir() const { return m_work; }

private:
    std::expected<std::filesystem::path, std::string> native_bin(std::filesystem::path const& bin_dir);

    Options m_options;
    std::optional<std::string> m_unavailable;
    std::string m_cc;
    std::filesystem::path m_work;
    std::map<std::filesystem::path, std::filesystem::path> m_bins;
};

// "exited with status 3", "killed by signal 9 (Killed)": a raw wait status for a person.
std::string describe_status(int status);

}  // namespace forklab::native
