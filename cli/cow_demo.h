#pragma once

#include "mm/mm_struct.h"

namespace forklab::cli {

// `forklab demo --cow`: the textbook copy-on-write example, on the model kernel.
void run_cow_demo(ForkStrategy strategy, bool json);

}
