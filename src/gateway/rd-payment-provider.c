/* rd-payment-provider.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include "rd-gateway-error.h"
#include "rd-payment-provider.h"

G_DEFINE_INTERFACE (RdPaymentProvider, rd_payment_provider, G_TYPE_OBJECT)

static void
rd_payment_provider_default_init (RdPaymentProviderInterface *iface)
{
}

static gpointer
propagate (RdPaymentProvider  *self,
           GAsyncResult       *result,
           GError            **error)
{
  g_return_val_if_fail (RD_IS_PAYMENT_PROVIDER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
propagate_boolean (RdPaymentProvider  *self,
                   GAsyncResult       *result,
                   GError            **error)
{
  g_return_val_if_fail (RD_IS_PAYMENT_PROVIDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

RdPaymentGateway
rd_payment_provider_get_gateway (RdPaymentProvider *self)
{
  g_return_val_if_fail (RD_IS_PAYMENT_PROVIDER (self), RD_PAYMENT_GATEWAY_WECHATPAY);

  return RD_PAYMENT_PROVIDER_GET_IFACE (self)->get_gateway (self);
}

void
rd_payment_provider_create_qr_async (RdPaymentProvider   *self,
                                     const RdPayOrder    *order,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (RD_IS_PAYMENT_PROVIDER (self));
  g_return_if_fail (order != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  RD_PAYMENT_PROVIDER_GET_IFACE (self)->create_qr_async (self, order, cancellable,
                                                         callback, user_data);
}

RdPayResult *
rd_payment_provider_create_qr_finish (RdPaymentProvider  *self,
                                      GAsyncResult       *result,
                                      GError            **error)
{
  return propagate (self, result, error);
}

void
rd_payment_provider_pay_code_async (RdPaymentProvider   *self,
                                    const RdPayOrder    *order,
                                    const char          *auth_code,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (RD_IS_PAYMENT_PROVIDER (self));
  g_return_if_fail (order != NULL);
  g_return_if_fail (auth_code != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  RD_PAYMENT_PROVIDER_GET_IFACE (self)->pay_code_async (self, order, auth_code, cancellable,
                                                        callback, user_data);
}

RdPayResult *
rd_payment_provider_pay_code_finish (RdPaymentProvider  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  return propagate (self, result, error);
}

void
rd_payment_provider_query_async (RdPaymentProvider   *self,
                                 const char          *out_trade_no,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (RD_IS_PAYMENT_PROVIDER (self));
  g_return_if_fail (out_trade_no != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  RD_PAYMENT_PROVIDER_GET_IFACE (self)->query_async (self, out_trade_no, cancellable,
                                                     callback, user_data);
}

RdPayResult *
rd_payment_provider_query_finish (RdPaymentProvider  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  return propagate (self, result, error);
}

void
rd_payment_provider_close_async (RdPaymentProvider   *self,
                                 const char          *out_trade_no,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (RD_IS_PAYMENT_PROVIDER (self));
  g_return_if_fail (out_trade_no != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  RD_PAYMENT_PROVIDER_GET_IFACE (self)->close_async (self, out_trade_no, cancellable,
                                                     callback, user_data);
}

gboolean
rd_payment_provider_close_finish (RdPaymentProvider  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  return propagate_boolean (self, result, error);
}

void
rd_payment_provider_reverse_async (RdPaymentProvider   *self,
                                   const char          *out_trade_no,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (RD_IS_PAYMENT_PROVIDER (self));
  g_return_if_fail (out_trade_no != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  RD_PAYMENT_PROVIDER_GET_IFACE (self)->reverse_async (self, out_trade_no, cancellable,
                                                       callback, user_data);
}

gboolean
rd_payment_provider_reverse_finish (RdPaymentProvider  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  return propagate_boolean (self, result, error);
}

void
rd_payment_provider_refund_async (RdPaymentProvider     *self,
                                  const RdRefundRequest *request,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data)
{
  g_return_if_fail (RD_IS_PAYMENT_PROVIDER (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  RD_PAYMENT_PROVIDER_GET_IFACE (self)->refund_async (self, request, cancellable,
                                                      callback, user_data);
}

RdRefundResult *
rd_payment_provider_refund_finish (RdPaymentProvider  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  return propagate (self, result, error);
}

void
rd_payment_provider_refund_query_async (RdPaymentProvider   *self,
                                        const char          *out_trade_no,
                                        const char          *out_refund_no,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (RD_IS_PAYMENT_PROVIDER (self));
  g_return_if_fail (out_trade_no != NULL);
  g_return_if_fail (out_refund_no != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  RD_PAYMENT_PROVIDER_GET_IFACE (self)->refund_query_async (self, out_trade_no, out_refund_no,
                                                            cancellable, callback, user_data);
}

RdRefundResult *
rd_payment_provider_refund_query_finish (RdPaymentProvider  *self,
                                         GAsyncResult       *result,
                                         GError            **error)
{
  return propagate (self, result, error);
}

void
rd_payment_provider_download_bill_async (RdPaymentProvider   *self,
                                         const char          *bill_date,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (RD_IS_PAYMENT_PROVIDER (self));
  g_return_if_fail (bill_date != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  RD_PAYMENT_PROVIDER_GET_IFACE (self)->download_bill_async (self, bill_date, cancellable,
                                                             callback, user_data);
}

RdBill *
rd_payment_provider_download_bill_finish (RdPaymentProvider  *self,
                                          GAsyncResult       *result,
                                          GError            **error)
{
  return propagate (self, result, error);
}

static gboolean
gateway_code_is (const GError       *error,
                 const char * const *codes)
{
  const char *code;

  if (!g_error_matches (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED))
    return FALSE;

  code = rd_gateway_error_get_gateway_code (error);

  return code != NULL && g_strv_contains (codes, code);
}

gboolean
rd_payment_error_is_order_not_found (const GError *error)
{
  static const char * const codes[] = {
    "ORDER_NOT_EXIST", "ORDERNOTEXIST", "RESOURCE_NOT_EXISTS", "ACQ.TRADE_NOT_EXIST", NULL
  };

  return gateway_code_is (error, codes);
}

gboolean
rd_payment_error_may_be_paid (const GError *error)
{
  static const char * const codes[] = {
    "ORDERPAID", "ORDER_PAID", "OUT_TRADE_NO_USED", "ACQ.TRADE_HAS_SUCCESS", NULL
  };

  return gateway_code_is (error, codes);
}
