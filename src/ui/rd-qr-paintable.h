/* rd-qr-paintable.h: a QR code (libqrencode) as a GdkPaintable and on cairo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Quiet zone, in modules, around every code we draw (ISO/IEC 18004 asks for 4). */
#define RD_QR_QUIET_ZONE 4

#define RD_TYPE_QR_PAINTABLE (rd_qr_paintable_get_type ())
G_DECLARE_FINAL_TYPE (RdQrPaintable, rd_qr_paintable, RD, QR_PAINTABLE, GObject)

/* A QR code of @text (byte mode, error correction level M) with the quiet
 * zone, drawn with whole-pixel modules where there is room. NULL or ""
 * draws nothing. Property "text" (string, notified on change). */
RdQrPaintable *rd_qr_paintable_new        (const char     *text);
const char    *rd_qr_paintable_get_text   (RdQrPaintable  *self);
void           rd_qr_paintable_set_text   (RdQrPaintable  *self,
                                           const char     *text);
/* Modules per side, quiet zone included; 0 without a code. */
guint          rd_qr_paintable_get_size   (RdQrPaintable  *self);
/* TRUE for a dark module at column @x, row @y (quiet zone included). */
gboolean       rd_qr_paintable_get_module (RdQrPaintable  *self,
                                           guint           x,
                                           guint           y);

/* Draws the QR code of @text, quiet zone included, as a @size × @size
 * square at @x, @y in user units (for print and PDF); white behind it.
 * FALSE when @text cannot be encoded (nothing drawn). */
gboolean       rd_qr_draw_cairo           (cairo_t        *cr,
                                           const char     *text,
                                           double          x,
                                           double          y,
                                           double          size);

G_END_DECLS
