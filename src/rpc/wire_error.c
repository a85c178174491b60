#include <string.h>
#include <rpc/rpc.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "rpc/wire_error.h"

/* libvirt prefixes each error code's message; clients show it verbatim. */
static const char *
code_prefix(int code)
{
    switch (code) {
    case VIR_ERR_NO_SUPPORT:
        return _("this function is not supported by the connection driver: %s");
    case VIR_ERR_NO_DOMAIN:
        return _("Domain not found: %s");
    case VIR_ERR_OPERATION_INVALID:
        return _("Requested operation is not valid: %s");
    case VIR_ERR_OPERATION_DENIED:
        return _("operation forbidden: %s");
    case VIR_ERR_OPERATION_FAILED:
        return _("operation failed: %s");
    case VIR_ERR_OPERATION_ABORTED:
        return _("operation aborted: %s");
    case VIR_ERR_OPERATION_UNSUPPORTED:
        return _("Operation not supported: %s");
    case VIR_ERR_XML_ERROR:
        return _("XML error: %s");
    case VIR_ERR_XML_INVALID_SCHEMA:
        return _("XML document failed to validate against schema: %s");
    case VIR_ERR_CONFIG_UNSUPPORTED:
        return _("unsupported configuration: %s");
    case VIR_ERR_INVALID_ARG:
        return _("invalid argument: %s");
    case VIR_ERR_INTERNAL_ERROR:
        return _("internal error: %s");
    case VIR_ERR_RPC:
        return _("RPC error: %s");
    case VIR_ERR_ARGUMENT_UNSUPPORTED:
        return _("argument unsupported: %s");
    case VIR_ERR_NO_CONNECT:
        return _("no connection driver available for %s");
    case VIR_ERR_NO_STORAGE_POOL:
        return _("Storage pool not found: %s");
    case VIR_ERR_NO_STORAGE_VOL:
        return _("Storage volume not found: %s");
    case VIR_ERR_STORAGE_VOL_EXIST:
        return _("storage volume already exists: %s");
    case VIR_ERR_STORAGE_POOL_BUILT:
        return _("storage pool already built: %s");
    case VIR_ERR_OPERATION_TIMEOUT:
        return _("Timed out during operation: %s");
    case VIR_ERR_AUTH_FAILED:
        return _("authentication failed: %s");
    case VIR_ERR_AUTH_UNAVAILABLE:
        return _("authentication unavailable: %s");
    default:
        return "%s";
    }
}

static int
code_domain(int code)
{
    switch (code) {
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_XML_ERROR:
    case VIR_ERR_CONFIG_UNSUPPORTED:
    case VIR_ERR_XML_INVALID_SCHEMA:
        return VIR_FROM_DOMAIN;
    case VIR_ERR_RPC:
        return VIR_FROM_RPC;
    case VIR_ERR_NO_STORAGE_POOL:
    case VIR_ERR_NO_STORAGE_VOL:
    case VIR_ERR_STORAGE_VOL_EXIST:
    case VIR_ERR_STORAGE_POOL_BUILT:
        return VIR_FROM_STORAGE;
    default:
        return VIR_FROM_REMOTE;
    }
}

char *
armz_wire_error_message(int code, const char *detail)
{
    g_autofree char *fmt = g_strdup(code_prefix(code));
    /* The format is one of ours above with a single %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    return g_strdup_printf(fmt, detail);
#pragma GCC diagnostic pop
}

void
armz_wire_error_fill(armz_error *err, const GError *error)
{
    int code = VIR_ERR_INTERNAL_ERROR;
    const char *detail = _("unknown error");

    memset(err, 0, sizeof(*err));
    if (error) {
        if (error->domain == ARMZ_ERROR)
            code = error->code;
        detail = error->message;
    }
    err->code = code;
    err->domain = code_domain(code);
    err->level = VIR_ERR_ERROR;
    err->message = g_new0(armz_nonnull_string, 1);
    /* xdr_free releases with free(); allocate with malloc-compatible g_strdup
     * (GLib uses the system allocator). */
    *err->message = armz_wire_error_message(code, detail);
}
