/* rd-slips.c: reading what a registration slip shows (api.slip)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-slips.h"

static const char slip_sql[] =
  "SELECT hospital_name, patient_name, patient_id_type, patient_id_masked, department_name, "
  "doctor_name, doctor_title, clinic_type, date, period, starts_at, ends_at, slot_seq, "
  "queue_no, fee, paid_amount, tendered, change, payment_methods, order_number, "
  "order_status, printed_at FROM api.slip($1)";

enum {
  COL_HOSPITAL_NAME,
  COL_PATIENT_NAME,
  COL_PATIENT_ID_TYPE,
  COL_PATIENT_ID_MASKED,
  COL_DEPARTMENT_NAME,
  COL_DOCTOR_NAME,
  COL_DOCTOR_TITLE,
  COL_CLINIC_TYPE,
  COL_DATE,
  COL_PERIOD,
  COL_STARTS_AT,
  COL_ENDS_AT,
  COL_SLOT_SEQ,
  COL_QUEUE_NO,
  COL_FEE,
  COL_PAID_AMOUNT,
  COL_TENDERED,
  COL_CHANGE,
  COL_PAYMENT_METHODS,
  COL_ORDER_NUMBER,
  COL_ORDER_STATUS,
  COL_PRINTED_AT,
  N_COLUMNS
};

static gint64
get_int (RdResult *rows,
         guint     column,
         gint64    fallback)
{
  return rd_result_is_null (rows, 0, column) ? fallback : rd_result_get_int64 (rows, 0, column);
}

static char *
get_string (RdResult *rows,
            guint     column)
{
  return g_strdup (rd_result_get_string (rows, 0, column));
}

static RdSlip *
parse_slip (RdResult  *rows,
            GError   **error)
{
  g_autoptr(RdSlip) slip = NULL;
  const char *methods;

  if (rd_result_get_n_rows (rows) != 1 || rd_result_get_n_columns (rows) != N_COLUMNS)
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                           _("The database gave an unexpected answer"));
      return NULL;
    }

  slip = rd_slip_new ();
  slip->hospital_name = get_string (rows, COL_HOSPITAL_NAME);
  slip->patient_name = get_string (rows, COL_PATIENT_NAME);
  slip->patient_id_type = get_string (rows, COL_PATIENT_ID_TYPE);
  slip->patient_id_masked = get_string (rows, COL_PATIENT_ID_MASKED);
  slip->department_name = get_string (rows, COL_DEPARTMENT_NAME);
  slip->doctor_name = get_string (rows, COL_DOCTOR_NAME);
  slip->doctor_title = get_string (rows, COL_DOCTOR_TITLE);
  slip->clinic_type = get_string (rows, COL_CLINIC_TYPE);
  slip->date = get_string (rows, COL_DATE);
  slip->period = get_string (rows, COL_PERIOD);
  slip->starts_at = get_string (rows, COL_STARTS_AT);
  slip->ends_at = get_string (rows, COL_ENDS_AT);
  slip->slot_seq = (int) get_int (rows, COL_SLOT_SEQ, 0);
  slip->queue_no = (int) get_int (rows, COL_QUEUE_NO, 0);
  slip->fee = get_int (rows, COL_FEE, 0);
  slip->paid_amount = get_int (rows, COL_PAID_AMOUNT, 0);
  slip->tendered = get_int (rows, COL_TENDERED, -1);
  slip->change = get_int (rows, COL_CHANGE, -1);
  methods = rd_result_get_string (rows, 0, COL_PAYMENT_METHODS);
  if (methods != NULL && *methods != '\0')
    {
      g_strfreev (slip->payment_methods);
      slip->payment_methods = g_strsplit (methods, ",", -1);
    }
  slip->order_no = get_string (rows, COL_ORDER_NUMBER);
  slip->order_status = get_string (rows, COL_ORDER_STATUS);
  slip->printed_at = get_string (rows, COL_PRINTED_AT);

  return g_steal_pointer (&slip);
}

static void
query_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GError) error = NULL;
  RdSlip *slip;

  rows = rd_db_query_finish (RD_DB (object), result, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  slip = parse_slip (rows, &error);
  if (slip == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, slip, (GDestroyNotify) rd_slip_free);
}

void
rd_slips_get_async (RdDb                *db,
                    const char          *order_no,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *params[] = { order_no };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (order_no != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_slips_get_async);

  rd_db_query_async (db, slip_sql, G_N_ELEMENTS (params), params, cancellable, query_cb,
                     g_steal_pointer (&task));
}

RdSlip *
rd_slips_get_finish (RdDb          *db,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (g_task_is_valid (result, db), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_slips_get_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

RdSlip *
rd_slips_get_sync (RdDb          *db,
                   const char    *order_no,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(RdResult) rows = NULL;
  const char *params[] = { order_no };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (order_no != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = rd_db_query_sync (db, slip_sql, G_N_ELEMENTS (params), params, cancellable, error);
  if (rows == NULL)
    return NULL;

  return parse_slip (rows, error);
}
