/* rd-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-outbox.h"

static const char claim_sql[] =
  "SELECT id, hospital_id, to_phone, template, params::text, dedup_key, attempt"
  "  FROM api.sms_claim ($1, $2)";
static const char mark_sent_sql[] =
  "SELECT api.sms_mark_sent ($1, $2, $3, $4)";
static const char mark_failed_sql[] =
  "SELECT api.sms_mark_failed ($1, $2, $3, $4, $5, $6)";
static const char reminders_sql[] =
  "SELECT api.sms_enqueue_reminders ()";

void
rd_outbox_row_free (RdOutboxRow *row)
{
  if (row == NULL)
    return;

  g_free (row->to_phone);
  g_free (row->template_name);
  g_free (row->params_json);
  g_free (row->dedup_key);
  g_free (row);
}

static GError *
unexpected_answer (void)
{
  return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                              _("The database gave an unexpected answer"));
}

static void
claim_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  GError *error = NULL;
  guint n;

  rows = rd_db_query_finish (RD_DB (source), result, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (rd_result_get_n_columns (rows) != 7)
    {
      g_task_return_error (task, unexpected_answer ());
      return;
    }

  n = rd_result_get_n_rows (rows);
  claimed = g_ptr_array_new_full (n, (GDestroyNotify) rd_outbox_row_free);
  for (guint i = 0; i < n; i++)
    {
      RdOutboxRow *row = g_new0 (RdOutboxRow, 1);

      row->id = rd_result_get_int64 (rows, i, 0);
      row->hospital_id = rd_result_get_int64 (rows, i, 1);
      row->to_phone = g_strdup (rd_result_get_string (rows, i, 2));
      row->template_name = g_strdup (rd_result_get_string (rows, i, 3));
      row->params_json = g_strdup (rd_result_get_string (rows, i, 4));
      row->dedup_key = g_strdup (rd_result_get_string (rows, i, 5));
      row->attempt = (int) rd_result_get_int64 (rows, i, 6);
      g_ptr_array_add (claimed, row);
    }

  g_task_return_pointer (task, g_steal_pointer (&claimed), (GDestroyNotify) g_ptr_array_unref);
}

void
rd_outbox_claim_async (RdDb                *db,
                       const char          *worker,
                       guint                max_rows,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *limit = NULL;
  const char *params[2];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (worker != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_outbox_claim_async);

  limit = g_strdup_printf ("%u", MIN (max_rows, (guint) G_MAXINT));
  params[0] = worker;
  params[1] = limit;
  rd_db_query_async (db, claim_sql, G_N_ELEMENTS (params), params, cancellable, claim_cb,
                     g_steal_pointer (&task));
}

GPtrArray *
rd_outbox_claim_finish (RdDb          *db,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (g_task_is_valid (result, db), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mark_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  GError *error = NULL;

  rows = rd_db_query_finish (RD_DB (source), result, &error);
  if (rows == NULL)
    g_task_return_error (task, error);
  else if (rd_result_get_n_rows (rows) != 1 || rd_result_is_null (rows, 0, 0))
    g_task_return_error (task, unexpected_answer ());
  else
    g_task_return_int (task, rd_result_get_boolean (rows, 0, 0));
}

void
rd_outbox_mark_sent_async (RdDb                *db,
                           const RdOutboxRow   *row,
                           const char          *provider,
                           const char          *message_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id = NULL;
  g_autofree char *attempt = NULL;
  const char *params[4];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (row != NULL && provider != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_outbox_mark_sent_async);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, row->id);
  attempt = g_strdup_printf ("%d", row->attempt);
  params[0] = id;
  params[1] = attempt;
  params[2] = provider;
  params[3] = message_id;
  rd_db_query_async (db, mark_sent_sql, G_N_ELEMENTS (params), params, cancellable,
                     mark_sent_cb, g_steal_pointer (&task));
}

gboolean
rd_outbox_mark_sent_finish (RdDb          *db,
                            GAsyncResult  *result,
                            gboolean      *held,
                            GError       **error)
{
  GError *local_error = NULL;
  gssize value;

  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, db), FALSE);

  value = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (held != NULL)
    *held = value != 0;

  return TRUE;
}

static void
mark_failed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  GError *error = NULL;

  rows = rd_db_query_finish (RD_DB (source), result, &error);
  if (rows == NULL)
    g_task_return_error (task, error);
  else if (rd_result_get_n_rows (rows) != 1)
    g_task_return_error (task, unexpected_answer ());
  else
    g_task_return_pointer (task, g_strdup (rd_result_get_string (rows, 0, 0)), g_free);
}

void
rd_outbox_mark_failed_async (RdDb                *db,
                             const RdOutboxRow   *row,
                             const char          *provider,
                             const char          *error_text,
                             gboolean             retryable,
                             guint                retry_after,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id = NULL;
  g_autofree char *attempt = NULL;
  g_autofree char *after = NULL;
  const char *params[6];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (row != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_outbox_mark_failed_async);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, row->id);
  attempt = g_strdup_printf ("%d", row->attempt);
  after = retry_after > 0 ? g_strdup_printf ("%u", MIN (retry_after, (guint) G_MAXINT)) : NULL;
  params[0] = id;
  params[1] = attempt;
  params[2] = provider;
  params[3] = error_text;
  params[4] = retryable ? "true" : "false";
  params[5] = after;
  rd_db_query_async (db, mark_failed_sql, G_N_ELEMENTS (params), params, cancellable,
                     mark_failed_cb, g_steal_pointer (&task));
}

char *
rd_outbox_mark_failed_finish (RdDb          *db,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (g_task_is_valid (result, db), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

int
rd_outbox_enqueue_reminders_sync (RdDb          *db,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autoptr(RdResult) rows = NULL;

  g_return_val_if_fail (RD_IS_DB (db), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  rows = rd_db_query_sync (db, reminders_sql, 0, NULL, cancellable, error);
  if (rows == NULL)
    return -1;
  if (rd_result_get_n_rows (rows) != 1 || rd_result_is_null (rows, 0, 0))
    {
      g_propagate_error (error, unexpected_answer ());
      return -1;
    }

  return (int) rd_result_get_int64 (rows, 0, 0);
}
