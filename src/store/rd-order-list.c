/* rd-order-list.c: the orders of one day, for the finance page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include "rd-order-list.h"
#include "rd-order-row.h"

/* A half-open range of local midnights keeps the (hospital_id, created_at)
 * index usable. */
#define ORDERS_SQL \
  "SELECT id, order_no, " \
  "       to_char(created_at AT TIME ZONE $2, 'HH24:MI') AS time, " \
  "       patient_name, department_name, doctor_name, " \
  "       amount, refunded_amount, method, status " \
  "  FROM api.order_overview " \
  " WHERE created_at >= ($1::date)::timestamp AT TIME ZONE $2 " \
  "   AND created_at < ($1::date + 1)::timestamp AT TIME ZONE $2 " \
  " ORDER BY created_at DESC, id DESC"

static GPtrArray *
rows_from_result (RdResult *result)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_rows = rd_result_get_n_rows (result);
  int c_id = rd_result_get_column (result, "id");
  int c_order_no = rd_result_get_column (result, "order_no");
  int c_time = rd_result_get_column (result, "time");
  int c_patient = rd_result_get_column (result, "patient_name");
  int c_department = rd_result_get_column (result, "department_name");
  int c_doctor = rd_result_get_column (result, "doctor_name");
  int c_amount = rd_result_get_column (result, "amount");
  int c_refunded = rd_result_get_column (result, "refunded_amount");
  int c_method = rd_result_get_column (result, "method");
  int c_status = rd_result_get_column (result, "status");

  for (guint i = 0; i < n_rows; i++)
    {
      RdOrderRow *row = g_object_new (RD_TYPE_ORDER_ROW,
                                      "id", rd_result_get_int64 (result, i, c_id),
                                      "order-no", rd_result_get_string (result, i, c_order_no),
                                      "time", rd_result_get_string (result, i, c_time),
                                      "patient-name", rd_result_get_string (result, i, c_patient),
                                      "department-name",
                                      rd_result_get_string (result, i, c_department),
                                      "doctor-name", rd_result_get_string (result, i, c_doctor),
                                      "amount", rd_result_get_int64 (result, i, c_amount),
                                      "refunded-amount",
                                      rd_result_get_int64 (result, i, c_refunded),
                                      "method", rd_result_get_string (result, i, c_method),
                                      "status", rd_result_get_string (result, i, c_status),
                                      NULL);

      g_ptr_array_add (rows, row);
    }

  return rows;
}

static void
on_orders_queried (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows_result = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  GListStore *store = g_task_get_task_data (task);

  rows_result = rd_db_query_finish (RD_DB (object), result, &error);
  if (rows_result == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  rows = rows_from_result (rows_result);
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       rows->pdata, rows->len);
  g_task_return_boolean (task, TRUE);
}

void
rd_order_list_load_async (RdDb                *db,
                          const char          *date,
                          const char          *time_zone,
                          GListStore          *store,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *params[2];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (date != NULL);
  g_return_if_fail (time_zone != NULL);
  g_return_if_fail (G_IS_LIST_STORE (store));
  g_return_if_fail (g_list_model_get_item_type (G_LIST_MODEL (store)) == RD_TYPE_ORDER_ROW);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_order_list_load_async);
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);

  params[0] = date;
  params[1] = time_zone;
  rd_db_query_async (db, ORDERS_SQL, G_N_ELEMENTS (params), params, cancellable,
                     on_orders_queried, g_steal_pointer (&task));
}

gboolean
rd_order_list_load_finish (RdDb          *db,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, db), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_order_list_load_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
