/* vhost-user backend descriptors (see vhost_user_json.h). */
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "driver/vhost_user_json.h"

static const char *const system_dirs[] = {
    "/etc/qemu/vhost-user", "/usr/share/qemu/vhost-user", NULL };

/* DIR/NAME's binary when its type is TYPE. */
static char *
descriptor_binary(const char *path, const char *type)
{
    g_autofree char *text = NULL;
    const char *p_type[] = { "type", NULL };
    const char *p_bin[] = { "binary", NULL };
    yajl_val v, t, b;
    char *bin = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(v = yajl_tree_parse(text, NULL, 0)))
        return NULL;
    t = yajl_tree_get(v, p_type, yajl_t_string);
    b = yajl_tree_get(v, p_bin, yajl_t_string);
    if (t && b) {
        const char *ts = YAJL_GET_STRING(t), *bs = YAJL_GET_STRING(b);
        if (ts && bs && strcmp(ts, type) == 0 && g_path_is_absolute(bs))
            bin = g_strdup(bs);
    }
    yajl_tree_free(v);
    return bin;
}

char *
armz_vhost_user_find(const char *type, const char *const *dirs)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GList) names = NULL;

    for (const char *const *d = dirs ? dirs : system_dirs; *d; d++) {
        g_autoptr(GDir) dir = g_dir_open(*d, 0, NULL);
        const char *e;

        while (dir && (e = g_dir_read_name(dir)))
            if (g_str_has_suffix(e, ".json") && !g_hash_table_contains(seen, e))
                g_hash_table_insert(seen, g_strdup(e), g_build_filename(*d, e, NULL));
    }
    names = g_list_sort(g_hash_table_get_keys(seen), (GCompareFunc)strcmp);
    for (GList *l = names; l; l = l->next) {
        g_autofree char *bin = descriptor_binary(g_hash_table_lookup(seen, l->data), type);
        if (bin && access(bin, X_OK) == 0)
            return g_steal_pointer(&bin);
    }
    return NULL;
}
