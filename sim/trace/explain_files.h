// The explanations of the files events (explain.cpp hands them over).
#pragma once

#include "trace/event.h"

#include <string>

namespace forklab {

std::string explain_file_event(Event const&);

}  // namespace forklab
