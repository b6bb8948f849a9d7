/*
 * cmdline.c - command-line parsing (see cmdline.h).
 */
#include "ui/cmdline.h"

#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "janus/util.h"

#define JANUS_VERSION "0.1"

enum opt_id {
    OPT_MACHINE,
    OPT_MEM,
    OPT_SMP,
    OPT_CPU,
    OPT_ACCEL,
    OPT_ENABLE_KVM,
    OPT_KERNEL,
    OPT_INITRD,
    OPT_APPEND,
    OPT_BIOS,
    OPT_DRIVE,
    OPT_NETDEV,
    OPT_DEVICE,
    OPT_NOGRAPHIC,
    OPT_DISPLAY,
    OPT_SERIAL,
    OPT_MONITOR,
    OPT_GDB_DEFAULT,
    OPT_GDB,
    OPT_FREEZE,
    OPT_LOG,
    OPT_LOGFILE,
    OPT_NO_REBOOT,
    OPT_NO_SHUTDOWN,
    OPT_DEBUGCON,
    OPT_STATS,
    OPT_HELP,
    OPT_VERSION,
};

static const struct option_def {
    const char *name;
    enum opt_id id;
    bool has_arg;
    const char *arg;
    const char *help;
} options[] = {
    {"M", OPT_MACHINE, true, "MACHINE", "board to emulate (-M help lists them; default pc)"},
    {"machine", OPT_MACHINE, true, "MACHINE[,accel=A]", NULL},
    {"m", OPT_MEM, true, "SIZE", "guest RAM, default unit MiB (e.g. 512, 2G; default 128M)"},
    {"smp", OPT_SMP, true, "N|cpus=N[,sockets=S,cores=C,threads=T]", "number of vCPUs"},
    {"cpu", OPT_CPU, true, "MODEL", "CPU model: host or max (all the engine supports)"},
    {"accel", OPT_ACCEL, true, "kvm|interp|jit|auto", "engine that runs the guest (-accel help)"},
    {"enable-kvm", OPT_ENABLE_KVM, false, NULL, "same as -accel kvm"},
    {"kernel", OPT_KERNEL, true, "FILE", "multiboot/ELF kernel or boot-sector image"},
    {"initrd", OPT_INITRD, true, "FILE[,FILE..]", "multiboot modules (\"file args\" each)"},
    {"append", OPT_APPEND, true, "CMDLINE", "kernel command line"},
    {"bios", OPT_BIOS, true, "FILE", "firmware image mapped below 4 GiB, started at reset"},
    {"drive", OPT_DRIVE, true, "SPEC", "disk image (no disk controller yet)"},
    {"netdev", OPT_NETDEV, true, "SPEC", "network backend (no network device yet)"},
    {"device", OPT_DEVICE, true, "DRIVER[,PROP=V..]", "add a device (-device help)"},
    {"nographic", OPT_NOGRAPHIC, false, NULL, "no display; COM1 on stdio"},
    {"display", OPT_DISPLAY, true, "none", "display backend"},
    {"serial", OPT_SERIAL, true, "stdio|file:PATH|null|none", "next serial port's backend"},
    {"monitor", OPT_MONITOR, true, "none", "monitor backend (not available yet)"},
    {"s", OPT_GDB_DEFAULT, false, NULL, "gdb server on tcp::1234 (not available yet)"},
    {"gdb", OPT_GDB, true, "DEV", "gdb server on DEV (not available yet)"},
    {"S", OPT_FREEZE, false, NULL, "do not start the CPUs (needs the monitor or gdb)"},
    {"d", OPT_LOG, true, "ITEM[,ITEM..]", "log categories (-d help)"},
    {"D", OPT_LOGFILE, true, "FILE", "write the log to FILE instead of stderr"},
    {"no-reboot", OPT_NO_REBOOT, false, NULL, "exit instead of resetting the guest"},
    {"no-shutdown", OPT_NO_SHUTDOWN, false, NULL, "accepted for compatibility"},
    {"debugcon", OPT_DEBUGCON, true, "stdio|file:PATH|null",
     "Bochs/QEMU debug console on port 0xe9"},
    {"stats", OPT_STATS, false, NULL, "print run time and VM exits by reason at exit"},
    {"h", OPT_HELP, false, NULL, "this help"},
    {"help", OPT_HELP, false, NULL, NULL},
    {"version", OPT_VERSION, false, NULL, "print the version"},
};

/* Strings cmdline makes (pieces of "-machine a=b,c=d"); freed by cmdline_release(). */
static char *owned[16];
static int nowned;

static const char *keep(const char *s)
{
    if (nowned == (int)ARRAY_SIZE(owned))
        die("too many -machine options");
    return owned[nowned++] = xstrdup(s);
}

void cmdline_release(void)
{
    for (int i = 0; i < nowned; i++)
        free(owned[i]);
    nowned = 0;
}

void cmdline_defaults(struct machine_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->machine = "pc";
    cfg->ram_size = 128ULL << 20;
    cfg->smp = 1;
    cfg->accel = "auto";
    cfg->cpu_model = "host";
}

void cmdline_usage(FILE *f)
{
    fprintf(f,
            "Usage: janus [options]\n"
            "Janus %s - one machine model, interpreted, translated or virtualized.\n\n",
            JANUS_VERSION);
    for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
        const struct option_def *o = &options[i];
        if (!o->help)
            continue;
        char head[64];
        snprintf(head, sizeof(head), "-%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        if (strlen(head) > 26)
            fprintf(f, "  %s\n  %-26s %s\n", head, "", o->help);
        else
            fprintf(f, "  %-26s %s\n", head, o->help);
    }
    fprintf(f, "\nDuring emulation with stdio on a terminal: Ctrl-A x quits, Ctrl-A h helps.\n");
}

/* Split "a,b=c,d" style: returns the next token (modifies s). */
static char *next_token(char **s)
{
    if (!*s)
        return NULL;
    char *tok = *s, *comma = strchr(tok, ',');
    if (comma) {
        *comma = '\0';
        *s = comma + 1;
    } else {
        *s = NULL;
    }
    return tok;
}

static bool parse_machine(const char *arg, struct machine_config *cfg)
{
    char *copy = xstrdup(arg), *p = copy, *tok;
    bool ok = true;
    while (ok && (tok = next_token(&p))) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            if (tok != copy) {
                report_error("-machine %s: '%s' is not a property (expected name=value)", arg, tok);
                ok = false;
            } else {
                cfg->machine = keep(tok);
            }
            continue;
        }
        *eq = '\0';
        if (!strcmp(tok, "type")) {
            cfg->machine = keep(eq + 1);
        } else if (!strcmp(tok, "accel")) {
            cfg->accel = keep(eq + 1);
        } else {
            report_error("-machine %s: unsupported property '%s' (type, accel)", arg, tok);
            ok = false;
        }
    }
    free(copy);
    return ok;
}

static bool parse_mem(const char *arg, struct machine_config *cfg)
{
    const char *v = !strncmp(arg, "size=", 5) ? arg + 5 : arg;
    uint64_t size;
    if (!parse_size(v, 1ULL << 20, &size)) {
        report_error("-m %s: not a size (examples: 512, 512M, 2G)", arg);
        return false;
    }
    if (size < (1ULL << 20)) {
        report_error("-m %s: guest RAM must be at least 1 MiB", arg);
        return false;
    }
    if (size > CMDLINE_MAX_RAM) {
        report_error("-m %s: too large (janus allows up to %llu GiB)", arg,
                     (unsigned long long)(CMDLINE_MAX_RAM >> 30));
        return false;
    }
    cfg->ram_size = (size + 0xfff) & ~0xfffULL;
    return true;
}

static bool parse_smp(const char *arg, struct machine_config *cfg)
{
    char *copy = xstrdup(arg), *p = copy, *tok;
    uint64_t cpus = 0, sockets = 1, cores = 1, threads = 1, maxcpus = 0, v;
    bool ok = true, first = true;
    while (ok && (tok = next_token(&p))) {
        char *eq = strchr(tok, '=');
        const char *val = eq ? eq + 1 : tok;
        if (eq)
            *eq = '\0';
        if (!parse_u64(val, &v) || v == 0) {
            report_error("-smp %s: '%s' is not a positive count", arg, val);
            ok = false;
        } else if (v > MAX_CPUS) {
            report_error("-smp %s: janus supports at most %d vCPUs", arg, MAX_CPUS);
            ok = false;
        } else if (!eq && first) {
            cpus = v;
        } else if (eq && !strcmp(tok, "cpus")) {
            cpus = v;
        } else if (eq && !strcmp(tok, "sockets")) {
            sockets = v;
        } else if (eq && !strcmp(tok, "cores")) {
            cores = v;
        } else if (eq && !strcmp(tok, "threads")) {
            threads = v;
        } else if (eq && !strcmp(tok, "maxcpus")) {
            maxcpus = v;
        } else {
            report_error(
                "-smp %s: unsupported property '%s' (cpus, sockets, cores, threads, maxcpus)", arg,
                tok);
            ok = false;
        }
        first = false;
    }
    free(copy);
    if (!ok)
        return false;
    if (!cpus)
        cpus = sockets * cores * threads;
    if (maxcpus && cpus > maxcpus) {
        report_error("-smp %s: cpus (%llu) exceeds maxcpus (%llu)", arg, (unsigned long long)cpus,
                     (unsigned long long)maxcpus);
        return false;
    }
    if (cpus > MAX_CPUS) {
        report_error("-smp %s: janus supports at most %d vCPUs", arg, MAX_CPUS);
        return false;
    }
    cfg->smp = (int)cpus;
    return true;
}

static bool parse_accel(const char *arg, struct machine_config *cfg)
{
    const char *comma = strchr(arg, ',');
    if (comma) {
        report_error("-accel %s: accelerator properties are not supported", arg);
        return false;
    }
    if (strcmp(arg, "kvm") && strcmp(arg, "interp") && strcmp(arg, "jit") && strcmp(arg, "auto") &&
        strcmp(arg, "help") && strcmp(arg, "tcg")) {
        report_error("-accel %s: unknown accelerator (kvm, interp, jit, auto; try -accel help)",
                     arg);
        return false;
    }
    /* QEMU's software engine is "tcg": map it to the interpreter. */
    cfg->accel = !strcmp(arg, "tcg") ? "interp" : arg;
    return true;
}

static bool add_to(const char **list, int *n, int max, const char *opt, const char *arg)
{
    if (*n >= max) {
        report_error("%s %s: too many (at most %d)", opt, arg, max);
        return false;
    }
    list[(*n)++] = arg;
    return true;
}

static const struct option_def *find_option(const char *arg)
{
    if (arg[0] != '-' || !arg[1])
        return NULL;
    const char *name = arg + 1;
    if (*name == '-')
        name++;
    for (size_t i = 0; i < ARRAY_SIZE(options); i++)
        if (!strcmp(options[i].name, name))
            return &options[i];
    return NULL;
}

enum cmdline_result cmdline_parse(int argc, char **argv, struct machine_config *cfg)
{
    cmdline_defaults(cfg);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') {
            report_error("%s: disk images as plain arguments need a disk controller, which "
                         "janus does not model yet",
                         a);
            return CMDLINE_ERROR;
        }
        const struct option_def *o = find_option(a);
        if (!o) {
            report_error("%s: invalid option (janus -help lists them)", a);
            return CMDLINE_ERROR;
        }
        const char *arg = NULL;
        if (o->has_arg) {
            if (i + 1 >= argc) {
                report_error("%s: requires an argument", a);
                return CMDLINE_ERROR;
            }
            arg = argv[++i];
        }
        switch (o->id) {
        case OPT_MACHINE:
            if (!strcmp(arg, "help")) {
                machine_print_boards(stdout);
                return CMDLINE_EXIT;
            }
            if (!parse_machine(arg, cfg))
                return CMDLINE_ERROR;
            break;
        case OPT_MEM:
            if (!parse_mem(arg, cfg))
                return CMDLINE_ERROR;
            break;
        case OPT_SMP:
            if (!parse_smp(arg, cfg))
                return CMDLINE_ERROR;
            break;
        case OPT_CPU:
            if (!strcmp(arg, "help")) {
                printf("Available CPU models:\n  host  everything this engine's host supports\n"
                       "  max   same as host\n");
                return CMDLINE_EXIT;
            }
            if (strcmp(arg, "host") && strcmp(arg, "max")) {
                report_error("-cpu %s: unknown CPU model (host, max)", arg);
                return CMDLINE_ERROR;
            }
            cfg->cpu_model = arg;
            break;
        case OPT_ACCEL:
            if (!parse_accel(arg, cfg))
                return CMDLINE_ERROR;
            if (!strcmp(cfg->accel, "help")) {
                accel_print_list(stdout);
                return CMDLINE_EXIT;
            }
            break;
        case OPT_ENABLE_KVM: cfg->accel = "kvm"; break;
        case OPT_KERNEL: cfg->kernel = arg; break;
        case OPT_INITRD: cfg->initrd = arg; break;
        case OPT_APPEND: cfg->append = arg; break;
        case OPT_BIOS: cfg->bios = arg; break;
        case OPT_DRIVE:
            if (!add_to(cfg->drive, &cfg->ndrive, MAX_DEVICES, a, arg))
                return CMDLINE_ERROR;
            break;
        case OPT_NETDEV:
            if (!add_to(cfg->netdev, &cfg->nnetdev, MAX_DEVICES, a, arg))
                return CMDLINE_ERROR;
            break;
        case OPT_DEVICE:
            if (!add_to(cfg->device, &cfg->ndevice, MAX_DEVICES, a, arg))
                return CMDLINE_ERROR;
            break;
        case OPT_NOGRAPHIC: cfg->nographic = true; break;
        case OPT_DISPLAY:
            if (strcmp(arg, "none") && strncmp(arg, "none,", 5)) {
                report_error("-display %s: only 'none' is available yet (janus has no display "
                             "adapter on -M pc so far)",
                             arg);
                return CMDLINE_ERROR;
            }
            cfg->display = arg;
            break;
        case OPT_SERIAL:
            if (!add_to(cfg->serial, &cfg->nserial, MAX_SERIAL, a, arg))
                return CMDLINE_ERROR;
            break;
        case OPT_MONITOR:
            if (strcmp(arg, "none")) {
                report_error("-monitor %s: the monitor is not available yet (use -monitor none)",
                             arg);
                return CMDLINE_ERROR;
            }
            cfg->monitor = arg;
            break;
        case OPT_GDB_DEFAULT:
        case OPT_GDB:
            report_error("%s: the gdb server is not available yet", a);
            return CMDLINE_ERROR;
        case OPT_FREEZE:
            report_error("-S: starting paused needs the monitor or gdb server, not available yet");
            return CMDLINE_ERROR;
        case OPT_LOG:
            if (!strcmp(arg, "help")) {
                log_print_help();
                return CMDLINE_EXIT;
            }
            if (!log_parse_mask(arg, &log_mask))
                return CMDLINE_ERROR;
            break;
        case OPT_LOGFILE:
            if (!log_set_file(arg))
                return CMDLINE_ERROR;
            break;
        case OPT_NO_REBOOT: cfg->no_reboot = true; break;
        case OPT_NO_SHUTDOWN: cfg->no_shutdown = true; break;
        case OPT_DEBUGCON: cfg->debugcon = arg; break;
        case OPT_STATS: cfg->stats = true; break;
        case OPT_HELP: cmdline_usage(stdout); return CMDLINE_EXIT;
        case OPT_VERSION: printf("janus %s\n", JANUS_VERSION); return CMDLINE_EXIT;
        }
    }
    if (cfg->ndrive) {
        report_error("-drive %s: janus has no disk controller on -M pc yet", cfg->drive[0]);
        return CMDLINE_ERROR;
    }
    if (cfg->nnetdev) {
        report_error("-netdev %s: janus has no network device yet", cfg->netdev[0]);
        return CMDLINE_ERROR;
    }
    return CMDLINE_OK;
}
