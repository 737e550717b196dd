// The native side of `forklab verify`: a compiled scenario run on the host's kernel in a
// sandbox that gives it the world the model gives it, and takes everything away afterwards.
//
// The processes:
//
//     forklab verify --fork--> helper --(new pid + mount namespace)--fork--> init --fork--> main
//
// `init` plays the model's init. As root it is pid 1 of a pid namespace of its own, so the
// scenario's processes get the small pids the model gives (main is 2), orphans are reparented to
// it, and its kill(-1, SIGKILL) at the time limit ends every one of them; in a mount namespace
// of its own the scenario's files live on fresh tmpfs mounts of /tmp and /home, and the native
// builds of scenarios/bin are bind-mounted on /bin, as the model's /bin holds them. Without
// root (or without namespaces) init is a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER) that
// kills and reaps its descendants, and the scenarios that need files or another uid are skipped.
//
// The terminal is a pseudo-terminal, so stdio buffers by line exactly as on the model's
// terminal, set as the model's terminal behaves: no echo, no \r added, and the scenario's stdin
// text waiting in its input queue, read in whatever pieces read(2) asks for, then end-of-file
// (non-canonical mode with VMIN = VTIME = 0). It is nobody's controlling terminal, so no SIGHUP
// reaches the orphans when main exits. init waits until every process has gone.
//
// In the namespaces init, still root, also answers the scenario's page questions (frame
// numbers and reference counts, which Linux shows only to CAP_SYS_ADMIN): native/page_broker.h.
#pragma once

#include "kernel/uapi.h"
#include "lang/runner.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace forklab::native {

struct Spec {
    std::filesystem::path exe;       // The compiled scenario.
    std::vector<std::string> argv;   // argv[0] first.
    std::optional<std::string> stdin_text;
    std::vector<lang::FileSpec> files;
    std::map<int, Rlimit> rlimits;   // Linux's RLIMIT_* numbers (the model uses the same).
    uid_t uid = 1000;                // Who runs it; only root can become another user.
    bool uid_given = false;          // The scenario asked for `uid` (else it may be the host's own).
    std::filesystem::path bin_dir;   // Native builds of scenarios/bin.
    std::filesystem::path work_dir;  // A private folder for the EXPECT report.
    std::chrono::milliseconds time_limit{10'000};
    bool page_broker = true;         // Let init answer page questions (when isolated, so root).
};

struct Result {
    std::string output;           // What the terminal showed (stdout and stderr).
    int main_status = -1;         // Main's raw wait status; -1 if it was never reaped.
    bool timed_out = false;       // The time limit ended the run (every process was killed).
    bool isolated = false;        // It ran in its own pid and mount namespaces.
    pid_t main_pid = 0;           // As the scenario saw it.
    pid_t init_pid = 0;           // The pid orphans saw as their parent (1 when isolated).
    std::set<pid_t> pids;         // Every number that was a pid of one of the run's processes.
    std::vector<std::string> report;  // EXPECT lines from forklab.h ("forklab: EXPECT failed ...").
    bool page_broker = false;     // init answered page questions during the run.
    std::string page_broker_error;  // Why it could not, when it was meant to.
    std::string error;            // The sandbox itself failed (then nothing else is meaningful).
};

// Whether this host can give a run its own pid and mount namespaces (root, and a kernel that
// allows unshare(2) here). Asked once.
bool namespaces_available();

// Why `spec` cannot be run faithfully on this host, or std::nullopt when it can.
std::optional<std::string> cannot_run(Spec const& spec);

// Run it. Every process it made is gone when this returns.
Result run(Spec const& spec);

}  // namespace forklab::native
