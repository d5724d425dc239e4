/* rd-alipay.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-alipay.h"
#include "rd-alipay-sign.h"
#include "rd-bill.h"
#include "rd-gateway-error.h"
#include "rd-gateway-http.h"

struct _RdAlipay
{
  GObject               parent_instance;

  SoupSession          *session;
  RdGatewayCredentials *credentials;
  const RdAlipayConfig *config;
};

static void payment_provider_iface_init (RdPaymentProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RdAlipay, rd_alipay, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RD_TYPE_PAYMENT_PROVIDER,
                                                      payment_provider_iface_init))

typedef struct
{
  char   *method;
  char   *out_trade_no;
  char   *out_refund_no;
  gint64  amount;
} OpData;

static void
op_data_free (OpData *data)
{
  g_free (data->method);
  g_free (data->out_trade_no);
  g_free (data->out_refund_no);
  g_free (data);
}

static GTask *
op_task_new (RdAlipay            *self,
             gpointer             source_tag,
             const char          *out_trade_no,
             const char          *out_refund_no,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  OpData *data = g_new0 (OpData, 1);

  g_task_set_source_tag (task, source_tag);
  data->out_trade_no = g_strdup (out_trade_no);
  data->out_refund_no = g_strdup (out_refund_no);
  data->amount = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) op_data_free);

  return task;
}

static gboolean
reject_invalid_number (GTask      *task,
                       const char *number)
{
  if (rd_pay_order_is_valid_number (number))
    return FALSE;

  g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                           _("“%s” is not a valid order or refund number"), number);
  g_object_unref (task);
  return TRUE;
}

/* Maps a verified node whose code is not 10000 (nor 10003 where the caller
 * takes that) to an error. Sub-codes are what the business rules speak. */
static GError *
error_from_node (JsonObject *node)
{
  const char *code = rd_gateway_json_get_string (node, "code");
  const char *sub_code = rd_gateway_json_get_string (node, "sub_code");
  const char *msg = rd_gateway_json_get_string (node, "sub_msg");
  RdGatewayError kind;

  if (msg == NULL)
    msg = rd_gateway_json_get_string (node, "msg");

  if (g_strcmp0 (code, "20000") == 0
      || (sub_code != NULL && g_str_has_suffix (sub_code, "SYSTEM_ERROR")))
    kind = RD_GATEWAY_ERROR_RETRY;
  else if (sub_code != NULL && strstr (sub_code, "LIMIT") != NULL
           && !g_str_has_prefix (sub_code, "ACQ.BUYER"))
    /* Unconfirmed: the rate-limit sub-codes are not all documented. */
    kind = RD_GATEWAY_ERROR_BUSY;
  else if (code == NULL)
    kind = RD_GATEWAY_ERROR_BAD_RESPONSE;
  else
    kind = RD_GATEWAY_ERROR_REJECTED;

  return rd_gateway_error_new_from_gateway (kind, sub_code != NULL ? sub_code : code, 200,
                                            _("Alipay says %s %s: %s"),
                                            code != NULL ? code : "?",
                                            sub_code != NULL ? sub_code : "",
                                            msg != NULL ? msg : "");
}

static void
call_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RdAlipay *self = g_task_get_source_object (task);
  const char *method = g_task_get_task_data (task);
  g_autoptr(RdHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *node_text = NULL;
  JsonObject *node;
  const guint8 *body;
  gsize len;

  response = rd_gateway_http_send_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (response->status >= 500)
    {
      g_task_return_error (task,
                           rd_gateway_error_new_from_gateway (RD_GATEWAY_ERROR_RETRY, NULL,
                                                              response->status,
                                                              _("Alipay had a fault (HTTP %u)"),
                                                              response->status));
      return;
    }
  if (response->status != 200)
    {
      g_task_return_error (task,
                           rd_gateway_error_new_from_gateway (RD_GATEWAY_ERROR_BAD_RESPONSE,
                                                              NULL, response->status,
                                                              _("Alipay answered HTTP %u"),
                                                              response->status));
      return;
    }

  body = g_bytes_get_data (response->body, &len);
  node_text = rd_alipay_open_response (self->config->alipay_key, body, len, method, NULL, &error);
  if (node_text == NULL)
    {
      g_autofree char *unsigned_node = NULL;

      /* Only to tell a person what the unbelieved answer claimed. */
      unsigned_node = rd_alipay_extract_response (body, len, method, NULL, NULL, NULL);
      if (unsigned_node != NULL && g_error_matches (error, RD_GATEWAY_ERROR,
                                                    RD_GATEWAY_ERROR_SIGNATURE))
        g_prefix_error (&error, _("Alipay’s answer %.80s was not believed: "), unsigned_node);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  node = rd_gateway_json_parse_object (node_text, strlen (node_text), &error);
  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_object_unref);
}

static void
set_param (GHashTable *params,
           const char *key,
           char       *value)
{
  g_hash_table_insert (params, g_strdup (key), value);
}

/* Signs and sends one method with its biz_content; the answer is the
 * verified response node, whatever its code. */
static void
call_async (RdAlipay            *self,
            const char          *method,
            JsonBuilder         *biz,
            gboolean             with_notify,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *sign;
  char *form;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, call_async);
  g_task_set_task_data (task, g_strdup (method), g_free);

  params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  set_param (params, "app_id", g_strdup (self->config->app_id));
  set_param (params, "method", g_strdup (method));
  set_param (params, "format", g_strdup ("JSON"));
  set_param (params, "charset", g_strdup ("utf-8"));
  set_param (params, "sign_type", g_strdup (RD_ALIPAY_SIGN_TYPE));
  set_param (params, "timestamp", rd_alipay_format_timestamp (now));
  set_param (params, "version", g_strdup ("1.0"));
  if (with_notify && self->config->notify_url != NULL)
    set_param (params, "notify_url", g_strdup (self->config->notify_url));
  set_param (params, "biz_content", rd_gateway_json_to_string (biz));

  sign = rd_alipay_sign_request (self->config->app_key, params, &error);
  if (sign == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  set_param (params, "sign", sign);

  msg = soup_message_new ("POST", self->config->gateway_url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                               _("“%s” is not a valid Alipay address"),
                               self->config->gateway_url);
      return;
    }

  form = rd_alipay_build_form (params);
  bytes = g_bytes_new_take (form, strlen (form));
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded;charset=utf-8",
                                            bytes);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");

  rd_gateway_http_send_async (self->session, msg, self->config->timeout_ms, cancellable,
                              call_cb, g_steal_pointer (&task));
}

static JsonObject *
call_finish (GAsyncResult  *result,
             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_yuan (JsonBuilder *b,
          const char  *name,
          gint64       fen)
{
  g_autofree char *yuan = rd_alipay_amount_from_fen (fen);

  add_string (b, name, yuan);
}

static gboolean
code_is (JsonObject *node,
         const char *code)
{
  return g_strcmp0 (rd_gateway_json_get_string (node, "code"), code) == 0;
}

static RdTradeState
trade_state_from_status (const char *status)
{
  if (g_strcmp0 (status, "TRADE_SUCCESS") == 0 || g_strcmp0 (status, "TRADE_FINISHED") == 0)
    return RD_TRADE_STATE_SUCCESS;
  if (g_strcmp0 (status, "WAIT_BUYER_PAY") == 0)
    return RD_TRADE_STATE_USERPAYING;
  if (g_strcmp0 (status, "TRADE_CLOSED") == 0)
    return RD_TRADE_STATE_CLOSED;

  return RD_TRADE_STATE_UNKNOWN;
}

/* Fills what the node says about the trade; FALSE when it names another. */
static gboolean
read_trade (JsonObject  *node,
            RdPayResult *pay)
{
  const char *answer_no = rd_gateway_json_get_string (node, "out_trade_no");
  const char *total = rd_gateway_json_get_string (node, "total_amount");
  const char *paid_at = rd_gateway_json_get_string (node, "gmt_payment");

  if (answer_no != NULL && g_strcmp0 (answer_no, pay->out_trade_no) != 0)
    return FALSE;

  pay->transaction_id = g_strdup (rd_gateway_json_get_string (node, "trade_no"));
  if (total == NULL || !rd_alipay_amount_to_fen (total, &pay->amount, NULL))
    pay->amount = -1;
  if (paid_at == NULL)
    paid_at = rd_gateway_json_get_string (node, "send_pay_date");
  if (pay->state == RD_TRADE_STATE_SUCCESS && paid_at != NULL)
    pay->success_time = rd_bill_parse_time (paid_at);

  return TRUE;
}

static void
return_trade (GTask        *task,
              JsonObject   *node,
              RdTradeState  state,
              const char   *gateway_state)
{
  OpData *data = g_task_get_task_data (task);
  g_autoptr(RdPayResult) pay = rd_pay_result_new (data->out_trade_no, state);

  pay->gateway_state = g_strdup (gateway_state);
  if (!read_trade (node, pay))
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                               _("Alipay answered about another order than %s"),
                               data->out_trade_no);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&pay), (GDestroyNotify) rd_pay_result_free);
}

static RdPaymentGateway
rd_alipay_get_gateway (RdPaymentProvider *provider)
{
  return RD_PAYMENT_GATEWAY_ALIPAY;
}

static void
create_qr_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) node = NULL;
  g_autoptr(GError) error = NULL;
  RdPayResult *pay;
  const char *qr_code;

  node = call_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!code_is (node, "10000"))
    {
      g_task_return_error (task, error_from_node (node));
      return;
    }

  qr_code = rd_gateway_json_get_string (node, "qr_code");
  if (qr_code == NULL || *qr_code == '\0')
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                               _("Alipay answered without a QR code"));
      return;
    }

  pay = rd_pay_result_new (data->out_trade_no, RD_TRADE_STATE_NOTPAY);
  pay->code_url = g_strdup (qr_code);
  g_task_return_pointer (task, pay, (GDestroyNotify) rd_pay_result_free);
}

static void
rd_alipay_create_qr_async (RdPaymentProvider   *provider,
                           const RdPayOrder    *order,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  RdAlipay *self = RD_ALIPAY (provider);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GTask *task;

  task = op_task_new (self, rd_alipay_create_qr_async, order->out_trade_no, NULL,
                      cancellable, callback, user_data);
  if (reject_invalid_number (task, order->out_trade_no))
    return;

  json_builder_begin_object (b);
  add_string (b, "out_trade_no", order->out_trade_no);
  add_yuan (b, "total_amount", order->amount);
  add_string (b, "subject", order->description);
  if (order->time_expire != NULL)
    {
      g_autofree char *expire = rd_alipay_format_timestamp (order->time_expire);

      add_string (b, "time_expire", expire);
    }
  json_builder_end_object (b);

  call_async (self, "alipay.trade.precreate", b, TRUE, cancellable, create_qr_cb, task);
}

static void
pay_code_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) node = NULL;
  g_autoptr(GError) error = NULL;

  node = call_finish (result, &error);
  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (code_is (node, "10000"))
    return_trade (task, node, RD_TRADE_STATE_SUCCESS, "10000");
  else if (code_is (node, "10003"))
    return_trade (task, node, RD_TRADE_STATE_USERPAYING, "10003");
  else
    g_task_return_error (task, error_from_node (node));
}

static gboolean
auth_code_is_plausible (const char *auth_code)
{
  gsize len = strlen (auth_code);

  if (len < 10 || len > 32)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (auth_code[i]))
        return FALSE;
    }

  return TRUE;
}

static void
rd_alipay_pay_code_async (RdPaymentProvider   *provider,
                          const RdPayOrder    *order,
                          const char          *auth_code,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  RdAlipay *self = RD_ALIPAY (provider);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GTask *task;

  task = op_task_new (self, rd_alipay_pay_code_async, order->out_trade_no, NULL,
                      cancellable, callback, user_data);
  if (reject_invalid_number (task, order->out_trade_no))
    return;

  if (!auth_code_is_plausible (auth_code))
    {
      g_task_return_error (task,
                           rd_gateway_error_new_from_gateway (RD_GATEWAY_ERROR_REJECTED,
                                                              "ACQ.PAYMENT_AUTH_CODE_INVALID",
                                                              0,
                                                              _("This is not a payment code")));
      g_object_unref (task);
      return;
    }

  json_builder_begin_object (b);
  add_string (b, "out_trade_no", order->out_trade_no);
  add_string (b, "scene", "bar_code");
  add_string (b, "auth_code", auth_code);
  add_string (b, "subject", order->description);
  add_yuan (b, "total_amount", order->amount);
  add_string (b, "product_code", "FACE_TO_FACE_PAYMENT");
  if (order->device_id != NULL)
    add_string (b, "terminal_id", order->device_id);
  json_builder_end_object (b);

  call_async (self, "alipay.trade.pay", b, TRUE, cancellable, pay_code_cb, task);
}

static void
query_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *status;

  node = call_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!code_is (node, "10000"))
    {
      g_task_return_error (task, error_from_node (node));
      return;
    }

  status = rd_gateway_json_get_string (node, "trade_status");
  if (status == NULL)
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                               _("Alipay answered without a trade status"));
      return;
    }

  return_trade (task, node, trade_state_from_status (status), status);
}

static JsonBuilder *
trade_no_biz (const char *out_trade_no)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "out_trade_no", out_trade_no);
  json_builder_end_object (b);

  return b;
}

/* query, cancel and close all send just the order number. */
static void
trade_no_call (RdAlipay            *self,
               gpointer             source_tag,
               const char          *method,
               GAsyncReadyCallback  done,
               const char          *out_trade_no,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(JsonBuilder) b = NULL;
  GTask *task;

  task = op_task_new (self, source_tag, out_trade_no, NULL, cancellable, callback, user_data);
  if (reject_invalid_number (task, out_trade_no))
    return;

  b = trade_no_biz (out_trade_no);
  call_async (self, method, b, FALSE, cancellable, done, task);
}

static void
rd_alipay_query_async (RdPaymentProvider   *provider,
                       const char          *out_trade_no,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  trade_no_call (RD_ALIPAY (provider), rd_alipay_query_async, "alipay.trade.query", query_cb,
                 out_trade_no, cancellable, callback, user_data);
}

static void
cancel_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) node = NULL;
  g_autoptr(GError) error = NULL;

  node = call_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (code_is (node, "10000") && g_strcmp0 (rd_gateway_json_get_string (node, "retry_flag"),
                                            "Y") != 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* retry_flag Y: the same cancel must be sent again. */
  if (g_strcmp0 (rd_gateway_json_get_string (node, "retry_flag"), "Y") == 0)
    {
      const char *sub_code = rd_gateway_json_get_string (node, "sub_code");

      g_task_return_error (task,
                           rd_gateway_error_new_from_gateway (RD_GATEWAY_ERROR_RETRY, sub_code,
                                                              200,
                                                              _("Alipay asks to cancel again")));
    }
  else
    g_task_return_error (task, error_from_node (node));
}

static void
rd_alipay_reverse_async (RdPaymentProvider   *provider,
                         const char          *out_trade_no,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  trade_no_call (RD_ALIPAY (provider), rd_alipay_reverse_async, "alipay.trade.cancel", cancel_cb,
                 out_trade_no, cancellable, callback, user_data);
}

static void
close_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RdAlipay *self = g_task_get_source_object (task);
  OpData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) node_error = NULL;

  node = call_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (code_is (node, "10000"))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  node_error = error_from_node (node);
  if (rd_payment_error_is_order_not_found (node_error))
    {
      g_autoptr(JsonBuilder) b = trade_no_biz (data->out_trade_no);
      GCancellable *cancellable = g_task_get_cancellable (task);

      /* A precreated trade exists at Alipay only once scanned, so close
       * cannot find it, yet its QR code would still work: cancel it, which
       * also bars the number from being paid later. */
      call_async (self, "alipay.trade.cancel", b, FALSE, cancellable,
                  cancel_cb, g_steal_pointer (&task));
      return;
    }

  g_task_return_error (task, g_steal_pointer (&node_error));
}

static void
rd_alipay_close_async (RdPaymentProvider   *provider,
                       const char          *out_trade_no,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  trade_no_call (RD_ALIPAY (provider), rd_alipay_close_async, "alipay.trade.close", close_cb,
                 out_trade_no, cancellable, callback, user_data);
}

static void
refund_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) node = NULL;
  g_autoptr(GError) error = NULL;
  RdRefundResult *refund;
  const char *answer_no;

  node = call_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!code_is (node, "10000"))
    {
      g_task_return_error (task, error_from_node (node));
      return;
    }

  answer_no = rd_gateway_json_get_string (node, "out_trade_no");
  if (answer_no != NULL && !g_str_equal (answer_no, data->out_trade_no))
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                               _("Alipay answered about another order than %s"),
                               data->out_trade_no);
      return;
    }

  /* fund_change N: this call moved no money, maybe because an earlier try
   * did; only the refund query can tell. */
  refund = rd_refund_result_new (data->out_refund_no,
                                 g_strcmp0 (rd_gateway_json_get_string (node, "fund_change"),
                                            "Y") == 0
                                 ? RD_REFUND_STATE_SUCCESS : RD_REFUND_STATE_PROCESSING);
  refund->refund_id = g_strdup (rd_gateway_json_get_string (node, "trade_no"));
  refund->amount = data->amount;
  g_task_return_pointer (task, refund, (GDestroyNotify) rd_refund_result_free);
}

static void
rd_alipay_refund_async (RdPaymentProvider     *provider,
                        const RdRefundRequest *request,
                        GCancellable          *cancellable,
                        GAsyncReadyCallback    callback,
                        gpointer               user_data)
{
  RdAlipay *self = RD_ALIPAY (provider);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GTask *task;

  task = op_task_new (self, rd_alipay_refund_async, request->out_trade_no,
                      request->out_refund_no, cancellable, callback, user_data);
  if (reject_invalid_number (task, request->out_trade_no)
      || reject_invalid_number (task, request->out_refund_no))
    return;
  ((OpData *) g_task_get_task_data (task))->amount = request->amount;

  json_builder_begin_object (b);
  add_string (b, "out_trade_no", request->out_trade_no);
  add_yuan (b, "refund_amount", request->amount);
  add_string (b, "out_request_no", request->out_refund_no);
  if (request->reason != NULL)
    add_string (b, "refund_reason", request->reason);
  json_builder_end_object (b);

  call_async (self, "alipay.trade.refund", b, FALSE, cancellable, refund_cb, task);
}

static void
refund_query_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRefundResult) refund = NULL;
  const char *status, *amount, *answer_no, *when;

  node = call_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!code_is (node, "10000"))
    {
      g_task_return_error (task, error_from_node (node));
      return;
    }

  answer_no = rd_gateway_json_get_string (node, "out_request_no");
  status = rd_gateway_json_get_string (node, "refund_status");
  if (answer_no != NULL && !g_str_equal (answer_no, data->out_refund_no))
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                               _("Alipay answered about another refund than %s"),
                               data->out_refund_no);
      return;
    }

  /* No refund_status: Alipay has no (finished) refund by that number. */
  refund = rd_refund_result_new (data->out_refund_no,
                                 g_strcmp0 (status, "REFUND_SUCCESS") == 0
                                 ? RD_REFUND_STATE_SUCCESS : RD_REFUND_STATE_UNKNOWN);
  amount = rd_gateway_json_get_string (node, "refund_amount");
  if (amount == NULL || !rd_alipay_amount_to_fen (amount, &refund->amount, NULL))
    refund->amount = -1;
  when = rd_gateway_json_get_string (node, "gmt_refund_pay");
  if (refund->state == RD_REFUND_STATE_SUCCESS && when != NULL)
    refund->success_time = rd_bill_parse_time (when);

  g_task_return_pointer (task, g_steal_pointer (&refund), (GDestroyNotify) rd_refund_result_free);
}

static void
rd_alipay_refund_query_async (RdPaymentProvider   *provider,
                              const char          *out_trade_no,
                              const char          *out_refund_no,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  RdAlipay *self = RD_ALIPAY (provider);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GTask *task;

  task = op_task_new (self, rd_alipay_refund_query_async, out_trade_no, out_refund_no,
                      cancellable, callback, user_data);
  if (reject_invalid_number (task, out_trade_no) || reject_invalid_number (task, out_refund_no))
    return;

  json_builder_begin_object (b);
  add_string (b, "out_trade_no", out_trade_no);
  add_string (b, "out_request_no", out_refund_no);
  json_builder_end_object (b);

  call_async (self, "alipay.trade.fastpay.refund.query", b, FALSE, cancellable,
              refund_query_cb, task);
}

static void
bill_file_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  RdBill *bill;

  response = rd_gateway_http_send_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (response->status != 200)
    {
      g_task_return_error (task,
                           rd_gateway_error_new_from_gateway (response->status >= 500
                                                              ? RD_GATEWAY_ERROR_RETRY
                                                              : RD_GATEWAY_ERROR_BAD_RESPONSE,
                                                              NULL, response->status,
                                                              _("The Alipay bill download "
                                                                "answered HTTP %u"),
                                                              response->status));
      return;
    }

  /* The file is not signed; its zip CRCs and the bill's totals catch a
   * download that broke off. */
  bill = rd_bill_parse_alipay (response->body, &error);
  if (bill == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, bill, (GDestroyNotify) rd_bill_free);
}

static void
bill_url_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RdAlipay *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  GCancellable *cancellable;
  const char *url;

  node = call_finish (result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!code_is (node, "10000"))
    {
      g_task_return_error (task, error_from_node (node));
      return;
    }

  url = rd_gateway_json_get_string (node, "bill_download_url");
  msg = url != NULL ? soup_message_new ("GET", url) : NULL;
  if (msg == NULL)
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                               _("Alipay answered without a bill to download"));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  rd_gateway_http_send_async (self->session, msg, self->config->timeout_ms, cancellable,
                              bill_file_cb, g_steal_pointer (&task));
}

static void
rd_alipay_download_bill_async (RdPaymentProvider   *provider,
                               const char          *bill_date,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  RdAlipay *self = RD_ALIPAY (provider);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GTask *task;

  task = op_task_new (self, rd_alipay_download_bill_async, NULL, NULL,
                      cancellable, callback, user_data);
  if (strlen (bill_date) != 10 || bill_date[4] != '-' || bill_date[7] != '-')
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                               _("“%s” is not a date"), bill_date);
      g_object_unref (task);
      return;
    }

  json_builder_begin_object (b);
  add_string (b, "bill_type", "trade");
  add_string (b, "bill_date", bill_date);
  json_builder_end_object (b);

  call_async (self, "alipay.data.dataservice.bill.downloadurl.query", b, FALSE, cancellable,
              bill_url_cb, task);
}

static void
payment_provider_iface_init (RdPaymentProviderInterface *iface)
{
  iface->get_gateway = rd_alipay_get_gateway;
  iface->create_qr_async = rd_alipay_create_qr_async;
  iface->pay_code_async = rd_alipay_pay_code_async;
  iface->query_async = rd_alipay_query_async;
  iface->close_async = rd_alipay_close_async;
  iface->reverse_async = rd_alipay_reverse_async;
  iface->refund_async = rd_alipay_refund_async;
  iface->refund_query_async = rd_alipay_refund_query_async;
  iface->download_bill_async = rd_alipay_download_bill_async;
}

static void
rd_alipay_dispose (GObject *object)
{
  RdAlipay *self = (RdAlipay *) object;

  g_clear_object (&self->session);
  self->config = NULL;
  g_clear_object (&self->credentials);

  G_OBJECT_CLASS (rd_alipay_parent_class)->dispose (object);
}

static void
rd_alipay_class_init (RdAlipayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_alipay_dispose;
}

static void
rd_alipay_init (RdAlipay *self)
{
}

RdAlipay *
rd_alipay_new (SoupSession           *session,
               RdGatewayCredentials  *credentials,
               GError               **error)
{
  RdAlipay *self;
  const RdAlipayConfig *config;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (RD_IS_GATEWAY_CREDENTIALS (credentials), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  config = rd_gateway_credentials_get_alipay (credentials);
  if (config == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The credentials have no Alipay application"));
      return NULL;
    }

  self = g_object_new (RD_TYPE_ALIPAY, NULL);
  self->session = g_object_ref (session);
  self->credentials = g_object_ref (credentials);
  self->config = config;

  return self;
}
