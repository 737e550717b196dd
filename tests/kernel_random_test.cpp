#include "support/lab.h"
