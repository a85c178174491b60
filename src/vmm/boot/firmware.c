/* Firmware boot: flash files, their KVM memory slots, fw_cfg contents. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "layout.h"
#include "vmmlog.h"
#include "boot/firmware.h"
#include "boot/smbios.h"
#include "boot/acpi.h"
#include "boot/bootorder.h"

/* generic KVM numbering (older headers may lack them) */
#define FW_KVM_MEM_READONLY     (1u << 1)
#define FW_FIRST_SLOT           1       /* slot 0 is RAM */

typedef struct {
    ArmzVm *vm;
    char *name;             /* the file, or "fd:N", for messages */
    const char *what;
    int fd;
    uint8_t *map;
    unsigned slot;
    uint64_t gpa;
    gboolean writable;
} Bank;

struct _ArmzFirmware {
    Bank bank[ARMZ_FLASH_BANKS];
    unsigned nbanks;
};

static gboolean
bank_open(Bank *b, const char *what, const char *path, int fd, gboolean writable,
          GError **error)
{
    struct stat st;

    b->what = what;
    b->writable = writable;
    b->fd = -1;
    b->name = path ? g_strdup(path) : g_strdup_printf("fd:%d", fd);
    if (path) {
        b->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    } else {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0) {
            errno = EBADF;
        } else if (writable && (fl & O_ACCMODE) != O_RDWR) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("%s %s is not open for reading and writing"), what, b->name);
            return FALSE;
        } else {
            b->fd = fd;
        }
    }
    if (b->fd < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open %s %s: %s"), what, b->name,
                    g_strerror(errno));
        return FALSE;
    }
    if (fstat(b->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size != ARMZ_FLASH_BANK_SIZE) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("%s %s must be a file of exactly %" PRIu64 " bytes (64 MiB), "
                      "as QEMU's virt flash, not %" PRIu64),
                    what, b->name, (uint64_t)ARMZ_FLASH_BANK_SIZE,
                    (uint64_t)(S_ISREG(st.st_mode) ? st.st_size : 0));
        return FALSE;
    }
    /* the code bank is a private copy (the file is never written); the
     * variable store is the file itself */
    b->map = mmap(NULL, ARMZ_FLASH_BANK_SIZE, PROT_READ | (writable ? PROT_WRITE : 0),
                  writable ? MAP_SHARED : MAP_PRIVATE, b->fd, 0);
    if (b->map == MAP_FAILED) {
        b->map = NULL;
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot read %s %s: %s"), what, b->name,
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

ArmzFirmware *
armz_firmware_open(const ArmzOptions *o, GError **error)
{
    g_autofree ArmzFirmware *fw = g_new0(ArmzFirmware, 1);

    if (!bank_open(&fw->bank[0], _("UEFI firmware code flash"), o->flash_code,
                   o->flash_code_fd, FALSE, error))
        return NULL;
    fw->nbanks = 1;
    if (o->flash_vars || o->flash_vars_fd >= 0) {
        if (!bank_open(&fw->bank[1], _("UEFI variable store flash"), o->flash_vars,
                       o->flash_vars_fd, TRUE, error))
            return NULL;
        fw->nbanks = 2;
    }
    return g_steal_pointer(&fw);
}

static int
set_slot(Bank *b, gboolean on)
{
    struct kvm_userspace_memory_region r;

    memset(&r, 0, sizeof(r));
    r.slot = b->slot;
    r.flags = FW_KVM_MEM_READONLY;
    r.guest_phys_addr = b->gpa;
    r.memory_size = on ? ARMZ_FLASH_BANK_SIZE : 0;
    r.userspace_addr = (uintptr_t)b->map;
    return ioctl(b->vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

/* the flash left or entered read-array mode: reads trap to the device
 * model while it answers commands, and go to memory otherwise */
static void
bank_romd(void *opaque, bool on)
{
    Bank *b = opaque;
    if (set_slot(b, on) < 0)
        armz_vmm_warn(_("cannot %s the memory slot of flash %s: %s"), on ? "map" : "unmap",
                      b->name, g_strerror(errno));
}

static void
bank_persist(void *opaque, uint64_t offset, uint64_t len)
{
    Bank *b = opaque;
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t start = offset & ~(page - 1);

    if (msync(b->map + start, offset + len - start, MS_SYNC) < 0)
        armz_vmm_warn(_("cannot write %s %s: %s"), b->what, b->name, g_strerror(errno));
}

gboolean
armz_firmware_attach(ArmzFirmware *fw, ArmzVm *vm, GError **error)
{
    if (armz_kvm_check_cap(vm, ARMZ_KVM_CAP_READONLY_MEM) <= 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("KVM device %s has no read-only memory slots "
                      "(KVM_CAP_READONLY_MEM), which firmware boot needs"), vm->kvm_path);
        return FALSE;
    }
    for (unsigned i = 0; i < fw->nbanks; i++) {
        Bank *b = &fw->bank[i];
        ArmzCfiFlashConfig cfg = {
            .name = i ? "vars" : "code", .storage = b->map, .size = ARMZ_FLASH_BANK_SIZE,
            .readonly = !b->writable, .romd = bank_romd, .persist = bank_persist, .opaque = b,
        };
        b->vm = vm;
        b->slot = FW_FIRST_SLOT + i;
        b->gpa = ARMZ_FLASH_BASE + i * ARMZ_FLASH_BANK_SIZE;
        if (set_slot(b, TRUE) < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("cannot map %s %s into the guest (KVM_SET_USER_MEMORY_REGION): %s"),
                        b->what, b->name, g_strerror(errno));
            return FALSE;
        }
        vm->board.flash[i] = armz_cfi_flash_new(&cfg);
    }
    vm->board.fw_cfg = armz_fw_cfg_new(&vm->board.mem);
    return TRUE;
}

static void
add_blob(ArmzFwCfg *c, uint16_t size_key, uint16_t data_key, GBytes *data)
{
    armz_fw_cfg_add_u32(c, size_key, (uint32_t)g_bytes_get_size(data));
    armz_fw_cfg_add(c, data_key, g_bytes_ref(data));
}

gboolean
armz_firmware_load_config(ArmzFirmware *fw, ArmzVm *vm, GError **error)
{
    const ArmzOptions *o = vm->opts;
    ArmzFwCfg *c = vm->board.fw_cfg;
    ArmzSmbiosMachine m = { 1, vm->nvcpus, vm->ram_base, vm->ram_size };

    if (o->sockets) {
        m.sockets = o->sockets;
        m.cores_per_socket = o->cores * o->threads;
    }
    GBytes *anchor, *tables, *order;
    uint8_t uuid[16];

    (void)fw;
    armz_fw_cfg_add_u16(c, ARMZ_FW_CFG_NB_CPUS, (uint16_t)vm->nvcpus);
    armz_fw_cfg_add_u16(c, ARMZ_FW_CFG_MAX_CPUS, (uint16_t)vm->nvcpus);
    armz_fw_cfg_add_u64(c, ARMZ_FW_CFG_RAM_SIZE, vm->ram_size);
    armz_fw_cfg_add_u16(c, ARMZ_FW_CFG_NOGRAPHIC, 1);
    armz_fw_cfg_add_u16(c, ARMZ_FW_CFG_BOOT_MENU, 0);
    if (o->smbios.field[ARMZ_SMBIOS_SYS_UUID] &&
        armz_uuid_parse(o->smbios.field[ARMZ_SMBIOS_SYS_UUID], uuid))
        armz_fw_cfg_add(c, ARMZ_FW_CFG_UUID, g_bytes_new(uuid, sizeof(uuid)));

    if (vm->kernel) {
        /* the firmware's kernel loader boots it as an EFI application */
        g_autoptr(GBytes) cmd = g_bytes_new(o->cmdline ? o->cmdline : "",
                                            strlen(o->cmdline ? o->cmdline : "") + 1);
        /* read once into memory, as QEMU does: the firmware reads them
         * through fw_cfg as it boots, and again after a reset */
        g_autoptr(GBytes) kernel = armz_boot_file_bytes(vm->kernel, error);
        g_autoptr(GBytes) initrd = NULL;

        if (!kernel || (vm->initrd && !(initrd = armz_boot_file_bytes(vm->initrd, error))))
            return FALSE;
        add_blob(c, ARMZ_FW_CFG_KERNEL_SIZE, ARMZ_FW_CFG_KERNEL_DATA, kernel);
        if (initrd)
            add_blob(c, ARMZ_FW_CFG_INITRD_SIZE, ARMZ_FW_CFG_INITRD_DATA, initrd);
        add_blob(c, ARMZ_FW_CFG_CMDLINE_SIZE, ARMZ_FW_CFG_CMDLINE_DATA, cmd);
        armz_fw_cfg_add_u32(c, ARMZ_FW_CFG_SETUP_SIZE, 0);
    }

    armz_smbios_build(&o->smbios, &m, &anchor, &tables);
    armz_fw_cfg_add_file(c, "etc/smbios/smbios-anchor", anchor, false);
    armz_fw_cfg_add_file(c, "etc/smbios/smbios-tables", tables, false);
    order = armz_boot_order(o, &vm->board);
    if (order)
        armz_fw_cfg_add_file(c, "bootorder", order, false);
    if (o->vmcoreinfo) {
        /* host format ELF (1), little-endian; the guest writes the rest */
        uint8_t info[24] = { 1, 0 };
        armz_fw_cfg_add_file(c, "etc/vmcoreinfo", g_bytes_new(info, sizeof(info)), true);
    }
    if (o->acpi) {
        /* the firmware installs them and then gives the OS no device tree */
        g_autofree uint64_t *mpidr = g_new0(uint64_t, vm->nvcpus);
        ArmzAcpiConfig ac = { vm->nvcpus, mpidr,
                              vm->irqchip == ARMZ_IRQ_KERNEL_GICV3 ? ARMZ_GIC_V3 : ARMZ_GIC_V2,
                              vm->board.nmmio };
        ArmzAcpiBlobs b = { NULL, NULL, NULL };

        ac.sockets = o->sockets;
        ac.cores = o->cores;
        ac.threads = o->threads;
        ac.pci = o->pci;
        ac.msi = vm->msi;
        ac.pci_high = vm->board.pci_high;
        for (unsigned i = 0; i < vm->nvcpus; i++)
            mpidr[i] = vm->vcpus[i].mpidr;
        armz_acpi_build(&ac, &b);
        if (!armz_fw_cfg_add_file(c, ARMZ_ACPI_TABLES_FILE, g_steal_pointer(&b.tables), false) ||
            !armz_fw_cfg_add_file(c, ARMZ_ACPI_RSDP_FILE, g_steal_pointer(&b.rsdp), false) ||
            !armz_fw_cfg_add_file(c, ARMZ_ACPI_LOADER_FILE, g_steal_pointer(&b.loader), false)) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot add the ACPI tables to fw_cfg"));
            return FALSE;
        }
    }
    return TRUE;
}
