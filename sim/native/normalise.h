// Pid normalisation: the model and the host hand out different process ids, so before two
// outputs are compared every pid number in them is replaced by a name that says only which
// process it is: the first pid that appears becomes P1, the next distinct one P2, and so on.
// Only whole numbers that are pids of the run's own processes are replaced; every other number
// (a counter, an exit status, init's 1) is left as it is.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace forklab::native {

// `text` with each whole decimal number that is in `pids` replaced by P1, P2, ... in order of
// first appearance. A number is whole when no digit stands right before or after it, so "x12"
// and "12" are numbers but "1234" does not contain "23". A whole number equal to `init` (the
// process that adopted the orphans, when it was not pid 1) is written as 1, init's pid in the
// model.
std::string normalise_pids(std::string_view text, std::set<pid_t> const& pids, pid_t init = 0);

// Whether the model's output and the host's are the same but for the pids. The texts are read
// side by side: their words and punctuation must be equal, and so must each pair of numbers
// at the same place -- unless the model's is a pid of its run and the host's one of its own,
// and every such pair agrees with one renaming (a model pid always meets the same host pid and
// the other way round). This is stricter than comparing the two normalised texts where it
// matters: a small model pid like 3 that is also a value in the output ("exit status 3") is
// not renamed where the host printed 3 too (two equal numbers are always the same, and bind
// no pids). `native_init` is as for normalise_pids().
bool same_but_pids(std::string_view model, std::set<pid_t> const& model_pids, std::string_view native,
    std::set<pid_t> const& native_pids, pid_t native_init = 0);

}  // namespace forklab::native
