/* virNodeGetCPUMap: the host's present and online CPUs, from sysfs. */
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/driver.h"

/* The most CPUs a virNodeGetCPUMap reply carries (2048 bytes of map). */
#define CPU_BITS 16384

/* A sysfs CPU list ("0-3,6,8-9") into the bits of MAP (CPU_BITS long);
 * returns the highest CPU + 1, or -1 when unreadable. */
static int
read_cpu_list(const char *path, guchar *map)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) parts = NULL;
    int top = 0;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return -1;
    parts = g_strsplit(g_strstrip(text), ",", -1);
    for (GStrv p = parts; *p && **p; p++) {
        guint64 lo, hi;
        g_auto(GStrv) r = g_strsplit(*p, "-", 2);

        if (!g_ascii_string_to_unsigned(r[0], 10, 0, CPU_BITS - 1, &lo, NULL) ||
            !g_ascii_string_to_unsigned(r[1] ? r[1] : r[0], 10, lo, CPU_BITS - 1, &hi, NULL))
            return -1;
        for (guint64 c = lo; c <= hi; c++)
            if (map)
                map[c / 8] |= 1 << (c % 8);
        top = MAX(top, (int)hi + 1);
    }
    return top;
}

int
armz_driver_node_cpu_map(ArmzDriver *drv, guchar **online_map, guint *online,
                         unsigned int flags, GError **error)
{
    g_autofree guchar *map = g_malloc0(CPU_BITS / 8);
    int present;

    (void)drv;
    *online_map = NULL;
    *online = 0;
    if (!armz_check_flags(flags, 0, "virNodeGetCPUMap", error))
        return -1;
    present = read_cpu_list("/sys/devices/system/cpu/present", NULL);
    if (present < 0 || read_cpu_list("/sys/devices/system/cpu/online", map) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot read the host's CPUs from /sys/devices/system/cpu"));
        return -1;
    }
    for (int c = 0; c < present; c++)
        *online += (map[c / 8] >> (c % 8)) & 1;
    *online_map = g_memdup2(map, (guint)(present + 7) / 8);
    return present;
}
