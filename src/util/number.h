/* Numbers in configuration text: one strict parser for the domain, network
 * and storage XML. */
#pragma once
#include <glib.h>

/* Strict decimal: digits only (no sign, blanks or prefix), within [MIN, MAX].
 * Written out rather than g_ascii_string_to_unsigned(), whose errno check can
 * see a stray EAGAIN from GLib's one-time locale setup when threads parse
 * concurrently. *OUT is untouched on failure. */
gboolean armz_parse_u64(const char *text, guint64 min, guint64 max, guint64 *out);
