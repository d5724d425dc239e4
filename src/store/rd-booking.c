/* rd-booking.c: booking, desk payment, cancellation, check-in, lottery and
 * waiting list through the api.* functions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-booking.h"
#include "rd-call-private.h"

static gboolean
expect_one_row (RdResult  *rows,
                guint      n_columns,
                GError   **error)
{
  if (rd_result_get_n_rows (rows) == 1 && rd_result_get_n_columns (rows) >= n_columns)
    return TRUE;

  g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                       _("The database gave an unexpected answer"));
  return FALSE;
}

static gint64
get_int_or_zero (RdResult *rows,
                 guint     column)
{
  return rd_result_is_null (rows, 0, column) ? 0 : rd_result_get_int64 (rows, 0, column);
}

void
rd_booking_result_free (RdBookingResult *result)
{
  if (result == NULL)
    return;

  g_free (result->order_no);
  g_free (result->status);
  g_free (result);
}

void
rd_payment_result_free (RdPaymentResult *result)
{
  if (result == NULL)
    return;

  g_free (result->order_no);
  g_free (result);
}

void
rd_cancel_result_free (RdCancelResult *result)
{
  if (result == NULL)
    return;

  g_free (result->order_no);
  g_free (result->order_status);
  g_free (result);
}

static gpointer
parse_booking (RdResult  *rows,
               GError   **error)
{
  RdBookingResult *result;

  if (!expect_one_row (rows, 4, error))
    return NULL;

  result = g_new0 (RdBookingResult, 1);
  result->appointment_id = rd_result_get_int64 (rows, 0, 0);
  result->order_no = g_strdup (rd_result_get_string (rows, 0, 1));
  result->slot_seq = (int) rd_result_get_int64 (rows, 0, 2);
  result->status = g_strdup (rd_result_get_string (rows, 0, 3));

  return result;
}

static gpointer
parse_payment (RdResult  *rows,
               GError   **error)
{
  RdPaymentResult *result;

  if (!expect_one_row (rows, 4, error))
    return NULL;

  result = g_new0 (RdPaymentResult, 1);
  result->payment_id = rd_result_get_int64 (rows, 0, 0);
  result->order_no = g_strdup (rd_result_get_string (rows, 0, 1));
  result->amount = rd_result_get_int64 (rows, 0, 2);
  result->change = get_int_or_zero (rows, 3);

  return result;
}

static gpointer
parse_cancel (RdResult  *rows,
              GError   **error)
{
  RdCancelResult *result;

  if (!expect_one_row (rows, 5, error))
    return NULL;

  result = g_new0 (RdCancelResult, 1);
  result->appointment_id = rd_result_get_int64 (rows, 0, 0);
  result->order_no = g_strdup (rd_result_get_string (rows, 0, 1));
  result->order_status = g_strdup (rd_result_get_string (rows, 0, 2));
  result->refunded_amount = get_int_or_zero (rows, 3);
  result->waitlist_appointment_id = get_int_or_zero (rows, 4);

  return result;
}

/* A single integer answer, boxed. */
static gpointer
parse_int (RdResult  *rows,
           GError   **error)
{
  gint64 *value;

  if (!expect_one_row (rows, 1, error))
    return NULL;

  if (rd_result_is_null (rows, 0, 0))
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                           _("The database gave an unexpected answer"));
      return NULL;
    }

  value = g_new (gint64, 1);
  *value = rd_result_get_int64 (rows, 0, 0);

  return value;
}

/* Booking and 退号 are procedures that commit the change and then publish
 * it (data/sql/0010-publish-after-commit.sql): the desks' commits share
 * their WAL flushes instead of queueing behind the notification lock. They
 * commit on their own, so they must not run inside a transaction block. */
static const RdCall book_call = {
  "CALL api.book_and_publish($1, $2, $3, $4, $5, $6)",
  parse_booking, (GDestroyNotify) rd_booking_result_free,
};
static const RdCall cancel_call = {
  "CALL api.cancel_and_publish($1, $2, $3)",
  parse_cancel, (GDestroyNotify) rd_cancel_result_free,
};
static const RdCall pay_cash_call = {
  "SELECT payment_id, order_no, amount, change FROM api.pay_cash($1, $2, $3)",
  parse_payment, (GDestroyNotify) rd_payment_result_free,
};
static const RdCall pay_card_call = {
  "SELECT payment_id, order_no, amount, change FROM api.pay_card($1, $2, $3)",
  parse_payment, (GDestroyNotify) rd_payment_result_free,
};
static const RdCall check_in_call = {
  "SELECT api.check_in($1)",
  parse_int, g_free,
};
static const RdCall lottery_request_call = {
  "SELECT lottery_request_id FROM api.lottery_request($1, $2, $3, $4)",
  parse_int, g_free,
};
static const RdCall waitlist_join_call = {
  "SELECT api.waitlist_join($1, $2, $3, $4)",
  parse_int, g_free,
};

/* Unboxes a parse_int() answer: 0 when there is none. */
static gint64
take_int (gint64 *value)
{
  gint64 result = value != NULL ? *value : 0;

  g_free (value);

  return result;
}

static void
book_params (RdCallParams *params,
             const char   *request_id,
             gint64        session_id,
             gint64        patient_id,
             RdChannel     channel,
             int           slot_seq,
             const char   *priority_reason)
{
  rd_call_params_add_request_id (params, request_id);
  rd_call_params_add_int (params, session_id);
  rd_call_params_add_int (params, patient_id);
  rd_call_params_add (params, rd_channel_to_db (channel));
  if (slot_seq > 0)
    rd_call_params_add_int (params, slot_seq);
  else
    rd_call_params_add (params, NULL);
  rd_call_params_add (params, priority_reason != NULL && *priority_reason != '\0'
                      ? priority_reason : NULL);
}

void
rd_booking_book_async (RdDb                *db,
                       const char          *request_id,
                       gint64               session_id,
                       gint64               patient_id,
                       RdChannel            channel,
                       int                  slot_seq,
                       const char          *priority_reason,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (session_id > 0 && patient_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  book_params (&params, request_id, session_id, patient_id, channel, slot_seq,
               priority_reason);
  rd_call_async (db, &book_call, &params, rd_booking_book_async, cancellable, callback,
              user_data);
}

RdBookingResult *
rd_booking_book_finish (RdDb          *db,
                        GAsyncResult  *result,
                        GError       **error)
{
  return rd_call_finish (db, result, rd_booking_book_async, error);
}

RdBookingResult *
rd_booking_book_sync (RdDb          *db,
                      const char    *request_id,
                      gint64         session_id,
                      gint64         patient_id,
                      RdChannel      channel,
                      int            slot_seq,
                      const char    *priority_reason,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (session_id > 0 && patient_id > 0, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  book_params (&params, request_id, session_id, patient_id, channel, slot_seq,
               priority_reason);
  return rd_call_sync (db, &book_call, &params, cancellable, error);
}

static void
cancel_params (RdCallParams *params,
               const char   *request_id,
               gint64        appointment_id,
               const char   *reason)
{
  rd_call_params_add_request_id (params, request_id);
  rd_call_params_add_int (params, appointment_id);
  rd_call_params_add (params, reason);
}

void
rd_booking_cancel_async (RdDb                *db,
                         const char          *request_id,
                         gint64               appointment_id,
                         const char          *reason,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (appointment_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  cancel_params (&params, request_id, appointment_id, reason);
  rd_call_async (db, &cancel_call, &params, rd_booking_cancel_async, cancellable, callback,
              user_data);
}

RdCancelResult *
rd_booking_cancel_finish (RdDb          *db,
                          GAsyncResult  *result,
                          GError       **error)
{
  return rd_call_finish (db, result, rd_booking_cancel_async, error);
}

RdCancelResult *
rd_booking_cancel_sync (RdDb          *db,
                        const char    *request_id,
                        gint64         appointment_id,
                        const char    *reason,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (appointment_id > 0, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cancel_params (&params, request_id, appointment_id, reason);
  return rd_call_sync (db, &cancel_call, &params, cancellable, error);
}

void
rd_booking_pay_cash_async (RdDb                *db,
                           const char          *request_id,
                           const char          *order_no,
                           gint64               tendered,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (order_no != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  rd_call_params_add_request_id (&params, request_id);
  rd_call_params_add (&params, order_no);
  rd_call_params_add_int (&params, tendered);
  rd_call_async (db, &pay_cash_call, &params, rd_booking_pay_cash_async, cancellable, callback,
              user_data);
}

RdPaymentResult *
rd_booking_pay_cash_finish (RdDb          *db,
                            GAsyncResult  *result,
                            GError       **error)
{
  return rd_call_finish (db, result, rd_booking_pay_cash_async, error);
}

RdPaymentResult *
rd_booking_pay_cash_sync (RdDb          *db,
                          const char    *request_id,
                          const char    *order_no,
                          gint64         tendered,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (order_no != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rd_call_params_add_request_id (&params, request_id);
  rd_call_params_add (&params, order_no);
  rd_call_params_add_int (&params, tendered);
  return rd_call_sync (db, &pay_cash_call, &params, cancellable, error);
}

void
rd_booking_pay_card_async (RdDb                *db,
                           const char          *request_id,
                           const char          *order_no,
                           const char          *card_reference,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (order_no != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  rd_call_params_add_request_id (&params, request_id);
  rd_call_params_add (&params, order_no);
  rd_call_params_add (&params, card_reference);
  rd_call_async (db, &pay_card_call, &params, rd_booking_pay_card_async, cancellable, callback,
              user_data);
}

RdPaymentResult *
rd_booking_pay_card_finish (RdDb          *db,
                            GAsyncResult  *result,
                            GError       **error)
{
  return rd_call_finish (db, result, rd_booking_pay_card_async, error);
}

RdPaymentResult *
rd_booking_pay_card_sync (RdDb          *db,
                          const char    *request_id,
                          const char    *order_no,
                          const char    *card_reference,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (order_no != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rd_call_params_add_request_id (&params, request_id);
  rd_call_params_add (&params, order_no);
  rd_call_params_add (&params, card_reference);
  return rd_call_sync (db, &pay_card_call, &params, cancellable, error);
}

void
rd_booking_check_in_async (RdDb                *db,
                           gint64               appointment_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (appointment_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  rd_call_params_add_int (&params, appointment_id);
  rd_call_async (db, &check_in_call, &params, rd_booking_check_in_async, cancellable, callback,
              user_data);
}

int
rd_booking_check_in_finish (RdDb          *db,
                            GAsyncResult  *result,
                            GError       **error)
{
  return (int) take_int (rd_call_finish (db, result, rd_booking_check_in_async, error));
}

int
rd_booking_check_in_sync (RdDb          *db,
                          gint64         appointment_id,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), 0);
  g_return_val_if_fail (appointment_id > 0, 0);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  rd_call_params_add_int (&params, appointment_id);
  return (int) take_int (rd_call_sync (db, &check_in_call, &params, cancellable, error));
}

static void
enrol_params (RdCallParams *params,
              const char   *request_id,
              gint64        session_id,
              gint64        patient_id,
              RdChannel     channel)
{
  rd_call_params_add_request_id (params, request_id);
  rd_call_params_add_int (params, session_id);
  rd_call_params_add_int (params, patient_id);
  rd_call_params_add (params, rd_channel_to_db (channel));
}

void
rd_booking_lottery_request_async (RdDb                *db,
                                  const char          *request_id,
                                  gint64               session_id,
                                  gint64               patient_id,
                                  RdChannel            channel,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (session_id > 0 && patient_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  enrol_params (&params, request_id, session_id, patient_id, channel);
  rd_call_async (db, &lottery_request_call, &params, rd_booking_lottery_request_async,
              cancellable, callback, user_data);
}

gint64
rd_booking_lottery_request_finish (RdDb          *db,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return take_int (rd_call_finish (db, result, rd_booking_lottery_request_async, error));
}

gint64
rd_booking_lottery_request_sync (RdDb          *db,
                                 const char    *request_id,
                                 gint64         session_id,
                                 gint64         patient_id,
                                 RdChannel      channel,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), 0);
  g_return_val_if_fail (session_id > 0 && patient_id > 0, 0);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  enrol_params (&params, request_id, session_id, patient_id, channel);
  return take_int (rd_call_sync (db, &lottery_request_call, &params, cancellable, error));
}

void
rd_booking_waitlist_join_async (RdDb                *db,
                                const char          *request_id,
                                gint64               session_id,
                                gint64               patient_id,
                                RdChannel            channel,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (session_id > 0 && patient_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  enrol_params (&params, request_id, session_id, patient_id, channel);
  rd_call_async (db, &waitlist_join_call, &params, rd_booking_waitlist_join_async, cancellable,
              callback, user_data);
}

gint64
rd_booking_waitlist_join_finish (RdDb          *db,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return take_int (rd_call_finish (db, result, rd_booking_waitlist_join_async, error));
}

gint64
rd_booking_waitlist_join_sync (RdDb          *db,
                               const char    *request_id,
                               gint64         session_id,
                               gint64         patient_id,
                               RdChannel      channel,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_auto(RdCallParams) params = { 0 };

  g_return_val_if_fail (RD_IS_DB (db), 0);
  g_return_val_if_fail (session_id > 0 && patient_id > 0, 0);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  enrol_params (&params, request_id, session_id, patient_id, channel);
  return take_int (rd_call_sync (db, &waitlist_join_call, &params, cancellable, error));
}
