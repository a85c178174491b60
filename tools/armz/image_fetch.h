/* Debian arm64 packages for `armz image build`, fetched with apt. */
#pragma once
#include <glib.h>

/* The newest linux-image-*-arm64-unsigned apt knows (Debian's kernel, a
 * raw arm64 Image with KVM guest drivers as modules). */
char *armz_fetch_kernel_package(GError **error);
/* Downloads PACKAGES (names, fetched as :arm64) into CACHE unless there
 * with the right checksum, with a progress bar each; returns the .deb
 * paths in order. */
GPtrArray *armz_fetch_debs(const char *const *packages, const char *cache, GError **error);
/* Unpacks DEB under CACHE/unpacked/ once; returns that directory. */
char *armz_fetch_unpack(const char *deb, const char *cache, GError **error);
