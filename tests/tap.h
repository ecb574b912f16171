/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal TAP producer for unit tests: meson runs each test executable
 * with protocol 'tap' and counts every `ok`/`not ok` line. A failed check
 * prints `not ok` and the process exits non-zero, so a test cannot pass by
 * accident.
 */
#ifndef MP_TAP_H
#define MP_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

#define TAP_OK(cond, ...)                                                         \
	do {                                                                      \
		tap_n++;                                                          \
		if (cond) {                                                       \
			printf("ok %d - ", tap_n);                                \
		} else {                                                          \
			tap_failed++;                                             \
			printf("not ok %d - %s:%d: ", tap_n, __FILE__, __LINE__); \
		}                                                                 \
		printf(__VA_ARGS__);                                              \
		printf("\n");                                                     \
		fflush(stdout);                                                   \
	} while (0)

#define TAP_EQ_INT(a, b, ...)                                                \
	do {                                                                 \
		long long tap_a_ = (long long)(a), tap_b_ = (long long)(b);  \
		TAP_OK(tap_a_ == tap_b_, __VA_ARGS__);                       \
		if (tap_a_ != tap_b_)                                        \
			printf("#   got %lld, want %lld\n", tap_a_, tap_b_); \
	} while (0)

#define TAP_EQ_STR(a, b, ...)                                                           \
	do {                                                                            \
		const char *tap_a_ = (a), *tap_b_ = (b);                                \
		int tap_same_ = tap_a_ && tap_b_ && strcmp(tap_a_, tap_b_) == 0;        \
		TAP_OK(tap_same_, __VA_ARGS__);                                         \
		if (!tap_same_)                                                         \
			printf("#   got '%s', want '%s'\n", tap_a_ ? tap_a_ : "(null)", \
			       tap_b_ ? tap_b_ : "(null)");                             \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_n == 0) {
		printf("# no checks ran\n");
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#endif
