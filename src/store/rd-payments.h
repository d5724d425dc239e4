/* rd-payments.h: WeChat Pay and Alipay payments and refunds through the
 * api.payment_* and api.refund_* functions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"

G_BEGIN_DECLS

/* The store speaks the database's words: method "wechat" or "alipay",
 * scene "qr" or "code", payment states "paying", "succeeded", "failed",
 * "closed", "reversed", "unknown", refund states "pending", "processing",
 * "succeeded", "failed", "abnormal". Refusals are RD_STORE_ERROR_REJECTED
 * with the rule's SQLSTATE (see data/sql/0007-gateway-payments.sql). */

typedef struct
{
  gint64     payment_id;
  char      *out_trade_no;
  gint64     amount;         /* fen */
  char      *description;    /* what the patient's phone shows */
  GDateTime *expires_at;     /* the order's payment window; NULL for none */
  char      *status;
  gboolean   fresh;          /* FALSE when the request id had recorded it before */
} RdPaymentAttemptRow;

typedef struct
{
  gint64  payment_id;
  char   *order_no;
  char   *payment_status;
  char   *order_status;
  char   *out_refund_no;     /* a surplus refund of this payment waiting to be sent, or NULL */
  char   *anomaly;           /* why a person must look, or NULL */
} RdPaymentOutcome;

typedef struct
{
  gint64  payment_id;
  char   *out_trade_no;
  char   *method;
  char   *scene;
  gint64  amount;
  char   *status;
  char   *order_no;
  double  age_seconds;       /* since the attempt was recorded */
} RdUnsettledPayment;

typedef struct
{
  gint64  refund_id;
  char   *out_refund_no;
  char   *out_trade_no;
  char   *method;
  gint64  amount;            /* fen to give back */
  gint64  total;             /* fen the payment took */
  char   *status;
  char   *order_no;
} RdClaimedRefund;

typedef struct
{
  gint64  refund_id;
  char   *order_no;
  char   *refund_status;
  char   *order_status;
  gint64  refunded_amount;   /* the order's, fen */
} RdRefundOutcome;

typedef struct
{
  gint64     payment_id;
  char      *out_trade_no;
  char      *method;
  char      *scene;          /* NULL for cash and card */
  gint64     amount;
  char      *status;
  char      *gateway_trade_no;
  char      *anomaly;
  GDateTime *created_at;
  GDateTime *finished_at;    /* NULL while open */
  char      *order_status;
} RdPaymentRow;

typedef struct
{
  gint64     refund_id;
  char      *out_refund_no;
  char      *out_trade_no;
  char      *method;
  gint64     amount;
  char      *status;
  gboolean   surplus;
  char      *gateway_refund_no;
  char      *last_error;
  GDateTime *created_at;
  GDateTime *finished_at;
} RdRefundRow;

void rd_payment_attempt_row_free (RdPaymentAttemptRow *row);
void rd_payment_outcome_free     (RdPaymentOutcome    *outcome);
void rd_unsettled_payment_free   (RdUnsettledPayment  *payment);
void rd_claimed_refund_free      (RdClaimedRefund     *refund);
void rd_refund_outcome_free      (RdRefundOutcome     *outcome);
void rd_payment_row_free         (RdPaymentRow        *row);
void rd_refund_row_free          (RdRefundRow         *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdPaymentAttemptRow, rd_payment_attempt_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdPaymentOutcome, rd_payment_outcome_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdUnsettledPayment, rd_unsettled_payment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdClaimedRefund, rd_claimed_refund_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdRefundOutcome, rd_refund_outcome_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdPaymentRow, rd_payment_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdRefundRow, rd_refund_row_free)

/* api.payment_begin(): records an attempt before anything is sent. The
 * same @request_id again returns the same attempt (and out_trade_no); NULL
 * makes a fresh one. */
void                 rd_payments_begin_async   (RdDb                *db,
                                                const char          *request_id,
                                                const char          *order_no,
                                                const char          *method,
                                                const char          *scene,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
RdPaymentAttemptRow *rd_payments_begin_finish  (RdDb                *db,
                                                GAsyncResult        *result,
                                                GError             **error);
RdPaymentAttemptRow *rd_payments_begin_sync    (RdDb                *db,
                                                const char          *request_id,
                                                const char          *order_no,
                                                const char          *method,
                                                const char          *scene,
                                                GCancellable        *cancellable,
                                                GError             **error);

/* api.payment_finish(): what the gateway said of @out_trade_no; @amount
 * the fen it reported (-1: not said), @raw its answer as JSON text (may be
 * NULL). Idempotent. */
void                 rd_payments_record_async  (RdDb                *db,
                                                const char          *out_trade_no,
                                                const char          *state,
                                                const char          *gateway_trade_no,
                                                gint64               amount,
                                                const char          *raw,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
RdPaymentOutcome    *rd_payments_record_finish (RdDb                *db,
                                                GAsyncResult        *result,
                                                GError             **error);
RdPaymentOutcome    *rd_payments_record_sync   (RdDb                *db,
                                                const char          *out_trade_no,
                                                const char          *state,
                                                const char          *gateway_trade_no,
                                                gint64               amount,
                                                const char          *raw,
                                                GCancellable        *cancellable,
                                                GError             **error);

/* api.payment_claim_unsettled(): a GPtrArray of RdUnsettledPayment (owning
 * them), possibly empty. */
void                 rd_payments_claim_unsettled_async  (RdDb                *db,
                                                         guint                max,
                                                         guint                older_than_s,
                                                         guint                lease_s,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
GPtrArray           *rd_payments_claim_unsettled_finish (RdDb                *db,
                                                         GAsyncResult        *result,
                                                         GError             **error);
GPtrArray           *rd_payments_claim_unsettled_sync   (RdDb                *db,
                                                         guint                max,
                                                         guint                older_than_s,
                                                         guint                lease_s,
                                                         GCancellable        *cancellable,
                                                         GError             **error);

/* api.refund_claim(): a GPtrArray of RdClaimedRefund; @order_no NULL for
 * every order. */
void                 rd_payments_claim_refunds_async  (RdDb                *db,
                                                       guint                max,
                                                       const char          *order_no,
                                                       guint                lease_s,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GPtrArray           *rd_payments_claim_refunds_finish (RdDb                *db,
                                                       GAsyncResult        *result,
                                                       GError             **error);
GPtrArray           *rd_payments_claim_refunds_sync   (RdDb                *db,
                                                       guint                max,
                                                       const char          *order_no,
                                                       guint                lease_s,
                                                       GCancellable        *cancellable,
                                                       GError             **error);

/* api.refund_finish(): @error_text says why a refund is still pending or
 * failed (may be NULL). Idempotent. */
void                 rd_payments_record_refund_async  (RdDb                *db,
                                                       const char          *out_refund_no,
                                                       const char          *state,
                                                       const char          *gateway_refund_no,
                                                       const char          *raw,
                                                       const char          *error_text,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
RdRefundOutcome     *rd_payments_record_refund_finish (RdDb                *db,
                                                       GAsyncResult        *result,
                                                       GError             **error);
RdRefundOutcome     *rd_payments_record_refund_sync   (RdDb                *db,
                                                       const char          *out_refund_no,
                                                       const char          *state,
                                                       const char          *gateway_refund_no,
                                                       const char          *raw,
                                                       const char          *error_text,
                                                       GCancellable        *cancellable,
                                                       GError             **error);

/* api.payment_list() and api.refund_list(): GPtrArrays of RdPaymentRow and
 * RdRefundRow, oldest first (empty for an order that does not exist). */
void                 rd_payments_list_async          (RdDb                *db,
                                                      const char          *order_no,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray           *rd_payments_list_finish         (RdDb                *db,
                                                      GAsyncResult        *result,
                                                      GError             **error);
GPtrArray           *rd_payments_list_sync           (RdDb                *db,
                                                      const char          *order_no,
                                                      GCancellable        *cancellable,
                                                      GError             **error);
void                 rd_payments_list_refunds_async  (RdDb                *db,
                                                      const char          *order_no,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray           *rd_payments_list_refunds_finish (RdDb                *db,
                                                      GAsyncResult        *result,
                                                      GError             **error);
GPtrArray           *rd_payments_list_refunds_sync   (RdDb                *db,
                                                      const char          *order_no,
                                                      GCancellable        *cancellable,
                                                      GError             **error);

G_END_DECLS
