/* rd-gateway-sim-alipay.c: the simulator's Alipay OpenAPI (当面付)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rd-alipay-sign.h"
#include "rd-gateway-http.h"
#include "rd-gateway-sim-private.h"
#include "rd-zip.h"

#define A RD_PAYMENT_GATEWAY_ALIPAY
#define BILL_PATH    "/dwbillcenter/downloadBillFile.resource"
#define SIM_PID      "2088000000000001"
#define BILL_HEADER  "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号," \
                     "门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）," \
                     "支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）," \
                     "券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）," \
                     "退款批次号/请求号,服务费（元）,分润（元）,备注"

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
add_yuan (JsonBuilder *b,
          const char  *name,
          gint64       fen)
{
  g_autofree char *yuan = sim_yuan (fen);

  add_string (b, name, yuan);
}

static void
add_time (JsonBuilder *b,
          const char  *name,
          GDateTime   *time)
{
  g_autofree char *text = NULL;

  if (time == NULL)
    return;
  text = g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
  add_string (b, name, text);
}

static void
respond_node (RdGatewaySim      *self,
              SoupServerMessage *msg,
              const char        *method,
              JsonBuilder       *node,
              SimFaultHit        hit)
{
  g_autofree char *node_text = NULL;
  g_autofree char *response = NULL;

  /* The work is done, yet the gateway answers that it failed. */
  if (hit.fault == RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR)
    {
      node_text = g_strdup ("{\"code\":\"20000\",\"msg\":\"Service Currently Unavailable\","
                            "\"sub_code\":\"isp.unknow-error\",\"sub_msg\":\"系统繁忙\"}");
      hit.fault = RD_GATEWAY_SIM_FAULT_NONE;
    }
  else
    node_text = rd_gateway_json_to_string (node);

  response = rd_alipay_build_response (self->alipay_key, method != NULL ? method : "unknown",
                                       node_text, method == NULL, NULL);
  g_assert (response != NULL);

  if (hit.fault == RD_GATEWAY_SIM_FAULT_BAD_SIGNATURE)
    {
      /* Tamper with the signed text itself, as a man in the middle would. */
      char *msg_value = strstr (response, "\"msg\":\"");

      if (msg_value != NULL)
        msg_value[7] ^= 0x20;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json;charset=utf-8", SOUP_MEMORY_COPY,
                                    response, strlen (response));
  sim_deliver (self, msg, hit);
}

static void
respond_error (RdGatewaySim      *self,
               SoupServerMessage *msg,
               const char        *method,
               const char        *code,
               const char        *sub_code,
               const char        *sub_msg,
               SimFaultHit        hit)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *text;

  if (g_str_equal (code, "20000"))
    text = "Service Currently Unavailable";
  else if (g_str_equal (code, "40002"))
    text = "Invalid Arguments";
  else
    text = "Business Failed";

  json_builder_begin_object (b);
  add_string (b, "code", code);
  add_string (b, "msg", text);
  add_string (b, "sub_code", sub_code);
  add_string (b, "sub_msg", sub_msg);
  json_builder_end_object (b);

  respond_node (self, msg, method, b, hit);
}

static void
begin_success (JsonBuilder *b)
{
  json_builder_begin_object (b);
  add_string (b, "code", "10000");
  add_string (b, "msg", "Success");
}

static const char *
trade_status (SimOrder *order)
{
  switch (order->state)
    {
    case RD_TRADE_STATE_SUCCESS:
    case RD_TRADE_STATE_REFUND:
      return "TRADE_SUCCESS";
    case RD_TRADE_STATE_NOTPAY:
    case RD_TRADE_STATE_USERPAYING:
      return "WAIT_BUYER_PAY";
    case RD_TRADE_STATE_CLOSED:
    case RD_TRADE_STATE_REVOKED:
    case RD_TRADE_STATE_PAYERROR:
    case RD_TRADE_STATE_UNKNOWN:
    default:
      return "TRADE_CLOSED";
    }
}

static void
add_trade (JsonBuilder *b,
           SimOrder    *order)
{
  add_string (b, "trade_no", order->transaction_id);
  add_string (b, "out_trade_no", order->out_trade_no);
  add_string (b, "buyer_logon_id", "sim***@example.com");
  add_yuan (b, "total_amount", order->amount);
}

static gint64
biz_yuan (JsonObject *biz,
          const char *member)
{
  gint64 fen;

  if (!rd_alipay_amount_to_fen (rd_gateway_json_get_string (biz, member), &fen, NULL))
    return -1;

  return fen;
}

static void
handle_create (RdGatewaySim      *self,
               SoupServerMessage *msg,
               const char        *method,
               GHashTable        *params,
               JsonObject        *biz,
               SimFaultHit        hit)
{
  const char *no = rd_gateway_json_get_string (biz, "out_trade_no");
  const char *subject = rd_gateway_json_get_string (biz, "subject");
  const char *expire = rd_gateway_json_get_string (biz, "time_expire");
  gint64 total = biz_yuan (biz, "total_amount");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  SimOrder *order;

  if (!rd_pay_order_is_valid_number (no) || subject == NULL || total <= 0)
    {
      respond_error (self, msg, method, "40004", "ACQ.INVALID_PARAMETER", "参数无效", hit);
      return;
    }

  order = sim_lookup_order (self, A, no);
  if (order != NULL && (!order->qr || order->amount != total))
    {
      respond_error (self, msg, method, "40004", "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改",
                     hit);
      return;
    }
  if (order != NULL && order->state != RD_TRADE_STATE_NOTPAY)
    {
      respond_error (self, msg, method, "40004", "ACQ.TRADE_HAS_CLOSE", "交易已经关闭", hit);
      return;
    }
  if (order == NULL)
    {
      g_autofree char *token = rd_crypto_nonce ();

      order = sim_add_order (self, A, no, subject, total);
      order->qr = TRUE;
      /* At Alipay the trade exists only once the code is scanned. */
      order->exists = FALSE;
      order->code_url = g_strdup_printf ("https://qr.alipay.com/bax%.20s", token);
      order->notify_url = g_strdup (g_hash_table_lookup (params, "notify_url"));
      if (expire != NULL)
        {
          g_autoptr(GTimeZone) zone = g_time_zone_new_offset (8 * 3600);
          int y, mo, d, h, mi, s;

          if (sscanf (expire, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s) == 6)
            {
              g_autoptr(GDateTime) when = g_date_time_new (zone, y, mo, d, h, mi, s);

              if (when != NULL)
                order->expire_at = g_date_time_to_unix (when);
            }
        }
    }
  if (hit.fault == RD_GATEWAY_SIM_FAULT_DUPLICATE_NOTIFY)
    order->duplicate_notify = TRUE;

  begin_success (b);
  add_string (b, "out_trade_no", order->out_trade_no);
  add_string (b, "qr_code", order->code_url);
  json_builder_end_object (b);
  respond_node (self, msg, method, b, hit);
}

static void
handle_pay (RdGatewaySim      *self,
            SoupServerMessage *msg,
            const char        *method,
            GHashTable        *params,
            JsonObject        *biz,
            SimFaultHit        hit)
{
  const char *no = rd_gateway_json_get_string (biz, "out_trade_no");
  const char *subject = rd_gateway_json_get_string (biz, "subject");
  const char *auth_code = rd_gateway_json_get_string (biz, "auth_code");
  gint64 total = biz_yuan (biz, "total_amount");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  SimOrder *order;

  if (!rd_pay_order_is_valid_number (no) || subject == NULL || total <= 0 || auth_code == NULL
      || g_strcmp0 (rd_gateway_json_get_string (biz, "scene"), "bar_code") != 0)
    {
      respond_error (self, msg, method, "40004", "ACQ.INVALID_PARAMETER", "参数无效", hit);
      return;
    }

  order = sim_lookup_order (self, A, no);
  if (order == NULL)
    {
      order = sim_add_order (self, A, no, subject, total);
      order->notify_url = g_strdup (g_hash_table_lookup (params, "notify_url"));
    }
  else if (order->amount != total && order->auth_code != NULL)
    {
      respond_error (self, msg, method, "40004", "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改",
                     hit);
      return;
    }
  if (hit.fault == RD_GATEWAY_SIM_FAULT_DUPLICATE_NOTIFY)
    order->duplicate_notify = TRUE;

  switch (sim_pay_code (self, order, auth_code, &hit))
    {
    case SIM_OK:
      if (order->state == RD_TRADE_STATE_SUCCESS)
        {
          begin_success (b);
          add_trade (b, order);
          add_yuan (b, "receipt_amount", order->amount);
          add_time (b, "gmt_payment", order->paid_at);
        }
      else
        {
          json_builder_begin_object (b);
          add_string (b, "code", "10003");
          add_string (b, "msg", "order success pay inprocess");
          add_trade (b, order);
        }
      json_builder_end_object (b);
      respond_node (self, msg, method, b, hit);
      break;
    case SIM_AUTH_CODE_INVALID:
      respond_error (self, msg, method, "40004", "ACQ.PAYMENT_AUTH_CODE_INVALID",
                     "支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款", hit);
      break;
    case SIM_NO_MONEY:
      respond_error (self, msg, method, "40004", "ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足",
                     hit);
      break;
    case SIM_CLOSED:
      respond_error (self, msg, method, "40004", "ACQ.TRADE_HAS_CLOSE", "交易已经关闭", hit);
      break;
    case SIM_NUMBER_USED:
    case SIM_NOT_FOUND:
    case SIM_ALREADY_PAID:
    case SIM_BAD_STATE:
    case SIM_REFUND_TOO_MUCH:
    default:
      if (order->state == RD_TRADE_STATE_SUCCESS)
        respond_error (self, msg, method, "40004", "ACQ.TRADE_HAS_SUCCESS", "交易已被支付", hit);
      else
        respond_error (self, msg, method, "40004", "ACQ.CONTEXT_INCONSISTENT",
                       "交易信息被篡改", hit);
      break;
    }
}

static void
handle_query (RdGatewaySim      *self,
              SoupServerMessage *msg,
              const char        *method,
              JsonObject        *biz,
              SimFaultHit        hit)
{
  SimOrder *order = sim_lookup_order (self, A, rd_gateway_json_get_string (biz, "out_trade_no"));
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (order == NULL || !order->exists)
    {
      respond_error (self, msg, method, "40004", "ACQ.TRADE_NOT_EXIST", "交易不存在", hit);
      return;
    }

  sim_touch_order (self, order, TRUE);
  begin_success (b);
  add_trade (b, order);
  add_string (b, "trade_status", trade_status (order));
  if (order->charges > 0)
    add_time (b, "send_pay_date", order->paid_at);
  json_builder_end_object (b);
  respond_node (self, msg, method, b, hit);
}

static void
handle_cancel (RdGatewaySim      *self,
               SoupServerMessage *msg,
               const char        *method,
               JsonObject        *biz,
               SimFaultHit        hit)
{
  const char *no = rd_gateway_json_get_string (biz, "out_trade_no");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  SimOrder *order;
  gboolean refunded_back;

  if (!rd_pay_order_is_valid_number (no))
    {
      respond_error (self, msg, method, "40004", "ACQ.INVALID_PARAMETER", "参数无效", hit);
      return;
    }

  /* An unknown number is closed for good, so a late charge cannot land. */
  order = sim_lookup_order (self, A, no);
  if (order == NULL)
    order = sim_add_order (self, A, no, "", 0);
  sim_reverse (self, order, &refunded_back);

  begin_success (b);
  add_string (b, "trade_no", order->transaction_id);
  add_string (b, "out_trade_no", no);
  add_string (b, "retry_flag", "N");
  add_string (b, "action", refunded_back ? "refund" : "close");
  json_builder_end_object (b);
  respond_node (self, msg, method, b, hit);
}

static void
handle_close (RdGatewaySim      *self,
              SoupServerMessage *msg,
              const char        *method,
              JsonObject        *biz,
              SimFaultHit        hit)
{
  SimOrder *order = sim_lookup_order (self, A, rd_gateway_json_get_string (biz, "out_trade_no"));
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (order == NULL || !order->exists)
    respond_error (self, msg, method, "40004", "ACQ.TRADE_NOT_EXIST", "交易不存在", hit);
  else if (sim_close (self, order) == SIM_ALREADY_PAID)
    respond_error (self, msg, method, "40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法", hit);
  else
    {
      begin_success (b);
      add_string (b, "trade_no", order->transaction_id);
      add_string (b, "out_trade_no", order->out_trade_no);
      json_builder_end_object (b);
      respond_node (self, msg, method, b, hit);
    }
}

static void
handle_refund (RdGatewaySim      *self,
               SoupServerMessage *msg,
               const char        *method,
               JsonObject        *biz,
               SimFaultHit        hit)
{
  const char *no = rd_gateway_json_get_string (biz, "out_trade_no");
  const char *request_no = rd_gateway_json_get_string (biz, "out_request_no");
  gint64 amount = biz_yuan (biz, "refund_amount");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  SimRefund *refund = NULL;
  SimOrder *order;
  gboolean existed;

  if (!rd_pay_order_is_valid_number (no) || !rd_pay_order_is_valid_number (request_no)
      || amount <= 0)
    {
      respond_error (self, msg, method, "40004", "ACQ.INVALID_PARAMETER", "参数无效", hit);
      return;
    }

  existed = sim_lookup_refund (self, A, request_no) != NULL;
  switch (sim_refund (self, A, no, request_no, amount, &refund))
    {
    case SIM_OK:
      /* Alipay refunds at once. */
      refund->state = RD_REFUND_STATE_SUCCESS;
      order = sim_lookup_order (self, A, no);
      begin_success (b);
      add_trade (b, order);
      add_string (b, "fund_change", existed ? "N" : "Y");
      add_yuan (b, "refund_fee", order->refunded);
      add_time (b, "gmt_refund_pay", refund->created);
      json_builder_end_object (b);
      respond_node (self, msg, method, b, hit);
      break;
    case SIM_NOT_FOUND:
      respond_error (self, msg, method, "40004", "ACQ.TRADE_NOT_EXIST", "交易不存在", hit);
      break;
    case SIM_REFUND_TOO_MUCH:
      respond_error (self, msg, method, "40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                     "退款金额超限", hit);
      break;
    case SIM_NUMBER_USED:
      respond_error (self, msg, method, "40004", "ACQ.DISCORDANT_REPEAT_REQUEST",
                     "请求信息不一致", hit);
      break;
    case SIM_BAD_STATE:
    case SIM_AUTH_CODE_INVALID:
    case SIM_NO_MONEY:
    case SIM_ALREADY_PAID:
    case SIM_CLOSED:
    default:
      respond_error (self, msg, method, "40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法", hit);
      break;
    }
}

static void
handle_refund_query (RdGatewaySim      *self,
                     SoupServerMessage *msg,
                     const char        *method,
                     JsonObject        *biz,
                     SimFaultHit        hit)
{
  const char *no = rd_gateway_json_get_string (biz, "out_trade_no");
  const char *request_no = rd_gateway_json_get_string (biz, "out_request_no");
  SimOrder *order = no != NULL ? sim_lookup_order (self, A, no) : NULL;
  SimRefund *refund = request_no != NULL ? sim_lookup_refund (self, A, request_no) : NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (order == NULL || !order->exists)
    {
      respond_error (self, msg, method, "40004", "ACQ.TRADE_NOT_EXIST", "交易不存在", hit);
      return;
    }

  begin_success (b);
  add_string (b, "trade_no", order->transaction_id);
  add_string (b, "out_trade_no", no);
  add_string (b, "out_request_no", request_no);
  if (refund != NULL && g_str_equal (refund->out_trade_no, no))
    {
      add_yuan (b, "total_amount", order->amount);
      add_yuan (b, "refund_amount", refund->amount);
      add_string (b, "refund_status", "REFUND_SUCCESS");
      add_time (b, "gmt_refund_pay", refund->created);
    }
  json_builder_end_object (b);
  respond_node (self, msg, method, b, hit);
}

static char *
csv_field (const char *text)
{
  if (text == NULL)
    return g_strdup ("");
  if (strpbrk (text, ",\"\n") == NULL)
    return g_strdup (text);

  {
    g_auto(GStrv) parts = g_strsplit (text, "\"", -1);
    g_autofree char *doubled = g_strjoinv ("\"\"", parts);

    return g_strdup_printf ("\"%s\"", doubled);
  }
}

static void
append_row (GString    *out,
            SimOrder   *order,
            const char *kind,
            GDateTime  *done,
            gint64      amount,
            const char *refund_no)
{
  g_autofree char *subject = csv_field (order->description);
  g_autofree char *created = g_date_time_format (order->created, "%Y-%m-%d %H:%M:%S");
  g_autofree char *finished = g_date_time_format (done, "%Y-%m-%d %H:%M:%S");
  g_autofree char *yuan = sim_yuan (amount);
  g_autofree char *fee = sim_yuan (-sim_fee (amount));

  g_string_append_printf (out, "%s\t,%s\t,%s,%s,%s,%s,,,,,sim***@example.com,%s,%s,"
                               "0.00,0.00,0.00,0.00,0.00,,0.00,0.00,%s%s,%s,0.00,\r\n",
                          order->transaction_id, order->out_trade_no, kind, subject, created,
                          finished, yuan, yuan, refund_no != NULL ? refund_no : "",
                          refund_no != NULL ? "\t" : "", fee);
}

static GBytes *
build_bill (RdGatewaySim *self,
            const char   *bill_date)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rd_zip_entry_free);
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autofree char *day = NULL;
  g_autofree char *received = NULL, *refunded = NULL;
  g_autofree char *compact = NULL;
  g_autoptr(GDateTime) now = sim_now ();
  g_autofree char *exported = g_date_time_format (now, "%Y年%m月%d日 %H:%M:%S");
  guint n_trades = 0, n_refunds = 0;
  gint64 trade_sum = 0, refund_sum = 0;
  GHashTableIter iter;
  gpointer value;
  const char *names[2];
  GString *texts[2];

  day = g_strdup (bill_date);
  compact = g_strdup_printf ("%.4s%.2s%.2s", bill_date, bill_date + 5, bill_date + 8);

  g_string_append_printf (detail, "#支付宝业务明细查询\r\n#账号：[%s0156]\r\n"
                                  "#起始日期：[%s 00:00:00]   终止日期：[%s 23:59:59]\r\n"
                                  "#-----------------------------------------业务明细列表"
                                  "----------------------------------------\r\n"
                                  BILL_HEADER "\r\n", SIM_PID, day, day);

  g_hash_table_iter_init (&iter, self->orders);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SimOrder *order = value;

      if (order->gateway != A || order->charges == 0 || !sim_same_day (order->paid_at, bill_date))
        continue;
      append_row (detail, order, "交易", order->paid_at, order->amount, NULL);
      n_trades++;
      trade_sum += order->amount;
      if (order->reversed)
        {
          append_row (detail, order, "退款", order->paid_at, -order->amount, order->out_trade_no);
          n_refunds++;
          refund_sum += order->amount;
        }
    }

  g_hash_table_iter_init (&iter, self->refunds);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SimRefund *refund = value;
      SimOrder *order = sim_lookup_order (self, A, refund->out_trade_no);

      if (refund->gateway != A || order == NULL || !sim_same_day (refund->created, bill_date))
        continue;
      append_row (detail, order, "退款", refund->created, -refund->amount, refund->out_refund_no);
      n_refunds++;
      refund_sum += refund->amount;
    }

  if (n_trades + n_refunds == 0)
    return NULL;

  received = sim_yuan (trade_sum);
  refunded = sim_yuan (-refund_sum);
  g_string_append_printf (detail, "#-----------------------------------------业务明细列表结束"
                                  "------------------------------------\r\n"
                                  "#交易合计：%u笔，商家实收共%s元，商家优惠共0.00元\r\n"
                                  "#退款合计：%u笔，商家实收共%s元，商家优惠共0.00元\r\n"
                                  "#导出时间：[%s]\r\n",
                          n_trades, received, n_refunds, refunded, exported);

  g_string_append_printf (summary, "#支付宝业务汇总查询\r\n#账号：[%s0156]\r\n"
                                   "门店编号,门店名称,交易订单总笔数,退款订单总笔数,"
                                   "订单金额（元）,商家实收（元）\r\n"
                                   "合计,,%u,%u,%s,%s\r\n#导出时间：[%s]\r\n",
                          SIM_PID, n_trades, n_refunds, received, received, exported);

  names[0] = "_业务明细.csv";
  names[1] = "_业务明细(汇总).csv";
  texts[0] = detail;
  texts[1] = summary;
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *utf8_name = g_strconcat (SIM_PID, "0156_", compact, names[i], NULL);
      RdZipEntry *entry = g_new0 (RdZipEntry, 1);
      gsize len;
      char *gbk;

      /* Alipay's files and their names are GBK. */
      entry->name = g_convert (utf8_name, -1, "GBK", "UTF-8", NULL, NULL, NULL);
      gbk = g_convert (texts[i]->str, texts[i]->len, "GBK", "UTF-8", NULL, &len, NULL);
      g_assert (entry->name != NULL && gbk != NULL);
      entry->data = g_bytes_new_take (gbk, len);
      g_ptr_array_add (entries, entry);
    }

  /* Java's ZipOutputStream puts the sizes after the data: so do we. */
  return rd_zip_write (entries, TRUE);
}

static void
handle_bill (RdGatewaySim      *self,
             SoupServerMessage *msg,
             const char        *method,
             JsonObject        *biz,
             SimFaultHit        hit)
{
  const char *date = rd_gateway_json_get_string (biz, "bill_date");
  g_autoptr(GBytes) zip = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *url = NULL;

  if (g_strcmp0 (rd_gateway_json_get_string (biz, "bill_type"), "trade") != 0
      || date == NULL || strlen (date) != 10)
    {
      respond_error (self, msg, method, "40004", "isv.invalid-parameter", "参数无效", hit);
      return;
    }

  zip = build_bill (self, date);
  if (zip == NULL)
    {
      respond_error (self, msg, method, "40004", "isp.bill_not_exist", "账单不存在", hit);
      return;
    }

  url = g_strdup_printf ("%s" BILL_PATH "?bizType=trade&fileType=csv.zip&downloadFileName=%s",
                         self->base_url, date);
  begin_success (b);
  add_string (b, "bill_download_url", url);
  json_builder_end_object (b);
  respond_node (self, msg, method, b, hit);
}

static void
handle_bill_file (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  RdGatewaySim *self = user_data;
  const char *date = query != NULL ? g_hash_table_lookup (query, "downloadFileName") : NULL;
  g_autoptr(GBytes) zip = date != NULL ? build_bill (self, date) : NULL;
  SimFaultHit hit = sim_take_fault (self, A, "download");
  const char *data;
  gsize len;

  if (zip == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      sim_deliver (self, msg, hit);
      return;
    }

  data = g_bytes_get_data (zip, &len);
  if (hit.fault == RD_GATEWAY_SIM_FAULT_TRUNCATE)
    len = len * 2 / 3;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/zip", SOUP_MEMORY_COPY, data, len);
  sim_deliver (self, msg, hit);
}

static GHashTable *
request_params (SoupServerMessage *msg,
                GHashTable        *query,
                GBytes            *body)
{
  g_autoptr(GHashTable) params = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (g_bytes_get_size (body) > 0)
    params = rd_alipay_parse_form (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  else
    params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (params == NULL)
    return NULL;

  /* SDKs put the common parameters in the query string: both count. */
  if (query != NULL)
    {
      g_hash_table_iter_init (&iter, query);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          if (g_hash_table_contains (params, key))
            return NULL;
          g_hash_table_insert (params, g_strdup (key), g_strdup (value));
        }
    }

  return g_steal_pointer (&params);
}

static void
handle_alipay (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  static const struct {
    const char *method;
    const char *op;
  } methods[] = {
    { "alipay.trade.precreate", "create" },
    { "alipay.trade.pay", "pay" },
    { "alipay.trade.query", "query" },
    { "alipay.trade.cancel", "reverse" },
    { "alipay.trade.close", "close" },
    { "alipay.trade.refund", "refund" },
    { "alipay.trade.fastpay.refund.query", "refund-query" },
    { "alipay.data.dataservice.bill.downloadurl.query", "bill" },
  };
  RdGatewaySim *self = user_data;
  g_autoptr(GBytes) body = sim_request_body (msg);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(JsonObject) biz = NULL;
  SimFaultHit none = { RD_GATEWAY_SIM_FAULT_NONE, 0 };
  SimFaultHit hit;
  const char *method = NULL;
  const char *op = NULL;
  const char *biz_text;

  params = request_params (msg, query, body);
  if (params != NULL)
    method = g_hash_table_lookup (params, "method");
  for (guint i = 0; method != NULL && i < G_N_ELEMENTS (methods); i++)
    {
      if (g_str_equal (method, methods[i].method))
        op = methods[i].op;
    }
  if (op == NULL)
    {
      respond_error (self, msg, NULL, "40002", "isv.invalid-method", "不存在的方法名", none);
      return;
    }

  /* Like the gateway: nothing is done for a request that is not signed. */
  if (g_strcmp0 (g_hash_table_lookup (params, "app_id"), self->alipay_app_id) != 0
      || !rd_alipay_verify_request (self->alipay_app_public, params, NULL))
    {
      self->stats.bad_signatures++;
      respond_error (self, msg, method, "40002", "isv.invalid-signature", "验签出错", none);
      return;
    }

  biz_text = g_hash_table_lookup (params, "biz_content");
  biz = biz_text != NULL ? rd_gateway_json_parse_object (biz_text, strlen (biz_text), NULL) : NULL;
  if (biz == NULL)
    {
      respond_error (self, msg, method, "40002", "isv.missing-biz-content", "缺少业务参数", none);
      return;
    }

  hit = sim_take_fault (self, A, op);
  if (hit.fault == RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR && hit.param == 0)
    {
      respond_error (self, msg, method, "20000", "isp.unknow-error", "系统繁忙", none);
      return;
    }
  if (hit.fault == RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED)
    {
      respond_error (self, msg, method, "40004", "ACQ.REQUEST_LIMITED", "请求频率超限", none);
      return;
    }

  if (g_str_equal (op, "create"))
    handle_create (self, msg, method, params, biz, hit);
  else if (g_str_equal (op, "pay"))
    handle_pay (self, msg, method, params, biz, hit);
  else if (g_str_equal (op, "query"))
    handle_query (self, msg, method, biz, hit);
  else if (g_str_equal (op, "reverse"))
    handle_cancel (self, msg, method, biz, hit);
  else if (g_str_equal (op, "close"))
    handle_close (self, msg, method, biz, hit);
  else if (g_str_equal (op, "refund"))
    handle_refund (self, msg, method, biz, hit);
  else if (g_str_equal (op, "refund-query"))
    handle_refund_query (self, msg, method, biz, hit);
  else
    handle_bill (self, msg, method, biz, hit);
}

char *
sim_alipay_notification (RdGatewaySim *self,
                         SimOrder     *order)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDateTime) now = sim_now ();
  char *sign;

  g_hash_table_insert (params, g_strdup ("notify_time"),
                       g_date_time_format (now, "%Y-%m-%d %H:%M:%S"));
  g_hash_table_insert (params, g_strdup ("notify_type"), g_strdup ("trade_status_sync"));
  g_hash_table_insert (params, g_strdup ("notify_id"), sim_new_id (self, "N"));
  g_hash_table_insert (params, g_strdup ("app_id"), g_strdup (self->alipay_app_id));
  g_hash_table_insert (params, g_strdup ("charset"), g_strdup ("utf-8"));
  g_hash_table_insert (params, g_strdup ("version"), g_strdup ("1.0"));
  g_hash_table_insert (params, g_strdup ("sign_type"), g_strdup ("RSA2"));
  g_hash_table_insert (params, g_strdup ("trade_no"), g_strdup (order->transaction_id));
  g_hash_table_insert (params, g_strdup ("out_trade_no"), g_strdup (order->out_trade_no));
  g_hash_table_insert (params, g_strdup ("trade_status"), g_strdup ("TRADE_SUCCESS"));
  g_hash_table_insert (params, g_strdup ("total_amount"), sim_yuan (order->amount));
  g_hash_table_insert (params, g_strdup ("subject"), g_strdup (order->description));
  g_hash_table_insert (params, g_strdup ("gmt_payment"),
                       g_date_time_format (order->paid_at, "%Y-%m-%d %H:%M:%S"));

  sign = rd_alipay_sign_notification (self->alipay_key, params, NULL);
  if (sign == NULL)
    return NULL;
  g_hash_table_insert (params, g_strdup ("sign"), sign);

  return rd_alipay_build_form (params);
}

void
sim_alipay_register (RdGatewaySim *self)
{
  soup_server_add_handler (self->server, "/gateway.do", handle_alipay, self, NULL);
  soup_server_add_handler (self->server, BILL_PATH, handle_bill_file, self, NULL);
}
