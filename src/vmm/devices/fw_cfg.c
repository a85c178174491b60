/* fw_cfg: items, the file directory, the register interface and DMA. */
#include <string.h>
#include "devices/fw_cfg.h"
#include "devices/mmio.h"
#include "vmmlog.h"

#define REG_DATA     0x00
#define REG_SELECTOR 0x08
#define REG_DMA      0x10
#define DIR_ENTRY    64     /* size BE32, select BE16, reserved, name[56] */

typedef struct {
    GBytes *bytes;                      /* owns DATA (a private copy if writable) */
    uint8_t *data;
    size_t len;
    bool writable;
    char name[ARMZ_FW_CFG_FILE_NAME];   /* files only */
} Item;

struct _ArmzFwCfg {
    GMutex lock;
    ArmzGuestMem mem;
    Item fixed[ARMZ_FW_CFG_FILE_FIRST];
    Item *files;                        /* sorted by name */
    unsigned nfiles;
    uint16_t key;
    size_t offset;                      /* in the selected item */
    uint8_t dma_addr[8];                /* as the guest wrote it (big-endian) */
};

ArmzFwCfg *
armz_fw_cfg_new(const ArmzGuestMem *mem)
{
    ArmzFwCfg *s = g_new0(ArmzFwCfg, 1);
    uint8_t sig[4] = { 'Q', 'E', 'M', 'U' };

    g_mutex_init(&s->lock);
    s->mem = *mem;
    s->files = g_new0(Item, ARMZ_FW_CFG_MAX_FILES);
    armz_fw_cfg_add(s, ARMZ_FW_CFG_SIGNATURE, g_bytes_new(sig, sizeof(sig)));
    armz_fw_cfg_add_u32(s, ARMZ_FW_CFG_ID, ARMZ_FW_CFG_VERSION | ARMZ_FW_CFG_VERSION_DMA);
    armz_fw_cfg_add(s, ARMZ_FW_CFG_FILE_DIR, g_bytes_new(sig, 0));
    return s;
}

void
armz_fw_cfg_free(ArmzFwCfg *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < G_N_ELEMENTS(s->fixed); i++)
        g_clear_pointer(&s->fixed[i].bytes, g_bytes_unref);
    for (unsigned i = 0; i < s->nfiles; i++)
        g_clear_pointer(&s->files[i].bytes, g_bytes_unref);
    g_free(s->files);
    g_mutex_clear(&s->lock);
    g_free(s);
}

void
armz_fw_cfg_reset(ArmzFwCfg *s)
{
    g_mutex_lock(&s->lock);
    s->key = 0;
    s->offset = 0;
    memset(s->dma_addr, 0, sizeof(s->dma_addr));
    g_mutex_unlock(&s->lock);
}

/* takes DATA; read-only items share it (a kernel is not copied), the
 * guest writes into a private copy */
static void
item_set(Item *it, GBytes *data)
{
    gsize len;

    if (it->bytes)
        g_bytes_unref(it->bytes);
    if (it->writable) {
        const void *p = g_bytes_get_data(data, &len);
        it->bytes = g_bytes_new_take(g_memdup2(p, len), len);
        g_bytes_unref(data);
    } else {
        it->bytes = data;
    }
    it->data = (uint8_t *)g_bytes_get_data(it->bytes, &len);
    it->len = len;
}

void
armz_fw_cfg_add(ArmzFwCfg *s, uint16_t key, GBytes *data)
{
    g_assert(key < ARMZ_FW_CFG_FILE_FIRST);
    item_set(&s->fixed[key], data);
}

void
armz_fw_cfg_add_u16(ArmzFwCfg *s, uint16_t key, uint16_t v)
{
    uint8_t b[2];
    armz_u64_to_le_bytes(b, 2, v);
    armz_fw_cfg_add(s, key, g_bytes_new(b, sizeof(b)));
}

void
armz_fw_cfg_add_u32(ArmzFwCfg *s, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    armz_u64_to_le_bytes(b, 4, v);
    armz_fw_cfg_add(s, key, g_bytes_new(b, sizeof(b)));
}

void
armz_fw_cfg_add_u64(ArmzFwCfg *s, uint16_t key, uint64_t v)
{
    uint8_t b[8];
    armz_u64_to_le_bytes(b, 8, v);
    armz_fw_cfg_add(s, key, g_bytes_new(b, sizeof(b)));
}

/* the directory: count BE32, then per file size BE32, key BE16, 2 reserved
 * bytes, the NUL-padded name */
static void
rebuild_dir(ArmzFwCfg *s)
{
    size_t len = 4 + (size_t)s->nfiles * DIR_ENTRY;
    uint8_t *d = g_malloc0(len);

    armz_put_be32(d, s->nfiles);
    for (unsigned i = 0; i < s->nfiles; i++) {
        uint8_t *e = d + 4 + (size_t)i * DIR_ENTRY;
        armz_put_be32(e, (uint32_t)s->files[i].len);
        armz_put_be16(e + 4, (uint16_t)(ARMZ_FW_CFG_FILE_FIRST + i));
        memcpy(e + 8, s->files[i].name, ARMZ_FW_CFG_FILE_NAME);
    }
    item_set(&s->fixed[ARMZ_FW_CFG_FILE_DIR], g_bytes_new_take(d, len));
}

bool
armz_fw_cfg_add_file(ArmzFwCfg *s, const char *name, GBytes *data, bool writable)
{
    unsigned pos = 0;

    if (strlen(name) >= ARMZ_FW_CFG_FILE_NAME || s->nfiles >= ARMZ_FW_CFG_MAX_FILES) {
        g_bytes_unref(data);
        return false;
    }
    while (pos < s->nfiles && strcmp(s->files[pos].name, name) < 0)
        pos++;
    if (pos < s->nfiles && g_str_equal(s->files[pos].name, name)) {
        g_bytes_unref(data);
        return false;
    }
    memmove(&s->files[pos + 1], &s->files[pos], (s->nfiles - pos) * sizeof(Item));
    memset(&s->files[pos], 0, sizeof(Item));
    g_strlcpy(s->files[pos].name, name, ARMZ_FW_CFG_FILE_NAME);
    s->files[pos].writable = writable;
    item_set(&s->files[pos], data);
    s->nfiles++;
    rebuild_dir(s);
    return true;
}

GBytes *
armz_fw_cfg_get_file(ArmzFwCfg *s, const char *name)
{
    GBytes *r = NULL;
    g_mutex_lock(&s->lock);
    for (unsigned i = 0; i < s->nfiles; i++)
        if (g_str_equal(s->files[i].name, name))
            r = s->files[i].writable ? g_bytes_new(s->files[i].data, s->files[i].len)
                                     : g_bytes_ref(s->files[i].bytes);
    g_mutex_unlock(&s->lock);
    return r;
}

static Item *
selected(ArmzFwCfg *s)
{
    /* 0x4000 (write channel) is ignored; 0x8000 keys are architecture
     * specific, none on arm */
    unsigned key = s->key & 0x3fff;

    if (s->key & 0x8000)
        return NULL;
    if (key < ARMZ_FW_CFG_FILE_FIRST)
        return &s->fixed[key];
    if (key - ARMZ_FW_CFG_FILE_FIRST < s->nfiles)
        return &s->files[key - ARMZ_FW_CFG_FILE_FIRST];
    return NULL;
}

static void
select_key(ArmzFwCfg *s, uint16_t key)
{
    s->key = key;
    s->offset = 0;
}

/* guest RAM at GPA for LEN bytes, or NULL */
static uint8_t *
guest_ptr(ArmzFwCfg *s, uint64_t gpa, uint64_t len)
{
    if (gpa < s->mem.gpa || len > s->mem.size || gpa - s->mem.gpa > s->mem.size - len)
        return NULL;
    return s->mem.host + (gpa - s->mem.gpa);
}

/* One DMA descriptor at GPA: control BE32, length BE32, address BE64.
 * Completion clears control (or leaves the error bit). */
static void
dma_transfer(ArmzFwCfg *s, uint64_t gpa)
{
    uint8_t *desc = guest_ptr(s, gpa, 16);
    uint32_t control, len;
    uint64_t addr;
    uint32_t done = 0;
    Item *it;

    if (!desc) {
        armz_vmm_debug("fw_cfg: DMA descriptor at 0x%" G_GINT64_MODIFIER "x is outside RAM",
                       (guint64)gpa);
        return;
    }
    control = (uint32_t)armz_get_be(desc, 4);
    len = (uint32_t)armz_get_be(desc + 4, 4);
    addr = armz_get_be(desc + 8, 8);
    if (control & ARMZ_FW_CFG_DMA_SELECT)
        select_key(s, (uint16_t)(control >> 16));
    it = selected(s);

    if (control & ARMZ_FW_CFG_DMA_READ) {
        uint8_t *dst = guest_ptr(s, addr, len);
        if (!dst) {
            done = ARMZ_FW_CFG_DMA_ERROR;
        } else {
            size_t avail = it && s->offset < it->len ? it->len - s->offset : 0;
            size_t n = MIN(avail, len);
            if (n)
                memcpy(dst, it->data + s->offset, n);
            memset(dst + n, 0, len - n);
            s->offset += len;
        }
    } else if (control & ARMZ_FW_CFG_DMA_WRITE) {
        const uint8_t *src = guest_ptr(s, addr, len);
        if (!src || !it || !it->writable || s->offset > it->len || len > it->len - s->offset) {
            done = ARMZ_FW_CFG_DMA_ERROR;
        } else {
            memcpy(it->data + s->offset, src, len);
            s->offset += len;
        }
    } else if (control & ARMZ_FW_CFG_DMA_SKIP) {
        s->offset += len;
    }
    armz_put_be32(desc, done);
}

uint64_t
armz_fw_cfg_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzFwCfg *s = opaque;
    uint64_t v = 0;

    g_mutex_lock(&s->lock);
    if (offset + size <= REG_SELECTOR) {
        /* the data register streams the item's bytes in order: byte i of
         * the access is the item's next byte (past the end: 0) */
        Item *it = selected(s);
        for (unsigned i = 0; i < size; i++, s->offset++)
            if (it && s->offset < it->len)
                v |= (uint64_t)it->data[s->offset] << (8 * i);
    } else if (offset >= REG_DMA && offset + size <= REG_DMA + 8) {
        uint8_t sig[8];
        armz_put_be64(sig, ARMZ_FW_CFG_DMA_SIGNATURE);
        v = armz_le_bytes_to_u64(sig + (offset - REG_DMA), size);
    }
    g_mutex_unlock(&s->lock);
    return v;
}

void
armz_fw_cfg_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzFwCfg *s = opaque;
    uint8_t b[8];

    /* the bytes as the guest stored them */
    armz_u64_to_le_bytes(b, size, value);
    g_mutex_lock(&s->lock);
    if (offset == REG_SELECTOR && size == 2) {
        select_key(s, (uint16_t)armz_get_be(b, 2));
    } else if (offset >= REG_DMA && offset + size <= REG_DMA + 8) {
        memcpy(s->dma_addr + (offset - REG_DMA), b, size);
        /* the low half (or the whole) written: start */
        if (offset + size == REG_DMA + 8) {
            dma_transfer(s, armz_get_be(s->dma_addr, 8));
            memset(s->dma_addr, 0, sizeof(s->dma_addr));
        }
    }
    /* data register writes are ignored (fw_cfg spec: DMA only) */
    g_mutex_unlock(&s->lock);
}
