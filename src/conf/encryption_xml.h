/* <encryption format=''><secret type='passphrase' uuid=''|usage=''/>: one
 * parser for a domain disk's and a storage volume's, which accept
 * different things (ArmzEncryptionOf). */
#pragma once
#include <glib.h>
#include <libxml/tree.h>

typedef enum {
    /* any format= (stored as written: the validator, which knows the disk,
     * judges it), engine='qemu'; nothing but one <secret> inside */
    ARMZ_ENCRYPTION_OF_DISK,
    /* format='luks' (the one the storage driver creates); children other
     * than <secret> (libvirt's <cipher>, <ivgen>) are not read */
    ARMZ_ENCRYPTION_OF_VOLUME,
} ArmzEncryptionOf;

/* Parses NODE, an <encryption>, into *FORMAT and the <secret>'s
 * *SECRET_UUID or *SECRET_USAGE (NULL when there is no <secret>).  Errors
 * are ARMZ_ERROR with libvirt's codes, worded as the owner's parser
 * always worded them. */
gboolean armz_encryption_parse(xmlNodePtr node, ArmzEncryptionOf of, char **format,
                               char **secret_uuid, char **secret_usage, GError **error);
