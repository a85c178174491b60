#include "util/error.h"

G_DEFINE_QUARK(armz-error-quark, armz_error)

int
armz_error_wire_domain(const GError *err)
{
    /* Our errors are all reported by the daemon's driver; libvirt clients
     * only print the domain in debug output. */
    (void)err;
    return VIR_FROM_NONE;
}
