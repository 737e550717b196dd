#pragma once

namespace forklab::cli {

// `forklab demo --files`: parent and child write through one shared open file description.
void run_files_demo(bool json);

}
