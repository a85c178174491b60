# armz-timeout: 480
# virtio-pci.sh with --irqchip=userspace: the userspace GICv2, MSI-X through
# the GICv2m frame (the only MSI path on the s390x host).
PCI_IRQCHIP=userspace
. /scenarios/virtio-pci.sh
