/* The boot files named on the command line (--kernel, --initrd): kept open
 * and read into guest RAM where they are loaded, at start and at a reset. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

typedef struct ArmzBootFile ArmzBootFile;

/* Opens PATH for the file WHAT names ("kernel", "initrd", translated) and
 * records its size: the size a reset expects to find again. */
ArmzBootFile *armz_boot_file_open(const char *what, const char *path, GError **error);
void armz_boot_file_free(ArmzBootFile *bf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzBootFile, armz_boot_file_free)

uint64_t armz_boot_file_size(const ArmzBootFile *bf);

/* Fails, naming the file, when it no longer has the size it had at open. */
gboolean armz_boot_file_check(const ArmzBootFile *bf, GError **error);

/* Reads LEN bytes at OFFSET into DST (guest RAM), after the check above:
 * a kernel rewritten in place while its guest runs is not half-loaded at
 * the guest's reset. */
gboolean armz_boot_file_read(const ArmzBootFile *bf, uint64_t offset, void *dst, size_t len,
                             GError **error);

/* The whole file in memory (fw_cfg serves it to the firmware). */
GBytes *armz_boot_file_bytes(const ArmzBootFile *bf, GError **error);
