/* rd-date-bar.h: the day the pages show, with previous, next and today
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RD_TYPE_DATE_BAR (rd_date_bar_get_type ())
G_DECLARE_FINAL_TYPE (RdDateBar, rd_date_bar, RD, DATE_BAR, GtkWidget)

/* Properties "date" and "today" (strings "YYYY-MM-DD"). The arrow buttons
 * and Today activate win.previous-day, win.next-day and win.today; a day
 * picked in the calendar emits "date-chosen" (string). */
GtkWidget   *rd_date_bar_new        (void);
const char  *rd_date_bar_get_date   (RdDateBar  *self);
void         rd_date_bar_set_date   (RdDateBar  *self,
                                     const char *date);
const char  *rd_date_bar_get_today  (RdDateBar  *self);
void         rd_date_bar_set_today  (RdDateBar  *self,
                                     const char *today);

G_END_DECLS
