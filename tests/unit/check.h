/* SPDX-License-Identifier: MIT
**
** check.h -- the ~20-line harness of the C unit tests: CHECK() counts a case,
** CHECK_REPORT() prints "N passed, N failed" (the line tests/run.sh sums) and
** yields the exit status.
*/
#ifndef DDB_CHECK_H
#define DDB_CHECK_H
#include <stdio.h>
#include <string.h>

static int t_run, t_fail;
#define CHECK(desc, cond)                                                                 \
    do {                                                                                  \
        t_run++;                                                                          \
        if (!(cond)) {                                                                    \
            t_fail++;                                                                     \
            fprintf(stderr, "FAIL %s:%d %s\n", __FILE__, __LINE__, (desc));               \
        }                                                                                 \
    } while (0)
#define CHECK_STR(desc, got, want)                                                        \
    do {                                                                                  \
        const char *g_ = (got), *w_ = (want);                                             \
        t_run++;                                                                          \
        if (g_ == NULL || w_ == NULL ? g_ != w_ : strcmp(g_, w_) != 0) {                  \
            t_fail++;                                                                     \
            fprintf(stderr, "FAIL %s:%d %s\n   got: %s\n  want: %s\n", __FILE__, __LINE__, \
                    (desc), g_ ? g_ : "(null)", w_ ? w_ : "(null)");                       \
        }                                                                                 \
    } while (0)
#define CHECK_REPORT()                                                                    \
    (printf("%d passed, %d failed\n", t_run - t_fail, t_fail), t_fail != 0)
#endif
