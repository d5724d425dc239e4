/* rd-finance-page.h: the day's orders and takings by payment method
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-db.h"

G_BEGIN_DECLS

#define RD_TYPE_FINANCE_PAGE (rd_finance_page_get_type ())
G_DECLARE_FINAL_TYPE (RdFinancePage, rd_finance_page, RD, FINANCE_PAGE, AdwBin)

/* Loads once it has a connection, a date and the hospital's time zone, and
 * again when an order changes (NOTIFY) or the connection comes back. */
void         rd_finance_page_set_db          (RdFinancePage *self,
                                              RdDb          *db,
                                              const char    *time_zone);
void         rd_finance_page_set_date        (RdFinancePage *self,
                                              const char    *date);
void         rd_finance_page_reload          (RdFinancePage *self);
/* The orders shown (RdOrderRow). */
GListModel  *rd_finance_page_get_orders      (RdFinancePage *self);
gboolean     rd_finance_page_get_loading     (RdFinancePage *self);

G_END_DECLS
