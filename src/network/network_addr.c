/* IP address helpers (see network_addr.h). */
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "network/network_addr.h"

gboolean
armz_ip_parse(const char *str, ArmzIPAddr *out)
{
    memset(out, 0, sizeof(*out));
    if (!str)
        return FALSE;
    if (inet_pton(AF_INET, str, out->bytes) == 1) {
        out->family = AF_INET;
        return TRUE;
    }
    if (inet_pton(AF_INET6, str, out->bytes) == 1) {
        out->family = AF_INET6;
        return TRUE;
    }
    memset(out, 0, sizeof(*out));
    return FALSE;
}

void
armz_ip_format(const ArmzIPAddr *addr, char buf[46])
{
    if (!addr->family || !inet_ntop(addr->family, addr->bytes, buf, 46))
        g_strlcpy(buf, "?", 46);
}

char *
armz_ip_to_string(const ArmzIPAddr *addr)
{
    char buf[46];
    armz_ip_format(addr, buf);
    return g_strdup(buf);
}

unsigned
armz_ip_bits(const ArmzIPAddr *addr)
{
    return addr->family == AF_INET6 ? 128 : 32;
}

int
armz_ip_compare(const ArmzIPAddr *a, const ArmzIPAddr *b)
{
    return memcmp(a->bytes, b->bytes, armz_ip_bits(a) / 8);
}

static void
mask_bits(const ArmzIPAddr *addr, unsigned prefix, gboolean set, ArmzIPAddr *out)
{
    unsigned bits = armz_ip_bits(addr);

    *out = *addr;
    for (unsigned i = prefix; i < bits; i++) {
        guint8 bit = 0x80 >> (i % 8);
        if (set)
            out->bytes[i / 8] |= bit;
        else
            out->bytes[i / 8] &= (guint8)~bit;
    }
}

void
armz_ip_network(const ArmzIPAddr *addr, unsigned prefix, ArmzIPAddr *out)
{
    mask_bits(addr, prefix, FALSE, out);
}

void
armz_ip_broadcast(const ArmzIPAddr *addr, unsigned prefix, ArmzIPAddr *out)
{
    mask_bits(addr, prefix, TRUE, out);
}

gboolean
armz_ip_in_subnet(const ArmzIPAddr *addr, const ArmzIPAddr *net, unsigned prefix)
{
    ArmzIPAddr a, n;

    if (addr->family != net->family)
        return FALSE;
    armz_ip_network(addr, prefix, &a);
    armz_ip_network(net, prefix, &n);
    return armz_ip_compare(&a, &n) == 0;
}

gboolean
armz_ip_subnets_overlap(const ArmzIPAddr *net1, unsigned p1, const ArmzIPAddr *net2, unsigned p2)
{
    /* two prefixes overlap exactly when they agree on the shorter one */
    unsigned p = MIN(p1, p2);
    return net1->family == net2->family && armz_ip_in_subnet(net1, net2, p);
}

int
armz_ip_netmask_to_prefix(const ArmzIPAddr *mask)
{
    unsigned bits = armz_ip_bits(mask), n = 0;

    while (n < bits && (mask->bytes[n / 8] & (0x80 >> (n % 8))))
        n++;
    for (unsigned i = n; i < bits; i++)
        if (mask->bytes[i / 8] & (0x80 >> (i % 8)))
            return -1;
    return (int)n;
}

void
armz_ip_prefix_to_netmask(unsigned prefix, ArmzIPAddr *out)
{
    memset(out, 0, sizeof(*out));
    out->family = AF_INET;
    for (unsigned i = 0; i < prefix && i < 32; i++)
        out->bytes[i / 8] |= 0x80 >> (i % 8);
}

guint64
armz_ip_range_size(const ArmzIPAddr *start, const ArmzIPAddr *end)
{
    unsigned len = armz_ip_bits(start) / 8;
    guint64 s = 0, e = 0;

    /* only the low 64 bits can differ in a range we can count */
    for (unsigned i = 0; i + 8 < len; i++)
        if (start->bytes[i] != end->bytes[i])
            return G_MAXUINT64;
    for (unsigned i = len >= 8 ? len - 8 : 0; i < len; i++) {
        s = (s << 8) | start->bytes[i];
        e = (e << 8) | end->bytes[i];
    }
    if (e < s)
        return 0;
    return e - s == G_MAXUINT64 ? G_MAXUINT64 : e - s + 1;
}
