/*
 * accel.c - the engine table and -accel selection (see accel.h).
 *
 * The only file outside accel/kvm*.c that knows whether KVM was built.
 */
#include "accel/accel.h"

#include <string.h>

#include "janus/util.h"

#ifdef CONFIG_KVM
extern const struct accel_ops kvm_accel_ops;
#endif

struct accel_entry {
    const char *name;
    const struct accel_ops *ops; /* NULL: not in this build */
    const char *missing;         /* why, when ops is NULL */
};

/* In "auto" preference order. */
static const struct accel_entry accels[] = {
#ifdef CONFIG_KVM
    {"kvm", &kvm_accel_ops, NULL},
#else
    {"kvm", NULL,
     "this janus was built without KVM support (./configure --disable-kvm or a non-x86-64 host)"},
#endif
    {"jit", NULL, "the JIT engine is not implemented yet"},
    {"interp", NULL, "the interpreter is not implemented yet (it arrives with the x86 CPU core)"},
};

const struct accel_ops *accel_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(accels); i++)
        if (!strcmp(accels[i].name, name))
            return accels[i].ops;
    return NULL;
}

void accel_print_list(FILE *f)
{
    fprintf(f, "Accelerators supported in this janus:\n");
    for (size_t i = 0; i < ARRAY_SIZE(accels); i++) {
        char why[256] = "";
        const struct accel_ops *o = accels[i].ops;
        bool ok = o && o->probe(why, sizeof(why));
        fprintf(f, "  %-7s %s\n", accels[i].name, ok ? o->desc : (o ? why : accels[i].missing));
    }
}

const struct accel_ops *accel_select(const char *name)
{
    char why[256] = "";
    if (!name || !strcmp(name, "auto")) {
        char first_why[320] = "";
        for (size_t i = 0; i < ARRAY_SIZE(accels); i++) {
            const struct accel_ops *o = accels[i].ops;
            if (o && o->probe(why, sizeof(why)))
                return o;
            if (!first_why[0])
                snprintf(first_why, sizeof(first_why), "%s: %s", accels[i].name,
                         o ? why : accels[i].missing);
        }
        report_error("no engine can run this guest (%s)", first_why);
        return NULL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(accels); i++) {
        if (strcmp(accels[i].name, name))
            continue;
        const struct accel_ops *o = accels[i].ops;
        if (!o) {
            report_error("-accel %s: %s", name, accels[i].missing);
            return NULL;
        }
        if (!o->probe(why, sizeof(why))) {
            report_error("-accel %s: %s", name, why);
            return NULL;
        }
        return o;
    }
    report_error("-accel %s: unknown accelerator (kvm, interp, jit, auto; try -accel help)", name);
    return NULL;
}
