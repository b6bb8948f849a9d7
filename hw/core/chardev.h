/*
 * chardev.h - host character backends behind serial ports and consoles.
 *
 * Specs follow QEMU's -serial syntax: "stdio", "file:PATH", "null",
 * "none" (no backend: chardev_open returns NULL with *none set).
 *
 * Output: chardev_write() sends bytes to the host right away (no baud-rate
 * pacing).  Input: the backend reads host input into a buffer and offers it
 * to the attached front end only as fast as the front end's can_receive()
 * allows, so nothing is lost or duplicated when the guest reads slowly; a
 * front end that frees space calls chardev_accept_input().
 *
 * stdio on a terminal switches it to raw mode (restored at exit) and gives
 * QEMU's escape keys: Ctrl-A x quits, Ctrl-A h prints help, Ctrl-A Ctrl-A
 * sends a Ctrl-A.
 */
#ifndef HW_CORE_CHARDEV_H
#define HW_CORE_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chardev_frontend {
    /* How many bytes the device can take now. */
    size_t (*can_receive)(void *opaque);
    /* Deliver len (<= last can_receive) bytes. */
    void (*receive)(void *opaque, const uint8_t *buf, size_t len);
    void *opaque;
};

struct chardev;

/*
 * Open a backend from a spec.  Returns NULL either for "none" (sets
 * *is_none) or on error (one line reported, *is_none false).
 */
struct chardev *chardev_open(const char *spec, bool *is_none);
/* A backend that keeps output in memory and takes input from tests. */
struct chardev *chardev_open_buffer(void);
void chardev_attach(struct chardev *c, const struct chardev_frontend *fe);
void chardev_write(struct chardev *c, const uint8_t *buf, size_t len);
void chardev_accept_input(struct chardev *c);
void chardev_close(struct chardev *c);
/* Flush and restore all terminals (called at exit, also from signal paths). */
void chardev_cleanup_all(void);

/* Buffer backend (tests): inject host input, fetch guest output. */
void chardev_buffer_inject(struct chardev *c, const void *buf, size_t len);
const uint8_t *chardev_buffer_output(struct chardev *c, size_t *len);
void chardev_buffer_clear_output(struct chardev *c);

#endif
