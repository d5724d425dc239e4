/* rd-wechat-pay.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-gateway-error.h"
#include "rd-gateway-http.h"
#include "rd-wechat-pay.h"
#include "rd-wechatpay-sign.h"

struct _RdWechatPay
{
  GObject                  parent_instance;

  SoupSession             *session;
  RdGatewayCredentials    *credentials;
  const RdWechatpayConfig *config;
};

static void payment_provider_iface_init (RdPaymentProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RdWechatPay, rd_wechat_pay, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RD_TYPE_PAYMENT_PROVIDER,
                                                      payment_provider_iface_init))

/* A verified answer (or a 5xx, which needs no belief to be retried). */
typedef struct
{
  guint       status;
  GBytes     *body;
  JsonObject *object;   /* NULL for an empty body or an unverified download */
} CallResult;

typedef struct
{
  char    *out_trade_no;
  char    *out_refund_no;
  gboolean verify;
} CallData;

static void
call_result_free (CallResult *result)
{
  g_clear_pointer (&result->body, g_bytes_unref);
  g_clear_pointer (&result->object, json_object_unref);
  g_free (result);
}

static void
call_data_free (CallData *data)
{
  g_free (data->out_trade_no);
  g_free (data->out_refund_no);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CallResult, call_result_free)

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
format_rfc3339 (GDateTime *time)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_offset (8 * 3600);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (time, zone);

  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

static GDateTime *
parse_rfc3339 (const char *text)
{
  return text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

/* An error answer: {"code": "...", "message": "..."}. */
static GError *
error_from_answer (guint       status,
                   JsonObject *object)
{
  const char *code = rd_gateway_json_get_string (object, "code");
  const char *message = rd_gateway_json_get_string (object, "message");
  RdGatewayError kind;

  if (message == NULL)
    message = soup_status_get_phrase (status);

  if (g_strcmp0 (code, "FREQUENCY_LIMITED") == 0 || status == 429)
    kind = RD_GATEWAY_ERROR_BUSY;
  else if (status >= 500 || g_strcmp0 (code, "SYSTEM_ERROR") == 0
           || g_strcmp0 (code, "BANKERROR") == 0)
    kind = RD_GATEWAY_ERROR_RETRY;
  else if (code == NULL)
    kind = RD_GATEWAY_ERROR_BAD_RESPONSE;
  else
    kind = RD_GATEWAY_ERROR_REJECTED;

  return rd_gateway_error_new_from_gateway (kind, code, status,
                                            _("WeChat Pay says %s: %s"),
                                            code != NULL ? code : "?",
                                            message != NULL ? message : "");
}

static void
call_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RdWechatPay *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  g_autoptr(RdHttpResponse) response = NULL;
  g_autoptr(CallResult) call = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *body;
  gsize len;

  response = rd_gateway_http_send_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  body = g_bytes_get_data (response->body, &len);

  /* A server error is retried whatever it says, so its body need not be
   * believed; it is read only for the code in the message. */
  if (response->status >= 500)
    {
      g_autoptr(JsonObject) object = rd_gateway_json_parse_object ((const char *) body, len, NULL);

      g_task_return_error (task, error_from_answer (response->status, object));
      return;
    }

  if (data->verify)
    {
      SoupMessageHeaders *h = response->headers;

      if (!rd_wechatpay_verify_response (self->config->platform_key,
                                         soup_message_headers_get_one (h, "Wechatpay-Timestamp"),
                                         soup_message_headers_get_one (h, "Wechatpay-Nonce"),
                                         soup_message_headers_get_one (h, "Wechatpay-Signature"),
                                         soup_message_headers_get_one (h, "Wechatpay-Serial"),
                                         body, len, now_seconds (), &error))
        {
          g_prefix_error (&error, _("WeChat Pay’s answer (HTTP %u) was not believed: "),
                          response->status);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (rd_rsa_public_key_get_serial (self->config->platform_key) == NULL
          && g_strcmp0 (soup_message_headers_get_one (h, "Wechatpay-Serial"),
                        self->config->platform_serial) != 0)
        {
          g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                                   _("WeChat Pay’s answer was signed with an unknown key"));
          return;
        }
    }

  call = g_new0 (CallResult, 1);
  call->status = response->status;
  call->body = g_bytes_ref (response->body);

  if (data->verify && len > 0)
    {
      call->object = rd_gateway_json_parse_object ((const char *) body, len, &error);
      if (call->object == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  if (response->status < 200 || response->status >= 300)
    {
      g_task_return_error (task, error_from_answer (response->status, call->object));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&call), (GDestroyNotify) call_result_free);
}

/* Sends one signed request. path_and_query is relative to the base URL, or
 * absolute_url is given instead (a bill's download URL). */
static void
call_async (RdWechatPay         *self,
            const char          *method,
            const char          *path_and_query,
            const char          *absolute_url,
            JsonBuilder         *body,
            gboolean             verify,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *signed_url = NULL;
  g_autofree char *json = NULL;
  g_autofree char *authorization = NULL;
  CallData *data;
  SoupMessageHeaders *headers;
  gsize json_len = 0;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, call_async);
  data = g_new0 (CallData, 1);
  data->verify = verify;
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);

  if (absolute_url != NULL)
    url = g_strdup (absolute_url);
  else if (g_str_has_suffix (self->config->base_url, "/"))
    url = g_strconcat (self->config->base_url, path_and_query + 1, NULL);
  else
    url = g_strconcat (self->config->base_url, path_and_query, NULL);

  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                               _("“%s” is not a valid WeChat Pay address"), url);
      return;
    }

  if (body != NULL)
    {
      json = rd_gateway_json_to_string (body);
      json_len = strlen (json);
    }

  /* What is signed is what the server will see on the request line. */
  signed_url = rd_gateway_http_path_and_query (soup_message_get_uri (msg));
  authorization = rd_wechatpay_sign_request (self->config->merchant_key, self->config->mchid,
                                             self->config->serial_no, method, signed_url,
                                             (const guint8 *) json, json_len, now_seconds (),
                                             NULL, &error);
  if (authorization == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (json != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&json), json_len);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  rd_gateway_http_send_async (self->session, msg, self->config->timeout_ms, cancellable,
                              call_cb, g_steal_pointer (&task));
}

static CallResult *
call_finish (GAsyncResult  *result,
             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
add_amount (JsonBuilder *b,
            const char  *name,
            gint64       amount)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, amount);
}

static RdPayResult *
parse_trade (JsonObject   *object,
             const char   *out_trade_no,
             GError      **error)
{
  g_autoptr(RdPayResult) result = NULL;
  const char *state = rd_gateway_json_get_string (object, "trade_state");
  const char *answer_no = rd_gateway_json_get_string (object, "out_trade_no");
  JsonObject *amount;

  if (state == NULL || (answer_no != NULL && g_strcmp0 (answer_no, out_trade_no) != 0))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                   _("WeChat Pay answered without a trade state for order %s"), out_trade_no);
      return NULL;
    }

  result = rd_pay_result_new (out_trade_no, rd_trade_state_from_string (state));
  result->gateway_state = g_strdup (state);
  result->transaction_id = g_strdup (rd_gateway_json_get_string (object, "transaction_id"));
  result->success_time = parse_rfc3339 (rd_gateway_json_get_string (object, "success_time"));
  amount = json_object_get_member (object, "amount") != NULL
           && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "amount"))
           ? json_object_get_object_member (object, "amount") : NULL;
  result->amount = rd_gateway_json_get_int (amount, "total", -1);

  return g_steal_pointer (&result);
}

static RdRefundState
refund_state_from_string (const char *status)
{
  if (g_strcmp0 (status, "SUCCESS") == 0)
    return RD_REFUND_STATE_SUCCESS;
  if (g_strcmp0 (status, "PROCESSING") == 0)
    return RD_REFUND_STATE_PROCESSING;
  if (g_strcmp0 (status, "CLOSED") == 0)
    return RD_REFUND_STATE_CLOSED;
  if (g_strcmp0 (status, "ABNORMAL") == 0)
    return RD_REFUND_STATE_ABNORMAL;

  return RD_REFUND_STATE_UNKNOWN;
}

static RdRefundResult *
parse_refund (JsonObject  *object,
              const char  *out_refund_no,
              GError     **error)
{
  g_autoptr(RdRefundResult) result = NULL;
  const char *status = rd_gateway_json_get_string (object, "status");
  const char *answer_no = rd_gateway_json_get_string (object, "out_refund_no");
  JsonNode *amount = object != NULL ? json_object_get_member (object, "amount") : NULL;

  if (status == NULL || g_strcmp0 (answer_no, out_refund_no) != 0)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                   _("WeChat Pay answered without the state of refund %s"), out_refund_no);
      return NULL;
    }

  result = rd_refund_result_new (out_refund_no, refund_state_from_string (status));
  result->refund_id = g_strdup (rd_gateway_json_get_string (object, "refund_id"));
  result->success_time = parse_rfc3339 (rd_gateway_json_get_string (object, "success_time"));
  if (amount != NULL && JSON_NODE_HOLDS_OBJECT (amount))
    result->amount = rd_gateway_json_get_int (json_node_get_object (amount), "refund", -1);

  return g_steal_pointer (&result);
}

static RdPaymentGateway
rd_wechat_pay_get_gateway (RdPaymentProvider *provider)
{
  return RD_PAYMENT_GATEWAY_WECHATPAY;
}

static GTask *
op_task_new (RdWechatPay         *self,
             gpointer             source_tag,
             const char          *out_trade_no,
             const char          *out_refund_no,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CallData *data = g_new0 (CallData, 1);

  g_task_set_source_tag (task, source_tag);
  data->out_trade_no = g_strdup (out_trade_no);
  data->out_refund_no = g_strdup (out_refund_no);
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);

  return task;
}

/* TRUE when it returned an error on task (and dropped it): the number
 * goes into a URL and a signed message, so it must be the gateways' kind. */
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

static void
create_qr_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);
  g_autoptr(CallResult) call = NULL;
  g_autoptr(GError) error = NULL;
  RdPayResult *pay;
  const char *code_url;

  call = call_finish (result, &error);
  if (call == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  code_url = rd_gateway_json_get_string (call->object, "code_url");
  if (code_url == NULL || *code_url == '\0')
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                               _("WeChat Pay answered without a QR code"));
      return;
    }

  pay = rd_pay_result_new (data->out_trade_no, RD_TRADE_STATE_NOTPAY);
  pay->code_url = g_strdup (code_url);
  g_task_return_pointer (task, pay, (GDestroyNotify) rd_pay_result_free);
}

static void
rd_wechat_pay_create_qr_async (RdPaymentProvider   *provider,
                               const RdPayOrder    *order,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  RdWechatPay *self = RD_WECHAT_PAY (provider);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GTask *task;

  task = op_task_new (self, rd_wechat_pay_create_qr_async, order->out_trade_no, NULL,
                      cancellable, callback, user_data);
  if (reject_invalid_number (task, order->out_trade_no))
    return;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "appid");
  json_builder_add_string_value (b, self->config->appid);
  json_builder_set_member_name (b, "mchid");
  json_builder_add_string_value (b, self->config->mchid);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, order->description);
  json_builder_set_member_name (b, "out_trade_no");
  json_builder_add_string_value (b, order->out_trade_no);
  if (order->time_expire != NULL)
    {
      g_autofree char *expire = format_rfc3339 (order->time_expire);

      json_builder_set_member_name (b, "time_expire");
      json_builder_add_string_value (b, expire);
    }
  /* Required by the gateway even when nobody listens: the desk polls. */
  json_builder_set_member_name (b, "notify_url");
  json_builder_add_string_value (b, self->config->notify_url != NULL
                                    ? self->config->notify_url : "https://localhost/notify");
  json_builder_set_member_name (b, "amount");
  json_builder_begin_object (b);
  add_amount (b, "total", order->amount);
  json_builder_set_member_name (b, "currency");
  json_builder_add_string_value (b, "CNY");
  json_builder_end_object (b);
  json_builder_end_object (b);

  call_async (self, "POST", "/v3/pay/transactions/native", NULL, b, TRUE, cancellable,
              create_qr_cb, task);
}

static void
pay_code_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);
  g_autoptr(CallResult) call = NULL;
  g_autoptr(GError) error = NULL;
  RdPayResult *pay;

  call = call_finish (result, &error);
  if (call == NULL)
    {
      /* Unconfirmed: some answers say USERPAYING as an error code. */
      if (g_strcmp0 (rd_gateway_error_get_gateway_code (error), "USERPAYING") == 0)
        {
          pay = rd_pay_result_new (data->out_trade_no, RD_TRADE_STATE_USERPAYING);
          pay->gateway_state = g_strdup ("USERPAYING");
          g_task_return_pointer (task, pay, (GDestroyNotify) rd_pay_result_free);
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pay = parse_trade (call->object, data->out_trade_no, &error);
  if (pay == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, pay, (GDestroyNotify) rd_pay_result_free);
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
rd_wechat_pay_pay_code_async (RdPaymentProvider   *provider,
                              const RdPayOrder    *order,
                              const char          *auth_code,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  RdWechatPay *self = RD_WECHAT_PAY (provider);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GTask *task;

  task = op_task_new (self, rd_wechat_pay_pay_code_async, order->out_trade_no, NULL,
                      cancellable, callback, user_data);
  if (reject_invalid_number (task, order->out_trade_no))
    return;

  /* A scanner that misread, or a card number typed into the field: say so
   * now, without a request that would burn the order number. */
  if (!auth_code_is_plausible (auth_code))
    {
      g_task_return_error (task,
                           rd_gateway_error_new_from_gateway (RD_GATEWAY_ERROR_REJECTED,
                                                              "AUTH_CODE_INVALID", 0,
                                                              _("This is not a payment code")));
      g_object_unref (task);
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "appid");
  json_builder_add_string_value (b, self->config->appid);
  json_builder_set_member_name (b, "mchid");
  json_builder_add_string_value (b, self->config->mchid);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, order->description);
  json_builder_set_member_name (b, "out_trade_no");
  json_builder_add_string_value (b, order->out_trade_no);
  json_builder_set_member_name (b, "payer");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "auth_code");
  json_builder_add_string_value (b, auth_code);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "amount");
  json_builder_begin_object (b);
  add_amount (b, "total", order->amount);
  json_builder_set_member_name (b, "currency");
  json_builder_add_string_value (b, "CNY");
  json_builder_end_object (b);
  /* The exact scene_info fields are unconfirmed; these are the SDK's. */
  json_builder_set_member_name (b, "scene_info");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, order->device_id != NULL ? order->device_id : "regdesk");
  json_builder_set_member_name (b, "store_info");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "out_id");
  json_builder_add_string_value (b, self->config->mchid);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);

  call_async (self, "POST", "/v3/pay/transactions/codepay", NULL, b, TRUE, cancellable,
              pay_code_cb, task);
}

static void
query_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);
  g_autoptr(CallResult) call = NULL;
  g_autoptr(GError) error = NULL;
  RdPayResult *pay;

  call = call_finish (result, &error);
  if (call == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pay = parse_trade (call->object, data->out_trade_no, &error);
  if (pay == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, pay, (GDestroyNotify) rd_pay_result_free);
}

static void
rd_wechat_pay_query_async (RdPaymentProvider   *provider,
                           const char          *out_trade_no,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  RdWechatPay *self = RD_WECHAT_PAY (provider);
  g_autofree char *path = NULL;
  GTask *task;

  task = op_task_new (self, rd_wechat_pay_query_async, out_trade_no, NULL,
                      cancellable, callback, user_data);
  if (reject_invalid_number (task, out_trade_no))
    return;

  path = g_strdup_printf ("/v3/pay/transactions/out-trade-no/%s?mchid=%s",
                          out_trade_no, self->config->mchid);
  call_async (self, "GET", path, NULL, NULL, TRUE, cancellable, query_cb, task);
}

static void
boolean_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CallResult) call = NULL;
  g_autoptr(GError) error = NULL;

  call = call_finish (result, &error);
  if (call == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
close_or_reverse (RdWechatPay         *self,
                  gpointer             source_tag,
                  const char          *what,
                  gboolean             with_appid,
                  const char          *out_trade_no,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *path = NULL;
  GTask *task;

  task = op_task_new (self, source_tag, out_trade_no, NULL, cancellable, callback, user_data);
  if (reject_invalid_number (task, out_trade_no))
    return;

  json_builder_begin_object (b);
  if (with_appid)
    {
      json_builder_set_member_name (b, "appid");
      json_builder_add_string_value (b, self->config->appid);
    }
  json_builder_set_member_name (b, "mchid");
  json_builder_add_string_value (b, self->config->mchid);
  json_builder_end_object (b);

  path = g_strdup_printf ("/v3/pay/transactions/out-trade-no/%s/%s", out_trade_no, what);
  call_async (self, "POST", path, NULL, b, TRUE, cancellable, boolean_cb, task);
}

static void
rd_wechat_pay_close_async (RdPaymentProvider   *provider,
                           const char          *out_trade_no,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  close_or_reverse (RD_WECHAT_PAY (provider), rd_wechat_pay_close_async, "close", FALSE,
                    out_trade_no, cancellable, callback, user_data);
}

static void
rd_wechat_pay_reverse_async (RdPaymentProvider   *provider,
                             const char          *out_trade_no,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  close_or_reverse (RD_WECHAT_PAY (provider), rd_wechat_pay_reverse_async, "reverse", TRUE,
                    out_trade_no, cancellable, callback, user_data);
}

static void
refund_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);
  g_autoptr(CallResult) call = NULL;
  g_autoptr(GError) error = NULL;
  RdRefundResult *refund;

  call = call_finish (result, &error);
  if (call == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  refund = parse_refund (call->object, data->out_refund_no, &error);
  if (refund == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, refund, (GDestroyNotify) rd_refund_result_free);
}

static void
rd_wechat_pay_refund_async (RdPaymentProvider     *provider,
                            const RdRefundRequest *request,
                            GCancellable          *cancellable,
                            GAsyncReadyCallback    callback,
                            gpointer               user_data)
{
  RdWechatPay *self = RD_WECHAT_PAY (provider);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GTask *task;

  task = op_task_new (self, rd_wechat_pay_refund_async, request->out_trade_no,
                      request->out_refund_no, cancellable, callback, user_data);
  if (reject_invalid_number (task, request->out_trade_no)
      || reject_invalid_number (task, request->out_refund_no))
    return;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "out_trade_no");
  json_builder_add_string_value (b, request->out_trade_no);
  json_builder_set_member_name (b, "out_refund_no");
  json_builder_add_string_value (b, request->out_refund_no);
  if (request->reason != NULL)
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, request->reason);
    }
  json_builder_set_member_name (b, "amount");
  json_builder_begin_object (b);
  add_amount (b, "refund", request->amount);
  add_amount (b, "total", request->total);
  json_builder_set_member_name (b, "currency");
  json_builder_add_string_value (b, "CNY");
  json_builder_end_object (b);
  json_builder_end_object (b);

  call_async (self, "POST", "/v3/refund/domestic/refunds", NULL, b, TRUE, cancellable,
              refund_cb, task);
}

static void
rd_wechat_pay_refund_query_async (RdPaymentProvider   *provider,
                                  const char          *out_trade_no,
                                  const char          *out_refund_no,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  RdWechatPay *self = RD_WECHAT_PAY (provider);
  g_autofree char *path = NULL;
  GTask *task;

  task = op_task_new (self, rd_wechat_pay_refund_query_async, out_trade_no, out_refund_no,
                      cancellable, callback, user_data);
  if (reject_invalid_number (task, out_refund_no))
    return;

  path = g_strdup_printf ("/v3/refund/domestic/refunds/%s", out_refund_no);
  call_async (self, "GET", path, NULL, NULL, TRUE, cancellable, refund_cb, task);
}

static void
bill_file_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *expected = g_task_get_task_data (task);
  g_autoptr(CallResult) call = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha1 = NULL;
  RdBill *bill;
  gsize len;
  const guint8 *data;

  call = call_finish (result, &error);
  if (call == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The file has no signature headers: the signed answer's SHA1 vouches. */
  data = g_bytes_get_data (call->body, &len);
  sha1 = rd_sha1_hex (data, len);
  if (g_ascii_strcasecmp (sha1, expected) != 0)
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                               _("The WeChat Pay bill did not arrive whole (its SHA1 differs)"));
      return;
    }

  bill = rd_bill_parse_wechatpay (call->body, &error);
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
  RdWechatPay *self = g_task_get_source_object (task);
  g_autoptr(CallResult) call = NULL;
  g_autoptr(GError) error = NULL;
  const char *hash_type, *hash_value, *url;

  call = call_finish (result, &error);
  if (call == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  hash_type = rd_gateway_json_get_string (call->object, "hash_type");
  hash_value = rd_gateway_json_get_string (call->object, "hash_value");
  url = rd_gateway_json_get_string (call->object, "download_url");
  if (g_strcmp0 (hash_type, "SHA1") != 0 || hash_value == NULL || url == NULL)
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                               _("WeChat Pay answered without a bill to download"));
      return;
    }

  g_task_set_task_data (task, g_strdup (hash_value), g_free);
  call_async (self, "GET", NULL, url, NULL, FALSE, g_task_get_cancellable (task),
              bill_file_cb, g_object_ref (task));
}

static void
rd_wechat_pay_download_bill_async (RdPaymentProvider   *provider,
                                   const char          *bill_date,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  RdWechatPay *self = RD_WECHAT_PAY (provider);
  g_autofree char *path = NULL;
  GTask *task;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_wechat_pay_download_bill_async);

  if (strlen (bill_date) != 10 || bill_date[4] != '-' || bill_date[7] != '-')
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                               _("“%s” is not a date"), bill_date);
      g_object_unref (task);
      return;
    }

  path = g_strdup_printf ("/v3/bill/tradebill?bill_date=%s&bill_type=ALL", bill_date);
  call_async (self, "GET", path, NULL, NULL, TRUE, cancellable, bill_url_cb, task);
}

static void
payment_provider_iface_init (RdPaymentProviderInterface *iface)
{
  iface->get_gateway = rd_wechat_pay_get_gateway;
  iface->create_qr_async = rd_wechat_pay_create_qr_async;
  iface->pay_code_async = rd_wechat_pay_pay_code_async;
  iface->query_async = rd_wechat_pay_query_async;
  iface->close_async = rd_wechat_pay_close_async;
  iface->reverse_async = rd_wechat_pay_reverse_async;
  iface->refund_async = rd_wechat_pay_refund_async;
  iface->refund_query_async = rd_wechat_pay_refund_query_async;
  iface->download_bill_async = rd_wechat_pay_download_bill_async;
}

static void
rd_wechat_pay_dispose (GObject *object)
{
  RdWechatPay *self = (RdWechatPay *) object;

  g_clear_object (&self->session);
  self->config = NULL;
  g_clear_object (&self->credentials);

  G_OBJECT_CLASS (rd_wechat_pay_parent_class)->dispose (object);
}

static void
rd_wechat_pay_class_init (RdWechatPayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_wechat_pay_dispose;
}

static void
rd_wechat_pay_init (RdWechatPay *self)
{
}

RdWechatPay *
rd_wechat_pay_new (SoupSession           *session,
                   RdGatewayCredentials  *credentials,
                   GError               **error)
{
  RdWechatPay *self;
  const RdWechatpayConfig *config;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (RD_IS_GATEWAY_CREDENTIALS (credentials), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  config = rd_gateway_credentials_get_wechatpay (credentials);
  if (config == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The credentials have no WeChat Pay merchant"));
      return NULL;
    }

  self = g_object_new (RD_TYPE_WECHAT_PAY, NULL);
  self->session = g_object_ref (session);
  self->credentials = g_object_ref (credentials);
  self->config = config;

  return self;
}
