/* Pieces of `armz image build`: newc cpio archives (initramfs), the kernel
 * modules a guest needs with what they depend on, an ext4 root disk. */
#pragma once
#include <glib.h>

typedef struct _ArmzCpio ArmzCpio;

ArmzCpio *armz_cpio_new(const char *path, GError **error);
gboolean armz_cpio_add_dir(ArmzCpio *c, const char *name, GError **error);
gboolean armz_cpio_add_data(ArmzCpio *c, const char *name, guint mode, const void *data,
                            gsize len, GError **error);
gboolean armz_cpio_add_file(ArmzCpio *c, const char *name, guint mode, const char *src,
                            GError **error);
gboolean armz_cpio_add_symlink(ArmzCpio *c, const char *name, const char *target,
                               GError **error);
gboolean armz_cpio_add_chardev(ArmzCpio *c, const char *name, guint major, guint minor,
                               GError **error);
/* Writes the trailer and closes; frees C (also on failure). */
gboolean armz_cpio_finish(ArmzCpio *c, GError **error);

/* The .ko files of NAMES under MODDIR (lib/modules/VERSION), each after
 * the modules it depends on (their "depends=" modinfo), without repeats. */
GPtrArray *armz_modules_resolve(const char *moddir, const char *const *names, GError **error);
/* "depends=" of the module file PATH: a list of names (maybe empty). */
char **armz_module_depends(const char *path, GError **error);
