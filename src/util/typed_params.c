/* Typed parameter lists (see typed_params.h). */
#include <libvirt/libvirt.h>

#include "util/typed_params.h"

static void
param_clear(gpointer p)
{
    ArmzTypedParam *tp = p;

    g_free(tp->field);
    if (tp->type == VIR_TYPED_PARAM_STRING)
        g_free(tp->v.s);
}

GArray *
armz_typed_params_new(void)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(ArmzTypedParam));

    g_array_set_clear_func(a, param_clear);
    return a;
}

/* Appends a parameter of TYPE named by FMT; returns it for its value. */
static ArmzTypedParam *
add(GArray *params, int type, const char *fmt, va_list ap)
{
    ArmzTypedParam tp = { .field = g_strdup_vprintf(fmt, ap), .type = type };

    g_array_append_val(params, tp);
    return &g_array_index(params, ArmzTypedParam, params->len - 1);
}

#define ADD(params, type, member, value, fmt)              \
    do {                                                   \
        va_list ap;                                        \
        va_start(ap, fmt);                                 \
        add(params, type, fmt, ap)->v.member = (value);    \
        va_end(ap);                                        \
    } while (0)

void
armz_typed_params_add_int(GArray *params, int value, const char *fmt, ...)
{
    ADD(params, VIR_TYPED_PARAM_INT, i, value, fmt);
}

void
armz_typed_params_add_uint(GArray *params, guint value, const char *fmt, ...)
{
    ADD(params, VIR_TYPED_PARAM_UINT, ui, value, fmt);
}

void
armz_typed_params_add_llong(GArray *params, gint64 value, const char *fmt, ...)
{
    ADD(params, VIR_TYPED_PARAM_LLONG, l, value, fmt);
}

void
armz_typed_params_add_ullong(GArray *params, guint64 value, const char *fmt, ...)
{
    ADD(params, VIR_TYPED_PARAM_ULLONG, ul, value, fmt);
}

void
armz_typed_params_add_string(GArray *params, const char *value, const char *fmt, ...)
{
    ADD(params, VIR_TYPED_PARAM_STRING, s, g_strdup(value), fmt);
}

void
armz_typed_params_add_boolean(GArray *params, gboolean value, const char *fmt, ...)
{
    ADD(params, VIR_TYPED_PARAM_BOOLEAN, i, value ? 1 : 0, fmt);
}
