/* rd-gateway-sim.c: the simulator's server, accounts and faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-gateway-error.h"
#include "rd-gateway-http.h"
#include "rd-gateway-sim-private.h"

#define SIM_KEY_BITS   2048
#define SIM_MCHID      "1900000109"
#define SIM_APPID      "wxd678efh567hg6787"
#define SIM_ALIPAY_APP "2021000000000001"
#define SIM_SMS_APP_ID "1400000001"
#define SIM_SMS_SIGN   "某医院"

typedef struct
{
  RdGatewaySimFault fault;
  int               gateway;   /* -1: any */
  char             *op;        /* NULL: any */
  guint             count;
  guint             param;
} FaultRule;

G_DEFINE_FINAL_TYPE (RdGatewaySim, rd_gateway_sim, G_TYPE_OBJECT)

static void
fault_rule_free (FaultRule *rule)
{
  g_free (rule->op);
  g_free (rule);
}

static void
sim_order_free (SimOrder *order)
{
  g_free (order->out_trade_no);
  g_free (order->description);
  g_free (order->transaction_id);
  g_free (order->auth_code);
  g_free (order->code_url);
  g_free (order->notify_url);
  g_clear_pointer (&order->created, g_date_time_unref);
  g_clear_pointer (&order->paid_at, g_date_time_unref);
  g_free (order);
}

static void
sim_refund_free (SimRefund *refund)
{
  g_free (refund->out_refund_no);
  g_free (refund->out_trade_no);
  g_free (refund->refund_id);
  g_clear_pointer (&refund->created, g_date_time_unref);
  g_free (refund);
}

static char *
table_key (RdPaymentGateway  gateway,
           const char       *number)
{
  return g_strconcat (gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "a:" : "w:", number, NULL);
}

GDateTime *
sim_now (void)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_offset (8 * 3600);

  return g_date_time_new_now (zone);
}

char *
sim_new_id (RdGatewaySim *self,
            const char   *prefix)
{
  g_autoptr(GDateTime) now = sim_now ();
  g_autofree char *day = g_date_time_format (now, "%Y%m%d");

  return g_strdup_printf ("%s%s%010" G_GUINT64_FORMAT, prefix, day, ++self->next_serial);
}

char *
sim_yuan (gint64 fen)
{
  guint64 abs_fen = fen < 0 ? -(guint64) fen : (guint64) fen;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u", fen < 0 ? "-" : "",
                          abs_fen / 100, (guint) (abs_fen % 100));
}

gint64
sim_fee (gint64 fen)
{
  gint64 sign = fen < 0 ? -1 : 1;

  return sign * ((sign * fen * 6 + 500) / 1000);
}

gboolean
sim_same_day (GDateTime  *time,
              const char *bill_date)
{
  g_autofree char *day = NULL;

  if (time == NULL)
    return FALSE;
  day = g_date_time_format (time, "%Y-%m-%d");

  return g_str_equal (day, bill_date);
}

SimOrder *
sim_lookup_order (RdGatewaySim     *self,
                  RdPaymentGateway  gateway,
                  const char       *out_trade_no)
{
  g_autofree char *key = table_key (gateway, out_trade_no);

  return g_hash_table_lookup (self->orders, key);
}

SimOrder *
sim_add_order (RdGatewaySim     *self,
               RdPaymentGateway  gateway,
               const char       *out_trade_no,
               const char       *description,
               gint64            amount)
{
  SimOrder *order = g_new0 (SimOrder, 1);

  order->gateway = gateway;
  order->out_trade_no = g_strdup (out_trade_no);
  order->description = g_strdup (description);
  order->amount = amount;
  order->exists = TRUE;
  order->state = RD_TRADE_STATE_NOTPAY;
  order->created = sim_now ();
  g_hash_table_insert (self->orders, table_key (gateway, out_trade_no), order);
  self->stats.orders++;

  return order;
}

SimRefund *
sim_lookup_refund (RdGatewaySim     *self,
                   RdPaymentGateway  gateway,
                   const char       *out_refund_no)
{
  g_autofree char *key = table_key (gateway, out_refund_no);

  return g_hash_table_lookup (self->refunds, key);
}

static void
charge (RdGatewaySim *self,
        SimOrder     *order)
{
  order->charges++;
  self->stats.charges++;
  if (order->charges > 1)
    self->stats.paid_twice++;
  order->state = RD_TRADE_STATE_SUCCESS;
  g_clear_pointer (&order->paid_at, g_date_time_unref);
  order->paid_at = sim_now ();
  g_free (order->transaction_id);
  order->transaction_id = sim_new_id (self, order->gateway == RD_PAYMENT_GATEWAY_ALIPAY
                                            ? "" : "4200");

  sim_notify_paid (self, order);
}

static gboolean
parse_payer (RdPaymentGateway   gateway,
             const char        *code,
             RdGatewaySimPayer *payer,
             guint             *n)
{
  gsize len = strlen (code);
  int prefix;

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (code[i]))
        return FALSE;
    }
  if (len < 5)
    return FALSE;

  prefix = (code[0] - '0') * 10 + (code[1] - '0');
  if (gateway == RD_PAYMENT_GATEWAY_WECHATPAY && (len != 18 || prefix < 10 || prefix > 15))
    return FALSE;
  if (gateway == RD_PAYMENT_GATEWAY_ALIPAY && (len < 16 || len > 24 || prefix < 25 || prefix > 30))
    return FALSE;

  switch ((code[2] - '0') * 10 + (code[3] - '0'))
    {
    case 1:
      *payer = RD_GATEWAY_SIM_PAYER_CONFIRMS;
      break;
    case 2:
      *payer = RD_GATEWAY_SIM_PAYER_NEVER_CONFIRMS;
      break;
    case 3:
      *payer = RD_GATEWAY_SIM_PAYER_NO_MONEY;
      break;
    case 4:
      *payer = RD_GATEWAY_SIM_PAYER_CODE_EXPIRED;
      break;
    case 5:
      *payer = RD_GATEWAY_SIM_PAYER_CANCELS;
      break;
    default:
      *payer = RD_GATEWAY_SIM_PAYER_PAYS;
      break;
    }
  *n = MAX (code[4] - '0', 1);

  return TRUE;
}

SimStatus
sim_pay_code (RdGatewaySim *self,
              SimOrder     *order,
              const char   *auth_code,
              SimFaultHit  *hit)
{
  RdGatewaySimPayer payer;
  guint n;

  if (order->state == RD_TRADE_STATE_CLOSED || order->state == RD_TRADE_STATE_REVOKED)
    return SIM_CLOSED;
  if (order->qr)
    return SIM_NUMBER_USED;

  /* The same request again: the same answer, and never a second charge. */
  if (order->auth_code != NULL)
    {
      if (!g_str_equal (order->auth_code, auth_code))
        return SIM_NUMBER_USED;
      return order->state == RD_TRADE_STATE_PAYERROR ? (SimStatus) order->refusal : SIM_OK;
    }

  order->auth_code = g_strdup (auth_code);
  if (!parse_payer (order->gateway, auth_code, &payer, &n))
    {
      order->state = RD_TRADE_STATE_PAYERROR;
      order->refusal = SIM_AUTH_CODE_INVALID;
      return SIM_AUTH_CODE_INVALID;
    }

  if (hit->fault == RD_GATEWAY_SIM_FAULT_USERPAYING && payer == RD_GATEWAY_SIM_PAYER_PAYS)
    {
      payer = RD_GATEWAY_SIM_PAYER_CONFIRMS;
      n = MAX (hit->param, 1);
    }

  switch (payer)
    {
    case RD_GATEWAY_SIM_PAYER_PAYS:
      charge (self, order);
      return SIM_OK;

    case RD_GATEWAY_SIM_PAYER_CONFIRMS:
    case RD_GATEWAY_SIM_PAYER_NEVER_CONFIRMS:
    case RD_GATEWAY_SIM_PAYER_CANCELS:
      order->state = RD_TRADE_STATE_USERPAYING;
      order->queries_left = payer == RD_GATEWAY_SIM_PAYER_NEVER_CONFIRMS ? G_MAXUINT : n;
      order->resolves_to = payer == RD_GATEWAY_SIM_PAYER_CANCELS
                           ? (order->gateway == RD_PAYMENT_GATEWAY_ALIPAY
                              ? RD_TRADE_STATE_CLOSED : RD_TRADE_STATE_PAYERROR)
                           : RD_TRADE_STATE_SUCCESS;
      return SIM_OK;

    case RD_GATEWAY_SIM_PAYER_NO_MONEY:
      order->state = RD_TRADE_STATE_PAYERROR;
      order->refusal = SIM_NO_MONEY;
      return SIM_NO_MONEY;

    case RD_GATEWAY_SIM_PAYER_CODE_EXPIRED:
    default:
      order->state = RD_TRADE_STATE_PAYERROR;
      order->refusal = SIM_AUTH_CODE_INVALID;
      return SIM_AUTH_CODE_INVALID;
    }
}

void
sim_touch_order (RdGatewaySim *self,
                 SimOrder     *order,
                 gboolean      is_query)
{
  if (order->state == RD_TRADE_STATE_USERPAYING && is_query && order->queries_left != G_MAXUINT
      && --order->queries_left == 0)
    {
      if (order->resolves_to == RD_TRADE_STATE_SUCCESS)
        charge (self, order);
      else
        order->state = order->resolves_to;
    }

  if (order->state == RD_TRADE_STATE_NOTPAY && order->expire_at > 0
      && g_get_real_time () / G_USEC_PER_SEC > order->expire_at)
    order->state = RD_TRADE_STATE_CLOSED;
}

void
sim_reverse (RdGatewaySim *self,
             SimOrder     *order,
             gboolean     *refunded_back)
{
  RdTradeState closed = order->gateway == RD_PAYMENT_GATEWAY_ALIPAY
                        ? RD_TRADE_STATE_CLOSED : RD_TRADE_STATE_REVOKED;

  *refunded_back = FALSE;

  switch (order->state)
    {
    case RD_TRADE_STATE_SUCCESS:
    case RD_TRADE_STATE_REFUND:
      *refunded_back = TRUE;
      order->reversed = TRUE;
      order->refunded = order->amount;
      self->stats.reversed++;
      order->state = closed;
      break;

    case RD_TRADE_STATE_NOTPAY:
    case RD_TRADE_STATE_USERPAYING:
    case RD_TRADE_STATE_PAYERROR:
    case RD_TRADE_STATE_UNKNOWN:
      order->state = closed;
      order->exists = TRUE;
      break;

    case RD_TRADE_STATE_CLOSED:
    case RD_TRADE_STATE_REVOKED:
    default:
      order->exists = TRUE;
      break;
    }
}

SimStatus
sim_close (RdGatewaySim *self,
           SimOrder     *order)
{
  switch (order->state)
    {
    case RD_TRADE_STATE_SUCCESS:
    case RD_TRADE_STATE_REFUND:
      return SIM_ALREADY_PAID;

    case RD_TRADE_STATE_NOTPAY:
    case RD_TRADE_STATE_USERPAYING:
    case RD_TRADE_STATE_PAYERROR:
    case RD_TRADE_STATE_CLOSED:
    case RD_TRADE_STATE_REVOKED:
    case RD_TRADE_STATE_UNKNOWN:
    default:
      if (order->state != RD_TRADE_STATE_REVOKED)
        order->state = RD_TRADE_STATE_CLOSED;
      return SIM_OK;
    }
}

SimStatus
sim_refund (RdGatewaySim      *self,
            RdPaymentGateway   gateway,
            const char        *out_trade_no,
            const char        *out_refund_no,
            gint64             amount,
            SimRefund        **out_refund)
{
  SimOrder *order = sim_lookup_order (self, gateway, out_trade_no);
  SimRefund *refund = sim_lookup_refund (self, gateway, out_refund_no);

  *out_refund = refund;

  /* The same number again: the same refund, no more money. */
  if (refund != NULL)
    {
      if (!g_str_equal (refund->out_trade_no, out_trade_no) || refund->amount != amount)
        return SIM_NUMBER_USED;
      return SIM_OK;
    }

  if (order == NULL || !order->exists)
    return SIM_NOT_FOUND;
  if (order->state != RD_TRADE_STATE_SUCCESS && order->state != RD_TRADE_STATE_REFUND)
    return SIM_BAD_STATE;
  if (amount <= 0 || amount > order->amount - order->refunded)
    return SIM_REFUND_TOO_MUCH;

  refund = g_new0 (SimRefund, 1);
  refund->gateway = gateway;
  refund->out_refund_no = g_strdup (out_refund_no);
  refund->out_trade_no = g_strdup (out_trade_no);
  refund->refund_id = sim_new_id (self, gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "R" : "5030");
  refund->amount = amount;
  refund->state = RD_REFUND_STATE_PROCESSING;
  refund->created = sim_now ();
  refund->moved = 1;
  g_hash_table_insert (self->refunds, table_key (gateway, out_refund_no), refund);

  order->refunded += amount;
  order->n_refunds++;
  if (gateway == RD_PAYMENT_GATEWAY_WECHATPAY)
    order->state = RD_TRADE_STATE_REFUND;
  else if (order->refunded == order->amount)
    order->state = RD_TRADE_STATE_CLOSED;
  self->stats.refunds++;

  *out_refund = refund;

  return SIM_OK;
}

/* ---- Faults ----------------------------------------------------------- */

static gboolean
fault_fits_op (RdGatewaySimFault  fault,
               const char        *op)
{
  switch (fault)
    {
    case RD_GATEWAY_SIM_FAULT_USERPAYING:
      return g_str_equal (op, "pay");
    case RD_GATEWAY_SIM_FAULT_DUPLICATE_NOTIFY:
      return g_str_equal (op, "pay") || g_str_equal (op, "create");
    case RD_GATEWAY_SIM_FAULT_TRUNCATE:
      return g_str_equal (op, "download");
    case RD_GATEWAY_SIM_FAULT_BAD_SIGNATURE:
      /* Neither SMS gateway signs its answers. */
      return !g_str_equal (op, "sms");
    case RD_GATEWAY_SIM_FAULT_NONE:
    case RD_GATEWAY_SIM_FAULT_DELAY:
    case RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR:
    case RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED:
    case RD_GATEWAY_SIM_FAULT_DROP_AFTER:
    default:
      return TRUE;
    }
}

SimFaultHit
sim_take_fault (RdGatewaySim     *self,
                RdPaymentGateway  gateway,
                const char       *op)
{
  SimFaultHit hit = { RD_GATEWAY_SIM_FAULT_NONE, 0 };

  for (GList *l = self->faults.head; l != NULL; l = l->next)
    {
      FaultRule *rule = l->data;

      if ((rule->gateway >= 0 && rule->gateway != (int) gateway)
          || (rule->op != NULL && !g_str_equal (rule->op, op))
          || !fault_fits_op (rule->fault, op))
        continue;

      hit.fault = rule->fault;
      hit.param = rule->param;
      if (--rule->count == 0)
        {
          g_queue_delete_link (&self->faults, l);
          fault_rule_free (rule);
        }
      self->stats.faults++;
      return hit;
    }

  if (self->fault_rate > 0 && g_rand_double (self->rand) < self->fault_rate)
    {
      static const RdGatewaySimFault storm[] = {
        RD_GATEWAY_SIM_FAULT_DELAY,
        RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR,
        RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED,
        RD_GATEWAY_SIM_FAULT_DROP_AFTER,
        RD_GATEWAY_SIM_FAULT_BAD_SIGNATURE,
        RD_GATEWAY_SIM_FAULT_USERPAYING,
      };

      hit.fault = storm[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (storm))];
      if (!fault_fits_op (hit.fault, op))
        hit.fault = RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR;
      if (hit.fault == RD_GATEWAY_SIM_FAULT_DELAY)
        hit.param = self->fault_delay_ms;
      else if (hit.fault == RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR)
        hit.param = g_rand_boolean (self->rand);
      else
        hit.param = g_rand_int_range (self->rand, 1, 4);
      self->stats.faults++;
    }

  return hit;
}

typedef struct
{
  SoupServerMessage *msg;
  gboolean           gone;
} Delayed;

static void
on_delayed_gone (SoupServerMessage *msg,
                 Delayed           *delayed)
{
  delayed->gone = TRUE;
}

static gboolean
on_delay_over (gpointer user_data)
{
  Delayed *delayed = user_data;

  if (!delayed->gone)
    soup_server_message_unpause (delayed->msg);

  g_signal_handlers_disconnect_by_data (delayed->msg, delayed);
  g_object_unref (delayed->msg);
  g_free (delayed);

  return G_SOURCE_REMOVE;
}

void
sim_deliver (RdGatewaySim      *self,
             SoupServerMessage *msg,
             SimFaultHit        hit)
{
  self->stats.requests++;

  if (hit.fault == RD_GATEWAY_SIM_FAULT_DROP_AFTER)
    {
      g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

      /* The work is done; the answer never leaves. */
      if (stream != NULL)
        g_io_stream_close (stream, NULL, NULL);
    }
  else if (hit.fault == RD_GATEWAY_SIM_FAULT_DELAY)
    {
      Delayed *delayed = g_new0 (Delayed, 1);

      delayed->msg = g_object_ref (msg);
      g_signal_connect (msg, "disconnected", G_CALLBACK (on_delayed_gone), delayed);
      g_signal_connect (msg, "finished", G_CALLBACK (on_delayed_gone), delayed);
      soup_server_message_pause (msg);
      g_timeout_add (hit.param, on_delay_over, delayed);
    }
}

GBytes *
sim_request_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  return soup_message_body_flatten (body);
}

/* ---- Notifications ------------------------------------------------------ */

static void
notify_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RdGatewaySim) self = user_data;
  g_autoptr(GBytes) body = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  if (body != NULL && SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    self->stats.notifications++;
}

void
sim_notify_paid (RdGatewaySim *self,
                 SimOrder     *order)
{
  g_autofree char *body = NULL;
  guint times;

  if (order->notify_url == NULL)
    return;

  times = order->duplicate_notify ? 2 : 1;
  for (guint i = 0; i < times; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", order->notify_url);
      g_autoptr(GBytes) bytes = NULL;
      const char *content_type;
      gsize len;

      if (msg == NULL)
        return;

      if (order->gateway == RD_PAYMENT_GATEWAY_WECHATPAY)
        {
          body = sim_wechat_notification (self, order, soup_message_get_request_headers (msg));
          content_type = "application/json";
        }
      else
        {
          body = sim_alipay_notification (self, order);
          content_type = "application/x-www-form-urlencoded;charset=utf-8";
        }
      if (body == NULL)
        return;

      len = strlen (body);
      bytes = g_bytes_new_take (g_steal_pointer (&body), len);
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
      soup_session_send_and_read_async (self->notify_session, msg, G_PRIORITY_DEFAULT, NULL,
                                        notify_cb, g_object_ref (self));
    }
}

/* ---- The simulator's own endpoints -------------------------------------- */

static void
set_json_response (SoupServerMessage *msg,
                   guint              status,
                   JsonBuilder       *builder)
{
  g_autofree char *json = rd_gateway_json_to_string (builder);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                    strlen (json));
}

static void
set_sim_error (SoupServerMessage *msg,
               guint              status,
               const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  set_json_response (msg, status, b);
}

static SimOrder *
find_by_code_url (RdGatewaySim *self,
                  const char   *code_url)
{
  GHashTableIter iter;
  SimOrder *order;

  g_hash_table_iter_init (&iter, self->orders);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &order))
    {
      if (g_strcmp0 (order->code_url, code_url) == 0)
        return order;
    }

  return NULL;
}

static gboolean
scan_order (RdGatewaySim  *self,
            SimOrder      *order,
            GError       **error)
{
  sim_touch_order (self, order, FALSE);

  if (!order->qr)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED,
                   "order %s is not a QR order", order->out_trade_no);
      return FALSE;
    }
  if (order->state == RD_TRADE_STATE_SUCCESS || order->state == RD_TRADE_STATE_REFUND)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED,
                   "order %s is paid already", order->out_trade_no);
      return FALSE;
    }
  if (order->state != RD_TRADE_STATE_NOTPAY)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED,
                   "order %s is %s", order->out_trade_no, rd_trade_state_to_string (order->state));
      return FALSE;
    }

  order->exists = TRUE;
  charge (self, order);

  return TRUE;
}

static void
handle_sim_faults (RdGatewaySim *self,
                   JsonObject   *request)
{
  static const struct {
    const char       *name;
    RdGatewaySimFault fault;
  } names[] = {
    { "delay", RD_GATEWAY_SIM_FAULT_DELAY },
    { "system_error", RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR },
    { "frequency_limited", RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED },
    { "userpaying", RD_GATEWAY_SIM_FAULT_USERPAYING },
    { "drop_after", RD_GATEWAY_SIM_FAULT_DROP_AFTER },
    { "bad_signature", RD_GATEWAY_SIM_FAULT_BAD_SIGNATURE },
    { "duplicate_notify", RD_GATEWAY_SIM_FAULT_DUPLICATE_NOTIFY },
    { "truncate", RD_GATEWAY_SIM_FAULT_TRUNCATE },
  };
  const char *fault = rd_gateway_json_get_string (request, "fault");

  if (json_object_has_member (request, "clear"))
    rd_gateway_sim_clear_faults (self);

  if (json_object_has_member (request, "rate"))
    rd_gateway_sim_set_fault_rate (self, json_object_get_double_member (request, "rate"),
                                   rd_gateway_json_get_int (request, "seed", 1),
                                   rd_gateway_json_get_int (request, "delay_ms", 3000));

  for (guint i = 0; fault != NULL && i < G_N_ELEMENTS (names); i++)
    {
      if (g_str_equal (fault, names[i].name))
        rd_gateway_sim_add_fault (self, names[i].fault,
                                  rd_gateway_json_get_string (request, "match"),
                                  rd_gateway_json_get_int (request, "count", 1),
                                  rd_gateway_json_get_int (request, "param", 0));
    }
}

static void
handle_sim (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  RdGatewaySim *self = user_data;
  g_autoptr(GBytes) body = sim_request_body (msg);
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/sim/stats") && g_str_equal (method, "GET"))
    {
      json_builder_begin_object (b);
#define STAT(field) \
      json_builder_set_member_name (b, #field); \
      json_builder_add_int_value (b, self->stats.field)
      STAT (requests);
      STAT (bad_signatures);
      STAT (faults);
      STAT (orders);
      STAT (charges);
      STAT (paid_twice);
      STAT (reversed);
      STAT (refunds);
      STAT (refunded_twice);
      STAT (notifications);
      STAT (sms);
#undef STAT
      json_builder_end_object (b);
      set_json_response (msg, SOUP_STATUS_OK, b);
      return;
    }

  if (g_str_equal (path, "/sim/sms") && g_str_equal (method, "GET"))
    {
      g_autoptr(JsonNode) log = sim_sms_log_to_json (self, query != NULL
                                                           ? g_hash_table_lookup (query, "out_id")
                                                           : NULL);
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *json = NULL;

      json_generator_set_root (generator, log);
      json = json_generator_to_data (generator, NULL);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                        strlen (json));
      return;
    }

  if (!g_str_equal (method, "POST"))
    {
      set_sim_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "POST only");
      return;
    }

  if (g_str_equal (path, "/sim/reset"))
    {
      rd_gateway_sim_reset (self);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  request = rd_gateway_json_parse_object (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                          NULL);
  if (request == NULL)
    {
      set_sim_error (msg, SOUP_STATUS_BAD_REQUEST, "a JSON object please");
      return;
    }

  if (g_str_equal (path, "/sim/faults"))
    {
      handle_sim_faults (self, request);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  if (g_str_equal (path, "/sim/scan"))
    {
      const char *no = rd_gateway_json_get_string (request, "out_trade_no");
      const char *code_url = rd_gateway_json_get_string (request, "code_url");
      const char *gateway = rd_gateway_json_get_string (request, "gateway");
      g_autoptr(GError) error = NULL;
      SimOrder *order = NULL;

      if (code_url != NULL)
        order = find_by_code_url (self, code_url);
      else if (no != NULL)
        {
          if (g_strcmp0 (gateway, "alipay") != 0)
            order = sim_lookup_order (self, RD_PAYMENT_GATEWAY_WECHATPAY, no);
          if (order == NULL && g_strcmp0 (gateway, "wechatpay") != 0)
            order = sim_lookup_order (self, RD_PAYMENT_GATEWAY_ALIPAY, no);
        }

      if (order == NULL)
        set_sim_error (msg, SOUP_STATUS_NOT_FOUND, "no such QR order");
      else if (!scan_order (self, order, &error))
        set_sim_error (msg, SOUP_STATUS_CONFLICT, error->message);
      else
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "out_trade_no");
          json_builder_add_string_value (b, order->out_trade_no);
          json_builder_set_member_name (b, "transaction_id");
          json_builder_add_string_value (b, order->transaction_id);
          json_builder_end_object (b);
          set_json_response (msg, SOUP_STATUS_OK, b);
        }
      return;
    }

  set_sim_error (msg, SOUP_STATUS_NOT_FOUND, "no such simulator endpoint");
}

/* ---- Keys and credentials ----------------------------------------------- */

static char *
random_serial (void)
{
  GString *serial = g_string_new (NULL);

  /* A leading 1-F keeps the hex free of sign padding. */
  g_string_append_printf (serial, "%X", g_random_int_range (1, 16));
  for (guint i = 0; i < 39; i++)
    g_string_append_printf (serial, "%X", g_random_int_range (0, 16));

  return g_string_free (serial, FALSE);
}

static gboolean
make_platform_cert (RdGatewaySim  *self,
                    GError       **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_before = g_date_time_add_days (now, -1);
  g_autoptr(GDateTime) not_after = g_date_time_add_years (now, 5);

  self->platform_cert_pem = rd_rsa_key_create_certificate (self->platform_key,
                                                           self->platform_serial,
                                                           "Regdesk WeChat Pay simulator",
                                                           not_before, not_after, error);

  return self->platform_cert_pem != NULL;
}

static void
rd_gateway_sim_dispose (GObject *object)
{
  RdGatewaySim *self = (RdGatewaySim *) object;

  rd_gateway_sim_stop (self);
  g_clear_object (&self->server);
  if (self->notify_session != NULL)
    soup_session_abort (self->notify_session);
  g_clear_object (&self->notify_session);
  g_clear_object (&self->credentials);

  G_OBJECT_CLASS (rd_gateway_sim_parent_class)->dispose (object);
}

static void
rd_gateway_sim_finalize (GObject *object)
{
  RdGatewaySim *self = (RdGatewaySim *) object;

  g_free (self->base_url);
  g_free (self->mchid);
  g_free (self->appid);
  rd_crypto_free_secret (self->apiv3_key);
  g_free (self->merchant_serial);
  g_clear_pointer (&self->merchant_key, rd_rsa_key_unref);
  g_clear_pointer (&self->merchant_public, rd_rsa_public_key_unref);
  g_free (self->platform_serial);
  g_free (self->platform_cert_pem);
  g_clear_pointer (&self->platform_key, rd_rsa_key_unref);
  g_free (self->alipay_app_id);
  g_clear_pointer (&self->alipay_app_key, rd_rsa_key_unref);
  g_clear_pointer (&self->alipay_app_public, rd_rsa_public_key_unref);
  g_clear_pointer (&self->alipay_key, rd_rsa_key_unref);
  g_clear_pointer (&self->orders, g_hash_table_unref);
  g_clear_pointer (&self->refunds, g_hash_table_unref);
  g_queue_clear_full (&self->faults, (GDestroyNotify) fault_rule_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_free (self->aliyun_key_id);
  rd_crypto_free_secret (self->aliyun_key_secret);
  g_free (self->tencent_secret_id);
  rd_crypto_free_secret (self->tencent_secret_key);
  g_free (self->tencent_app_id);
  g_free (self->sms_sign_name);
  g_clear_pointer (&self->sms_log, g_ptr_array_unref);
  g_clear_pointer (&self->sms_nonces, g_hash_table_unref);

  G_OBJECT_CLASS (rd_gateway_sim_parent_class)->finalize (object);
}

static void
rd_gateway_sim_class_init (RdGatewaySimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_gateway_sim_dispose;
  object_class->finalize = rd_gateway_sim_finalize;
}

static void
rd_gateway_sim_init (RdGatewaySim *self)
{
  self->orders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) sim_order_free);
  self->refunds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) sim_refund_free);
  g_queue_init (&self->faults);
  self->rand = g_rand_new_with_seed (1);
  self->fault_delay_ms = 3000;
  self->notify_session = soup_session_new_with_options ("timeout", 5, NULL);
  self->mchid = g_strdup (SIM_MCHID);
  self->appid = g_strdup (SIM_APPID);
  self->alipay_app_id = g_strdup (SIM_ALIPAY_APP);

  {
    g_autofree char *aliyun_id = rd_crypto_nonce ();
    g_autofree char *tencent_id = rd_crypto_nonce ();

    self->aliyun_key_id = g_strconcat ("LTAI", aliyun_id, NULL);
    self->tencent_secret_id = g_strconcat ("AKID", tencent_id, NULL);
  }
  self->aliyun_key_secret = rd_crypto_nonce ();
  self->tencent_secret_key = rd_crypto_nonce ();
  self->tencent_app_id = g_strdup (SIM_SMS_APP_ID);
  self->sms_sign_name = g_strdup (SIM_SMS_SIGN);
  self->sms_log = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->sms_nonces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

RdGatewaySim *
rd_gateway_sim_new (GError **error)
{
  g_autoptr(RdGatewaySim) self = g_object_new (RD_TYPE_GATEWAY_SIM, NULL);

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self->merchant_key = rd_rsa_key_generate (SIM_KEY_BITS, error);
  if (self->merchant_key == NULL)
    return NULL;
  self->platform_key = rd_rsa_key_generate (SIM_KEY_BITS, error);
  if (self->platform_key == NULL)
    return NULL;
  self->alipay_app_key = rd_rsa_key_generate (SIM_KEY_BITS, error);
  if (self->alipay_app_key == NULL)
    return NULL;
  self->alipay_key = rd_rsa_key_generate (SIM_KEY_BITS, error);
  if (self->alipay_key == NULL)
    return NULL;

  self->merchant_public = rd_rsa_key_get_public_key (self->merchant_key);
  self->alipay_app_public = rd_rsa_key_get_public_key (self->alipay_app_key);
  self->merchant_serial = random_serial ();
  self->platform_serial = random_serial ();
  self->apiv3_key = rd_crypto_nonce ();
  g_assert (strlen (self->apiv3_key) == 32);

  if (!make_platform_cert (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static RdRsaKey *
key_from (GKeyFile    *key_file,
          const char  *group,
          const char  *key,
          GError     **error)
{
  char *pem = g_key_file_get_string (key_file, group, key, NULL);
  RdRsaKey *rsa;

  if (pem == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The simulator’s key file lacks [%s] %s"), group, key);
      return NULL;
    }

  rsa = rd_rsa_key_new_from_pem (pem, -1, error);
  rd_crypto_free_secret (pem);

  return rsa;
}

RdGatewaySim *
rd_gateway_sim_new_from_file (const char  *path,
                              GError     **error)
{
  g_autoptr(RdGatewaySim) self = g_object_new (RD_TYPE_GATEWAY_SIM, NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;
  const char *data;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  contents = rd_crypto_read_private_file (path, error);
  if (contents == NULL)
    return NULL;
  data = g_bytes_get_data (contents, &len);
  ok = g_key_file_load_from_data (key_file, data != NULL ? data : "", len, G_KEY_FILE_NONE,
                                  &local_error);
  rd_crypto_clear ((gpointer) data, len);
  if (!ok)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The simulator’s key file cannot be read: %s"), local_error->message);
      return NULL;
    }

  if ((self->merchant_key = key_from (key_file, "wechatpay", "private_key", error)) == NULL
      || (self->platform_key = key_from (key_file, "simulator", "wechatpay_platform_key",
                                         error)) == NULL
      || (self->alipay_app_key = key_from (key_file, "alipay", "private_key", error)) == NULL
      || (self->alipay_key = key_from (key_file, "simulator", "alipay_key", error)) == NULL)
    return NULL;

  g_free (self->mchid);
  self->mchid = g_key_file_get_string (key_file, "wechatpay", "mchid", NULL);
  g_free (self->appid);
  self->appid = g_key_file_get_string (key_file, "wechatpay", "appid", NULL);
  self->merchant_serial = g_key_file_get_string (key_file, "wechatpay", "serial_no", NULL);
  self->apiv3_key = g_key_file_get_string (key_file, "wechatpay", "apiv3_key", NULL);
  self->platform_serial = g_key_file_get_string (key_file, "simulator",
                                                 "wechatpay_platform_serial", NULL);
  g_free (self->alipay_app_id);
  self->alipay_app_id = g_key_file_get_string (key_file, "alipay", "app_id", NULL);
  if (self->mchid == NULL || self->appid == NULL || self->merchant_serial == NULL
      || self->apiv3_key == NULL || strlen (self->apiv3_key) != 32
      || self->platform_serial == NULL || self->alipay_app_id == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The simulator’s key file is incomplete"));
      return NULL;
    }

  self->merchant_public = rd_rsa_key_get_public_key (self->merchant_key);
  self->alipay_app_public = rd_rsa_key_get_public_key (self->alipay_app_key);
  if (!make_platform_cert (self, error))
    return NULL;

  /* Files written before the simulator spoke SMS have no such groups. */
  if (g_key_file_has_group (key_file, "aliyun-sms"))
    {
      g_free (self->aliyun_key_id);
      self->aliyun_key_id = g_key_file_get_string (key_file, "aliyun-sms", "access_key_id", NULL);
      rd_crypto_free_secret (self->aliyun_key_secret);
      self->aliyun_key_secret = g_key_file_get_string (key_file, "aliyun-sms",
                                                       "access_key_secret", NULL);
    }
  if (g_key_file_has_group (key_file, "tencent-sms"))
    {
      g_free (self->tencent_secret_id);
      self->tencent_secret_id = g_key_file_get_string (key_file, "tencent-sms", "secret_id", NULL);
      rd_crypto_free_secret (self->tencent_secret_key);
      self->tencent_secret_key = g_key_file_get_string (key_file, "tencent-sms", "secret_key",
                                                        NULL);
      g_free (self->tencent_app_id);
      self->tencent_app_id = g_key_file_get_string (key_file, "tencent-sms", "sdk_app_id", NULL);
    }
  if (self->aliyun_key_id == NULL || self->aliyun_key_secret == NULL
      || self->tencent_secret_id == NULL || self->tencent_secret_key == NULL
      || self->tencent_app_id == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The simulator’s key file is incomplete"));
      return NULL;
    }

  return g_steal_pointer (&self);
}

gboolean
rd_gateway_sim_start (RdGatewaySim  *self,
                      guint          port,
                      GError       **error)
{
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;
  GSList *uris;

  g_return_val_if_fail (RD_IS_GATEWAY_SIM (self), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->server = soup_server_new ("server-header", "regdesk-gateway-sim ", NULL);
  rd_gateway_http_server_one_request_per_connection (self->server);
  soup_server_add_handler (self->server, "/sim", handle_sim, self, NULL);
  sim_wechat_register (self);
  sim_alipay_register (self);
  sim_sms_register (self);

  /* Loopback only: the simulator is for this machine. */
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, port);
  if (!soup_server_listen (self->server, address, 0, &local_error))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_NETWORK,
                   _("The gateway simulator cannot listen on port %u: %s"), port,
                   local_error->message);
      g_clear_object (&self->server);
      return FALSE;
    }

  uris = soup_server_get_uris (self->server);
  g_assert (uris != NULL);
  self->base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_clear_object (&self->credentials);

  return TRUE;
}

void
rd_gateway_sim_stop (RdGatewaySim *self)
{
  g_return_if_fail (RD_IS_GATEWAY_SIM (self));

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->base_url, g_free);
}

const char *
rd_gateway_sim_get_base_url (RdGatewaySim *self)
{
  g_return_val_if_fail (RD_IS_GATEWAY_SIM (self), NULL);

  return self->base_url;
}

static void
set_pem (GKeyFile   *key_file,
         const char *group,
         const char *key,
         char       *pem)
{
  g_key_file_set_string (key_file, group, key, pem);
  rd_crypto_free_secret (pem);
}

GKeyFile *
rd_gateway_sim_create_key_file (RdGatewaySim *self)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *alipay_url = NULL;
  const char *base;

  g_return_val_if_fail (RD_IS_GATEWAY_SIM (self), NULL);

  base = self->base_url != NULL ? self->base_url : "http://127.0.0.1:8990";
  alipay_url = g_strconcat (base, "/gateway.do", NULL);

  g_key_file_set_comment (key_file, NULL, NULL,
                          " Regdesk gateway simulator credentials: for tests and the demo only",
                          NULL);
  g_key_file_set_string (key_file, "wechatpay", "base_url", base);
  g_key_file_set_string (key_file, "wechatpay", "mchid", self->mchid);
  g_key_file_set_string (key_file, "wechatpay", "appid", self->appid);
  g_key_file_set_string (key_file, "wechatpay", "serial_no", self->merchant_serial);
  set_pem (key_file, "wechatpay", "private_key", rd_rsa_key_to_pem (self->merchant_key, NULL));
  g_key_file_set_string (key_file, "wechatpay", "apiv3_key", self->apiv3_key);
  g_key_file_set_string (key_file, "wechatpay", "platform_certificate", self->platform_cert_pem);
  g_key_file_set_double (key_file, "wechatpay", "timeout", 10);

  g_key_file_set_string (key_file, "alipay", "gateway_url", alipay_url);
  g_key_file_set_string (key_file, "alipay", "app_id", self->alipay_app_id);
  set_pem (key_file, "alipay", "private_key", rd_rsa_key_to_pem (self->alipay_app_key, NULL));
  {
    g_autoptr(RdRsaPublicKey) alipay_public = rd_rsa_key_get_public_key (self->alipay_key);

    set_pem (key_file, "alipay", "alipay_public_key",
             rd_rsa_public_key_to_pem (alipay_public, NULL));
  }
  g_key_file_set_double (key_file, "alipay", "timeout", 10);

  set_pem (key_file, "simulator", "wechatpay_platform_key",
           rd_rsa_key_to_pem (self->platform_key, NULL));
  g_key_file_set_string (key_file, "simulator", "wechatpay_platform_serial",
                         self->platform_serial);
  set_pem (key_file, "simulator", "alipay_key", rd_rsa_key_to_pem (self->alipay_key, NULL));

  g_key_file_set_string (key_file, "aliyun-sms", "base_url", base);
  g_key_file_set_string (key_file, "aliyun-sms", "access_key_id", self->aliyun_key_id);
  g_key_file_set_string (key_file, "aliyun-sms", "access_key_secret", self->aliyun_key_secret);
  g_key_file_set_string (key_file, "aliyun-sms", "sign_name", self->sms_sign_name);
  g_key_file_set_double (key_file, "aliyun-sms", "timeout", 10);

  g_key_file_set_string (key_file, "tencent-sms", "base_url", base);
  g_key_file_set_string (key_file, "tencent-sms", "secret_id", self->tencent_secret_id);
  g_key_file_set_string (key_file, "tencent-sms", "secret_key", self->tencent_secret_key);
  g_key_file_set_string (key_file, "tencent-sms", "sdk_app_id", self->tencent_app_id);
  g_key_file_set_string (key_file, "tencent-sms", "sign_name", self->sms_sign_name);
  g_key_file_set_double (key_file, "tencent-sms", "timeout", 10);

  return g_steal_pointer (&key_file);
}

gboolean
rd_gateway_sim_write_credentials (RdGatewaySim  *self,
                                  const char    *path,
                                  GError       **error)
{
  g_autoptr(GKeyFile) key_file = NULL;

  g_return_val_if_fail (RD_IS_GATEWAY_SIM (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key_file = rd_gateway_sim_create_key_file (self);

  return rd_gateway_credentials_write_key_file (key_file, path, error);
}

RdGatewayCredentials *
rd_gateway_sim_get_credentials (RdGatewaySim *self)
{
  g_return_val_if_fail (RD_IS_GATEWAY_SIM (self), NULL);

  if (self->credentials == NULL)
    {
      g_autoptr(GKeyFile) key_file = rd_gateway_sim_create_key_file (self);
      g_autoptr(GError) error = NULL;

      self->credentials = rd_gateway_credentials_new_from_key_file (key_file, NULL, &error);
      if (self->credentials == NULL)
        g_critical ("The simulator’s own credentials do not load: %s", error->message);
    }

  return self->credentials;
}

void
rd_gateway_sim_add_fault (RdGatewaySim      *self,
                          RdGatewaySimFault  fault,
                          const char        *match,
                          guint              count,
                          guint              param)
{
  FaultRule *rule;
  const char *colon;

  g_return_if_fail (RD_IS_GATEWAY_SIM (self));

  if (fault == RD_GATEWAY_SIM_FAULT_NONE || count == 0)
    return;

  rule = g_new0 (FaultRule, 1);
  rule->fault = fault;
  rule->count = count;
  rule->param = param;
  rule->gateway = -1;

  colon = match != NULL ? strchr (match, ':') : NULL;
  if (colon != NULL)
    {
      if (strncmp (match, "wechatpay", colon - match) == 0)
        rule->gateway = RD_PAYMENT_GATEWAY_WECHATPAY;
      else if (strncmp (match, "alipay", colon - match) == 0)
        rule->gateway = RD_PAYMENT_GATEWAY_ALIPAY;
      else if (strncmp (match, "aliyun", colon - match) == 0)
        rule->gateway = SIM_GATEWAY_ALIYUN_SMS;
      else if (strncmp (match, "tencent", colon - match) == 0)
        rule->gateway = SIM_GATEWAY_TENCENT_SMS;
      match = colon + 1;
    }
  if (match != NULL && *match != '\0' && !g_str_equal (match, "*"))
    rule->op = g_strdup (match);

  g_queue_push_tail (&self->faults, rule);
}

void
rd_gateway_sim_set_fault_rate (RdGatewaySim *self,
                               double        rate,
                               guint32       seed,
                               guint         delay_ms)
{
  g_return_if_fail (RD_IS_GATEWAY_SIM (self));

  self->fault_rate = CLAMP (rate, 0.0, 1.0);
  g_rand_set_seed (self->rand, seed);
  self->fault_delay_ms = delay_ms;
}

void
rd_gateway_sim_clear_faults (RdGatewaySim *self)
{
  g_return_if_fail (RD_IS_GATEWAY_SIM (self));

  g_queue_clear_full (&self->faults, (GDestroyNotify) fault_rule_free);
  self->fault_rate = 0;
}

void
rd_gateway_sim_reset (RdGatewaySim *self)
{
  g_return_if_fail (RD_IS_GATEWAY_SIM (self));

  rd_gateway_sim_clear_faults (self);
  g_hash_table_remove_all (self->orders);
  g_hash_table_remove_all (self->refunds);
  g_ptr_array_set_size (self->sms_log, 0);
  g_hash_table_remove_all (self->sms_nonces);
  self->stats = (RdGatewaySimStats) { 0 };
}

guint
rd_gateway_sim_count_sms (RdGatewaySim *self,
                          const char   *out_id)
{
  guint n = 0;

  g_return_val_if_fail (RD_IS_GATEWAY_SIM (self), 0);

  for (guint i = 0; i < self->sms_log->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (self->sms_log, i);

      if (out_id == NULL
          || g_strcmp0 (json_object_get_string_member_with_default (entry, "out_id", NULL),
                        out_id) == 0)
        n++;
    }

  return n;
}

GHashTable *
rd_gateway_sim_count_sms_by_out_id (RdGatewaySim *self)
{
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_return_val_if_fail (RD_IS_GATEWAY_SIM (self), counts);

  for (guint i = 0; i < self->sms_log->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (self->sms_log, i);
      const char *out_id = json_object_get_string_member_with_default (entry, "out_id", NULL);
      guint n;

      if (out_id == NULL)
        continue;
      n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, out_id));
      g_hash_table_replace (counts, g_strdup (out_id), GUINT_TO_POINTER (n + 1));
    }

  return counts;
}

gboolean
rd_gateway_sim_scan (RdGatewaySim      *self,
                     RdPaymentGateway   gateway,
                     const char        *out_trade_no,
                     GError           **error)
{
  SimOrder *order;

  g_return_val_if_fail (RD_IS_GATEWAY_SIM (self), FALSE);
  g_return_val_if_fail (out_trade_no != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  order = sim_lookup_order (self, gateway, out_trade_no);
  if (order == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED,
                   "no QR order %s", out_trade_no);
      return FALSE;
    }

  return scan_order (self, order, error);
}

char *
rd_gateway_sim_make_auth_code (RdPaymentGateway  gateway,
                               RdGatewaySimPayer payer,
                               guint             n)
{
  GString *code = g_string_new (gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "28" : "13");

  g_string_append_printf (code, "%02d%u", (int) payer, CLAMP (n, 1, 9));
  while (code->len < 18)
    g_string_append_c (code, '0' + g_random_int_range (0, 10));

  return g_string_free (code, FALSE);
}

void
rd_gateway_sim_get_stats (RdGatewaySim      *self,
                          RdGatewaySimStats *stats)
{
  g_return_if_fail (RD_IS_GATEWAY_SIM (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
}

gboolean
rd_gateway_sim_get_order (RdGatewaySim      *self,
                          RdPaymentGateway   gateway,
                          const char        *out_trade_no,
                          RdGatewaySimOrder *out)
{
  SimOrder *order;

  g_return_val_if_fail (RD_IS_GATEWAY_SIM (self), FALSE);
  g_return_val_if_fail (out_trade_no != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  order = sim_lookup_order (self, gateway, out_trade_no);
  if (order == NULL)
    return FALSE;

  out->state = order->state;
  out->amount = order->amount;
  out->charges = order->charges;
  out->refunded = order->refunded;
  out->n_refunds = order->n_refunds;

  return TRUE;
}
