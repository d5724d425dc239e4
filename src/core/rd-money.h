/* rd-money.h: amounts are integer fen, never floating point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "¥12.50", "-¥0.05" */
char       *rd_money_format     (gint64       fen);
/* "12.50" with exactly two decimals (the Alipay wire format) */
char       *rd_money_to_yuan    (gint64       fen);
/* Parses "12", "12.5", "12.50", "¥12.50" (or the full-width "￥"); FALSE for
 * anything else: signs, spaces, more than two decimals, overflow. @fen is
 * left alone on failure. */
gboolean    rd_money_parse      (const char  *text,
                                 gint64      *fen);

G_END_DECLS
