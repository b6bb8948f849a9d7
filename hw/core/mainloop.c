/*
 * mainloop.c - host event loop and the machine lock (see mainloop.h).
 */
#include "hw/core/mainloop.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hw/core/clock.h"
#include "janus/util.h"

#define MAX_FDS 64

static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;

struct fd_watch {
    int fd;
    bool enabled;
    fd_handler_fn *cb;
    void *opaque;
};

static struct fd_watch watches[MAX_FDS];
static int nwatches;
static int wake_fd = -1;
static atomic_bool exit_requested;
static atomic_int exit_status;

void machine_lock(void)
{
    pthread_mutex_lock(&big_lock);
}
void machine_unlock(void)
{
    pthread_mutex_unlock(&big_lock);
}
void machine_cond_wait(pthread_cond_t *c)
{
    pthread_cond_wait(c, &big_lock);
}

void mainloop_init(void)
{
    if (wake_fd >= 0)
        return;
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd < 0)
        die_errno("eventfd");
}

void mainloop_add_fd(int fd, fd_handler_fn *read_cb, void *opaque)
{
    if (nwatches == MAX_FDS)
        die("too many host file descriptors watched");
    watches[nwatches++] = (struct fd_watch){fd, true, read_cb, opaque};
    mainloop_wakeup();
}

void mainloop_set_fd_enabled(int fd, bool enabled)
{
    for (int i = 0; i < nwatches; i++) {
        if (watches[i].fd == fd && watches[i].enabled != enabled) {
            watches[i].enabled = enabled;
            mainloop_wakeup();
        }
    }
}

void mainloop_remove_fd(int fd)
{
    for (int i = 0; i < nwatches; i++) {
        if (watches[i].fd == fd) {
            watches[i] = watches[--nwatches];
            i--;
        }
    }
    mainloop_wakeup();
}

void mainloop_wakeup(void)
{
    if (wake_fd >= 0) {
        uint64_t one = 1;
        ssize_t r = write(wake_fd, &one, sizeof(one));
        (void)r; /* EAGAIN: counter saturated, a wakeup is pending anyway */
    }
}

void mainloop_request_exit(int status)
{
    bool expected = false;
    if (atomic_compare_exchange_strong(&exit_requested, &expected, true))
        atomic_store(&exit_status, status);
    mainloop_wakeup();
}

bool mainloop_exit_requested(void)
{
    return atomic_load(&exit_requested);
}

void mainloop_clear_exit(void)
{
    atomic_store(&exit_requested, false);
}

/* Called with the machine lock held; drops it while blocked in poll(). */
static void poll_once_locked(int timeout_ms)
{
    struct pollfd pfd[MAX_FDS + 1];
    struct fd_watch snap[MAX_FDS];
    int n = 0;
    pfd[n++] = (struct pollfd){.fd = wake_fd, .events = POLLIN};
    int nsnap = 0;
    for (int i = 0; i < nwatches; i++) {
        if (!watches[i].enabled)
            continue;
        snap[nsnap++] = watches[i];
        pfd[n++] = (struct pollfd){.fd = watches[i].fd, .events = POLLIN};
    }
    int64_t deadline = timers_next_deadline();
    if (deadline >= 0) {
        int64_t now = clock_ns();
        int64_t ms = deadline <= now ? 0 : (deadline - now + NS_PER_MS - 1) / NS_PER_MS;
        if (timeout_ms < 0 || ms < timeout_ms)
            timeout_ms = (int)MIN(ms, 1000000);
    }
    machine_unlock();
    int r = poll(pfd, (nfds_t)n, timeout_ms);
    machine_lock();
    if (r < 0 && errno != EINTR)
        die_errno("poll");
    if (r > 0) {
        if (pfd[0].revents) {
            uint64_t v;
            ssize_t rr = read(wake_fd, &v, sizeof(v));
            (void)rr;
        }
        for (int i = 1; i < n; i++) {
            if (!pfd[i].revents)
                continue;
            struct fd_watch *w = &snap[i - 1];
            /* still registered and enabled? (an earlier handler may have changed that) */
            bool live = false;
            for (int j = 0; j < nwatches; j++)
                if (watches[j].fd == w->fd && watches[j].cb == w->cb && watches[j].enabled)
                    live = true;
            if (live)
                w->cb(w->opaque);
        }
    }
    timers_run_expired();
}

void mainloop_poll_once(int timeout_ms)
{
    mainloop_init();
    machine_lock();
    poll_once_locked(timeout_ms);
    machine_unlock();
}

int mainloop_run(void)
{
    mainloop_init();
    machine_lock();
    while (!mainloop_exit_requested())
        poll_once_locked(-1);
    machine_unlock();
    return atomic_load(&exit_status);
}
