/*
 * test-chardev.c - character backends: the buffer backend and its flow
 * control, the file backend, spec errors, and the stdio backend driven
 * through a pipe (bounded buffering, EOF, no escapes) and through a pseudo
 * terminal (raw mode, Ctrl-A escapes, terminal restored).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "hw/core/chardev.h"
#include "hw/core/mainloop.h"
#include "tests/unit/helper.h"

/* ---- a front end that takes at most `budget` bytes ---- */

struct fe_state {
    uint8_t got[20000];
    size_t n;
    size_t budget;
    bool reenter; /* call chardev_accept_input() from receive() */
    struct chardev *c;
    int max_chunk_seen;
};

static size_t fe_can_receive(void *opaque)
{
    struct fe_state *f = opaque;
    return f->budget;
}

static void fe_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct fe_state *f = opaque;
    assert_true(len <= f->budget);
    assert_true(f->n + len <= sizeof(f->got));
    memcpy(f->got + f->n, buf, len);
    f->n += len;
    f->budget -= len;
    if ((int)len > f->max_chunk_seen)
        f->max_chunk_seen = (int)len;
    if (f->reenter)
        chardev_accept_input(f->c);
}

static void fe_attach(struct fe_state *f, struct chardev *c)
{
    const struct chardev_frontend fe = {fe_can_receive, fe_receive, f};
    f->c = c;
    chardev_attach(c, &fe);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* ---- buffer backend ---- */

static void test_buffer_output(void **state)
{
    struct chardev *c = chardev_open_buffer();
    size_t n;
    chardev_buffer_output(c, &n);
    assert_int_equal(n, 0);
    chardev_write(c, (const uint8_t *)"hello", 5);
    chardev_write(c, (const uint8_t *)"\0\xff", 2);
    const uint8_t *out = chardev_buffer_output(c, &n);
    assert_int_equal(n, 7);
    assert_memory_equal(out, "hello\0\xff", 7);
    chardev_buffer_clear_output(c);
    chardev_buffer_output(c, &n);
    assert_int_equal(n, 0);
    /* large output grows the buffer */
    uint8_t big[100000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7);
    chardev_write(c, big, sizeof(big));
    out = chardev_buffer_output(c, &n);
    assert_int_equal(n, sizeof(big));
    assert_memory_equal(out, big, sizeof(big));
    chardev_close(c);
    /* NULL chardev is accepted everywhere a device may pass it */
    chardev_write(NULL, (const uint8_t *)"x", 1);
    chardev_accept_input(NULL);
    chardev_close(NULL);
}

static void test_buffer_input_flow_control(void **state)
{
    static struct fe_state f;
    memset(&f, 0, sizeof(f));
    struct chardev *c = chardev_open_buffer();
    uint8_t in[10000];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i ^ (i >> 8));
    chardev_buffer_inject(c, in, 3000); /* before attach: kept */
    fe_attach(&f, c);
    assert_int_equal(f.n, 0); /* budget 0: nothing delivered */
    chardev_buffer_inject(c, in + 3000, sizeof(in) - 3000);
    assert_int_equal(f.n, 0);
    unsigned step = 1;
    while (f.n < sizeof(in)) {
        f.budget += step;
        step = step % 37 + 1;
        size_t before = f.n, offered = f.budget;
        chardev_accept_input(c);
        /* it takes exactly what is offered, or all that is left */
        assert_int_equal(f.n - before,
                         offered < sizeof(in) - before ? offered : sizeof(in) - before);
    }
    assert_memory_equal(f.got, in, sizeof(in));
    f.budget = 100;
    chardev_accept_input(c);
    assert_int_equal(f.n, sizeof(in)); /* nothing duplicated */
    assert_int_equal(f.budget, 100);
    chardev_close(c);
}

static void test_buffer_reentrant_accept(void **state)
{
    static struct fe_state f;
    memset(&f, 0, sizeof(f));
    struct chardev *c = chardev_open_buffer();
    f.reenter = true;
    fe_attach(&f, c);
    f.budget = 5;
    chardev_buffer_inject(c, "abcdefgh", 8);
    assert_int_equal(f.n, 5);
    f.budget = 10;
    chardev_accept_input(c);
    assert_int_equal(f.n, 8);
    assert_memory_equal(f.got, "abcdefgh", 8);
    chardev_close(c);
}

/* ---- specs ---- */

static void test_null_and_none(void **state)
{
    bool none = true;
    struct chardev *c = chardev_open("null", &none);
    assert_non_null(c);
    assert_false(none);
    chardev_write(c, (const uint8_t *)"dropped", 7);
    chardev_close(c);

    none = false;
    assert_null(chardev_open("none", &none));
    assert_true(none);
}

static void test_bad_specs(void **state)
{
    static const char *bad[] = {
        "x", "", "bogus", "FILE:/tmp/x", "stdio2", "tcp:localhost:4444", "nul", "none,", "file"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bool none = true;
        capture_begin();
        struct chardev *c = chardev_open(bad[i], &none);
        const char *err = capture_end();
        assert_null(c);
        assert_false(none);
        assert_int_equal(count_lines(err), 1);
        char want[128];
        snprintf(want, sizeof(want), "unknown backend '%s' (stdio, ", bad[i]);
        assert_non_null(strstr(err, want));
    }
    bool none = true;
    capture_begin();
    assert_null(chardev_open("file:", &none));
    const char *err = capture_end();
    assert_false(none);
    assert_int_equal(count_lines(err), 1);
    assert_non_null(strstr(err, "file:"));
}

/* ---- file backend ---- */

static void test_file_backend(void **state)
{
    char dir[] = "/tmp/janus-chardev-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/out.txt", dir);
    /* existing contents are truncated */
    FILE *pre = fopen(path, "w");
    assert_non_null(pre);
    fputs("old contents that must disappear", pre);
    fclose(pre);

    char spec[300];
    snprintf(spec, sizeof(spec), "file:%s", path);
    bool none = true;
    struct chardev *c = chardev_open(spec, &none);
    assert_non_null(c);
    assert_false(none);
    static const uint8_t bytes[] = {'a', '\n', '\r', 0x00, 0xff, 0x1b, '[', 'm', 0x01};
    chardev_write(c, bytes, sizeof(bytes));
    uint8_t big[70000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 13 + 1);
    chardev_write(c, big, sizeof(big));
    chardev_close(c);

    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t got[80000];
    size_t n = fread(got, 1, sizeof(got), f);
    fclose(f);
    assert_int_equal(n, sizeof(bytes) + sizeof(big));
    assert_memory_equal(got, bytes, sizeof(bytes));
    assert_memory_equal(got + sizeof(bytes), big, sizeof(big));

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0644 & ~mask & 0777);
    unlink(path);
    rmdir(dir);
}

static void test_file_unwritable(void **state)
{
    static const char *paths[] = {"/nonexistent-janus-dir/sub/out.txt", "/"};
    for (size_t i = 0; i < 2; i++) {
        char spec[128];
        snprintf(spec, sizeof(spec), "file:%s", paths[i]);
        bool none = true;
        capture_begin();
        struct chardev *c = chardev_open(spec, &none);
        const char *err = capture_end();
        assert_null(c);
        assert_false(none);
        assert_int_equal(count_lines(err), 1);
        assert_non_null(strstr(err, paths[i])); /* the message names the path */
    }
}

/* ---- stdio through pipes ---- */

struct redirect {
    int saved_in, saved_out;
};

static void redirect_begin(struct redirect *r, int in_fd, int out_fd)
{
    fflush(stdout);
    r->saved_in = dup(0);
    r->saved_out = dup(1);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
}

static void redirect_end(struct redirect *r)
{
    dup2(r->saved_in, 0);
    dup2(r->saved_out, 1);
    close(r->saved_in);
    close(r->saved_out);
}

static void test_stdio_pipe(void **state)
{
    enum { N = 10000 };
    static struct fe_state f;
    static uint8_t in[N];
    memset(&f, 0, sizeof(f));
    for (int i = 0; i < N; i++)
        in[i] = (uint8_t)(i * 31 + (i >> 7));
    /* Ctrl-A sequences must pass through untouched when stdin is not a tty */
    memcpy(in + 100, "\x01x\x01h\x01\x01", 6);

    int pin[2], pout[2];
    assert_int_equal(pipe(pin), 0);
    assert_int_equal(pipe(pout), 0);
    assert_int_equal(write(pin[1], in, N), N); /* fits in a pipe */
    close(pin[1]);
    fcntl(pout[0], F_SETFL, O_NONBLOCK);

    struct redirect r;
    redirect_begin(&r, pin[0], pout[1]);
    bool none = true, bounded = true, second_ok = false;
    struct chardev *c = chardev_open("stdio", &none);
    struct chardev *c2 = chardev_open("stdio", &none); /* output only */
    second_ok = c2 != NULL;
    chardev_write(c, (const uint8_t *)"out1", 4);
    chardev_write(c2, (const uint8_t *)"out2", 4);
    fe_attach(&f, c);
    long iters = 0;
    while (f.n < N && iters++ < 100000) {
        mainloop_poll_once(0);
        /* never more than the 4 KiB queue read ahead of the front end */
        int left = 0;
        ioctl(pin[0], FIONREAD, &left);
        if ((size_t)left + f.n + 4096 < N)
            bounded = false;
        f.budget += (size_t)(iters % 5 == 0 ? 700 : 3);
        chardev_accept_input(c);
    }
    for (int i = 0; i < 5; i++)
        mainloop_poll_once(0); /* EOF: must not spin or fail */
    bool exit_req = mainloop_exit_requested();
    chardev_close(c2);
    chardev_close(c);
    redirect_end(&r);
    close(pin[0]);
    close(pout[1]);

    assert_true(second_ok);
    assert_false(none);
    assert_true(bounded);
    assert_false(exit_req);
    assert_int_equal(f.n, N);
    assert_memory_equal(f.got, in, N);
    char out[16] = {0};
    assert_int_equal(read(pout[0], out, sizeof(out)), 8);
    assert_memory_equal(out, "out1out2", 8);
    close(pout[0]);
}

static void test_stdio_output_to_closed_pipe(void **state)
{
    int pout[2];
    assert_int_equal(pipe(pout), 0);
    close(pout[0]); /* reader gone: EPIPE */
    int devnull = open("/dev/null", O_RDONLY);
    struct redirect r;
    redirect_begin(&r, devnull, pout[1]);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN); /* as main() does */
    bool none;
    struct chardev *c = chardev_open("stdio", &none);
    chardev_write(c, (const uint8_t *)"lost", 4); /* dropped, no crash, no hang */
    mainloop_poll_once(0);                        /* /dev/null: immediate EOF */
    chardev_close(c);
    signal(SIGPIPE, old);
    redirect_end(&r);
    close(pout[1]);
    close(devnull);
    assert_non_null(c);
}

/* ---- stdio on a pseudo terminal ---- */

static void test_stdio_tty(void **state)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0) {
        printf("# test_stdio_tty: no pseudo-terminal here (posix_openpt: %s)\n", strerror(errno));
        skip();
        return;
    }
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    assert_true(slave >= 0);
    struct termios before;
    assert_int_equal(tcgetattr(slave, &before), 0);

    int pout[2];
    assert_int_equal(pipe(pout), 0);
    fcntl(pout[0], F_SETFL, O_NONBLOCK);
    struct redirect r;
    redirect_begin(&r, slave, pout[1]);

    static struct fe_state f;
    memset(&f, 0, sizeof(f));
    f.budget = 1000;
    bool none;
    struct chardev *c = chardev_open("stdio", &none);
    struct termios raw;
    tcgetattr(0, &raw);
    fe_attach(&f, c);

    /* plain bytes, C-a C-a, C-a h, an unknown escape, then C-a x */
    const char keys[] = "ab\x01\x01"
                        "c\x01h"
                        "d\x01z"
                        "e";
    ssize_t w = write(master, keys, sizeof(keys) - 1);
    for (int i = 0; i < 20 && f.n < 6; i++)
        mainloop_poll_once(10);
    bool exit_before = mainloop_exit_requested();
    w += write(master, "\x01x", 2);
    for (int i = 0; i < 20 && !mainloop_exit_requested(); i++)
        mainloop_poll_once(10);
    bool exit_after = mainloop_exit_requested();
    mainloop_clear_exit();

    chardev_cleanup_all();
    chardev_cleanup_all(); /* twice is harmless */
    struct termios restored;
    tcgetattr(0, &restored);
    chardev_close(c);
    redirect_end(&r);
    close(pout[1]);
    char out[1024] = {0};
    ssize_t on = read(pout[0], out, sizeof(out) - 1);
    close(pout[0]);
    close(slave);
    close(master);

    assert_int_equal(w, (ssize_t)sizeof(keys) - 1 + 2);
    /* raw mode as QEMU sets it: no echo, no line editing, no signals, OPOST kept */
    assert_int_equal(raw.c_lflag & (ECHO | ICANON | ISIG | IEXTEN), 0);
    assert_int_equal(raw.c_iflag & (ICRNL | IXON), 0);
    assert_int_equal(raw.c_oflag & OPOST, before.c_oflag & OPOST);
    assert_int_equal(raw.c_cc[VMIN], 1);
    /* restored exactly */
    assert_int_equal(restored.c_lflag, before.c_lflag);
    assert_int_equal(restored.c_iflag, before.c_iflag);
    assert_int_equal(restored.c_oflag, before.c_oflag);
    assert_int_equal(restored.c_cflag, before.c_cflag);

    /* C-a C-a gives one C-a; C-a h and the unknown C-a z are swallowed */
    assert_int_equal(f.n, 6);
    assert_memory_equal(f.got,
                        "ab\x01"
                        "cde",
                        6);
    assert_false(exit_before);
    assert_true(exit_after);
    assert_true(on > 0);
    assert_non_null(strstr(out, "C-a x"));             /* help text */
    assert_non_null(strstr(out, "janus: terminated")); /* quit message */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffer_output),
        cmocka_unit_test(test_buffer_input_flow_control),
        cmocka_unit_test(test_buffer_reentrant_accept),
        cmocka_unit_test(test_null_and_none),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_file_backend),
        cmocka_unit_test(test_file_unwritable),
        cmocka_unit_test(test_stdio_pipe),
        cmocka_unit_test(test_stdio_output_to_closed_pipe),
        cmocka_unit_test(test_stdio_tty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
