/* rd-payment-provider.h: what the desk and the worker ask of a payment
 * gateway, whichever it is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-bill.h"
#include "rd-payment-types.h"

G_BEGIN_DECLS

#define RD_TYPE_PAYMENT_PROVIDER (rd_payment_provider_get_type ())

G_DECLARE_INTERFACE (RdPaymentProvider, rd_payment_provider, RD, PAYMENT_PROVIDER, GObject)

/* Every operation completes through a GTask whose source object is the
 * provider and whose value is what the matching _finish() function returns
 * (a boxed result, or TRUE); the _finish() functions are shared.
 *
 * Failures are RD_GATEWAY_ERROR: NETWORK, TIMEOUT, RETRY and BUSY mean
 * "send the same request again" (rd_gateway_error_is_retryable()) and, for
 * a request that moves money, "the outcome is unknown: query first";
 * REJECTED is the gateway's final "no", with its own code kept
 * (rd_gateway_error_get_gateway_code()); SIGNATURE and BAD_RESPONSE mean
 * nothing of the answer was believed. */
struct _RdPaymentProviderInterface
{
  GTypeInterface parent_iface;

  RdPaymentGateway (*get_gateway)         (RdPaymentProvider     *self);

  void             (*create_qr_async)     (RdPaymentProvider     *self,
                                           const RdPayOrder      *order,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
  void             (*pay_code_async)      (RdPaymentProvider     *self,
                                           const RdPayOrder      *order,
                                           const char            *auth_code,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
  void             (*query_async)         (RdPaymentProvider     *self,
                                           const char            *out_trade_no,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
  void             (*close_async)         (RdPaymentProvider     *self,
                                           const char            *out_trade_no,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
  void             (*reverse_async)       (RdPaymentProvider     *self,
                                           const char            *out_trade_no,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
  void             (*refund_async)        (RdPaymentProvider     *self,
                                           const RdRefundRequest *request,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
  void             (*refund_query_async)  (RdPaymentProvider     *self,
                                           const char            *out_trade_no,
                                           const char            *out_refund_no,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
  void             (*download_bill_async) (RdPaymentProvider     *self,
                                           const char            *bill_date,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
};

RdPaymentGateway rd_payment_provider_get_gateway        (RdPaymentProvider     *self);

/* A QR order (WeChat Native, Alipay precreate): the result's code_url is
 * what the QR code shows. Retrying with the same out_trade_no is safe. */
void             rd_payment_provider_create_qr_async    (RdPaymentProvider     *self,
                                                         const RdPayOrder      *order,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
RdPayResult     *rd_payment_provider_create_qr_finish   (RdPaymentProvider     *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);

/* Charges the patient's payment code (付款码). The result's state is
 * SUCCESS, or USERPAYING while the patient confirms on the phone. Never
 * send it twice for one out_trade_no: after any error, query (RdPayFlow
 * does all that). */
void             rd_payment_provider_pay_code_async     (RdPaymentProvider     *self,
                                                         const RdPayOrder      *order,
                                                         const char            *auth_code,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
RdPayResult     *rd_payment_provider_pay_code_finish    (RdPaymentProvider     *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);

/* The order's state. An order the gateway does not know is REJECTED with
 * a code for which rd_payment_error_is_order_not_found() is TRUE (for an
 * Alipay QR order: not scanned yet). */
void             rd_payment_provider_query_async        (RdPaymentProvider     *self,
                                                         const char            *out_trade_no,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
RdPayResult     *rd_payment_provider_query_finish       (RdPaymentProvider     *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);

/* Closes an unpaid order so it can no longer be paid. */
void             rd_payment_provider_close_async        (RdPaymentProvider     *self,
                                                         const char            *out_trade_no,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
gboolean         rd_payment_provider_close_finish       (RdPaymentProvider     *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);

/* Reverses a payment-code order whose outcome is unknown (WeChat reverse,
 * Alipay cancel): it closes it, or gives the money back if it was taken. */
void             rd_payment_provider_reverse_async      (RdPaymentProvider     *self,
                                                         const char            *out_trade_no,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
gboolean         rd_payment_provider_reverse_finish     (RdPaymentProvider     *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);

/* Asks for a refund. Acceptance is not success: PROCESSING means query
 * later; retry only with the same out_refund_no. */
void             rd_payment_provider_refund_async       (RdPaymentProvider     *self,
                                                         const RdRefundRequest *request,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
RdRefundResult  *rd_payment_provider_refund_finish      (RdPaymentProvider     *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);

void             rd_payment_provider_refund_query_async (RdPaymentProvider     *self,
                                                         const char            *out_trade_no,
                                                         const char            *out_refund_no,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
RdRefundResult  *rd_payment_provider_refund_query_finish (RdPaymentProvider    *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

/* The trade bill of bill_date ("YYYY-MM-DD"), downloaded, checked and
 * parsed. */
void             rd_payment_provider_download_bill_async (RdPaymentProvider    *self,
                                                          const char           *bill_date,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
RdBill          *rd_payment_provider_download_bill_finish (RdPaymentProvider   *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* TRUE when the gateway said it has no such order (ORDER_NOT_EXIST,
 * ACQ.TRADE_NOT_EXIST). */
gboolean         rd_payment_error_is_order_not_found    (const GError          *error);
/* TRUE when a "no" to a charge may hide an earlier charge that went
 * through (ORDERPAID, OUT_TRADE_NO_USED, ACQ.TRADE_HAS_SUCCESS): query. */
gboolean         rd_payment_error_may_be_paid           (const GError          *error);

G_END_DECLS
