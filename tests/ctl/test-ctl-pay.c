/* test-ctl-pay.c: regdesk-ctl pay query, pay close and pay refund against a
 * private server and the gateway simulator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "booking-test-util.h"
#include "rd-alipay.h"
#include "rd-booking.h"
#include "rd-demo-data.h"
#include "rd-gateway-http.h"
#include "rd-gateway-sim.h"
#include "rd-payments.h"
#include "rd-wechat-pay.h"

#define FEE 1800

static const char *ctl_path;
static RdGatewaySim *sim;
static RdDb *clerk_db;
static char *tmp_dir;
static char *credentials_path;   /* pointing at the simulator */
static char *astray_path;        /* pointing nowhere, for --sim-url */
static char *clerk_conninfo;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Runs regdesk-ctl with the NULL-terminated arguments while this process's
 * main context keeps the simulator answering. */
static void
run_ctl (Run *run,
         ...)
{
  static const char *unset[] = {
    "REGDESK_CONNINFO", "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER",
    "PGPASSWORD", "PGSERVICE", "REGDESK_DEMO_DIR",
  };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) ctl_path);
  va_start (args, run);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (guint i = 0; i < G_N_ELEMENTS (unset); i++)
    g_subprocess_launcher_unsetenv (launcher, unset[i]);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_subprocess_communicate_utf8_finish (process, result, &run->out, &run->err, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);

  g_test_message ("regdesk-ctl exit %d\nstdout: %s\nstderr: %s",
                  run->status, run->out, run->err);
}

/* The contract for every failure: exactly one line on stderr. */
static void
assert_one_error_line (Run *run)
{
  const char *newline = strchr (run->err, '\n');

  g_assert_true (g_str_has_prefix (run->err, "regdesk-ctl: "));
  g_assert_nonnull (newline);
  g_assert_cmpstr (newline, ==, "\n");
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* ---- Orders and payments made behind the command's back ---------------------- */

static char *
make_order (gint64 *appointment_id)
{
  g_autoptr(RdBookingResult) booking = NULL;
  g_autoptr(GError) error = NULL;
  gint64 session_id = bt_make_session ("1 day", 2, 0, 0, "fcfs", FEE, 0);
  gint64 patient_id = bt_make_patient (NULL, FALSE);

  booking = rd_booking_book_sync (clerk_db, NULL, session_id, patient_id, RD_CHANNEL_WINDOW, 0,
                                  NULL, NULL, &error);
  g_assert_no_error (error);
  if (appointment_id != NULL)
    *appointment_id = booking->appointment_id;

  return g_strdup (booking->order_no);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A QR attempt recorded and created at the gateway, paid by the patient
 * when @scan, its outcome left unknown at the desk. */
static char *
open_qr_payment (const char       *order_no,
                 RdPaymentGateway  gateway,
                 gboolean          scan)
{
  g_autoptr(RdPaymentAttemptRow) row = NULL;
  g_autoptr(RdPaymentOutcome) outcome = NULL;
  RdGatewayCredentials *credentials = rd_gateway_sim_get_credentials (sim);
  g_autoptr(SoupSession) session = rd_gateway_session_new ();
  g_autoptr(RdPaymentProvider) provider = NULL;
  g_autoptr(RdPayOrder) order = NULL;
  g_autoptr(RdPayResult) created = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  row = rd_payments_begin_sync (clerk_db, NULL, order_no,
                                gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "alipay" : "wechat",
                                "qr", NULL, &error);
  g_assert_no_error (error);

  if (gateway == RD_PAYMENT_GATEWAY_ALIPAY)
    provider = RD_PAYMENT_PROVIDER (rd_alipay_new (session, credentials, &error));
  else
    provider = RD_PAYMENT_PROVIDER (rd_wechat_pay_new (session, credentials, &error));
  g_assert_no_error (error);
  order = rd_pay_order_new (row->out_trade_no, "test", row->amount);
  rd_payment_provider_create_qr_async (provider, order, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  created = rd_payment_provider_create_qr_finish (provider, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);

  if (scan)
    {
      rd_gateway_sim_scan (sim, gateway, row->out_trade_no, &error);
      g_assert_no_error (error);
    }

  outcome = rd_payments_record_sync (clerk_db, row->out_trade_no, "unknown", NULL, -1, NULL,
                                     NULL, &error);
  g_assert_no_error (error);

  return g_strdup (row->out_trade_no);
}

static char *
order_status (const char *order_no)
{
  const char *params[] = { order_no };

  return bt_scalar (bt_owner (), "SELECT status FROM regdesk.orders WHERE order_no = $1", 1,
                    params);
}

/* ---- Tests ----------------------------------------------------------------------- */

static void
test_query_records (void)
{
  g_autofree char *order_no = make_order (NULL);
  g_autofree char *out_trade_no = open_qr_payment (order_no, RD_PAYMENT_GATEWAY_WECHATPAY,
                                                   TRUE);
  g_autofree char *status = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_auto(Run) run = { 0 };
  JsonObject *payment;

  run_ctl (&run, "pay", "query", "--order", order_no, "--credentials", credentials_path,
           "-d", clerk_conninfo, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");

  result = parse_object (run.out);
  g_assert_cmpstr (json_object_get_string_member (result, "order_no"), ==, order_no);
  g_assert_cmpstr (json_object_get_string_member (result, "order_status"), ==, "paid");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (result, "payments")),
                    ==, 1);
  payment = json_array_get_object_element (json_object_get_array_member (result, "payments"),
                                           0);
  g_assert_cmpstr (json_object_get_string_member (payment, "out_trade_no"), ==, out_trade_no);
  g_assert_cmpstr (json_object_get_string_member (payment, "method"), ==, "wechat");
  g_assert_cmpstr (json_object_get_string_member (payment, "status"), ==, "succeeded");
  g_assert_cmpstr (json_object_get_string_member (payment, "gateway_state"), ==, "SUCCESS");
  g_assert_cmpint (json_object_get_int_member (payment, "amount"), ==, FEE);
  g_assert_cmpstr (json_object_get_string_member (payment, "amount_yuan"), ==, "18.00");

  status = order_status (order_no);
  g_assert_cmpstr (status, ==, "paid");

  /* Asking again changes nothing. */
  {
    g_auto(Run) again = { 0 };
    const char *params[] = { order_no };

    run_ctl (&again, "pay", "query", "--order", order_no, "--credentials", credentials_path,
             "-d", clerk_conninfo, NULL);
    g_assert_cmpint (again.status, ==, 0);
    g_assert_cmpint (bt_int (bt_owner (),
                             "SELECT count(*) FROM regdesk.audit_log "
                             "WHERE action = 'pay_wechat' AND entity_id = $1", 1, params),
                     ==, 1);
  }
}

static void
test_close (void)
{
  g_autofree char *order_no = make_order (NULL);
  g_autofree char *out_trade_no = open_qr_payment (order_no, RD_PAYMENT_GATEWAY_ALIPAY, FALSE);
  g_autofree char *created = open_qr_payment (order_no, RD_PAYMENT_GATEWAY_WECHATPAY, FALSE);
  g_autofree char *status = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_auto(Run) run = { 0 };
  JsonArray *payments;
  RdGatewaySimOrder sim_order;

  run_ctl (&run, "pay", "close", "--order", order_no, "--credentials", credentials_path,
           "-d", clerk_conninfo, NULL);
  g_assert_cmpint (run.status, ==, 0);

  result = parse_object (run.out);
  g_assert_cmpstr (json_object_get_string_member (result, "order_status"), ==, "unpaid");
  payments = json_object_get_array_member (result, "payments");
  g_assert_cmpuint (json_array_get_length (payments), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (payments, i),
                                                    "status"), ==, "closed");

  /* Nobody can pay them now; the booking is still the patient's. */
  g_assert_true (rd_gateway_sim_get_order (sim, RD_PAYMENT_GATEWAY_WECHATPAY, created,
                                           &sim_order));
  g_assert_cmpint (sim_order.state, ==, RD_TRADE_STATE_CLOSED);
  g_assert_cmpuint (sim_order.charges, ==, 0);
  status = order_status (order_no);
  g_assert_cmpstr (status, ==, "unpaid");
}

static void
test_refund (void)
{
  gint64 appointment_id = 0;
  g_autofree char *order_no = make_order (&appointment_id);
  g_autofree char *out_trade_no = open_qr_payment (order_no, RD_PAYMENT_GATEWAY_ALIPAY, TRUE);
  g_autoptr(RdCancelResult) cancelled = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) paid = { 0 };
  g_auto(Run) run = { 0 };
  g_auto(Run) again = { 0 };
  JsonObject *refund;
  RdGatewaySimOrder sim_order;

  run_ctl (&paid, "pay", "query", "--order", order_no, "--credentials", credentials_path,
           "-d", clerk_conninfo, NULL);
  g_assert_cmpint (paid.status, ==, 0);
  cancelled = rd_booking_cancel_sync (clerk_db, NULL, appointment_id, "test", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cancelled->order_status, ==, "refunding");

  run_ctl (&run, "pay", "refund", "--order", order_no, "--credentials", credentials_path,
           "-d", clerk_conninfo, NULL);
  g_assert_cmpint (run.status, ==, 0);
  result = parse_object (run.out);
  g_assert_cmpstr (json_object_get_string_member (result, "order_status"), ==, "refunded");
  g_assert_cmpint (json_object_get_int_member (result, "refunds_succeeded"), ==, 1);
  refund = json_array_get_object_element (json_object_get_array_member (result, "refunds"), 0);
  g_assert_cmpstr (json_object_get_string_member (refund, "status"), ==, "succeeded");
  g_assert_cmpstr (json_object_get_string_member (refund, "out_trade_no"), ==, out_trade_no);
  g_assert_false (json_object_get_boolean_member (refund, "surplus"));

  /* Once: a second run sends nothing more. */
  run_ctl (&again, "pay", "refund", "--order", order_no, "--credentials", credentials_path,
           "-d", clerk_conninfo, NULL);
  g_assert_cmpint (again.status, ==, 0);
  g_clear_pointer (&result, json_object_unref);
  result = parse_object (again.out);
  g_assert_cmpint (json_object_get_int_member (result, "refunds_succeeded"), ==, 0);
  g_assert_true (rd_gateway_sim_get_order (sim, RD_PAYMENT_GATEWAY_ALIPAY, out_trade_no,
                                           &sim_order));
  g_assert_cmpint (sim_order.refunded, ==, FEE);
  g_assert_cmpuint (sim_order.n_refunds, ==, 1);
}

static void
test_sim_url (void)
{
  g_autofree char *order_no = make_order (NULL);
  g_autofree char *out_trade_no = open_qr_payment (order_no, RD_PAYMENT_GATEWAY_WECHATPAY,
                                                   TRUE);
  g_autoptr(JsonObject) result = NULL;
  g_auto(Run) astray = { 0 };
  g_auto(Run) run = { 0 };

  /* The key file points at a closed port: no gateway answers. */
  run_ctl (&astray, "pay", "query", "--order", order_no, "--credentials", astray_path,
           "-d", clerk_conninfo, NULL);
  g_assert_cmpint (astray.status, ==, 1);
  assert_one_error_line (&astray);
  g_assert_cmpstr (astray.out, ==, "");

  run_ctl (&run, "pay", "query", "--order", order_no, "--credentials", astray_path,
           "--sim-url", rd_gateway_sim_get_base_url (sim), "-d", clerk_conninfo, NULL);
  g_assert_cmpint (run.status, ==, 0);
  result = parse_object (run.out);
  g_assert_cmpstr (json_object_get_string_member (result, "order_status"), ==, "paid");
}

static void
test_errors (void)
{
  g_autofree char *order_no = make_order (NULL);
  g_autofree char *open_path = g_build_filename (tmp_dir, "open.conf", NULL);
  g_autofree char *contents = NULL;
  const char *cases[][12] = {
    /* usage: exit 2 */
    { "pay", "query", NULL },
    { "pay", "close", "--order", "", NULL },
    { "pay", "refund", "--order", "R1", "extra", NULL },
    { "pay", "query", "--order", "R1", "--sim-url", "ftp://x", NULL },
    { "pay", "frobnicate", NULL },
    { "bench", "payments", "--count", "0", NULL },
    { "bench", "payments", "--fault-rate", "2", NULL },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };
      const char **c = cases[i];

      run_ctl (&run, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], NULL);
      g_assert_cmpint (run.status, ==, 2);
      assert_one_error_line (&run);
    }

  /* Refused or failed: exit 1, one line. */
  {
    g_auto(Run) unknown_order = { 0 };
    g_auto(Run) no_payment = { 0 };
    g_auto(Run) no_refund = { 0 };
    g_auto(Run) exposed = { 0 };
    g_auto(Run) missing = { 0 };
    g_autofree char *missing_path = g_build_filename (tmp_dir, "missing.conf", NULL);

    run_ctl (&unknown_order, "pay", "query", "--order", "R000000000000", "--credentials",
             credentials_path, "-d", clerk_conninfo, NULL);
    g_assert_cmpint (unknown_order.status, ==, 1);
    assert_one_error_line (&unknown_order);

    run_ctl (&no_payment, "pay", "close", "--order", order_no, "--credentials",
             credentials_path, "-d", clerk_conninfo, NULL);
    g_assert_cmpint (no_payment.status, ==, 1);
    assert_one_error_line (&no_payment);

    run_ctl (&no_refund, "pay", "refund", "--order", order_no, "--credentials",
             credentials_path, "-d", clerk_conninfo, NULL);
    g_assert_cmpint (no_refund.status, ==, 1);
    assert_one_error_line (&no_refund);

    /* A key file others may read is refused before anything is sent. */
    g_file_get_contents (credentials_path, &contents, NULL, &error);
    g_assert_no_error (error);
    g_file_set_contents (open_path, contents, -1, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_chmod (open_path, 0644), ==, 0);
    run_ctl (&exposed, "pay", "query", "--order", order_no, "--credentials", open_path,
             "-d", clerk_conninfo, NULL);
    g_assert_cmpint (exposed.status, ==, 1);
    assert_one_error_line (&exposed);

    run_ctl (&missing, "pay", "query", "--order", order_no, "--credentials", missing_path,
             "-d", clerk_conninfo, NULL);
    g_assert_cmpint (missing.status, ==, 1);
    assert_one_error_line (&missing);
  }

  /* pay cash and pay card still live in the same group. */
  {
    g_auto(Run) help = { 0 };

    run_ctl (&help, "--help", NULL);
    g_assert_cmpint (help.status, ==, 0);
    for (guint i = 0; i < 5; i++)
      {
        static const char *verbs[] = {
          "pay cash", "pay card", "pay query", "pay close", "pay refund",
        };

        g_assert_nonnull (strstr (help.out, verbs[i]));
      }
    g_assert_nonnull (strstr (help.out, "bench payments"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) astray = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  ctl_path = argv[1];

  bt_setup ();
  clerk_db = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  clerk_conninfo = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);

  sim = rd_gateway_sim_new (&error);
  g_assert_no_error (error);
  rd_gateway_sim_start (sim, 0, &error);
  g_assert_no_error (error);

  tmp_dir = g_dir_make_tmp ("regdesk-ctl-pay-XXXXXX", &error);
  g_assert_no_error (error);
  credentials_path = g_build_filename (tmp_dir, "gateways.conf", NULL);
  rd_gateway_sim_write_credentials (sim, credentials_path, &error);
  g_assert_no_error (error);
  astray_path = g_build_filename (tmp_dir, "astray.conf", NULL);
  astray = rd_gateway_sim_create_key_file (sim);
  g_key_file_set_string (astray, "wechatpay", "base_url", "http://127.0.0.1:9");
  g_key_file_set_string (astray, "alipay", "gateway_url", "http://127.0.0.1:9/gateway.do");
  g_key_file_set_double (astray, "wechatpay", "timeout", 1);
  g_key_file_set_double (astray, "alipay", "timeout", 1);
  rd_gateway_credentials_write_key_file (astray, astray_path, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ctl-pay/query", test_query_records);
  g_test_add_func ("/ctl-pay/close", test_close);
  g_test_add_func ("/ctl-pay/refund", test_refund);
  g_test_add_func ("/ctl-pay/sim-url", test_sim_url);
  g_test_add_func ("/ctl-pay/errors", test_errors);

  status = g_test_run ();

  rd_gateway_sim_stop (sim);
  g_clear_object (&sim);
  g_clear_object (&clerk_db);
  {
    const char *rm[] = { "rm", "-rf", tmp_dir, NULL };

    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  g_free (tmp_dir);
  g_free (credentials_path);
  g_free (astray_path);
  g_free (clerk_conninfo);

  return status;
}
