/* rd-pinyin.h: pinyin initials for searching Chinese names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The lower-case first letter of @ch's most common Mandarin reading, or 0
 * when @ch is not an ideograph with a reading. */
char         rd_pinyin_initial        (gunichar     ch);
/* Initials of @text: ideographs give the first letter of their reading,
 * ASCII letters and digits are kept (lower case), the rest is dropped.
 * "张三" -> "zs". */
char        *rd_pinyin_initials       (const char  *text);
/* The same for a person's name: a polyphonic surname is read as a surname
 * (曾 -> z, 单 -> s, 解 -> x), which the common reading gets wrong. */
char        *rd_pinyin_name_initials  (const char  *name);

G_END_DECLS
