/*
 * helper.h - small pieces every unit test may use (tests/unit/helper-*.c is
 * linked into each test program).
 */
#ifndef TESTS_UNIT_HELPER_H
#define TESTS_UNIT_HELPER_H

/*
 * The seed for a randomized test: JANUS_TEST_SEED if set, else the time.
 * Printed once per name as a TAP comment ("# NAME seed=N ...") so a
 * failure can be replayed.
 */
unsigned test_seed(const char *name);

/* Redirect stderr to a buffer, to check what a user would read. */
void capture_begin(void);
/* Restore stderr and return what was written (valid until the next call). */
const char *capture_end(void);

#endif
