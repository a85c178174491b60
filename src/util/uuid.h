/* UUIDs as libvirt writes and reads them: 16 bytes, shown as 36 characters
 * of dashed lower-case hex. One copy for domains, networks, pools and the
 * daemon. */
#pragma once
#include <glib.h>

/* The dashed form and its terminating NUL (libvirt's VIR_UUID_STRING_BUFLEN). */
#define ARMZ_UUID_STRING_BUFLEN 37

/* Accepts dashed and undashed hex (surrounding blanks ok); FALSE leaves
 * UUID partly written. */
gboolean armz_uuid_parse(const char *str, unsigned char uuid[16]);
/* Writes the dashed lower-case form into BUF. */
void armz_uuid_format(const unsigned char uuid[16], char buf[ARMZ_UUID_STRING_BUFLEN]);
/* A random (version 4) UUID. */
void armz_uuid_generate(unsigned char uuid[16]);
