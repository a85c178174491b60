/* libvirt's typed parameters (virTypedParameter: a field name and a value
 * of one of six types) as the driver produces them, before the daemon puts
 * them on the wire. */
#pragma once
#include <glib.h>

typedef struct {
    char *field;
    int type;                   /* virTypedParameterType */
    union {
        int i;                  /* INT, BOOLEAN */
        guint ui;
        gint64 l;
        guint64 ul;
        double d;
        char *s;
    } v;
} ArmzTypedParam;

/* A GArray of ArmzTypedParam that frees fields and strings. */
GArray *armz_typed_params_new(void);
void armz_typed_params_add_int(GArray *params, int value, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void armz_typed_params_add_uint(GArray *params, guint value, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void armz_typed_params_add_llong(GArray *params, gint64 value, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void armz_typed_params_add_ullong(GArray *params, guint64 value, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void armz_typed_params_add_string(GArray *params, const char *value, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void armz_typed_params_add_boolean(GArray *params, gboolean value, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
