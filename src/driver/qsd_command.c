/* qemu-storage-daemon command lines (see qsd_command.h). Options are JSON
 * (its --blockdev, --object and --export take it), so any path is written
 * without QEMU's comma escaping; paths must be UTF-8, as JSON is. Node
 * names: DEV-fN (file) and DEV-N (format) for layer N of disk DEV (0: the
 * image itself), DEV-throttle; export DEV on DEV.sock. Cache modes as
 * libvirt maps them: direct I/O for none/directsync, write-through exports
 * for writethrough/directsync, no flushes for unsafe. */
#include <string.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/disk_chain.h"
#include "driver/qsd_command.h"
#include "driver/vmm_command.h"

static void
chain_unref(gpointer c)
{
    if (c)
        g_ptr_array_unref(c);
}

void
armz_qsd_keyed_disk_free(gpointer p)
{
    ArmzQsdKeyedDisk *k = p;

    if (!k)
        return;
    g_free(k->dev);
    g_free(k->secret_uuid);
    g_free(k->secret_usage);
    g_ptr_array_unref(k->commands);
    g_free(k->socket);
    g_free(k);
}

ArmzQsdPlan *
armz_qsd_plan_new(const char *qsd_path, const char *dir, guint n_disks)
{
    ArmzQsdPlan *q = g_new0(ArmzQsdPlan, 1);

    q->argv = g_ptr_array_new_with_free_func(g_free);
    q->sockets = g_ptr_array_new_with_free_func(g_free);
    q->chains = g_ptr_array_new_with_free_func(chain_unref);
    q->keyed = g_ptr_array_new_with_free_func(armz_qsd_keyed_disk_free);
    g_ptr_array_set_size(q->chains, (gint)n_disks);
    q->dir = g_strdup(dir);
    q->qmp_path = g_build_filename(dir, ARMZ_QSD_QMP_NAME, NULL);
    q->pidfile = g_build_filename(dir, ARMZ_QSD_PID_NAME, NULL);
    g_ptr_array_add(q->argv, g_strdup(qsd_path ? qsd_path : ARMZ_QSD_DEFAULT_PATH));
    /* QMP first: a restarted virtarmzd finds the daemon through it */
    g_ptr_array_add(q->argv, g_strdup("--chardev"));
    g_ptr_array_add(q->argv, g_strdup("socket,id=qmp,path=" ARMZ_QSD_QMP_NAME
                                      ",server=on,wait=off"));
    g_ptr_array_add(q->argv, g_strdup("--monitor"));
    g_ptr_array_add(q->argv, g_strdup("chardev=qmp"));
    g_ptr_array_add(q->argv, g_strdup("--pidfile"));
    g_ptr_array_add(q->argv, g_strdup(ARMZ_QSD_PID_NAME));
    return q;
}

void
armz_qsd_plan_free(ArmzQsdPlan *q)
{
    if (!q)
        return;
    g_ptr_array_unref(q->argv);
    g_ptr_array_unref(q->sockets);
    g_ptr_array_unref(q->chains);
    g_ptr_array_unref(q->keyed);
    g_free(q->dir);
    g_free(q->qmp_path);
    g_free(q->pidfile);
    g_free(q);
}

static void
json_str(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf(out, "\\u%04x", *p);
        else
            g_string_append_c(out, (char)*p);
    }
    g_string_append_c(out, '"');
}

/* The disk being added when it is encrypted: its options become QMP
 * commands (the same JSON as arguments). */
static ArmzQsdKeyedDisk *keyed_current(ArmzQsdPlan *q, const ArmzDomainDiskDef *disk);

static void
opt_disk(ArmzQsdPlan *q, const ArmzDomainDiskDef *disk, const char *name, GString *json)
{
    ArmzQsdKeyedDisk *k = disk ? keyed_current(q, disk) : NULL;
    const char *cmd;

    if (!k) {
        g_ptr_array_add(q->argv, g_strdup(name));
        g_ptr_array_add(q->argv, g_string_free(json, FALSE));
        return;
    }
    cmd = g_str_equal(name, "--blockdev") ? "blockdev-add"
          : g_str_equal(name, "--export") ? "block-export-add" : "object-add";
    g_ptr_array_add(k->commands, g_strdup_printf("%s %s", cmd, json->str));
    g_string_free(json, TRUE);
}

static ArmzQsdKeyedDisk *
keyed_current(ArmzQsdPlan *q, const ArmzDomainDiskDef *disk)
{
    ArmzQsdKeyedDisk *k;

    if (!disk->encryption_format)
        return NULL;
    k = q->keyed->len ? g_ptr_array_index(q->keyed, q->keyed->len - 1) : NULL;
    if (k && g_str_equal(k->dev, disk->target_dev))
        return k;
    k = g_new0(ArmzQsdKeyedDisk, 1);
    k->dev = g_strdup(disk->target_dev);
    k->secret_uuid = g_strdup(disk->secret_uuid);
    k->secret_usage = g_strdup(disk->secret_usage);
    k->commands = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(q->keyed, k);
    return k;
}

/* The key options of the top layer of an encrypted DISK in format FMT:
 * LUKS under raw is the luks driver itself, qcow2 has it built in. */
static void
key_json(GString *j, const ArmzDomainDiskDef *disk, const char *fmt)
{
    if (g_str_equal(fmt, "qcow2"))
        g_string_append_printf(j, ",\"encrypt\":{\"format\":\"luks\",\"key-secret\":\"%s-secret\"}",
                               disk->target_dev);
    else
        g_string_append_printf(j, ",\"key-secret\":\"%s-secret\"", disk->target_dev);
}

static gboolean
cache_direct(const ArmzDomainDiskDef *disk)
{
    return g_strcmp0(disk->driver_cache, "none") == 0 ||
           g_strcmp0(disk->driver_cache, "directsync") == 0;
}

static void
cache_json(GString *j, const ArmzDomainDiskDef *disk)
{
    g_string_append_printf(j, ",\"cache\":{\"direct\":%s,\"no-flush\":%s}",
                           cache_direct(disk) ? "true" : "false",
                           g_strcmp0(disk->driver_cache, "unsafe") == 0 ? "true" : "false");
}

static void
add_layer(ArmzQsdPlan *q, const ArmzDomainDiskDef *disk, const ArmzDiskLayer *l, guint n,
          gboolean top, gboolean last)
{
    const char *dev = disk->target_dev;
    gboolean ro = !top || disk->readonly;
    gboolean keyed = top && disk->encryption_format;
    GString *f = g_string_new("{\"driver\":");
    GString *j = g_string_new("{\"driver\":");

    /* a block device is opened as one, so its size is read right */
    json_str(f, g_str_has_prefix(l->path, "/dev/") ? "host_device" : "file");
    g_string_append(f, ",\"filename\":");
    json_str(f, l->path);
    g_string_append_printf(f, ",\"node-name\":\"%s-f%u\",\"read-only\":%s", dev, n,
                           ro ? "true" : "false");
    cache_json(f, disk);
    if (disk->driver_io)
        g_string_append_printf(f, ",\"aio\":\"%s\"", disk->driver_io);
    if (top && g_strcmp0(disk->driver_discard, "unmap") == 0)
        g_string_append(f, ",\"discard\":\"unmap\"");
    g_string_append_c(f, '}');
    opt_disk(q, disk, "--blockdev", f);

    json_str(j, keyed && g_str_equal(l->format, "raw") ? "luks" : l->format);
    g_string_append_printf(j, ",\"file\":\"%s-f%u\",\"node-name\":\"%s-%u\",\"read-only\":%s",
                           dev, n, dev, n, ro ? "true" : "false");
    if (keyed)
        key_json(j, disk, l->format);
    cache_json(j, disk);
    if (top && g_strcmp0(disk->driver_discard, "unmap") == 0)
        g_string_append(j, ",\"discard\":\"unmap\"");
    /* the chain is ours: the daemon never opens a backing file by itself */
    if (g_str_equal(l->format, "qcow2")) {
        if (last)
            g_string_append(j, ",\"backing\":null");
        else
            g_string_append_printf(j, ",\"backing\":\"%s-%u\"", dev, n + 1);
    }
    g_string_append_c(j, '}');
    opt_disk(q, disk, "--blockdev", j);
}

static void
add_limit(GString *j, gboolean *first, const char *name, guint64 v)
{
    if (!v)
        return;
    g_string_append_printf(j, "%s\"%s\":%" G_GUINT64_FORMAT, *first ? "" : ",", name, v);
    *first = FALSE;
}

/* <iotune> -> a throttle group of the disk's own and a throttle node over
 * its top layer; the node name the export serves. */
static char *
add_throttle(ArmzQsdPlan *q, const ArmzDomainDiskDef *disk)
{
    const ArmzDomainDiskIotune *t = &disk->iotune;
    const char *dev = disk->target_dev;
    GString *o = g_string_new(NULL);
    GString *n = g_string_new(NULL);
    gboolean first = TRUE;

    g_string_printf(o, "{\"qom-type\":\"throttle-group\",\"id\":\"throttle-%s\",\"limits\":{",
                    dev);
    add_limit(o, &first, "bps-total", t->total_bytes_sec);
    add_limit(o, &first, "bps-read", t->read_bytes_sec);
    add_limit(o, &first, "bps-write", t->write_bytes_sec);
    add_limit(o, &first, "iops-total", t->total_iops_sec);
    add_limit(o, &first, "iops-read", t->read_iops_sec);
    add_limit(o, &first, "iops-write", t->write_iops_sec);
    g_string_append(o, "}}");
    opt_disk(q, disk, "--object", o);
    g_string_printf(n, "{\"driver\":\"throttle\",\"node-name\":\"%s-throttle\","
                       "\"throttle-group\":\"throttle-%s\",\"file\":\"%s-0\"}", dev, dev, dev);
    opt_disk(q, disk, "--blockdev", n);
    return g_strdup_printf("%s-throttle", dev);
}

/* The throttle node (for <iotune>) and the export of DISK's top node. */
static void
add_export(ArmzQsdPlan *q, const ArmzDomainDiskDef *disk, char **socket)
{
    g_autofree char *top = NULL;
    const char *dev = disk->target_dev;
    gboolean wt = g_strcmp0(disk->driver_cache, "writethrough") == 0 ||
                  g_strcmp0(disk->driver_cache, "directsync") == 0;
    GString *e;

    top = armz_domain_disk_has_iotune(disk) ? add_throttle(q, disk)
                                            : g_strdup_printf("%s-0", dev);
    e = g_string_new(NULL);
    g_string_printf(e, "{\"type\":\"vhost-user-blk\",\"id\":\"%s\",\"node-name\":\"%s\","
                       "\"addr\":{\"type\":\"unix\",\"path\":\"%s.sock\"},\"writable\":%s,"
                       "\"writethrough\":%s}",
                    dev, top, dev, disk->readonly ? "false" : "true", wt ? "true" : "false");
    opt_disk(q, disk, "--export", e);
    *socket = g_strdup_printf("%s/%s.sock", q->dir, dev);
    if (disk->encryption_format)
        keyed_current(q, disk)->socket = g_strdup(*socket);
    else
        g_ptr_array_add(q->sockets, g_strdup(*socket));
}

void
armz_qsd_plan_add_network_disk(ArmzQsdPlan *q, const ArmzDomainDiskDef *disk, char **socket)
{
    const char *dev = disk->target_dev;
    gboolean ro = disk->readonly;
    GString *f = g_string_new(NULL);
    GString *j = g_string_new(NULL);

    g_string_printf(f, "{\"driver\":\"nbd\",\"node-name\":\"%s-f0\",\"server\":", dev);
    if (g_strcmp0(disk->src_host_transport, "unix") == 0) {
        g_string_append(f, "{\"type\":\"unix\",\"path\":");
        json_str(f, disk->src_host_socket);
    } else {
        g_string_append(f, "{\"type\":\"inet\",\"host\":");
        json_str(f, disk->src_host_name);
        g_string_append(f, ",\"port\":");
        json_str(f, disk->src_host_port ? disk->src_host_port : "10809");
    }
    g_string_append_c(f, '}');
    if (disk->src_name) {
        g_string_append(f, ",\"export\":");
        json_str(f, disk->src_name);
    }
    g_string_append_printf(f, ",\"read-only\":%s}", ro ? "true" : "false");
    opt_disk(q, disk, "--blockdev", f);
    g_string_printf(j, "{\"driver\":\"%s\",\"file\":\"%s-f0\",\"node-name\":\"%s-0\","
                       "\"read-only\":%s", disk->encryption_format ? "luks" : "raw", dev, dev,
                    ro ? "true" : "false");
    if (disk->encryption_format)
        key_json(j, disk, "raw");
    cache_json(j, disk);
    g_string_append_c(j, '}');
    opt_disk(q, disk, "--blockdev", j);
    add_export(q, disk, socket);
}

gboolean
armz_qsd_plan_add_disk(ArmzQsdPlan *q, const ArmzDomainDiskDef *disk, guint pos,
                       GPtrArray *chain, char **socket, GError **error)
{
    g_autoptr(GPtrArray) c = chain;
    const char *dev = disk->target_dev;

    for (guint i = 0; i < c->len; i++) {
        const ArmzDiskLayer *l = g_ptr_array_index(c, i);
        if (!g_utf8_validate(l->path, -1, NULL)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("disk '%s': the path of image '%s' is not UTF-8, which "
                          "qemu-storage-daemon cannot be given"), dev, l->path);
            return FALSE;
        }
    }
    for (guint i = c->len; i-- > 0;)
        add_layer(q, disk, g_ptr_array_index(c, i), i, i == 0, i + 1 == c->len);
    add_export(q, disk, socket);
    if (pos < q->chains->len)
        g_ptr_array_index(q->chains, pos) = g_steal_pointer(&c);
    return TRUE;
}

void
armz_qsd_plan_format(const ArmzQsdPlan *q, GString *out)
{
    g_string_append(out, "# qemu-storage-daemon, cwd ");
    armz_launch_append_quoted(out, q->dir);
    g_string_append(out, ":\n# ");
    for (guint i = 0; i < q->argv->len; i++) {
        const char *a = g_ptr_array_index(q->argv, i);
        if (i > 0)
            g_string_append(out, g_str_has_prefix(a, "--") ? " \\\n# " : " ");
        armz_launch_append_quoted(out, a);
    }
    g_string_append_c(out, '\n');
    for (guint i = 0; i < q->keyed->len; i++) {
        const ArmzQsdKeyedDisk *k = g_ptr_array_index(q->keyed, i);
        g_string_append_printf(out, "# then over QMP, disk %s: object-add secret %s-secret, "
                                    "the passphrase of secret %s ", k->dev, k->dev,
                               k->secret_uuid ? "uuid" : "usage");
        armz_launch_append_quoted(out, k->secret_uuid ? k->secret_uuid : k->secret_usage);
        g_string_append_c(out, '\n');
        for (guint c = 0; c < k->commands->len; c++)
            g_string_append_printf(out, "#   %s\n", (const char *)g_ptr_array_index(k->commands, c));
    }
}
