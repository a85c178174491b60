/* Results as virt-host-validate prints them, or as JSON. */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include "checks.h"

#define TITLE_WIDTH 72

void
armz_checks_print(GPtrArray *list, gboolean quiet)
{
    for (guint i = 0; i < list->len; i++) {
        ArmzCheck *c = g_ptr_array_index(list, i);
        glong len = g_utf8_strlen(c->title, -1);

        if (quiet && c->status == ARMZ_CHECK_PASS)
            continue;
        printf("ARMZ: %s%*s: %s", c->title, (int)MAX(1, TITLE_WIDTH - len), "",
               armz_check_status_name(c->status));
        if (c->detail && *c->detail)
            printf(" (%s)", c->detail);
        putchar('\n');
    }
    fflush(stdout);
}

static void
gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

char *
armz_checks_to_json(GPtrArray *list)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    char *out;

    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_map_open(g);
    gen_str(g, "result");
    gen_str(g, armz_check_status_name(armz_checks_worst(list)));
    gen_str(g, "checks");
    yajl_gen_array_open(g);
    for (guint i = 0; i < list->len; i++) {
        ArmzCheck *c = g_ptr_array_index(list, i);
        yajl_gen_map_open(g);
        gen_str(g, "id");
        gen_str(g, c->id);
        gen_str(g, "status");
        gen_str(g, armz_check_status_name(c->status));
        gen_str(g, "title");
        gen_str(g, c->title);
        gen_str(g, "detail");
        gen_str(g, c->detail ? c->detail : "");
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &buf, &len);
    out = g_strndup((const char *)buf, len);
    yajl_gen_free(g);
    return out;
}
