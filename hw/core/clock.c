/*
 * clock.c - virtual clock and one-shot timers (see clock.h).
 *
 * Timers live in a list sorted by deadline; there are few of them (a
 * handful per device), so insertion is linear.
 */
#include "hw/core/clock.h"

#include <stdlib.h>

#include "hw/core/mainloop.h"
#include "janus/util.h"

struct timer {
    timer_cb_fn *cb;
    void *opaque;
    int64_t expire; /* -1: not pending */
    struct timer *next;
};

static struct timer *timers;
static bool manual;
static int64_t manual_now;
static int64_t host_base = -1;

int64_t clock_ns(void)
{
    if (manual)
        return manual_now;
    int64_t now = host_clock_ns();
    if (host_base < 0)
        host_base = now;
    return now - host_base;
}

void clock_set_manual(int64_t start_ns)
{
    manual = true;
    manual_now = start_ns;
}

void clock_step(int64_t delta_ns)
{
    manual_now += delta_ns;
    timers_run_expired();
}

struct timer *timer_new(timer_cb_fn *cb, void *opaque)
{
    struct timer *t = xzalloc(sizeof(*t));
    t->cb = cb;
    t->opaque = opaque;
    t->expire = -1;
    return t;
}

static void timer_unlink(struct timer *t)
{
    for (struct timer **pp = &timers; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    t->expire = -1;
}

void timer_free(struct timer *t)
{
    if (!t)
        return;
    timer_unlink(t);
    free(t);
}

void timer_del(struct timer *t)
{
    if (t->expire >= 0)
        timer_unlink(t);
}

void timer_mod(struct timer *t, int64_t expire_ns)
{
    timer_del(t);
    if (expire_ns < 0)
        expire_ns = 0;
    t->expire = expire_ns;
    struct timer **pp = &timers;
    while (*pp && (*pp)->expire <= expire_ns)
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
    if (timers == t)
        mainloop_wakeup();
}

bool timer_pending(const struct timer *t)
{
    return t->expire >= 0;
}

int64_t timer_expire_time(const struct timer *t)
{
    return t->expire;
}

int64_t timers_next_deadline(void)
{
    return timers ? timers->expire : -1;
}

void timers_run_expired(void)
{
    int64_t now = clock_ns();
    /* A callback may re-arm its own or other timers: restart from the head. */
    while (timers && timers->expire <= now) {
        struct timer *t = timers;
        timers = t->next;
        t->next = NULL;
        t->expire = -1;
        t->cb(t->opaque);
    }
}
