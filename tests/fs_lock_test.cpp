// Placeholder: filled in by the files issue.
#include "support/lab.h"
