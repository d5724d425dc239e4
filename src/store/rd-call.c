/* rd-call.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include "rd-call-private.h"

void
rd_call_params_clear (RdCallParams *params)
{
  for (guint i = 0; i < params->n; i++)
    g_clear_pointer (&params->values[i], g_free);
  params->n = 0;
}

void
rd_call_params_add (RdCallParams *params,
                    const char   *value)
{
  g_assert (params->n < RD_CALL_MAX_PARAMS);
  params->values[params->n++] = g_strdup (value);
}

void
rd_call_params_add_int (RdCallParams *params,
                        gint64        value)
{
  g_assert (params->n < RD_CALL_MAX_PARAMS);
  params->values[params->n++] = g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

void
rd_call_params_add_request_id (RdCallParams *params,
                               const char   *request_id)
{
  g_assert (params->n < RD_CALL_MAX_PARAMS);
  if (request_id != NULL && *request_id != '\0')
    params->values[params->n++] = g_strdup (request_id);
  else
    params->values[params->n++] = g_uuid_string_random ();
}

static void
call_query_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GError) error = NULL;
  const RdCall *call = g_task_get_task_data (task);
  gpointer value;

  rows = rd_db_query_finish (RD_DB (object), result, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  value = call->parse (rows, &error);
  if (value == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, call->free_func);
}

void
rd_call_async (RdDb                *db,
               const RdCall        *call,
               RdCallParams        *params,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (db, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, (gpointer) call, NULL);

  rd_db_query_prepared_async (db, call->sql, params->n, (const char * const *) params->values,
                              cancellable, call_query_cb, g_steal_pointer (&task));
}

gpointer
rd_call_finish (RdDb          *db,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (g_task_is_valid (result, db), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gpointer
rd_call_sync (RdDb          *db,
              const RdCall  *call,
              RdCallParams  *params,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(RdResult) rows = NULL;

  rows = rd_db_query_prepared_sync (db, call->sql, params->n,
                                    (const char * const *) params->values, cancellable, error);
  if (rows == NULL)
    return NULL;

  return call->parse (rows, error);
}
