/*
 * main.c - janus: parse the command line, build the machine, pick the
 * engine, run, and report.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel/accel.h"
#include "hw/core/chardev.h"
#include "hw/core/machine.h"
#include "hw/core/mainloop.h"
#include "janus/util.h"
#include "ui/cmdline.h"

static void on_signal(int sig)
{
    /* async-signal-safe: an atomic flag and an eventfd write */
    mainloop_request_exit(128 + sig);
}

static uint64_t resident_bytes(const void *addr, uint64_t len)
{
    long page = sysconf(_SC_PAGESIZE);
    if (!addr || !len || page <= 0)
        return 0;
    uint64_t pages = (len + (uint64_t)page - 1) / (uint64_t)page, n = 0;
    unsigned char vec[4096];
    for (uint64_t done = 0; done < pages;) {
        uint64_t chunk = MIN(pages - done, (uint64_t)sizeof(vec));
        if (mincore((uint8_t *)addr + done * (uint64_t)page, chunk * (uint64_t)page, vec) < 0)
            return 0;
        for (uint64_t i = 0; i < chunk; i++)
            n += vec[i] & 1;
        done += chunk;
    }
    return n * (uint64_t)page;
}

static void print_memory_stats(struct machine *m, FILE *f)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned long size = 0, rss = 0;
    FILE *s = fopen("/proc/self/statm", "r");
    if (!s)
        return;
    if (fscanf(s, "%lu %lu", &size, &rss) != 2)
        rss = 0;
    fclose(s);
    uint64_t total = (uint64_t)rss * (uint64_t)page;
    uint64_t guest = resident_bytes(m->ram, m->ram_size);
    fprintf(f,
            "  resident memory   %10.2f MiB  (guest RAM touched %.2f MiB, janus itself %.2f MiB)\n",
            (double)total / 1048576.0, (double)guest / 1048576.0,
            (double)(total - MIN(total, guest)) / 1048576.0);
}

int main(int argc, char **argv)
{
    int64_t start_ns = host_clock_ns();
    signal(SIGPIPE, SIG_IGN);

    static struct machine_config cfg;
    switch (cmdline_parse(argc, argv, &cfg)) {
    case CMDLINE_OK: break;
    case CMDLINE_EXIT: cmdline_release(); return 0;
    case CMDLINE_ERROR: cmdline_release(); return 1;
    }

    const struct board_ops *board = machine_find_board(cfg.machine);
    if (!board) {
        report_error("-M %s: unknown machine (-M help lists them)", cfg.machine);
        cmdline_release();
        return 1;
    }
    for (int i = 0; i < cfg.ndevice; i++) {
        if (!strcmp(cfg.device[i], "help")) {
            board->print_devices(stdout);
            cmdline_release();
            return 0;
        }
    }

    /*
     * An engine asked for by name is checked first: "janus -accel kvm" on a
     * host without KVM says so whatever else is wrong.  With "auto" the
     * machine comes first, so a bad kernel or option is reported the same
     * way on every host, KVM or not.
     */
    const struct accel_ops *accel = NULL;
    bool explicit_accel = strcmp(cfg.accel, "auto") != 0;
    if (explicit_accel && !(accel = accel_select(cfg.accel))) {
        cmdline_release();
        return 1;
    }
    struct machine *m = machine_new(&cfg);
    m->start_ns = start_ns;
    m->board = board;
    mainloop_init();
    bool ok = board->init(m);
    if (ok && !explicit_accel)
        ok = (accel = accel_select(cfg.accel)) != NULL;
    m->accel = ok ? accel : NULL;
    if (!ok || !accel->init(m)) {
        chardev_cleanup_all();
        if (ok)
            accel->destroy(m);
        machine_free(m);
        cmdline_release();
        return 1;
    }

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    machine_lock();
    machine_reset(m);
    machine_unlock();
    accel->start(m);
    int status;
    for (;;) {
        status = mainloop_run();
        if (status != MAINLOOP_RESET)
            break;
        accel->stop(m);
        machine_lock();
        machine_reset(m);
        mainloop_clear_exit();
        machine_unlock();
        accel->start(m);
    }
    accel->stop(m);
    chardev_cleanup_all();
    if (status > 128 && status < 128 + 65)
        report_error("terminating on signal %d", status - 128);
    if (cfg.stats) {
        accel->print_stats(m, stderr);
        print_memory_stats(m, stderr);
    }
    accel->destroy(m);
    machine_free(m);
    cmdline_release();
    return status;
}
