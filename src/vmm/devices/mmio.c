/* MMIO bus of armz-vmm. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include "devices/mmio.h"
#include "vmmlog.h"

__thread unsigned armz_mmio_cpu;

struct _ArmzMmioBus {
    GMutex lock;            /* guards UNMAPPED; regions are fixed after setup */
    GArray *regions;        /* ArmzMmioRegion, sorted by base */
    unsigned unmapped;
    GHashTable *exits;      /* --debug: region name -> accesses (guarded by LOCK) */
};

ArmzMmioBus *
armz_mmio_bus_new(void)
{
    ArmzMmioBus *bus = g_new0(ArmzMmioBus, 1);
    g_mutex_init(&bus->lock);
    bus->regions = g_array_new(FALSE, TRUE, sizeof(ArmzMmioRegion));
    return bus;
}

void
armz_mmio_bus_free(ArmzMmioBus *bus)
{
    if (!bus)
        return;
    g_array_free(bus->regions, TRUE);
    if (bus->exits)
        g_hash_table_destroy(bus->exits);
    g_mutex_clear(&bus->lock);
    g_free(bus);
}

gboolean
armz_mmio_bus_add(ArmzMmioBus *bus, const ArmzMmioRegion *region, GError **error)
{
    guint i;

    if (region->size == 0 || region->base + region->size < region->base) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("MMIO region %s has an invalid range"), region->name);
        return FALSE;
    }
    for (i = 0; i < bus->regions->len; i++) {
        ArmzMmioRegion *r = &g_array_index(bus->regions, ArmzMmioRegion, i);
        if (region->base < r->base + r->size && r->base < region->base + region->size) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("MMIO region %s at 0x%" PRIx64 " overlaps %s"),
                        region->name, (guint64)region->base, r->name);
            return FALSE;
        }
        if (region->base < r->base)
            break;
    }
    g_array_insert_val(bus->regions, i, *region);
    return TRUE;
}

const ArmzMmioRegion *
armz_mmio_bus_find(ArmzMmioBus *bus, uint64_t addr)
{
    guint lo = 0, hi = bus->regions->len;

    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        const ArmzMmioRegion *r = &g_array_index(bus->regions, ArmzMmioRegion, mid);
        if (addr < r->base)
            hi = mid;
        else if (addr - r->base >= r->size)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}

gboolean
armz_mmio_bus_access(ArmzMmioBus *bus, uint64_t addr, uint8_t *data,
                     unsigned len, bool is_write)
{
    const ArmzMmioRegion *r = armz_mmio_bus_find(bus, addr);
    unsigned n;

    if (len > 8)
        len = 8;
    if (!r || addr - r->base + len > r->size) {
        g_mutex_lock(&bus->lock);
        n = ++bus->unmapped;
        g_mutex_unlock(&bus->lock);
        /* log the first few, then every 1000th: a looping guest must not
         * flood the log */
        if (n <= 16 || n % 1000 == 0)
            armz_vmm_warn(_("guest %s of %u bytes at unmapped address 0x%" PRIx64
                            " (%s; %u so far)"),
                          is_write ? "write" : "read", len, (guint64)addr,
                          is_write ? "ignored" : "reads as zero", n);
        if (!is_write)
            memset(data, 0, len);
        return FALSE;
    }
    if (armz_vmm_debug_enabled()) {
        /* where the guest's MMIO exits go, for armz_mmio_bus_debug_counts */
        g_mutex_lock(&bus->lock);
        if (!bus->exits)
            bus->exits = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(bus->exits, (gpointer)r->name,
                            GSIZE_TO_POINTER(GPOINTER_TO_SIZE(
                                g_hash_table_lookup(bus->exits, r->name)) + 1));
        g_mutex_unlock(&bus->lock);
    }
    if (is_write) {
        if (r->write)
            r->write(r->opaque, addr - r->base, len, armz_le_bytes_to_u64(data, len));
    } else {
        uint64_t v = r->read ? r->read(r->opaque, addr - r->base, len) : 0;
        armz_u64_to_le_bytes(data, len, v);
    }
    return TRUE;
}

unsigned
armz_mmio_bus_unmapped_count(ArmzMmioBus *bus)
{
    unsigned n;
    g_mutex_lock(&bus->lock);
    n = bus->unmapped;
    g_mutex_unlock(&bus->lock);
    return n;
}

void
armz_mmio_bus_debug_counts(ArmzMmioBus *bus)
{
    g_autoptr(GString) line = g_string_new(NULL);
    GHashTableIter it;
    gpointer name, n;

    g_mutex_lock(&bus->lock);
    if (bus->exits) {
        g_hash_table_iter_init(&it, bus->exits);
        while (g_hash_table_iter_next(&it, &name, &n))
            g_string_append_printf(line, " %s=%zu", (const char *)name, GPOINTER_TO_SIZE(n));
    }
    g_string_append_printf(line, " unmapped=%u", bus->unmapped);
    g_mutex_unlock(&bus->lock);
    armz_vmm_debug("MMIO exits by device:%s", line->str);
}
