/* rd-lottery.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include "rd-lottery.h"

static const char draw_sql[] =
  "SELECT rank, NULL::bigint AS lottery_request_id, request_id, patient_id, channel, status,"
  "       appointment_id"
  "  FROM regdesk.lottery_draw ($1::bigint)"
  " ORDER BY rank";

static const char preview_sql[] =
  "SELECT rank, lottery_request_id, request_id, patient_id, channel, NULL::text AS status,"
  "       NULL::bigint AS appointment_id"
  "  FROM api.lottery_preview ($1::bigint)"
  " ORDER BY rank";

void
rd_lottery_entry_free (RdLotteryEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->request_id);
  g_free (entry->channel);
  g_free (entry->status);
  g_free (entry);
}

static char *
dup_or_null (RdResult *rows,
             guint     row,
             guint     column)
{
  return rd_result_is_null (rows, row, column)
         ? NULL
         : g_strdup (rd_result_get_string (rows, row, column));
}

static gint64
int_or_zero (RdResult *rows,
             guint     row,
             guint     column)
{
  return rd_result_is_null (rows, row, column) ? 0 : rd_result_get_int64 (rows, row, column);
}

static GPtrArray *
run (RdDb          *db,
     const char    *sql,
     gint64         session_id,
     GCancellable  *cancellable,
     GError       **error)
{
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);
  const char *params[] = { id };

  rows = rd_db_query_sync (db, sql, G_N_ELEMENTS (params), params, cancellable, error);
  if (rows == NULL)
    return NULL;

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_lottery_entry_free);
  /* The columns are in the order both queries select them. */
  for (guint row = 0; row < rd_result_get_n_rows (rows); row++)
    {
      RdLotteryEntry *entry = g_new0 (RdLotteryEntry, 1);

      entry->rank = (int) int_or_zero (rows, row, 0);
      entry->lottery_request_id = int_or_zero (rows, row, 1);
      entry->request_id = dup_or_null (rows, row, 2);
      entry->patient_id = int_or_zero (rows, row, 3);
      entry->channel = dup_or_null (rows, row, 4);
      entry->status = dup_or_null (rows, row, 5);
      entry->appointment_id = int_or_zero (rows, row, 6);
      g_ptr_array_add (entries, entry);
    }

  return g_steal_pointer (&entries);
}

GPtrArray *
rd_lottery_draw_sync (RdDb          *db,
                      gint64         session_id,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (session_id > 0, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return run (db, draw_sql, session_id, cancellable, error);
}

GPtrArray *
rd_lottery_preview_sync (RdDb          *db,
                         gint64         session_id,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (session_id > 0, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return run (db, preview_sql, session_id, cancellable, error);
}
