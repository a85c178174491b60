/* armz create NAME: the short way to a guest. Builds the domain XML from a
 * few options, prints it (--print-xml) or defines it, creating the volumes
 * size= asks for, and starts it (--start) and attaches to its console
 * (--console). */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "create_spec.h"

typedef struct {
    char *kernel, *initrd, *cmdline, *memory, *virt_type;
    int vcpus;
    char **disks, **networks, **bridges;
    gboolean print_xml, start, console;
} CreateOpts;

static void
create_opts_clear(CreateOpts *o)
{
    g_free(o->kernel);
    g_free(o->initrd);
    g_free(o->cmdline);
    g_free(o->memory);
    g_free(o->virt_type);
    g_strfreev(o->disks);
    g_strfreev(o->networks);
    g_strfreev(o->bridges);
}

static char *
abs_path(const char *p)
{
    if (p[0] == '~' && p[1] == '/')
        return g_build_filename(g_get_home_dir(), p + 2, NULL);
    return g_canonicalize_filename(p, NULL);
}

static ArmzCreateSpec *
spec_from_opts(const char *name, CreateOpts *o, GError **error)
{
    g_autoptr(ArmzCreateSpec) s = armz_create_spec_new(name);
    guint64 bytes;

    if (o->kernel)
        s->kernel = abs_path(o->kernel);
    if (o->initrd)
        s->initrd = abs_path(o->initrd);
    s->cmdline = g_strdup(o->cmdline);
    if (o->virt_type) {
        g_free(s->virt_type);
        s->virt_type = g_strdup(o->virt_type);
    }
    if (o->memory) {
        if (!armz_parse_size(o->memory, 1ull << 20, &bytes, error))
            return NULL;
        s->memory_kib = bytes / 1024;
    }
    if (o->vcpus < 0) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG, _("--vcpus must be at least 1"));
        return NULL;
    }
    if (o->vcpus > 0)
        s->vcpus = o->vcpus;
    for (char **d = o->disks; d && *d; d++) {
        ArmzDiskSpec *disk = armz_disk_spec_parse(*d, error);
        if (!disk)
            return NULL;
        g_ptr_array_add(s->disks, disk);
    }
    for (char **n = o->networks; n && *n; n++) {
        ArmzNicSpec *nic = g_new0(ArmzNicSpec, 1);
        nic->source = g_strdup(*n);
        g_ptr_array_add(s->nics, nic);
    }
    for (char **b = o->bridges; b && *b; b++) {
        ArmzNicSpec *nic = g_new0(ArmzNicSpec, 1);
        nic->bridge = TRUE;
        nic->source = g_strdup(*b);
        g_ptr_array_add(s->nics, nic);
    }
    if (!armz_create_spec_finish(s, error))
        return NULL;
    return g_steal_pointer(&s);
}

/* Checks what the definition refers to where the daemon can tell: the
 * networks and existing volumes. A daemon without that API is told about
 * it at start instead, so its NO_SUPPORT only warns. */
static gboolean
check_references(virConnectPtr conn, const ArmzCreateSpec *s, GError **error)
{
    for (guint i = 0; i < s->nics->len; i++) {
        const ArmzNicSpec *nic = g_ptr_array_index(s->nics, i);
        virNetworkPtr net;
        if (nic->bridge)
            continue;
        if ((net = virNetworkLookupByName(conn, nic->source))) {
            virNetworkFree(net);
            continue;
        }
        if (virGetLastErrorCode() == VIR_ERR_NO_SUPPORT) {
            fprintf(stderr, _("armz: warning: the daemon does not manage networks yet; "
                              "network '%s' is not checked\n"), nic->source);
            continue;
        }
        *error = armz_cli_libvirt_error(_("network '%s' (see virsh net-list --all)"), nic->source);
        return FALSE;
    }
    for (guint i = 0; i < s->disks->len; i++) {
        const ArmzDiskSpec *d = g_ptr_array_index(s->disks, i);
        virStoragePoolPtr pool;
        virStorageVolPtr vol;
        if (d->kind != ARMZ_DISK_VOLUME)
            continue;
        if (!(pool = virStoragePoolLookupByName(conn, d->pool))) {
            if (virGetLastErrorCode() == VIR_ERR_NO_SUPPORT && !d->new_size) {
                fprintf(stderr, _("armz: warning: the daemon does not manage storage pools yet; "
                                  "volume %s/%s is not checked\n"), d->pool, d->volume);
                continue;
            }
            *error = armz_cli_libvirt_error(_("storage pool '%s' (see virsh pool-list --all)"),
                                            d->pool);
            return FALSE;
        }
        vol = virStorageVolLookupByName(pool, d->volume);
        if (vol && d->new_size) {
            virStorageVolFree(vol);
            virStoragePoolFree(pool);
            g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_STORAGE_VOL_EXIST,
                        _("storage volume %s/%s already exists: use --disk %s/%s to attach it"),
                        d->pool, d->volume, d->pool, d->volume);
            return FALSE;
        }
        if (!vol && !d->new_size) {
            *error = armz_cli_libvirt_error(_("storage volume %s/%s"), d->pool, d->volume);
            virStoragePoolFree(pool);
            return FALSE;
        }
        if (vol)
            virStorageVolFree(vol);
        virStoragePoolFree(pool);
    }
    return TRUE;
}

/* size=: makes the volumes; CREATED collects them for the rollback. */
static gboolean
create_volumes(virConnectPtr conn, const ArmzCreateSpec *s, GPtrArray *created, GError **error)
{
    for (guint i = 0; i < s->disks->len; i++) {
        const ArmzDiskSpec *d = g_ptr_array_index(s->disks, i);
        g_autofree char *xml = NULL;
        virStoragePoolPtr pool;
        virStorageVolPtr vol;

        if (d->kind != ARMZ_DISK_VOLUME || !d->new_size)
            continue;
        if (!(pool = virStoragePoolLookupByName(conn, d->pool))) {
            *error = armz_cli_libvirt_error(_("storage pool '%s'"), d->pool);
            return FALSE;
        }
        xml = armz_disk_spec_volume_xml(d);
        vol = virStorageVolCreateXML(pool, xml, 0);
        virStoragePoolFree(pool);
        if (!vol) {
            *error = armz_cli_libvirt_error(_("cannot create volume %s/%s"), d->pool, d->volume);
            return FALSE;
        }
        printf(_("Volume %s/%s created (%llu MiB)\n"), d->pool, d->volume,
               (unsigned long long)(d->new_size >> 20));
        g_ptr_array_add(created, vol);
    }
    return TRUE;
}

static void
delete_volumes(GPtrArray *created)
{
    for (guint i = 0; i < created->len; i++) {
        virStorageVolPtr vol = g_ptr_array_index(created, i);
        if (virStorageVolDelete(vol, 0) < 0)
            fprintf(stderr, _("armz: warning: cannot remove the new volume %s: %s\n"),
                    virStorageVolGetName(vol), virGetLastErrorMessage());
    }
}

static void
free_vol(gpointer p)
{
    virStorageVolFree(p);
}

int
armz_cmd_create(ArmzCli *cli, int argc, char **argv)
{
    CreateOpts o = { 0 };
    GOptionEntry entries[] = {
        { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &o.kernel,
          N_("Boot this Arm64 kernel Image (a path on the daemon's host)"), N_("PATH") },
        { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &o.initrd, N_("Initial ramdisk"), N_("PATH") },
        { "cmdline", 0, 0, G_OPTION_ARG_STRING, &o.cmdline,
          N_("Kernel command line (default: console=ttyAMA0, plus root=/dev/vda rw with a disk)"),
          N_("TEXT") },
        { "disk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.disks,
          N_("A virtio disk: PATH, POOL/VOLUME, or size=SIZE[,pool=POOL][,vol=NAME] for a new "
             "volume; also format=raw|qcow2, readonly=on (repeatable)"), N_("SPEC") },
        { "memory", 'm', 0, G_OPTION_ARG_STRING, &o.memory,
          N_("Guest memory (MiB unless a unit is given: 1G, 512M; default 512 MiB)"), N_("SIZE") },
        { "vcpus", 0, 0, G_OPTION_ARG_INT, &o.vcpus, N_("Virtual CPUs (default 1)"), N_("N") },
        { "network", 'n', 0, G_OPTION_ARG_STRING_ARRAY, &o.networks,
          N_("A virtio NIC on this virtual network (repeatable)"), N_("NAME") },
        { "bridge", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &o.bridges,
          N_("A virtio NIC on this host bridge (repeatable)"), N_("BRIDGE") },
        { "virt-type", 0, 0, G_OPTION_ARG_STRING, &o.virt_type,
          N_("Domain type: kvm (default) or qemu"), N_("TYPE") },
        { "print-xml", 0, 0, G_OPTION_ARG_NONE, &o.print_xml,
          N_("Print the domain XML instead of defining it"), NULL },
        { "start", 0, 0, G_OPTION_ARG_NONE, &o.start, N_("Start the guest once defined"), NULL },
        { "console", 0, 0, G_OPTION_ARG_NONE, &o.console,
          N_("Start the guest and attach to its console (^] detaches)"), NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) octx = g_option_context_new(_("create NAME"));
    g_autoptr(ArmzCreateSpec) spec = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func(free_vol);
    g_autofree char *xml = NULL;
    virConnectPtr conn;
    virDomainPtr dom = NULL;
    int status = ARMZ_CLI_FAIL;

    g_option_context_set_summary(octx, _("Define an Arm64 guest NAME from a few options, and "
                                         "with --start or --console start it."));
    g_option_context_set_description(octx,
        _("Examples:\n"
          "  armz create demo --kernel /var/lib/armz/boot/Image --initrd "
          "/var/lib/armz/boot/initrd --start\n"
          "  armz create web --kernel Image --disk default/web.img --network default --console\n"
          "  armz create scratch --kernel Image --disk size=4G --print-xml"));
    g_option_context_add_main_entries(octx, entries, GETTEXT_PACKAGE);
    if (!armz_cli_parse(octx, &argc, &argv, &status))
        goto out;
    if (argc != 2) {
        armz_cli_errorf(argc < 2 ? _("create: the guest needs a NAME (armz create NAME ...)")
                                 : _("create: unexpected argument '%s'"),
                        argc < 2 ? "" : argv[2]);
        status = ARMZ_CLI_USAGE;
        goto out;
    }
    if (!(spec = spec_from_opts(argv[1], &o, &err))) {
        armz_cli_print_error(err);
        status = ARMZ_CLI_USAGE;
        goto out;
    }
    xml = armz_create_spec_to_xml(spec);
    if (o.print_xml) {
        fputs(xml, stdout);
        status = ARMZ_CLI_OK;
        goto out;
    }

    if (!(conn = armz_cli_connect(cli, FALSE, &err)))
        goto fail;
    if ((dom = virDomainLookupByName(conn, spec->name))) {
        g_set_error(&err, ARMZ_CLI_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("a domain named '%s' already exists (virsh dominfo %s)"),
                    spec->name, spec->name);
        goto fail;
    }
    if (!check_references(conn, spec, &err))
        goto fail;
    if (!create_volumes(conn, spec, created, &err)) {
        delete_volumes(created);
        goto fail;
    }
    if (!(dom = virDomainDefineXML(conn, xml))) {
        err = armz_cli_libvirt_error(_("cannot define domain '%s'"), spec->name);
        delete_volumes(created);
        goto fail;
    }
    printf(_("Domain '%s' defined\n"), spec->name);
    if (o.start || o.console) {
        if (virDomainCreate(dom) < 0) {
            err = armz_cli_libvirt_error(_("domain '%s' is defined but did not start"),
                                         spec->name);
            goto fail;
        }
        printf(_("Domain '%s' started\n"), spec->name);
    }
    fflush(stdout);
    if (o.console && armz_console_attach(dom, &err) < 0)
        goto fail;
    status = ARMZ_CLI_OK;
    goto out;

fail:
    armz_cli_print_error(err);
    status = ARMZ_CLI_FAIL;
out:
    if (dom)
        virDomainFree(dom);
    create_opts_clear(&o);
    return status;
}
