/* TAP-like reporting on the console: "1..N", "ok N - what", "not ok N - what", "# diag". */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include "gtypes.h"

void test_plan(u32 count);
/* Prints "ok N - ..." or "not ok N - ..."; returns ok. */
bool test_report(bool ok, const char *fmt, ...) __printf(2, 3);
/* Prints "ok N - ... # SKIP why": counted, never a failure. */
void test_skip(const char *why, const char *fmt, ...) __printf(2, 3);
/*
 * "ok/not ok N - ... # TODO why": known not done yet (another change must
 * land first); counted, never a failure. An "ok" TODO says it can be flipped.
 */
void test_todo(bool ok, const char *why, const char *fmt, ...) __printf(3, 4);
void test_diag(const char *fmt, ...) __printf(1, 2);
/* A figure for the harness: "bench NAME VALUE UNIT". */
void test_bench(const char *name, u32 value, const char *unit);
/* An unnumbered "not ok - ..." line (something that should never have run); counts as a failure. */
void test_fail_unnumbered(const char *fmt, ...) __printf(1, 2);
u32 test_failures(void);
/* Compares tests run with the plan; prints "not ok - ..." on a mismatch. */
bool test_plan_check(void);

#endif
