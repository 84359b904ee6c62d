/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>

#include "cunit-main.h"

CU_pSuite add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup) {
        CU_pSuite s = CU_add_suite(name, init, cleanup);
        if (!s) {
                fprintf(stderr, "CUnit: cannot add suite %s: %s\n", name, CU_get_error_msg());
                exit(2);
        }
        return s;
}

void add_test(CU_pSuite suite, const char *name, CU_TestFunc fn) {
        if (!CU_add_test(suite, name, fn)) {
                fprintf(stderr, "CUnit: cannot add test %s: %s\n", name, CU_get_error_msg());
                exit(2);
        }
}

void assert_contains(const char *haystack, const char *needle, const char *file, int line) {
        int ok = haystack && needle && strstr(haystack, needle);
        if (!ok)
                fprintf(stderr, "%s:%d: expected \"%s\" in \"%s\"\n", file, line,
                        needle ? needle : "(null)", haystack ? haystack : "(null)");
        CU_assertImplementation(ok, line, "ASSERT_CONTAINS", file, "", CU_FALSE);
}

int main(void) {
        if (CU_initialize_registry() != CUE_SUCCESS)
                return 2;
        register_tests();
        CU_basic_set_mode(CU_BRM_VERBOSE);
        CU_basic_run_tests();
        unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
        unsigned ran = CU_get_number_of_tests_run();
        CU_cleanup_registry();
        /* A suite that ran nothing has failed: it proves nothing. */
        return (failed || ran == 0) ? 1 : 0;
}
