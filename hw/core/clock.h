/*
 * clock.h - the virtual clock and timers.
 *
 * The virtual clock counts nanoseconds from machine start.  Under KVM it
 * follows host CLOCK_MONOTONIC; tests (and later a deterministic -icount
 * style mode) switch it to a manual clock that only moves when told to.
 *
 * Timers are one-shot: timer_mod() arms (or re-arms) a timer for an
 * absolute virtual time; the main loop calls the callback once that time
 * has passed, with the machine lock held.  Arming a timer from a vCPU
 * thread wakes the main loop so the new deadline is seen.
 */
#ifndef HW_CORE_CLOCK_H
#define HW_CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define NS_PER_SEC 1000000000LL
#define NS_PER_MS 1000000LL
#define NS_PER_US 1000LL

typedef void timer_cb_fn(void *opaque);
struct timer;

/* Current virtual time in ns (>= 0). */
int64_t clock_ns(void);
/* Switch to a manual clock starting at start_ns (tests). */
void clock_set_manual(int64_t start_ns);
/* Manual clock only: move forward by delta_ns and run expired timers. */
void clock_step(int64_t delta_ns);

struct timer *timer_new(timer_cb_fn *cb, void *opaque);
void timer_free(struct timer *t);
void timer_mod(struct timer *t, int64_t expire_ns);
void timer_del(struct timer *t);
bool timer_pending(const struct timer *t);
int64_t timer_expire_time(const struct timer *t); /* -1 when not pending */

/* Main-loop side: earliest deadline (-1 if none) and running expired timers. */
int64_t timers_next_deadline(void);
void timers_run_expired(void);

#endif
