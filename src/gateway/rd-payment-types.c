/* rd-payment-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-payment-types.h"

G_DEFINE_ENUM_TYPE (RdPaymentGateway, rd_payment_gateway,
  G_DEFINE_ENUM_VALUE (RD_PAYMENT_GATEWAY_WECHATPAY, "wechatpay"),
  G_DEFINE_ENUM_VALUE (RD_PAYMENT_GATEWAY_ALIPAY, "alipay"))

G_DEFINE_ENUM_TYPE (RdTradeState, rd_trade_state,
  G_DEFINE_ENUM_VALUE (RD_TRADE_STATE_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (RD_TRADE_STATE_NOTPAY, "notpay"),
  G_DEFINE_ENUM_VALUE (RD_TRADE_STATE_USERPAYING, "userpaying"),
  G_DEFINE_ENUM_VALUE (RD_TRADE_STATE_SUCCESS, "success"),
  G_DEFINE_ENUM_VALUE (RD_TRADE_STATE_CLOSED, "closed"),
  G_DEFINE_ENUM_VALUE (RD_TRADE_STATE_REFUND, "refund"),
  G_DEFINE_ENUM_VALUE (RD_TRADE_STATE_REVOKED, "revoked"),
  G_DEFINE_ENUM_VALUE (RD_TRADE_STATE_PAYERROR, "payerror"))

G_DEFINE_ENUM_TYPE (RdRefundState, rd_refund_state,
  G_DEFINE_ENUM_VALUE (RD_REFUND_STATE_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (RD_REFUND_STATE_PROCESSING, "processing"),
  G_DEFINE_ENUM_VALUE (RD_REFUND_STATE_SUCCESS, "success"),
  G_DEFINE_ENUM_VALUE (RD_REFUND_STATE_CLOSED, "closed"),
  G_DEFINE_ENUM_VALUE (RD_REFUND_STATE_ABNORMAL, "abnormal"))

G_DEFINE_BOXED_TYPE (RdPayOrder, rd_pay_order, rd_pay_order_copy, rd_pay_order_free)
G_DEFINE_BOXED_TYPE (RdPayResult, rd_pay_result, rd_pay_result_copy, rd_pay_result_free)
G_DEFINE_BOXED_TYPE (RdRefundRequest, rd_refund_request,
                     rd_refund_request_copy, rd_refund_request_free)
G_DEFINE_BOXED_TYPE (RdRefundResult, rd_refund_result,
                     rd_refund_result_copy, rd_refund_result_free)

static const char * const trade_state_names[] = {
  [RD_TRADE_STATE_UNKNOWN] = "UNKNOWN",
  [RD_TRADE_STATE_NOTPAY] = "NOTPAY",
  [RD_TRADE_STATE_USERPAYING] = "USERPAYING",
  [RD_TRADE_STATE_SUCCESS] = "SUCCESS",
  [RD_TRADE_STATE_CLOSED] = "CLOSED",
  [RD_TRADE_STATE_REFUND] = "REFUND",
  [RD_TRADE_STATE_REVOKED] = "REVOKED",
  [RD_TRADE_STATE_PAYERROR] = "PAYERROR",
};

static const char * const refund_state_names[] = {
  [RD_REFUND_STATE_UNKNOWN] = "UNKNOWN",
  [RD_REFUND_STATE_PROCESSING] = "PROCESSING",
  [RD_REFUND_STATE_SUCCESS] = "SUCCESS",
  [RD_REFUND_STATE_CLOSED] = "CLOSED",
  [RD_REFUND_STATE_ABNORMAL] = "ABNORMAL",
};

const char *
rd_trade_state_to_string (RdTradeState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (trade_state_names), NULL);

  return trade_state_names[state];
}

RdTradeState
rd_trade_state_from_string (const char *text)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (trade_state_names); i++)
    {
      if (g_str_equal (text, trade_state_names[i]))
        return (RdTradeState) i;
    }

  return RD_TRADE_STATE_UNKNOWN;
}

const char *
rd_refund_state_to_string (RdRefundState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (refund_state_names), NULL);

  return refund_state_names[state];
}

const char *
rd_trade_state_describe (RdTradeState state)
{
  switch (state)
    {
    case RD_TRADE_STATE_NOTPAY:
      return _("Not paid yet");
    case RD_TRADE_STATE_USERPAYING:
      return _("The patient is confirming the payment");
    case RD_TRADE_STATE_SUCCESS:
      return _("Paid");
    case RD_TRADE_STATE_CLOSED:
      return _("Closed without payment");
    case RD_TRADE_STATE_REFUND:
      return _("Refunded");
    case RD_TRADE_STATE_REVOKED:
      return _("Cancelled");
    case RD_TRADE_STATE_PAYERROR:
      return _("The payment failed");
    case RD_TRADE_STATE_UNKNOWN:
    default:
      return _("Unknown");
    }
}

const char *
rd_payment_gateway_describe (RdPaymentGateway gateway)
{
  switch (gateway)
    {
    case RD_PAYMENT_GATEWAY_WECHATPAY:
      return _("WeChat Pay");
    case RD_PAYMENT_GATEWAY_ALIPAY:
      return _("Alipay");
    default:
      return _("Unknown gateway");
    }
}

RdPayOrder *
rd_pay_order_new (const char *out_trade_no,
                  const char *description,
                  gint64      amount)
{
  RdPayOrder *order;

  g_return_val_if_fail (out_trade_no != NULL, NULL);
  g_return_val_if_fail (description != NULL, NULL);

  order = g_new0 (RdPayOrder, 1);
  order->out_trade_no = g_strdup (out_trade_no);
  order->description = g_strdup (description);
  order->amount = amount;

  return order;
}

RdPayOrder *
rd_pay_order_copy (const RdPayOrder *order)
{
  RdPayOrder *copy;

  g_return_val_if_fail (order != NULL, NULL);

  copy = rd_pay_order_new (order->out_trade_no, order->description, order->amount);
  copy->time_expire = order->time_expire != NULL ? g_date_time_ref (order->time_expire) : NULL;
  copy->device_id = g_strdup (order->device_id);

  return copy;
}

void
rd_pay_order_free (RdPayOrder *order)
{
  if (order == NULL)
    return;

  g_free (order->out_trade_no);
  g_free (order->description);
  g_clear_pointer (&order->time_expire, g_date_time_unref);
  g_free (order->device_id);
  g_free (order);
}

gboolean
rd_pay_order_is_valid_number (const char *out_trade_no)
{
  gsize len;

  if (out_trade_no == NULL)
    return FALSE;

  len = strlen (out_trade_no);
  if (len < 6 || len > 32)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = out_trade_no[i];

      if (!g_ascii_isalnum (c) && c != '_' && c != '-' && c != '*')
        return FALSE;
    }

  return TRUE;
}

RdPayResult *
rd_pay_result_new (const char   *out_trade_no,
                   RdTradeState  state)
{
  RdPayResult *result = g_new0 (RdPayResult, 1);

  result->out_trade_no = g_strdup (out_trade_no);
  result->state = state;
  result->amount = -1;

  return result;
}

RdPayResult *
rd_pay_result_copy (const RdPayResult *result)
{
  RdPayResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = rd_pay_result_new (result->out_trade_no, result->state);
  copy->transaction_id = g_strdup (result->transaction_id);
  copy->amount = result->amount;
  copy->code_url = g_strdup (result->code_url);
  copy->success_time = result->success_time != NULL
                       ? g_date_time_ref (result->success_time) : NULL;
  copy->gateway_state = g_strdup (result->gateway_state);

  return copy;
}

void
rd_pay_result_free (RdPayResult *result)
{
  if (result == NULL)
    return;

  g_free (result->out_trade_no);
  g_free (result->transaction_id);
  g_free (result->code_url);
  g_clear_pointer (&result->success_time, g_date_time_unref);
  g_free (result->gateway_state);
  g_free (result);
}

RdRefundRequest *
rd_refund_request_new (const char *out_trade_no,
                       const char *out_refund_no,
                       gint64      amount,
                       gint64      total)
{
  RdRefundRequest *request;

  g_return_val_if_fail (out_trade_no != NULL, NULL);
  g_return_val_if_fail (out_refund_no != NULL, NULL);

  request = g_new0 (RdRefundRequest, 1);
  request->out_trade_no = g_strdup (out_trade_no);
  request->out_refund_no = g_strdup (out_refund_no);
  request->amount = amount;
  request->total = total;

  return request;
}

RdRefundRequest *
rd_refund_request_copy (const RdRefundRequest *request)
{
  RdRefundRequest *copy;

  g_return_val_if_fail (request != NULL, NULL);

  copy = rd_refund_request_new (request->out_trade_no, request->out_refund_no,
                                request->amount, request->total);
  copy->reason = g_strdup (request->reason);

  return copy;
}

void
rd_refund_request_free (RdRefundRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->out_trade_no);
  g_free (request->out_refund_no);
  g_free (request->reason);
  g_free (request);
}

RdRefundResult *
rd_refund_result_new (const char    *out_refund_no,
                      RdRefundState  state)
{
  RdRefundResult *result = g_new0 (RdRefundResult, 1);

  result->out_refund_no = g_strdup (out_refund_no);
  result->state = state;
  result->amount = -1;

  return result;
}

RdRefundResult *
rd_refund_result_copy (const RdRefundResult *result)
{
  RdRefundResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = rd_refund_result_new (result->out_refund_no, result->state);
  copy->refund_id = g_strdup (result->refund_id);
  copy->amount = result->amount;
  copy->success_time = result->success_time != NULL
                       ? g_date_time_ref (result->success_time) : NULL;

  return copy;
}

void
rd_refund_result_free (RdRefundResult *result)
{
  if (result == NULL)
    return;

  g_free (result->out_refund_no);
  g_free (result->refund_id);
  g_clear_pointer (&result->success_time, g_date_time_unref);
  g_free (result);
}
