/* Encrypted disks added to a running qemu-storage-daemon (see qsd_keys.h). */
#include <string.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/monitor.h"
#include "driver/qsd_command.h"
#include "driver/qsd_keys.h"

#define QSD_KEYS_TIMEOUT_MS (120 * 1000)   /* LUKS key derivation on a TCG host */

static void
wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        g_free(s);
    }
}

/* ERR (taken) as ERROR, naming disk DEV. */
static void
disk_error(GError **error, const char *dev, GError *err)
{
    g_autoptr(GError) e = NULL;

    armz_monitor_propagate_error(&e, err);
    g_set_error(error, ARMZ_ERROR, e->domain == ARMZ_ERROR ? e->code : VIR_ERR_INTERNAL_ERROR,
                _("disk '%s': %s"), dev, e->message);
}

/* "CMD ARGS" of the plan, run. */
static gboolean
run_command(ArmzMonitor *mon, const char *line, GError **err)
{
    const char *sp = strchr(line, ' ');
    g_autofree char *cmd = g_strndup(line, (gsize)(sp - line));

    return armz_monitor_command(mon, cmd, sp + 1, NULL, QSD_KEYS_TIMEOUT_MS, err);
}

static gboolean
apply_one(ArmzMonitor *mon, const ArmzQsdKeyedDisk *k, GBytes *key, GError **error)
{
    gsize len;
    const guchar *data = g_bytes_get_data(key, &len);
    char *b64 = g_base64_encode(data, len);
    char *args = g_strdup_printf("{\"qom-type\":\"secret\",\"id\":\"%s-secret\","
                                 "\"format\":\"base64\",\"data\":\"%s\"}", k->dev, b64);
    g_autofree char *del = g_strdup_printf("{\"id\":\"%s-secret\"}", k->dev);
    GError *err = NULL;
    gboolean ok = armz_monitor_command(mon, "object-add", args, NULL, QSD_KEYS_TIMEOUT_MS, &err);

    wipe_free(b64);
    wipe_free(args);
    for (guint i = 0; ok && i < k->commands->len; i++)
        ok = run_command(mon, g_ptr_array_index(k->commands, i), &err);
    if (!ok) {
        disk_error(error, k->dev, err);
        return FALSE;
    }
    /* opened: the daemon holds the image's master key, not the passphrase */
    if (!armz_monitor_command(mon, "object-del", del, NULL, QSD_KEYS_TIMEOUT_MS, &err)) {
        disk_error(error, k->dev, err);
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_qsd_keys_apply(ArmzDriver *drv, ArmzDomainObj *obj, const char *qmp_path,
                    const GPtrArray *keyed, GError **error)
{
    static const ArmzMonitorCallbacks no_callbacks = { 0 };
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    g_autoptr(ArmzMonitor) mon = NULL;
    gboolean ok = TRUE;

    if (!keyed || keyed->len == 0)
        return TRUE;
    for (guint i = 0; i < keyed->len; i++) {
        const ArmzQsdKeyedDisk *k = g_ptr_array_index(keyed, i);
        GError *err = NULL;
        GBytes *key;

        if (!drv->resolve_secret) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_SUPPORT,
                        _("disk '%s': no secret driver to read its passphrase from"), k->dev);
            return FALSE;
        }
        if (!(key = drv->resolve_secret(k->secret_uuid, k->secret_usage, drv->secret_opaque,
                                        &err))) {
            g_set_error(error, ARMZ_ERROR, err->code, _("disk '%s': %s"), k->dev, err->message);
            g_error_free(err);
            return FALSE;
        }
        g_ptr_array_add(keys, key);
    }
    if (!(mon = armz_monitor_connect_path(qmp_path, drv->ctx, &no_callbacks, NULL, error)))
        return FALSE;
    g_mutex_unlock(&obj->lock);
    if (!armz_monitor_wait_ready(mon, QSD_KEYS_TIMEOUT_MS, error))
        ok = FALSE;
    for (guint i = 0; ok && i < keyed->len; i++)
        ok = apply_one(mon, g_ptr_array_index(keyed, i), g_ptr_array_index(keys, i), error);
    g_mutex_lock(&obj->lock);
    armz_monitor_close(mon);
    return ok;
}
