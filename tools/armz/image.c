/* armz image build: a small bootable Arm64 guest from Debian's packages:
 * the arm64 kernel (its Image as is) and a busybox initramfs with the
 * virtio drivers, optionally a raw ext4 root disk, or (--format efi) one
 * GPT disk that UEFI firmware boots: an EFI system partition with a unified
 * kernel image (tools/image/build-esp) and the ext4 root; with --pool the
 * files are uploaded into a storage pool. The quickstart and the tests make
 * their guests this way too. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <gio/gio.h>
#include "cli.h"
#include "create_spec.h"
#include "image_fetch.h"
#include "image_pack.h"
#include "progress.h"

/* what a guest loads from its initramfs, in this order: the power key
 * (gpio-keys), the virtio-mmio devices armz-vmm offers; a root disk needs
 * ext4 too. A module the kernel has built in is skipped. */
static const char *const base_modules[] = {
    "evdev", "gpio_keys", "virtio_mmio", "virtio_pci", "virtio_blk", "virtio_net",
    "virtio_console", "virtio-rng", NULL
};
static const char *const disk_modules[] = { "crc32c_generic", "ext4", NULL };

typedef struct {
    char *output, *name, *format, *disk_size, *pool, *cache;
    char *kernel_package, *kernel_root, *busybox, *init;
    char *disk_format, *efi_stub;
} ImageOpts;

static void
image_opts_clear(ImageOpts *o)
{
    g_free(o->output);
    g_free(o->name);
    g_free(o->format);
    g_free(o->disk_size);
    g_free(o->pool);
    g_free(o->cache);
    g_free(o->kernel_package);
    g_free(o->kernel_root);
    g_free(o->busybox);
    g_free(o->init);
    g_free(o->disk_format);
    g_free(o->efi_stub);
}

static char *
default_cache(void)
{
    if (geteuid() == 0)
        return g_strdup("/var/cache/armz/image");
    return g_build_filename(g_get_user_cache_dir(), "armz", "image", NULL);
}

/* the guest /init: this build tree's when armz runs from it */
static char *
default_init(void)
{
    const char *env = g_getenv("ARMZ_IMAGE_INIT");
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);

    if (env && *env)
        return g_strdup(env);
    if (exe && g_str_has_prefix(exe, BUILDDIR "/"))
        return g_build_filename(SRCDIR, "tools", "image", "init.sh", NULL);
    return g_build_filename(PKGDATADIR, "image", "init.sh", NULL);
}

/* tools/image/build-esp, the disk maker the firmware tests use too */
static char *
default_build_esp(void)
{
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);

    if (exe && g_str_has_prefix(exe, BUILDDIR "/"))
        return g_build_filename(SRCDIR, "tools", "image", "build-esp", NULL);
    return g_build_filename(PKGDATADIR, "image", "build-esp", NULL);
}

static gboolean
need_file(const char *path, const char *what, GError **error)
{
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return TRUE;
    g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_NO_SUPPORT, _("%s %s does not exist"), what, path);
    return FALSE;
}

/* vmlinuz-* and lib/modules/VERSION of an unpacked kernel package */
static gboolean
kernel_parts(const char *root, char **image, char **moddir, GError **error)
{
    g_autofree char *boot = g_build_filename(root, "boot", NULL);
    g_autofree char *mods = g_build_filename(root, "lib", "modules", NULL);
    g_autoptr(GDir) d = g_dir_open(boot, 0, NULL);
    g_autoptr(GDir) m = g_dir_open(mods, 0, NULL);
    const char *n;

    *image = *moddir = NULL;
    while (d && (n = g_dir_read_name(d)))
        if (g_str_has_prefix(n, "vmlinuz-"))
            *image = g_build_filename(boot, n, NULL);
    while (m && (n = g_dir_read_name(m)))
        if (!*moddir)
            *moddir = g_build_filename(mods, n, NULL);
    if (!*image || !*moddir) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_NO_SUPPORT,
                    _("%s is not an unpacked kernel package (no boot/vmlinuz-* or lib/modules/)"),
                    root);
        g_clear_pointer(image, g_free);
        g_clear_pointer(moddir, g_free);
        return FALSE;
    }
    return TRUE;
}

/* Debian's arm64 vmlinuz is a raw Image: "ARM\x64" at 0x38 */
static gboolean
check_image(const char *path, GError **error)
{
    char magic[4];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    gboolean ok = fd >= 0 && pread(fd, magic, 4, 0x38) == 4 && memcmp(magic, "ARM\x64", 4) == 0;

    if (fd >= 0)
        close(fd);
    if (!ok)
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%s is not an arm64 kernel Image (no ARM\\x64 magic at 0x38; a "
                      "compressed vmlinuz?)"), path);
    return ok;
}

static gboolean
copy_file(const char *src, const char *dst, GError **error)
{
    g_autoptr(GFile) s = g_file_new_for_path(src), d = g_file_new_for_path(dst);
    return g_file_copy(s, d, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
}

static GPtrArray *
module_files(const char *moddir, gboolean disk, GError **error)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    const char *const *lists[] = { base_modules, disk ? disk_modules : NULL };

    for (size_t l = 0; l < G_N_ELEMENTS(lists) && lists[l]; l++) {
        for (const char *const *n = lists[l]; *n; n++) {
            const char *one[] = { *n, NULL };
            g_autoptr(GError) err = NULL;
            g_autoptr(GPtrArray) got = armz_modules_resolve(moddir, one, &err);
            if (!got) {
                if (err->code == VIR_ERR_NO_SUPPORT)
                    continue;       /* built into this kernel */
                g_propagate_error(error, g_steal_pointer(&err));
                return NULL;
            }
            for (guint i = 0; i < got->len; i++) {
                char *p = g_ptr_array_index(got, i);
                if (g_hash_table_contains(seen, p))
                    continue;
                g_ptr_array_add(all, g_strdup(p));
                g_hash_table_add(seen, g_ptr_array_index(all, all->len - 1));
            }
        }
    }
    return g_steal_pointer(&all);
}

static gboolean
write_initramfs(const char *path, const char *busybox, const char *init, GPtrArray *mods,
                GError **error)
{
    static const char *const dirs[] = { "bin", "sbin", "dev", "proc", "sys", "tmp", "run",
                                        "etc", "root", "modules", "newroot" };
    ArmzCpio *c = armz_cpio_new(path, error);
    g_autoptr(GString) order = g_string_new(NULL);

    if (!c)
        return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++)
        if (!armz_cpio_add_dir(c, dirs[i], error))
            goto fail;
    if (!armz_cpio_add_chardev(c, "dev/console", 5, 1, error) ||
        !armz_cpio_add_file(c, "bin/busybox", 0755, busybox, error) ||
        !armz_cpio_add_symlink(c, "bin/sh", "busybox", error) ||
        !armz_cpio_add_file(c, "init", 0755, init, error))
        goto fail;
    for (guint i = 0; i < mods->len; i++) {
        g_autofree char *base = g_path_get_basename(g_ptr_array_index(mods, i));
        g_autofree char *dst = g_build_filename("modules", base, NULL);
        if (!armz_cpio_add_file(c, dst, 0644, g_ptr_array_index(mods, i), error))
            goto fail;
        g_string_append_printf(order, "%s\n", base);
    }
    if (!armz_cpio_add_data(c, "modules/order", 0644, order->str, order->len, error))
        goto fail;
    return armz_cpio_finish(c, error);
fail:
    armz_cpio_finish(c, NULL);
    return FALSE;
}

/* A raw ext4 image holding busybox and /sbin/init (mke2fs -d: no root or
 * loop device needed). */
static gboolean
write_root_disk(const char *path, guint64 size, const char *busybox, const char *init,
                const char *tmpdir, GError **error)
{
    static const char *const dirs[] = { "bin", "sbin", "dev", "proc", "sys", "tmp", "run",
                                        "etc", "root", "usr/bin", "usr/sbin" };
    g_autofree char *root = g_build_filename(tmpdir, "rootfs", NULL);
    g_autofree char *bb = g_build_filename(root, "bin", "busybox", NULL);
    g_autofree char *sh = g_build_filename(root, "bin", "sh", NULL);
    g_autofree char *sinit = g_build_filename(root, "sbin", "init", NULL);
    g_autofree char *host = g_build_filename(root, "etc", "hostname", NULL);
    g_autofree char *size_k = g_strdup_printf("%" G_GUINT64_FORMAT "k", size / 1024);
    g_autofree char *out = NULL, *err = NULL;
    const char *argv[] = { "mke2fs", "-q", "-F", "-t", "ext4", "-L", "armz-root", "-d", root,
                           path, size_k, NULL };
    int status;

    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *d = g_build_filename(root, dirs[i], NULL);
        g_mkdir_with_parents(d, 0755);
    }
    if (!copy_file(busybox, bb, error) || !copy_file(init, sinit, error) ||
        !g_file_set_contents(host, "armz-guest\n", -1, error))
        return FALSE;
    chmod(bb, 0755);
    chmod(sinit, 0755);
    if (symlink("busybox", sh) < 0 && errno != EEXIST) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot create %s: %s"), sh,
                    g_strerror(errno));
        return FALSE;
    }
    unlink(path);
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                      &status, error)) {
        g_prefix_error(error, _("cannot run mke2fs (package e2fsprogs): "));
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_OPERATION_FAILED, _("mke2fs failed: %s"),
                    g_strstrip(err));
        return FALSE;
    }
    return TRUE;
}

static gboolean
run_tool(const char *const *argv, const char *const *envp, const char *package, GError **error)
{
    g_autofree char *out = NULL, *err = NULL;
    int status;

    if (!g_spawn_sync(NULL, (char **)argv, (char **)envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                      &err, &status, error)) {
        g_prefix_error(error, _("cannot run %s (package %s): "), argv[0], package);
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_OPERATION_FAILED, _("%s failed: %s"),
                    argv[0], g_strstrip(err));
        return FALSE;
    }
    return TRUE;
}

/* The --format efi disk at PATH (raw or qcow2): GPT, the EFI system
 * partition with a unified kernel image of IMAGE, INITRD and a command
 * line naming the root partition, then the root file system ROOTFS */
static gboolean
write_efi_disk(const char *path, gboolean qcow2, const char *image, const char *initrd,
               const char *rootfs, const char *stub, const char *tmpdir, GError **error)
{
    g_autofree char *tool = default_build_esp();
    g_autofree char *raw = qcow2 ? g_build_filename(tmpdir, "efi.img", NULL) : g_strdup(path);
    g_auto(GStrv) envp = g_environ_setenv(g_get_environ(), "ARMZ_EFI_STUB", stub, TRUE);
    const char *build[] = { tool, image, initrd, "console=ttyAMA0 quiet root=/dev/vda2 rw", raw,
                            rootfs, NULL };
    const char *convert[] = { "qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, path, NULL };

    if (!need_file(tool, _("the disk maker"), error) ||
        !run_tool(build, (const char *const *)envp, "libvirt-armz", error))
        return FALSE;
    return !qcow2 || run_tool(convert, NULL, "qemu-utils", error);
}

/* FILE into a new raw volume VOLNAME of POOL, with a progress bar;
 * returns the volume's path on the daemon's host */
static char *
upload(virConnectPtr conn, const char *pool_name, const char *file, const char *volname,
       GError **error)
{
    virStoragePoolPtr pool = NULL;
    virStorageVolPtr vol = NULL;
    virStreamPtr st = NULL;
    g_autofree char *xml = NULL, *buf = g_malloc(256 * 1024);
    char *path = NULL;
    ArmzProgress *bar = NULL;
    struct stat sb;
    guint64 done = 0;
    int fd = -1;

    if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) < 0) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot read %s: %s"), file,
                    g_strerror(errno));
        goto out;
    }
    if (!(pool = virStoragePoolLookupByName(conn, pool_name))) {
        *error = armz_cli_libvirt_error(_("storage pool '%s'"), pool_name);
        goto out;
    }
    if ((vol = virStorageVolLookupByName(pool, volname))) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_STORAGE_VOL_EXIST,
                    _("volume %s/%s already exists (virsh vol-delete --pool %s %s)"),
                    pool_name, volname, pool_name, volname);
        goto out;
    }
    xml = g_strdup_printf("<volume><name>%s</name><capacity unit='bytes'>%lld</capacity>"
                          "<target><format type='raw'/></target></volume>",
                          volname, (long long)sb.st_size);
    if (!(vol = virStorageVolCreateXML(pool, xml, 0))) {
        *error = armz_cli_libvirt_error(_("cannot create volume %s/%s"), pool_name, volname);
        goto out;
    }
    st = virStreamNew(conn, 0);
    if (!st || virStorageVolUpload(vol, st, 0, sb.st_size, 0) < 0) {
        *error = armz_cli_libvirt_error(_("cannot upload into %s/%s"), pool_name, volname);
        goto fail;
    }
    bar = armz_progress_new(volname, sb.st_size);
    while (done < (guint64)sb.st_size) {
        ssize_t n = read(fd, buf, 256 * 1024), off = 0;
        if (n <= 0) {
            virStreamAbort(st);
            g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot read %s: %s"),
                        file, n < 0 ? g_strerror(errno) : _("it shrank"));
            goto fail;
        }
        while (off < n) {
            int s = virStreamSend(st, buf + off, n - off);
            if (s < 0) {
                *error = armz_cli_libvirt_error(_("upload into %s/%s"), pool_name, volname);
                virStreamAbort(st);
                goto fail;
            }
            off += s;
        }
        done += n;
        armz_progress_update(bar, done);
    }
    if (virStreamFinish(st) < 0) {
        *error = armz_cli_libvirt_error(_("upload into %s/%s"), pool_name, volname);
        goto fail;
    }
    armz_progress_done(bar, TRUE);
    bar = NULL;
    path = virStorageVolGetPath(vol);
    if (!path)
        path = strdup(volname);
    goto out;

fail:
    if (bar)
        armz_progress_done(bar, FALSE);
    bar = NULL;
    virStorageVolDelete(vol, 0);
out:
    if (fd >= 0)
        close(fd);
    if (st)
        virStreamFree(st);
    if (vol)
        virStorageVolFree(vol);
    if (pool)
        virStoragePoolFree(pool);
    return path;
}

static int
image_build(ArmzCli *cli, int argc, char **argv)
{
    ImageOpts o = { 0 };
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
          N_("Write the files into DIR (default: the current directory)"), N_("DIR") },
        { "name", 0, 0, G_OPTION_ARG_STRING, &o.name,
          N_("Prefix of the files and volumes (default armz-guest)"), N_("NAME") },
        { "format", 0, 0, G_OPTION_ARG_STRING, &o.format,
          N_("initramfs (kernel + initramfs, default), disk (also a raw ext4 root disk) or "
             "efi (one GPT disk that UEFI firmware boots)"),
          N_("FORMAT") },
        { "disk-format", 0, 0, G_OPTION_ARG_STRING, &o.disk_format,
          N_("raw (default) or qcow2: the --format efi disk's"), N_("FORMAT") },
        { "efi-stub", 0, 0, G_OPTION_ARG_FILENAME, &o.efi_stub,
          N_("Use this systemd-boot EFI stub (linuxaa64.efi.stub) instead of downloading "
             "systemd-boot-efi"), N_("PATH") },
        { "disk-size", 0, 0, G_OPTION_ARG_STRING, &o.disk_size,
          N_("Size of the root disk (default 64M)"), N_("SIZE") },
        { "pool", 'p', 0, G_OPTION_ARG_STRING, &o.pool,
          N_("Upload the files into this storage pool of the daemon"), N_("POOL") },
        { "cache", 0, 0, G_OPTION_ARG_FILENAME, &o.cache,
          N_("Keep downloaded packages here (default /var/cache/armz/image, or "
             "~/.cache/armz/image)"), N_("DIR") },
        { "kernel-package", 0, 0, G_OPTION_ARG_STRING, &o.kernel_package,
          N_("Debian arm64 kernel package (default: the newest linux-image-*-arm64-unsigned)"),
          N_("PKG") },
        { "kernel-root", 0, 0, G_OPTION_ARG_FILENAME, &o.kernel_root,
          N_("Use this unpacked kernel package instead of downloading one"), N_("DIR") },
        { "busybox", 0, 0, G_OPTION_ARG_FILENAME, &o.busybox,
          N_("Use this static arm64 busybox instead of downloading busybox-static"), N_("PATH") },
        { "init", 0, 0, G_OPTION_ARG_FILENAME, &o.init,
          N_("The guest's /init script (default: armz's, a shell on the console)"), N_("FILE") },
        { NULL }
    };
    g_autoptr(GOptionContext) octx = g_option_context_new(_("image build"));
    g_autoptr(GError) err = NULL;
    g_autofree char *kroot = NULL, *image = NULL, *moddir = NULL, *busybox = NULL;
    g_autofree char *init = NULL, *tmpdir = NULL;
    g_autoptr(GPtrArray) mods = NULL, outputs = NULL;
    g_autofree char *stub = NULL;
    gboolean disk, efi, qcow2;
    guint64 disk_size = 64ull << 20;
    int status = ARMZ_CLI_FAIL;

    g_option_context_set_summary(octx,
        _("Builds a small bootable Arm64 guest from Debian's packages: the arm64 kernel's "
          "Image and a busybox initramfs with the virtio drivers (and with --format disk a "
          "raw ext4 root disk), downloaded with apt (arm64 must be a dpkg architecture). "
          "With --pool the files are uploaded into that storage pool."));
    g_option_context_add_main_entries(octx, entries, GETTEXT_PACKAGE);
    if (!armz_cli_parse(octx, &argc, &argv, &status))
        goto out;
    if (argc > 1) {
        armz_cli_errorf(_("image build: unexpected argument '%s'"), argv[1]);
        status = ARMZ_CLI_USAGE;
        goto out;
    }
    if (!o.name)
        o.name = g_strdup("armz-guest");
    if (!o.output)
        o.output = g_get_current_dir();
    if (!o.cache)
        o.cache = default_cache();
    efi = o.format && g_str_equal(o.format, "efi");
    disk = efi || (o.format && g_str_equal(o.format, "disk"));
    if (o.format && !disk && !g_str_equal(o.format, "initramfs")) {
        armz_cli_errorf(_("image build: --format is initramfs, disk or efi, not '%s'"), o.format);
        status = ARMZ_CLI_USAGE;
        goto out;
    }
    qcow2 = o.disk_format && g_str_equal(o.disk_format, "qcow2");
    if (o.disk_format && ((!qcow2 && !g_str_equal(o.disk_format, "raw")) || !efi)) {
        armz_cli_errorf(_("image build: --disk-format is raw or qcow2, with --format efi"));
        status = ARMZ_CLI_USAGE;
        goto out;
    }
    if (strchr(o.name, '/') || !*o.name) {
        armz_cli_errorf(_("image build: --name '%s' must be non-empty, without '/'"), o.name);
        status = ARMZ_CLI_USAGE;
        goto out;
    }
    if (o.disk_size && !armz_parse_size(o.disk_size, 1ull << 20, &disk_size, &err)) {
        armz_cli_print_error(err);
        status = ARMZ_CLI_USAGE;
        goto out;
    }
    if (disk_size < (8ull << 20)) {
        armz_cli_errorf(_("image build: --disk-size must be at least 8 MiB"));
        status = ARMZ_CLI_USAGE;
        goto out;
    }
    init = o.init ? g_strdup(o.init) : default_init();
    if (!need_file(init, _("the guest init script"), &err))
        goto fail;
    /* with --pool, make sure the daemon takes uploads before the work */
    if (o.pool) {
        virConnectPtr conn = armz_cli_connect(cli, FALSE, &err);
        virStoragePoolPtr pool;
        if (!conn)
            goto fail;
        if (!(pool = virStoragePoolLookupByName(conn, o.pool))) {
            err = armz_cli_libvirt_error(_("storage pool '%s'"), o.pool);
            goto fail;
        }
        virStoragePoolFree(pool);
    }

    /* the kernel and busybox: given, or Debian's packages */
    if (!o.kernel_root || !o.busybox || (efi && !o.efi_stub)) {
        g_autoptr(GPtrArray) pkgs = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) debs = NULL;
        guint k = G_MAXUINT, b = G_MAXUINT, e = G_MAXUINT;
        if (!o.kernel_root) {
            if (!o.kernel_package && !(o.kernel_package = armz_fetch_kernel_package(&err)))
                goto fail;
            k = pkgs->len;
            g_ptr_array_add(pkgs, g_strdup(o.kernel_package));
        }
        if (!o.busybox) {
            b = pkgs->len;
            g_ptr_array_add(pkgs, g_strdup("busybox-static"));
        }
        if (efi && !o.efi_stub) {
            e = pkgs->len;
            g_ptr_array_add(pkgs, g_strdup("systemd-boot-efi"));
        }
        g_ptr_array_add(pkgs, NULL);
        if (!(debs = armz_fetch_debs((const char *const *)pkgs->pdata, o.cache, &err)))
            goto fail;
        if (k != G_MAXUINT && !(kroot = armz_fetch_unpack(g_ptr_array_index(debs, k), o.cache, &err)))
            goto fail;
        if (b != G_MAXUINT) {
            g_autofree char *broot = armz_fetch_unpack(g_ptr_array_index(debs, b), o.cache, &err);
            if (!broot)
                goto fail;
            busybox = g_build_filename(broot, "bin", "busybox", NULL);
        }
        if (e != G_MAXUINT) {
            g_autofree char *sroot = armz_fetch_unpack(g_ptr_array_index(debs, e), o.cache, &err);
            if (!sroot)
                goto fail;
            stub = g_build_filename(sroot, "usr", "lib", "systemd", "boot", "efi",
                                    "linuxaa64.efi.stub", NULL);
        }
    }
    if (o.efi_stub)
        stub = g_strdup(o.efi_stub);
    if (efi && !need_file(stub, _("the EFI stub"), &err))
        goto fail;
    if (o.kernel_root)
        kroot = g_strdup(o.kernel_root);
    if (o.busybox)
        busybox = g_strdup(o.busybox);
    if (!need_file(busybox, _("busybox"), &err) || !kernel_parts(kroot, &image, &moddir, &err) ||
        !check_image(image, &err))
        goto fail;
    if (!(mods = module_files(moddir, disk, &err)))
        goto fail;

    if (g_mkdir_with_parents(o.output, 0755) < 0) {
        g_set_error(&err, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot create %s: %s"),
                    o.output, g_strerror(errno));
        goto fail;
    }
    if (!(tmpdir = g_dir_make_tmp("armz-image-XXXXXX", &err)))
        goto fail;
    outputs = g_ptr_array_new_with_free_func(g_free);
    if (efi) {
        g_autofree char *dout = g_strdup_printf("%s/%s-efi.%s", o.output, o.name,
                                                qcow2 ? "qcow2" : "img");
        g_autofree char *dtmp = g_strdup_printf("%s.tmp", dout);
        g_autofree char *itmp = g_build_filename(tmpdir, "initrd", NULL);
        g_autofree char *rtmp = g_build_filename(tmpdir, "root.img", NULL);

        if (!write_initramfs(itmp, busybox, init, mods, &err) ||
            !write_root_disk(rtmp, disk_size, busybox, init, tmpdir, &err) ||
            !write_efi_disk(dtmp, qcow2, image, itmp, rtmp, stub, tmpdir, &err)) {
            unlink(dtmp);
            goto fail;
        }
        if (rename(dtmp, dout) < 0) {
            g_set_error(&err, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot write %s: %s"),
                        dout, g_strerror(errno));
            goto fail;
        }
        g_ptr_array_add(outputs, g_steal_pointer(&dout));
    } else {
        g_autofree char *kout = g_strdup_printf("%s/%s-Image", o.output, o.name);
        g_autofree char *iout = g_strdup_printf("%s/%s-initrd", o.output, o.name);
        g_autofree char *dout = g_strdup_printf("%s/%s-root.img", o.output, o.name);
        g_autofree char *ktmp = g_strdup_printf("%s.tmp", kout);
        g_autofree char *itmp = g_strdup_printf("%s.tmp", iout);
        g_autofree char *dtmp = g_strdup_printf("%s.tmp", dout);

        /* complete files only: written aside, then renamed */
        if (!copy_file(image, ktmp, &err) || !write_initramfs(itmp, busybox, init, mods, &err) ||
            (disk && !write_root_disk(dtmp, disk_size, busybox, init, tmpdir, &err))) {
            unlink(ktmp);
            unlink(itmp);
            unlink(dtmp);
            goto fail;
        }
        if (rename(ktmp, kout) < 0 || rename(itmp, iout) < 0 || (disk && rename(dtmp, dout) < 0)) {
            g_set_error(&err, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot write %s: %s"),
                        o.output, g_strerror(errno));
            goto fail;
        }
        g_ptr_array_add(outputs, g_steal_pointer(&kout));
        g_ptr_array_add(outputs, g_steal_pointer(&iout));
        if (disk)
            g_ptr_array_add(outputs, g_steal_pointer(&dout));
    }
    printf(_("Guest image '%s' (%u kernel modules):\n"), o.name, mods->len);
    for (guint i = 0; i < outputs->len; i++)
        printf("  %s\n", (char *)g_ptr_array_index(outputs, i));

    if (efi) {
        g_autofree char *path = o.pool ? upload(cli->conn, o.pool, g_ptr_array_index(outputs, 0),
                                                strrchr(g_ptr_array_index(outputs, 0), '/') + 1,
                                                &err)
                                       : g_strdup(g_ptr_array_index(outputs, 0));
        if (!path)
            goto fail;
        printf(_("Boot it through UEFI firmware as the first disk (vda) of a domain with "
                 "<os firmware='efi'>, e.g. examples/firmware-uefi.xml with its source "
                 "file %s.\n"), path);
    } else if (o.pool) {
        g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(free);
        for (guint i = 0; i < outputs->len; i++) {
            g_autofree char *vname = g_path_get_basename(g_ptr_array_index(outputs, i));
            char *p = upload(cli->conn, o.pool, g_ptr_array_index(outputs, i), vname, &err);
            if (!p)
                goto fail;
            g_ptr_array_add(paths, p);
        }
        g_autofree char *disk_arg = disk ? g_strdup_printf(" --disk %s/%s-root.img", o.pool,
                                                           o.name) : g_strdup("");
        printf(_("Uploaded into pool '%s'. Boot it with:\n  armz create %s --kernel %s "
                 "--initrd %s%s --start --console\n"), o.pool, o.name,
               (char *)g_ptr_array_index(paths, 0), (char *)g_ptr_array_index(paths, 1),
               disk_arg);
    } else {
        printf(_("Boot it with:\n  armz create %s --kernel %s --initrd %s%s%s --start --console\n"),
               o.name, (char *)g_ptr_array_index(outputs, 0),
               (char *)g_ptr_array_index(outputs, 1), disk ? " --disk " : "",
               disk ? (char *)g_ptr_array_index(outputs, 2) : "");
    }
    status = ARMZ_CLI_OK;
    goto out;

fail:
    armz_cli_print_error(err);
    status = ARMZ_CLI_FAIL;
out:
    if (tmpdir) {
        const char *rm[] = { "rm", "-rf", tmpdir, NULL };
        g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, NULL, NULL);
    }
    image_opts_clear(&o);
    return status;
}

int
armz_cmd_image(ArmzCli *cli, int argc, char **argv)
{
    if (argc >= 2 && g_str_equal(argv[1], "build"))
        return image_build(cli, argc - 1, argv + 1);
    if (argc >= 2 && (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h"))) {
        printf("%s\n  armz image build [OPTION...]\n\n%s\n", _("Usage:"),
               _("Builds a small bootable Arm64 guest; 'armz image build --help' lists its "
                 "options."));
        return ARMZ_CLI_OK;
    }
    armz_cli_errorf(argc < 2 ? _("image: missing subcommand (armz image build)%s")
                             : _("image: unknown subcommand '%s' (armz image build)"),
                    argc < 2 ? "" : argv[1]);
    return ARMZ_CLI_USAGE;
}
