/* Writes a small seed corpus for fuzz-virtqueue into DIR: well-formed
 * rings (single buffers, mixed chains, an indirect table, EVENT_IDX) and a
 * few hostile ones, in the format of fuzz-vq-input.h.  Generated rather than
 * committed, so the corpus follows the format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz-vq-input.h"

#define DESC  0x100u
#define BUF   0x4000u

static uint8_t ram[FUZZ_VQ_RAM_SIZE];
static size_t ram_used;

static void
put(size_t off, uint64_t v, unsigned len)
{
    for (unsigned i = 0; i < len; i++)
        ram[off + i] = (uint8_t)(v >> (8 * i));
    if (off + len > ram_used)
        ram_used = off + len;
}

typedef struct {
    unsigned num;
    size_t desc, avail, used;
} Layout;

static Layout
layout(unsigned num)
{
    Layout l = { num, DESC, DESC + 16 * num, 0 };
    l.used = (l.avail + 6 + 2 * num + 3) & ~(size_t)3;
    memset(ram, 0, sizeof(ram));
    ram_used = l.used + 6 + 8 * num;
    return l;
}

static void
desc(const Layout *l, size_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
     uint16_t next)
{
    size_t d = (table ? table : l->desc) + 16 * i;
    put(d, addr, 8);
    put(d + 8, len, 4);
    put(d + 12, flags, 2);
    put(d + 14, next, 2);
}

static void
avail(const Layout *l, unsigned idx, uint16_t head)
{
    put(l->avail + 4 + 2 * (idx % l->num), head, 2);
    put(l->avail + 2, idx + 1, 2);
}

static void
emit(const char *dir, const char *name, const Layout *l, uint8_t flags)
{
    char path[4096];
    uint8_t hdr[FUZZ_VQ_HDR];
    FILE *f;
    unsigned lg = 0;

    while ((1u << lg) < l->num)
        lg++;
    hdr[0] = flags;
    hdr[1] = (uint8_t)lg;
    hdr[2] = (uint8_t)(l->desc / 4);
    hdr[3] = (uint8_t)(l->desc / 4 >> 8);
    hdr[4] = (uint8_t)(l->avail / 4);
    hdr[5] = (uint8_t)(l->avail / 4 >> 8);
    hdr[6] = (uint8_t)(l->used / 4);
    hdr[7] = (uint8_t)(l->used / 4 >> 8);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
        fwrite(ram, 1, ram_used, f) != ram_used || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

#define G(off) (FUZZ_VQ_RAM_GPA + (off))

int
main(int argc, char **argv)
{
    Layout l;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    l = layout(8);
    desc(&l, 0, 0, G(BUF), 64, 0, 0);
    avail(&l, 0, 0);
    emit(argv[1], "single", &l, 0);

    l = layout(16);
    desc(&l, 0, 3, G(BUF), 16, 1, 4);
    desc(&l, 0, 4, G(BUF + 0x100), 512, 1, 5);
    desc(&l, 0, 5, G(BUF + 0x400), 1024, 3, 6);
    desc(&l, 0, 6, G(BUF + 0x900), 1, 2, 0);
    avail(&l, 0, 3);
    desc(&l, 0, 7, G(BUF + 0xa00), 8, 2, 0);
    avail(&l, 1, 7);
    emit(argv[1], "mixed", &l, 0);
    emit(argv[1], "mixed-event", &l, FUZZ_VQ_F_EVENT);

    l = layout(4);
    desc(&l, 0, 0, G(0x3000), 48, 4, 0);
    desc(&l, 0x3000, 0, G(BUF), 16, 1, 1);
    desc(&l, 0x3000, 1, G(BUF + 0x200), 256, 3, 2);
    desc(&l, 0x3000, 2, G(BUF + 0x400), 1, 2, 0);
    avail(&l, 0, 0);
    emit(argv[1], "indirect", &l, FUZZ_VQ_F_INDIR | FUZZ_VQ_F_EVENT);

    l = layout(8);
    desc(&l, 0, 0, G(BUF), 16, 1, 1);
    desc(&l, 0, 1, G(BUF), 16, 1, 0);
    avail(&l, 0, 0);
    emit(argv[1], "loop", &l, 0);

    l = layout(8);
    desc(&l, 0, 0, G(FUZZ_VQ_RAM_SIZE - 8), 16, 2, 0);
    avail(&l, 0, 0);
    emit(argv[1], "beyond-ram", &l, 0);

    l = layout(8);
    desc(&l, 0, 0, G(BUF), 16, 0, 0);
    put(l.avail + 2, 200, 2);
    emit(argv[1], "avail-jump", &l, 0);

    l = layout(256);
    for (unsigned i = 0; i < 255; i++)
        desc(&l, 0, i, G(BUF + 16 * i), 16, i & 1 ? 3 : 1, (uint16_t)(i + 1));
    desc(&l, 0, 255, G(BUF + 16 * 255), 16, 2, 0);
    avail(&l, 0, 0);
    emit(argv[1], "long-chain", &l, FUZZ_VQ_F_EVENT);
    return 0;
}
