/* Runtime CPU dispatch: choose a kernel table once, at module init. */
#ifndef SIGMOIDX_DISPATCH_H
#define SIGMOIDX_DISPATCH_H

#include "kernels.h"

/* The levels this CPU (and OS) supports, best last; returns how many and
 * fills `levels` (room for 3). */
int supported_kernel_tables(const kernel_table **levels);

/* The best supported table, or the one named by `requested` ("baseline",
 * "avx2", "avx512") if it is supported.  NULL if `requested` names a level
 * that does not exist or that this CPU cannot run. */
const kernel_table *select_kernel_table(const char *requested);

#endif
