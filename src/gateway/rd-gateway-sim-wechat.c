/* rd-gateway-sim-wechat.c: the simulator's WeChat Pay APIv3
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <string.h>

#include "rd-gateway-http.h"
#include "rd-gateway-sim-private.h"
#include "rd-wechatpay-sign.h"

#define W RD_PAYMENT_GATEWAY_WECHATPAY

static const char * const bill_columns[] = {
  "交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号",
  "用户标识", "交易类型", "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额",
  "微信退款单号", "商户退款单号", "退款金额", "充值券退款金额", "退款类型", "退款状态",
  "商品名称", "商户数据包", "手续费", "费率", "订单金额", "申请退款金额", "费率备注",
};

static char *
format_rfc3339 (GDateTime *time)
{
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%S%:z");
}

/* Wechatpay-* headers for body, signed with the platform key. */
static void
sign_headers (RdGatewaySim       *self,
              SoupMessageHeaders *headers,
              const char         *body,
              gsize               len,
              gboolean            tamper)
{
  g_autofree char *nonce = rd_crypto_nonce ();
  g_autofree char *signature = NULL;
  g_autofree char *timestamp = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  signature = rd_wechatpay_sign_response (self->platform_key, now, nonce,
                                          (const guint8 *) body, len, NULL);
  g_assert (signature != NULL);
  if (tamper)
    signature[5] = signature[5] == 'A' ? 'B' : 'A';

  timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  soup_message_headers_replace (headers, "Wechatpay-Timestamp", timestamp);
  soup_message_headers_replace (headers, "Wechatpay-Nonce", nonce);
  soup_message_headers_replace (headers, "Wechatpay-Signature", signature);
  soup_message_headers_replace (headers, "Wechatpay-Serial", self->platform_serial);
  soup_message_headers_replace (headers, "Request-ID", nonce);
}

static void
respond (RdGatewaySim      *self,
         SoupServerMessage *msg,
         guint              status,
         JsonBuilder       *builder,
         SimFaultHit        hit)
{
  g_autofree char *json = NULL;
  gsize len;

  /* The work is done, yet the gateway answers that it failed. */
  if (hit.fault == RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR)
    {
      status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
      json = g_strdup ("{\"code\":\"SYSTEM_ERROR\",\"message\":\"系统错误\"}");
      hit.fault = RD_GATEWAY_SIM_FAULT_NONE;
    }
  else
    json = builder != NULL ? rd_gateway_json_to_string (builder) : g_strdup ("");
  len = strlen (json);

  soup_server_message_set_status (msg, status, NULL);
  if (len > 0)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, len);
  sign_headers (self, soup_server_message_get_response_headers (msg), json, len,
                hit.fault == RD_GATEWAY_SIM_FAULT_BAD_SIGNATURE);
  sim_deliver (self, msg, hit);
}

static void
respond_error (RdGatewaySim      *self,
               SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *message,
               SimFaultHit        hit)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);

  respond (self, msg, status, b, hit);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_trade (RdGatewaySim *self,
           JsonBuilder  *b,
           SimOrder     *order)
{
  add_string (b, "appid", self->appid);
  add_string (b, "mchid", self->mchid);
  add_string (b, "out_trade_no", order->out_trade_no);
  add_string (b, "transaction_id", order->transaction_id);
  add_string (b, "trade_type", order->qr ? "NATIVE" : "MICROPAY");
  add_string (b, "trade_state", rd_trade_state_to_string (order->state));
  add_string (b, "trade_state_desc", rd_trade_state_to_string (order->state));
  if (order->paid_at != NULL && order->charges > 0)
    {
      g_autofree char *when = format_rfc3339 (order->paid_at);

      add_string (b, "success_time", when);
    }
  json_builder_set_member_name (b, "amount");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, order->amount);
  json_builder_set_member_name (b, "payer_total");
  json_builder_add_int_value (b, order->charges > 0 ? order->amount : 0);
  add_string (b, "currency", "CNY");
  json_builder_end_object (b);
}

static void
respond_trade (RdGatewaySim      *self,
               SoupServerMessage *msg,
               SimOrder          *order,
               SimFaultHit        hit)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_trade (self, b, order);
  json_builder_end_object (b);

  respond (self, msg, SOUP_STATUS_OK, b, hit);
}

static void
respond_refund (RdGatewaySim      *self,
                SoupServerMessage *msg,
                SimRefund         *refund,
                SimFaultHit        hit)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  SimOrder *order = sim_lookup_order (self, W, refund->out_trade_no);

  json_builder_begin_object (b);
  add_string (b, "refund_id", refund->refund_id);
  add_string (b, "out_refund_no", refund->out_refund_no);
  add_string (b, "out_trade_no", refund->out_trade_no);
  add_string (b, "transaction_id", order != NULL ? order->transaction_id : NULL);
  add_string (b, "channel", "ORIGINAL");
  add_string (b, "status", rd_refund_state_to_string (refund->state));
  if (refund->state == RD_REFUND_STATE_SUCCESS)
    {
      g_autofree char *when = format_rfc3339 (refund->created);

      add_string (b, "success_time", when);
    }
  json_builder_set_member_name (b, "amount");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "refund");
  json_builder_add_int_value (b, refund->amount);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, order != NULL ? order->amount : 0);
  add_string (b, "currency", "CNY");
  json_builder_end_object (b);
  json_builder_end_object (b);

  respond (self, msg, SOUP_STATUS_OK, b, hit);
}

static gint64
amount_member (JsonObject *request,
               const char *member)
{
  JsonNode *node = json_object_get_member (request, "amount");

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return -1;

  return rd_gateway_json_get_int (json_node_get_object (node), member, -1);
}

static gboolean
merchant_matches (RdGatewaySim *self,
                  JsonObject   *request,
                  gboolean      with_appid)
{
  return g_strcmp0 (rd_gateway_json_get_string (request, "mchid"), self->mchid) == 0
         && (!with_appid
             || g_strcmp0 (rd_gateway_json_get_string (request, "appid"), self->appid) == 0);
}

static void
handle_create (RdGatewaySim      *self,
               SoupServerMessage *msg,
               JsonObject        *request,
               SimFaultHit        hit)
{
  const char *no = rd_gateway_json_get_string (request, "out_trade_no");
  const char *description = rd_gateway_json_get_string (request, "description");
  const char *expire = rd_gateway_json_get_string (request, "time_expire");
  gint64 total = amount_member (request, "total");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  SimOrder *order;

  if (!merchant_matches (self, request, TRUE) || !rd_pay_order_is_valid_number (no)
      || description == NULL || total <= 0
      || rd_gateway_json_get_string (request, "notify_url") == NULL)
    {
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "PARAM_ERROR", "参数错误", hit);
      return;
    }

  order = sim_lookup_order (self, W, no);
  if (order != NULL)
    {
      /* The same order again (a retry): the same code. */
      if (!order->qr || order->amount != total || g_strcmp0 (order->description, description))
        {
          respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "OUT_TRADE_NO_USED",
                         "商户订单号重复", hit);
          return;
        }
      if (order->state == RD_TRADE_STATE_CLOSED || order->state == RD_TRADE_STATE_REVOKED)
        {
          respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "ORDER_CLOSED", "订单已关闭", hit);
          return;
        }
    }
  else
    {
      g_autofree char *pr = rd_crypto_nonce ();

      order = sim_add_order (self, W, no, description, total);
      order->qr = TRUE;
      order->code_url = g_strdup_printf ("weixin://wxpay/bizpayurl?pr=%.12s", pr);
      order->notify_url = g_strdup (rd_gateway_json_get_string (request, "notify_url"));
      if (expire != NULL)
        {
          g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (expire, NULL);

          if (when != NULL)
            order->expire_at = g_date_time_to_unix (when);
        }
    }
  if (hit.fault == RD_GATEWAY_SIM_FAULT_DUPLICATE_NOTIFY)
    order->duplicate_notify = TRUE;

  json_builder_begin_object (b);
  add_string (b, "code_url", order->code_url);
  json_builder_end_object (b);
  respond (self, msg, SOUP_STATUS_OK, b, hit);
}

static void
handle_pay (RdGatewaySim      *self,
            SoupServerMessage *msg,
            JsonObject        *request,
            SimFaultHit        hit)
{
  const char *no = rd_gateway_json_get_string (request, "out_trade_no");
  const char *description = rd_gateway_json_get_string (request, "description");
  gint64 total = amount_member (request, "total");
  JsonNode *payer = json_object_get_member (request, "payer");
  const char *auth_code = NULL;
  SimOrder *order;

  if (payer != NULL && JSON_NODE_HOLDS_OBJECT (payer))
    auth_code = rd_gateway_json_get_string (json_node_get_object (payer), "auth_code");

  if (!merchant_matches (self, request, TRUE) || !rd_pay_order_is_valid_number (no)
      || description == NULL || total <= 0 || auth_code == NULL)
    {
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "PARAM_ERROR", "参数错误", hit);
      return;
    }

  order = sim_lookup_order (self, W, no);
  if (order == NULL)
    order = sim_add_order (self, W, no, description, total);
  else if (order->amount != total && order->auth_code != NULL)
    {
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "OUT_TRADE_NO_USED", "商户订单号重复",
                     hit);
      return;
    }
  if (hit.fault == RD_GATEWAY_SIM_FAULT_DUPLICATE_NOTIFY)
    order->duplicate_notify = TRUE;

  switch (sim_pay_code (self, order, auth_code, &hit))
    {
    case SIM_OK:
      respond_trade (self, msg, order, hit);
      break;
    case SIM_AUTH_CODE_INVALID:
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "AUTH_CODE_INVALID",
                     "付款码无效，请重新扫码", hit);
      break;
    case SIM_NO_MONEY:
      respond_error (self, msg, SOUP_STATUS_FORBIDDEN, "NOTENOUGH", "用户余额不足", hit);
      break;
    case SIM_CLOSED:
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "ORDER_CLOSED", "订单已关闭", hit);
      break;
    case SIM_NUMBER_USED:
    case SIM_NOT_FOUND:
    case SIM_ALREADY_PAID:
    case SIM_BAD_STATE:
    case SIM_REFUND_TOO_MUCH:
    default:
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "OUT_TRADE_NO_USED", "商户订单号重复",
                     hit);
      break;
    }
}

static void
handle_order_op (RdGatewaySim      *self,
                 SoupServerMessage *msg,
                 const char        *op,
                 const char        *no,
                 JsonObject        *request,
                 GHashTable        *query,
                 SimFaultHit        hit)
{
  SimOrder *order = sim_lookup_order (self, W, no);

  if (g_str_equal (op, "query"))
    {
      if (query == NULL || g_strcmp0 (g_hash_table_lookup (query, "mchid"), self->mchid) != 0)
        respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "PARAM_ERROR", "参数错误", hit);
      else if (order == NULL || !order->exists)
        respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在", hit);
      else
        {
          sim_touch_order (self, order, TRUE);
          respond_trade (self, msg, order, hit);
        }
      return;
    }

  if (request == NULL || !merchant_matches (self, request, g_str_equal (op, "reverse")))
    {
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "PARAM_ERROR", "参数错误", hit);
      return;
    }

  if (g_str_equal (op, "close"))
    {
      if (order == NULL)
        respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在", hit);
      else if (sim_close (self, order) == SIM_ALREADY_PAID)
        respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "ORDERPAID", "订单已支付", hit);
      else
        respond (self, msg, SOUP_STATUS_NO_CONTENT, NULL, hit);
      return;
    }

  /* reverse: an order never seen is recorded as revoked, so a charge that
   * arrives late under the number is refused. */
  {
    gboolean refunded_back;

    if (order == NULL)
      order = sim_add_order (self, W, no, "", 0);
    sim_reverse (self, order, &refunded_back);
    respond (self, msg, SOUP_STATUS_NO_CONTENT, NULL, hit);
  }
}

static void
handle_refund (RdGatewaySim      *self,
               SoupServerMessage *msg,
               JsonObject        *request,
               SimFaultHit        hit)
{
  const char *no = rd_gateway_json_get_string (request, "out_trade_no");
  const char *refund_no = rd_gateway_json_get_string (request, "out_refund_no");
  gint64 amount = amount_member (request, "refund");
  gint64 total = amount_member (request, "total");
  SimOrder *order;
  SimRefund *refund = NULL;

  if (!rd_pay_order_is_valid_number (no) || !rd_pay_order_is_valid_number (refund_no)
      || amount <= 0 || total <= 0)
    {
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "PARAM_ERROR", "参数错误", hit);
      return;
    }

  order = sim_lookup_order (self, W, no);
  if (order != NULL && order->amount != total)
    {
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "PARAM_ERROR", "订单金额不一致", hit);
      return;
    }

  switch (sim_refund (self, W, no, refund_no, amount, &refund))
    {
    case SIM_OK:
      respond_refund (self, msg, refund, hit);
      break;
    case SIM_NOT_FOUND:
      respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "RESOURCE_NOT_EXISTS", "订单不存在", hit);
      break;
    case SIM_REFUND_TOO_MUCH:
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "INVALID_REQUEST",
                     "申请退款金额超过订单可退金额", hit);
      break;
    case SIM_NUMBER_USED:
    case SIM_BAD_STATE:
    case SIM_AUTH_CODE_INVALID:
    case SIM_NO_MONEY:
    case SIM_ALREADY_PAID:
    case SIM_CLOSED:
    default:
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "INVALID_REQUEST", "订单状态不正确",
                     hit);
      break;
    }
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GBytes *
build_bill (RdGatewaySim *self,
            const char   *bill_date)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *header = g_strjoinv (",", (char **) bill_columns);
  g_autofree char *s_settled = NULL, *s_refund = NULL, *s_fee = NULL, *s_total = NULL;
  gint64 settled_sum = 0, refund_sum = 0, fee_sum = 0, total_sum = 0;
  GHashTableIter iter;
  gpointer value;
  GString *out;

  g_hash_table_iter_init (&iter, self->orders);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SimOrder *order = value;
      g_autofree char *when = NULL, *amount = NULL, *fee = NULL, *settled = NULL;
      gboolean revoked;
      gint64 fee_fen;

      if (order->gateway != W || order->charges == 0 || !sim_same_day (order->paid_at, bill_date))
        continue;

      revoked = order->state == RD_TRADE_STATE_REVOKED;
      fee_fen = revoked ? 0 : sim_fee (order->amount);
      when = g_date_time_format (order->paid_at, "%Y-%m-%d %H:%M:%S");
      amount = sim_yuan (order->amount);
      settled = sim_yuan (revoked ? 0 : order->amount);
      fee = sim_yuan (fee_fen);
      g_ptr_array_add (rows,
                       g_strdup_printf ("`%s,`%s,`%s,`0,`%s,`%s,`%s,`oSim%.8s,`%s,`%s,`OTHERS,"
                                        "`CNY,`%s,`0.00,`0,`0,`0.00,`0.00,`,`,`%s,`,`%s,"
                                        "`0.60%%,`%s,`0.00,`",
                                        when, self->appid, self->mchid, "regdesk",
                                        order->transaction_id, order->out_trade_no,
                                        order->transaction_id + 8,
                                        order->qr ? "NATIVE" : "MICROPAY",
                                        revoked ? "REVOKED" : "SUCCESS", settled,
                                        order->description, fee, amount));
      settled_sum += revoked ? 0 : order->amount;
      fee_sum += fee_fen;
      total_sum += order->amount;
    }

  g_hash_table_iter_init (&iter, self->refunds);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SimRefund *refund = value;
      SimOrder *order = sim_lookup_order (self, W, refund->out_trade_no);
      g_autofree char *when = NULL, *amount = NULL, *fee = NULL, *total = NULL;

      if (refund->gateway != W || order == NULL || !sim_same_day (refund->created, bill_date))
        continue;

      when = g_date_time_format (refund->created, "%Y-%m-%d %H:%M:%S");
      amount = sim_yuan (refund->amount);
      fee = sim_yuan (-sim_fee (refund->amount));
      total = sim_yuan (order->amount);
      g_ptr_array_add (rows,
                       g_strdup_printf ("`%s,`%s,`%s,`0,`%s,`%s,`%s,`oSim,`%s,`REFUND,`OTHERS,"
                                        "`CNY,`0.00,`0.00,`%s,`%s,`%s,`0.00,`ORIGINAL,`SUCCESS,"
                                        "`%s,`,`%s,`0.60%%,`%s,`%s,`",
                                        when, self->appid, self->mchid, "regdesk",
                                        order->transaction_id, order->out_trade_no,
                                        order->qr ? "NATIVE" : "MICROPAY", refund->refund_id,
                                        refund->out_refund_no, amount, order->description, fee,
                                        total, amount));
      refund_sum += refund->amount;
      fee_sum -= sim_fee (refund->amount);
      total_sum += order->amount;
    }

  if (rows->len == 0)
    return NULL;

  g_ptr_array_sort (rows, compare_rows);

  out = g_string_new (header);
  g_string_append (out, "\r\n");
  for (guint i = 0; i < rows->len; i++)
    {
      g_string_append (out, g_ptr_array_index (rows, i));
      g_string_append (out, "\r\n");
    }

  s_settled = sim_yuan (settled_sum);
  s_refund = sim_yuan (refund_sum);
  s_fee = sim_yuan (fee_sum);
  s_total = sim_yuan (total_sum);
  g_string_append (out, "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,"
                        "订单总金额,申请退款总金额\r\n");
  g_string_append_printf (out, "`%u,`%s,`%s,`0.00,`%s,`%s,`%s\r\n",
                          rows->len, s_settled, s_refund, s_fee, s_total, s_refund);

  return g_string_free_to_bytes (out);
}

static void
handle_bill (RdGatewaySim      *self,
             SoupServerMessage *msg,
             GHashTable        *query,
             SimFaultHit        hit)
{
  const char *date = query != NULL ? g_hash_table_lookup (query, "bill_date") : NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *sha1 = NULL;
  g_autofree char *url = NULL;

  if (date == NULL || strlen (date) != 10)
    {
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "PARAM_ERROR", "参数错误", hit);
      return;
    }

  csv = build_bill (self, date);
  if (csv == NULL)
    {
      respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "NO_STATEMENT_EXIST", "账单不存在",
                     hit);
      return;
    }

  sha1 = rd_sha1_hex (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv));
  url = g_strdup_printf ("%s/v3/billdownload/file?token=%s", self->base_url, date);

  json_builder_begin_object (b);
  add_string (b, "hash_type", "SHA1");
  add_string (b, "hash_value", sha1);
  add_string (b, "download_url", url);
  json_builder_end_object (b);
  respond (self, msg, SOUP_STATUS_OK, b, hit);
}

static void
handle_download (RdGatewaySim      *self,
                 SoupServerMessage *msg,
                 GHashTable        *query,
                 SimFaultHit        hit)
{
  const char *date = query != NULL ? g_hash_table_lookup (query, "token") : NULL;
  g_autoptr(GBytes) csv = date != NULL ? build_bill (self, date) : NULL;
  gsize len;
  const char *data;

  if (csv == NULL)
    {
      respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "NO_STATEMENT_EXIST", "账单不存在", hit);
      return;
    }

  data = g_bytes_get_data (csv, &len);
  if (hit.fault == RD_GATEWAY_SIM_FAULT_TRUNCATE)
    len /= 2;

  /* The file itself carries no signature headers, as at WeChat Pay. */
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain;charset=utf-8", SOUP_MEMORY_COPY, data, len);
  sim_deliver (self, msg, hit);
}

static gboolean
verify_request (RdGatewaySim      *self,
                SoupServerMessage *msg,
                GBytes            *body)
{
  g_autoptr(RdWechatpayAuthorization) auth = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *header;

  header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                         "Authorization");
  if (header == NULL)
    return FALSE;

  auth = rd_wechatpay_authorization_parse (header, &error);
  if (auth == NULL || !g_str_equal (auth->mchid, self->mchid)
      || g_ascii_strcasecmp (auth->serial_no, self->merchant_serial) != 0)
    return FALSE;

  url = rd_gateway_http_path_and_query (soup_server_message_get_uri (msg));

  return rd_wechatpay_authorization_verify (auth, self->merchant_public,
                                            soup_server_message_get_method (msg), url,
                                            g_bytes_get_data (body, NULL),
                                            g_bytes_get_size (body),
                                            g_get_real_time () / G_USEC_PER_SEC, NULL);
}

/* "/v3/pay/transactions/out-trade-no/NO[/close|/reverse]" → op and NO. */
static const char *
order_path_op (const char  *path,
               char       **no)
{
  const char *prefix = "/v3/pay/transactions/out-trade-no/";
  g_auto(GStrv) parts = NULL;

  if (!g_str_has_prefix (path, prefix))
    return NULL;

  parts = g_strsplit (path + strlen (prefix), "/", -1);
  if (parts[0] == NULL || parts[0][0] == '\0')
    return NULL;
  *no = g_strdup (parts[0]);
  if (parts[1] == NULL)
    return "query";
  if (parts[2] == NULL && g_str_equal (parts[1], "close"))
    return "close";
  if (parts[2] == NULL && g_str_equal (parts[1], "reverse"))
    return "reverse";

  g_clear_pointer (no, g_free);
  return NULL;
}

static void
handle_wechat (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  RdGatewaySim *self = user_data;
  g_autoptr(GBytes) body = sim_request_body (msg);
  g_autoptr(JsonObject) request = NULL;
  g_autofree char *no = NULL;
  const char *method = soup_server_message_get_method (msg);
  const char *op = NULL;
  SimFaultHit none = { RD_GATEWAY_SIM_FAULT_NONE, 0 };
  SimFaultHit hit;
  gboolean post = g_str_equal (method, "POST");
  gboolean get = g_str_equal (method, "GET");

  if (post && g_str_equal (path, "/v3/pay/transactions/native"))
    op = "create";
  else if (post && g_str_equal (path, "/v3/pay/transactions/codepay"))
    op = "pay";
  else if (post && g_str_equal (path, "/v3/refund/domestic/refunds"))
    op = "refund";
  else if (get && g_str_has_prefix (path, "/v3/refund/domestic/refunds/"))
    {
      op = "refund-query";
      no = g_strdup (path + strlen ("/v3/refund/domestic/refunds/"));
    }
  else if (get && g_str_equal (path, "/v3/bill/tradebill"))
    op = "bill";
  else if (get && g_str_equal (path, "/v3/billdownload/file"))
    op = "download";
  else if ((op = order_path_op (path, &no)) != NULL
           && (g_str_equal (op, "query") ? !get : !post))
    op = NULL;

  if (op == NULL)
    {
      respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", "无效的请求", none);
      return;
    }

  /* Like the gateway: nothing is done for a request that is not signed. */
  if (!verify_request (self, msg, body))
    {
      self->stats.bad_signatures++;
      respond_error (self, msg, SOUP_STATUS_UNAUTHORIZED, "SIGN_ERROR", "签名错误", none);
      return;
    }

  if (post)
    {
      request = rd_gateway_json_parse_object (g_bytes_get_data (body, NULL),
                                              g_bytes_get_size (body), NULL);
      if (request == NULL)
        {
          respond_error (self, msg, SOUP_STATUS_BAD_REQUEST, "PARAM_ERROR", "请求体不是JSON",
                         none);
          return;
        }
    }

  hit = sim_take_fault (self, W, op);
  if (hit.fault == RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR && hit.param == 0)
    {
      respond_error (self, msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "SYSTEM_ERROR",
                     "系统错误", none);
      return;
    }
  if (hit.fault == RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED)
    {
      respond_error (self, msg, 429, "FREQUENCY_LIMITED",
                     "频率超限", none);
      return;
    }

  if (g_str_equal (op, "create"))
    handle_create (self, msg, request, hit);
  else if (g_str_equal (op, "pay"))
    handle_pay (self, msg, request, hit);
  else if (g_str_equal (op, "refund"))
    handle_refund (self, msg, request, hit);
  else if (g_str_equal (op, "refund-query"))
    {
      SimRefund *refund = sim_lookup_refund (self, W, no);

      if (refund == NULL)
        respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "RESOURCE_NOT_EXISTS", "退款单不存在",
                       hit);
      else
        {
          /* Accepted first, done by the time anyone asks. */
          refund->state = RD_REFUND_STATE_SUCCESS;
          respond_refund (self, msg, refund, hit);
        }
    }
  else if (g_str_equal (op, "bill"))
    handle_bill (self, msg, query, hit);
  else if (g_str_equal (op, "download"))
    handle_download (self, msg, query, hit);
  else
    handle_order_op (self, msg, op, no, request, query, hit);
}

char *
sim_wechat_notification (RdGatewaySim       *self,
                         SimOrder           *order,
                         SoupMessageHeaders *headers)
{
  g_autoptr(JsonBuilder) trade = json_builder_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *plain = NULL;
  g_autofree char *nonce = rd_crypto_nonce ();
  g_autofree char *ciphertext = NULL;
  g_autofree char *id = sim_new_id (self, "EV-");
  g_autofree char *created = format_rfc3339 (order->paid_at);
  char *json;

  json_builder_begin_object (trade);
  add_trade (self, trade, order);
  json_builder_end_object (trade);
  plain = rd_gateway_json_to_string (trade);

  nonce[12] = '\0';
  ciphertext = rd_wechatpay_encrypt_resource (self->apiv3_key, nonce, "transaction",
                                              (const guint8 *) plain, strlen (plain), NULL);
  if (ciphertext == NULL)
    return NULL;

  json_builder_begin_object (b);
  add_string (b, "id", id);
  add_string (b, "create_time", created);
  add_string (b, "resource_type", "encrypt-resource");
  add_string (b, "event_type", "TRANSACTION.SUCCESS");
  add_string (b, "summary", "支付成功");
  json_builder_set_member_name (b, "resource");
  json_builder_begin_object (b);
  add_string (b, "original_type", "transaction");
  add_string (b, "algorithm", "AEAD_AES_256_GCM");
  add_string (b, "ciphertext", ciphertext);
  add_string (b, "associated_data", "transaction");
  add_string (b, "nonce", nonce);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json = rd_gateway_json_to_string (b);
  sign_headers (self, headers, json, strlen (json), FALSE);

  return json;
}

void
sim_wechat_register (RdGatewaySim *self)
{
  soup_server_add_handler (self->server, "/v3", handle_wechat, self, NULL);
}
