// SGP_ASSERT: a broken invariant aborts with file:line (never for bad input).
#pragma once

#include <cstdio>
#include <cstdlib>

#define SGP_ASSERT(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)
