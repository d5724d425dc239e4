/* rd-booking.h: booking, desk payment, cancellation, check-in, lottery and
 * waiting list through the api.* functions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"
#include "rd-enums.h"

G_BEGIN_DECLS

/* Every write takes a request id that makes it idempotent: the same id sent
 * again (after a lost connection, say) returns the first result. NULL makes
 * a fresh one (g_uuid_string_random), which is only safe when the caller
 * will not retry. Refusals are RD_STORE_ERROR_REJECTED with the rule's
 * SQLSTATE (RD3xx booking, RD4xx cancel, RD5xx payment, RD6xx check-in,
 * RD7xx lottery, RD8xx waiting list: see data/sql/0002-booking.sql). */

typedef struct
{
  gint64  appointment_id;
  char   *order_no;        /* "R261123000000042" */
  int     slot_seq;
  char   *status;          /* 'pending_payment', or 'booked' when there is nothing to pay */
} RdBookingResult;

typedef struct
{
  gint64  payment_id;
  char   *order_no;
  gint64  amount;          /* fen */
  gint64  change;          /* fen, cash only (0 for card) */
} RdPaymentResult;

typedef struct
{
  gint64  appointment_id;
  char   *order_no;
  char   *order_status;             /* 'closed' (was unpaid), 'refunded', 'refunding' */
  gint64  refunded_amount;          /* fen */
  gint64  waitlist_appointment_id;  /* the waiting patient who got the slot, or 0 */
} RdCancelResult;

void             rd_booking_result_free     (RdBookingResult *result);
void             rd_payment_result_free     (RdPaymentResult *result);
void             rd_cancel_result_free      (RdCancelResult  *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdBookingResult, rd_booking_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdPaymentResult, rd_payment_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdCancelResult, rd_cancel_result_free)

/* api.book(): @slot_seq 0 takes the next free slot of @channel's pool;
 * @priority_reason NULL or 'elderly', 'disabled', 'military', 'urgent'. */
void             rd_booking_book_async      (RdDb                *db,
                                             const char          *request_id,
                                             gint64               session_id,
                                             gint64               patient_id,
                                             RdChannel            channel,
                                             int                  slot_seq,
                                             const char          *priority_reason,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
RdBookingResult *rd_booking_book_finish     (RdDb                *db,
                                             GAsyncResult        *result,
                                             GError             **error);
RdBookingResult *rd_booking_book_sync       (RdDb                *db,
                                             const char          *request_id,
                                             gint64               session_id,
                                             gint64               patient_id,
                                             RdChannel            channel,
                                             int                  slot_seq,
                                             const char          *priority_reason,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* api.cancel() (退号): @reason may be NULL. */
void             rd_booking_cancel_async    (RdDb                *db,
                                             const char          *request_id,
                                             gint64               appointment_id,
                                             const char          *reason,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
RdCancelResult  *rd_booking_cancel_finish   (RdDb                *db,
                                             GAsyncResult        *result,
                                             GError             **error);
RdCancelResult  *rd_booking_cancel_sync     (RdDb                *db,
                                             const char          *request_id,
                                             gint64               appointment_id,
                                             const char          *reason,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* api.pay_cash(): @tendered in fen, at least the amount. */
void             rd_booking_pay_cash_async  (RdDb                *db,
                                             const char          *request_id,
                                             const char          *order_no,
                                             gint64               tendered,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
RdPaymentResult *rd_booking_pay_cash_finish (RdDb                *db,
                                             GAsyncResult        *result,
                                             GError             **error);
RdPaymentResult *rd_booking_pay_cash_sync   (RdDb                *db,
                                             const char          *request_id,
                                             const char          *order_no,
                                             gint64               tendered,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* api.pay_card(): @card_reference is the terminal's reference number. */
void             rd_booking_pay_card_async  (RdDb                *db,
                                             const char          *request_id,
                                             const char          *order_no,
                                             const char          *card_reference,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
RdPaymentResult *rd_booking_pay_card_finish (RdDb                *db,
                                             GAsyncResult        *result,
                                             GError             **error);
RdPaymentResult *rd_booking_pay_card_sync   (RdDb                *db,
                                             const char          *request_id,
                                             const char          *order_no,
                                             const char          *card_reference,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* api.check_in() (签到): the queue number, or 0 on error. Checking in
 * twice returns the same number. */
void             rd_booking_check_in_async  (RdDb                *db,
                                             gint64               appointment_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
int              rd_booking_check_in_finish (RdDb                *db,
                                             GAsyncResult        *result,
                                             GError             **error);
int              rd_booking_check_in_sync   (RdDb                *db,
                                             gint64               appointment_id,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* api.lottery_request(): the lottery request's id, or 0 on error. */
void             rd_booking_lottery_request_async  (RdDb                *db,
                                                    const char          *request_id,
                                                    gint64               session_id,
                                                    gint64               patient_id,
                                                    RdChannel            channel,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gint64           rd_booking_lottery_request_finish (RdDb                *db,
                                                    GAsyncResult        *result,
                                                    GError             **error);
gint64           rd_booking_lottery_request_sync   (RdDb                *db,
                                                    const char          *request_id,
                                                    gint64               session_id,
                                                    gint64               patient_id,
                                                    RdChannel            channel,
                                                    GCancellable        *cancellable,
                                                    GError             **error);

/* api.waitlist_join() (候补): the waiting list entry's id, or 0 on error. */
void             rd_booking_waitlist_join_async  (RdDb                *db,
                                                  const char          *request_id,
                                                  gint64               session_id,
                                                  gint64               patient_id,
                                                  RdChannel            channel,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gint64           rd_booking_waitlist_join_finish (RdDb                *db,
                                                  GAsyncResult        *result,
                                                  GError             **error);
gint64           rd_booking_waitlist_join_sync   (RdDb                *db,
                                                  const char          *request_id,
                                                  gint64               session_id,
                                                  gint64               patient_id,
                                                  RdChannel            channel,
                                                  GCancellable        *cancellable,
                                                  GError             **error);

G_END_DECLS
