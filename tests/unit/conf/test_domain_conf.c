/* Domain XML parse/format tests: golden files (tests/data/domain-xml),
 * examples/, round-trip fixed point, schema validity, generated ids, and a
 * table of inputs that must be refused with a given error.
 *
 * ARMZ_REGENERATE=1 rewrites the NAME.out.xml files instead of comparing. */
#include "conf/domain_conf.h"
#include "util/error.h"

#include <string.h>
#include <sys/wait.h>
#include <libvirt/libvirt.h>

static char *srcdir;
static char *rng_path;

static char *
read_file(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err))
        g_error("%s", err->message);
    return data;
}

/* xmllint is an independent RelaxNG implementation user tools rely on:
 * what we print must satisfy it too, not only our own validator. */
static void
check_xmllint(const char *path)
{
    const char *xmllint = g_getenv("XMLLINT");
    g_autofree char *found = NULL;
    g_autofree char *out = NULL, *errout = NULL;
    g_autoptr(GError) err = NULL;
    int status = 0;

    if (!xmllint || !*xmllint)
        xmllint = found = g_find_program_in_path("xmllint");
    if (!xmllint) {
        g_test_message("xmllint not found, skipping its check of %s", path);
        return;
    }
    const char *argv[] = { xmllint, "--noout", "--nonet", "--relaxng", rng_path, path, NULL };
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                      &out, &errout, &status, &err))
        g_error("running xmllint: %s", err->message);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        g_error("xmllint --relaxng rejects %s:\n%s", path, errout);
}

static void
check_round_trip(const char *xml, const char *what, gboolean live)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) def = NULL, def2 = NULL, copy = NULL;
    g_autofree char *out = NULL, *out2 = NULL, *out3 = NULL;
    int id = live ? 7 : -1;

    def = armz_domain_def_parse(xml, &err);
    if (!def)
        g_error("%s: parse failed: %s", what, err->message);
    out = armz_domain_def_format(def, id, 0);
    def2 = armz_domain_def_parse(out, &err);
    if (!def2)
        g_error("%s: re-parse of formatted XML failed: %s\n%s", what, err->message, out);
    out2 = armz_domain_def_format(def2, id, 0);
    g_assert_cmpstr(out, ==, out2);
    copy = armz_domain_def_copy(def);
    g_assert_nonnull(copy);
    out3 = armz_domain_def_format(copy, id, 0);
    g_assert_cmpstr(out, ==, out3);
    if (!armz_domain_xml_validate(out, rng_path, &err))
        g_error("%s: formatted XML fails the schema: %s\n%s", what, err->message, out);
}

static void
test_golden(gconstpointer data)
{
    const char *name = data;
    g_autofree char *in_path = g_strdup_printf("%s/tests/data/domain-xml/%s.xml", srcdir, name);
    g_autofree char *out_path = g_strdup_printf("%s/tests/data/domain-xml/%s.out.xml", srcdir, name);
    g_autofree char *in = read_file(in_path);
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) def = NULL;
    g_autofree char *out = NULL;

    /* golden inputs are written to the schema too */
    if (!armz_domain_xml_validate(in, rng_path, &err))
        g_error("%s fails the schema: %s", in_path, err->message);
    def = armz_domain_def_parse(in, &err);
    if (!def)
        g_error("%s: %s", in_path, err->message);
    out = armz_domain_def_format(def, -1, 0);

    if (g_strcmp0(g_getenv("ARMZ_REGENERATE"), "1") == 0) {
        if (!g_file_set_contents(out_path, out, -1, &err))
            g_error("%s", err->message);
    } else {
        g_autofree char *expected = read_file(out_path);
        g_assert_cmpstr(out, ==, expected);
    }
    check_round_trip(in, name, FALSE);
    check_round_trip(in, name, TRUE);
    check_xmllint(out_path);
}

static void
test_example(gconstpointer data)
{
    const char *path = data;
    g_autofree char *in = read_file(path);
    g_autoptr(GError) err = NULL;

    if (!armz_domain_xml_validate(in, rng_path, &err))
        g_error("%s fails the schema: %s", path, err->message);
    check_round_trip(in, path, FALSE);
    check_xmllint(path);
}

/* ---------------- refused inputs ---------------- */

#define HEAD "<domain type='kvm'><name>bad</name><memory>1024</memory>" \
             "<os><type>hvm</type></os>"
#define TAIL "</domain>"

typedef struct {
    const char *name;
    const char *xml;
    int code;
    const char *msg;        /* substring of the message */
} BadCase;

static const BadCase bad_cases[] = {
    { "malformed", "<domain type='kvm'>\n<name>x</nam>\n</domain>",
      VIR_ERR_XML_ERROR, "(domain_definition):2: Opening and ending tag mismatch" },
    { "not-xml", "this is not xml", VIR_ERR_XML_ERROR, "(domain_definition):1:" },
    { "empty", "", VIR_ERR_XML_ERROR, "" },
    { "wrong-root", "<network><name>x</name></network>", VIR_ERR_XML_ERROR,
      "unexpected root element <network>" },
    { "missing-name", "<domain type='kvm'><memory>1024</memory><os><type>hvm</type></os></domain>",
      VIR_ERR_XML_ERROR, "missing domain <name>" },
    { "empty-name", "<domain type='kvm'><name></name><memory>1</memory><os><type>hvm</type></os></domain>",
      VIR_ERR_XML_ERROR, "must not be empty" },
    { "name-slash", "<domain type='kvm'><name>a/b</name><memory>1</memory><os><type>hvm</type></os></domain>",
      VIR_ERR_XML_ERROR, "cannot contain '/'" },
    { "bad-uuid", HEAD "<uuid>not-a-uuid</uuid>" TAIL, VIR_ERR_XML_ERROR, "malformed uuid" },
    { "short-uuid", HEAD "<uuid>0b6b1c4e-8d7f-4a5e-9c1d-2f3e4a5b6c</uuid>" TAIL,
      VIR_ERR_XML_ERROR, "malformed uuid" },
    { "missing-type", "<domain><name>x</name></domain>", VIR_ERR_XML_ERROR,
      "missing domain type attribute" },
    { "type-xen", "<domain type='xen'><name>x</name></domain>", VIR_ERR_CONFIG_UNSUPPORTED,
      "<domain type='xen'> is not supported" },
    { "type-bogus", "<domain type='bogus'><name>x</name></domain>", VIR_ERR_XML_ERROR,
      "invalid value 'bogus'" },
    { "arch-x86_64", "<domain type='kvm'><name>x</name><memory>1</memory>"
      "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>",
      VIR_ERR_CONFIG_UNSUPPORTED, "architecture 'x86_64' is not supported" },
    { "machine-pc", "<domain type='kvm'><name>x</name><memory>1</memory>"
      "<os><type machine='pc'>hvm</type></os></domain>",
      VIR_ERR_CONFIG_UNSUPPORTED, "machine type 'pc'" },
    { "os-xen", "<domain type='kvm'><name>x</name><memory>1</memory>"
      "<os><type>xen</type></os></domain>", VIR_ERR_CONFIG_UNSUPPORTED, "os type 'xen'" },
    { "no-os", "<domain type='kvm'><name>x</name><memory>1</memory></domain>",
      VIR_ERR_XML_ERROR, "missing <os>" },
    { "graphics", HEAD "<devices><graphics type='vnc'/></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "device 'graphics' is not supported by the armz driver" },
    { "video", HEAD "<devices><video><model type='virtio'/></video></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "device 'video'" },
    { "input", HEAD "<devices><input type='tablet' bus='usb'/></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "device 'input'" },
    { "channel-no-target", HEAD "<devices><channel type='unix'/></devices>" TAIL,
      VIR_ERR_XML_ERROR, "<target" },
    { "channel-file", HEAD "<devices><channel type='file'><target type='virtio' name='a'/>"
      "</channel></devices>" TAIL, VIR_ERR_CONFIG_UNSUPPORTED, "<channel type='file'>" },
    { "channel-guestfwd", HEAD "<devices><channel type='unix'><target type='guestfwd'/>"
      "</channel></devices>" TAIL, VIR_ERR_CONFIG_UNSUPPORTED, "guestfwd" },
    { "channel-state", HEAD "<devices><channel type='unix'><target type='virtio' name='a' "
      "state='maybe'/></channel></devices>" TAIL, VIR_ERR_XML_ERROR, "maybe" },
    { "hostdev", HEAD "<devices><hostdev mode='subsystem'/></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "device 'hostdev'" },
    { "unknown-device", HEAD "<devices><frobnicator/></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "'frobnicator'" },
    { "cputune-emulatorpin", HEAD "<cputune><emulatorpin cpuset='0'/></cputune>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "element 'emulatorpin' of <cputune> is not supported" },
    { "memtune-min-guarantee", HEAD "<memtune><min_guarantee>1</min_guarantee></memtune>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "element 'min_guarantee' of <memtune>" },
    { "cputune-quota-text", HEAD "<cputune><quota>-x</quota></cputune>" TAIL,
      VIR_ERR_XML_ERROR, "invalid value '-x' for element <quota>" },
    { "vcpupin-no-cpuset", HEAD "<cputune><vcpupin vcpu='0'/></cputune>" TAIL,
      VIR_ERR_XML_ERROR, "missing cpuset for vcpupin" },
    { "unknown-element", HEAD "<numatune><memory nodeset='0'/></numatune>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "element 'numatune' is not supported by the armz driver" },
    { "foreign-ns-element", "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
      "<name>x</name><memory>1</memory><os><type>hvm</type></os>"
      "<qemu:commandline/></domain>",
      VIR_ERR_CONFIG_UNSUPPORTED, "element 'qemu:commandline'" },
    { "duplicate-name", HEAD "<name>again</name>" TAIL, VIR_ERR_XML_ERROR,
      "<name> appears more than once" },
    { "bad-on-crash", HEAD "<on_crash>explode</on_crash>" TAIL, VIR_ERR_XML_ERROR,
      "invalid value 'explode' for element <on_crash>" },
    { "coredump-on-reboot", HEAD "<on_reboot>coredump-destroy</on_reboot>" TAIL,
      VIR_ERR_XML_ERROR, "<on_reboot>" },
    { "memory-garbage", "<domain type='kvm'><name>x</name><memory>lots</memory>"
      "<os><type>hvm</type></os></domain>",
      VIR_ERR_XML_ERROR, "invalid value 'lots' for element <memory>" },
    { "memory-negative", "<domain type='kvm'><name>x</name><memory>-5</memory>"
      "<os><type>hvm</type></os></domain>", VIR_ERR_XML_ERROR, "<memory>" },
    { "memory-bad-unit", "<domain type='kvm'><name>x</name><memory unit='furlongs'>5</memory>"
      "<os><type>hvm</type></os></domain>", VIR_ERR_XML_ERROR, "invalid unit 'furlongs'" },
    { "memory-overflow", "<domain type='kvm'><name>x</name><memory unit='EiB'>100000</memory>"
      "<os><type>hvm</type></os></domain>", VIR_ERR_XML_ERROR, "too large" },
    { "memory-zero", "<domain type='kvm'><name>x</name><memory>0</memory>"
      "<os><type>hvm</type></os></domain>", VIR_ERR_XML_ERROR, "greater than zero" },
    { "memory-missing", "<domain type='kvm'><name>x</name><os><type>hvm</type></os></domain>",
      VIR_ERR_XML_ERROR, "missing <memory>" },
    { "vcpu-zero", HEAD "<vcpu>0</vcpu>" TAIL, VIR_ERR_XML_ERROR, "<vcpu>" },
    { "vcpu-current-too-big", HEAD "<vcpu current='4'>2</vcpu>" TAIL, VIR_ERR_XML_ERROR,
      "current vcpus" },
    { "title-newline", HEAD "<title>a\nb</title>" TAIL, VIR_ERR_XML_ERROR, "newlines" },
    { "disk-network", HEAD "<devices><disk type='network'><source protocol='gluster' name='v/i'>"
      "<host name='h'/></source><target dev='vda'/></disk></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "<source protocol='gluster'> is not supported" },
    { "disk-network-no-host", HEAD "<devices><disk type='network'><source protocol='nbd'/>"
      "<target dev='vda'/></disk></devices>" TAIL, VIR_ERR_XML_ERROR, "missing <host>" },
    { "disk-bus-sata", HEAD "<devices><disk type='file'><source file='/a'/>"
      "<target dev='sda' bus='sata'/></disk></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "<target bus='sata'>" },
    { "disk-format-vmdk", HEAD "<devices><disk><driver type='vmdk'/><source file='/a'/>"
      "<target dev='vda'/></disk></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "<driver type='vmdk'>" },
    { "disk-no-target", HEAD "<devices><disk><source file='/a'/></disk></devices>" TAIL,
      VIR_ERR_XML_ERROR, "missing <target dev=''>" },
    { "disk-no-source", HEAD "<devices><disk><target dev='vda'/></disk></devices>" TAIL,
      VIR_ERR_XML_ERROR, "missing <source>" },
    { "disk-dup-target", HEAD "<devices><disk><source file='/a'/><target dev='vda'/></disk>"
      "<disk><source file='/b'/><target dev='vda'/></disk></devices>" TAIL,
      VIR_ERR_XML_ERROR, "duplicated" },
    { "disk-iotune", HEAD "<devices><disk><source file='/a'/><target dev='vda'/><iotune>"
      "<total_bytes_sec_max>5</total_bytes_sec_max></iotune></disk></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "<iotune> element 'total_bytes_sec_max'" },
    { "disk-backing-no-format", HEAD "<devices><disk><source file='/a'/><target dev='vda'/>"
      "<backingStore type='file'><source file='/b'/></backingStore></disk></devices>" TAIL,
      VIR_ERR_XML_ERROR, "<backingStore> of disk needs" },
    { "net-user", HEAD "<devices><interface type='user'/></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "<interface type='user'>" },
    { "net-e1000", HEAD "<devices><interface type='network'><source network='default'/>"
      "<model type='e1000'/></interface></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "<model type='e1000'>" },
    { "net-no-source", HEAD "<devices><interface type='network'/></devices>" TAIL,
      VIR_ERR_XML_ERROR, "'network' attribute" },
    { "net-bad-mac", HEAD "<devices><interface type='ethernet'><mac address='zz'/>"
      "</interface></devices>" TAIL, VIR_ERR_XML_ERROR, "mac address 'zz'" },
    { "net-multicast-mac", HEAD "<devices><interface type='ethernet'>"
      "<mac address='01:00:5e:00:00:01'/></interface></devices>" TAIL,
      VIR_ERR_XML_ERROR, "multicast" },
    { "serial-tcp-no-source", HEAD "<devices><serial type='tcp'/></devices>" TAIL,
      VIR_ERR_XML_ERROR, "missing <source host='' service=''>" },
    { "serial-udp", HEAD "<devices><serial type='udp'/></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "<serial type='udp'>" },
    { "serial-file-nopath", HEAD "<devices><serial type='file'/></devices>" TAIL,
      VIR_ERR_XML_ERROR, "missing <source path=''>" },
    { "serial-isa", HEAD "<devices><serial><target type='isa-serial'/></serial></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "isa-serial" },
    { "rng-egd", HEAD "<devices><rng model='virtio'><backend model='egd'/></rng></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "<backend model='egd'>" },
    { "rng-no-backend", HEAD "<devices><rng model='virtio'/></devices>" TAIL,
      VIR_ERR_XML_ERROR, "backend" },
    { "memballoon-xen", HEAD "<devices><memballoon model='xen'/></devices>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "<memballoon model='xen'>" },
    { "memballoon-none-stats", HEAD "<devices><memballoon model='none'><stats period='5'/>"
      "</memballoon></devices>" TAIL, VIR_ERR_XML_ERROR, "model='none'" },
    { "memballoon-twice", HEAD "<devices><memballoon model='none'/><memballoon model='none'/>"
      "</devices>" TAIL, VIR_ERR_XML_ERROR, "single memory balloon" },
    { "memballoon-bad-period", HEAD "<devices><memballoon model='virtio'><stats period='x'/>"
      "</memballoon></devices>" TAIL, VIR_ERR_XML_ERROR, "period" },
    { "cpu-bad-mode", HEAD "<cpu mode='fastest'/>" TAIL, VIR_ERR_XML_ERROR, "'fastest'" },
    { "cpu-numa", HEAD "<cpu mode='host-passthrough'><numa/></cpu>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "element 'numa' of <cpu>" },
    { "feature-unknown", HEAD "<features><hyperv/></features>" TAIL,
      VIR_ERR_CONFIG_UNSUPPORTED, "'hyperv' of <features>" },
    { "gic-bad", HEAD "<features><gic version='9'/></features>" TAIL,
      VIR_ERR_XML_ERROR, "'9'" },
    /* XXE: the file must never be read; the declaration is refused. */
    { "external-entity",
      "<?xml version='1.0'?>\n<!DOCTYPE domain [\n<!ENTITY xxe SYSTEM 'file:///etc/passwd'>\n]>\n"
      "<domain type='kvm'><name>&xxe;</name><memory>1</memory><os><type>hvm</type></os></domain>",
      VIR_ERR_XML_ERROR, "entity" },
    { "external-dtd",
      "<?xml version='1.0'?>\n<!DOCTYPE domain SYSTEM 'file:///etc/passwd'>\n"
      "<domain type='kvm'><name>&xxe;</name><memory>1</memory><os><type>hvm</type></os></domain>",
      VIR_ERR_XML_ERROR, "entit" },
    { "internal-entity",
      "<!DOCTYPE domain [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
      "<domain type='kvm'><name>&b;</name><memory>1</memory><os><type>hvm</type></os></domain>",
      VIR_ERR_XML_ERROR, "entity" },
    { "network-dtd",
      "<!DOCTYPE domain PUBLIC '-//X//Y' 'http://127.0.0.1:1/evil.dtd'>"
      "<domain type='kvm'><name>&ext;</name><memory>1</memory><os><type>hvm</type></os></domain>",
      VIR_ERR_XML_ERROR, "entit" },
};

static void
test_bad(gconstpointer data)
{
    const BadCase *c = data;
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(c->xml, &err);

    if (def) {
        g_autofree char *out = armz_domain_def_format(def, -1, 0);
        g_error("%s: accepted, formatted as:\n%s", c->name, out);
    }
    g_assert_error(err, ARMZ_ERROR, c->code);
    if (!strstr(err->message, c->msg))
        g_error("%s: message '%s' lacks '%s'", c->name, err->message, c->msg);
    /* never any file content in a message */
    g_assert_null(strstr(err->message, "root:"));
}

static void
test_boot_fd(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(
        "<domain type='kvm'><name>x</name><memory>1</memory>"
        "<os><type>hvm</type><boot dev='fd'/></os></domain>", &err);

    g_assert_null(def);
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
}

/* ---------------- generated identifiers ---------------- */

static void
test_uuid_generated(void)
{
    const char *xml = "<domain type='kvm'><name>nouuid</name><memory>1024</memory>"
                      "<os><type>hvm</type></os><devices><interface type='ethernet'/>"
                      "</devices></domain>";
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) a = armz_domain_def_parse(xml, &err);
    g_autoptr(ArmzDomainDef) b = armz_domain_def_parse(xml, &err);
    g_autoptr(ArmzDomainDef) a2 = NULL;
    g_autofree char *out = NULL, *out2 = NULL;
    static const unsigned char zero[16];
    const ArmzDomainNetDef *net;

    g_assert_no_error(err);
    g_assert_cmpmem(a->uuid, 16, a->uuid, 16);
    g_assert_true(memcmp(a->uuid, zero, 16) != 0);
    g_assert_true(memcmp(a->uuid, b->uuid, 16) != 0);
    g_assert_cmpint(a->uuid[6] >> 4, ==, 4);           /* version 4 */
    g_assert_cmpint(a->uuid[8] & 0xc0, ==, 0x80);      /* RFC 4122 variant */
    net = g_ptr_array_index(a->nets, 0);
    g_assert_cmpint(net->mac[0], ==, 0x52);
    g_assert_cmpint(net->mac[1], ==, 0x54);
    g_assert_cmpint(net->mac[2], ==, 0x00);

    /* stable across a round trip */
    out = armz_domain_def_format(a, -1, 0);
    a2 = armz_domain_def_parse(out, &err);
    g_assert_no_error(err);
    g_assert_cmpmem(a->uuid, 16, a2->uuid, 16);
    g_assert_cmpmem(net->mac, 6, ((ArmzDomainNetDef *)g_ptr_array_index(a2->nets, 0))->mac, 6);
    out2 = armz_domain_def_format(a2, -1, 0);
    g_assert_cmpstr(out, ==, out2);
}

static void
test_uuid_forms(void)
{
    unsigned char a[16], b[16];
    char buf[37];

    g_assert_true(armz_uuid_parse("0b6b1c4e-8d7f-4a5e-9c1d-2f3e4a5b6c7d", a));
    g_assert_true(armz_uuid_parse("0B6B1C4E8D7F4A5E9C1D2F3E4A5B6C7D", b));
    g_assert_cmpmem(a, 16, b, 16);
    g_assert_true(armz_uuid_parse("  0b6b1c4e8d7f4a5e9c1d2f3e4a5b6c7d\n", b));
    g_assert_cmpmem(a, 16, b, 16);
    armz_uuid_format(a, buf);
    g_assert_cmpstr(buf, ==, "0b6b1c4e-8d7f-4a5e-9c1d-2f3e4a5b6c7d");
    g_assert_false(armz_uuid_parse("0b6b1c4e-8d7f-4a5e-9c1d-2f3e4a5b6c7", a));
    g_assert_false(armz_uuid_parse("0b6b1c4e-8d7f-4a5e-9c1d-2f3e4a5b6c7d0", a));
    g_assert_false(armz_uuid_parse("-0b6b1c4e8d7f4a5e9c1d2f3e4a5b6c7d", a));
    g_assert_false(armz_uuid_parse("", a));
    g_assert_false(armz_uuid_parse("0b6b1c4e-8d7f-4a5e-9c1d-2f3e4a5b6cXd", a));
}

static void
test_units(void)
{
    static const struct {
        unsigned long long v;
        const char *unit;
        unsigned long long kib;
    } ok[] = {
        { 1, NULL, 1 }, { 1, "KiB", 1 }, { 1, "k", 1 }, { 1, "K", 1 },
        { 1000, "KB", 977 }, { 1, "b", 1 }, { 1024, "bytes", 1 }, { 1025, "bytes", 2 },
        { 0, "bytes", 0 }, { 1, "M", 1024 }, { 1, "MiB", 1024 }, { 1, "MB", 977 },
        { 1, "G", 1048576 }, { 1, "GiB", 1048576 }, { 1, "GB", 976563 },
        { 1, "T", 1073741824ULL }, { 1, "TiB", 1073741824ULL }, { 1, "TB", 976562500ULL },
        { 1, "PiB", 1099511627776ULL }, { 1, "EiB", 1125899906842624ULL },
    };
    unsigned long long kib;

    for (guint i = 0; i < G_N_ELEMENTS(ok); i++) {
        if (!armz_memory_to_kib(ok[i].v, ok[i].unit, &kib))
            g_error("%llu %s refused", ok[i].v, ok[i].unit);
        if (kib != ok[i].kib)
            g_error("%llu %s gave %llu KiB, expected %llu", ok[i].v, ok[i].unit, kib, ok[i].kib);
    }
    g_assert_false(armz_memory_to_kib(1, "parsec", &kib));
    g_assert_false(armz_memory_to_kib(1, "MiBB", &kib));
    g_assert_false(armz_memory_to_kib(17, "EiB", &kib));
}

static void
test_current_memory_clamped(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(
        "<domain type='kvm'><name>x</name><memory unit='MiB'>512</memory>"
        "<currentMemory unit='GiB'>4</currentMemory><os><type>hvm</type></os></domain>", &err);
    g_autoptr(ArmzDomainDef) def2 = armz_domain_def_parse(
        "<domain type='kvm'><name>x</name><memory unit='MiB'>512</memory>"
        "<os><type>hvm</type></os></domain>", &err);

    g_assert_no_error(err);
    g_assert_cmpuint(def->memory_kib, ==, 524288);
    g_assert_cmpuint(def->current_memory_kib, ==, 524288);
    g_assert_cmpuint(def2->current_memory_kib, ==, 524288);
    g_assert_cmpstr(def2->os_arch, ==, "aarch64");
    g_assert_cmpstr(def2->os_machine, ==, "virt");
    g_assert_cmpuint(def2->vcpus, ==, 1);
}

/* ---------------- live / inactive ---------------- */

static void
test_live_format(void)
{
    g_autofree char *path = g_strdup_printf("%s/tests/data/domain-xml/serial-console-log.xml", srcdir);
    g_autofree char *xml = read_file(path);
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(xml, &err);
    g_autofree char *live = NULL, *inactive = NULL, *noid = NULL;

    g_assert_no_error(err);
    live = armz_domain_def_format(def, 3, 0);
    inactive = armz_domain_def_format(def, 3, VIR_DOMAIN_XML_INACTIVE);
    noid = armz_domain_def_format(def, -1, 0);
    g_assert_true(g_str_has_prefix(live, "<domain type='kvm' id='3'>\n"));
    g_assert_true(g_str_has_prefix(inactive, "<domain type='kvm'>\n"));
    g_assert_cmpstr(inactive, ==, noid);
    /* a pty path is live state */
    g_assert_nonnull(strstr(live, "<source path='/dev/pts/7'/>"));
    g_assert_null(strstr(inactive, "/dev/pts/7"));
    if (!armz_domain_xml_validate(live, rng_path, &err))
        g_error("%s", err->message);
}

/* ---------------- contract details ---------------- */

static void
test_structured_fields(void)
{
    g_autofree char *path = g_strdup_printf("%s/tests/data/domain-xml/full.xml", srcdir);
    g_autofree char *xml = read_file(path);
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(xml, &err);
    const ArmzDomainDiskDef *disk;
    const ArmzDomainNetDef *net;
    const ArmzDomainChrDef *serial;
    const ArmzDomainRngDef *rng;

    g_assert_no_error(err);
    g_assert_cmpstr(def->virt_type, ==, "qemu");
    g_assert_cmpuint(def->memory_kib, ==, 2097152);
    g_assert_cmpuint(def->current_memory_kib, ==, 1048576);
    g_assert_cmpuint(def->vcpus, ==, 4);
    g_assert_cmpuint(def->vcpus_current, ==, 2);
    g_assert_cmpstr(def->os_kernel, ==, "/var/lib/armz/boot/Image");
    g_assert_cmpstr(def->os_cmdline, ==, "console=ttyAMA0 root=/dev/vda1 quiet");
    g_assert_cmpstr(def->os_loader->path, ==, "/usr/share/AAVMF/AAVMF_CODE.fd");
    g_assert_cmpstr(def->os_nvram->template_path, ==, "/usr/share/AAVMF/AAVMF_VARS.fd");
    g_assert_cmpstr(def->os_boot_devs[0], ==, "hd");
    g_assert_cmpstr(def->os_boot_devs[1], ==, "network");
    g_assert_null(def->os_boot_devs[2]);
    g_assert_cmpstr(def->cpu->model, ==, "cortex-a57");
    g_assert_cmpstr(def->cpu->model_fallback, ==, "forbid");
    g_assert_cmpint(armz_domain_def_gic_version(def), ==, 3);
    g_assert_nonnull(armz_domain_def_find_feature(def, "acpi"));
    g_assert_cmpint(def->on_crash, ==, ARMZ_DOMAIN_LIFECYCLE_COREDUMP_DESTROY);
    g_assert_cmpuint(def->disks->len, ==, 2);
    disk = g_ptr_array_index(def->disks, 0);
    g_assert_cmpint(disk->type, ==, ARMZ_DOMAIN_DISK_TYPE_FILE);
    g_assert_cmpstr(disk->src_path, ==, "/var/lib/libvirt/images/full.qcow2");
    g_assert_cmpstr(disk->driver_type, ==, "qcow2");
    g_assert_cmpuint(disk->boot_order, ==, 1);
    disk = g_ptr_array_index(def->disks, 1);
    g_assert_cmpint(disk->type, ==, ARMZ_DOMAIN_DISK_TYPE_BLOCK);
    g_assert_true(disk->shareable);
    net = g_ptr_array_index(def->nets, 0);
    g_assert_cmpstr(net->source_network, ==, "default");
    g_assert_cmpuint(net->mtu, ==, 1450);
    g_assert_cmpuint(net->mac[5], ==, 0xcc);
    serial = g_ptr_array_index(def->serials, 0);
    g_assert_cmpint(serial->type, ==, ARMZ_DOMAIN_CHR_TYPE_PTY);
    g_assert_cmpstr(serial->log_file, ==, "/var/log/armz/full-console.log");
    g_assert_cmpstr(serial->log_append, ==, "on");
    g_assert_cmpint(serial->target_port, ==, 0);
    g_assert_cmpstr(serial->target_model, ==, "pl011");
    rng = g_ptr_array_index(def->rngs, 0);
    g_assert_cmpstr(rng->backend_path, ==, "/dev/urandom");
    g_assert_cmpuint(rng->rate_bytes, ==, 1024);
    g_assert_true(def->has_memballoon);
    g_assert_cmpuint(def->controllers->len, ==, 2);
    g_assert_cmpuint(def->metadata->len, ==, 2);
}

/* What the driver reads has typed fields; the rest is kept beside them. */
static void
test_typed_fields(void)
{
    g_autofree char *path = g_strdup_printf("%s/tests/data/domain-xml/typed-extras.xml", srcdir);
    g_autofree char *xml = read_file(path);
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(xml, &err);
    const ArmzDomainFeatureDef *f;
    const ArmzDomainTimerDef *t;
    const ArmzDomainSeclabelDef *sec;
    const ArmzDomainDiskDef *disk;
    const ArmzDomainNetDef *net;
    const ArmzXmlAttr *a;

    g_assert_no_error(err);
    f = armz_domain_def_find_feature(def, "apic");
    g_assert_cmpint(f->state, ==, ARMZ_TRISTATE_ABSENT);
    g_assert_cmpuint(f->extra.attrs->len, ==, 1);
    a = g_ptr_array_index(f->extra.attrs, 0);
    g_assert_cmpstr(a->name, ==, "eoi");
    g_assert_cmpstr(a->value, ==, "on");
    g_assert_cmpint(armz_domain_def_find_feature(def, "hap")->state, ==, ARMZ_TRISTATE_ON);
    f = armz_domain_def_find_feature(def, "pmu");
    g_assert_cmpint(f->state, ==, ARMZ_TRISTATE_OFF);
    g_assert_false(armz_domain_xml_extra_present(&f->extra));
    f = armz_domain_def_find_feature(def, "gic");
    g_assert_cmpstr(f->gic_version, ==, "host");
    g_assert_cmpint(armz_domain_def_gic_version(def), ==, 0);
    f = armz_domain_def_find_feature(def, "kvm");
    g_assert_cmpuint(f->extra.children->len, ==, 2);
    g_assert_cmpuint(def->clock_timers->len, ==, 3);
    t = g_ptr_array_index(def->clock_timers, 1);
    g_assert_cmpstr(t->name, ==, "rtc");
    g_assert_cmpuint(t->extra.attrs->len, ==, 2);
    g_assert_cmpuint(t->extra.children->len, ==, 1);
    g_assert_true(def->has_pm);
    g_assert_cmpint(def->pm_suspend_to_mem, ==, ARMZ_TRISTATE_ON);
    /* <suspend-to-disk/> without enabled='' is not a state: kept aside */
    g_assert_cmpint(def->pm_suspend_to_disk, ==, ARMZ_TRISTATE_ABSENT);
    g_assert_cmpuint(def->pm_extra.children->len, ==, 1);
    disk = g_ptr_array_index(def->disks, 0);
    g_assert_cmpstr(disk->address->type, ==, "pci");
    g_assert_cmpuint(disk->address->extra.attrs->len, ==, 4);
    net = g_ptr_array_index(def->nets, 0);
    g_assert_cmpstr(net->address->type, ==, "virtio-mmio");
    g_assert_false(armz_domain_xml_extra_present(&net->address->extra));
    g_assert_cmpuint(def->seclabels->len, ==, 2);
    sec = g_ptr_array_index(def->seclabels, 0);
    g_assert_cmpstr(sec->type, ==, "dynamic");
    g_assert_cmpstr(sec->model, ==, "selinux");
    g_assert_cmpuint(sec->extra.children->len, ==, 2);
    sec = g_ptr_array_index(def->seclabels, 1);
    g_assert_cmpstr(sec->type, ==, "none");
}

/* Values of typed attributes are checked when parsed. */
static void
test_typed_bad_values(void)
{
    static const char *const bad[] = {
        HEAD "<features><pmu state='maybe'/></features>" TAIL,
        HEAD "<pm><suspend-to-mem enabled='on'/></pm>" TAIL,
        HEAD "<features><gic version='4'/></features>" TAIL,
        HEAD "<clock><timer name='rtc'>text</timer></clock>" TAIL,
    };

    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(bad[i], &err);

        g_assert_null(def);
        g_assert_error(err, ARMZ_ERROR, VIR_ERR_XML_ERROR);
    }
}

static void
test_name_check(void)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(armz_domain_name_check("ok-name.1", &err));
    g_assert_false(armz_domain_name_check("", &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_XML_ERROR);
    g_clear_error(&err);
    g_assert_false(armz_domain_name_check(NULL, &err));
    g_clear_error(&err);
    g_assert_false(armz_domain_name_check("../x", &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_XML_ERROR);
}

static void
test_schema_rejects(void)
{
    g_autoptr(GError) err = NULL;

    g_assert_false(armz_domain_xml_validate(
        "<domain type='kvm'><name>x</name><memory>1</memory><os><type>hvm</type></os>"
        "<devices><graphics type='vnc'/></devices></domain>", rng_path, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_XML_INVALID_SCHEMA);
    g_assert_nonnull(strstr(err->message, "domain.rng"));
    g_clear_error(&err);
    /* malformed stays an XML error, not a schema error */
    g_assert_false(armz_domain_xml_validate("<domain", rng_path, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_XML_ERROR);
    g_clear_error(&err);
    /* NULL means the default location, which exists in a source tree */
    g_assert_true(armz_domain_xml_validate(
        "<domain type='kvm'><name>x</name><memory>1</memory><os><type>hvm</type></os></domain>",
        NULL, &err));
    g_assert_no_error(err);
}

/* Worker threads parse concurrently: errors must stay with their caller. */
static gpointer
parse_worker(gpointer data)
{
    gboolean bad = GPOINTER_TO_INT(data);

    for (int i = 0; i < 200; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(
            bad ? "<domain type='kvm'><name>x</nam></domain>"
                : "<domain type='kvm'><name>x</name><memory>1</memory><os><type>hvm</type></os></domain>",
            &err);
        if (bad ? (def != NULL || err->code != VIR_ERR_XML_ERROR) : (def == NULL))
            return GINT_TO_POINTER(1);
    }
    return NULL;
}

static void
test_threads(void)
{
    GThread *t[8];

    for (int i = 0; i < 8; i++)
        t[i] = g_thread_new("parse", parse_worker, GINT_TO_POINTER(i % 2));
    for (int i = 0; i < 8; i++)
        g_assert_null(g_thread_join(t[i]));
}

static GPtrArray *
list_dir(const char *dir, gboolean golden)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        if (!g_str_has_suffix(n, ".xml") || g_str_has_suffix(n, ".out.xml"))
            continue;
        if (golden)
            g_ptr_array_add(names, g_strndup(n, strlen(n) - 4));
        else
            g_ptr_array_add(names, g_build_filename(dir, n, NULL));
    }
    return names;
}

static int
cmp_strptr(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    const char *env = g_getenv("ARMZ_SRCDIR");
    g_autoptr(GPtrArray) golden = NULL, examples = NULL;
    g_autofree char *golden_dir = NULL, *examples_dir = NULL;

    g_test_init(&argc, &argv, NULL);
    srcdir = g_strdup(env && *env ? env : SRCDIR);
    rng_path = g_build_filename(srcdir, "schemas", "domain.rng", NULL);

    golden_dir = g_build_filename(srcdir, "tests", "data", "domain-xml", NULL);
    golden = list_dir(golden_dir, TRUE);
    g_ptr_array_sort(golden, cmp_strptr);
    g_assert_cmpuint(golden->len, >, 0);
    for (guint i = 0; i < golden->len; i++) {
        g_autofree char *tn = g_strdup_printf("/conf/golden/%s", (char *)golden->pdata[i]);
        g_test_add_data_func(tn, golden->pdata[i], test_golden);
    }
    examples_dir = g_build_filename(srcdir, "examples", NULL);
    examples = list_dir(examples_dir, FALSE);
    g_ptr_array_sort(examples, cmp_strptr);
    for (guint i = 0; i < examples->len; i++) {
        g_autofree char *base = g_path_get_basename(examples->pdata[i]);
        g_autofree char *tn = g_strdup_printf("/conf/example/%s", base);
        g_test_add_data_func(tn, examples->pdata[i], test_example);
    }
    for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autofree char *tn = g_strdup_printf("/conf/bad/%s", bad_cases[i].name);
        g_test_add_data_func(tn, &bad_cases[i], test_bad);
    }
    g_test_add_func("/conf/bad/boot-fd", test_boot_fd);
    g_test_add_func("/conf/uuid-generated", test_uuid_generated);
    g_test_add_func("/conf/uuid-forms", test_uuid_forms);
    g_test_add_func("/conf/units", test_units);
    g_test_add_func("/conf/current-memory-clamped", test_current_memory_clamped);
    g_test_add_func("/conf/live-format", test_live_format);
    g_test_add_func("/conf/structured-fields", test_structured_fields);
    g_test_add_func("/conf/typed-fields", test_typed_fields);
    g_test_add_func("/conf/typed-bad-values", test_typed_bad_values);
    g_test_add_func("/conf/name-check", test_name_check);
    g_test_add_func("/conf/schema-rejects", test_schema_rejects);
    g_test_add_func("/conf/threads", test_threads);
    return g_test_run();
}
