/* SPDX-License-Identifier: Apache-2.0 */
/* The shared main of the CUnit suites: each test-*.c defines
 * register_tests(), which adds its suites with add_suite()/ADD_TEST. */
#ifndef PODRT_CUNIT_MAIN_H
#define PODRT_CUNIT_MAIN_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <string.h>

/* Implemented by each test file. */
void register_tests(void);

/* Adds a suite; aborts the run when CUnit cannot. */
CU_pSuite add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup);
#define ADD_TEST(suite, fn) add_test((suite), #fn, (fn))
void add_test(CU_pSuite suite, const char *name, CU_TestFunc fn);

/* Asserts that haystack contains needle, printing both when not. */
#define ASSERT_CONTAINS(haystack, needle) assert_contains((haystack), (needle), __FILE__, __LINE__)
void assert_contains(const char *haystack, const char *needle, const char *file, int line);

#endif
