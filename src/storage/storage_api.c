/* Storage entry points with flags (see storage_api.h). */
#include <libvirt/libvirt.h>

#include "util/flags.h"
#include "storage/storage_api.h"

GPtrArray *
armz_storage_pool_list_all_volumes(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                   unsigned int flags, GError **error)
{
    if (!armz_check_flags(flags, 0, "virStoragePoolListAllVolumes", error))
        return NULL;
    return armz_storage_pool_volumes(drv, id, error);
}

/* Sparse streams (holes sent as STREAM_HOLE) are not implemented: the
 * flag is refused, so the client sends every byte. */
int
armz_storage_vol_upload(ArmzStorageDriver *drv, const ArmzVolId *vol, guint64 offset,
                        guint64 length, unsigned int flags, guint64 *limit, GError **error)
{
    if (!armz_check_flags(flags, 0, "virStorageVolUpload", error))
        return -1;
    return armz_storage_vol_open_transfer(drv, vol, TRUE, offset, length, limit, error);
}

int
armz_storage_vol_download(ArmzStorageDriver *drv, const ArmzVolId *vol, guint64 offset,
                          guint64 length, unsigned int flags, guint64 *limit, GError **error)
{
    if (!armz_check_flags(flags, 0, "virStorageVolDownload", error))
        return -1;
    return armz_storage_vol_open_transfer(drv, vol, FALSE, offset, length, limit, error);
}

char *
armz_storage_pool_capabilities(ArmzStorageDriver *drv, unsigned int flags, GError **error)
{
    static const char *const unsupported[] = {
        "netfs", "disk", "iscsi", "iscsi-direct", "scsi", "mpath", "rbd", "sheepdog",
        "gluster", "zfs", "vstorage", NULL
    };
    static const char *const file_vol =
        "    <volOptions>\n"
        "      <defaultFormat type='raw'/>\n"
        "      <enum name='targetFormatType'>\n"
        "        <value>raw</value>\n"
        "        <value>qcow2</value>\n"
        "      </enum>\n"
        "    </volOptions>\n";
    GString *s;

    (void)drv;
    if (!armz_check_flags(flags, 0, "virConnectGetStoragePoolCapabilities", error))
        return NULL;
    s = g_string_new("<storagepoolCapabilities>\n");
    g_string_append_printf(s, "  <pool type='dir' supported='yes'>\n%s  </pool>\n", file_vol);
    g_string_append_printf(s,
        "  <pool type='fs' supported='yes'>\n"
        "    <poolOptions>\n"
        "      <defaultFormat type='auto'/>\n"
        "      <enum name='sourceFormatType'>\n"
        "        <value>auto</value>\n"
        "        <value>ext2</value>\n"
        "        <value>ext3</value>\n"
        "        <value>ext4</value>\n"
        "        <value>xfs</value>\n"
        "        <value>vfat</value>\n"
        "      </enum>\n"
        "    </poolOptions>\n%s  </pool>\n", file_vol);
    g_string_append(s,
        "  <pool type='logical' supported='yes'>\n"
        "    <poolOptions>\n"
        "      <defaultFormat type='lvm2'/>\n"
        "      <enum name='sourceFormatType'>\n"
        "        <value>lvm2</value>\n"
        "      </enum>\n"
        "    </poolOptions>\n"
        "  </pool>\n");
    for (int i = 0; unsupported[i]; i++)
        g_string_append_printf(s, "  <pool type='%s' supported='no'/>\n", unsupported[i]);
    g_string_append(s, "</storagepoolCapabilities>\n");
    return g_string_free(s, FALSE);
}
