/* libvirt's read-only rule, as the procedure list gives it and the
 * dispatcher applies it: default deny, the conditional rules read the
 * call's flags or source. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "daemon/daemon.h"
#include "util/error.h"
#include "rpc/procinfo.h"
#include "rpc/readonly.h"

static gboolean
h_none(ArmzClient *client, void *args, void *ret, GError **error)
{
    return TRUE;
}

/* Refused, with libvirt's message; the message has MSG in it. */
static void
assert_denied(const ArmzProc *p, const void *args, const char *msg)
{
    g_autoptr(GError) error = NULL;

    g_assert_false(armz_readonly_check(p, args, &error));
    g_assert_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_DENIED);
    if (!strstr(error->message, msg))
        g_error("proc %d: %s lacks %s", p->proc, error->message, msg);
}

static void
test_rules_from_the_list(void)
{
    /* The names, API and rules the tables no longer carry. */
    g_assert_cmpint(REMOTE_PROC_STORAGE_VOL_DOWNLOAD, ==, 209);
    g_assert_cmpstr(armz_proc_name(209), ==, "REMOTE_PROC_STORAGE_VOL_DOWNLOAD");
    g_assert_cmpstr(armz_proc_api(209), ==, "virStorageVolDownload");
    g_assert_cmpint(armz_proc_info(209)->readonly, ==, ARMZ_RO_DENY);
    g_assert_cmpint(armz_proc_info(REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME)->readonly, ==,
                    ARMZ_RO_ALLOW);
    g_assert_cmpstr(armz_proc_api(REMOTE_PROC_AUTH_LIST), ==, "REMOTE_PROC_AUTH_LIST");
    g_assert_cmpuint(armz_proc_info(REMOTE_PROC_DOMAIN_GET_XML_DESC)->readonly_mask, ==,
                     VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_MIGRATABLE);
    g_assert_null(armz_proc_info(0));
    g_assert_null(armz_proc_info(100000));
}

static void
test_unconditional(void)
{
    const ArmzProc download = { REMOTE_PROC_STORAGE_VOL_DOWNLOAD,
                                ARMZ_ARGS(armz_storage_vol_transfer_args), ARMZ_NORET, h_none,
                                ARMZ_PROC_STREAM };
    const ArmzProc lookup = { REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                              ARMZ_ARGS(armz_domain_lookup_by_name_args),
                              ARMZ_RET(armz_domain_ret), h_none, 0 };
    const ArmzProc event = { REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE, ARMZ_NOARGS, ARMZ_NORET,
                             h_none, 0 };
    armz_storage_vol_transfer_args targs = { 0 };

    /* refused before and after decoding */
    assert_denied(&download, NULL, "read only access prevents virStorageVolDownload");
    assert_denied(&download, &targs, "read only access prevents virStorageVolDownload");
    g_assert_true(armz_readonly_check(&lookup, NULL, NULL));
    /* a number libvirt sends as an event, never a call: refused */
    assert_denied(&event, NULL, "REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE");
}

static void
test_secure_flags(void)
{
    const ArmzProc xml = { REMOTE_PROC_DOMAIN_GET_XML_DESC, ARMZ_ARGS(armz_domain_flags_args),
                           ARMZ_RET(armz_string_ret), h_none, 0 };
    const ArmzProc vcpus = { REMOTE_PROC_DOMAIN_GET_VCPUS_FLAGS,
                             ARMZ_ARGS(armz_domain_flags_args), ARMZ_RET(armz_int_ret),
                             h_none, 0 };
    /* a conditional rule on arguments it cannot read: refused */
    const ArmzProc odd = { REMOTE_PROC_DOMAIN_GET_XML_DESC, ARMZ_ARGS(armz_domain_args),
                           ARMZ_RET(armz_string_ret), h_none, 0 };
    armz_domain_flags_args a = { .flags = VIR_DOMAIN_XML_INACTIVE };
    armz_domain_args plain = { 0 };

    g_assert_true(armz_readonly_rule_known(&xml));
    g_assert_false(armz_readonly_rule_known(&odd));
    g_assert_true(armz_readonly_check(&xml, NULL, NULL));    /* not decoded yet */
    g_assert_true(armz_readonly_check(&xml, &a, NULL));
    a.flags = VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE;
    assert_denied(&xml, &a, "virDomainGetXMLDesc with secure flag");
    a.flags = VIR_DOMAIN_XML_MIGRATABLE;
    assert_denied(&xml, &a, "virDomainGetXMLDesc with secure flag");
    assert_denied(&odd, &plain, "read only access prevents virDomainGetXMLDesc");

    a.flags = VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM;
    g_assert_true(armz_readonly_check(&vcpus, &a, NULL));
    a.flags = VIR_DOMAIN_VCPU_GUEST;
    assert_denied(&vcpus, &a, "read only access prevents virDomainGetVcpusFlags");
}

static void
test_agent_source(void)
{
    const ArmzProc ifaddr = { REMOTE_PROC_DOMAIN_INTERFACE_ADDRESSES,
                              ARMZ_ARGS(armz_domain_interface_addresses_args),
                              ARMZ_RET(armz_domain_interface_addresses_ret), h_none, 0 };
    armz_domain_interface_addresses_args a = {
        .source = VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE };

    g_assert_true(armz_readonly_rule_known(&ifaddr));
    g_assert_true(armz_readonly_check(&ifaddr, &a, NULL));
    a.source = VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP;
    g_assert_true(armz_readonly_check(&ifaddr, &a, NULL));
    a.source = VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT;
    assert_denied(&ifaddr, &a, "read only access prevents virDomainInterfaceAddresses");
}

static void
count_denied(const ArmzProc *p, gpointer data)
{
    guint *n = data;

    g_assert_true(armz_readonly_rule_known(p));
    if (!armz_readonly_check(p, NULL, NULL))
        (*n)++;
}

/* What the daemon serves: every procedure's rule applies; most changes. */
static void
test_served(void)
{
    ArmzDispatcher *d = armz_dispatcher_new();
    guint denied = 0;

    armz_remote_register_all(d);
    armz_dispatcher_foreach(d, count_denied, &denied);
    g_assert_cmpuint(denied, >, 40);
    armz_dispatcher_free(d);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/readonly/rules-from-the-list", test_rules_from_the_list);
    g_test_add_func("/readonly/unconditional", test_unconditional);
    g_test_add_func("/readonly/secure-flags", test_secure_flags);
    g_test_add_func("/readonly/agent-source", test_agent_source);
    g_test_add_func("/readonly/served", test_served);
    return g_test_run();
}
