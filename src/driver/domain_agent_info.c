/* virDomainGetGuestVcpus and virDomainGetGuestInfo from the guest agent
 * (see domain_agent.h), as libvirt's typed parameters. */
#include <libvirt/libvirt.h>
#include <yajl/yajl_tree.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "util/typed_params.h"
#include "driver/domain_agent.h"
#include "driver/domain_ifaddr.h"

/* Runs CMD and parses its return value; NULL with ERROR set. */
static yajl_val
agent_json(ArmzDriver *drv, const ArmzDomainId *dom, const char *api, const char *cmd,
           GError **error)
{
    g_autofree char *reply = NULL;
    yajl_val v;

    if (!armz_driver_agent_call(drv, dom, api, cmd, NULL, ARMZ_AGENT_REPLY, &reply, error))
        return NULL;
    if (!(v = yajl_tree_parse(reply, NULL, 0)))
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                            _("malformed return value"));
    return v;
}

static yajl_val
get(yajl_val obj, const char *key, yajl_type type)
{
    const char *path[] = { key, NULL };
    return obj ? yajl_tree_get(obj, path, type) : NULL;
}

/* The set bits of BITS (N of them) as libvirt formats bitmaps: "0-3,5". */
static char *
format_bitmap(const gboolean *bits, guint n)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < n; i++) {
        guint j = i;

        if (!bits[i])
            continue;
        while (j + 1 < n && bits[j + 1])
            j++;
        if (s->len)
            g_string_append_c(s, ',');
        if (j > i)
            g_string_append_printf(s, "%u-%u", i, j);
        else
            g_string_append_printf(s, "%u", i);
        i = j;
    }
    return g_string_free(s, FALSE);
}

GArray *
armz_driver_get_guest_vcpus(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                            GError **error)
{
    g_autofree gboolean *all = NULL, *online = NULL, *offlinable = NULL;
    g_autofree char *s_all = NULL, *s_online = NULL, *s_off = NULL;
    GArray *out;
    yajl_val v;
    guint max = 0;

    if (!armz_check_flags(flags, 0, "virDomainGetGuestVcpus", error) ||
        !(v = agent_json(drv, dom, "virDomainGetGuestVcpus", "guest-get-vcpus", error)))
        return NULL;
    if (!YAJL_IS_ARRAY(v)) {
        yajl_tree_free(v);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                            _("guest-get-vcpus reply was missing return data"));
        return NULL;
    }
    for (size_t i = 0; i < v->u.array.len; i++) {
        yajl_val id = get(v->u.array.values[i], "logical-id", yajl_t_number);
        if (id && YAJL_IS_INTEGER(id) && YAJL_GET_INTEGER(id) >= 0 &&
            YAJL_GET_INTEGER(id) < 4096 && (guint)YAJL_GET_INTEGER(id) + 1 > max)
            max = (guint)YAJL_GET_INTEGER(id) + 1;
    }
    all = g_new0(gboolean, max + 1);
    online = g_new0(gboolean, max + 1);
    offlinable = g_new0(gboolean, max + 1);
    for (size_t i = 0; i < v->u.array.len; i++) {
        yajl_val e = v->u.array.values[i];
        yajl_val id = get(e, "logical-id", yajl_t_number);
        guint n;

        if (!id || !YAJL_IS_INTEGER(id) || YAJL_GET_INTEGER(id) < 0 ||
            YAJL_GET_INTEGER(id) >= 4096)
            continue;
        n = (guint)YAJL_GET_INTEGER(id);
        all[n] = TRUE;
        online[n] = YAJL_IS_TRUE(get(e, "online", yajl_t_true));
        offlinable[n] = YAJL_IS_TRUE(get(e, "can-offline", yajl_t_true));
    }
    yajl_tree_free(v);
    s_all = format_bitmap(all, max);
    s_online = format_bitmap(online, max);
    s_off = format_bitmap(offlinable, max);
    out = armz_typed_params_new();
    armz_typed_params_add_string(out, s_all, "vcpus");
    armz_typed_params_add_string(out, s_online, "online");
    armz_typed_params_add_string(out, s_off, "offlinable");
    return out;
}

static void
add_str(GArray *out, yajl_val obj, const char *key, const char *field)
{
    yajl_val s = get(obj, key, yajl_t_string);
    if (s)
        armz_typed_params_add_string(out, YAJL_GET_STRING(s), "%s", field);
}

static gboolean
info_users(ArmzDriver *drv, const ArmzDomainId *dom, GArray *out, GError **error)
{
    yajl_val v = agent_json(drv, dom, "virDomainGetGuestInfo", "guest-get-users", error);
    guint n = 0;

    if (!v)
        return FALSE;
    for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++) {
        yajl_val e = v->u.array.values[i];
        yajl_val user = get(e, "user", yajl_t_string);
        yajl_val t = get(e, "login-time", yajl_t_number);
        yajl_val dom_name = get(e, "domain", yajl_t_string);

        if (!user)
            continue;
        armz_typed_params_add_string(out, YAJL_GET_STRING(user), "user.%u.name", n);
        if (dom_name)
            armz_typed_params_add_string(out, YAJL_GET_STRING(dom_name), "user.%u.domain", n);
        if (t)
            armz_typed_params_add_ullong(out, (guint64)(YAJL_GET_DOUBLE(t) * 1000),
                                         "user.%u.login-time", n);
        n++;
    }
    yajl_tree_free(v);
    armz_typed_params_add_uint(out, n, "user.count");
    return TRUE;
}

static gboolean
info_os(ArmzDriver *drv, const ArmzDomainId *dom, GArray *out, GError **error)
{
    static const char *const keys[] = { "id", "name", "pretty-name", "version", "version-id",
                                        "machine", "variant", "variant-id",
                                        "kernel-release", "kernel-version" };
    yajl_val v = agent_json(drv, dom, "virDomainGetGuestInfo", "guest-get-osinfo", error);

    if (!v)
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
        g_autofree char *field = g_strconcat("os.", keys[i], NULL);
        add_str(out, v, keys[i], field);
    }
    yajl_tree_free(v);
    return TRUE;
}

static gboolean
info_timezone(ArmzDriver *drv, const ArmzDomainId *dom, GArray *out, GError **error)
{
    yajl_val v = agent_json(drv, dom, "virDomainGetGuestInfo", "guest-get-timezone", error);
    yajl_val off;

    if (!v)
        return FALSE;
    add_str(out, v, "zone", "timezone.name");
    if ((off = get(v, "offset", yajl_t_number)) && YAJL_IS_INTEGER(off))
        armz_typed_params_add_int(out, (int)YAJL_GET_INTEGER(off), "timezone.offset");
    yajl_tree_free(v);
    return TRUE;
}

/* CMD's answer, and in *KEYS the domain's disks it is matched against */
static yajl_val
disks_json(ArmzDriver *drv, const ArmzDomainId *dom, const char *cmd, GPtrArray **keys,
           GError **error)
{
    *keys = armz_agent_disk_keys(drv, dom, error);
    return *keys ? agent_json(drv, dom, "virDomainGetGuestInfo", cmd, error) : NULL;
}

/* fs.N.disk.M.{alias,serial,device} of a file system's DISKS */
static void
fs_disks(GArray *out, const GPtrArray *keys, yajl_val disks, guint n)
{
    guint m = 0;

    for (size_t j = 0; YAJL_IS_ARRAY(disks) && j < disks->u.array.len; j++) {
        yajl_val d = disks->u.array.values[j];
        const char *alias = armz_agent_match_disk(keys, d);
        g_autofree char *serial = g_strdup_printf("fs.%u.disk.%u.serial", n, m);
        g_autofree char *dev = g_strdup_printf("fs.%u.disk.%u.device", n, m);

        if (alias)
            armz_typed_params_add_string(out, alias, "fs.%u.disk.%u.alias", n, m);
        add_str(out, d, "serial", serial);
        add_str(out, d, "dev", dev);
        m++;
    }
    armz_typed_params_add_uint(out, m, "fs.%u.disk.count", n);
}

static gboolean
info_filesystems(ArmzDriver *drv, const ArmzDomainId *dom, GArray *out, GError **error)
{
    g_autoptr(GPtrArray) keys = NULL;
    yajl_val v = disks_json(drv, dom, "guest-get-fsinfo", &keys, error);
    guint n = 0;

    if (!v)
        return FALSE;
    for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++) {
        yajl_val e = v->u.array.values[i];
        yajl_val total = get(e, "total-bytes", yajl_t_number);
        yajl_val used = get(e, "used-bytes", yajl_t_number);
        g_autofree char *mp = g_strdup_printf("fs.%u.mountpoint", n);
        g_autofree char *name = g_strdup_printf("fs.%u.name", n);
        g_autofree char *type = g_strdup_printf("fs.%u.fstype", n);

        if (!get(e, "mountpoint", yajl_t_string))
            continue;
        add_str(out, e, "mountpoint", mp);
        add_str(out, e, "name", name);
        add_str(out, e, "type", type);
        if (total && YAJL_IS_INTEGER(total))
            armz_typed_params_add_ullong(out, (guint64)YAJL_GET_INTEGER(total),
                                         "fs.%u.total-bytes", n);
        if (used && YAJL_IS_INTEGER(used))
            armz_typed_params_add_ullong(out, (guint64)YAJL_GET_INTEGER(used),
                                         "fs.%u.used-bytes", n);
        fs_disks(out, keys, get(e, "disk", yajl_t_array), n);
        n++;
    }
    yajl_tree_free(v);
    armz_typed_params_add_uint(out, n, "fs.count");
    return TRUE;
}

/* disk.N.*: the guest's block devices (guest-get-disks), a whole disk
 * with the target of the domain's disk it is */
static gboolean
info_disks(ArmzDriver *drv, const ArmzDomainId *dom, GArray *out, GError **error)
{
    g_autoptr(GPtrArray) keys = NULL;
    yajl_val v = disks_json(drv, dom, "guest-get-disks", &keys, error);
    guint n = 0;

    if (!v)
        return FALSE;
    for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++) {
        yajl_val e = v->u.array.values[i];
        yajl_val part = get(e, "partition", yajl_t_any), deps = get(e, "dependencies", yajl_t_array);
        yajl_val addr = get(e, "address", yajl_t_object), alias = get(e, "alias", yajl_t_string);
        g_autofree char *name = g_strdup_printf("disk.%u.name", n);
        guint m = 0;

        if (!get(e, "name", yajl_t_string))
            continue;
        add_str(out, e, "name", name);
        armz_typed_params_add_boolean(out, YAJL_IS_TRUE(part), "disk.%u.partition", n);
        for (size_t j = 0; YAJL_IS_ARRAY(deps) && j < deps->u.array.len; j++) {
            if (!YAJL_IS_STRING(deps->u.array.values[j]))
                continue;
            armz_typed_params_add_string(out, YAJL_GET_STRING(deps->u.array.values[j]),
                                         "disk.%u.dependency.%u.name", n, m++);
        }
        if (deps)
            armz_typed_params_add_uint(out, m, "disk.%u.dependency.count", n);
        if (addr) {
            g_autofree char *serial = g_strdup_printf("disk.%u.serial", n);
            g_autofree char *bus = g_strdup_printf("disk.%u.guest_bus", n);
            const char *target = armz_agent_match_disk(keys, addr);

            add_str(out, addr, "serial", serial);
            add_str(out, addr, "bus-type", bus);
            if (target)
                armz_typed_params_add_string(out, target, "disk.%u.alias", n);
        }
        if (alias)
            armz_typed_params_add_string(out, YAJL_GET_STRING(alias), "disk.%u.guest_alias", n);
        n++;
    }
    yajl_tree_free(v);
    armz_typed_params_add_uint(out, n, "disk.count");
    return TRUE;
}

/* if.N.*: the guest's network interfaces and their addresses */
static gboolean
info_interfaces(ArmzDriver *drv, const ArmzDomainId *dom, GArray *out, GError **error)
{
    g_autoptr(GPtrArray) ifaces = armz_driver_agent_interfaces(drv, dom, error);

    if (!ifaces)
        return FALSE;
    for (guint i = 0; i < ifaces->len; i++) {
        const ArmzDomainIface *f = g_ptr_array_index(ifaces, i);

        armz_typed_params_add_string(out, f->name, "if.%u.name", i);
        if (f->hwaddr)
            armz_typed_params_add_string(out, f->hwaddr, "if.%u.hwaddr", i);
        for (guint j = 0; j < f->addrs->len; j++) {
            const ArmzDomainIPAddr *a = &g_array_index(f->addrs, ArmzDomainIPAddr, j);
            armz_typed_params_add_string(out, a->type == VIR_IP_ADDR_TYPE_IPV6 ? "ipv6" : "ipv4",
                                         "if.%u.addr.%u.type", i, j);
            armz_typed_params_add_string(out, a->addr, "if.%u.addr.%u.addr", i, j);
            armz_typed_params_add_uint(out, a->prefix, "if.%u.addr.%u.prefix", i, j);
        }
        armz_typed_params_add_uint(out, f->addrs->len, "if.%u.addr.count", i);
    }
    armz_typed_params_add_uint(out, ifaces->len, "if.count");
    return TRUE;
}

GArray *
armz_driver_get_guest_info(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int types,
                           unsigned int flags, GError **error)
{
    const unsigned int supported = VIR_DOMAIN_GUEST_INFO_USERS | VIR_DOMAIN_GUEST_INFO_OS |
                                   VIR_DOMAIN_GUEST_INFO_TIMEZONE |
                                   VIR_DOMAIN_GUEST_INFO_HOSTNAME |
                                   VIR_DOMAIN_GUEST_INFO_FILESYSTEM |
                                   VIR_DOMAIN_GUEST_INFO_DISKS |
                                   VIR_DOMAIN_GUEST_INFO_INTERFACES;
    g_autoptr(GArray) out = NULL;

    if (!armz_check_flags(flags, 0, "virDomainGetGuestInfo", error))
        return NULL;
    if (types & ~supported) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("guest info types 0x%x are not supported"), types & ~supported);
        return NULL;
    }
    if (!types)
        types = supported;
    out = armz_typed_params_new();
    if ((types & VIR_DOMAIN_GUEST_INFO_USERS) && !info_users(drv, dom, out, error))
        return NULL;
    if ((types & VIR_DOMAIN_GUEST_INFO_OS) && !info_os(drv, dom, out, error))
        return NULL;
    if ((types & VIR_DOMAIN_GUEST_INFO_TIMEZONE) && !info_timezone(drv, dom, out, error))
        return NULL;
    if (types & VIR_DOMAIN_GUEST_INFO_HOSTNAME) {
        g_autofree char *name = armz_driver_get_hostname(drv, dom, 0, error);
        if (!name)
            return NULL;
        armz_typed_params_add_string(out, name, "hostname");
    }
    if ((types & VIR_DOMAIN_GUEST_INFO_FILESYSTEM) && !info_filesystems(drv, dom, out, error))
        return NULL;
    if ((types & VIR_DOMAIN_GUEST_INFO_DISKS) && !info_disks(drv, dom, out, error))
        return NULL;
    if ((types & VIR_DOMAIN_GUEST_INFO_INTERFACES) && !info_interfaces(drv, dom, out, error))
        return NULL;
    return g_steal_pointer(&out);
}
