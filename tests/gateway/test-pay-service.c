/* test-pay-service.c: gateway payments into a real database through the
 * gateway simulator over real HTTP, exactly once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <string.h>

#include "booking-test-util.h"
#include "rd-alipay.h"
#include "rd-booking.h"
#include "rd-demo-data.h"
#include "rd-gateway-error.h"
#include "rd-gateway-http.h"
#include "rd-gateway-sim.h"
#include "rd-pay-service.h"
#include "rd-payments.h"
#include "rd-wechat-pay.h"

/* Short, so that a delayed answer times out quickly. */
#define CLIENT_TIMEOUT_S 0.4
#define LATE_MS          900
#define FEE              1500
#define WORKER_LOGIN     "pay_worker"
#define WORKER_PASSWORD  "worker-pw"

static RdGatewaySim *sim;
static RdDb *clerk_db;
static RdPayService *service;
static gint64 virtual_ms;

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
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

/* ---- Fixture ---------------------------------------------------------------- */

static RdGatewayCredentials *
client_credentials (void)
{
  g_autoptr(GKeyFile) kf = rd_gateway_sim_create_key_file (sim);
  g_autoptr(GError) error = NULL;
  RdGatewayCredentials *credentials;

  g_key_file_set_double (kf, "wechatpay", "timeout", CLIENT_TIMEOUT_S);
  g_key_file_set_double (kf, "alipay", "timeout", CLIENT_TIMEOUT_S);
  credentials = rd_gateway_credentials_new_from_key_file (kf, NULL, &error);
  g_assert_no_error (error);

  return credentials;
}

/* A service on @db with its own HTTP session, in the calling thread. */
static RdPayService *
new_service (RdDb *db)
{
  g_autoptr(RdGatewayCredentials) credentials = client_credentials ();
  g_autoptr(SoupSession) session = rd_gateway_session_new ();
  g_autoptr(RdWechatPay) wechat = NULL;
  g_autoptr(RdAlipay) alipay = NULL;
  g_autoptr(GError) error = NULL;

  wechat = rd_wechat_pay_new (session, credentials, &error);
  g_assert_no_error (error);
  alipay = rd_alipay_new (session, credentials, &error);
  g_assert_no_error (error);

  return rd_pay_service_new (db, RD_PAYMENT_PROVIDER (wechat), RD_PAYMENT_PROVIDER (alipay));
}

static RdDb *
connect_worker (void)
{
  return rd_test_pg_connect (WORKER_LOGIN, WORKER_PASSWORD);
}

static void
setup_once (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) result = NULL;

  bt_setup ();
  result = rd_db_query_sync (bt_owner (),
                             "CREATE ROLE " WORKER_LOGIN " LOGIN PASSWORD '" WORKER_PASSWORD
                             "' IN ROLE regdesk_worker", 0, NULL, NULL, &error);
  g_assert_no_error (error);

  sim = rd_gateway_sim_new (&error);
  g_assert_no_error (error);
  rd_gateway_sim_start (sim, 0, &error);
  g_assert_no_error (error);

  clerk_db = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  service = new_service (clerk_db);
  rd_pay_service_set_clock (service, &fake_clock, &virtual_ms);
}

static void
check_sim_books (void)
{
  RdGatewaySimStats stats;

  rd_gateway_sim_get_stats (sim, &stats);
  /* Whatever a test did: never a double charge, never a double refund. */
  g_assert_cmpuint (stats.paid_twice, ==, 0);
  g_assert_cmpuint (stats.refunded_twice, ==, 0);
  rd_gateway_sim_clear_faults (sim);
}

/* ---- Orders and looking at them ------------------------------------------------ */

typedef struct
{
  gint64  appointment_id;
  char   *order_no;
} Order;

static void
order_clear (Order *order)
{
  g_clear_pointer (&order->order_no, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Order, order_clear)

/* A fresh unpaid booking of FEE fen, made by the clerk. */
static void
make_order (Order *order)
{
  g_autoptr(RdBookingResult) booking = NULL;
  g_autoptr(GError) error = NULL;
  gint64 session_id = bt_make_session ("1 day", 3, 0, 0, "fcfs", FEE, 0);
  gint64 patient_id = bt_make_patient (NULL, FALSE);

  booking = rd_booking_book_sync (clerk_db, NULL, session_id, patient_id, RD_CHANNEL_WINDOW, 0,
                                  NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (booking->status, ==, "pending_payment");
  order->appointment_id = booking->appointment_id;
  order->order_no = g_strdup (booking->order_no);
}

static char *
order_text (const char *order_no,
            const char *sql)
{
  const char *params[] = { order_no };

  return bt_scalar (bt_owner (), sql, 1, params);
}

static gint64
order_int (const char *order_no,
           const char *sql)
{
  const char *params[] = { order_no };

  return bt_int (bt_owner (), sql, 1, params);
}

static void
assert_order (const char *order_no,
              const char *order_status,
              const char *appointment_status,
              const char *slot_status)
{
  g_autofree char *o = order_text (order_no, "SELECT status FROM regdesk.orders "
                                             "WHERE order_no = $1");
  g_autofree char *a = order_text (order_no, "SELECT a.status FROM regdesk.orders o "
                                             "JOIN regdesk.appointments a "
                                             "ON a.id = o.appointment_id WHERE o.order_no = $1");
  g_autofree char *s = order_text (order_no, "SELECT sl.status FROM regdesk.orders o "
                                             "JOIN regdesk.appointments a "
                                             "ON a.id = o.appointment_id JOIN regdesk.slots sl "
                                             "ON sl.id = a.slot_id WHERE o.order_no = $1");

  g_assert_cmpstr (o, ==, order_status);
  g_assert_cmpstr (a, ==, appointment_status);
  g_assert_cmpstr (s, ==, slot_status);
}

static gint64
count_payments (const char *order_no,
                const char *status)
{
  const char *params[] = { order_no, status };

  return bt_int (bt_owner (),
                 "SELECT count(*) FROM regdesk.payments y JOIN regdesk.orders o "
                 "ON o.id = y.order_id WHERE o.order_no = $1 "
                 "AND ($2::text IS NULL OR y.status = $2)", 2, params);
}

static gint64
count_audit (const char *order_no,
             const char *action)
{
  const char *params[] = { order_no, action };

  return bt_int (bt_owner (),
                 "SELECT count(*) FROM regdesk.audit_log WHERE entity = 'order' "
                 "AND entity_id = $1 AND action = $2", 2, params);
}

static void
assert_sim_order (RdPaymentGateway  gateway,
                  const char       *out_trade_no,
                  guint             charges,
                  gint64            refunded)
{
  RdGatewaySimOrder order;

  g_assert_true (rd_gateway_sim_get_order (sim, gateway, out_trade_no, &order));
  g_assert_cmpuint (order.charges, ==, charges);
  g_assert_cmpint (order.refunded, ==, refunded);
}

/* ---- Driving attempts ------------------------------------------------------------ */

static void
wait_final (RdPayAttempt *attempt)
{
  while (!rd_pay_attempt_is_final (attempt))
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("attempt %s: %s", rd_pay_attempt_get_out_trade_no (attempt),
                  rd_pay_attempt_get_message (attempt));
}

static void
wait_code_url (RdPayAttempt *attempt)
{
  while (rd_pay_attempt_get_code_url (attempt) == NULL && !rd_pay_attempt_is_final (attempt))
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (rd_pay_attempt_get_code_url (attempt));
}

static void
on_state (RdPayAttempt *attempt,
          GParamSpec   *pspec,
          GArray       *states)
{
  RdPayAttemptState state = rd_pay_attempt_get_state (attempt);

  g_array_append_val (states, state);
}

static gboolean
saw_state (GArray            *states,
           RdPayAttemptState  state)
{
  for (guint i = 0; i < states->len; i++)
    {
      if (g_array_index (states, RdPayAttemptState, i) == state)
        return TRUE;
    }

  return FALSE;
}

/* A payment recorded and charged at the gateway, its outcome left
 * 'unknown' (a desk that lost the answer). */
static char *
charge_behind_the_back (const char       *order_no,
                        RdPaymentGateway  gateway)
{
  g_autoptr(RdPaymentAttemptRow) row = NULL;
  g_autoptr(RdPaymentOutcome) outcome = NULL;
  g_autoptr(RdPayAttempt) attempt = NULL;
  g_autoptr(GError) error = NULL;

  row = rd_payments_begin_sync (clerk_db, NULL, order_no,
                                gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "alipay" : "wechat",
                                "qr", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (row->fresh);
  g_assert_cmpint (row->amount, ==, FEE);

  /* What a patient scanning a QR order does, without the desk hearing. */
  {
    g_autoptr(RdGatewayCredentials) credentials = client_credentials ();
    g_autoptr(SoupSession) session = rd_gateway_session_new ();
    g_autoptr(RdPaymentProvider) provider = NULL;
    g_autoptr(RdPayOrder) order = rd_pay_order_new (row->out_trade_no, "test", row->amount);
    g_autoptr(RdPayResult) created = NULL;
    GAsyncResult *result = NULL;

    if (gateway == RD_PAYMENT_GATEWAY_ALIPAY)
      provider = RD_PAYMENT_PROVIDER (rd_alipay_new (session, credentials, &error));
    else
      provider = RD_PAYMENT_PROVIDER (rd_wechat_pay_new (session, credentials, &error));
    g_assert_no_error (error);
    rd_payment_provider_create_qr_async (provider, order, NULL,
                                         got_result, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    created = rd_payment_provider_create_qr_finish (provider, result, &error);
    g_object_unref (result);
    g_assert_no_error (error);
  }
  rd_gateway_sim_scan (sim, gateway, row->out_trade_no, &error);
  g_assert_no_error (error);

  outcome = rd_payments_record_sync (clerk_db, row->out_trade_no, "unknown", NULL, -1, NULL,
                                     NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (outcome->payment_status, ==, "unknown");

  return g_strdup (row->out_trade_no);
}

static RdPayService *
new_worker_service (RdDb *db)
{
  RdPayService *worker = new_service (db);
  RdPayServiceConfig config;

  rd_pay_service_get_config (worker, &config);
  config.grace_s = 0;
  config.abandoned_after_s = 0;
  rd_pay_service_set_config (worker, &config);
  rd_pay_service_set_clock (worker, &fake_clock, &virtual_ms);

  return worker;
}

/* ---- Tests -------------------------------------------------------------------------- */

static void
test_qr_scanned (gconstpointer data)
{
  RdPaymentGateway gateway = GPOINTER_TO_INT (data);
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) attempt = NULL;
  g_autoptr(GError) error = NULL;

  make_order (&order);
  attempt = rd_pay_service_start_qr (service, order.order_no, gateway, NULL);
  g_assert_cmpstr (rd_pay_attempt_get_order_no (attempt), ==, order.order_no);
  wait_code_url (attempt);
  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_WAITING);
  g_assert_cmpint (rd_pay_attempt_get_gateway (attempt), ==, gateway);

  rd_gateway_sim_scan (sim, gateway, rd_pay_attempt_get_out_trade_no (attempt), &error);
  g_assert_no_error (error);
  wait_final (attempt);

  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_PAID);
  assert_order (order.order_no, "paid", "booked", "paid");
  g_assert_cmpint (count_payments (order.order_no, "succeeded"), ==, 1);
  g_assert_cmpint (count_payments (order.order_no, NULL), ==, 1);
  g_assert_cmpint (count_audit (order.order_no, gateway == RD_PAYMENT_GATEWAY_ALIPAY
                                                ? "pay_alipay" : "pay_wechat"), ==, 1);
  assert_sim_order (gateway, rd_pay_attempt_get_out_trade_no (attempt), 1, 0);
  check_sim_books ();
}

static void
test_code_pays (gconstpointer data)
{
  RdPaymentGateway gateway = GPOINTER_TO_INT (data);
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) attempt = NULL;
  g_autofree char *code = rd_gateway_sim_make_auth_code (gateway, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autofree char *method = NULL;

  make_order (&order);
  attempt = rd_pay_service_start_pay_code (service, order.order_no, gateway, code, NULL);
  wait_final (attempt);

  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_PAID);
  assert_order (order.order_no, "paid", "booked", "paid");
  method = order_text (order.order_no, "SELECT method FROM api.order_overview "
                                       "WHERE order_no = $1");
  g_assert_cmpstr (method, ==, gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "alipay" : "wechat");
  assert_sim_order (gateway, rd_pay_attempt_get_out_trade_no (attempt), 1, 0);
  check_sim_books ();
}

static void
test_code_userpaying (gconstpointer data)
{
  RdPaymentGateway gateway = GPOINTER_TO_INT (data);
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) attempt = NULL;
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (RdPayAttemptState));
  g_autofree char *code = rd_gateway_sim_make_auth_code (gateway, RD_GATEWAY_SIM_PAYER_CONFIRMS,
                                                         2);

  make_order (&order);
  attempt = rd_pay_service_start_pay_code (service, order.order_no, gateway, code, NULL);
  g_signal_connect (attempt, "notify::state", G_CALLBACK (on_state), states);
  wait_final (attempt);

  g_assert_true (saw_state (states, RD_PAY_ATTEMPT_WAITING));
  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_PAID);
  assert_order (order.order_no, "paid", "booked", "paid");
  assert_sim_order (gateway, rd_pay_attempt_get_out_trade_no (attempt), 1, 0);
  check_sim_books ();
}

static void
test_code_system_error (void)
{
  RdPaymentGateway gateway = RD_PAYMENT_GATEWAY_WECHATPAY;
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) attempt = NULL;
  g_autofree char *code = rd_gateway_sim_make_auth_code (gateway, RD_GATEWAY_SIM_PAYER_PAYS, 1);

  make_order (&order);
  /* The charge goes through, the answer is SYSTEM_ERROR: query, never charge again. */
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR, "wechatpay:pay", 1, 1);
  attempt = rd_pay_service_start_pay_code (service, order.order_no, gateway, code, NULL);
  wait_final (attempt);

  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_PAID);
  assert_order (order.order_no, "paid", "booked", "paid");
  assert_sim_order (gateway, rd_pay_attempt_get_out_trade_no (attempt), 1, 0);
  check_sim_books ();
}

static void
test_code_timeout_settled (gconstpointer data)
{
  RdPaymentGateway gateway = GPOINTER_TO_INT (data);
  const char *prefix = gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "alipay:" : "wechatpay:";
  g_autofree char *pay = g_strconcat (prefix, "pay", NULL);
  g_autofree char *query = g_strconcat (prefix, "query", NULL);
  g_autofree char *reverse = g_strconcat (prefix, "reverse", NULL);
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) attempt = NULL;
  g_autoptr(RdDb) worker_db = connect_worker ();
  g_autoptr(RdPayService) worker = new_worker_service (worker_db);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = rd_gateway_sim_make_auth_code (gateway, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  guint settled;

  make_order (&order);
  /* Charged, but the answer comes too late, and the gateway cannot be
   * asked or reversed afterwards: nobody at the desk can tell. */
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_DELAY, pay, 1, LATE_MS);
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR, query, 100, 0);
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR, reverse, 100, 0);
  attempt = rd_pay_service_start_pay_code (service, order.order_no, gateway, code, NULL);
  wait_final (attempt);

  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_UNKNOWN);
  g_assert_cmpint (count_payments (order.order_no, "unknown"), ==, 1);
  assert_order (order.order_no, "unpaid", "pending_payment", "held");
  rd_gateway_sim_clear_faults (sim);

  /* The worker asks again and settles it: paid, once. */
  settled = rd_pay_service_settle_sync (worker, 100, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (settled, >=, 1);
  assert_order (order.order_no, "paid", "booked", "paid");
  g_assert_cmpint (count_payments (order.order_no, "succeeded"), ==, 1);
  assert_sim_order (gateway, rd_pay_attempt_get_out_trade_no (attempt), 1, 0);

  /* Settling again finds nothing of this order to do. */
  rd_pay_service_settle_sync (worker, 100, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_audit (order.order_no, gateway == RD_PAYMENT_GATEWAY_ALIPAY
                                                ? "pay_alipay" : "pay_wechat"), ==, 1);
  check_sim_books ();
}

static void
test_code_dropped_after_charge (void)
{
  RdPaymentGateway gateway = RD_PAYMENT_GATEWAY_ALIPAY;
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) attempt = NULL;
  g_autofree char *code = rd_gateway_sim_make_auth_code (gateway, RD_GATEWAY_SIM_PAYER_PAYS, 1);

  make_order (&order);
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_DROP_AFTER, "alipay:pay", 1, 0);
  attempt = rd_pay_service_start_pay_code (service, order.order_no, gateway, code, NULL);
  wait_final (attempt);

  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_PAID);
  assert_order (order.order_no, "paid", "booked", "paid");
  assert_sim_order (gateway, rd_pay_attempt_get_out_trade_no (attempt), 1, 0);
  check_sim_books ();
}

/* A desk that died after the charge: its row stays 'paying' until the
 * worker takes it as abandoned. */
static void
test_abandoned_settled (void)
{
  g_auto(Order) order = { 0 };
  g_autoptr(RdDb) worker_db = connect_worker ();
  g_autoptr(RdPayService) worker = new_worker_service (worker_db);
  g_autoptr(RdPaymentAttemptRow) row = NULL;
  g_autoptr(GError) error = NULL;

  make_order (&order);
  row = rd_payments_begin_sync (clerk_db, NULL, order.order_no, "wechat", "qr", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->status, ==, "paying");
  {
    g_autoptr(RdGatewayCredentials) credentials = client_credentials ();
    g_autoptr(SoupSession) session = rd_gateway_session_new ();
    g_autoptr(RdWechatPay) wechat = rd_wechat_pay_new (session, credentials, &error);
    g_autoptr(RdPayOrder) pay_order = rd_pay_order_new (row->out_trade_no, "t", row->amount);
    g_autoptr(RdPayResult) created = NULL;
    GAsyncResult *result = NULL;

    g_assert_no_error (error);
    rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_DROP_AFTER, "wechatpay:create", 1, 0);
    rd_payment_provider_create_qr_async (RD_PAYMENT_PROVIDER (wechat), pay_order, NULL,
                                         got_result, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    created = rd_payment_provider_create_qr_finish (RD_PAYMENT_PROVIDER (wechat), result,
                                                    &error);
    g_object_unref (result);
    g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_NETWORK);
    g_clear_error (&error);
  }
  rd_gateway_sim_scan (sim, RD_PAYMENT_GATEWAY_WECHATPAY, row->out_trade_no, &error);
  g_assert_no_error (error);

  rd_pay_service_settle_sync (worker, 100, NULL, &error);
  g_assert_no_error (error);
  assert_order (order.order_no, "paid", "booked", "paid");
  g_assert_cmpint (count_payments (order.order_no, "succeeded"), ==, 1);
  check_sim_books ();
}

static void
test_code_refused (gconstpointer data)
{
  RdPaymentGateway gateway = GPOINTER_TO_INT (data);
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) attempt = NULL;
  g_autofree char *code = rd_gateway_sim_make_auth_code (gateway, RD_GATEWAY_SIM_PAYER_NO_MONEY,
                                                         1);

  make_order (&order);
  attempt = rd_pay_service_start_pay_code (service, order.order_no, gateway, code, NULL);
  wait_final (attempt);

  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_FAILED);
  g_assert_nonnull (strstr (rd_pay_attempt_get_message (attempt), "balance"));
  /* The booking is untouched: still held for the patient, still payable. */
  assert_order (order.order_no, "unpaid", "pending_payment", "held");
  g_assert_cmpint (count_payments (order.order_no, "failed"), ==, 1);
  check_sim_books ();
}

static void
test_garbage_code (void)
{
  static const char *codes[] = { "abc", "12345", "1234567890123456789012345", "13 4567890123456",
                                 "" };
  g_auto(Order) order = { 0 };

  make_order (&order);
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(RdPayAttempt) attempt = NULL;

      attempt = rd_pay_service_start_pay_code (service, order.order_no,
                                               RD_PAYMENT_GATEWAY_WECHATPAY, codes[i], NULL);
      g_assert_true (rd_pay_attempt_is_final (attempt));
      g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_FAILED);
      g_assert_null (rd_pay_attempt_get_out_trade_no (attempt));
      g_assert_nonnull (rd_pay_attempt_get_message (attempt));
    }

  /* Nothing written, nothing sent. */
  g_assert_cmpint (count_payments (order.order_no, NULL), ==, 0);
  g_assert_cmpint (count_audit (order.order_no, "payment_begin"), ==, 0);
  assert_order (order.order_no, "unpaid", "pending_payment", "held");
}

typedef struct
{
  RdPaymentOutcome *outcomes[2];
  guint             done;
} Race;

static void
race_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Race *race = user_data;
  g_autoptr(GError) error = NULL;
  RdPaymentOutcome *outcome = rd_payments_record_finish (RD_DB (source), result, &error);

  g_assert_no_error (error);
  race->outcomes[race->done++] = outcome;
}

static void
test_duplicate_finish (void)
{
  g_auto(Order) order = { 0 };
  g_autoptr(RdPaymentAttemptRow) row = NULL;
  g_autoptr(RdPaymentOutcome) again = NULL;
  g_autoptr(RdDb) worker_db = connect_worker ();
  g_autoptr(GError) error = NULL;
  Race race = { { NULL } };

  make_order (&order);
  row = rd_payments_begin_sync (clerk_db, "dup-finish-1", order.order_no, "wechat", "code",
                                NULL, &error);
  g_assert_no_error (error);

  /* The same request id again: the same attempt, the same number. */
  {
    g_autoptr(RdPaymentAttemptRow) retried = NULL;

    retried = rd_payments_begin_sync (clerk_db, "dup-finish-1", order.order_no, "wechat",
                                      "code", NULL, &error);
    g_assert_no_error (error);
    g_assert_false (retried->fresh);
    g_assert_cmpstr (retried->out_trade_no, ==, row->out_trade_no);
  }

  /* The desk and a worker record the same SUCCESS at the same moment. */
  rd_payments_record_async (clerk_db, row->out_trade_no, "succeeded", "4200001", FEE,
                            "{\"from\": \"desk\"}", NULL, race_cb, &race);
  rd_payments_record_async (worker_db, row->out_trade_no, "succeeded", "4200001", FEE,
                            "{\"from\": \"worker\"}", NULL, race_cb, &race);
  while (race.done < 2)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpstr (race.outcomes[i]->payment_status, ==, "succeeded");
      g_assert_cmpstr (race.outcomes[i]->order_status, ==, "paid");
      g_assert_null (race.outcomes[i]->out_refund_no);
      rd_payment_outcome_free (race.outcomes[i]);
    }

  /* A duplicate notification later, and a late "closed": nothing changes. */
  again = rd_payments_record_sync (clerk_db, row->out_trade_no, "succeeded", "4200001", FEE,
                                   NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->payment_status, ==, "succeeded");
  g_clear_pointer (&again, rd_payment_outcome_free);
  again = rd_payments_record_sync (clerk_db, row->out_trade_no, "closed", NULL, -1, NULL, NULL,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->payment_status, ==, "succeeded");

  assert_order (order.order_no, "paid", "booked", "paid");
  g_assert_cmpint (count_audit (order.order_no, "pay_wechat"), ==, 1);
  g_assert_cmpint (order_int (order.order_no,
                              "SELECT count(*) FROM regdesk.refunds r JOIN regdesk.payments y "
                              "ON y.id = r.payment_id JOIN regdesk.orders o "
                              "ON o.id = y.order_id WHERE o.order_no = $1"), ==, 0);

  /* Another amount is never called paid. */
  {
    g_auto(Order) other = { 0 };
    g_autoptr(RdPaymentAttemptRow) other_row = NULL;
    g_autoptr(RdPaymentOutcome) anomaly = NULL;

    make_order (&other);
    other_row = rd_payments_begin_sync (clerk_db, NULL, other.order_no, "alipay", "qr", NULL,
                                        &error);
    g_assert_no_error (error);
    anomaly = rd_payments_record_sync (clerk_db, other_row->out_trade_no, "succeeded", "x",
                                       FEE - 1, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (anomaly->payment_status, ==, "unknown");
    g_assert_nonnull (anomaly->anomaly);
    assert_order (other.order_no, "unpaid", "pending_payment", "held");
  }
}

/* A notification recorded the success while the desk, hearing nothing,
 * reversed the charge: the reversal wins, the booking is held again, and
 * the stale notification repeated changes nothing. */
static void
test_reversed_after_notification (void)
{
  g_auto(Order) order = { 0 };
  g_autoptr(RdPaymentAttemptRow) row = NULL;
  g_autoptr(GError) error = NULL;
  const char *states[] = { "succeeded", "reversed", "succeeded" };
  const char *payment_status[] = { "succeeded", "reversed", "reversed" };
  const char *order_status[] = { "paid", "unpaid", "unpaid" };

  make_order (&order);
  row = rd_payments_begin_sync (clerk_db, NULL, order.order_no, "alipay", "code", NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autoptr(RdPaymentOutcome) outcome = NULL;

      outcome = rd_payments_record_sync (clerk_db, row->out_trade_no, states[i], "2026", FEE,
                                         NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (outcome->payment_status, ==, payment_status[i]);
      g_assert_cmpstr (outcome->order_status, ==, order_status[i]);
    }
  assert_order (order.order_no, "unpaid", "pending_payment", "held");
  g_assert_cmpint (count_audit (order.order_no, "payment_reversed"), ==, 1);
  g_assert_cmpint (count_audit (order.order_no, "payment_late_success"), ==, 1);

  /* An unknown outcome after a success makes the worker look again. */
  {
    g_auto(Order) other = { 0 };
    g_autoptr(RdPaymentAttemptRow) other_row = NULL;
    g_autoptr(RdPaymentOutcome) paid = NULL;
    g_autoptr(RdPaymentOutcome) lost = NULL;
    g_autofree char *recheck = NULL;

    make_order (&other);
    other_row = rd_payments_begin_sync (clerk_db, NULL, other.order_no, "wechat", "code", NULL,
                                        &error);
    g_assert_no_error (error);
    paid = rd_payments_record_sync (clerk_db, other_row->out_trade_no, "succeeded", NULL, FEE,
                                    NULL, NULL, &error);
    g_assert_no_error (error);
    lost = rd_payments_record_sync (clerk_db, other_row->out_trade_no, "unknown", NULL, -1, NULL,
                                    NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lost->payment_status, ==, "succeeded");
    recheck = order_text (other.order_no, "SELECT bool_and(y.recheck)::text FROM "
                                          "regdesk.payments y JOIN regdesk.orders o "
                                          "ON o.id = y.order_id WHERE o.order_no = $1");
    g_assert_cmpstr (recheck, ==, "true");
    /* A fresh answer settles it. */
    g_clear_pointer (&paid, rd_payment_outcome_free);
    paid = rd_payments_record_sync (clerk_db, other_row->out_trade_no, "confirmed", NULL, FEE,
                                    NULL, NULL, &error);
    g_assert_no_error (error);
    g_clear_pointer (&recheck, g_free);
    recheck = order_text (other.order_no, "SELECT bool_and(y.recheck)::text FROM "
                                          "regdesk.payments y JOIN regdesk.orders o "
                                          "ON o.id = y.order_id WHERE o.order_no = $1");
    g_assert_cmpstr (recheck, ==, "false");
    assert_order (other.order_no, "paid", "booked", "paid");
  }
}

typedef struct
{
  GThread *thread;
  guint    settled;
  gboolean done;
} SettleThread;

static gpointer
settle_thread (gpointer data)
{
  SettleThread *st = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (context);
  {
    g_autoptr(RdDb) db = connect_worker ();
    g_autoptr(RdPayService) worker = new_service (db);
    RdPayServiceConfig config;

    guint n;

    rd_pay_service_get_config (worker, &config);
    config.grace_s = 0;
    rd_pay_service_set_config (worker, &config);
    /* One row at a time, so that the two workers interleave. */
    do
      {
        n = rd_pay_service_settle_sync (worker, 1, NULL, &error);
        g_assert_no_error (error);
        st->settled += n;
      }
    while (n > 0);
  }
  g_main_context_pop_thread_default (context);
  g_atomic_int_set (&st->done, TRUE);
  g_main_context_wakeup (NULL);

  return NULL;
}

static void
test_concurrent_settle (void)
{
  enum { N = 6 };
  Order orders[N] = { { 0 } };
  char *numbers[N];
  SettleThread threads[2] = { { NULL } };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < N; i++)
    {
      make_order (&orders[i]);
      numbers[i] = charge_behind_the_back (orders[i].order_no,
                                           i % 2 ? RD_PAYMENT_GATEWAY_ALIPAY
                                                 : RD_PAYMENT_GATEWAY_WECHATPAY);
    }

  /* Nothing else is waiting to be settled, so the counts below are exact. */
  g_assert_cmpint (bt_int (bt_owner (),
                           "SELECT count(*) FROM regdesk.payments WHERE status = 'unknown' "
                           "AND anomaly IS NULL", 0, NULL), ==, N);

  /* Two workers, each with its own connection and HTTP session, at once;
   * the simulator answers from this thread. */
  for (guint i = 0; i < 2; i++)
    threads[i].thread = g_thread_new ("settle", settle_thread, &threads[i]);
  while (!g_atomic_int_get (&threads[0].done) || !g_atomic_int_get (&threads[1].done))
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i].thread);

  g_test_message ("settled %u + %u", threads[0].settled, threads[1].settled);
  /* Each row settled by exactly one of them. */
  g_assert_cmpuint (threads[0].settled + threads[1].settled, ==, N);
  for (guint i = 0; i < N; i++)
    {
      assert_order (orders[i].order_no, "paid", "booked", "paid");
      g_assert_cmpint (count_audit (orders[i].order_no,
                                    i % 2 ? "pay_alipay" : "pay_wechat"), ==, 1);
      assert_sim_order (i % 2 ? RD_PAYMENT_GATEWAY_ALIPAY : RD_PAYMENT_GATEWAY_WECHATPAY,
                        numbers[i], 1, 0);
      order_clear (&orders[i]);
      g_free (numbers[i]);
    }
  check_sim_books ();
}

static void
test_refund_on_cancel (gconstpointer data)
{
  RdPaymentGateway gateway = GPOINTER_TO_INT (data);
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) attempt = NULL;
  g_autoptr(RdCancelResult) cancelled = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = rd_gateway_sim_make_auth_code (gateway, RD_GATEWAY_SIM_PAYER_PAYS, 1);
  g_autofree char *refund_status = NULL;
  RdGatewaySimOrder sim_order;
  guint n;

  make_order (&order);
  attempt = rd_pay_service_start_pay_code (service, order.order_no, gateway, code, NULL);
  wait_final (attempt);
  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_PAID);

  /* 退号: the database leaves a pending refund for the gateway... */
  cancelled = rd_booking_cancel_sync (clerk_db, NULL, order.appointment_id, "test", NULL,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cancelled->order_status, ==, "refunding");

  /* ...which the desk sends and follows to SUCCESS, once. */
  n = rd_pay_service_refund_order_sync (service, order.order_no, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  refund_status = order_text (order.order_no, "SELECT string_agg(r.status, ',') "
                                              "FROM regdesk.refunds r JOIN regdesk.payments y "
                                              "ON y.id = r.payment_id JOIN regdesk.orders o "
                                              "ON o.id = y.order_id WHERE o.order_no = $1");
  g_assert_cmpstr (refund_status, ==, "succeeded");
  g_assert_cmpint (order_int (order.order_no, "SELECT refunded_amount FROM regdesk.orders "
                                              "WHERE order_no = $1"), ==, FEE);
  g_assert_cmpint (order_int (order.order_no, "SELECT count(*) FROM regdesk.sms_outbox "
                                              "WHERE template = 'refund_done' "
                                              "AND params->>'order_no' = $1"), ==, 1);
  {
    g_autofree char *status = order_text (order.order_no, "SELECT status FROM regdesk.orders "
                                                          "WHERE order_no = $1");

    g_assert_cmpstr (status, ==, "refunded");
  }

  /* Again: nothing left to send; the gateway gave the money back once. */
  n = rd_pay_service_refund_order_sync (service, order.order_no, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (rd_gateway_sim_get_order (sim, gateway,
                                           rd_pay_attempt_get_out_trade_no (attempt),
                                           &sim_order));
  g_assert_cmpint (sim_order.refunded, ==, FEE);
  g_assert_cmpuint (sim_order.n_refunds, ==, 1);
  check_sim_books ();
}

/* The patient paid by QR behind the desk's back and then again by code:
 * the second success is refunded, never kept. */
static void
test_paid_twice_refunded (void)
{
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) attempt = NULL;
  g_autoptr(RdDb) worker_db = connect_worker ();
  g_autoptr(RdPayService) worker = new_worker_service (worker_db);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *code = rd_gateway_sim_make_auth_code (RD_PAYMENT_GATEWAY_ALIPAY,
                                                         RD_GATEWAY_SIM_PAYER_PAYS, 1);

  make_order (&order);
  first = charge_behind_the_back (order.order_no, RD_PAYMENT_GATEWAY_WECHATPAY);
  attempt = rd_pay_service_start_pay_code (service, order.order_no, RD_PAYMENT_GATEWAY_ALIPAY,
                                           code, NULL);
  wait_final (attempt);
  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_PAID);

  rd_pay_service_settle_sync (worker, 100, NULL, &error);
  g_assert_no_error (error);

  assert_order (order.order_no, "paid", "booked", "paid");
  g_assert_cmpint (count_payments (order.order_no, "succeeded"), ==, 2);
  g_assert_cmpint (count_audit (order.order_no, "payment_surplus"), ==, 1);
  assert_sim_order (RD_PAYMENT_GATEWAY_WECHATPAY, first, 1, FEE);
  assert_sim_order (RD_PAYMENT_GATEWAY_ALIPAY, rd_pay_attempt_get_out_trade_no (attempt), 1, 0);
  g_assert_cmpint (order_int (order.order_no, "SELECT refunded_amount FROM regdesk.orders "
                                              "WHERE order_no = $1"), ==, 0);
  check_sim_books ();
}

/* Another attempt on the same order is closed at the gateway once one pays. */
static void
test_other_attempt_closed (void)
{
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) qr = NULL;
  g_autoptr(RdPayAttempt) code_attempt = NULL;
  g_autofree char *code = rd_gateway_sim_make_auth_code (RD_PAYMENT_GATEWAY_ALIPAY,
                                                         RD_GATEWAY_SIM_PAYER_PAYS, 1);
  RdGatewaySimOrder sim_order;

  make_order (&order);
  qr = rd_pay_service_start_qr (service, order.order_no, RD_PAYMENT_GATEWAY_WECHATPAY, NULL);
  wait_code_url (qr);
  code_attempt = rd_pay_service_start_pay_code (service, order.order_no,
                                                RD_PAYMENT_GATEWAY_ALIPAY, code, NULL);
  wait_final (code_attempt);
  wait_final (qr);

  g_assert_cmpint (rd_pay_attempt_get_state (code_attempt), ==, RD_PAY_ATTEMPT_PAID);
  g_assert_cmpint (rd_pay_attempt_get_state (qr), ==, RD_PAY_ATTEMPT_CANCELLED);
  g_assert_true (rd_gateway_sim_get_order (sim, RD_PAYMENT_GATEWAY_WECHATPAY,
                                           rd_pay_attempt_get_out_trade_no (qr), &sim_order));
  g_assert_cmpint (sim_order.state, ==, RD_TRADE_STATE_CLOSED);
  g_assert_cmpuint (sim_order.charges, ==, 0);
  g_assert_cmpint (count_payments (order.order_no, "closed"), ==, 1);
  assert_order (order.order_no, "paid", "booked", "paid");
  check_sim_books ();
}

/* The clerk gives up on a QR code before anyone scans it. */
static void
test_qr_cancelled (void)
{
  g_auto(Order) order = { 0 };
  g_autoptr(RdPayAttempt) attempt = NULL;

  make_order (&order);
  attempt = rd_pay_service_start_qr (service, order.order_no, RD_PAYMENT_GATEWAY_ALIPAY, NULL);
  wait_code_url (attempt);
  rd_pay_attempt_cancel (attempt);
  wait_final (attempt);

  g_assert_cmpint (rd_pay_attempt_get_state (attempt), ==, RD_PAY_ATTEMPT_CANCELLED);
  g_assert_cmpint (count_payments (order.order_no, "closed"), ==, 1);
  assert_order (order.order_no, "unpaid", "pending_payment", "held");
  check_sim_books ();
}

int
main (int   argc,
      char *argv[])
{
  const gconstpointer wechat = GINT_TO_POINTER (RD_PAYMENT_GATEWAY_WECHATPAY);
  const gconstpointer alipay = GINT_TO_POINTER (RD_PAYMENT_GATEWAY_ALIPAY);
  int status;

  g_test_init (&argc, &argv, NULL);
  setup_once ();

  g_test_add_data_func ("/pay-service/qr/scanned/wechat", wechat, test_qr_scanned);
  g_test_add_data_func ("/pay-service/qr/scanned/alipay", alipay, test_qr_scanned);
  g_test_add_func ("/pay-service/qr/cancelled", test_qr_cancelled);
  g_test_add_data_func ("/pay-service/code/pays/wechat", wechat, test_code_pays);
  g_test_add_data_func ("/pay-service/code/pays/alipay", alipay, test_code_pays);
  g_test_add_data_func ("/pay-service/code/userpaying/wechat", wechat, test_code_userpaying);
  g_test_add_data_func ("/pay-service/code/userpaying/alipay", alipay, test_code_userpaying);
  g_test_add_func ("/pay-service/code/system-error", test_code_system_error);
  g_test_add_data_func ("/pay-service/code/timeout-settled/wechat", wechat,
                        test_code_timeout_settled);
  g_test_add_data_func ("/pay-service/code/timeout-settled/alipay", alipay,
                        test_code_timeout_settled);
  g_test_add_func ("/pay-service/code/dropped-after-charge", test_code_dropped_after_charge);
  g_test_add_func ("/pay-service/settle/abandoned", test_abandoned_settled);
  g_test_add_data_func ("/pay-service/code/refused/wechat", wechat, test_code_refused);
  g_test_add_data_func ("/pay-service/code/refused/alipay", alipay, test_code_refused);
  g_test_add_func ("/pay-service/code/garbage", test_garbage_code);
  g_test_add_func ("/pay-service/finish/duplicate", test_duplicate_finish);
  g_test_add_func ("/pay-service/finish/reversed-after-notification",
                   test_reversed_after_notification);
  g_test_add_func ("/pay-service/settle/concurrent", test_concurrent_settle);
  g_test_add_data_func ("/pay-service/refund/cancel/wechat", wechat, test_refund_on_cancel);
  g_test_add_data_func ("/pay-service/refund/cancel/alipay", alipay, test_refund_on_cancel);
  g_test_add_func ("/pay-service/paid-twice/refunded", test_paid_twice_refunded);
  g_test_add_func ("/pay-service/paid/other-attempt-closed", test_other_attempt_closed);

  status = g_test_run ();

  g_clear_object (&service);
  g_clear_object (&clerk_db);
  rd_gateway_sim_stop (sim);
  g_clear_object (&sim);

  return status;
}
