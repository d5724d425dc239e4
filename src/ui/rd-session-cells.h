/* rd-session-cells.h: what the roster tables' cells show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Binds the closures the roster tables' .ui files call (format_period,
 * format_hours, session_classes, ...) as template callbacks of @klass. */
void         rd_session_cells_bind_callbacks   (GtkWidgetClass *klass);

G_END_DECLS
