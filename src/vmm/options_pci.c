/* The PCI addresses of armz-vmm's command line: --pcie-root-port,
 * --console-pci, --rng-pci, --scsi-pci, --channel-pci, and whether any
 * of them (or a device's pci=) turns --pci on. */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "options_parse.h"

/* --scsi-pci, --channel-pci (parsed beside the others below) */
gboolean
pci_more_parse(ArmzOptions *o, const char *scsi_pci, const char *channel_pci, GError **error)
{
    if ((scsi_pci && !o->nscsi) || (channel_pci && !o->nchannels)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s",
                    scsi_pci ? _("--scsi-pci needs --scsi-disk or --scsi-cdrom")
                             : _("--channel-pci needs --channel"));
        return FALSE;
    }
    return (!scsi_pci || armz_pci_addr_parse("--scsi-pci", scsi_pci, &o->scsi_pci, error)) &&
           (!channel_pci ||
            armz_pci_addr_parse("--channel-pci", channel_pci, &o->channel_pci, error));
}

/* a device's pci=BUS:SLOT implies --pci */
static gboolean
pci_any_set(const ArmzOptions *o)
{
    gboolean any = o->scsi_pci.set || o->channel_pci.set || o->balloon.pci.set ||
                   o->vsock.pci.set;
    for (guint i = 0; i < o->nvhost_user; i++)
        any |= o->vhost_user[i].pci.set;
    return any;
}

/* --pcie-root-port, --console-pci, --rng-pci; any PCI address implies --pci */
gboolean
armz_pci_options_parse(ArmzOptions *o, char **root_ports, const char *console_pci,
                       const char *rng_pci, GError **error)
{
    o->nroot_ports = root_ports ? g_strv_length(root_ports) : 0;
    o->root_ports = g_new0(ArmzRootPortOpt, o->nroot_ports + 1);
    for (guint i = 0; i < o->nroot_ports; i++)
        if (!armz_pcie_root_port_parse(root_ports[i], &o->root_ports[i], error))
            return FALSE;
    if (!armz_pcie_root_ports_check(o->root_ports, o->nroot_ports, error))
        return FALSE;
    if ((console_pci && !armz_pci_addr_parse("--console-pci", console_pci, &o->console_pci, error)) ||
        (rng_pci && !armz_pci_addr_parse("--rng-pci", rng_pci, &o->rng_pci, error)))
        return FALSE;
    if (o->nroot_ports || o->console_pci.set || o->rng_pci.set)
        o->pci = TRUE;
    for (guint i = 0; i < o->ndisks; i++)
        o->pci |= o->disks[i].pci.set;
    for (guint i = 0; i < o->nnets; i++)
        o->pci |= o->nets[i].pci.set;
    o->pci |= pci_any_set(o);
    return TRUE;
}
