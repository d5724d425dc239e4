/* test-gateway-sim.c: both payment providers against the gateway simulator
 * over real HTTP on loopback, and the payment flows through its faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-alipay.h"
#include "rd-alipay-sign.h"
#include "rd-gateway-error.h"
#include "rd-gateway-http.h"
#include "rd-gateway-sim.h"
#include "rd-pay-flow.h"
#include "rd-wechat-pay.h"
#include "rd-wechatpay-sign.h"

/* Short, so that a delayed answer times out quickly. */
#define CLIENT_TIMEOUT_S 0.4
#define LATE_MS          900

static RdGatewaySim *sim;
static SoupSession *session;
static guint order_counter;

typedef struct
{
  RdPaymentGateway      gateway;
  RdGatewayCredentials *credentials;
  RdPaymentProvider    *provider;
  gint64                virtual_ms;
} Fixture;

/* ---- Waiting for async results -------------------------------------------- */

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

/* ---- A clock that jumps, so flows do not wait out real seconds ----------- */

static gint64
fake_now (gpointer data)
{
  return *(gint64 *) data;
}

static guint
fake_schedule (gpointer     data,
               guint        delay_ms,
               GSourceFunc  func,
               gpointer     user_data)
{
  *(gint64 *) data += delay_ms;

  return g_idle_add (func, user_data);
}

static void
fake_cancel (gpointer data,
             guint    id)
{
  g_source_remove (id);
}

static const RdPayClock fake_clock = { fake_now, fake_schedule, fake_cancel };

/* ---- Fixture --------------------------------------------------------------- */

static GKeyFile *
client_key_file (void)
{
  GKeyFile *kf = rd_gateway_sim_create_key_file (sim);

  g_key_file_set_double (kf, "wechatpay", "timeout", CLIENT_TIMEOUT_S);
  g_key_file_set_double (kf, "alipay", "timeout", CLIENT_TIMEOUT_S);

  return kf;
}

static RdPaymentProvider *
provider_for (RdPaymentGateway      gateway,
              RdGatewayCredentials *credentials)
{
  g_autoptr(GError) error = NULL;
  RdPaymentProvider *provider;

  if (gateway == RD_PAYMENT_GATEWAY_WECHATPAY)
    provider = RD_PAYMENT_PROVIDER (rd_wechat_pay_new (session, credentials, &error));
  else
    provider = RD_PAYMENT_PROVIDER (rd_alipay_new (session, credentials, &error));
  g_assert_no_error (error);

  return provider;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GKeyFile) kf = client_key_file ();
  g_autoptr(GError) error = NULL;

  rd_gateway_sim_reset (sim);
  f->gateway = GPOINTER_TO_INT (data);
  f->credentials = rd_gateway_credentials_new_from_key_file (kf, NULL, &error);
  g_assert_no_error (error);
  f->provider = provider_for (f->gateway, f->credentials);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  RdGatewaySimStats stats;

  rd_gateway_sim_get_stats (sim, &stats);
  /* Whatever a test did: never a double charge, never a double refund. */
  g_assert_cmpuint (stats.paid_twice, ==, 0);
  g_assert_cmpuint (stats.refunded_twice, ==, 0);

  g_clear_object (&f->provider);
  g_clear_object (&f->credentials);
}

static RdPayOrder *
new_order (gint64 amount)
{
  g_autofree char *no = g_strdup_printf ("RDT%08u%04u", ++order_counter,
                                         g_random_int_range (0, 9999));

  return rd_pay_order_new (no, "挂号费 内科 张医生", amount);
}

static char *
auth_code (Fixture           *f,
           RdGatewaySimPayer  payer,
           guint              n)
{
  return rd_gateway_sim_make_auth_code (f->gateway, payer, n);
}

static RdGatewaySimOrder
sim_order (Fixture    *f,
           const char *out_trade_no)
{
  RdGatewaySimOrder order = { 0 };

  g_assert_true (rd_gateway_sim_get_order (sim, f->gateway, out_trade_no, &order));

  return order;
}

/* ---- Synchronous wrappers --------------------------------------------------- */

static RdPayResult *
do_create (Fixture *f, const RdPayOrder *order, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  rd_payment_provider_create_qr_async (f->provider, order, NULL, got_result, &res);
  return rd_payment_provider_create_qr_finish (f->provider, await (&res), error);
}

static RdPayResult *
do_pay (Fixture *f, const RdPayOrder *order, const char *code, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  rd_payment_provider_pay_code_async (f->provider, order, code, NULL, got_result, &res);
  return rd_payment_provider_pay_code_finish (f->provider, await (&res), error);
}

static RdPayResult *
do_query (Fixture *f, const char *no, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  rd_payment_provider_query_async (f->provider, no, NULL, got_result, &res);
  return rd_payment_provider_query_finish (f->provider, await (&res), error);
}

static gboolean
do_close (Fixture *f, const char *no, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  rd_payment_provider_close_async (f->provider, no, NULL, got_result, &res);
  return rd_payment_provider_close_finish (f->provider, await (&res), error);
}

static gboolean
do_reverse (Fixture *f, const char *no, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  rd_payment_provider_reverse_async (f->provider, no, NULL, got_result, &res);
  return rd_payment_provider_reverse_finish (f->provider, await (&res), error);
}

static RdRefundResult *
do_refund (Fixture *f, const RdRefundRequest *request, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  rd_payment_provider_refund_async (f->provider, request, NULL, got_result, &res);
  return rd_payment_provider_refund_finish (f->provider, await (&res), error);
}

static RdRefundResult *
do_refund_query (Fixture *f, const char *no, const char *refund_no, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  rd_payment_provider_refund_query_async (f->provider, no, refund_no, NULL, got_result, &res);
  return rd_payment_provider_refund_query_finish (f->provider, await (&res), error);
}

static RdBill *
do_bill (Fixture *f, const char *date, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  rd_payment_provider_download_bill_async (f->provider, date, NULL, got_result, &res);
  return rd_payment_provider_download_bill_finish (f->provider, await (&res), error);
}

static RdPayFlowState
run_flow (Fixture     *f,
          RdPayFlow   *flow)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  RdPayFlowState state;

  rd_pay_flow_set_clock (flow, &fake_clock, &f->virtual_ms);
  rd_pay_flow_run_async (flow, NULL, got_result, &res);
  state = rd_pay_flow_run_finish (flow, await (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_pay_flow_get_n_charges (flow), <=, 1);

  return state;
}

static char *
today (void)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_offset (8 * 3600);
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);

  return g_date_time_format (now, "%Y-%m-%d");
}

static guint
post_sim (const char *path,
          const char *json)
{
  g_autofree char *url = g_strconcat (rd_gateway_sim_get_base_url (sim), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, got_result, &res);
  answer = soup_session_send_and_read_finish (session, await (&res), &error);
  g_assert_no_error (error);

  return soup_message_get_status (msg);
}

/* ---- Every call ------------------------------------------------------------- */

static void
test_qr_life (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (2550);
  g_autoptr(RdPayResult) created = NULL;
  g_autoptr(RdPayResult) queried = NULL;
  g_autoptr(RdRefundRequest) request = NULL;
  g_autoptr(RdRefundResult) refund = NULL;
  g_autoptr(RdRefundResult) again = NULL;
  g_autoptr(RdRefundResult) looked = NULL;
  g_autoptr(RdBill) bill = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *scan = NULL;
  g_autofree char *date = today ();
  RdGatewaySimOrder account;
  guint n_payment = 0, n_refund = 0;

  created = do_create (f, order, &error);
  g_assert_no_error (error);
  g_assert_nonnull (created->code_url);
  g_assert_true (g_str_has_prefix (created->code_url, f->gateway == RD_PAYMENT_GATEWAY_ALIPAY
                                                      ? "https://qr.alipay.com/" : "weixin://"));

  /* Before the scan: WeChat knows an unpaid order, Alipay no trade yet. */
  queried = do_query (f, order->out_trade_no, &error);
  if (f->gateway == RD_PAYMENT_GATEWAY_WECHATPAY)
    {
      g_assert_no_error (error);
      g_assert_cmpint (queried->state, ==, RD_TRADE_STATE_NOTPAY);
    }
  else
    {
      g_assert_null (queried);
      g_assert_true (rd_payment_error_is_order_not_found (error));
    }
  g_clear_error (&error);
  g_clear_pointer (&queried, rd_pay_result_free);

  /* The same create again (a retry): the same code, not a new order. */
  {
    g_autoptr(RdPayResult) retried = do_create (f, order, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (retried->code_url, ==, created->code_url);
  }

  scan = g_strdup_printf ("{\"code_url\": \"%s\"}", created->code_url);
  g_assert_cmpuint (post_sim ("/sim/scan", scan), ==, 200);
  /* A second scan cannot pay again. */
  g_assert_cmpuint (post_sim ("/sim/scan", scan), ==, 409);

  queried = do_query (f, order->out_trade_no, &error);
  g_assert_no_error (error);
  g_assert_cmpint (queried->state, ==, RD_TRADE_STATE_SUCCESS);
  g_assert_cmpint (queried->amount, ==, 2550);
  g_assert_nonnull (queried->transaction_id);
  g_assert_nonnull (queried->success_time);

  /* Paid: closing is refused. */
  g_assert_false (do_close (f, order->out_trade_no, &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED);
  g_clear_error (&error);

  request = rd_refund_request_new (order->out_trade_no, "RF" "0000000001", 1000, 2550);
  g_free (request->out_refund_no);
  request->out_refund_no = g_strdup_printf ("RF%s", order->out_trade_no + 3);
  request->reason = g_strdup ("退号");
  refund = do_refund (f, request, &error);
  g_assert_no_error (error);
  g_assert_cmpint (refund->state, ==, f->gateway == RD_PAYMENT_GATEWAY_ALIPAY
                                      ? RD_REFUND_STATE_SUCCESS : RD_REFUND_STATE_PROCESSING);

  /* The same refund number again: accepted, and refunded once. */
  again = do_refund (f, request, &error);
  g_assert_no_error (error);
  account = sim_order (f, order->out_trade_no);
  g_assert_cmpuint (account.n_refunds, ==, 1);
  g_assert_cmpint (account.refunded, ==, 1000);
  g_assert_cmpuint (account.charges, ==, 1);

  looked = do_refund_query (f, order->out_trade_no, request->out_refund_no, &error);
  g_assert_no_error (error);
  g_assert_cmpint (looked->state, ==, RD_REFUND_STATE_SUCCESS);
  g_assert_cmpint (looked->amount, ==, 1000);

  /* Too much back: refused. */
  {
    g_autoptr(RdRefundRequest) greedy = rd_refund_request_copy (request);
    g_autoptr(RdRefundResult) none = NULL;

    g_free (greedy->out_refund_no);
    greedy->out_refund_no = g_strdup_printf ("RG%s", order->out_trade_no + 3);
    greedy->amount = 2000;
    none = do_refund (f, greedy, &error);
    g_assert_null (none);
    g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED);
    g_clear_error (&error);
  }

  bill = do_bill (f, date, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bill->gateway, ==, f->gateway);
  for (guint i = 0; i < bill->lines->len; i++)
    {
      RdBillLine *line = g_ptr_array_index (bill->lines, i);

      if (g_strcmp0 (line->out_trade_no, order->out_trade_no) != 0)
        continue;
      g_assert_cmpstr (line->transaction_id, ==, queried->transaction_id);
      if (line->kind == RD_BILL_LINE_PAYMENT)
        {
          n_payment++;
          g_assert_cmpint (line->amount, ==, 2550);
        }
      else
        {
          n_refund++;
          g_assert_cmpint (line->amount, ==, 1000);
          g_assert_cmpstr (line->out_refund_no, ==, request->out_refund_no);
        }
    }
  g_assert_cmpuint (n_payment, ==, 1);
  g_assert_cmpuint (n_refund, ==, 1);
}

static void
test_code_paid (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (1200);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autoptr(RdPayResult) paid = NULL;
  g_autoptr(RdPayResult) again = NULL;
  g_autoptr(GError) error = NULL;

  paid = do_pay (f, order, code, &error);
  g_assert_no_error (error);
  g_assert_cmpint (paid->state, ==, RD_TRADE_STATE_SUCCESS);
  g_assert_cmpint (paid->amount, ==, 1200);

  /* The same request again never charges again. */
  again = do_pay (f, order, code, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->state, ==, RD_TRADE_STATE_SUCCESS);
  g_assert_cmpuint (sim_order (f, order->out_trade_no).charges, ==, 1);
}

static void
test_garbage_codes (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  RdGatewaySimStats before, after;
  g_autofree char *broke = auth_code (f, RD_GATEWAY_SIM_PAYER_NO_MONEY, 1);
  const char *expected_no_money = f->gateway == RD_PAYMENT_GATEWAY_ALIPAY
                                  ? "ACQ.BUYER_BALANCE_NOT_ENOUGH" : "NOTENOUGH";

  /* Not even digits: refused here, nothing sent, the number unburnt. */
  {
    g_autoptr(RdPayOrder) order = new_order (1200);
    g_autoptr(RdPayResult) none = NULL;

    rd_gateway_sim_get_stats (sim, &before);
    none = do_pay (f, order, "hello; DROP TABLE", &error);
    rd_gateway_sim_get_stats (sim, &after);
    g_assert_null (none);
    g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED);
    g_assert_cmpuint (before.requests, ==, after.requests);
    g_assert_false (rd_gateway_sim_get_order (sim, f->gateway, order->out_trade_no,
                                              &(RdGatewaySimOrder) { 0 }));
    g_clear_error (&error);
  }

  /* Digits, but no payment code: the gateway refuses it. */
  {
    g_autoptr(RdPayOrder) order = new_order (1200);
    g_autoptr(RdPayResult) none = do_pay (f, order, "999999999999999999", &error);

    g_assert_null (none);
    g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED);
    g_assert_cmpstr (rd_gateway_error_get_gateway_code (error), ==,
                     f->gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "ACQ.PAYMENT_AUTH_CODE_INVALID"
                                                             : "AUTH_CODE_INVALID");
    g_assert_cmpuint (sim_order (f, order->out_trade_no).charges, ==, 0);
    g_clear_error (&error);
  }

  {
    g_autoptr(RdPayOrder) order = new_order (1200);
    g_autoptr(RdPayResult) none = do_pay (f, order, broke, &error);

    g_assert_null (none);
    g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED);
    g_assert_cmpstr (rd_gateway_error_get_gateway_code (error), ==, expected_no_money);
  }

  /* A bad order number never leaves the desk. */
  {
    g_autoptr(RdPayOrder) order = rd_pay_order_new ("bad/../no", "x", 1);
    g_autoptr(RdPayResult) none = NULL;
    g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);

    g_clear_error (&error);
    none = do_pay (f, order, code, &error);
    g_assert_null (none);
    g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED);
  }
}

static void
test_close_and_reverse (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(RdPayOrder) qr = new_order (800);
  g_autoptr(RdPayOrder) code_order = new_order (900);
  g_autoptr(RdPayOrder) ghost = new_order (700);
  g_autofree char *slow = auth_code (f, RD_GATEWAY_SIM_PAYER_NEVER_CONFIRMS, 1);
  g_autofree char *fast = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autoptr(RdPayResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Closing an unpaid QR order (for Alipay: one nobody scanned, which
   * takes a cancel) bars it from being paid. */
  result = do_create (f, qr, &error);
  g_assert_no_error (error);
  g_clear_pointer (&result, rd_pay_result_free);
  g_assert_true (do_close (f, qr->out_trade_no, &error));
  g_assert_no_error (error);
  g_assert_false (rd_gateway_sim_scan (sim, f->gateway, qr->out_trade_no, &error));
  g_clear_error (&error);
  result = do_query (f, qr->out_trade_no, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->state, ==, RD_TRADE_STATE_CLOSED);
  g_clear_pointer (&result, rd_pay_result_free);

  /* Reversing a code payment the patient never confirmed. */
  result = do_pay (f, code_order, slow, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->state, ==, RD_TRADE_STATE_USERPAYING);
  g_clear_pointer (&result, rd_pay_result_free);
  g_assert_true (do_reverse (f, code_order->out_trade_no, &error));
  g_assert_no_error (error);
  result = do_query (f, code_order->out_trade_no, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->state, ==, f->gateway == RD_PAYMENT_GATEWAY_ALIPAY
                                      ? RD_TRADE_STATE_CLOSED : RD_TRADE_STATE_REVOKED);
  g_assert_cmpuint (sim_order (f, code_order->out_trade_no).charges, ==, 0);
  g_clear_pointer (&result, rd_pay_result_free);

  /* Reversing a number the gateway never saw bars a late charge. */
  g_assert_true (do_reverse (f, ghost->out_trade_no, &error));
  g_assert_no_error (error);
  result = do_pay (f, ghost, fast, &error);
  g_assert_null (result);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED);
  g_assert_cmpuint (sim_order (f, ghost->out_trade_no).charges, ==, 0);
}

static void
test_request_signature_checked (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GKeyFile) kf = client_key_file ();
  g_autoptr(RdRsaKey) stranger = rd_rsa_key_generate (2048, NULL);
  g_autofree char *pem = rd_rsa_key_to_pem (stranger, NULL);
  g_autoptr(RdGatewayCredentials) forged = NULL;
  g_autoptr(RdPaymentProvider) provider = NULL;
  g_autoptr(RdPayOrder) order = new_order (1200);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(RdPayResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RdGatewaySimStats stats;

  g_key_file_set_string (kf, f->gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "alipay" : "wechatpay",
                         "private_key", pem);
  forged = rd_gateway_credentials_new_from_key_file (kf, NULL, &error);
  g_assert_no_error (error);
  provider = provider_for (f->gateway, forged);

  rd_payment_provider_pay_code_async (provider, order, code, NULL, got_result, &res);
  result = rd_payment_provider_pay_code_finish (provider, await (&res), &error);
  g_assert_null (result);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED);
  g_assert_cmpstr (rd_gateway_error_get_gateway_code (error), ==,
                   f->gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "isv.invalid-signature"
                                                           : "SIGN_ERROR");

  rd_gateway_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.bad_signatures, ==, 1);
  g_assert_cmpuint (stats.charges, ==, 0);
  g_assert_false (rd_gateway_sim_get_order (sim, f->gateway, order->out_trade_no,
                                            &(RdGatewaySimOrder) { 0 }));
}

static void
test_tampered_answer (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (1500);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autoptr(RdPayResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPayFlow) flow = NULL;

  /* The charge happens, but its answer is forged: nothing of it is taken. */
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_BAD_SIGNATURE, "pay", 1, 0);
  result = do_pay (f, order, code, &error);
  g_assert_null (result);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_clear_error (&error);

  /* A tampered query answer is refused too. */
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_BAD_SIGNATURE, "query", 1, 0);
  result = do_query (f, order->out_trade_no, &error);
  g_assert_null (result);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);

  /* The flow over the same fault: it queries and finds the one charge. */
  {
    g_autoptr(RdPayOrder) second = new_order (1500);

    rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_BAD_SIGNATURE, "pay", 1, 0);
    flow = rd_pay_flow_new_code (f->provider, second, code, NULL);
    g_assert_cmpint (run_flow (f, flow), ==, RD_PAY_FLOW_STATE_PAID);
    g_assert_cmpuint (sim_order (f, second->out_trade_no).charges, ==, 1);
  }
}

/* ---- The flows through faults ------------------------------------------------ */

static void
test_flow_userpaying (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (1800);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autoptr(RdPayFlow) flow = NULL;

  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_USERPAYING, "pay", 1, 2);
  flow = rd_pay_flow_new_code (f->provider, order, code, NULL);
  g_assert_cmpint (run_flow (f, flow), ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_cmpint (rd_pay_flow_get_result (flow)->state, ==, RD_TRADE_STATE_SUCCESS);
  g_assert_cmpuint (sim_order (f, order->out_trade_no).charges, ==, 1);
}

static void
test_flow_patient_cancels (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (1800);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_CANCELS, 2);
  g_autoptr(RdPayFlow) flow = rd_pay_flow_new_code (f->provider, order, code, NULL);

  g_assert_cmpint (run_flow (f, flow), ==, RD_PAY_FLOW_STATE_NOT_PAID);
  g_assert_cmpuint (sim_order (f, order->out_trade_no).charges, ==, 0);
}

static void
test_flow_system_error_after_charge (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (2000);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autoptr(RdPayFlow) flow = NULL;

  /* Charged, yet answered SYSTEM_ERROR: the query finds the money. */
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR, "pay", 1, 1);
  flow = rd_pay_flow_new_code (f->provider, order, code, NULL);
  g_assert_cmpint (run_flow (f, flow), ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_cmpuint (sim_order (f, order->out_trade_no).charges, ==, 1);
}

static void
test_flow_system_error_before_charge (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (2000);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autoptr(RdPayFlow) flow = NULL;
  RdGatewaySimOrder account;

  /* Nothing happened: queries find nothing, the reverse bars the number. */
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR, "pay", 1, 0);
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED, "query", 1, 0);
  flow = rd_pay_flow_new_code (f->provider, order, code, NULL);
  g_assert_cmpint (run_flow (f, flow), ==, RD_PAY_FLOW_STATE_NOT_PAID);
  account = sim_order (f, order->out_trade_no);
  g_assert_cmpuint (account.charges, ==, 0);
  g_assert_true (account.state == RD_TRADE_STATE_CLOSED
                 || account.state == RD_TRADE_STATE_REVOKED);
}

static void
test_flow_dropped_after_charge (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (2100);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autoptr(RdPayFlow) flow = NULL;

  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_DROP_AFTER, "pay", 1, 0);
  flow = rd_pay_flow_new_code (f->provider, order, code, NULL);
  g_assert_cmpint (run_flow (f, flow), ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_error (rd_pay_flow_get_last_error (flow), RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_NETWORK);
  /* Paid once, not twice. */
  g_assert_cmpuint (sim_order (f, order->out_trade_no).charges, ==, 1);
}

static void
test_flow_timeout_then_reverse (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (2200);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_NEVER_CONFIRMS, 1);
  g_autoptr(RdPayFlow) flow = NULL;
  RdGatewaySimOrder account;

  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_DELAY, "pay", 1, LATE_MS);
  flow = rd_pay_flow_new_code (f->provider, order, code, NULL);
  g_assert_cmpint (run_flow (f, flow), ==, RD_PAY_FLOW_STATE_NOT_PAID);
  account = sim_order (f, order->out_trade_no);
  g_assert_cmpuint (account.charges, ==, 0);
  g_assert_true (account.state == RD_TRADE_STATE_CLOSED
                 || account.state == RD_TRADE_STATE_REVOKED);
}

static void
test_flow_timeout_but_paid (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (2300);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autoptr(RdPayFlow) flow = NULL;

  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_DELAY, "pay", 1, LATE_MS);
  flow = rd_pay_flow_new_code (f->provider, order, code, NULL);
  g_assert_cmpint (run_flow (f, flow), ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_error (rd_pay_flow_get_last_error (flow), RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_TIMEOUT);
  g_assert_cmpuint (sim_order (f, order->out_trade_no).charges, ==, 1);
}

static void
on_code_url (RdPayFlow  *flow,
             GParamSpec *pspec,
             Fixture    *f)
{
  g_autofree char *json = g_strdup_printf ("{\"code_url\": \"%s\"}",
                                           rd_pay_flow_get_code_url (flow));

  /* The patient scans as soon as the desk shows the code. */
  g_assert_cmpuint (post_sim ("/sim/scan", json), ==, 200);
}

static void
test_flow_qr (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(RdPayOrder) paid = new_order (2400);
  g_autoptr(RdPayOrder) unpaid = new_order (2500);
  g_autoptr(RdPayFlow) flow = NULL;
  RdPayFlowConfig config;

  flow = rd_pay_flow_new_qr (f->provider, paid, NULL);
  g_signal_connect (flow, "notify::code-url", G_CALLBACK (on_code_url), f);
  g_assert_cmpint (run_flow (f, flow), ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_cmpuint (sim_order (f, paid->out_trade_no).charges, ==, 1);
  g_clear_object (&flow);

  /* Nobody scans: it expires, is closed, and the last look agrees. */
  rd_pay_flow_config_init (&config, f->gateway, RD_PAY_FLOW_KIND_QR, 12000);
  flow = rd_pay_flow_new_qr (f->provider, unpaid, &config);
  g_assert_cmpint (run_flow (f, flow), ==, RD_PAY_FLOW_STATE_NOT_PAID);
  g_assert_false (rd_gateway_sim_scan (sim, f->gateway, unpaid->out_trade_no, NULL));
}

static void
test_refund_retried (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (3000);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autoptr(RdPayResult) paid = NULL;
  g_autoptr(RdRefundRequest) request = NULL;
  g_autoptr(RdRefundResult) refund = NULL;
  g_autoptr(RdRefundResult) looked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refund_no = g_strdup_printf ("RF%s", order->out_trade_no + 3);
  RdGatewaySimOrder account;

  paid = do_pay (f, order, code, &error);
  g_assert_no_error (error);

  /* The refund goes through, its answer is lost; then it times out. */
  request = rd_refund_request_new (order->out_trade_no, refund_no, 3000, 3000);
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_DROP_AFTER, "refund", 1, 0);
  refund = do_refund (f, request, &error);
  g_assert_null (refund);
  g_assert_true (rd_gateway_error_is_retryable (error));
  g_clear_error (&error);

  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_DELAY, "refund", 1, LATE_MS);
  refund = do_refund (f, request, &error);
  g_assert_null (refund);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_TIMEOUT);
  g_clear_error (&error);

  /* Retried with the same number: accepted, refunded once. */
  refund = do_refund (f, request, &error);
  g_assert_no_error (error);
  account = sim_order (f, order->out_trade_no);
  g_assert_cmpuint (account.n_refunds, ==, 1);
  g_assert_cmpint (account.refunded, ==, 3000);

  looked = do_refund_query (f, order->out_trade_no, refund_no, &error);
  g_assert_no_error (error);
  g_assert_cmpint (looked->state, ==, RD_REFUND_STATE_SUCCESS);
}

static void
test_bill_truncated (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (1000);
  g_autofree char *code = auth_code (f, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autofree char *date = today ();
  g_autoptr(RdPayResult) paid = NULL;
  g_autoptr(RdBill) bill = NULL;
  g_autoptr(GError) error = NULL;

  /* No trade that day: the gateway says so. */
  bill = do_bill (f, "2001-01-01", &error);
  g_assert_null (bill);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED);
  g_clear_error (&error);

  paid = do_pay (f, order, code, &error);
  g_assert_no_error (error);

  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_TRUNCATE, "download", 1, 0);
  bill = do_bill (f, date, &error);
  g_assert_null (bill);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  g_clear_error (&error);

  bill = do_bill (f, date, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bill->lines->len, ==, 1);
  g_assert_cmpint (((RdBillLine *) g_ptr_array_index (bill->lines, 0))->amount, ==, 1000);
}

static void
test_faults_over_http (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RdPayOrder) order = new_order (1000);
  g_autoptr(RdPayResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  json = g_strdup_printf ("{\"fault\": \"system_error\", \"match\": \"%s:query\", \"count\": 1}",
                          f->gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "alipay" : "wechatpay");
  g_assert_cmpuint (post_sim ("/sim/faults", json), ==, 204);
  result = do_query (f, order->out_trade_no, &error);
  g_assert_null (result);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_RETRY);
  g_clear_error (&error);

  g_assert_cmpuint (post_sim ("/sim/faults", "{\"fault\": \"frequency_limited\"}"), ==, 204);
  result = do_query (f, order->out_trade_no, &error);
  g_assert_null (result);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BUSY);
  g_clear_error (&error);

  /* Spent: the next query is answered for real (no such order). */
  result = do_query (f, order->out_trade_no, &error);
  g_assert_true (rd_payment_error_is_order_not_found (error));
}

/* ---- Notifications ----------------------------------------------------------- */

typedef struct
{
  Fixture *f;
  guint    received;
  char    *out_trade_no;
} Listener;

static void
handle_notify (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Listener *l = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (l->f->gateway == RD_PAYMENT_GATEWAY_WECHATPAY)
    {
      const RdWechatpayConfig *config = rd_gateway_credentials_get_wechatpay (l->f->credentials);
      SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
      g_autoptr(JsonObject) event = NULL;
      g_autoptr(JsonObject) trade = NULL;
      g_autoptr(GBytes) plain = NULL;
      JsonObject *resource;

      rd_wechatpay_verify_response (config->platform_key,
                                    soup_message_headers_get_one (h, "Wechatpay-Timestamp"),
                                    soup_message_headers_get_one (h, "Wechatpay-Nonce"),
                                    soup_message_headers_get_one (h, "Wechatpay-Signature"),
                                    soup_message_headers_get_one (h, "Wechatpay-Serial"),
                                    (const guint8 *) data, len,
                                    g_get_real_time () / G_USEC_PER_SEC, &error);
      g_assert_no_error (error);
      event = rd_gateway_json_parse_object (data, len, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (rd_gateway_json_get_string (event, "event_type"), ==,
                       "TRANSACTION.SUCCESS");
      resource = json_object_get_object_member (event, "resource");
      plain = rd_wechatpay_decrypt_resource (config->apiv3_key,
                                             rd_gateway_json_get_string (resource, "algorithm"),
                                             rd_gateway_json_get_string (resource, "nonce"),
                                             rd_gateway_json_get_string (resource,
                                                                         "associated_data"),
                                             rd_gateway_json_get_string (resource, "ciphertext"),
                                             &error);
      g_assert_no_error (error);
      trade = rd_gateway_json_parse_object (g_bytes_get_data (plain, NULL),
                                            g_bytes_get_size (plain), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (rd_gateway_json_get_string (trade, "out_trade_no"), ==, l->out_trade_no);
      g_assert_cmpstr (rd_gateway_json_get_string (trade, "trade_state"), ==, "SUCCESS");
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else
    {
      const RdAlipayConfig *config = rd_gateway_credentials_get_alipay (l->f->credentials);
      g_autoptr(GHashTable) params = rd_alipay_parse_form (data, len, &error);

      g_assert_no_error (error);
      rd_alipay_verify_notification (config->alipay_key, params, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (g_hash_table_lookup (params, "out_trade_no"), ==, l->out_trade_no);
      g_assert_cmpstr (g_hash_table_lookup (params, "trade_status"), ==, "TRADE_SUCCESS");
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "success", 7);
    }

  l->received++;
}

static void
test_notifications (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) kf = client_key_file ();
  g_autoptr(RdPayOrder) order = new_order (1600);
  g_autoptr(RdPayResult) created = NULL;
  g_autofree char *url = NULL;
  gint64 deadline;
  Listener listener = { f, 0, order->out_trade_no };
  GSList *uris;

  soup_server_add_handler (server, "/notify", handle_notify, &listener, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d/notify", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_key_file_set_string (kf, "wechatpay", "notify_url", url);
  g_key_file_set_string (kf, "alipay", "notify_url", url);
  g_clear_object (&f->provider);
  g_clear_object (&f->credentials);
  f->credentials = rd_gateway_credentials_new_from_key_file (kf, NULL, &error);
  g_assert_no_error (error);
  f->provider = provider_for (f->gateway, f->credentials);

  /* Duplicates are normal: two deliveries of one payment, made when the
   * patient scans the QR order (a payment code has no notify_url). */
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_DUPLICATE_NOTIFY, "create", 1, 0);
  created = do_create (f, order, &error);
  g_assert_no_error (error);
  rd_gateway_sim_scan (sim, f->gateway, order->out_trade_no, &error);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (listener.received < 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (listener.received, ==, 2);
  g_assert_cmpuint (sim_order (f, order->out_trade_no).charges, ==, 1);
}

/* ---- A small storm -------------------------------------------------------- */

static void
test_storm (Fixture       *f,
            gconstpointer  data)
{
  const guint n = g_test_slow () ? 1000 : 60;
  guint paid = 0, not_paid = 0, unknown = 0, lost = 0;
  RdGatewaySimStats stats;

  rd_gateway_sim_set_fault_rate (sim, 0.2, 20240501, LATE_MS);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RdPayOrder) order = new_order (100 + i);
      g_autofree char *code = auth_code (f, i % 5 == 0 ? RD_GATEWAY_SIM_PAYER_CONFIRMS
                                                       : RD_GATEWAY_SIM_PAYER_PAYS, 1 + i % 3);
      g_autoptr(RdPayFlow) flow = rd_pay_flow_new_code (f->provider, order, code, NULL);
      RdGatewaySimOrder account = { 0 };
      RdPayFlowState state;
      gboolean known;

      state = run_flow (f, flow);
      known = rd_gateway_sim_get_order (sim, f->gateway, order->out_trade_no, &account);
      if (state == RD_PAY_FLOW_STATE_PAID)
        {
          paid++;
          g_assert_true (known);
          g_assert_cmpuint (account.charges, ==, 1);
          g_assert_cmpint (account.state, ==, RD_TRADE_STATE_SUCCESS);
        }
      else if (state == RD_PAY_FLOW_STATE_NOT_PAID)
        {
          not_paid++;
          /* Not paid means no money kept: never charged, or given back. */
          if (known && account.charges > 0 && account.refunded < account.amount)
            lost++;
        }
      else
        unknown++;
    }

  rd_gateway_sim_get_stats (sim, &stats);
  g_test_message ("storm over %s: %u paid, %u not paid, %u unknown, %u faults",
                  f->gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "Alipay" : "WeChat Pay",
                  paid, not_paid, unknown, stats.faults);
  g_assert_cmpuint (stats.paid_twice, ==, 0);
  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (stats.faults, >, 0);
  g_assert_cmpuint (paid, >, n / 2);
  rd_gateway_sim_clear_faults (sim);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  static const struct {
    const char *name;
    void (*func) (Fixture *, gconstpointer);
  } tests[] = {
    { "qr-life", test_qr_life },
    { "code-paid", test_code_paid },
    { "garbage-codes", test_garbage_codes },
    { "close-and-reverse", test_close_and_reverse },
    { "request-signature-checked", test_request_signature_checked },
    { "tampered-answer", test_tampered_answer },
    { "flow/userpaying-then-success", test_flow_userpaying },
    { "flow/patient-cancels", test_flow_patient_cancels },
    { "flow/system-error-after-charge", test_flow_system_error_after_charge },
    { "flow/system-error-before-charge", test_flow_system_error_before_charge },
    { "flow/dropped-after-charge", test_flow_dropped_after_charge },
    { "flow/timeout-then-reverse", test_flow_timeout_then_reverse },
    { "flow/timeout-but-paid", test_flow_timeout_but_paid },
    { "flow/qr", test_flow_qr },
    { "refund-retried", test_refund_retried },
    { "bill-truncated", test_bill_truncated },
    { "faults-over-http", test_faults_over_http },
    { "notifications", test_notifications },
    { "storm", test_storm },
  };
  int ret;

  g_test_init (&argc, &argv, NULL);

  sim = rd_gateway_sim_new (&error);
  g_assert_no_error (error);
  rd_gateway_sim_start (sim, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (rd_gateway_sim_get_base_url (sim), "http://127.0.0.1:"));
  session = rd_gateway_session_new ();

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      g_autofree char *wechat = g_strdup_printf ("/gateway/sim/wechatpay/%s", tests[i].name);
      g_autofree char *alipay = g_strdup_printf ("/gateway/sim/alipay/%s", tests[i].name);

      g_test_add (wechat, Fixture, GINT_TO_POINTER (RD_PAYMENT_GATEWAY_WECHATPAY),
                  fixture_setup, tests[i].func, fixture_teardown);
      g_test_add (alipay, Fixture, GINT_TO_POINTER (RD_PAYMENT_GATEWAY_ALIPAY),
                  fixture_setup, tests[i].func, fixture_teardown);
    }

  ret = g_test_run ();

  g_clear_object (&session);
  rd_gateway_sim_stop (sim);
  g_clear_object (&sim);

  return ret;
}
