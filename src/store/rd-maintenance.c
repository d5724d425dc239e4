/* rd-maintenance.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-maintenance.h"

static const char run_sql[] =
  "SELECT (m ->> 'expired')::int, (m ->> 'lotteries_drawn')::int,"
  "       (m ->> 'released')::int, (m ->> 'no_shows')::int"
  "  FROM regdesk.run_maintenance () AS m";

gboolean
rd_maintenance_run_sync (RdDb                 *db,
                         RdMaintenanceReport  *report,
                         GCancellable         *cancellable,
                         GError              **error)
{
  g_autoptr(RdResult) rows = NULL;

  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rows = rd_db_query_sync (db, run_sql, 0, NULL, cancellable, error);
  if (rows == NULL)
    return FALSE;

  if (rd_result_get_n_rows (rows) != 1)
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                           _("The database gave an unexpected answer"));
      return FALSE;
    }

  report->expired = rd_result_is_null (rows, 0, 0) ? 0 : (int) rd_result_get_int64 (rows, 0, 0);
  report->lotteries_drawn =
    rd_result_is_null (rows, 0, 1) ? 0 : (int) rd_result_get_int64 (rows, 0, 1);
  report->released = rd_result_is_null (rows, 0, 2) ? 0 : (int) rd_result_get_int64 (rows, 0, 2);
  report->no_shows = rd_result_is_null (rows, 0, 3) ? 0 : (int) rd_result_get_int64 (rows, 0, 3);

  return TRUE;
}
