/* rd-maintenance.h: the periodic housekeeping the worker runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"

G_BEGIN_DECLS

typedef struct
{
  int expired;          /* unpaid bookings past their payment window, closed */
  int lotteries_drawn;  /* lottery sessions drawn because their time came */
  int released;         /* online and phone slots released to the window at the cut-off */
  int no_shows;         /* paid appointments of ended sessions never checked in */
} RdMaintenanceReport;

/* regdesk.run_maintenance() (admins and the worker): does all of the above
 * in one transaction and fills @report. FALSE with
 * RD_STORE_ERROR_PERMISSION for other roles. */
gboolean     rd_maintenance_run_sync    (RdDb                 *db,
                                         RdMaintenanceReport  *report,
                                         GCancellable         *cancellable,
                                         GError              **error);

G_END_DECLS
