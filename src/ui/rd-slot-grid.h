/* rd-slot-grid.h: the slots of a session as a grid of cells, drawn live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rd-slot.h"

G_BEGIN_DECLS

#define RD_TYPE_SLOT_GRID (rd_slot_grid_get_type ())
G_DECLARE_FINAL_TYPE (RdSlotGrid, rd_slot_grid, RD, SLOT_GRID, GtkWidget)

/* One cell per RdSlot of "model" (a GListModel of RdSlot, e.g. an
 * RdSlotList), as many columns as fit the width. Cells redraw when their
 * slot's properties change; nothing is rebuilt.
 *
 * Properties: "model" (GListModel), "selected-seq" (int, 0 for none: the
 * keyboard cursor). Keys: arrows move the selection, Home and End go to
 * the first and last cell, Enter and Space activate it; a click selects
 * and activates. Signal "slot-activated" (int seq). Colours are the named
 * colours slot_<status>_bg/_fg, slot_pool_*, slot_focus of style.css. */
GtkWidget   *rd_slot_grid_new              (void);
GListModel  *rd_slot_grid_get_model        (RdSlotGrid      *self);
void         rd_slot_grid_set_model        (RdSlotGrid      *self,
                                            GListModel      *model);
int          rd_slot_grid_get_selected_seq (RdSlotGrid      *self);
void         rd_slot_grid_set_selected_seq (RdSlotGrid      *self,
                                            int              seq);
/* Columns of the last allocation (0 before the first). */
guint        rd_slot_grid_get_n_columns    (RdSlotGrid      *self);
/* Where the cell of @seq is, in the grid's coordinates; FALSE if no such
 * cell is laid out. */
gboolean     rd_slot_grid_get_cell_area    (RdSlotGrid      *self,
                                            int              seq,
                                            graphene_rect_t *area);
/* What a cell says in words: number, times, state, patient (the tooltip
 * and the accessible description of the selected cell). */
char        *rd_slot_grid_describe_slot    (RdSlot          *slot);

/* A key to the colours: one swatch and word per kind of cell. */
GtkWidget   *rd_slot_grid_legend_new       (void);

G_END_DECLS
