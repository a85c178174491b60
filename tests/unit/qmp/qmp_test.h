/* The shared part of the QMP server's unit tests (qmp_test.c): reply
 * checks, and a session whose ops are a fake VMM.  Run natively and under
 * qemu-s390x-static. */
#pragma once
#include <glib.h>
#include "vmm/qmp/qmp_proto.h"

/* Parses one reply line, checking it is a single JSON object ending in \r\n. */
yajl_val parse_line(const char *line);
/* The member at path A.B.C (NULL ends it early), or NULL */
yajl_val get(yajl_val v, const char *a, const char *b, const char *c);
const char *get_str(yajl_val v, const char *a, const char *b, const char *c);
/* Checks LINE is an error of class KLASS whose desc contains DESC_PART and
 * whose id is ID_JSON (NULL: no id). */
void assert_error(const char *line, const char *klass, const char *desc_part,
                  const char *id_json);
/* Checks LINE is a return; returns the parsed line (free it). */
yajl_val assert_return(const char *line, const char *id_json);

typedef struct {
    ArmzRunState state;
    int stops, conts, powerdowns, resets, quits;
    gboolean fail_reset;
    GPtrArray *out;          /* lines sent to the client */
    GString *partial;
    ArmzQmpSession *session; /* for ops that emit events */
} Fake;

/* the run-state ops: query-status, stop, cont, system_powerdown,
 * system_reset, quit */
extern const ArmzQmpOps fake_ops;
ArmzRunState fake_query_status(gpointer opaque);
/* A session over OPS whose replies F collects, line by line, in F->out. */
void fake_init(Fake *f, const ArmzQmpOps *ops);
void fake_clear(Fake *f);
/* Feeds IN; returns the only line it produced. */
const char *say(Fake *f, const char *in);
/* Greeting checked, qmp_capabilities answered. */
void negotiate(Fake *f);
