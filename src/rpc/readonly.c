#include <stddef.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "rpc/procinfo.h"
#include "rpc/readonly.h"

/* Where an argument shape keeps the unsigned int a conditional rule reads. */
typedef struct {
    xdrproc_t filter;
    gsize offset;
} ArgField;

static const ArgField flag_fields[] = {
    { (xdrproc_t)xdr_armz_domain_flags_args, offsetof(armz_domain_flags_args, flags) },
};

static const ArgField source_fields[] = {
    { (xdrproc_t)xdr_armz_domain_interface_addresses_args,
      offsetof(armz_domain_interface_addresses_args, source) },
};

/* FALSE when P's arguments have no such field; ARGS NULL: only whether. */
static gboolean
arg_field(const ArgField *fields, gsize n, const ArmzProc *p, const void *args,
          unsigned int *value)
{
    for (gsize i = 0; i < n; i++) {
        if (fields[i].filter != p->args_filter)
            continue;
        if (args)
            *value = *(const unsigned int *)((const char *)args + fields[i].offset);
        return TRUE;
    }
    return FALSE;
}

#define FLAGS(p, args, v) arg_field(flag_fields, G_N_ELEMENTS(flag_fields), p, args, v)
#define SOURCE(p, args, v) arg_field(source_fields, G_N_ELEMENTS(source_fields), p, args, v)

gboolean
armz_readonly_rule_known(const ArmzProc *p)
{
    const ArmzProcInfo *info = armz_proc_info(p->proc);

    if (!info)
        return FALSE;
    switch (info->readonly) {
    case ARMZ_RO_DENY_FLAGS:
    case ARMZ_RO_DENY_SECURE:
        return FLAGS(p, NULL, NULL);
    case ARMZ_RO_DENY_AGENT:
        return SOURCE(p, NULL, NULL);
    case ARMZ_RO_ALLOW:
    case ARMZ_RO_DENY:
    default:
        return TRUE;
    }
}

static gboolean
refuse(GError **error, const char *api)
{
    g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_DENIED,
                _("read only access prevents %s"), api);
    return FALSE;
}

gboolean
armz_readonly_check(const ArmzProc *p, const void *args, GError **error)
{
    const ArmzProcInfo *info = armz_proc_info(p->proc);
    const char *api = info ? armz_proc_api(p->proc) : "?";
    unsigned int value = 0;

    if (!info)
        return refuse(error, api);
    switch (info->readonly) {
    case ARMZ_RO_ALLOW:
        return TRUE;
    case ARMZ_RO_DENY_FLAGS:
    case ARMZ_RO_DENY_SECURE:
        if (!args)
            return TRUE;
        /* A shape without the field: nothing says the call is safe. */
        if (!FLAGS(p, args, &value))
            return refuse(error, api);
        if (!(value & info->readonly_mask))
            return TRUE;
        if (info->readonly == ARMZ_RO_DENY_FLAGS)
            return refuse(error, api);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_DENIED,
                    _("%s with secure flag"), api);
        return FALSE;
    case ARMZ_RO_DENY_AGENT:
        if (!args)
            return TRUE;
        if (SOURCE(p, args, &value) && value != VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)
            return TRUE;
        return refuse(error, api);
    case ARMZ_RO_DENY:
    default:
        return refuse(error, api);
    }
}
