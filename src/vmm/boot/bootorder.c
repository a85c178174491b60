/* fw_cfg "bootorder" (see bootorder.h). The paths are QEMU's: a
 * virtio-mmio transport is /virtio-mmio@BASE (16 hex digits); on PCI the
 * virt machine's host bridge is /pci@ffffffffffffffff (its ECAM is not a
 * mapped sysbus region, so its unit address is all ones), a root port
 * pci-bridge@SLOT[,FN] and a virtio-blk or virtio-scsi function scsi@SLOT[,FN]
 * (both have the SCSI storage class). Below that, a virtio-blk disk is
 * /disk@0,0 and a SCSI LUN /channel@0/disk@TARGET,LUN in hex; AAVMF
 * translates them to VenHw(virtio-mmio GUID, BASE)[/Scsi(T,L)] or
 * PciRoot(0x0)[/Pci(port)]/Pci(dev)[/Scsi(T,L)] and boots the matching
 * boot options in this order. */
#include <inttypes.h>
#include "boot/bootorder.h"
#include "virtio/virtio_scsi.h"

static void
pci_node(GString *s, const char *name, unsigned devfn)
{
    g_string_append_printf(s, "/%s@%x", name, devfn >> 3);
    if (devfn & 7)
        g_string_append_printf(s, ",%x", devfn & 7);
}

/* the transport of virtio device I */
static void
device_path(GString *s, const ArmzBoard *b, unsigned i)
{
    const ArmzPciFunc *f, *port;
    unsigned slot = 0;

    if (!b->pci || b->pci_addr[i].off) {
        for (unsigned j = 0; j < i; j++)
            slot += !b->pci || b->pci_addr[j].off;
        g_string_append_printf(s, "/virtio-mmio@%016" PRIx64,
                               (uint64_t)(ARMZ_VIRTIO_BASE + slot * ARMZ_VIRTIO_SLOT_SIZE));
        return;
    }
    f = armz_virtio_pci_func(b->virtio[i]);
    port = f->upstream;
    g_string_append(s, "/pci@ffffffffffffffff");
    if (port)
        pci_node(s, "pci-bridge", port->devfn);
    pci_node(s, "scsi", f->devfn);
}

static int
scsi_device(const ArmzBoard *b)
{
    for (unsigned i = 0; i < b->nvirtio; i++)
        if (armz_virtio_device_id(b->virtio[i]) == VIRTIO_ID_SCSI)
            return (int)i;
    return -1;
}

GBytes *
armz_boot_order(const ArmzOptions *o, const ArmzBoard *b)
{
    g_autoptr(GString) s = g_string_new(NULL);
    int scsi = scsi_device(b);

    for (guint idx = 1; idx <= 999; idx++) {
        for (guint i = 0; i < o->ndisks; i++)
            if (o->disks[i].bootindex == idx) {
                device_path(s, b, armz_options_disk_slot(o, i));
                g_string_append(s, "/disk@0,0\n");
            }
        for (guint j = 0; j < o->nvhost_user; j++)
            if (o->vhost_user[j].kind == ARMZ_VHOST_USER_BLK && o->vhost_user[j].bootindex == idx) {
                device_path(s, b, armz_options_vhost_user_slot(o, j));
                g_string_append(s, "/disk@0,0\n");
            }
        for (guint k = 0; scsi >= 0 && k < o->nscsi; k++)
            if (o->scsi[k].bootindex == idx) {
                device_path(s, b, (unsigned)scsi);
                g_string_append_printf(s, "/channel@0/disk@0,%x\n", o->scsi[k].lun);
            }
    }
    if (!s->len)
        return NULL;
    return g_bytes_new(s->str, s->len + 1);
}
