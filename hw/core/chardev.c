/*
 * chardev.c - host character backends: stdio, file, null and the in-memory
 * buffer used by tests (contract in chardev.h).
 *
 * Input flow control.  Host input is read into a per-chardev queue and
 * offered to the front end only as fast as its can_receive() allows.  The
 * stdio queue is bounded (CHR_STDIN_QUEUE bytes); when it is full stdin is
 * taken out of the poll set, and chardev_accept_input() puts it back once
 * the front end has drained the queue.  Bytes are therefore never dropped
 * nor delivered twice, however slowly the guest reads.  The buffer backend
 * has an unbounded queue (tests inject as much as they like).
 *
 * Terminals.  On a tty, stdin is switched to the mode QEMU's stdio backend
 * uses: no echo, no canonical input, no CR/NL input translation, no XON/XOFF,
 * 8-bit, and no signal keys (Ctrl-C goes to the guest, as with QEMU's
 * -nographic / mon:stdio).  Output post-processing (OPOST) is left as it
 * was, exactly as QEMU does, so a guest's bare "\n" still starts a new line.
 * The first escape key of QEMU's multiplexer is provided: Ctrl-A x, Ctrl-A h,
 * Ctrl-A Ctrl-A.  Piped stdin is passed through untouched.
 *
 * Output is written with write(2) straight away (no stdio buffering that
 * could be lost at exit).  A broken pipe or a vanished terminal drops the
 * output rather than stopping the emulator; main() ignores SIGPIPE.
 *
 * Several chardevs may use stdio (say -serial stdio -debugcon stdio, which
 * QEMU refuses): all of them write to stdout, and the first one owns stdin.
 */
#include "hw/core/chardev.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hw/core/mainloop.h"
#include "janus/util.h"

#define CHR_STDIN_QUEUE 4096
#define CHR_ESCAPE 0x01 /* Ctrl-A, QEMU's default escape character */

enum chr_kind { CHR_STDIO, CHR_FILE, CHR_NULL, CHR_BUFFER };

struct chardev {
    enum chr_kind kind;
    int out_fd; /* -1: output discarded (null) or kept in memory (buffer) */

    struct chardev_frontend fe;
    bool attached;

    /* Pending input: in[in_head .. in_head + in_len). */
    uint8_t *in;
    size_t in_head, in_len, in_cap;
    bool in_bounded; /* stdio: never grow past in_cap, stop reading instead */
    bool delivering, redeliver;

    /* stdio owning stdin */
    bool owns_stdin;
    bool stdin_watched; /* registered with the main loop (until EOF) */
    bool stdin_paused;  /* taken out of the poll set because the queue is full */
    bool escape_pending;

    /* buffer backend output */
    uint8_t *out;
    size_t out_len, out_cap;

    struct chardev *next;
};

static struct chardev *chr_list;
static struct chardev *chr_stdin_owner;

/* Terminal state; kept apart from any chardev so cleanup works from exit paths. */
static struct termios chr_saved_tty;
static volatile sig_atomic_t chr_tty_raw;
static bool chr_atexit_done;

/*
 * Write everything, waiting for the host to take it -- but never forever:
 * a reader that stopped reading must not hang janus, which holds the
 * machine lock here.  So wait in poll() slices and give the output up once
 * an exit has been requested (Ctrl-A x, a signal, the guest's own exit).
 * Chunks of at most PIPE_BUF bytes cannot block once POLLOUT is reported.
 */
static void chr_write_fd(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int r = poll(&p, 1, 100);
        if (r == 0 || (r < 0 && errno == EINTR)) {
            if (mainloop_exit_requested())
                return;
            continue;
        }
        if (r < 0 || (p.revents & (POLLERR | POLLNVAL)))
            return;
        ssize_t n = write(fd, buf, len < PIPE_BUF ? len : PIPE_BUF);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        /* EPIPE, EIO (terminal gone), ENOSPC...: the reader is gone; drop. */
        return;
    }
}

static void chr_write_str(int fd, const char *s)
{
    chr_write_fd(fd, (const uint8_t *)s, strlen(s));
}

void chardev_cleanup_all(void)
{
    /* Only async-signal-safe calls: this also runs from fatal-signal paths. */
    if (chr_tty_raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &chr_saved_tty);
        chr_tty_raw = 0;
    }
}

static void chr_tty_enter_raw(void)
{
    struct termios t;
    if (chr_tty_raw || tcgetattr(STDIN_FILENO, &chr_saved_tty) < 0)
        return;
    t = chr_saved_tty;
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (!chr_atexit_done) {
        atexit(chardev_cleanup_all);
        chr_atexit_done = true;
    }
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
        chr_tty_raw = 1;
}

/* Offer queued input to the front end as far as it will take it. */
static void chr_deliver(struct chardev *c)
{
    if (!c->attached)
        return;
    if (c->delivering) {
        /* The front end called chardev_accept_input() from receive(). */
        c->redeliver = true;
        return;
    }
    c->delivering = true;
    do {
        c->redeliver = false;
        while (c->in_len > 0) {
            size_t n = c->fe.can_receive(c->fe.opaque);
            if (n == 0)
                break;
            n = MIN(n, c->in_len);
            const uint8_t *p = c->in + c->in_head;
            c->in_head += n;
            c->in_len -= n;
            c->fe.receive(c->fe.opaque, p, n);
        }
    } while (c->redeliver);
    c->delivering = false;
    if (c->in_len == 0)
        c->in_head = 0;
    if (c->stdin_paused && c->in_len < c->in_cap) {
        c->stdin_paused = false;
        mainloop_set_fd_enabled(STDIN_FILENO, true);
    }
}

static void chr_queue_byte(struct chardev *c, uint8_t b)
{
    if (c->in_head + c->in_len == c->in_cap) {
        if (c->in_head > 0) {
            memmove(c->in, c->in + c->in_head, c->in_len);
            c->in_head = 0;
        } else {
            /* Only the unbounded buffer backend gets here. */
            c->in_cap = c->in_cap ? c->in_cap * 2 : 4096;
            c->in = xrealloc(c->in, c->in_cap);
        }
    }
    c->in[c->in_head + c->in_len++] = b;
}

static void chr_escape_help(void)
{
    chr_write_str(STDOUT_FILENO, "\r\n"
                                 "C-a h    print this help\r\n"
                                 "C-a x    exit emulator\r\n"
                                 "C-a C-a  sends C-a\r\n");
}

/* Terminal input: interpret Ctrl-A escapes, queue everything else. */
static void chr_stdin_byte(struct chardev *c, uint8_t b)
{
    if (!c->escape_pending) {
        if (b == CHR_ESCAPE && chr_tty_raw)
            c->escape_pending = true;
        else
            chr_queue_byte(c, b);
        return;
    }
    c->escape_pending = false;
    switch (b) {
    case 'x':
        chr_write_str(STDOUT_FILENO, "\r\njanus: terminated\r\n");
        mainloop_request_exit(0);
        break;
    case 'h':
    case '?': chr_escape_help(); break;
    case CHR_ESCAPE: chr_queue_byte(c, b); break;
    default:
        /* Like QEMU's multiplexer: an unknown escape is swallowed. */
        break;
    }
}

static void chr_stdin_stop(struct chardev *c)
{
    if (c->stdin_watched) {
        mainloop_remove_fd(STDIN_FILENO);
        c->stdin_watched = false;
        c->stdin_paused = false;
    }
}

static void chr_stdin_readable(void *opaque)
{
    struct chardev *c = opaque;
    if (c->in_head > 0) {
        memmove(c->in, c->in + c->in_head, c->in_len);
        c->in_head = 0;
    }
    size_t room = c->in_cap - c->in_len;
    if (room == 0) {
        c->stdin_paused = true;
        mainloop_set_fd_enabled(STDIN_FILENO, false);
        return;
    }
    /* Escapes only ever shrink the data, so reading "room" bytes always fits. */
    uint8_t buf[CHR_STDIN_QUEUE];
    ssize_t n = read(STDIN_FILENO, buf, MIN(room, sizeof(buf)));
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        /* EIO (hung-up terminal), EBADF...: no more input will come. */
        chr_stdin_stop(c);
    } else if (n == 0) {
        /* EOF: keep running (the guest may still print), stop watching. */
        chr_stdin_stop(c);
    } else {
        for (ssize_t i = 0; i < n; i++)
            chr_stdin_byte(c, buf[i]);
    }
    chr_deliver(c);
    if (c->stdin_watched && !c->stdin_paused && c->in_len == c->in_cap) {
        c->stdin_paused = true;
        mainloop_set_fd_enabled(STDIN_FILENO, false);
    }
}

static struct chardev *chr_new(enum chr_kind kind, int out_fd)
{
    struct chardev *c = xzalloc(sizeof(*c));
    c->kind = kind;
    c->out_fd = out_fd;
    c->next = chr_list;
    chr_list = c;
    return c;
}

static struct chardev *chr_open_stdio(void)
{
    struct chardev *c = chr_new(CHR_STDIO, STDOUT_FILENO);
    if (chr_stdin_owner || fcntl(STDIN_FILENO, F_GETFD) < 0)
        return c; /* output only */
    chr_stdin_owner = c;
    c->owns_stdin = true;
    c->in_bounded = true;
    c->in_cap = CHR_STDIN_QUEUE;
    c->in = xmalloc(c->in_cap);
    if (isatty(STDIN_FILENO))
        chr_tty_enter_raw();
    mainloop_add_fd(STDIN_FILENO, chr_stdin_readable, c);
    c->stdin_watched = true;
    return c;
}

static struct chardev *chr_open_file(const char *path)
{
    if (!*path) {
        report_error("file: needs a path (file:PATH)");
        return NULL;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        report_error("cannot open '%s' for writing: %s", path, strerror(errno));
        return NULL;
    }
    return chr_new(CHR_FILE, fd);
}

struct chardev *chardev_open(const char *spec, bool *is_none)
{
    *is_none = false;
    if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio"))
        return chr_open_stdio();
    if (!strncmp(spec, "file:", 5))
        return chr_open_file(spec + 5);
    if (!strcmp(spec, "null"))
        return chr_new(CHR_NULL, -1);
    if (!strcmp(spec, "none")) {
        *is_none = true;
        return NULL;
    }
    report_error("unknown backend '%s' (stdio, mon:stdio, file:PATH, null, none)", spec);
    return NULL;
}

struct chardev *chardev_open_buffer(void)
{
    return chr_new(CHR_BUFFER, -1);
}

void chardev_attach(struct chardev *c, const struct chardev_frontend *fe)
{
    if (!c)
        return;
    c->fe = *fe;
    c->attached = true;
    chr_deliver(c);
}

void chardev_write(struct chardev *c, const uint8_t *buf, size_t len)
{
    if (!c || len == 0)
        return;
    if (c->kind == CHR_BUFFER) {
        if (len > SIZE_MAX - c->out_len)
            return;
        if (c->out_len + len > c->out_cap) {
            size_t cap = c->out_cap ? c->out_cap : 256;
            while (cap < c->out_len + len)
                cap = cap > SIZE_MAX / 2 ? c->out_len + len : cap * 2;
            c->out = xrealloc(c->out, cap);
            c->out_cap = cap;
        }
        memcpy(c->out + c->out_len, buf, len);
        c->out_len += len;
        return;
    }
    if (c->out_fd >= 0)
        chr_write_fd(c->out_fd, buf, len);
}

void chardev_accept_input(struct chardev *c)
{
    if (c)
        chr_deliver(c);
}

void chardev_close(struct chardev *c)
{
    if (!c)
        return;
    for (struct chardev **pp = &chr_list; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    if (c->owns_stdin) {
        chr_stdin_stop(c);
        chardev_cleanup_all();
        chr_stdin_owner = NULL;
    }
    if (c->kind == CHR_FILE)
        close(c->out_fd);
    free(c->in);
    free(c->out);
    free(c);
}

void chardev_buffer_inject(struct chardev *c, const void *buf, size_t len)
{
    if (!c || c->kind != CHR_BUFFER)
        return;
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        chr_queue_byte(c, p[i]);
    chr_deliver(c);
}

const uint8_t *chardev_buffer_output(struct chardev *c, size_t *len)
{
    if (!c || c->kind != CHR_BUFFER) {
        *len = 0;
        return NULL;
    }
    *len = c->out_len;
    return c->out;
}

void chardev_buffer_clear_output(struct chardev *c)
{
    if (c && c->kind == CHR_BUFFER)
        c->out_len = 0;
}
