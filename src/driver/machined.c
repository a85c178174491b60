/* systemd-machined registration, asynchronous so that neither a start nor a
 * stop waits for the bus; replies arrive in the daemon's main context. */
#include <gio/gio.h>
#include <string.h>
#include "driver/machined.h"
#include "util/log.h"

#define MACHINED_BUS "org.freedesktop.machine1"
#define MACHINED_PATH "/org/freedesktop/machine1"
#define MACHINED_IFACE "org.freedesktop.machine1.Manager"
#define MACHINED_TIMEOUT_MS 10000
/* How long a missing system bus is believed before the next attempt. */
#define BUS_RETRY_USEC (60 * G_USEC_PER_SEC)

static GMutex bus_lock;
static GDBusConnection *bus;
static gint64 bus_failed_at;
static gboolean bus_tried;

/* The system bus, connected once; NULL (quietly) where there is none. */
static GDBusConnection *
system_bus(void)
{
    GDBusConnection *ret = NULL;
    gint64 now = g_get_monotonic_time();

    g_mutex_lock(&bus_lock);
    if (!bus && (!bus_tried || now - bus_failed_at >= BUS_RETRY_USEC)) {
        g_autoptr(GError) err = NULL;
        g_autofree char *addr = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, NULL, &err);

        bus_tried = TRUE;
        if (addr)
            bus = g_dbus_connection_new_for_address_sync(
                addr, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                      G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                NULL, NULL, &err);
        if (!bus) {
            bus_failed_at = now;
            armz_debug("systemd-machined: no system bus (%s); guests are not registered",
                       err ? err->message : "?");
        } else {
            /* a daemon outliving the bus must not exit with it */
            g_dbus_connection_set_exit_on_close(bus, FALSE);
        }
    }
    if (bus && g_dbus_connection_is_closed(bus)) {
        g_clear_object(&bus);
        bus_failed_at = now;
    }
    if (bus)
        ret = g_object_ref(bus);
    g_mutex_unlock(&bus_lock);
    return ret;
}

char *
armz_machined_name(const char *name, int id)
{
    GString *s = g_string_new(NULL);

    g_string_printf(s, "armz-%d-", id);
    for (const char *p = name; *p && s->len < 64; p++)
        if (g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.')
            g_string_append_c(s, *p);
    /* machined refuses names ending in '-' or '.' */
    while (s->len && (s->str[s->len - 1] == '-' || s->str[s->len - 1] == '.'))
        g_string_truncate(s, s->len - 1);
    return g_string_free(s, FALSE);
}

static void
call_done(GObject *source, GAsyncResult *res, gpointer data)
{
    g_autofree char *what = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &err);

    if (ret)
        armz_debug("systemd-machined: %s: done", what);
    else
        armz_debug("systemd-machined: %s: %s", what, err->message);
}

void
armz_machined_register(const char *name, int id, const unsigned char uuid[16], GPid leader,
                       GVariant *scope_props)
{
    g_autoptr(GDBusConnection) conn = system_bus();
    g_autofree char *machine = NULL;
    GVariant *args;

    if (!scope_props)
        scope_props = g_variant_new_array(G_VARIANT_TYPE("(sv)"), NULL, 0);
    g_variant_ref_sink(scope_props);
    if (!conn) {
        g_variant_unref(scope_props);
        return;
    }
    machine = armz_machined_name(name, id);
    args = g_variant_new("(s@ayssus@a(sv))", machine,
                         g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, uuid, 16, 1),
                         "libvirt-armz", "vm", (guint32)leader, "", scope_props);
    g_variant_unref(scope_props);
    g_dbus_connection_call(conn, MACHINED_BUS, MACHINED_PATH, MACHINED_IFACE, "CreateMachine",
                           args, G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE,
                           MACHINED_TIMEOUT_MS, NULL, call_done,
                           g_strdup_printf("CreateMachine %s (pid %d)", machine, (int)leader));
}

void
armz_machined_terminate(const char *name, int id)
{
    g_autoptr(GDBusConnection) conn = system_bus();
    g_autofree char *machine = NULL;

    if (!conn)
        return;
    machine = armz_machined_name(name, id);
    g_dbus_connection_call(conn, MACHINED_BUS, MACHINED_PATH, MACHINED_IFACE, "TerminateMachine",
                           g_variant_new("(s)", machine), NULL, G_DBUS_CALL_FLAGS_NONE,
                           MACHINED_TIMEOUT_MS, NULL, call_done,
                           g_strdup_printf("TerminateMachine %s", machine));
}
