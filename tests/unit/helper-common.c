/*
 * helper-common.c - seeds and stderr capture for unit tests (see helper.h).
 */
#include "tests/unit/helper.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

unsigned test_seed(const char *name)
{
    const char *env = getenv("JANUS_TEST_SEED");
    unsigned seed = env ? (unsigned)strtoul(env, NULL, 0) : (unsigned)time(NULL);
    printf("# %s seed=%u (JANUS_TEST_SEED=%u reproduces)\n", name, seed, seed);
    fflush(stdout);
    return seed;
}

static int saved_stderr = -1;
static FILE *capture_file;
static char captured[8192];

void capture_begin(void)
{
    fflush(stderr);
    capture_file = tmpfile();
    if (!capture_file) {
        perror("tmpfile");
        abort();
    }
    saved_stderr = dup(2);
    dup2(fileno(capture_file), 2);
}

const char *capture_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    saved_stderr = -1;
    rewind(capture_file);
    size_t n = fread(captured, 1, sizeof(captured) - 1, capture_file);
    captured[n] = '\0';
    fclose(capture_file);
    capture_file = NULL;
    return captured;
}
