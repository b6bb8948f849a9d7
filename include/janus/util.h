/*
 * util.h - small helpers every layer may use.
 *
 * Three kinds of failure (see docs/design.md):
 *   - bad configuration or input: report_error() and return an error to the
 *     caller, which exits non-zero with one line naming the thing;
 *   - unrecoverable host failure: die() / die_errno(), which print one line
 *     and exit(1);
 *   - guest misbehaviour: guest_log() (category-gated, rate limited), never
 *     abort.
 */
#ifndef JANUS_UTIL_H
#define JANUS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define UNUSED __attribute__((unused))
#define PRINTF_FMT(a, b) __attribute__((format(printf, a, b)))
#define NORETURN __attribute__((noreturn))

/* Program name used as the prefix of every message ("janus"). */
extern const char *prog_name;

/* "janus: <message>" on stderr. */
void report_error(const char *fmt, ...) PRINTF_FMT(1, 2);
/* "janus: warning: <message>" on stderr. */
void report_warning(const char *fmt, ...) PRINTF_FMT(1, 2);
/* One line on stderr, then exit(1). */
NORETURN void die(const char *fmt, ...) PRINTF_FMT(1, 2);
/* One line on stderr ending in ": strerror(errno)", then exit(1). */
NORETURN void die_errno(const char *fmt, ...) PRINTF_FMT(1, 2);

/* Allocation that dies on failure (host failure, not guest-controlled). */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/*
 * Logging categories for -d (QEMU-compatible names where QEMU has one).
 * Output goes to stderr or to the -D file.
 */
enum {
    LOG_GUEST_ERROR = 1u << 0, /* guest did something the hardware ignores */
    LOG_UNIMP = 1u << 1,       /* guest used a feature Janus does not model */
    LOG_INT = 1u << 2,         /* interrupts and exceptions */
    LOG_IOPORT = 1u << 3,      /* every port access (slow, for teaching) */
    LOG_MMIO = 1u << 4,        /* every MMIO access */
};
extern unsigned log_mask;
bool log_enabled(unsigned category);
void log_msg(unsigned category, const char *fmt, ...) PRINTF_FMT(2, 3);
/* Parse "-d a,b,c"; returns false (with an error reported) on an unknown name. */
bool log_parse_mask(const char *spec, unsigned *mask);
void log_print_help(void);
/* Redirect log output to a file ("-D path"); false on failure (reported). */
bool log_set_file(const char *path);

/* Guest misbehaviour: logged under LOG_GUEST_ERROR, at most a few times per call site. */
#define guest_log(...)                                                                             \
    do {                                                                                           \
        static unsigned guest_log_count_;                                                          \
        if (log_enabled(LOG_GUEST_ERROR) && guest_log_count_ < 16) {                               \
            guest_log_count_++;                                                                    \
            log_msg(LOG_GUEST_ERROR, __VA_ARGS__);                                                 \
        }                                                                                          \
    } while (0)

/* Monotonic host time in nanoseconds. */
int64_t host_clock_ns(void);

/* Parse a size like "512", "512M", "2G" (default unit given in bytes). */
bool parse_size(const char *s, uint64_t default_unit, uint64_t *out);
/* Parse an unsigned integer in C syntax (0x.., decimal) with full-string check. */
bool parse_u64(const char *s, uint64_t *out);

/* Read a whole file into a malloc'ed buffer; false with errno set on failure. */
bool read_whole_file(const char *path, uint8_t **data, size_t *size);

#endif
