/* The hypervisor is freestanding: <string.h> means its own lib/string.h. */
#include "lib/string.h"
