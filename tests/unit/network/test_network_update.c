/* virNetworkUpdate's edits of a definition (network_update.c): each case
 * applies one update to a base network and checks the formatted result, or
 * the error code and message. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/error.h"
#include "network/network_conf.h"
#include "network/network_update.h"

static const char base_xml[] =
    "<network><name>n</name><forward mode='nat'/><bridge name='armzbr9'/>"
    "<ip address='10.1.0.1' prefix='24'><dhcp>"
    "<range start='10.1.0.100' end='10.1.0.199'/>"
    "<host mac='52:54:00:00:00:01' name='one' ip='10.1.0.5'/>"
    "</dhcp></ip>"
    "<ip family='ipv6' address='fd00:1::1' prefix='64'/>"
    "<dns><host ip='10.1.0.9'><hostname>nine</hostname></host></dns>"
    "</network>";

enum { ADD_LAST = VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
       ADD_FIRST = VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST,
       DELETE = VIR_NETWORK_UPDATE_COMMAND_DELETE,
       MODIFY = VIR_NETWORK_UPDATE_COMMAND_MODIFY };
enum { HOST = VIR_NETWORK_SECTION_IP_DHCP_HOST, RANGE = VIR_NETWORK_SECTION_IP_DHCP_RANGE,
       DNS = VIR_NETWORK_SECTION_DNS_HOST };

typedef struct {
    const char *name;
    unsigned int command, section;
    int parent;
    const char *xml;
    int code;                 /* 0: success */
    const char *want;         /* in the formatted result, or in the message */
    const char *gone;         /* must no longer be in the result */
} Case;

static const Case cases[] = {
    { "host-add-last", ADD_LAST, HOST, -1,
      "<host mac='52:54:00:00:00:02' name='two' ip='10.1.0.6'/>", 0,
      "ip='10.1.0.5'/>\n      <host mac='52:54:00:00:00:02' name='two' ip='10.1.0.6'/>", NULL },
    { "host-add-first", ADD_FIRST, HOST, 0,
      "<host mac='52:54:00:00:00:02' ip='10.1.0.6'/>", 0,
      "<host mac='52:54:00:00:00:02' ip='10.1.0.6'/>\n      <host mac='52:54:00:00:00:01'", NULL },
    { "host-dup-mac", ADD_LAST, HOST, -1, "<host mac='52:54:00:00:00:01' ip='10.1.0.7'/>",
      VIR_ERR_OPERATION_INVALID, "there is an existing dhcp host entry in network 'n'", NULL },
    { "host-dup-name", ADD_LAST, HOST, -1, "<host mac='52:54:00:00:00:03' name='one' ip='10.1.0.7'/>",
      VIR_ERR_OPERATION_INVALID, "existing dhcp host entry", NULL },
    { "host-dup-ip", ADD_LAST, HOST, -1, "<host mac='52:54:00:00:00:03' ip='10.1.0.5'/>",
      VIR_ERR_OPERATION_INVALID, "existing dhcp host entry", NULL },
    { "host-outside", ADD_LAST, HOST, -1, "<host mac='52:54:00:00:00:03' ip='10.2.0.5'/>",
      VIR_ERR_XML_ERROR, "is not within network 10.1.0.1/24", NULL },
    { "host-delete-by-mac", DELETE, HOST, -1, "<host mac='52:54:00:00:00:01'/>", 0,
      "<range", "52:54:00:00:00:01" },
    { "host-delete-mismatch", DELETE, HOST, -1, "<host mac='52:54:00:00:00:01' ip='10.1.0.8'/>",
      VIR_ERR_OPERATION_INVALID, "couldn't locate a matching dhcp host entry", NULL },
    { "host-modify", MODIFY, HOST, -1, "<host mac='52:54:00:00:00:01' name='uno' ip='10.1.0.8'/>",
      0, "<host mac='52:54:00:00:00:01' name='uno' ip='10.1.0.8'/>", "ip='10.1.0.5'" },
    { "host-modify-missing", MODIFY, HOST, -1, "<host mac='52:54:00:00:00:0f' ip='10.1.0.8'/>",
      VIR_ERR_OPERATION_INVALID, "couldn't locate", NULL },
    { "host-wrong-element", ADD_LAST, HOST, -1, "<range start='10.1.0.2' end='10.1.0.3'/>",
      VIR_ERR_XML_ERROR, "unexpected element <range>, expecting <host>", NULL },
    { "host-bad-index", ADD_LAST, HOST, 5, "<host mac='52:54:00:00:00:03' ip='10.1.0.7'/>",
      VIR_ERR_OPERATION_INVALID, "has no <ip> element at index 5", NULL },
    { "host-v6-by-family", ADD_LAST, HOST, -1, "<host name='six' ip='fd00:1::6'/>", 0,
      "<host name='six' ip='fd00:1::6'/>", NULL },
    { "host-malformed", ADD_LAST, HOST, -1, "<host mac=", VIR_ERR_XML_ERROR, NULL, NULL },
    { "range-add", ADD_LAST, RANGE, -1, "<range start='10.1.0.20' end='10.1.0.30'/>", 0,
      "<range start='10.1.0.100' end='10.1.0.199'/>\n      <range start='10.1.0.20'", NULL },
    { "range-overlap", ADD_LAST, RANGE, -1, "<range start='10.1.0.150' end='10.1.0.220'/>",
      VIR_ERR_XML_ERROR, "overlaps range 10.1.0.100 - 10.1.0.199", NULL },
    { "range-dup", ADD_FIRST, RANGE, -1, "<range start='10.1.0.100' end='10.1.0.199'/>",
      VIR_ERR_OPERATION_INVALID, "existing dhcp range entry", NULL },
    { "range-delete", DELETE, RANGE, -1, "<range start='10.1.0.100' end='10.1.0.199'/>", 0,
      "<host mac='52:54:00:00:00:01'", "<range" },
    { "range-modify", MODIFY, RANGE, -1, "<range start='10.1.0.100' end='10.1.0.199'/>",
      VIR_ERR_NO_SUPPORT, "cannot be modified", NULL },
    { "dns-add", ADD_LAST, DNS, -1, "<host ip='10.1.0.10'><hostname>ten</hostname></host>", 0,
      "<hostname>nine</hostname>\n    </host>\n    <host ip='10.1.0.10'>", NULL },
    { "dns-dup-name", ADD_LAST, DNS, -1, "<host ip='10.1.0.11'><hostname>nine</hostname></host>",
      VIR_ERR_OPERATION_INVALID, "there is already a DNS HOST record", NULL },
    { "dns-delete", DELETE, DNS, -1, "<host ip='10.1.0.9'><hostname>nine</hostname></host>", 0,
      NULL, "nine" },
    { "dns-delete-other-names", DELETE, DNS, -1,
      "<host ip='10.1.0.9'><hostname>other</hostname></host>",
      VIR_ERR_OPERATION_INVALID, "couldn't locate a matching DNS HOST record", NULL },
    { "dns-modify", MODIFY, DNS, -1, "<host ip='10.1.0.9'><hostname>x</hostname></host>",
      VIR_ERR_NO_SUPPORT, "cannot be modified", NULL },
    { "section-bridge", ADD_LAST, VIR_NETWORK_SECTION_BRIDGE, -1, "<bridge name='x'/>",
      VIR_ERR_NO_SUPPORT, "can't update 'bridge' section of network 'n'", NULL },
    { "section-unknown", ADD_LAST, 99, -1, "<x/>", VIR_ERR_NO_SUPPORT, "unrecognized section 99",
      NULL },
    { "command-unknown", 9, HOST, -1, "<host mac='52:54:00:00:00:03' ip='10.1.0.7'/>",
      VIR_ERR_NO_SUPPORT, "unrecognized network update command code 9", NULL },
};

static void
run_case(gconstpointer data)
{
    const Case *c = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzNetworkDef) def = armz_network_def_parse(base_xml, &err);
    g_autofree char *out = NULL;
    gboolean ok;

    g_assert_no_error(err);
    ok = armz_network_def_update(def, c->command, c->section, c->parent, c->xml, &err);
    if (c->code) {
        g_assert_false(ok);
        g_assert_nonnull(err);
        g_assert_cmpint(err->code, ==, c->code);
        if (c->want && !strstr(err->message, c->want))
            g_error("%s: message '%s' lacks '%s'", c->name, err->message, c->want);
        return;
    }
    if (!ok)
        g_error("%s: %s", c->name, err->message);
    out = armz_network_def_format(def);
    if (c->want && !strstr(out, c->want))
        g_error("%s: result lacks '%s':\n%s", c->name, c->want, out);
    if (c->gone && strstr(out, c->gone))
        g_error("%s: result still has '%s':\n%s", c->name, c->gone, out);
    /* what an update makes parses back the same */
    {
        g_autoptr(ArmzNetworkDef) again = armz_network_def_parse(out, &err);
        g_autofree char *out2 = NULL;
        g_assert_no_error(err);
        out2 = armz_network_def_format(again);
        g_assert_cmpstr(out, ==, out2);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/network/update/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], run_case);
    }
    return g_test_run();
}
