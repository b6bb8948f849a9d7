/*
 * mainloop.h - the host event loop and the machine lock.
 *
 * One thread runs mainloop_run(): it polls the registered host file
 * descriptors (stdin first, later sockets and tap devices) with a timeout
 * that ends at the next timer deadline, and calls fd handlers and expired
 * timers with the machine lock held.  vCPU threads take the same lock
 * around every device access, so device code never needs its own locking.
 *
 * mainloop_request_exit() may be called from any thread (a device, a vCPU
 * seeing a shutdown, a signal handler via the self-pipe); the loop returns
 * after the current iteration and main() tears the machine down.
 */
#ifndef HW_CORE_MAINLOOP_H
#define HW_CORE_MAINLOOP_H

#include <pthread.h>
#include <stdbool.h>

typedef void fd_handler_fn(void *opaque);

void machine_lock(void);
void machine_unlock(void);
/* pthread_cond_wait() on c with the machine lock (which the caller holds). */
void machine_cond_wait(pthread_cond_t *c);

void mainloop_init(void);
/* Watch fd for input; read_cb runs with the machine lock held. */
void mainloop_add_fd(int fd, fd_handler_fn *read_cb, void *opaque);
/* Stop/start polling fd (flow control: a device that cannot take input). */
void mainloop_set_fd_enabled(int fd, bool enabled);
void mainloop_remove_fd(int fd);
/* Make a blocked poll() return (timer re-armed, fd enabled, exit request). */
void mainloop_wakeup(void);

/* Run until an exit is requested; returns the requested exit status. */
int mainloop_run(void);
/* Ask the loop to return with this process exit status (first request wins). */
void mainloop_request_exit(int status);
bool mainloop_exit_requested(void);
/* Status used internally to ask main() for a machine reset, not an exit. */
#define MAINLOOP_RESET (-1)
/* Forget a handled request (after a reset) so the loop can run again. */
void mainloop_clear_exit(void);
/*
 * Run one iteration (poll with at most timeout_ms wait).  For tests and
 * for engines that run the guest on the main thread.
 */
void mainloop_poll_once(int timeout_ms);

#endif
