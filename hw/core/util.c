/*
 * util.c - messages, allocation, logging, number parsing.
 */
#include "janus/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *prog_name = "janus";
unsigned log_mask;
static FILE *log_file;

static void vreport(const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
    char buf[1024];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    fprintf(stderr, "%s: %s%s%s\n", prog_name, prefix, buf, suffix ? suffix : "");
}

void report_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap, NULL);
    va_end(ap);
}

void report_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", fmt, ap, NULL);
    va_end(ap);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap, NULL);
    va_end(ap);
    exit(1);
}

void die_errno(const char *fmt, ...)
{
    char suffix[256];
    snprintf(suffix, sizeof(suffix), ": %s", strerror(errno));
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap, suffix);
    va_end(ap);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory allocating %zu bytes", n);
    return p;
}

void *xzalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        die("out of memory allocating %zu bytes", n);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory allocating %zu bytes", n);
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        die("out of memory");
    return p;
}

static const struct {
    const char *name;
    unsigned mask;
    const char *help;
} log_items[] = {
    {"guest_errors", LOG_GUEST_ERROR, "guest accesses the hardware would ignore or reject"},
    {"unimp", LOG_UNIMP, "guest uses a feature Janus does not model"},
    {"int", LOG_INT, "interrupts and exceptions delivered to the guest"},
    {"ioport", LOG_IOPORT, "every port I/O access (slow)"},
    {"mmio", LOG_MMIO, "every MMIO access (slow)"},
};

bool log_enabled(unsigned category)
{
    return (log_mask & category) != 0;
}

void log_msg(unsigned category, const char *fmt, ...)
{
    (void)category;
    FILE *f = log_file ? log_file : stderr;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    size_t n = strlen(fmt);
    if (n == 0 || fmt[n - 1] != '\n')
        fputc('\n', f);
}

bool log_parse_mask(const char *spec, unsigned *mask)
{
    char *copy = xstrdup(spec), *save = NULL;
    unsigned m = 0;
    bool ok = true;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < ARRAY_SIZE(log_items); i++)
            if (!strcmp(tok, log_items[i].name))
                break;
        if (i == ARRAY_SIZE(log_items)) {
            report_error("-d: unknown log category '%s' (try -d help)", tok);
            ok = false;
            break;
        }
        m |= log_items[i].mask;
    }
    free(copy);
    if (ok)
        *mask = m;
    return ok;
}

void log_print_help(void)
{
    printf("Log categories for -d (comma separated):\n");
    for (size_t i = 0; i < ARRAY_SIZE(log_items); i++)
        printf("  %-14s %s\n", log_items[i].name, log_items[i].help);
}

bool log_set_file(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        report_error("-D %s: %s", path, strerror(errno));
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    log_file = f;
    return true;
}

int64_t host_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool parse_size(const char *s, uint64_t default_unit, uint64_t *out)
{
    if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    double dv = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return false;
    if (*end == '.') { /* "1.5G" */
        errno = 0;
        dv = strtod(s, &end);
        if (errno || dv < 0)
            return false;
    }
    uint64_t unit = default_unit;
    if (*end) {
        switch (toupper((unsigned char)*end)) {
        case 'B': unit = 1; break;
        case 'K': unit = 1ULL << 10; break;
        case 'M': unit = 1ULL << 20; break;
        case 'G': unit = 1ULL << 30; break;
        case 'T': unit = 1ULL << 40; break;
        default: return false;
        }
        end++;
        if (*end == 'i' || *end == 'I') /* accept "MiB"-style */
            end++;
        if ((*end == 'B' || *end == 'b') && unit != 1)
            end++;
        if (*end)
            return false;
    }
    if (dv != 0) {
        double r = dv * (double)unit;
        if (r >= 18446744073709551615.0)
            return false;
        *out = (uint64_t)r;
        return true;
    }
    if (unit && v > UINT64_MAX / unit)
        return false;
    *out = v * unit;
    return true;
}

bool read_whole_file(const char *path, uint8_t **data, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return false;
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536, len = 0;
    uint8_t *buf = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            errno = e;
            return false;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    *data = buf;
    *size = len;
    return true;
}
