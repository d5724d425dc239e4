/* rd-desk-page.h: the registration desk: the day's roster by department
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-pay-service.h"
#include "rd-roster.h"

G_BEGIN_DECLS

#define RD_TYPE_DESK_PAGE (rd_desk_page_get_type ())
G_DECLARE_FINAL_TYPE (RdDeskPage, rd_desk_page, RD, DESK_PAGE, AdwBin)

/* Property "roster" (RdRoster, may be NULL). */
RdRoster    *rd_desk_page_get_roster        (RdDeskPage *self);
void         rd_desk_page_set_roster        (RdDeskPage *self,
                                             RdRoster   *roster);
void         rd_desk_page_set_db            (RdDeskPage   *self,
                                             RdDb         *db,
                                             RdPayService *pay);
void         rd_desk_page_focus_search      (RdDeskPage *self);
void         rd_desk_page_focus_patient_search (RdDeskPage *self);
/* The sessions the table shows, after the department and search filters. */
GListModel  *rd_desk_page_get_shown         (RdDeskPage *self);

G_END_DECLS
