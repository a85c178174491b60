/* What the procedure list (remote-procedures.tsv, generated into
 * proctable.c and procnums.h) says of each REMOTE procedure number. */
#pragma once

/* What a read-only connection may do with a procedure: libvirt's own rule,
 * from its public API. Anything not ARMZ_RO_ALLOW is refused by default. */
typedef enum {
    ARMZ_RO_DENY,          /* refused: "read only access prevents <api>" */
    ARMZ_RO_ALLOW,
    ARMZ_RO_DENY_FLAGS,    /* refused as DENY when the flags have a bit of the mask */
    ARMZ_RO_DENY_SECURE,   /* refused when the flags have a bit of the mask:
                            * "<api> with secure flag" */
    ARMZ_RO_DENY_AGENT,    /* refused when asking the guest agent */
} ArmzReadonlyRule;

typedef struct {
    const char *name;             /* "REMOTE_PROC_..." */
    const char *api;              /* libvirt API ("virDomainDefineXML"), or NULL */
    ArmzReadonlyRule readonly;
    unsigned int readonly_mask;   /* the flags of ARMZ_RO_DENY_FLAGS/SECURE */
} ArmzProcInfo;

/* NULL for a number libvirt does not define. */
const ArmzProcInfo *armz_proc_info(int proc);

/* libvirt's name of a REMOTE procedure number ("REMOTE_PROC_..."), or NULL. */
const char *armz_proc_name(int proc);

/* The API a procedure carries, for messages: its libvirt API name, else its
 * procedure name, else NULL. */
const char *armz_proc_api(int proc);
