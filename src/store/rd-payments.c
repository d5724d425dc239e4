/* rd-payments.c: WeChat Pay and Alipay payments and refunds through the
 * api.payment_* and api.refund_* functions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-call-private.h"
#include "rd-payments.h"

/* ---- Reading rows ------------------------------------------------------ */

static char *
dup_column (RdResult   *rows,
            guint       row,
            const char *name)
{
  int column = rd_result_get_column (rows, name);

  return column >= 0 ? g_strdup (rd_result_get_string (rows, row, column)) : NULL;
}

static gint64
int_column (RdResult   *rows,
            guint       row,
            const char *name)
{
  int column = rd_result_get_column (rows, name);

  if (column < 0 || rd_result_is_null (rows, row, column))
    return 0;

  return rd_result_get_int64 (rows, row, column);
}

/* Timestamps travel as Unix seconds (the wrappers below say
 * extract(epoch ...)) so no DateStyle can change how they read. */
static GDateTime *
time_column (RdResult   *rows,
             guint       row,
             const char *name)
{
  int column = rd_result_get_column (rows, name);
  double seconds;

  if (column < 0 || rd_result_is_null (rows, row, column))
    return NULL;

  seconds = rd_result_get_double (rows, row, column);

  return g_date_time_new_from_unix_utc ((gint64) seconds);
}

static gboolean
expect_columns (RdResult    *rows,
                const char **names,
                gboolean     one_row,
                GError     **error)
{
  if (!one_row || rd_result_get_n_rows (rows) == 1)
    {
      gboolean ok = TRUE;

      for (guint i = 0; names[i] != NULL && ok; i++)
        ok = rd_result_get_column (rows, names[i]) >= 0;
      if (ok)
        return TRUE;
    }

  g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                       _("The database gave an unexpected answer"));
  return FALSE;
}

void
rd_payment_attempt_row_free (RdPaymentAttemptRow *row)
{
  if (row == NULL)
    return;

  g_free (row->out_trade_no);
  g_free (row->description);
  g_clear_pointer (&row->expires_at, g_date_time_unref);
  g_free (row->status);
  g_free (row);
}

void
rd_payment_outcome_free (RdPaymentOutcome *outcome)
{
  if (outcome == NULL)
    return;

  g_free (outcome->order_no);
  g_free (outcome->payment_status);
  g_free (outcome->order_status);
  g_free (outcome->out_refund_no);
  g_free (outcome->anomaly);
  g_free (outcome);
}

void
rd_unsettled_payment_free (RdUnsettledPayment *payment)
{
  if (payment == NULL)
    return;

  g_free (payment->out_trade_no);
  g_free (payment->method);
  g_free (payment->scene);
  g_free (payment->status);
  g_free (payment->order_no);
  g_free (payment);
}

void
rd_claimed_refund_free (RdClaimedRefund *refund)
{
  if (refund == NULL)
    return;

  g_free (refund->out_refund_no);
  g_free (refund->out_trade_no);
  g_free (refund->method);
  g_free (refund->status);
  g_free (refund->order_no);
  g_free (refund);
}

void
rd_refund_outcome_free (RdRefundOutcome *outcome)
{
  if (outcome == NULL)
    return;

  g_free (outcome->order_no);
  g_free (outcome->refund_status);
  g_free (outcome->order_status);
  g_free (outcome);
}

void
rd_payment_row_free (RdPaymentRow *row)
{
  if (row == NULL)
    return;

  g_free (row->out_trade_no);
  g_free (row->method);
  g_free (row->scene);
  g_free (row->status);
  g_free (row->gateway_trade_no);
  g_free (row->anomaly);
  g_clear_pointer (&row->created_at, g_date_time_unref);
  g_clear_pointer (&row->finished_at, g_date_time_unref);
  g_free (row->order_status);
  g_free (row);
}

void
rd_refund_row_free (RdRefundRow *row)
{
  if (row == NULL)
    return;

  g_free (row->out_refund_no);
  g_free (row->out_trade_no);
  g_free (row->method);
  g_free (row->status);
  g_free (row->gateway_refund_no);
  g_free (row->last_error);
  g_clear_pointer (&row->created_at, g_date_time_unref);
  g_clear_pointer (&row->finished_at, g_date_time_unref);
  g_free (row);
}

static gpointer
parse_attempt (RdResult  *rows,
               GError   **error)
{
  static const char *names[] = { "payment_id", "out_trade_no", "amount", "status", "fresh",
                                 NULL };
  RdPaymentAttemptRow *row;

  if (!expect_columns (rows, names, TRUE, error))
    return NULL;

  row = g_new0 (RdPaymentAttemptRow, 1);
  row->payment_id = int_column (rows, 0, "payment_id");
  row->out_trade_no = dup_column (rows, 0, "out_trade_no");
  row->amount = int_column (rows, 0, "amount");
  row->description = dup_column (rows, 0, "description");
  row->expires_at = time_column (rows, 0, "expires_at");
  row->status = dup_column (rows, 0, "status");
  row->fresh = rd_result_get_boolean (rows, 0, rd_result_get_column (rows, "fresh"));

  return row;
}

static gpointer
parse_outcome (RdResult  *rows,
               GError   **error)
{
  static const char *names[] = { "payment_id", "payment_status", "order_status", NULL };
  RdPaymentOutcome *outcome;

  if (!expect_columns (rows, names, TRUE, error))
    return NULL;

  outcome = g_new0 (RdPaymentOutcome, 1);
  outcome->payment_id = int_column (rows, 0, "payment_id");
  outcome->order_no = dup_column (rows, 0, "order_no");
  outcome->payment_status = dup_column (rows, 0, "payment_status");
  outcome->order_status = dup_column (rows, 0, "order_status");
  outcome->out_refund_no = dup_column (rows, 0, "out_refund_no");
  outcome->anomaly = dup_column (rows, 0, "anomaly");

  return outcome;
}

static gpointer
parse_unsettled (RdResult  *rows,
                 GError   **error)
{
  static const char *names[] = { "payment_id", "out_trade_no", "method", "scene", NULL };
  GPtrArray *array;

  if (!expect_columns (rows, names, FALSE, error))
    return NULL;

  array = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_unsettled_payment_free);
  for (guint i = 0; i < rd_result_get_n_rows (rows); i++)
    {
      RdUnsettledPayment *payment = g_new0 (RdUnsettledPayment, 1);
      int age = rd_result_get_column (rows, "age_seconds");

      payment->payment_id = int_column (rows, i, "payment_id");
      payment->out_trade_no = dup_column (rows, i, "out_trade_no");
      payment->method = dup_column (rows, i, "method");
      payment->scene = dup_column (rows, i, "scene");
      payment->amount = int_column (rows, i, "amount");
      payment->status = dup_column (rows, i, "status");
      payment->order_no = dup_column (rows, i, "order_no");
      payment->age_seconds = age >= 0 ? rd_result_get_double (rows, i, age) : 0.0;
      g_ptr_array_add (array, payment);
    }

  return array;
}

static gpointer
parse_claimed_refunds (RdResult  *rows,
                       GError   **error)
{
  static const char *names[] = { "refund_id", "out_refund_no", "out_trade_no", "method", NULL };
  GPtrArray *array;

  if (!expect_columns (rows, names, FALSE, error))
    return NULL;

  array = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_claimed_refund_free);
  for (guint i = 0; i < rd_result_get_n_rows (rows); i++)
    {
      RdClaimedRefund *refund = g_new0 (RdClaimedRefund, 1);

      refund->refund_id = int_column (rows, i, "refund_id");
      refund->out_refund_no = dup_column (rows, i, "out_refund_no");
      refund->out_trade_no = dup_column (rows, i, "out_trade_no");
      refund->method = dup_column (rows, i, "method");
      refund->amount = int_column (rows, i, "amount");
      refund->total = int_column (rows, i, "total");
      refund->status = dup_column (rows, i, "status");
      refund->order_no = dup_column (rows, i, "order_no");
      g_ptr_array_add (array, refund);
    }

  return array;
}

static gpointer
parse_refund_outcome (RdResult  *rows,
                      GError   **error)
{
  static const char *names[] = { "refund_id", "refund_status", "order_status", NULL };
  RdRefundOutcome *outcome;

  if (!expect_columns (rows, names, TRUE, error))
    return NULL;

  outcome = g_new0 (RdRefundOutcome, 1);
  outcome->refund_id = int_column (rows, 0, "refund_id");
  outcome->order_no = dup_column (rows, 0, "order_no");
  outcome->refund_status = dup_column (rows, 0, "refund_status");
  outcome->order_status = dup_column (rows, 0, "order_status");
  outcome->refunded_amount = int_column (rows, 0, "refunded_amount");

  return outcome;
}

static gpointer
parse_payment_rows (RdResult  *rows,
                    GError   **error)
{
  static const char *names[] = { "payment_id", "out_trade_no", "method", "status", NULL };
  GPtrArray *array;

  if (!expect_columns (rows, names, FALSE, error))
    return NULL;

  array = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_payment_row_free);
  for (guint i = 0; i < rd_result_get_n_rows (rows); i++)
    {
      RdPaymentRow *row = g_new0 (RdPaymentRow, 1);

      row->payment_id = int_column (rows, i, "payment_id");
      row->out_trade_no = dup_column (rows, i, "out_trade_no");
      row->method = dup_column (rows, i, "method");
      row->scene = dup_column (rows, i, "scene");
      row->amount = int_column (rows, i, "amount");
      row->status = dup_column (rows, i, "status");
      row->gateway_trade_no = dup_column (rows, i, "gateway_trade_no");
      row->anomaly = dup_column (rows, i, "anomaly");
      row->created_at = time_column (rows, i, "created_at");
      row->finished_at = time_column (rows, i, "finished_at");
      row->order_status = dup_column (rows, i, "order_status");
      g_ptr_array_add (array, row);
    }

  return array;
}

static gpointer
parse_refund_rows (RdResult  *rows,
                   GError   **error)
{
  static const char *names[] = { "refund_id", "out_refund_no", "status", "surplus", NULL };
  GPtrArray *array;

  if (!expect_columns (rows, names, FALSE, error))
    return NULL;

  array = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_refund_row_free);
  for (guint i = 0; i < rd_result_get_n_rows (rows); i++)
    {
      RdRefundRow *row = g_new0 (RdRefundRow, 1);

      row->refund_id = int_column (rows, i, "refund_id");
      row->out_refund_no = dup_column (rows, i, "out_refund_no");
      row->out_trade_no = dup_column (rows, i, "out_trade_no");
      row->method = dup_column (rows, i, "method");
      row->amount = int_column (rows, i, "amount");
      row->status = dup_column (rows, i, "status");
      row->surplus = rd_result_get_boolean (rows, i, rd_result_get_column (rows, "surplus"));
      row->gateway_refund_no = dup_column (rows, i, "gateway_refund_no");
      row->last_error = dup_column (rows, i, "last_error");
      row->created_at = time_column (rows, i, "created_at");
      row->finished_at = time_column (rows, i, "finished_at");
      g_ptr_array_add (array, row);
    }

  return array;
}

static const RdCall begin_call = {
  "SELECT payment_id, out_trade_no, amount, description, "
  "       extract(epoch FROM expires_at)::float8 AS expires_at, status, fresh "
  "  FROM api.payment_begin($1, $2, $3, $4)",
  parse_attempt, (GDestroyNotify) rd_payment_attempt_row_free,
};
static const RdCall record_call = {
  "SELECT payment_id, order_no, payment_status, order_status, out_refund_no, anomaly "
  "  FROM api.payment_finish($1, $2, $3, $4::bigint, $5::jsonb)",
  parse_outcome, (GDestroyNotify) rd_payment_outcome_free,
};
static const RdCall claim_unsettled_call = {
  "SELECT payment_id, out_trade_no, method, scene, amount, status, order_no, age_seconds "
  "  FROM api.payment_claim_unsettled($1::int, $2::int * interval '1 second', "
  "                                   $3::int * interval '1 second')",
  parse_unsettled, (GDestroyNotify) g_ptr_array_unref,
};
static const RdCall claim_refunds_call = {
  "SELECT refund_id, out_refund_no, out_trade_no, method, amount, total, status, order_no "
  "  FROM api.refund_claim($1::int, $2, $3::int * interval '1 second')",
  parse_claimed_refunds, (GDestroyNotify) g_ptr_array_unref,
};
static const RdCall record_refund_call = {
  "SELECT refund_id, order_no, refund_status, order_status, refunded_amount "
  "  FROM api.refund_finish($1, $2, $3, $4::jsonb, $5)",
  parse_refund_outcome, (GDestroyNotify) rd_refund_outcome_free,
};
static const RdCall list_call = {
  "SELECT payment_id, out_trade_no, method, scene, amount, status, gateway_trade_no, anomaly, "
  "       extract(epoch FROM created_at)::float8 AS created_at, "
  "       extract(epoch FROM finished_at)::float8 AS finished_at, order_status "
  "  FROM api.payment_list($1)",
  parse_payment_rows, (GDestroyNotify) g_ptr_array_unref,
};
static const RdCall list_refunds_call = {
  "SELECT refund_id, out_refund_no, out_trade_no, method, amount, status, surplus, "
  "       gateway_refund_no, last_error, "
  "       extract(epoch FROM created_at)::float8 AS created_at, "
  "       extract(epoch FROM finished_at)::float8 AS finished_at "
  "  FROM api.refund_list($1)",
  parse_refund_rows, (GDestroyNotify) g_ptr_array_unref,
};

/* ---- Running calls ------------------------------------------------------ */

/* ---- Parameters of each call --------------------------------------------- */

static void
begin_params (RdCallParams *params,
              const char   *request_id,
              const char   *order_no,
              const char   *method,
              const char   *scene)
{
  if (request_id != NULL && *request_id != '\0')
    rd_call_params_add (params, request_id);
  else
    params->values[params->n++] = g_uuid_string_random ();
  rd_call_params_add (params, order_no);
  rd_call_params_add (params, method);
  rd_call_params_add (params, scene != NULL ? scene : "qr");
}

static void
record_params (RdCallParams *params,
               const char   *out_trade_no,
               const char   *state,
               const char   *gateway_trade_no,
               gint64        amount,
               const char   *raw)
{
  rd_call_params_add (params, out_trade_no);
  rd_call_params_add (params, state);
  rd_call_params_add (params, gateway_trade_no);
  if (amount >= 0)
    rd_call_params_add_int (params, amount);
  else
    rd_call_params_add (params, NULL);
  rd_call_params_add (params, raw);
}

static void
claim_params (RdCallParams *params,
              guint         max,
              const char   *order_no,
              guint         older_than_s,
              guint         lease_s,
              gboolean      refunds)
{
  rd_call_params_add_int (params, max);
  if (refunds)
    rd_call_params_add (params, order_no);
  else
    rd_call_params_add_int (params, older_than_s);
  rd_call_params_add_int (params, lease_s);
}

static void
record_refund_params (RdCallParams *params,
                      const char   *out_refund_no,
                      const char   *state,
                      const char   *gateway_refund_no,
                      const char   *raw,
                      const char   *error_text)
{
  rd_call_params_add (params, out_refund_no);
  rd_call_params_add (params, state);
  rd_call_params_add (params, gateway_refund_no);
  rd_call_params_add (params, raw);
  rd_call_params_add (params, error_text);
}

/* ---- Public functions ------------------------------------------------------ */

void
rd_payments_begin_async (RdDb                *db,
                         const char          *request_id,
                         const char          *order_no,
                         const char          *method,
                         const char          *scene,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (order_no != NULL && method != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  begin_params (&params, request_id, order_no, method, scene);
  rd_call_async (db, &begin_call, &params, rd_payments_begin_async, cancellable, callback,
              user_data);
}

RdPaymentAttemptRow *
rd_payments_begin_finish (RdDb          *db,
                          GAsyncResult  *result,
                          GError       **error)
{
  return rd_call_finish (db, result, rd_payments_begin_async, error);
}

RdPaymentAttemptRow *
rd_payments_begin_sync (RdDb          *db,
                        const char    *request_id,
                        const char    *order_no,
                        const char    *method,
                        const char    *scene,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (order_no != NULL && method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  begin_params (&params, request_id, order_no, method, scene);
  return rd_call_sync (db, &begin_call, &params, cancellable, error);
}

void
rd_payments_record_async (RdDb                *db,
                          const char          *out_trade_no,
                          const char          *state,
                          const char          *gateway_trade_no,
                          gint64               amount,
                          const char          *raw,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (out_trade_no != NULL && state != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  record_params (&params, out_trade_no, state, gateway_trade_no, amount, raw);
  rd_call_async (db, &record_call, &params, rd_payments_record_async, cancellable, callback,
              user_data);
}

RdPaymentOutcome *
rd_payments_record_finish (RdDb          *db,
                           GAsyncResult  *result,
                           GError       **error)
{
  return rd_call_finish (db, result, rd_payments_record_async, error);
}

RdPaymentOutcome *
rd_payments_record_sync (RdDb          *db,
                         const char    *out_trade_no,
                         const char    *state,
                         const char    *gateway_trade_no,
                         gint64         amount,
                         const char    *raw,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (out_trade_no != NULL && state != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  record_params (&params, out_trade_no, state, gateway_trade_no, amount, raw);
  return rd_call_sync (db, &record_call, &params, cancellable, error);
}

void
rd_payments_claim_unsettled_async (RdDb                *db,
                                   guint                max,
                                   guint                older_than_s,
                                   guint                lease_s,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  claim_params (&params, max, NULL, older_than_s, lease_s, FALSE);
  rd_call_async (db, &claim_unsettled_call, &params, rd_payments_claim_unsettled_async,
              cancellable, callback, user_data);
}

GPtrArray *
rd_payments_claim_unsettled_finish (RdDb          *db,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return rd_call_finish (db, result, rd_payments_claim_unsettled_async, error);
}

GPtrArray *
rd_payments_claim_unsettled_sync (RdDb          *db,
                                  guint          max,
                                  guint          older_than_s,
                                  guint          lease_s,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  claim_params (&params, max, NULL, older_than_s, lease_s, FALSE);
  return rd_call_sync (db, &claim_unsettled_call, &params, cancellable, error);
}

void
rd_payments_claim_refunds_async (RdDb                *db,
                                 guint                max,
                                 const char          *order_no,
                                 guint                lease_s,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  claim_params (&params, max, order_no, 0, lease_s, TRUE);
  rd_call_async (db, &claim_refunds_call, &params, rd_payments_claim_refunds_async, cancellable,
              callback, user_data);
}

GPtrArray *
rd_payments_claim_refunds_finish (RdDb          *db,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return rd_call_finish (db, result, rd_payments_claim_refunds_async, error);
}

GPtrArray *
rd_payments_claim_refunds_sync (RdDb          *db,
                                guint          max,
                                const char    *order_no,
                                guint          lease_s,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  claim_params (&params, max, order_no, 0, lease_s, TRUE);
  return rd_call_sync (db, &claim_refunds_call, &params, cancellable, error);
}

void
rd_payments_record_refund_async (RdDb                *db,
                                 const char          *out_refund_no,
                                 const char          *state,
                                 const char          *gateway_refund_no,
                                 const char          *raw,
                                 const char          *error_text,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (out_refund_no != NULL && state != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  record_refund_params (&params, out_refund_no, state, gateway_refund_no, raw, error_text);
  rd_call_async (db, &record_refund_call, &params, rd_payments_record_refund_async, cancellable,
              callback, user_data);
}

RdRefundOutcome *
rd_payments_record_refund_finish (RdDb          *db,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return rd_call_finish (db, result, rd_payments_record_refund_async, error);
}

RdRefundOutcome *
rd_payments_record_refund_sync (RdDb          *db,
                                const char    *out_refund_no,
                                const char    *state,
                                const char    *gateway_refund_no,
                                const char    *raw,
                                const char    *error_text,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (out_refund_no != NULL && state != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  record_refund_params (&params, out_refund_no, state, gateway_refund_no, raw, error_text);
  return rd_call_sync (db, &record_refund_call, &params, cancellable, error);
}

void
rd_payments_list_async (RdDb                *db,
                        const char          *order_no,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (order_no != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  rd_call_params_add (&params, order_no);
  rd_call_async (db, &list_call, &params, rd_payments_list_async, cancellable, callback,
              user_data);
}

GPtrArray *
rd_payments_list_finish (RdDb          *db,
                         GAsyncResult  *result,
                         GError       **error)
{
  return rd_call_finish (db, result, rd_payments_list_async, error);
}

GPtrArray *
rd_payments_list_sync (RdDb          *db,
                       const char    *order_no,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (order_no != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rd_call_params_add (&params, order_no);
  return rd_call_sync (db, &list_call, &params, cancellable, error);
}

void
rd_payments_list_refunds_async (RdDb                *db,
                                const char          *order_no,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (order_no != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  rd_call_params_add (&params, order_no);
  rd_call_async (db, &list_refunds_call, &params, rd_payments_list_refunds_async, cancellable,
              callback, user_data);
}

GPtrArray *
rd_payments_list_refunds_finish (RdDb          *db,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return rd_call_finish (db, result, rd_payments_list_refunds_async, error);
}

GPtrArray *
rd_payments_list_refunds_sync (RdDb          *db,
                               const char    *order_no,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (order_no != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rd_call_params_add (&params, order_no);
  return rd_call_sync (db, &list_refunds_call, &params, cancellable, error);
}
