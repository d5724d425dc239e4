/* rd-schedules-page.h: the day's sessions by capacity, for managers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-roster.h"

G_BEGIN_DECLS

#define RD_TYPE_SCHEDULES_PAGE (rd_schedules_page_get_type ())
G_DECLARE_FINAL_TYPE (RdSchedulesPage, rd_schedules_page, RD, SCHEDULES_PAGE, AdwBin)

/* Property "roster" (RdRoster, may be NULL). */
RdRoster    *rd_schedules_page_get_roster   (RdSchedulesPage *self);
void         rd_schedules_page_set_roster   (RdSchedulesPage *self,
                                             RdRoster        *roster);

G_END_DECLS
