/* XDR of every message virtarmzd serves: exact bytes for the shapes whose
 * layout clients depend on, and a round trip through every procedure's
 * argument and reply filters. */
#include <string.h>
#include <rpc/rpc.h>

#include "daemon/daemon.h"
#include "util/error.h"
#include "rpc/packet.h"
#include "rpc/procinfo.h"
#include "rpc/wire_error.h"

static guint32
be32_at(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static void
test_header_bytes(void)
{
    armz_message_header hdr = { ARMZ_PROGRAM, 1, 273, ARMZ_REPLY, 42, ARMZ_STATUS_OK };
    g_autoptr(GBytes) pkt = armz_packet_encode_raw(&hdr, "ab", 2);
    gsize len;
    const guint8 *d = g_bytes_get_data(pkt, &len);
    armz_message_header back;

    g_assert_cmpuint(len, ==, 30);
    g_assert_cmpuint(be32_at(d), ==, 30);
    g_assert_cmphex(be32_at(d + 4), ==, 0x20008086);
    g_assert_cmpuint(be32_at(d + 8), ==, 1);
    g_assert_cmpuint(be32_at(d + 12), ==, 273);
    g_assert_cmpuint(be32_at(d + 16), ==, 1);
    g_assert_cmpuint(be32_at(d + 20), ==, 42);
    g_assert_cmpuint(be32_at(d + 24), ==, 0);
    g_assert_cmpmem(d + 28, 2, "ab", 2);
    g_assert_true(armz_packet_decode_header(d, len, &back, NULL));
    g_assert_cmpint(back.proc, ==, 273);
    g_assert_cmpuint(back.serial, ==, 42);
}

static void
test_length_limits(void)
{
    const guint8 small[4] = { 0, 0, 0, 27 };
    const guint8 min[4] = { 0, 0, 0, 28 };
    const guint8 big[4] = { 0x02, 0x00, 0x00, 0x01 };   /* 32 MiB + 1 */
    const guint8 max[4] = { 0x02, 0x00, 0x00, 0x00 };
    guint32 n;
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;

    g_assert_false(armz_packet_length(small, &n, &e1));
    g_assert_nonnull(e1);
    g_assert_false(armz_packet_length(big, &n, &e2));
    g_assert_nonnull(strstr(e2->message, "33554433"));
    g_assert_true(armz_packet_length(min, &n, NULL));
    g_assert_true(armz_packet_length(max, &n, NULL));
    g_assert_cmpuint(n, ==, 32 * 1024 * 1024);
}

/* rpcgen encodes char as a 4-byte int: char model[32] is 128 bytes. */
static void
test_node_info_layout(void)
{
    armz_message_header hdr = { ARMZ_PROGRAM, 1, 6, ARMZ_REPLY, 1, ARMZ_STATUS_OK };
    armz_node_get_info_ret ret = { .memory = 0x0102030405ULL, .cpus = 4, .mhz = 2000,
                                   .nodes = 1, .sockets = 1, .cores = 4, .threads = 1 };
    g_autoptr(GBytes) pkt = NULL;
    gsize len;
    const guint8 *d;

    memcpy(ret.model, "aarch64", 8);
    pkt = armz_packet_encode(&hdr, (xdrproc_t)xdr_armz_node_get_info_ret, &ret, NULL);
    d = g_bytes_get_data(pkt, &len);
    g_assert_cmpuint(len, ==, 28 + 128 + 8 + 6 * 4);
    g_assert_cmpuint(be32_at(d + 28), ==, 'a');
    g_assert_cmpuint(be32_at(d + 28 + 4 * 6), ==, '4');
    g_assert_cmpuint(be32_at(d + 28 + 128), ==, 0x01);
    g_assert_cmpuint(be32_at(d + 28 + 132), ==, 0x02030405);
    g_assert_cmpuint(be32_at(d + 28 + 136), ==, 4);
}

/* The error body: code, domain, message*, level, dom*, str1-3*, int1-2, net*. */
static void
test_error_layout(void)
{
    g_autoptr(GError) err = g_error_new_literal(ARMZ_ERROR, VIR_ERR_NO_DOMAIN, "x");
    armz_message_header hdr = { ARMZ_PROGRAM, 1, 23, ARMZ_REPLY, 7, ARMZ_STATUS_ERROR };
    armz_error body;
    g_autoptr(GBytes) pkt = NULL;
    gsize len;
    const guint8 *d;
    const char *msg = "Domain not found: x";

    armz_wire_error_fill(&body, err);
    pkt = armz_packet_encode(&hdr, (xdrproc_t)xdr_armz_error, &body, NULL);
    xdr_free((xdrproc_t)xdr_armz_error, (char *)&body);
    d = g_bytes_get_data(pkt, &len);
    d += 28;
    g_assert_cmpuint(be32_at(d), ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpuint(be32_at(d + 4), ==, VIR_FROM_DOMAIN);
    g_assert_cmpuint(be32_at(d + 8), ==, 1);                 /* message present */
    g_assert_cmpuint(be32_at(d + 12), ==, strlen(msg));
    g_assert_cmpmem(d + 16, strlen(msg), msg, strlen(msg));
    d += 16 + ((strlen(msg) + 3) & ~3u);
    g_assert_cmpuint(be32_at(d), ==, VIR_ERR_ERROR);          /* level */
    for (int i = 1; i <= 4; i++)                              /* dom, str1..3 absent */
        g_assert_cmpuint(be32_at(d + 4 * i), ==, 0);
    g_assert_cmpuint(be32_at(d + 28), ==, 0);                 /* net absent */
    g_assert_cmpuint(len, ==, 28 + 16 + ((strlen(msg) + 3) & ~3u) + 32);
}

static void
test_body_strictness(void)
{
    armz_message_header hdr = { ARMZ_PROGRAM, 1, 23, ARMZ_CALL, 1, ARMZ_STATUS_OK };
    armz_domain_lookup_by_name_args args = { .name = (char *)"vm" };
    armz_domain_lookup_by_name_args back = { 0 };
    g_autoptr(GBytes) pkt = armz_packet_encode(&hdr, (xdrproc_t)xdr_armz_domain_lookup_by_name_args,
                                               &args, NULL);
    gsize len;
    const guint8 *d = g_bytes_get_data(pkt, &len);
    g_autofree guint8 *longer = g_malloc0(len + 4);
    g_autofree guint8 *huge = g_memdup2(d, len);

    g_assert_true(armz_packet_decode_body(d, len, (xdrproc_t)xdr_armz_domain_lookup_by_name_args,
                                          &back, NULL));
    g_assert_cmpstr(back.name, ==, "vm");
    xdr_free((xdrproc_t)xdr_armz_domain_lookup_by_name_args, (char *)&back);
    /* Truncated, trailing garbage, and a string length over the limit. */
    memset(&back, 0, sizeof(back));
    g_assert_false(armz_packet_decode_body(d, len - 4, (xdrproc_t)xdr_armz_domain_lookup_by_name_args,
                                           &back, NULL));
    memcpy(longer, d, len);
    g_assert_false(armz_packet_decode_body(longer, len + 4,
                                           (xdrproc_t)xdr_armz_domain_lookup_by_name_args, &back, NULL));
    huge[28] = 0x7f;
    g_assert_false(armz_packet_decode_body(huge, len, (xdrproc_t)xdr_armz_domain_lookup_by_name_args,
                                           &back, NULL));
}

/* A NUL inside a string would silently cut it ("vm\0x" read as "vm"): the
 * body is refused instead, saying why. */
static void
test_nul_in_string(void)
{
    armz_message_header hdr = { ARMZ_PROGRAM, 1, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                                ARMZ_CALL, 1, ARMZ_STATUS_OK };
    armz_domain_lookup_by_name_args args = { .name = (char *)"vmAx" };
    armz_domain_lookup_by_name_args back = { 0 };
    g_autoptr(GBytes) pkt = armz_packet_encode(&hdr, (xdrproc_t)xdr_armz_domain_lookup_by_name_args,
                                               &args, NULL);
    gsize len;
    g_autofree guint8 *d = g_memdup2(g_bytes_get_data(pkt, &len), g_bytes_get_size(pkt));
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint(len, ==, 28 + 4 + 4);
    g_assert_cmpmem(d + 32, 4, "vmAx", 4);
    d[34] = '\0';
    g_assert_false(armz_packet_decode_body(d, len, (xdrproc_t)xdr_armz_domain_lookup_by_name_args,
                                           &back, &error));
    g_assert_error(error, ARMZ_ERROR, VIR_ERR_RPC);
    g_assert_nonnull(strstr(error->message, "NUL byte"));
    g_assert_null(back.name);
    /* A NUL in the padding after the string is no NUL in the string. */
    d[34] = 'A';
    g_assert_true(armz_packet_decode_body(d, len, (xdrproc_t)xdr_armz_domain_lookup_by_name_args,
                                          &back, NULL));
    g_assert_cmpstr(back.name, ==, "vmAx");
    xdr_free((xdrproc_t)xdr_armz_domain_lookup_by_name_args, (char *)&back);
}

/* Builds XDR input from small words, so lengths, counts and optional
 * pointers come out small and most decodes succeed; then checks that
 * decode -> encode -> decode -> encode is stable for FILTER. A NUL inside a
 * string is refused, and small words make strings of NULs, so some seeds
 * make mostly empty strings and some mix in words of letters. */
static gboolean
roundtrip(xdrproc_t filter, gsize size, guint32 seed)
{
    guint8 input[4096];
    g_autofree void *a = g_malloc0(size);
    g_autofree void *b = g_malloc0(size);
    g_autofree guint8 *enc1 = NULL;
    g_autofree guint8 *enc2 = NULL;
    GRand *rand = g_rand_new_with_seed(seed);
    gsize n1, n2;
    XDR x;
    gboolean ok;

    for (gsize i = 0; i < sizeof(input); i += 4) {
        guint32 w = g_rand_int_range(rand, 0, 4);

        if (seed % 3 == 1 && g_rand_int_range(rand, 0, 4))
            w = 0;
        if (seed % 3 == 2 && g_rand_boolean(rand)) {
            memcpy(input + i, "abcd", 4);
            continue;
        }
        input[i] = 0; input[i + 1] = 0; input[i + 2] = 0; input[i + 3] = w;
    }
    g_rand_free(rand);
    xdrmem_create(&x, (char *)input, sizeof(input), XDR_DECODE);
    ok = filter(&x, a, 0);
    xdr_destroy(&x);
    if (!ok)
        return FALSE;
    n1 = xdr_sizeof(filter, a);
    enc1 = g_malloc0(n1);
    xdrmem_create(&x, (char *)enc1, n1, XDR_ENCODE);
    g_assert_true(filter(&x, a, 0));
    g_assert_cmpuint(xdr_getpos(&x), ==, n1);
    xdr_destroy(&x);
    xdrmem_create(&x, (char *)enc1, n1, XDR_DECODE);
    g_assert_true(filter(&x, b, 0));
    xdr_destroy(&x);
    n2 = xdr_sizeof(filter, b);
    g_assert_cmpuint(n1, ==, n2);
    enc2 = g_malloc0(n2);
    xdrmem_create(&x, (char *)enc2, n2, XDR_ENCODE);
    g_assert_true(filter(&x, b, 0));
    xdr_destroy(&x);
    g_assert_cmpmem(enc1, n1, enc2, n2);
    xdr_free(filter, a);
    xdr_free(filter, b);
    return TRUE;
}

/* Whether any of the seeds from BASE decoded (each that did round-tripped). */
static gboolean
roundtrips(xdrproc_t filter, gsize size, guint32 base)
{
    gboolean any = FALSE;

    for (guint32 seed = 1; seed <= 120; seed++)
        any |= roundtrip(filter, size, seed * 7919 + base);
    return any;
}

static void
check_proc(const ArmzProc *p, gpointer data)
{
    guint *count = data;
    xdrproc_t filters[2] = { p->args_filter, p->ret_filter };
    gsize sizes[2] = { p->args_size, p->ret_size };

    for (int k = 0; k < 2; k++) {
        if (!filters[k])
            continue;
        if (!roundtrips(filters[k], sizes[k], p->proc))
            g_error("procedure %d (%s): no round trip decoded", p->proc, armz_proc_api(p->proc));
        (*count)++;
    }
}

static void
note_proc(const ArmzProc *p, gpointer data)
{
    g_hash_table_add(data, GINT_TO_POINTER(p->proc));
}

/* Every table the daemon registers (the same call as main.c's). */
static void
test_every_procedure(void)
{
    ArmzDispatcher *d = armz_dispatcher_new();
    g_autoptr(GHashTable) served = g_hash_table_new(NULL, NULL);
    guint count = 0;
    const int some[] = {
        REMOTE_PROC_CONNECT_OPEN, REMOTE_PROC_DOMAIN_DEFINE_XML, REMOTE_PROC_DOMAIN_CREATE,
        REMOTE_PROC_DOMAIN_OPEN_CONSOLE, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS, REMOTE_PROC_NETWORK_UPDATE,
        REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY, REMOTE_PROC_DOMAIN_INTERFACE_ADDRESSES,
        REMOTE_PROC_STORAGE_POOL_CREATE_XML, REMOTE_PROC_STORAGE_VOL_DOWNLOAD,
        REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
    };

    armz_remote_register_all(d);
    armz_dispatcher_foreach(d, check_proc, &count);
    armz_dispatcher_foreach(d, note_proc, served);
    /* one from each table */
    for (gsize i = 0; i < G_N_ELEMENTS(some); i++)
        g_assert_true(g_hash_table_contains(served, GINT_TO_POINTER(some[i])));
    g_assert_cmpuint(g_hash_table_size(served), >, 120);
    g_assert_cmpuint(count, >, 200);
    /* And the event messages the daemon pushes, and its errors. */
#define MSG(t) (xdrproc_t)xdr_##t, sizeof(t)
    g_assert_true(roundtrips(MSG(armz_domain_event_lifecycle_msg), 1));
    g_assert_true(roundtrips(MSG(armz_domain_event_callback_lifecycle_msg), 2));
    g_assert_true(roundtrips(MSG(armz_domain_event_callback_reboot_msg), 3));
    g_assert_true(roundtrips(MSG(armz_network_event_lifecycle_msg), 4));
    g_assert_true(roundtrips(MSG(armz_storage_pool_event_lifecycle_msg), 5));
    g_assert_true(roundtrips(MSG(armz_storage_pool_event_refresh_msg), 6));
    g_assert_true(roundtrips(MSG(armz_error), 7));
#undef MSG
    armz_dispatcher_free(d);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/header-bytes", test_header_bytes);
    g_test_add_func("/rpc/length-limits", test_length_limits);
    g_test_add_func("/rpc/node-info-layout", test_node_info_layout);
    g_test_add_func("/rpc/error-layout", test_error_layout);
    g_test_add_func("/rpc/body-strictness", test_body_strictness);
    g_test_add_func("/rpc/nul-in-string", test_nul_in_string);
    g_test_add_func("/rpc/every-procedure-roundtrip", test_every_procedure);
    return g_test_run();
}
