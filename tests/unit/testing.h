/* SPDX-License-Identifier: Apache-2.0 */
/*
 * testing.h: the TAP harness shared by every unit test program.
 *
 * Each check prints "ok N - what" or "not ok N - what (file:line)" on
 * stdout; tests/run-tests.sh counts those lines.  A test program ends with
 * "return t_done();", which prints the plan and gives a non-zero exit
 * status when any check failed.
 *
 *   T_OK(cond, "fmt", ...)          a condition
 *   T_EQ_INT(got, want, "what")     integers, printing both on failure
 *   T_EQ_DBL(got, want, "what")     doubles, exact (NaN equals NaN)
 *   T_EQ_STR(got, want, "what")     strings (NULL-safe)
 *   T_SKIP("why")                   a check that cannot run here, and why
 */
#ifndef MOM_TESTING_H
#define MOM_TESTING_H

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int t_count, t_failed;

__attribute__((format(printf, 4, 5))) static bool
t_check(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t_count++;
	printf("%sok %d - ", cond ? "" : "not ", t_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!cond) {
		printf(" (%s:%d)", file, line);
		t_failed++;
	}
	putchar('\n');
	fflush(stdout);
	return cond;
}

#define T_OK(cond, ...) t_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define T_EQ_INT(got, want, what)                                              \
	do {                                                                   \
		intmax_t g_ = (intmax_t)(got), w_ = (intmax_t)(want);          \
		if (!T_OK(g_ == w_, "%s", what))                               \
			printf("#   got %jd, want %jd\n", g_, w_);             \
	} while (0)

#define T_EQ_DBL(got, want, what)                                              \
	do {                                                                   \
		double g_ = (got), w_ = (want);                                \
		if (!T_OK(g_ == w_ || (isnan(g_) && isnan(w_)), "%s", what))   \
			printf("#   got %.17g, want %.17g\n", g_, w_);         \
	} while (0)

#define T_EQ_STR(got, want, what)                                              \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		bool e_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;         \
		if (!T_OK(e_, "%s", what))                                     \
			printf("#   got \"%s\", want \"%s\"\n",                \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");        \
	} while (0)

#define T_SKIP(why)                                                            \
	do {                                                                   \
		t_count++;                                                     \
		printf("ok %d # SKIP %s\n", t_count, why);                     \
	} while (0)

static inline int t_done(void)
{
	printf("1..%d\n", t_count);
	return t_failed ? 1 : 0;
}

#endif /* MOM_TESTING_H */
