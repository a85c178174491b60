/* --pci command-line pieces: see pci_options.h. */
#include <glib/gi18n-lib.h>
#include "pci/pci_options.h"

/* a number in decimal or 0x-hex from MIN to MAX */
static gboolean
num(const char *opt, const char *s, guint min, guint max, guint *out, GError **error)
{
    guint64 v;
    gboolean hex = g_str_has_prefix(s, "0x") || g_str_has_prefix(s, "0X");

    if (!g_ascii_string_to_unsigned(hex ? s + 2 : s, hex ? 16 : 10, min, max, &v, NULL)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: '%s' is not a number from %u to %u"), opt, s, min, max);
        return FALSE;
    }
    *out = (guint)v;
    return TRUE;
}

gboolean
armz_pci_addr_parse(const char *opt, const char *s, ArmzPciAddrOpt *a, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(s, ":", -1);

    if (g_str_equal(s, "off")) {
        a->off = TRUE;
        return TRUE;
    }
    if (g_strv_length(parts) != 2) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: '%s' is not a PCI address BUS:SLOT (or off)"), opt, s);
        return FALSE;
    }
    if (!num(opt, parts[0], 0, 255, &a->bus, error) || !num(opt, parts[1], 0, 31, &a->slot, error))
        return FALSE;
    if (a->bus == 0 && a->slot == 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: slot 0 of the root bus is the host bridge's"), opt);
        return FALSE;
    }
    if (a->bus != 0 && a->slot != 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("%s: '%s': below a root port there is only slot 0"), opt, s);
        return FALSE;
    }
    a->set = TRUE;
    return TRUE;
}

gboolean
armz_pcie_root_port_parse(const char *s, ArmzRootPortOpt *rp, GError **error)
{
    g_auto(GStrv) items = g_strsplit(s, ",", -1);
    gboolean have_index = FALSE, have_addr = FALSE;

    rp->chassis = rp->port = 0;
    rp->function = 0;
    rp->no_hotplug = FALSE;
    for (guint i = 0; items[i]; i++) {
        const char *eq = strchr(items[i], '=');
        g_autofree char *k = eq ? g_strndup(items[i], (gsize)(eq - items[i])) : g_strdup(items[i]);
        const char *v = eq ? eq + 1 : "";
        if (g_str_equal(k, "index")) {
            if (!num("--pcie-root-port index=", v, 1, 255, &rp->index, error))
                return FALSE;
            have_index = TRUE;
        } else if (g_str_equal(k, "addr")) {
            g_auto(GStrv) sf = g_strsplit(v, ".", -1);
            guint n = g_strv_length(sf);
            if (n < 1 || n > 2 || !num("--pcie-root-port addr=", sf[0], 1, 31, &rp->slot, error) ||
                (n == 2 && !num("--pcie-root-port addr=", sf[1], 0, 7, &rp->function, error))) {
                if (error && !*error)
                    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                _("--pcie-root-port: addr='%s' is not SLOT[.FUNCTION]"), v);
                return FALSE;
            }
            have_addr = TRUE;
        } else if (g_str_equal(k, "chassis")) {
            if (!num("--pcie-root-port chassis=", v, 0, 255, &rp->chassis, error))
                return FALSE;
        } else if (g_str_equal(k, "port")) {
            if (!num("--pcie-root-port port=", v, 0, 255, &rp->port, error))
                return FALSE;
        } else if (g_str_equal(k, "hotplug") && (g_str_equal(v, "on") || g_str_equal(v, "off"))) {
            rp->no_hotplug = g_str_equal(v, "off");
        } else if (g_str_equal(k, "hotplug")) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("--pcie-root-port: hotplug='%s' is neither on nor off"), v);
            return FALSE;
        } else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("--pcie-root-port: unknown key '%s' (index, addr, chassis, port, "
                          "hotplug)"), k);
            return FALSE;
        }
    }
    if (!have_index || !have_addr) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--pcie-root-port: '%s' needs index=N and addr=SLOT[.FUNCTION]"), s);
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_pcie_root_ports_check(const ArmzRootPortOpt *rp, guint n, GError **error)
{
    for (guint i = 0; i < n; i++) {
        for (guint j = 0; j < i; j++) {
            if (rp[i].index == rp[j].index) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("--pcie-root-port: index %u is given twice"), rp[i].index);
                return FALSE;
            }
            if (rp[i].slot == rp[j].slot && rp[i].function == rp[j].function) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            _("--pcie-root-port: address %02x.%u is given twice"), rp[i].slot,
                            rp[i].function);
                return FALSE;
            }
        }
    }
    return TRUE;
}
