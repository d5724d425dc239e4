/* rd-slip-printer.h: the registration slip on paper and in PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rd-slip.h"

G_BEGIN_DECLS

/* The slip is a receipt 80 mm wide, as long as its contents. */
#define RD_SLIP_WIDTH_MM 80.0

/* The page the slip needs, in points (1/72 inch). */
void         rd_slip_get_page_size       (const RdSlip  *slip,
                                          double        *width,
                                          double        *height);
/* Draws the slip with its top-left corner at the origin of @cr, in points;
 * print, PDF and previews all go through this one layout. */
void         rd_slip_draw                (cairo_t       *cr,
                                          const RdSlip  *slip);
/* Shows the print dialog and prints the slip (GtkPrintOperation); FALSE
 * with @error when printing failed, or G_IO_ERROR_CANCELLED when the clerk
 * cancelled it. A desk set up without a printer (GSettings "slip-folder")
 * saves the slip there as <order number>.pdf instead. */
gboolean     rd_slip_print               (GtkWindow     *parent,
                                          const RdSlip  *slip,
                                          GError       **error);
/* Writes the slip as a one-page PDF to @path. */
gboolean     rd_slip_export_pdf          (const RdSlip  *slip,
                                          const char    *path,
                                          GError       **error);

G_END_DECLS
