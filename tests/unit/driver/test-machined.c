/* systemd-machined registration against a stand-in machine1 service on a
 * private bus (GTestDBus): the calls, their arguments, and quiet failure
 * where no bus answers. */
#include <gio/gio.h>
#include <string.h>
#include "driver/machined.h"
#include "driver/cgroup.h"

static const char manager_xml[] =
    "<node><interface name='org.freedesktop.machine1.Manager'>"
    "<method name='CreateMachine'>"
    "<arg type='s' direction='in'/><arg type='ay' direction='in'/>"
    "<arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='u' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='a(sv)' direction='in'/><arg type='o' direction='out'/>"
    "</method>"
    "<method name='TerminateMachine'><arg type='s' direction='in'/></method>"
    "</interface></node>";

static GPtrArray *calls;   /* "METHOD ARGS" as GVariant text */

static void
on_call(GDBusConnection *c, const char *sender, const char *path, const char *iface,
        const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer data)
{
    g_ptr_array_add(calls, g_strdup_printf("%s %s", method, g_variant_print(params, FALSE)));
    if (g_str_equal(method, "CreateMachine"))
        g_dbus_method_invocation_return_value(
            inv, g_variant_new("(o)", "/org/freedesktop/machine1/machine/x"));
    else
        g_dbus_method_invocation_return_dbus_error(
            inv, "org.freedesktop.machine1.NoSuchMachine", "no such machine");
}

static const GDBusInterfaceVTable vtable = { on_call, NULL, NULL, { 0 } };

static void
wait_calls(guint n)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (calls->len < n && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_cmpuint(calls->len, ==, n);
}

static void
test_register_and_terminate(void)
{
    g_autoptr(GTestDBus) tbus = g_test_dbus_new(G_TEST_DBUS_NONE);
    g_autoptr(GDBusConnection) conn = NULL;
    g_autoptr(GDBusNodeInfo) node = NULL;
    static const unsigned char uuid[16] = { 0xc7, 0xa5, 0xfd, 0xbd, 0xed, 0xaf, 0x91, 0x27,
                                            0x5a, 0xb0, 0xf1, 0x00, 0x00, 0x00, 0x00, 0x01 };
    const char *s;

    g_test_dbus_up(tbus);
    /* the driver looks for machined on the system bus */
    g_setenv("DBUS_SYSTEM_BUS_ADDRESS", g_test_dbus_get_bus_address(tbus), TRUE);
    conn = g_dbus_connection_new_for_address_sync(
        g_test_dbus_get_bus_address(tbus),
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, NULL);
    g_assert_nonnull(conn);
    node = g_dbus_node_info_new_for_xml(manager_xml, NULL);
    g_assert_cmpuint(g_dbus_connection_register_object(conn, "/org/freedesktop/machine1",
                                                       node->interfaces[0], &vtable, NULL,
                                                       NULL, NULL), >, 0);
    g_variant_unref(g_dbus_connection_call_sync(
        conn, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "RequestName", g_variant_new("(su)", "org.freedesktop.machine1", 0), NULL,
        G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL));
    calls = g_ptr_array_new_with_free_func(g_free);

    armz_machined_register("web 1", 7, uuid, 4242, NULL);
    wait_calls(1);
    s = g_ptr_array_index(calls, 0);
    g_assert_true(g_str_has_prefix(s, "CreateMachine ('armz-7-web1', [0xc7, 0xa5, 0xfd"));
    g_assert_nonnull(strstr(s, "0x01], 'libvirt-armz', 'vm', 4242, '', [])"));

    armz_machined_terminate("web 1", 7);
    wait_calls(2);
    g_assert_cmpstr(g_ptr_array_index(calls, 1), ==, "TerminateMachine ('armz-7-web1',)");

    /* the domain's limits travel as properties of machined's scope */
    {
        g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(
            "<domain type='kvm'><name>t</name><memory>1024</memory><vcpu>2</vcpu>"
            "<os><type>hvm</type></os><cputune><shares>300</shares><period>100000</period>"
            "<quota>50000</quota></cputune><memtune><hard_limit>4096</hard_limit></memtune>"
            "</domain>", NULL);

        g_assert_nonnull(def);
        armz_machined_register("t", 8, uuid, 4243, armz_cgroup_scope_properties(def));
        wait_calls(3);
        s = g_ptr_array_index(calls, 2);
        g_assert_nonnull(strstr(s, "('Delegate', <true>)"));
        g_assert_nonnull(strstr(s, "('CPUWeight', <uint64 300>)"));
        /* 50 ms of each 100 ms, for each of 2 vCPUs */
        g_assert_nonnull(strstr(s, "('CPUQuotaPerSecUSec', <uint64 1000000>)"));
        g_assert_nonnull(strstr(s, "('MemoryMax', <uint64 4194304>)"));
    }

    g_ptr_array_unref(calls);
    g_clear_object(&conn);
    g_test_dbus_down(tbus);
}

static void
test_names(void)
{
    g_autofree char *a = armz_machined_name("vm/with:odd chars", 12);
    g_autofree char *b = armz_machined_name("x-.", 3);
    g_autofree char *c = armz_machined_name(
        "a-very-long-domain-name-that-goes-on-and-on-beyond-what-machined-takes", 123456);

    g_assert_cmpstr(a, ==, "armz-12-vmwithoddchars");
    g_assert_cmpstr(b, ==, "armz-3-x");
    g_assert_cmpuint(strlen(c), <=, 64);
    g_assert_true(g_str_has_prefix(c, "armz-123456-a-very-long"));
}

/* Where no bus answers, starting and stopping guests goes on without a word
 * above debug level. */
static void
test_no_bus(void)
{
    if (g_test_subprocess()) {
        static const unsigned char uuid[16];
        g_setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/armz-test-bus", TRUE);
        armz_machined_register("quiet", 1, uuid, 1, NULL);
        armz_machined_terminate("quiet", 1);
        return;
    }
    g_test_trap_subprocess(NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/machined/names", test_names);
    g_test_add_func("/machined/no-bus", test_no_bus);
    g_test_add_func("/machined/register-and-terminate", test_register_and_terminate);
    return g_test_run();
}
