/* The monitor's balloon commands: the target, the current size, and the
 * guest's statistics as armz-vmm (like QEMU) exposes them through QOM; and
 * the vsock device's CID, through QOM too. */
#include <string.h>
#include "util/armz-i18n.h"
#include "driver/monitor.h"
#include "driver/monitor_json.h"

/* QEMU's QOM path of the balloon (armz-vmm answers to the same) */
#define BALLOON_PATH "/machine/peripheral/balloon0"

static const struct {
    const char *name;
    gsize offset;
} stat_fields[] = {
    { "stat-swap-in", G_STRUCT_OFFSET(ArmzBalloonStats, swap_in) },
    { "stat-swap-out", G_STRUCT_OFFSET(ArmzBalloonStats, swap_out) },
    { "stat-major-faults", G_STRUCT_OFFSET(ArmzBalloonStats, major_faults) },
    { "stat-minor-faults", G_STRUCT_OFFSET(ArmzBalloonStats, minor_faults) },
    { "stat-free-memory", G_STRUCT_OFFSET(ArmzBalloonStats, free_memory) },
    { "stat-total-memory", G_STRUCT_OFFSET(ArmzBalloonStats, total_memory) },
    { "stat-available-memory", G_STRUCT_OFFSET(ArmzBalloonStats, available_memory) },
    { "stat-disk-caches", G_STRUCT_OFFSET(ArmzBalloonStats, disk_caches) },
    { "stat-htlb-pgalloc", G_STRUCT_OFFSET(ArmzBalloonStats, htlb_pgalloc) },
    { "stat-htlb-pgfail", G_STRUCT_OFFSET(ArmzBalloonStats, htlb_pgfail) },
};

static GError *
unexpected(const char *cmd, const char *reply)
{
    g_autofree char *what = armz_monitor_json_excerpt(reply, strlen(reply));
    return g_error_new(ARMZ_MONITOR_ERROR, ARMZ_MONITOR_ERROR_PROTOCOL,
                       _("armz-vmm sent an unexpected reply to '%s': %s"), cmd, what);
}

gboolean
armz_monitor_parse_balloon_stats(const char *reply, ArmzBalloonStats *out, GError **error)
{
    const char *stats_path[] = { "stats", NULL };
    const char *update_path[] = { "last-update", NULL };
    yajl_val v = yajl_tree_parse(reply, NULL, 0);
    yajl_val stats = v ? yajl_tree_get(v, stats_path, yajl_t_object) : NULL;
    yajl_val upd = v ? yajl_tree_get(v, update_path, yajl_t_number) : NULL;

    if (!stats || !upd || !YAJL_IS_INTEGER(upd)) {
        g_propagate_error(error, unexpected("qom-get", reply));
        if (v)
            yajl_tree_free(v);
        return FALSE;
    }
    out->last_update = YAJL_GET_INTEGER(upd);
    for (gsize i = 0; i < G_N_ELEMENTS(stat_fields); i++) {
        const char *path[] = { stat_fields[i].name, NULL };
        yajl_val s = yajl_tree_get(stats, path, yajl_t_number);
        /* absent, negative (QEMU's "not reported") or not an integer: -1 */
        G_STRUCT_MEMBER(gint64, out, stat_fields[i].offset) =
            s && YAJL_IS_INTEGER(s) && YAJL_GET_INTEGER(s) >= 0 ? YAJL_GET_INTEGER(s) : -1;
    }
    yajl_tree_free(v);
    return TRUE;
}

gboolean
armz_monitor_balloon(ArmzMonitor *mon, guint64 bytes, GError **error)
{
    g_autofree char *args = g_strdup_printf("{\"value\": %" G_GUINT64_FORMAT "}", bytes);
    return armz_monitor_command(mon, "balloon", args, NULL, 0, error);
}

gboolean
armz_monitor_query_balloon(ArmzMonitor *mon, guint64 *actual, GError **error)
{
    g_autofree char *reply = NULL;
    const char *path[] = { "actual", NULL };
    yajl_val v, a;

    if (!armz_monitor_command(mon, "query-balloon", NULL, &reply, 0, error))
        return FALSE;
    v = yajl_tree_parse(reply, NULL, 0);
    a = v ? yajl_tree_get(v, path, yajl_t_number) : NULL;
    if (!a || !YAJL_IS_INTEGER(a) || YAJL_GET_INTEGER(a) < 0) {
        g_propagate_error(error, unexpected("query-balloon", reply));
        if (v)
            yajl_tree_free(v);
        return FALSE;
    }
    *actual = (guint64)YAJL_GET_INTEGER(a);
    yajl_tree_free(v);
    return TRUE;
}

gboolean
armz_monitor_get_balloon_stats(ArmzMonitor *mon, ArmzBalloonStats *out, GError **error)
{
    g_autofree char *reply = NULL;

    if (!armz_monitor_command(mon, "qom-get",
                              "{\"path\": \"" BALLOON_PATH "\", \"property\": \"guest-stats\"}",
                              &reply, 0, error))
        return FALSE;
    return armz_monitor_parse_balloon_stats(reply, out, error);
}

gboolean
armz_monitor_set_balloon_period(ArmzMonitor *mon, int seconds, GError **error)
{
    g_autofree char *args = g_strdup_printf("{\"path\": \"" BALLOON_PATH "\", \"property\": "
                                            "\"guest-stats-polling-interval\", \"value\": %d}",
                                            seconds);
    return armz_monitor_command(mon, "qom-set", args, NULL, 0, error);
}

gboolean
armz_monitor_vsock_cid(ArmzMonitor *mon, guint64 *cid, GError **error)
{
    g_autofree char *reply = NULL;
    guint64 v;

    if (!armz_monitor_command(mon, "qom-get",
                              "{\"path\": \"/machine/peripheral/vsock0\", "
                              "\"property\": \"guest-cid\"}", &reply, 0, error))
        return FALSE;
    if (!g_ascii_string_to_unsigned(reply, 10, 3, G_MAXUINT32 - 1, &v, NULL)) {
        g_propagate_error(error, unexpected("qom-get", reply));
        return FALSE;
    }
    *cid = v;
    return TRUE;
}
