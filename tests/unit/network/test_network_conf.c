/* Network driver unit tests: XML round trips (tests/data/network-xml are
 * written in canonical form, so format(parse(f)) == f), schema validity,
 * refused definitions, the generated dnsmasq configuration and nft
 * script, the lease file parser and the address helpers. */
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"
#include "util/error.h"
#include "network/dnsmasq.h"
#include "network/leases.h"
#include "network/network_conf.h"
#include "network/nftables.h"

static char *srcdir;

static char *
read_file(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err))
        g_error("%s", err->message);
    return data;
}

static ArmzNetworkDef *
parse_ok(const char *xml)
{
    g_autoptr(GError) err = NULL;
    ArmzNetworkDef *def = armz_network_def_parse(xml, &err);

    if (!def)
        g_error("parse failed: %s\n%s", err->message, xml);
    return def;
}

static ArmzNetworkDef *
parse_data(const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/tests/data/network-xml/%s.xml", srcdir, name);
    g_autofree char *xml = read_file(path);
    return parse_ok(xml);
}

/* xmllint is an independent RelaxNG implementation: our output must
 * satisfy it as well as our own validator. */
static void
check_xmllint(const char *xml)
{
    g_autofree char *xmllint = g_find_program_in_path("xmllint");
    g_autofree char *rng = g_build_filename(srcdir, "schemas", "network.rng", NULL);
    g_autofree char *tmp = NULL;
    g_autofree char *errout = NULL;
    g_autoptr(GError) err = NULL;
    int fd, status = 0;

    if (!xmllint) {
        g_test_message("xmllint not found: skipping its check");
        return;
    }
    fd = g_file_open_tmp("armz-net-XXXXXX.xml", &tmp, &err);
    g_assert_no_error(err);
    close(fd);
    g_assert_true(g_file_set_contents(tmp, xml, -1, NULL));
    {
        const char *argv[] = { xmllint, "--noout", "--nonet", "--relaxng", rng, tmp, NULL };
        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                   NULL, NULL, &errout, &status, &err));
    }
    unlink(tmp);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        g_error("xmllint --relaxng rejects:\n%s\n%s", xml, errout);
}

static void
test_round_trip(gconstpointer data)
{
    const char *name = data;
    g_autofree char *path = g_strdup_printf("%s/tests/data/network-xml/%s.xml", srcdir, name);
    g_autofree char *in = read_file(path);
    g_autoptr(ArmzNetworkDef) def = parse_ok(in);
    g_autoptr(ArmzNetworkDef) copy = armz_network_def_copy(def);
    g_autofree char *out = armz_network_def_format(def);
    g_autofree char *out2 = armz_network_def_format(copy);
    g_autoptr(GError) err = NULL;

    g_assert_cmpstr(out, ==, in);
    g_assert_cmpstr(out2, ==, in);
    if (!armz_network_xml_validate(out, &err))
        g_error("%s does not validate: %s", name, err->message);
    check_xmllint(out);
}

static void
test_default_network(void)
{
    g_autofree char *path = g_build_filename(srcdir, "src", "network", "default.xml", NULL);
    g_autofree char *xml = read_file(path);
    g_autoptr(ArmzNetworkDef) def = parse_ok(xml);
    const ArmzNetIPDef *ip = armz_network_def_ip(def, AF_INET);
    ArmzIPAddr libvirt_default;
    g_autoptr(GError) err = NULL;

    g_assert_cmpstr(def->name, ==, "default");
    g_assert_cmpint(def->forward, ==, ARMZ_NET_FORWARD_NAT);
    g_assert_null(def->bridge);            /* generated at define */
    g_assert_nonnull(ip);
    g_assert_cmpuint(ip->ranges->len, ==, 1);
    /* it must not clash with libvirt's own default network */
    g_assert_true(armz_ip_parse("192.168.122.0", &libvirt_default));
    g_assert_false(armz_ip_subnets_overlap(&ip->address, ip->prefix, &libvirt_default, 24));
    g_assert_true(armz_network_xml_validate(xml, &err));
}

static void
test_generated_uuid(void)
{
    g_autoptr(ArmzNetworkDef) a = parse_ok("<network><name>a</name></network>");
    g_autoptr(ArmzNetworkDef) b = parse_ok("<network><name>a</name></network>");
    static const unsigned char zero[16];

    g_assert_true(memcmp(a->uuid, zero, 16) != 0);
    g_assert_true(memcmp(a->uuid, b->uuid, 16) != 0);
    g_assert_cmpint(a->forward, ==, ARMZ_NET_FORWARD_NONE);
    g_assert_true(a->stp);
}

/* ---- refused definitions ---- */

typedef struct {
    const char *name;
    const char *xml;
    int code;
    const char *msg;
} BadCase;

#define N(body) "<network><name>bad</name>" body "</network>"
#define IP4(dhcp) "<ip address='10.0.0.1' netmask='255.255.255.0'><dhcp>" dhcp "</dhcp></ip>"

static const BadCase bad_cases[] = {
    { "malformed", "<network><name>x</nam></network>", VIR_ERR_XML_ERROR,
      "(network_definition):1:" },
    { "wrong-root", "<domain/>", VIR_ERR_XML_ERROR, "expecting <network>" },
    { "no-name", "<network/>", VIR_ERR_NO_NAME, "missing name" },
    { "slash-name", "<network><name>a/b</name></network>", VIR_ERR_XML_DETAIL,
      "invalid char in name: /" },
    /* a name goes into dnsmasq's and nft's input: a newline would add lines */
    { "newline-name", "<network><name>x\nflush ruleset</name></network>", VIR_ERR_XML_DETAIL,
      "invalid char in name: '\\n'" },
    { "tab-name", "<network><name>x&#9;y</name></network>", VIR_ERR_XML_DETAIL,
      "control characters" },
    { "dotdot-name", "<network><name>..</name></network>", VIR_ERR_XML_ERROR,
      "network name '..' is not allowed" },
    { "dash-name", "<network><name>-x</name></network>", VIR_ERR_XML_ERROR,
      "cannot start with '-'" },
    { "bad-forward", N("<forward mode='tunnel'/>"), VIR_ERR_XML_ERROR, "tunnel" },
    { "unsupported-forward", N("<forward mode='passthrough'/>"), VIR_ERR_CONFIG_UNSUPPORTED,
      "passthrough" },
    { "range-outside", N(IP4("<range start='10.0.0.10' end='10.0.1.20'/>")),
      VIR_ERR_XML_ERROR, "DHCP range 10.0.0.10 - 10.0.1.20 is not entirely within network "
      "10.0.0.1/24" },
    { "range-other-family", N(IP4("<range start='fd00::1' end='fd00::9'/>")),
      VIR_ERR_XML_ERROR, "is not of the family" },
    { "range-reversed", N(IP4("<range start='10.0.0.20' end='10.0.0.10'/>")),
      VIR_ERR_XML_ERROR, "ends before it starts" },
    { "range-overlap", N(IP4("<range start='10.0.0.10' end='10.0.0.50'/>"
                             "<range start='10.0.0.40' end='10.0.0.60'/>")),
      VIR_ERR_XML_ERROR, "DHCP range 10.0.0.40 - 10.0.0.60 overlaps range 10.0.0.10 - 10.0.0.50" },
    { "range-broadcast", N(IP4("<range start='10.0.0.10' end='10.0.0.255'/>")),
      VIR_ERR_XML_ERROR, "broadcast" },
    { "bad-ip", N("<ip address='10.0.0.300' prefix='24'/>"), VIR_ERR_XML_ERROR,
      "invalid IP address '10.0.0.300'" },
    { "bad-netmask", N("<ip address='10.0.0.1' netmask='255.0.255.0'/>"), VIR_ERR_XML_ERROR,
      "invalid netmask" },
    { "netmask-and-prefix", N("<ip address='10.0.0.1' netmask='255.0.0.0' prefix='8'/>"),
      VIR_ERR_XML_ERROR, "not both" },
    { "address-is-network", N("<ip address='10.0.0.0' prefix='24'/>"), VIR_ERR_XML_ERROR,
      "network or broadcast address" },
    { "family-mismatch", N("<ip family='ipv6' address='10.0.0.1'/>"), VIR_ERR_XML_ERROR,
      "is not of family 'ipv6'" },
    { "overlapping-ips", N("<ip address='10.0.0.1' prefix='24'/><ip address='10.0.0.2' prefix='16'/>"),
      VIR_ERR_XML_ERROR, "overlap" },
    { "two-dhcp", N(IP4("<range start='10.0.0.10' end='10.0.0.20'/>")
                    "<ip address='10.1.0.1' prefix='24'><dhcp><range start='10.1.0.10' "
                    "end='10.1.0.20'/></dhcp></ip>"),
      VIR_ERR_XML_ERROR, "more than one IPv4" },
    { "host-outside", N(IP4("<host mac='52:54:00:00:00:01' ip='10.9.0.2'/>")),
      VIR_ERR_XML_ERROR, "not within network" },
    { "host-no-id", N(IP4("<host ip='10.0.0.2'/>")), VIR_ERR_XML_ERROR, "needs a mac or a name" },
    { "host-dup-ip", N(IP4("<host mac='52:54:00:00:00:01' ip='10.0.0.2'/>"
                           "<host mac='52:54:00:00:00:02' ip='10.0.0.2'/>")),
      VIR_ERR_XML_ERROR, "given twice" },
    { "host-bad-mac", N(IP4("<host mac='zz' ip='10.0.0.2'/>")), VIR_ERR_XML_ERROR,
      "invalid MAC address 'zz'" },
    { "bridge-mode-no-bridge", N("<forward mode='bridge'/>"), VIR_ERR_XML_ERROR,
      "needs <bridge name=''/>" },
    { "bridge-mode-with-ip", N("<forward mode='bridge'/><bridge name='br0'/>"
                               "<ip address='10.0.0.1' prefix='24'/>"),
      VIR_ERR_XML_ERROR, "are not allowed" },
    { "bad-bridge-name", N("<bridge name='a-very-long-bridge-name'/>"), VIR_ERR_XML_ERROR,
      "invalid bridge name" },
    { "quote-bridge-name", N("<bridge name='a&quot;b'/>"), VIR_ERR_XML_ERROR,
      "invalid bridge name" },
    { "multicast-mac", N("<mac address='01:00:5e:00:00:01'/>"), VIR_ERR_XML_ERROR, "multicast" },
    { "bad-mtu", N("<mtu size='12'/>"), VIR_ERR_XML_ERROR, "invalid MTU 12" },
    { "dev-isolated", N("<forward mode='open' dev='eth0'/>"), VIR_ERR_XML_ERROR,
      "only for mode 'nat' or 'route'" },
    { "dns-no-hostname", N("<dns><host ip='10.0.0.5'/></dns>"), VIR_ERR_XML_ERROR,
      "has no <hostname>" },
    { "dns-bad-hostname", N("<dns><host ip='10.0.0.5'><hostname>a,b</hostname></host></dns>"),
      VIR_ERR_XML_ERROR, "invalid DNS host name 'a,b'" },
    { "bad-domain", N("<domain name='x y'/>"), VIR_ERR_XML_ERROR, "invalid domain name" },
    { "dns-forwarder", N("<dns><forwarder addr='8.8.8.8'/></dns>"), VIR_ERR_CONFIG_UNSUPPORTED,
      "<forwarder>" },
    { "portgroup", N("<portgroup name='x'/>"), VIR_ERR_CONFIG_UNSUPPORTED, "portgroup" },
    { "unknown-element", N("<frobnicate/>"), VIR_ERR_CONFIG_UNSUPPORTED, "frobnicate" },
};

static void
test_bad(gconstpointer data)
{
    const BadCase *c = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzNetworkDef) def = armz_network_def_parse(c->xml, &err);

    if (def)
        g_error("%s: accepted", c->name);
    g_assert_error(err, ARMZ_ERROR, c->code);
    if (!strstr(err->message, c->msg))
        g_error("%s: message '%s' lacks '%s'", c->name, err->message, c->msg);
}

/* Names are file names with suffixes: the longest one that fits is taken,
 * one more byte is refused at define, not at the first write. */
static void
test_name_length(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *ok_name = g_strnfill(239, 'n');
    g_autofree char *long_name = g_strnfill(240, 'n');
    g_autofree char *ok_xml = g_strdup_printf("<network><name>%s</name></network>", ok_name);
    g_autofree char *long_xml = g_strdup_printf("<network><name>%s</name></network>", long_name);
    g_autoptr(ArmzNetworkDef) def = parse_ok(ok_xml);
    g_autoptr(ArmzNetworkDef) bad = armz_network_def_parse(long_xml, &err);

    g_assert_null(bad);
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_XML_ERROR);
    g_assert_nonnull(strstr(err->message, "network name is too long: 240 bytes, at most 239"));
}

static void
test_schema_rejects(void)
{
    g_autoptr(GError) err = NULL;

    g_assert_false(armz_network_xml_validate(N("<forward mode='nat'/><bogus/>"), &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_XML_INVALID_SCHEMA);
    g_clear_error(&err);
    g_assert_false(armz_network_xml_validate("<network><name>x</nam></network>", &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_XML_ERROR);
}

/* ---- dnsmasq ---- */

static char *
dnsmasq_conf(const char *name)
{
    g_autoptr(ArmzNetworkDef) def = parse_data(name);
    ArmzDnsmasqFiles f;
    char *conf;

    armz_dnsmasq_files_init(&f, "/run/x", def->name);
    conf = armz_dnsmasq_config(def, &f, NULL);
    armz_dnsmasq_files_clear(&f);
    g_assert_nonnull(conf);
    return conf;
}

static void
assert_line(const char *text, const char *line, gboolean present)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    gboolean found = g_strv_contains((const char *const *)lines, line);

    if (found != present)
        g_error("line '%s' %s in:\n%s", line, present ? "missing" : "unexpected", text);
}

static void
test_dnsmasq_nat(void)
{
    g_autofree char *c = dnsmasq_conf("full");

    assert_line(c, "pid-file=/run/x/t1.pid", TRUE);
    assert_line(c, "interface=armzbr0", TRUE);
    assert_line(c, "except-interface=lo", TRUE);
    assert_line(c, "bind-dynamic", TRUE);
    assert_line(c, "dhcp-range=10.1.0.10,10.1.0.20,255.255.255.0", TRUE);
    assert_line(c, "dhcp-range=fd00:1::10,fd00:1::20,64", TRUE);
    assert_line(c, "dhcp-host=52:54:00:00:00:01,10.1.0.2,h1", TRUE);
    assert_line(c, "dhcp-leasefile=/run/x/t1.leases", TRUE);
    assert_line(c, "dhcp-lease-max=28", TRUE);
    assert_line(c, "domain=example.test", TRUE);
    assert_line(c, "local=/example.test/", TRUE);
    assert_line(c, "host-record=a,b.example.test,10.1.0.5", TRUE);
    assert_line(c, "enable-ra", TRUE);
    assert_line(c, "no-resolv", FALSE);
    assert_line(c, "dhcp-option=3", FALSE);
}

static void
test_dnsmasq_isolated(void)
{
    g_autofree char *c = dnsmasq_conf("isolated");

    /* a lease, but no default route and nothing to forward DNS to */
    assert_line(c, "dhcp-option=3", TRUE);
    assert_line(c, "no-resolv", TRUE);
    assert_line(c, "dhcp-range=10.2.0.100,10.2.0.199,255.255.255.0", TRUE);
    assert_line(c, "enable-ra", FALSE);
}

static void
test_dnsmasq_static_only(void)
{
    g_autofree char *c = dnsmasq_conf("open");

    assert_line(c, "dhcp-range=10.4.0.0,static,255.255.255.0", TRUE);
    assert_line(c, "dhcp-host=52:54:00:00:00:07,10.4.0.7,fixed", TRUE);
}

/* What the parser refuses must be refused by the writer too: these
 * definitions are made hostile behind the parser's back. */
static void
assert_dnsmasq_refuses(ArmzNetworkDef *def, const char *state_dir, const char *msg)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *conf = NULL;
    ArmzDnsmasqFiles f;

    armz_dnsmasq_files_init(&f, state_dir, def->name);
    conf = armz_dnsmasq_config(def, &f, &err);
    armz_dnsmasq_files_clear(&f);
    if (conf)
        g_error("accepted:\n%s", conf);
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
    if (!strstr(err->message, msg))
        g_error("message '%s' lacks '%s'", err->message, msg);
}

static void
replace(char **field, const char *value)
{
    g_free(*field);
    *field = g_strdup(value);
}

static void
test_dnsmasq_hostile(void)
{
    const char *ctl = "it contains a control character";

    {
        g_autoptr(ArmzNetworkDef) def = parse_data("full");
        replace(&def->name, "x\nflush ruleset");
        assert_dnsmasq_refuses(def, "/run/x", "network name \"x\\nflush ruleset\"");
    }
    {
        /* the name also reaches the file through the paths made of it */
        g_autoptr(ArmzNetworkDef) def = parse_data("full");
        assert_dnsmasq_refuses(def, "/run/x\ndhcp-script=/tmp/evil", ctl);
    }
    {
        g_autoptr(ArmzNetworkDef) def = parse_data("full");
        replace(&def->bridge, "armzbr0,eth0");
        assert_dnsmasq_refuses(def, "/run/x", "',' in it would be read as syntax");
    }
    {
        g_autoptr(ArmzNetworkDef) def = parse_data("full");
        replace(&def->domain, "a/b");
        assert_dnsmasq_refuses(def, "/run/x", "domain name \"a/b\"");
    }
    {
        g_autoptr(ArmzNetworkDef) def = parse_data("full");
        ArmzNetDnsHost *h = g_ptr_array_index(def->dns_hosts, 0);
        replace(&h->hostnames[0], "a\ndhcp-script=/tmp/evil");
        assert_dnsmasq_refuses(def, "/run/x", ctl);
    }
    {
        g_autoptr(ArmzNetworkDef) def = parse_data("full");
        ArmzNetIPDef *ip = g_ptr_array_index(def->ips, 0);
        ArmzNetDhcpHost *h = g_ptr_array_index(ip->hosts, 0);
        replace(&h->name, "h1 #x");
        assert_dnsmasq_refuses(def, "/run/x", "' ' in it");
    }
    {
        /* dnsmasq reads 1024 bytes a line: the rest would be a line of its own */
        g_autoptr(ArmzNetworkDef) def = parse_data("full");
        g_autofree char *dir = g_strnfill(1100, 'd');
        g_autofree char *state = g_strconcat("/", dir, NULL);
        assert_dnsmasq_refuses(def, state, "refusing to write a line of");
    }
}

/* Paths with what dnsmasq reads as syntax are quoted, not refused. */
static void
test_dnsmasq_quoted_path(void)
{
    g_autoptr(ArmzNetworkDef) def = parse_data("full");
    g_autoptr(GError) err = NULL;
    g_autofree char *conf = NULL;
    ArmzDnsmasqFiles f;

    replace(&def->name, "my \"net\" #1");
    armz_dnsmasq_files_init(&f, "/run/x", def->name);
    conf = armz_dnsmasq_config(def, &f, &err);
    armz_dnsmasq_files_clear(&f);
    g_assert_no_error(err);
    assert_line(conf, "pid-file=\"/run/x/my \\\"net\\\" #1.pid\"", TRUE);
    assert_line(conf, "dhcp-leasefile=\"/run/x/my \\\"net\\\" #1.leases\"", TRUE);
}

/* ---- nftables ---- */

static char *
nft_script_ok(const GPtrArray *defs)
{
    g_autoptr(GError) err = NULL;
    char *s = armz_nft_script(defs, &err);

    g_assert_no_error(err);
    g_assert_nonnull(s);
    return s;
}

static void
assert_nft_refuses(ArmzNetworkDef *def, const char *msg)
{
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func((GDestroyNotify)armz_network_def_free);
    g_autoptr(GError) err = NULL;
    g_autofree char *s = NULL;

    g_ptr_array_add(defs, parse_data("isolated"));
    g_ptr_array_add(defs, def);
    s = armz_nft_script(defs, &err);
    if (s)
        g_error("accepted:\n%s", s);
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
    if (!strstr(err->message, msg))
        g_error("message '%s' lacks '%s'", err->message, msg);
}

static void
test_nft_hostile(void)
{
    ArmzNetworkDef *def;

    /* the probe's injection: a comment line ended early */
    def = parse_data("full");
    replace(&def->name, "x\nflush ruleset");
    assert_nft_refuses(def, "network name \"x\\nflush ruleset\"");
    def = parse_data("full");
    replace(&def->bridge, "armzbr0\" accept\n");
    assert_nft_refuses(def, "control character");
    def = parse_data("full");
    replace(&def->bridge, "e*");        /* would match every eth* interface */
    assert_nft_refuses(def, "'*' in it would be read as syntax");
    def = parse_data("full");
    replace(&def->forward_dev, "eth0\"");
    assert_nft_refuses(def, "forward device");
}

static char *
nft_for(const char *const *names)
{
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func((GDestroyNotify)armz_network_def_free);

    for (; *names; names++)
        g_ptr_array_add(defs, parse_data(*names));
    return nft_script_ok(defs);
}

static void
test_nft_none(void)
{
    g_autofree char *s = nft_for((const char *const[]){ "open", "hostbridge", NULL });

    /* nothing needs rules: the table goes, and nothing else is named */
    g_assert_cmpstr(s, ==, "table inet armz {}\ndelete table inet armz\n");
}

static void
test_nft_rules(void)
{
    g_autofree char *s = nft_for((const char *const[]){ "full", "isolated", "routed", NULL });

    g_assert_true(g_str_has_prefix(s, "table inet armz {}\ndelete table inet armz\n"
                                      "table inet armz {\n"));
    /* every table named is ours */
    for (const char *p = s; (p = strstr(p, "table ")); p += 6)
        g_assert_true(g_str_has_prefix(p, "table inet armz ") ||
                      g_str_has_prefix(p, "table inet armz\n"));
    assert_line(s, "    ip saddr 10.1.0.0/24 ip daddr != 10.1.0.0/24 oifname \"eth0\" masquerade",
                TRUE);
    assert_line(s, "    iifname \"armzbr0\" oifname \"eth0\" ip saddr 10.1.0.0/24 accept", TRUE);
    assert_line(s, "    oifname \"armzbr0\" iifname \"eth0\" ip daddr 10.1.0.0/24 ct state "
                   "established,related accept", TRUE);
    /* IPv6 on a NAT network is routed */
    assert_line(s, "    oifname \"armzbr0\" iifname \"eth0\" ip6 daddr fd00:1::/64 accept", TRUE);
    /* isolated: only traffic within the bridge */
    assert_line(s, "    iifname \"armziso0\" oifname \"armziso0\" accept", TRUE);
    assert_line(s, "    iifname \"armziso0\" reject", TRUE);
    g_assert_null(strstr(s, "10.2.0.0/24"));
    /* routed: both ways, no NAT */
    assert_line(s, "    oifname \"armzrt0\" ip daddr 10.3.0.0/16 accept", TRUE);
    g_assert_null(strstr(s, "saddr 10.3.0.0/16 ip daddr !="));
}

/* ---- leases ---- */

static void
test_leases(void)
{
    g_autoptr(ArmzNetworkDef) def = parse_data("full");
    const char *text =
        "1700000100 52:54:00:AA:00:01 10.1.0.11 guest1 01:52:54:00:aa:00:01\n"
        "1699999000 52:54:00:aa:00:02 10.1.0.12 old *\n"
        "0 52:54:00:aa:00:03 10.1.0.13 * *\n"
        "duid 00:01:00:01:2c:aa:bb:cc:52:54:00:17:f6:28\n"
        "1700000200 12345 fd00:1::11 guest6 00:04:aa:bb\n"
        "garbage line\n";
    g_autoptr(GPtrArray) all = armz_leases_parse(text, def, NULL, 1700000000);
    g_autoptr(GPtrArray) one = armz_leases_parse(text, def, "52:54:00:aa:00:01", 1700000000);
    const ArmzNetworkLease *l;

    g_assert_cmpuint(all->len, ==, 3);       /* the expired one is left out */
    l = g_ptr_array_index(all, 0);
    g_assert_cmpint(l->expiry, ==, 1700000100);
    g_assert_cmpint(l->family, ==, AF_INET);
    g_assert_cmpstr(l->mac, ==, "52:54:00:aa:00:01");
    g_assert_cmpstr(l->ip, ==, "10.1.0.11");
    g_assert_cmpuint(l->prefix, ==, 24);
    g_assert_cmpstr(l->hostname, ==, "guest1");
    g_assert_cmpstr(l->clientid, ==, "01:52:54:00:aa:00:01");
    l = g_ptr_array_index(all, 1);
    g_assert_cmpint(l->expiry, ==, 0);       /* infinite */
    g_assert_null(l->hostname);
    g_assert_null(l->clientid);
    l = g_ptr_array_index(all, 2);
    g_assert_cmpint(l->family, ==, AF_INET6);
    g_assert_null(l->mac);
    g_assert_cmpstr(l->iaid, ==, "12345");
    g_assert_cmpuint(l->prefix, ==, 64);
    g_assert_cmpuint(one->len, ==, 1);
}

/* ---- addresses ---- */

static void
test_addr(void)
{
    ArmzIPAddr a, b, m;
    char buf[46];

    g_assert_true(armz_ip_parse("10.0.0.10", &a));
    g_assert_true(armz_ip_parse("10.0.0.20", &b));
    g_assert_cmpuint(armz_ip_range_size(&a, &b), ==, 11);
    g_assert_cmpuint(armz_ip_range_size(&b, &a), ==, 0);
    g_assert_true(armz_ip_parse("255.255.252.0", &m));
    g_assert_cmpint(armz_ip_netmask_to_prefix(&m), ==, 22);
    armz_ip_prefix_to_netmask(20, &m);
    armz_ip_format(&m, buf);
    g_assert_cmpstr(buf, ==, "255.255.240.0");
    g_assert_true(armz_ip_parse("10.0.3.255", &b));
    g_assert_true(armz_ip_in_subnet(&b, &a, 22));
    g_assert_false(armz_ip_in_subnet(&b, &a, 24));
    g_assert_true(armz_ip_parse("fd00::1", &a));
    g_assert_true(armz_ip_parse("fd00:0:0:1::1", &b));
    g_assert_false(armz_ip_subnets_overlap(&a, 64, &b, 64));
    g_assert_true(armz_ip_subnets_overlap(&a, 48, &b, 64));
    g_assert_false(armz_ip_parse("fd00::g", &a));
    g_assert_true(armz_network_ifname_valid("armzbr0"));
    g_assert_false(armz_network_ifname_valid("0123456789abcdef"));
    g_assert_false(armz_network_ifname_valid("a b"));
}

int
main(int argc, char **argv)
{
    const char *env = g_getenv("ARMZ_SRCDIR");
    static const char *const data[] = { "full", "isolated", "routed", "hostbridge", "open" };

    g_test_init(&argc, &argv, NULL);
    srcdir = g_strdup(env && *env ? env : SRCDIR);
    g_setenv("ARMZ_SCHEMA_DIR", g_build_filename(srcdir, "schemas", NULL), TRUE);

    for (guint i = 0; i < G_N_ELEMENTS(data); i++) {
        g_autofree char *tn = g_strdup_printf("/network/round-trip/%s", data[i]);
        g_test_add_data_func(tn, data[i], test_round_trip);
    }
    g_test_add_func("/network/default", test_default_network);
    g_test_add_func("/network/generated-uuid", test_generated_uuid);
    for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autofree char *tn = g_strdup_printf("/network/bad/%s", bad_cases[i].name);
        g_test_add_data_func(tn, &bad_cases[i], test_bad);
    }
    g_test_add_func("/network/schema-rejects", test_schema_rejects);
    g_test_add_func("/network/dnsmasq/nat", test_dnsmasq_nat);
    g_test_add_func("/network/dnsmasq/isolated", test_dnsmasq_isolated);
    g_test_add_func("/network/dnsmasq/static-only", test_dnsmasq_static_only);
    g_test_add_func("/network/dnsmasq/hostile", test_dnsmasq_hostile);
    g_test_add_func("/network/dnsmasq/quoted-path", test_dnsmasq_quoted_path);
    g_test_add_func("/network/nft/none", test_nft_none);
    g_test_add_func("/network/nft/hostile", test_nft_hostile);
    g_test_add_func("/network/name-length", test_name_length);
    g_test_add_func("/network/nft/rules", test_nft_rules);
    g_test_add_func("/network/leases", test_leases);
    g_test_add_func("/network/addr", test_addr);
    return g_test_run();
}
