/* rd-bench-payments.c: many gateway payments through injected faults,
 * then the simulator's accounts against the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-bench"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rd-alipay-sign.h"
#include "rd-bench-payments.h"
#include "rd-booking.h"
#include "rd-gateway-http.h"
#include "rd-gateway-sim.h"
#include "rd-migrations.h"
#include "rd-money.h"
#include "rd-pay-service.h"
#include "rd-payments.h"
#include "rd-sms-sender.h"
#include "rd-wechatpay-sign.h"

#define BENCH_DB         "regdesk_bench_payments"
#define N_SESSIONS       20
/* Short, so that the simulator's late answers time out quickly. */
#define CLIENT_TIMEOUT_S 0.3
#define LATE_MS          600

/* The bench hospital: one department, 20 doctors with a session each the
 * day after tomorrow, a patient per order; a payment window long enough
 * that no booking expires during the run. */
static const char setup_sql[] =
  "INSERT INTO regdesk.hospitals (code, name, settings) VALUES ('PAYBENCH', 'Pay bench', "
  "  jsonb_build_object('payment_window_minutes', 240, 'max_bookings_per_patient_per_day', 20,"
  "                     'priority_age', 70, 'cancel_cutoff_minutes', 30,"
  "                     'online_cutoff_minutes', 120, 'phone_cutoff_minutes', 120));"
  "INSERT INTO regdesk.departments (hospital_id, code, name, pinyin) "
  "  SELECT id, 'NK', '内科', 'nk' FROM regdesk.hospitals WHERE code = 'PAYBENCH';"
  "INSERT INTO regdesk.doctors (hospital_id, department_id, code, name, pinyin, title) "
  "  SELECT d.hospital_id, d.id, 'PD' || i, '医生' || i, 'ys', 'attending' "
  "    FROM regdesk.departments d, generate_series(1, " G_STRINGIFY (N_SESSIONS) ") i;";

/* $1 patients, $2 slots per session; fees 5.00 to 24.00 yuan. */
static const char people_sql[] =
  "WITH p AS ("
  "  INSERT INTO regdesk.patients (hospital_id, name, pinyin, sex, birth_date, phone) "
  "  SELECT h.id, '患者' || i, 'hz', 'F', date '1960-01-01' + i % 15000, "
  "         '139' || lpad(i::text, 8, '0') "
  "    FROM regdesk.hospitals h, generate_series(1, $1::int) i WHERE h.code = 'PAYBENCH' "
  "  RETURNING 1), "
  "s AS ("
  "  INSERT INTO regdesk.sessions (hospital_id, department_id, doctor_id, date, period, "
  "    starts_at, ends_at, clinic_type, fee, capacity, quota_window, quota_online, "
  "    quota_phone, online_cutoff_at, phone_cutoff_at) "
  "  SELECT d.hospital_id, d.department_id, d.id, "
  "         (now() AT TIME ZONE 'Asia/Shanghai')::date + 2, 'morning', '08:00', '12:00', "
  "         'general', 500 + 100 * (d.id % 20), $2::int, $2::int, 0, 0, "
  "         now() + interval '1 day', now() + interval '1 day' "
  "    FROM regdesk.doctors d WHERE d.code LIKE 'PD%' "
  "  RETURNING id, hospital_id, date) "
  "INSERT INTO regdesk.slots (hospital_id, session_id, seq, starts_at, ends_at, channel) "
  "SELECT s.hospital_id, s.id, g, "
  "       (s.date + time '08:00') AT TIME ZONE 'Asia/Shanghai', "
  "       (s.date + time '08:00') AT TIME ZONE 'Asia/Shanghai' + interval '1 minute', "
  "       'window' "
  "  FROM s, generate_series(1, $2::int) g";

/* Every gateway payment with what the database says it kept. */
static const char books_sql[] =
  "SELECT y.out_trade_no, y.method, y.amount, y.status, o.order_no, o.amount, o.status, "
  "       coalesce((SELECT sum(r.amount) FROM regdesk.refunds r "
  "                  WHERE r.payment_id = y.id AND r.status = 'succeeded'), 0), "
  "       (SELECT count(*) FROM regdesk.refunds r "
  "         WHERE r.payment_id = y.id AND r.status = 'succeeded') "
  "  FROM regdesk.payments y JOIN regdesk.orders o ON o.id = y.order_id "
  " WHERE y.method IN ('wechat', 'alipay') "
  " ORDER BY o.id, y.id";

static const char unsettled_sql[] =
  "SELECT (SELECT count(*) FROM regdesk.payments "
  "         WHERE (status IN ('pending', 'paying', 'unknown') OR recheck) "
  "           AND method IN ('wechat', 'alipay')) "
  "     + (SELECT count(*) FROM regdesk.refunds WHERE status IN ('pending', 'processing'))";

static const char leftovers_sql[] =
  "SELECT 'payment ' || out_trade_no || ' ' || status || coalesce(' ' || anomaly, '') "
  "  FROM regdesk.payments WHERE (status IN ('pending', 'paying', 'unknown') OR recheck) "
  "   AND method IN ('wechat', 'alipay') "
  "UNION ALL "
  "SELECT 'refund ' || out_refund_no || ' ' || status || coalesce(' ' || last_error, '') "
  "  FROM regdesk.refunds WHERE status IN ('pending', 'processing')";

static const char sms_lost_sql[] =
  "SELECT count(*) FROM regdesk.orders o JOIN regdesk.patients p ON p.id = o.patient_id "
  " WHERE o.status = 'refunded' AND p.phone IS NOT NULL "
  "   AND NOT EXISTS (SELECT 1 FROM regdesk.sms_outbox s WHERE s.template = 'refund_done' "
  "                      AND s.params ->> 'order_no' = o.order_no)";

static const char sms_duplicated_sql[] =
  "SELECT count(*) FROM (SELECT 1 FROM regdesk.sms_outbox "
  "                       GROUP BY template, params ->> 'order_no' HAVING count(*) > 1) x";

typedef struct
{
  char   *order_no;
  gint64  appointment_id;
  guint   tries;
} BenchOrder;

typedef struct
{
  RdBenchPaymentsOptions  options;
  RdDb                   *db;
  RdDb                   *notify_db;
  RdGatewaySim           *sim;
  RdPayService           *service;
  SoupServer             *notify_server;
  GRand                  *rand;
  GPtrArray              *orders;
  gint64                  virtual_ms;

  guint                   next;
  guint                   in_flight;
  guint                   unknown_at_desk;
  guint                   notify_pending;
  guint                   notifications_recorded;
  guint                   refunds_in_flight;
} Bench;

void
rd_bench_payments_options_init (RdBenchPaymentsOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (RdBenchPaymentsOptions) { 0 };
  options->count = 200;
  options->fault_rate = 0.2;
  options->seed = 1;
  options->refund_percent = 20;
  options->concurrency = 8;
  options->max_settle_passes = 60;
}

static void
bench_order_free (BenchOrder *order)
{
  g_free (order->order_no);
  g_free (order);
}

/* ---- A clock that jumps, on the bench's own main context ------------------ */

static gint64
jump_now (gpointer data)
{
  return *(gint64 *) data;
}

static guint
jump_schedule (gpointer     data,
               guint        delay_ms,
               GSourceFunc  func,
               gpointer     user_data)
{
  GSource *source = g_idle_source_new ();
  guint id;

  *(gint64 *) data += delay_ms;
  g_source_set_callback (source, func, user_data, NULL);
  id = g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);

  return id;
}

static void
jump_cancel (gpointer data,
             guint    id)
{
  GSource *source = g_main_context_find_source_by_id (g_main_context_get_thread_default (), id);

  if (source != NULL)
    g_source_destroy (source);
}

static const RdPayClock jump_clock = { jump_now, jump_schedule, jump_cancel };

/* ---- Small database helpers --------------------------------------------------- */

static char *
conninfo_with_dbname (const char *conninfo,
                      const char *dbname)
{
  if (g_str_has_prefix (conninfo, "postgresql://") || g_str_has_prefix (conninfo, "postgres://"))
    {
      g_autoptr(GUri) uri = g_uri_parse (conninfo, G_URI_FLAGS_ENCODED, NULL);
      g_autoptr(GUri) with_path = NULL;
      g_autofree char *path = g_strconcat ("/", dbname, NULL);

      if (uri == NULL)
        return g_strdup (conninfo);
      with_path = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri),
                               g_uri_get_userinfo (uri), g_uri_get_host (uri),
                               g_uri_get_port (uri), path, g_uri_get_query (uri), NULL);
      return g_uri_to_string (with_path);
    }

  return g_strdup_printf ("%s dbname=%s", conninfo != NULL ? conninfo : "", dbname);
}

static gint64
query_int (RdDb        *db,
           const char  *sql,
           GError     **error)
{
  g_autoptr(RdResult) rows = rd_db_query_sync (db, sql, 0, NULL, NULL, error);

  if (rows == NULL)
    return -1;

  return rd_result_get_n_rows (rows) > 0 ? rd_result_get_int64 (rows, 0, 0) : 0;
}

static gboolean
drop_database (const char  *conninfo,
               GError     **error)
{
  g_autoptr(RdDb) db = rd_db_new (conninfo);
  g_autoptr(RdResult) rows = NULL;

  if (!rd_db_connect_sync (db, NULL, error))
    return FALSE;
  rows = rd_db_query_sync (db, "DROP DATABASE IF EXISTS " BENCH_DB " WITH (FORCE)", 0, NULL,
                           NULL, error);

  return rows != NULL;
}

static RdDb *
create_database (const char  *conninfo,
                 const char  *bench_conninfo,
                 GError     **error)
{
  g_autoptr(RdDb) admin = rd_db_new (conninfo);
  g_autoptr(RdDb) db = NULL;
  g_autoptr(RdResult) rows = NULL;

  if (!rd_db_connect_sync (admin, NULL, error))
    return NULL;
  rows = rd_db_query_sync (admin, "DROP DATABASE IF EXISTS " BENCH_DB " WITH (FORCE)", 0,
                           NULL, NULL, error);
  if (rows == NULL)
    return NULL;
  g_clear_pointer (&rows, rd_result_unref);
  rows = rd_db_query_sync (admin, "CREATE DATABASE " BENCH_DB, 0, NULL, NULL, error);
  if (rows == NULL)
    return NULL;
  rd_db_close (admin);

  db = rd_db_new (bench_conninfo);
  rd_db_set_auto_reconnect (db, FALSE);
  if (!rd_db_connect_sync (db, NULL, error)
      || !rd_migrations_apply_sync (db, NULL, NULL, error))
    return NULL;

  return g_steal_pointer (&db);
}

static gboolean
book_orders (Bench   *b,
             GError **error)
{
  g_autoptr(RdResult) rows = NULL;
  g_autofree char *patients_text = g_strdup_printf ("%u", b->options.count);
  g_autofree char *slots_text = g_strdup_printf ("%u", b->options.count / N_SESSIONS + 2);
  const char *params[] = { patients_text, slots_text };
  gint64 sessions[N_SESSIONS];
  gint64 first_patient;

  if (!rd_db_exec_script_sync (b->db, setup_sql, NULL, error))
    return FALSE;
  rows = rd_db_query_sync (b->db, people_sql, G_N_ELEMENTS (params), params, NULL, error);
  if (rows == NULL)
    return FALSE;
  g_clear_pointer (&rows, rd_result_unref);

  rows = rd_db_query_sync (b->db, "SELECT id FROM regdesk.sessions ORDER BY id", 0, NULL,
                           NULL, error);
  if (rows == NULL)
    return FALSE;
  if (rd_result_get_n_rows (rows) != N_SESSIONS)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("The benchmark's sessions were not created"));
      return FALSE;
    }
  for (guint i = 0; i < N_SESSIONS; i++)
    sessions[i] = rd_result_get_int64 (rows, i, 0);
  first_patient = query_int (b->db, "SELECT min(id) FROM regdesk.patients", error);
  if (first_patient <= 0)
    return FALSE;

  for (guint i = 0; i < b->options.count; i++)
    {
      g_autoptr(RdBookingResult) booking = NULL;
      BenchOrder *order;

      booking = rd_booking_book_sync (b->db, NULL, sessions[i % N_SESSIONS],
                                      first_patient + i, RD_CHANNEL_WINDOW, 0, NULL, NULL,
                                      error);
      if (booking == NULL)
        return FALSE;

      order = g_new0 (BenchOrder, 1);
      order->order_no = g_strdup (booking->order_no);
      order->appointment_id = booking->appointment_id;
      g_ptr_array_add (b->orders, order);
    }

  return TRUE;
}

/* ---- The hospital's notification endpoint --------------------------------------- */

static void
notification_recorded (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Bench *b = user_data;
  g_autoptr(RdPaymentOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;

  outcome = rd_payments_record_finish (RD_DB (source), result, &error);
  if (outcome != NULL)
    b->notifications_recorded++;
  else
    g_debug ("Notification not recorded: %s", error->message);
  b->notify_pending--;
}

static void
record_notification (Bench      *b,
                     const char *out_trade_no,
                     const char *gateway_trade_no,
                     gint64      amount,
                     const char *raw)
{
  b->notify_pending++;
  rd_payments_record_async (b->notify_db, out_trade_no, "succeeded", gateway_trade_no, amount,
                            raw, NULL, notification_recorded, b);
}

static gboolean
accept_wechat (Bench              *b,
               SoupMessageHeaders *headers,
               GBytes             *body,
               GError            **error)
{
  RdGatewayCredentials *credentials = rd_gateway_sim_get_credentials (b->sim);
  const RdWechatpayConfig *config = rd_gateway_credentials_get_wechatpay (credentials);
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(JsonObject) trade = NULL;
  g_autoptr(GBytes) plain = NULL;
  JsonObject *resource;
  JsonObject *amount;
  gsize len;
  const guint8 *data = g_bytes_get_data (body, &len);
  const char *plain_text;
  gsize plain_len;

  if (!rd_wechatpay_verify_response (config->platform_key,
                                     soup_message_headers_get_one (headers,
                                                                   "Wechatpay-Timestamp"),
                                     soup_message_headers_get_one (headers, "Wechatpay-Nonce"),
                                     soup_message_headers_get_one (headers,
                                                                   "Wechatpay-Signature"),
                                     soup_message_headers_get_one (headers, "Wechatpay-Serial"),
                                     data, len, g_get_real_time () / G_USEC_PER_SEC, error))
    return FALSE;

  event = rd_gateway_json_parse_object ((const char *) data, len, error);
  if (event == NULL)
    return FALSE;
  resource = json_object_get_object_member (event, "resource");
  if (resource == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no resource");
      return FALSE;
    }
  plain = rd_wechatpay_decrypt_resource (config->apiv3_key,
                                         rd_gateway_json_get_string (resource, "algorithm"),
                                         rd_gateway_json_get_string (resource, "nonce"),
                                         rd_gateway_json_get_string (resource,
                                                                     "associated_data"),
                                         rd_gateway_json_get_string (resource, "ciphertext"),
                                         error);
  if (plain == NULL)
    return FALSE;
  plain_text = g_bytes_get_data (plain, &plain_len);
  trade = rd_gateway_json_parse_object (plain_text, plain_len, error);
  if (trade == NULL)
    return FALSE;

  if (g_strcmp0 (rd_gateway_json_get_string (trade, "trade_state"), "SUCCESS") == 0)
    {
      g_autofree char *raw = g_strndup (plain_text, plain_len);

      amount = json_object_get_object_member (trade, "amount");
      record_notification (b, rd_gateway_json_get_string (trade, "out_trade_no"),
                           rd_gateway_json_get_string (trade, "transaction_id"),
                           amount != NULL ? rd_gateway_json_get_int (amount, "total", -1) : -1,
                           raw);
    }

  return TRUE;
}

static gboolean
accept_alipay (Bench   *b,
               GBytes  *body,
               GError **error)
{
  RdGatewayCredentials *credentials = rd_gateway_sim_get_credentials (b->sim);
  const RdAlipayConfig *config = rd_gateway_credentials_get_alipay (credentials);
  g_autoptr(GHashTable) params = NULL;
  const char *status;
  gint64 amount = -1;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  params = rd_alipay_parse_form (data, len, error);
  if (params == NULL
      || !rd_alipay_verify_notification (config->alipay_key, params, error))
    return FALSE;

  status = g_hash_table_lookup (params, "trade_status");
  if (g_strcmp0 (status, "TRADE_SUCCESS") == 0 || g_strcmp0 (status, "TRADE_FINISHED") == 0)
    {
      const char *total = g_hash_table_lookup (params, "total_amount");

      if (total == NULL || !rd_money_parse (total, &amount))
        amount = -1;
      record_notification (b, g_hash_table_lookup (params, "out_trade_no"),
                           g_hash_table_lookup (params, "trade_no"), amount, NULL);
    }

  return TRUE;
}

static void
handle_notification (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  Bench *b = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_str_equal (path, "/notify/wechat"))
    ok = accept_wechat (b, soup_server_message_get_request_headers (msg), body, &error);
  else if (g_str_equal (path, "/notify/alipay"))
    ok = accept_alipay (b, body, &error);
  else
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (!ok)
    {
      g_debug ("Notification refused: %s", error->message);
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "success", 7);
}

static char *
start_notify_server (Bench   *b,
                     GError **error)
{
  GSList *uris;
  char *base;

  b->notify_server = soup_server_new (NULL, NULL);
  rd_gateway_http_server_one_request_per_connection (b->notify_server);
  soup_server_add_handler (b->notify_server, "/notify", handle_notification, b, NULL);
  if (!soup_server_listen_local (b->notify_server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return NULL;

  uris = soup_server_get_uris (b->notify_server);
  base = g_strdup_printf ("http://127.0.0.1:%d/notify", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return base;
}

/* ---- Paying ------------------------------------------------------------------------- */

static void start_payment (Bench      *b,
                           BenchOrder *order,
                           gboolean    retry);

static void
on_code_url (RdPayAttempt *attempt,
             GParamSpec   *pspec,
             Bench        *b)
{
  g_autoptr(GError) error = NULL;

  if (rd_pay_attempt_get_code_url (attempt) == NULL
      || g_object_get_data (G_OBJECT (attempt), "bench-no-scan") != NULL)
    return;

  /* The patient scans and pays. */
  if (!rd_gateway_sim_scan (b->sim, rd_pay_attempt_get_gateway (attempt),
                            rd_pay_attempt_get_out_trade_no (attempt), &error))
    g_debug ("Scan refused: %s", error->message);
}

static void
on_attempt_state (RdPayAttempt *attempt,
                  GParamSpec   *pspec,
                  Bench        *b)
{
  BenchOrder *order = g_object_get_data (G_OBJECT (attempt), "bench-order");
  RdPayAttemptState state = rd_pay_attempt_get_state (attempt);

  if (!rd_pay_attempt_is_final (attempt))
    return;

  g_signal_handlers_disconnect_by_data (attempt, b);
  b->in_flight--;
  if (state == RD_PAY_ATTEMPT_UNKNOWN)
    b->unknown_at_desk++;
  else if ((state == RD_PAY_ATTEMPT_FAILED || state == RD_PAY_ATTEMPT_CANCELLED)
           && order->tries < 2)
    start_payment (b, order, TRUE);

  g_object_unref (attempt);
}

static void
start_payment (Bench      *b,
               BenchOrder *order,
               gboolean    retry)
{
  RdPaymentGateway gateway = g_rand_boolean (b->rand) ? RD_PAYMENT_GATEWAY_ALIPAY
                                                      : RD_PAYMENT_GATEWAY_WECHATPAY;
  RdPayAttempt *attempt;

  order->tries++;
  /* Half by QR code (a few never scanned), half by payment code (a few
   * patients confirm on the phone, a few have no money or an expired
   * code); a second try pays by code at once. */
  if (!retry && g_rand_boolean (b->rand))
    {
      attempt = rd_pay_service_start_qr (b->service, order->order_no, gateway, NULL);
      if (g_rand_double (b->rand) < 0.05)
        g_object_set_data (G_OBJECT (attempt), "bench-no-scan", GINT_TO_POINTER (TRUE));
      g_signal_connect (attempt, "notify::code-url", G_CALLBACK (on_code_url), b);
    }
  else
    {
      double roll = retry ? 0.0 : g_rand_double (b->rand);
      RdGatewaySimPayer payer = RD_GATEWAY_SIM_PAYER_PAYS;
      g_autofree char *code = NULL;

      if (roll > 0.96)
        payer = RD_GATEWAY_SIM_PAYER_NO_MONEY;
      else if (roll > 0.92)
        payer = RD_GATEWAY_SIM_PAYER_CODE_EXPIRED;
      else if (roll > 0.80)
        payer = RD_GATEWAY_SIM_PAYER_CONFIRMS;
      code = rd_gateway_sim_make_auth_code (gateway, payer, g_rand_int_range (b->rand, 1, 4));
      attempt = rd_pay_service_start_pay_code (b->service, order->order_no, gateway, code,
                                               NULL);
    }

  g_object_set_data (G_OBJECT (attempt), "bench-order", order);
  b->in_flight++;
  g_signal_connect (attempt, "notify::state", G_CALLBACK (on_attempt_state), b);
  if (rd_pay_attempt_is_final (attempt))
    on_attempt_state (attempt, NULL, b);
}

static void
pay_all (Bench *b)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (b->next < b->orders->len || b->in_flight > 0)
    {
      while (b->in_flight < b->options.concurrency && b->next < b->orders->len)
        start_payment (b, g_ptr_array_index (b->orders, b->next++), FALSE);
      g_main_context_iteration (context, TRUE);
    }
}

/* ---- Refunding ------------------------------------------------------------------------ */

static void
refund_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Bench *b = user_data;
  g_autoptr(GError) error = NULL;

  rd_pay_service_refund_order_finish (RD_PAY_SERVICE (source), result, &error);
  if (error != NULL)
    g_debug ("Refund not finished: %s", error->message);
  b->refunds_in_flight--;
}

static gboolean
cancel_and_refund (Bench   *b,
                   GError **error)
{
  GMainContext *context = g_main_context_get_thread_default ();
  g_autoptr(RdResult) rows = NULL;

  rows = rd_db_query_sync (b->db, "SELECT order_no, appointment_id FROM regdesk.orders "
                                  "WHERE status = 'paid' ORDER BY id", 0, NULL, NULL, error);
  if (rows == NULL)
    return FALSE;

  for (guint i = 0; i < rd_result_get_n_rows (rows); i++)
    {
      g_autoptr(RdCancelResult) cancelled = NULL;
      const char *order_no = rd_result_get_string (rows, i, 0);

      if (g_rand_int_range (b->rand, 0, 100) >= (gint32) b->options.refund_percent)
        continue;

      /* 退号 at the desk, then the desk sends the refund; now and then two
       * desks send the same one at once. */
      cancelled = rd_booking_cancel_sync (b->db, NULL, rd_result_get_int64 (rows, i, 1),
                                          "bench", NULL, error);
      if (cancelled == NULL)
        return FALSE;
      for (guint copies = g_rand_int_range (b->rand, 0, 10) == 0 ? 2 : 1; copies > 0; copies--)
        {
          b->refunds_in_flight++;
          rd_pay_service_refund_order_async (b->service, order_no, NULL, refund_done, b);
        }
      while (b->refunds_in_flight >= b->options.concurrency)
        g_main_context_iteration (context, TRUE);
    }

  while (b->refunds_in_flight > 0)
    g_main_context_iteration (context, TRUE);

  return TRUE;
}

/* ---- Settling and comparing ------------------------------------------------------------ */

static gboolean
wake_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Lets late notifications arrive and be recorded. */
static void
drain_notifications (Bench *b)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gboolean woken = FALSE;
  GSource *source = g_timeout_source_new (300);

  g_source_set_callback (source, wake_up, &woken, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
  while (!woken || b->notify_pending > 0)
    g_main_context_iteration (context, TRUE);
}

static gboolean
settle_until_quiet (Bench   *b,
                    guint   *passes,
                    gint64  *unsettled,
                    GError **error)
{
  *passes = 0;
  *unsettled = query_int (b->db, unsettled_sql, error);
  while (*unsettled > 0 && *passes < b->options.max_settle_passes)
    {
      rd_pay_service_settle_sync (b->service, 1000, NULL, error);
      if (error != NULL && *error != NULL)
        return FALSE;
      (*passes)++;
      drain_notifications (b);
      *unsettled = query_int (b->db, unsettled_sql, error);
      if (*unsettled < 0)
        return FALSE;
    }

  if (*unsettled > 0)
    {
      g_autoptr(RdResult) rows = rd_db_query_sync (b->db, leftovers_sql, 0, NULL, NULL, NULL);

      for (guint i = 0; rows != NULL && i < rd_result_get_n_rows (rows); i++)
        g_debug ("Left unsettled: %s", rd_result_get_string (rows, i, 0));
    }

  return *unsettled >= 0;
}

typedef struct
{
  guint payments;
  guint paid_twice;
  guint lost;
  guint refunded_twice;
} Books;

static gboolean
compare_books (Bench   *b,
               Books   *books,
               GError **error)
{
  g_autoptr(RdResult) rows = rd_db_query_sync (b->db, books_sql, 0, NULL, NULL, error);
  RdGatewaySimStats stats;
  const char *order_no = NULL;
  gint64 order_amount = 0;
  gint64 kept = 0;
  gboolean order_paid = FALSE;

  if (rows == NULL)
    return FALSE;

  *books = (Books) { 0 };
  for (guint i = 0; i <= rd_result_get_n_rows (rows); i++)
    {
      const char *out_trade_no, *method, *status;
      gint64 amount, refunded, db_kept, sim_kept = 0;
      RdGatewaySimOrder sim_order;
      RdPaymentGateway gateway;

      /* One order's payments end: what the patient kept paying. */
      if (order_no != NULL && (i == rd_result_get_n_rows (rows)
                               || g_strcmp0 (order_no, rd_result_get_string (rows, i, 4)) != 0))
        {
          if (kept > order_amount)
            books->paid_twice++;
          if (order_paid && kept != order_amount)
            books->lost++;
          kept = 0;
        }
      if (i == rd_result_get_n_rows (rows))
        break;

      out_trade_no = rd_result_get_string (rows, i, 0);
      method = rd_result_get_string (rows, i, 1);
      amount = rd_result_get_int64 (rows, i, 2);
      status = rd_result_get_string (rows, i, 3);
      order_no = rd_result_get_string (rows, i, 4);
      order_amount = rd_result_get_int64 (rows, i, 5);
      order_paid = g_strcmp0 (rd_result_get_string (rows, i, 6), "paid") == 0;
      refunded = rd_result_get_int64 (rows, i, 7);
      gateway = g_str_equal (method, "alipay") ? RD_PAYMENT_GATEWAY_ALIPAY
                                               : RD_PAYMENT_GATEWAY_WECHATPAY;

      books->payments++;
      if (rd_gateway_sim_get_order (b->sim, gateway, out_trade_no, &sim_order))
        sim_kept = sim_order.amount * sim_order.charges - sim_order.refunded;
      db_kept = (g_strcmp0 (status, "succeeded") == 0 ? amount : 0) - refunded;
      if (sim_kept != db_kept)
        {
          g_debug ("Payment %s: the gateway kept %" G_GINT64_FORMAT ", the database says %"
                   G_GINT64_FORMAT " (%s)", out_trade_no, sim_kept, db_kept, status);
          books->lost++;
        }
      if (rd_result_get_int64 (rows, i, 8) > 1)
        books->refunded_twice++;
      kept += sim_kept;
    }

  rd_gateway_sim_get_stats (b->sim, &stats);
  books->paid_twice += stats.paid_twice;
  books->refunded_twice += stats.refunded_twice;

  return TRUE;
}

/* Passes the SMS provider is down for, and the most passes to empty the
 * outbox afterwards. */
#define SMS_DOWN_PASSES 3
#define SMS_MAX_PASSES 50

typedef struct
{
  gboolean         done;
  gboolean         ok;
  RdSmsPassReport  report;
  GError          *error;
} SmsPass;

static void
worker_connected_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SmsPass *pass = user_data;

  pass->ok = rd_db_connect_finish (RD_DB (object), result, &pass->error);
  pass->done = TRUE;
}

static void
sms_pass_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  SmsPass *pass = user_data;

  pass->ok = rd_sms_sender_run_pass_finish (RD_SMS_SENDER (object), result, &pass->report,
                                            &pass->error);
  pass->done = TRUE;
}

/* The SMS side of the storm: the provider is down (every request answers
 * 500 and sends nothing) for the first passes, then back; the worker's
 * sender empties the outbox, with the back-off's waits skipped. Then every
 * outbox row must have reached the gateway exactly once: lost counts rows
 * never delivered, duplicated rows delivered more than once. */
static gboolean
deliver_sms (Bench       *b,
             const char  *bench_conninfo,
             guint       *lost,
             guint       *duplicated,
             GError     **error)
{
  /* the worker's own connection, as in production */
  g_autoptr(RdDb) worker_db = rd_db_new (bench_conninfo);
  /* where the payments ran, and so where the simulator answers */
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GKeyFile) key_file = rd_gateway_sim_create_key_file (b->sim);
  g_autoptr(RdSmsProvider) provider = NULL;
  g_autoptr(RdSmsSender) sender = NULL;
  g_autoptr(GHashTable) delivered = NULL;
  g_autoptr(RdResult) rows = NULL;
  gint64 remaining = -1;

  /* the storm runs at any hour and texts the same demo phones often */
  rows = rd_db_query_sync (b->db, "UPDATE regdesk.hospitals SET settings = settings || "
                           "'{\"sms_quiet_start_hour\": 0, \"sms_quiet_end_hour\": 0, "
                           "\"sms_max_per_phone_per_hour\": 100000}'::jsonb",
                           0, NULL, NULL, error);
  if (rows == NULL)
    return FALSE;
  g_clear_pointer (&rows, rd_result_unref);

  provider = rd_sms_sender_create_provider (session, rd_gateway_sim_get_credentials (b->sim),
                                            key_file, NULL, error);
  if (provider == NULL)
    return FALSE;
  {
    /* connected on this thread's context, where the passes run */
    SmsPass connecting = { 0 };

    rd_db_connect_async (worker_db, NULL, worker_connected_cb, &connecting);
    while (!connecting.done)
      g_main_context_iteration (context, TRUE);
    if (!connecting.ok)
      {
        g_propagate_error (error, connecting.error);
        return FALSE;
      }
  }
  sender = rd_sms_sender_new (worker_db, provider, "bench");
  rd_sms_sender_set_batch_size (sender, 100, 100);

  rd_gateway_sim_add_fault (b->sim, RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR, "sms", G_MAXUINT, 0);
  for (guint i = 0; i < SMS_MAX_PASSES && remaining != 0; i++)
    {
      SmsPass pass = { 0 };

      if (i == SMS_DOWN_PASSES)
        rd_gateway_sim_clear_faults (b->sim);

      rd_sms_sender_run_pass_async (sender, NULL, sms_pass_cb, &pass);
      while (!pass.done)
        g_main_context_iteration (context, TRUE);
      if (!pass.ok)
        {
          g_propagate_error (error, pass.error);
          return FALSE;
        }

      /* time passes: what waits for its back-off is due now */
      rows = rd_db_query_sync (b->db, "UPDATE regdesk.sms_outbox SET next_attempt_at = now() "
                               " WHERE status IN ('pending', 'failed')",
                               0, NULL, NULL, error);
      if (rows == NULL)
        return FALSE;
      g_clear_pointer (&rows, rd_result_unref);
      remaining = i < SMS_DOWN_PASSES ? -1
                  : query_int (b->db, "SELECT count(*) FROM regdesk.sms_outbox "
                               " WHERE status IN ('pending', 'failed', 'sending')", error);
      if (i >= SMS_DOWN_PASSES && remaining < 0)
        return FALSE;
    }
  rd_gateway_sim_clear_faults (b->sim);

  delivered = rd_gateway_sim_count_sms_by_out_id (b->sim);
  rows = rd_db_query_sync (b->db, "SELECT dedup_key, status FROM regdesk.sms_outbox",
                           0, NULL, NULL, error);
  if (rows == NULL)
    return FALSE;

  *lost = *duplicated = 0;
  for (guint i = 0; i < rd_result_get_n_rows (rows); i++)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (delivered,
                                                       rd_result_get_string (rows, i, 0)));

      if (n == 0 || g_strcmp0 (rd_result_get_string (rows, i, 1), "sent") != 0)
        (*lost)++;
      if (n > 1)
        (*duplicated)++;
    }

  return TRUE;
}

static gboolean
count_sms (Bench       *b,
           const char  *bench_conninfo,
           guint       *lost,
           guint       *duplicated,
           GError     **error)
{
  gint64 n;

  if (b->options.sms_check != NULL)
    return b->options.sms_check (bench_conninfo, lost, duplicated, b->options.sms_check_data,
                                 error);

  if (!deliver_sms (b, bench_conninfo, lost, duplicated, error))
    return FALSE;

  /* and the outbox itself: a refund without its text, an event texted twice */
  n = query_int (b->db, sms_lost_sql, error);
  if (n < 0)
    return FALSE;
  *lost += (guint) n;
  n = query_int (b->db, sms_duplicated_sql, error);
  if (n < 0)
    return FALSE;
  *duplicated += (guint) n;

  return TRUE;
}

static gboolean
setup_gateways (Bench   *b,
                GError **error)
{
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(RdGatewayCredentials) credentials = NULL;
  g_autofree char *notify_base = NULL;
  g_autofree char *wechat_notify = NULL;
  g_autofree char *alipay_notify = NULL;
  RdPayServiceConfig config;
  guint duplicates;

  b->sim = rd_gateway_sim_new (error);
  if (b->sim == NULL || !rd_gateway_sim_start (b->sim, 0, error))
    return FALSE;
  notify_base = start_notify_server (b, error);
  if (notify_base == NULL)
    return FALSE;

  key_file = rd_gateway_sim_create_key_file (b->sim);
  wechat_notify = g_strconcat (notify_base, "/wechat", NULL);
  alipay_notify = g_strconcat (notify_base, "/alipay", NULL);
  g_key_file_set_double (key_file, "wechatpay", "timeout", CLIENT_TIMEOUT_S);
  g_key_file_set_double (key_file, "alipay", "timeout", CLIENT_TIMEOUT_S);
  g_key_file_set_string (key_file, "wechatpay", "notify_url", wechat_notify);
  g_key_file_set_string (key_file, "alipay", "notify_url", alipay_notify);
  credentials = rd_gateway_credentials_new_from_key_file (key_file, NULL, error);
  if (credentials == NULL)
    return FALSE;

  b->service = rd_pay_service_new_for_credentials (b->db, credentials, error);
  if (b->service == NULL)
    return FALSE;
  rd_pay_service_set_clock (b->service, &jump_clock, &b->virtual_ms);
  rd_pay_service_get_config (b->service, &config);
  /* One process plays desk and worker: the worker may take anything left
   * over at once, and come back to it on the next pass. */
  config.abandoned_after_s = 0;
  config.grace_s = 0;
  config.lease_s = 0;
  config.refund_poll_ms = 1000;
  rd_pay_service_set_config (b->service, &config);

  rd_gateway_sim_set_fault_rate (b->sim, b->options.fault_rate, b->options.seed, LATE_MS);
  duplicates = (guint) (b->options.count * b->options.fault_rate / 2) + 1;
  rd_gateway_sim_add_fault (b->sim, RD_GATEWAY_SIM_FAULT_DUPLICATE_NOTIFY, "pay", duplicates,
                            0);
  rd_gateway_sim_add_fault (b->sim, RD_GATEWAY_SIM_FAULT_DUPLICATE_NOTIFY, "create",
                            duplicates, 0);

  return TRUE;
}

static void
bench_clear (Bench *b)
{
  g_clear_object (&b->service);
  if (b->notify_server != NULL)
    soup_server_disconnect (b->notify_server);
  g_clear_object (&b->notify_server);
  if (b->sim != NULL)
    rd_gateway_sim_stop (b->sim);
  g_clear_object (&b->sim);
  g_clear_object (&b->notify_db);
  g_clear_object (&b->db);
  g_clear_pointer (&b->rand, g_rand_free);
  g_clear_pointer (&b->orders, g_ptr_array_unref);
}

static gboolean
run (Bench       *b,
     const char  *bench_conninfo,
     const char  *conninfo_owner,
     GString     *out,
     GError     **error)
{
  RdGatewaySimStats stats;
  Books books;
  guint passes = 0;
  guint sms_lost = 0, sms_duplicated = 0;
  gint64 unsettled, paid, refunded, start;
  char seconds[G_ASCII_DTOSTR_BUF_SIZE];

  b->db = create_database (conninfo_owner, bench_conninfo, error);
  if (b->db == NULL || !book_orders (b, error))
    return FALSE;
  b->notify_db = rd_db_new (bench_conninfo);
  rd_db_set_auto_reconnect (b->notify_db, FALSE);
  if (!rd_db_connect_sync (b->notify_db, NULL, error) || !setup_gateways (b, error))
    return FALSE;

  start = g_get_monotonic_time ();
  pay_all (b);
  drain_notifications (b);
  if (!cancel_and_refund (b, error) || !settle_until_quiet (b, &passes, &unsettled, error))
    return FALSE;
  rd_gateway_sim_clear_faults (b->sim);
  drain_notifications (b);

  if (!compare_books (b, &books, error)
      || !count_sms (b, bench_conninfo, &sms_lost, &sms_duplicated, error))
    return FALSE;
  paid = query_int (b->db, "SELECT count(*) FROM regdesk.orders WHERE status = 'paid'", error);
  refunded = query_int (b->db, "SELECT count(*) FROM regdesk.orders WHERE status = 'refunded'",
                        error);
  if (paid < 0 || refunded < 0)
    return FALSE;
  rd_gateway_sim_get_stats (b->sim, &stats);
  g_ascii_formatd (seconds, sizeof seconds, "%.1f",
                   (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  g_string_append_printf (out,
                          "{\"payments\": %u, \"paid_twice\": %u, \"lost\": %u, "
                          "\"refunded_twice\": %u, \"sms_lost\": %u, \"sms_duplicated\": %u, "
                          "\"orders\": %u, \"paid\": %" G_GINT64_FORMAT ", "
                          "\"refunded\": %" G_GINT64_FORMAT ", \"unknown_at_desk\": %u, "
                          "\"unsettled\": %" G_GINT64_FORMAT ", \"settle_passes\": %u, "
                          "\"notifications\": %u, \"faults\": %u, \"seconds\": %s}\n",
                          books.payments, books.paid_twice, books.lost, books.refunded_twice,
                          sms_lost, sms_duplicated, b->options.count, paid, refunded,
                          b->unknown_at_desk, unsettled, passes, b->notifications_recorded,
                          stats.faults, seconds);

  return TRUE;
}

gboolean
rd_bench_payments (const char                   *conninfo_owner,
                   const RdBenchPaymentsOptions *options,
                   GString                      *out,
                   GError                      **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autofree char *bench_conninfo = NULL;
  g_autoptr(GError) drop_error = NULL;
  Bench b = { { 0 } };
  gboolean ok;

  g_return_val_if_fail (conninfo_owner != NULL, FALSE);
  g_return_val_if_fail (options != NULL && options->count > 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  b.options = *options;
  if (b.options.concurrency == 0)
    b.options.concurrency = 1;
  b.rand = g_rand_new_with_seed (options->seed);
  b.orders = g_ptr_array_new_with_free_func ((GDestroyNotify) bench_order_free);
  bench_conninfo = conninfo_with_dbname (conninfo_owner, BENCH_DB);

  /* Everything the run makes lives on its own main context. */
  g_main_context_push_thread_default (context);
  ok = run (&b, bench_conninfo, conninfo_owner, out, error);
  bench_clear (&b);
  g_main_context_pop_thread_default (context);

  if (!drop_database (conninfo_owner, &drop_error))
    g_debug ("Could not drop %s: %s", BENCH_DB, drop_error->message);

  return ok;
}
