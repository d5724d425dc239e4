/* test-worker.c: the SMS outbox worker against a real PostgreSQL and the
 * gateway simulator: sending once, retries with back-off, two workers at
 * once, quiet hours, the per-number limit, reminders, lease expiry and the
 * expiry of unpaid bookings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "booking-test-util.h"
#include "rd-aliyun-sms.h"
#include "rd-gateway-http.h"
#include "rd-gateway-sim.h"
#include "rd-outbox.h"
#include "rd-sms-sender.h"
#include "rd-tencent-sms.h"
#include "rd-worker.h"

#define WORKER_LOGIN    "rd_test_worker"
#define WORKER_PASSWORD "worker-secret"
#define CLIENT_TIMEOUT_S 2.0

static RdGatewaySim *sim;
static SoupSession *session;
static RdDb *worker_db;
static RdDb *clerk_db;
static guint request_counter;

/* ---- Helpers ------------------------------------------------------------------ */

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static RdSmsProvider *
make_provider (RdSmsGateway gateway)
{
  g_autoptr(GKeyFile) kf = rd_gateway_sim_create_key_file (sim);
  g_autoptr(RdGatewayCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  RdSmsProvider *provider;

  g_key_file_set_double (kf, "aliyun-sms", "timeout", CLIENT_TIMEOUT_S);
  g_key_file_set_double (kf, "tencent-sms", "timeout", CLIENT_TIMEOUT_S);
  credentials = rd_gateway_credentials_new_from_key_file (kf, NULL, &error);
  g_assert_no_error (error);
  provider = rd_sms_sender_create_provider (session, credentials, kf,
                                            rd_sms_gateway_to_string (gateway), &error);
  g_assert_no_error (error);

  return provider;
}

static RdSmsSender *
make_sender (RdDb         *db,
             RdSmsGateway  gateway,
             const char   *name)
{
  g_autoptr(RdSmsProvider) provider = make_provider (gateway);

  return rd_sms_sender_new (db, provider, name);
}

static RdSmsPassReport
run_pass (RdSmsSender *sender)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RdSmsPassReport report = { 0 };

  rd_sms_sender_run_pass_async (sender, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (rd_sms_sender_run_pass_finish (sender, result, &report, &error));
  g_assert_no_error (error);
  g_test_message ("pass: %u claimed, %u sent, %u retried, %u dead, %u lost", report.claimed,
                  report.sent, report.retried, report.dead, report.lost);

  return report;
}

static void
owner_exec (const char *sql)
{
  g_autoptr(GError) error = NULL;

  rd_db_exec_script_sync (bt_owner (), sql, NULL, &error);
  g_assert_no_error (error);
}

static void
set_setting (const char *key,
             int         value)
{
  g_autofree char *v = g_strdup_printf ("%d", value);
  const char *params[] = { key, v };

  g_free (bt_scalar (bt_owner (),
                     "UPDATE regdesk.hospitals SET settings = settings || "
                     "jsonb_build_object($1::text, $2::int) RETURNING id::text",
                     2, params));
}

/* An outbox row for a new phone number (or phone), as a booking writes it. */
static gint64
add_row (const char *dedup_key,
         const char *phone)
{
  g_autofree char *number = NULL;
  const char *params[2];

  if (phone == NULL)
    phone = number = g_strdup_printf ("177%08u", g_random_int_range (0, 99999999));
  params[0] = phone;
  params[1] = dedup_key;

  return bt_int (bt_owner (),
                 "INSERT INTO regdesk.sms_outbox (hospital_id, to_phone, template, params, "
                 "    dedup_key) "
                 "SELECT min(id), $1, 'refund_done', jsonb_build_object('name', '王五', "
                 "    'order_no', 'R2024112400' || (random() * 1000)::int, 'amount', '12.00', "
                 "    'date', '2024-11-24'), $2 FROM regdesk.hospitals RETURNING id",
                 G_N_ELEMENTS (params), params);
}

static char *
row_text (const char *column,
          gint64      id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s::text FROM regdesk.sms_outbox WHERE id = $1",
                                          column);

  return bt_scalar1 (bt_owner (), sql, id);
}

static gint64
row_int (const char *sql,
         gint64      id)
{
  return bt_int1 (bt_owner (), sql, id);
}

/* Seconds from now to the row's next attempt. */
static gint64
seconds_to_next (gint64 id)
{
  return row_int ("SELECT extract(epoch FROM next_attempt_at - now())::bigint "
                  "FROM regdesk.sms_outbox WHERE id = $1", id);
}

static void
make_due (gint64 id)
{
  bt_exec1 (bt_owner (), "UPDATE regdesk.sms_outbox SET next_attempt_at = now() WHERE id = $1",
            id);
}

typedef struct
{
  gint64 appointment_id;
  char  *order_no;
} Booked;

static Booked
book (gint64 session_id)
{
  g_autofree char *request = g_strdup_printf ("worker-test-%u-%u", g_random_int (),
                                              ++request_counter);
  g_autofree char *sid = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);
  g_autofree char *pid = g_strdup_printf ("%" G_GINT64_FORMAT, bt_make_patient (NULL, FALSE));
  const char *params[] = { request, sid, pid, "window" };
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Booked booked;

  result = rd_db_query_sync (clerk_db, "SELECT appointment_id, order_no FROM api.book($1, $2, "
                             "$3, $4)", G_N_ELEMENTS (params), params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 1);
  booked.appointment_id = rd_result_get_int64 (result, 0, 0);
  booked.order_no = g_strdup (rd_result_get_string (result, 0, 1));

  return booked;
}

static void
pay (const Booked *booked)
{
  g_autofree char *request = g_strdup_printf ("worker-pay-%u-%u", g_random_int (),
                                              ++request_counter);
  const char *params[] = { request, booked->order_no, "100000" };
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (clerk_db, "SELECT * FROM api.pay_cash($1, $2, $3)",
                             G_N_ELEMENTS (params), params, NULL, &error);
  g_assert_no_error (error);
}

/* ---- Tests ---------------------------------------------------------------------- */

/* Booking writes the confirmation; one pass sends it, once. */
static void
test_book_sends_once (void)
{
  g_autoptr(RdSmsSender) sender = make_sender (worker_db, RD_SMS_GATEWAY_ALIYUN, "w1");
  gint64 session_id = bt_make_session ("3 hours", 3, 0, 0, "fcfs", 1200, 0);
  Booked booked = book (session_id);
  g_autofree char *dedup = g_strdup_printf ("booking_confirmed:%" G_GINT64_FORMAT,
                                            booked.appointment_id);
  g_autofree char *status = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *message_id = NULL;
  RdSmsPassReport report;
  gint64 id;

  id = bt_int (bt_owner (), "SELECT id FROM regdesk.sms_outbox WHERE dedup_key = $1", 1,
               (const char *[]) { dedup });
  status = row_text ("status", id);
  g_assert_cmpstr (status, ==, "pending");

  report = run_pass (sender);
  g_assert_cmpuint (report.sent, ==, 1);
  g_assert_cmpuint (report.claimed, ==, 1);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, dedup), ==, 1);

  g_clear_pointer (&status, g_free);
  status = row_text ("status", id);
  provider = row_text ("provider", id);
  message_id = row_text ("provider_message_id", id);
  g_assert_cmpstr (status, ==, "sent");
  g_assert_cmpstr (provider, ==, "aliyun");
  g_assert_true (g_str_has_suffix (message_id, "^0"));

  /* Nothing left: a second pass sends nothing more. */
  report = run_pass (sender);
  g_assert_cmpuint (report.claimed, ==, 0);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, dedup), ==, 1);
  g_free (booked.order_no);
}

/* The gateway is down for three attempts: each waits twice as long, then
 * the message goes, once. */
static void
test_provider_down (void)
{
  g_autoptr(RdSmsSender) sender = make_sender (worker_db, RD_SMS_GATEWAY_TENCENT, "w1");
  gint64 id = add_row ("test:down", NULL);
  g_autofree char *status = NULL;
  g_autofree char *last_error = NULL;
  RdSmsPassReport report;
  const gint64 waits[] = { 60, 120, 240 };

  set_setting ("sms_backoff_base_seconds", 60);
  set_setting ("sms_backoff_max_seconds", 3600);
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR, "tencent:sms", 3, 0);

  for (guint i = 0; i < G_N_ELEMENTS (waits); i++)
    {
      gint64 wait;

      report = run_pass (sender);
      g_assert_cmpuint (report.retried, ==, 1);
      g_assert_cmpuint (report.sent, ==, 0);
      g_clear_pointer (&status, g_free);
      status = row_text ("status", id);
      g_assert_cmpstr (status, ==, "failed");
      g_assert_cmpint (row_int ("SELECT attempts FROM regdesk.sms_outbox WHERE id = $1", id),
                       ==, i + 1);
      wait = seconds_to_next (id);
      g_assert_cmpint (wait, >=, waits[i] - 5);
      g_assert_cmpint (wait, <=, waits[i]);

      /* Not due yet: the next pass leaves it alone. */
      report = run_pass (sender);
      g_assert_cmpuint (report.claimed, ==, 0);
      make_due (id);
    }
  last_error = row_text ("last_error", id);
  g_assert_nonnull (strstr (last_error, "InternalError"));
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "test:down"), ==, 0);

  report = run_pass (sender);
  g_assert_cmpuint (report.sent, ==, 1);
  g_clear_pointer (&status, g_free);
  status = row_text ("status", id);
  g_assert_cmpstr (status, ==, "sent");
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "test:down"), ==, 1);

  /* The gateway asks to slow down: retried, after a minute at least. */
  id = add_row ("test:busy", NULL);
  set_setting ("sms_backoff_base_seconds", 5);
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED, "tencent:sms", 1, 0);
  report = run_pass (sender);
  g_assert_cmpuint (report.retried, ==, 1);
  g_assert_cmpint (seconds_to_next (id), >=, 55);
  set_setting ("sms_backoff_base_seconds", 60);
}

/* A final refusal is not retried; the attempts run out too. */
static void
test_dead (void)
{
  g_autoptr(RdSmsSender) sender = make_sender (worker_db, RD_SMS_GATEWAY_ALIYUN, "w1");
  gint64 refused = add_row ("test:refused", "+12025550123");
  g_autofree char *status = NULL;
  RdSmsPassReport report;
  gint64 tired;

  report = run_pass (sender);
  g_assert_cmpuint (report.claimed, ==, 1);
  g_assert_cmpuint (report.dead, ==, 1);
  status = row_text ("status", refused);
  g_assert_cmpstr (status, ==, "dead");
  g_clear_pointer (&status, g_free);
  status = row_text ("last_error", refused);
  g_assert_nonnull (strstr (status, "isv.MOBILE_NUMBER_ILLEGAL"));

  set_setting ("sms_max_attempts", 2);
  tired = add_row ("test:tired", NULL);
  rd_gateway_sim_add_fault (sim, RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR, "aliyun:sms", 2, 0);
  report = run_pass (sender);
  g_assert_cmpuint (report.retried, ==, 1);
  g_clear_pointer (&status, g_free);
  status = row_text ("status", tired);
  g_assert_cmpstr (status, ==, "failed");

  make_due (tired);
  report = run_pass (sender);
  g_assert_cmpuint (report.dead, ==, 1);
  g_clear_pointer (&status, g_free);
  status = row_text ("status", tired);
  g_assert_cmpstr (status, ==, "dead");
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "test:tired"), ==, 0);
  set_setting ("sms_max_attempts", 10);
}

/* ---- Two workers at once ------------------------------------------------------- */

typedef struct
{
  char            *conninfo;
  GKeyFile        *key_file;  /* made on the simulator's thread */
  RdSmsGateway     gateway;
  const char      *name;
  RdSmsPassReport  total;
  guint            passes;
  gboolean         done;
} WorkerThread;

static gpointer
worker_thread (gpointer user_data)
{
  WorkerThread *w = user_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(RdDb) db = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (context);
  {
    g_autoptr(SoupSession) own_session = rd_gateway_session_new ();
    g_autoptr(RdGatewayCredentials) credentials = NULL;
    g_autoptr(RdSmsProvider) provider = NULL;
    g_autoptr(RdSmsSender) sender = NULL;

    db = rd_db_new (w->conninfo);
    rd_db_connect_sync (db, NULL, &error);
    g_assert_no_error (error);

    credentials = rd_gateway_credentials_new_from_key_file (w->key_file, NULL, &error);
    g_assert_no_error (error);
    provider = rd_sms_sender_create_provider (own_session, credentials, NULL,
                                              rd_sms_gateway_to_string (w->gateway), &error);
    g_assert_no_error (error);
    sender = rd_sms_sender_new (db, provider, w->name);
    rd_sms_sender_set_batch_size (sender, 10, 1);

    for (;;)
      {
        g_autoptr(GAsyncResult) result = NULL;
        RdSmsPassReport report = { 0 };

        rd_sms_sender_run_pass_async (sender, NULL, got_result, &result);
        while (result == NULL)
          g_main_context_iteration (context, TRUE);
        g_assert_true (rd_sms_sender_run_pass_finish (sender, result, &report, &error));
        g_assert_no_error (error);
        w->passes++;
        w->total.claimed += report.claimed;
        w->total.sent += report.sent;
        w->total.retried += report.retried;
        w->total.lost += report.lost;
        if (report.claimed == 0)
          break;
      }
    rd_db_close (db);
  }
  g_main_context_pop_thread_default (context);
  g_atomic_int_set (&w->done, TRUE);
  g_main_context_wakeup (NULL);

  return NULL;
}

static void
test_two_workers (void)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (WORKER_LOGIN, WORKER_PASSWORD);
  g_autoptr(GKeyFile) kf = rd_gateway_sim_create_key_file (sim);
  WorkerThread a = { conninfo, kf, RD_SMS_GATEWAY_ALIYUN, "worker-a", { 0 }, 0, FALSE };
  WorkerThread b = { conninfo, kf, RD_SMS_GATEWAY_ALIYUN, "worker-b", { 0 }, 0, FALSE };
  GThread *ta;
  GThread *tb;
  enum { N_ROWS = 200 };

  for (guint i = 0; i < N_ROWS; i++)
    {
      g_autofree char *dedup = g_strdup_printf ("test:two:%u", i);

      add_row (dedup, NULL);
    }

  ta = g_thread_new ("worker-a", worker_thread, &a);
  tb = g_thread_new ("worker-b", worker_thread, &b);
  /* The simulator answers both from this thread. */
  while (!g_atomic_int_get (&a.done) || !g_atomic_int_get (&b.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (ta);
  g_thread_join (tb);

  g_test_message ("worker a: %u passes, %u sent; worker b: %u passes, %u sent",
                  a.passes, a.total.sent, b.passes, b.total.sent);
  g_assert_cmpuint (a.total.sent + b.total.sent, ==, N_ROWS);
  g_assert_cmpuint (a.total.lost + b.total.lost, ==, 0);
  g_assert_cmpuint (a.total.retried + b.total.retried, ==, 0);
  for (guint i = 0; i < N_ROWS; i++)
    {
      g_autofree char *dedup = g_strdup_printf ("test:two:%u", i);

      g_assert_cmpuint (rd_gateway_sim_count_sms (sim, dedup), ==, 1);
    }
  g_assert_cmpint (bt_int (bt_owner (),
                           "SELECT count(*) FROM regdesk.sms_outbox "
                           "WHERE dedup_key LIKE 'test:two:%' AND status = 'sent' "
                           "AND attempts = 1", 0, NULL), ==, N_ROWS);
}

/* ---- Quiet hours, rate limit, lease ---------------------------------------------- */

static void
test_quiet_hours (void)
{
  g_autoptr(RdSmsSender) sender = make_sender (worker_db, RD_SMS_GATEWAY_ALIYUN, "w1");
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);
  int hour = g_date_time_get_hour (now);
  g_autofree char *status = NULL;
  RdSmsPassReport report;
  gint64 id;
  gint64 wait;

  /* Quiet from this hour for two: the row waits for the end, a full hour
   * (two hours at most) away, even if the clock turns an hour meanwhile. */
  set_setting ("sms_quiet_start_hour", hour);
  set_setting ("sms_quiet_end_hour", (hour + 2) % 24);
  id = add_row ("test:quiet", NULL);

  report = run_pass (sender);
  g_assert_cmpuint (report.claimed, ==, 0);
  status = row_text ("status", id);
  g_assert_cmpstr (status, ==, "pending");
  wait = seconds_to_next (id);
  g_assert_cmpint (wait, >, 3600 - 60);
  g_assert_cmpint (wait, <=, 2 * 3600);
  g_assert_cmpint (row_int ("SELECT extract(minute FROM next_attempt_at AT TIME ZONE "
                            "'Asia/Shanghai')::bigint FROM regdesk.sms_outbox WHERE id = $1",
                            id), ==, 0);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "test:quiet"), ==, 0);

  /* Quiet time over: it goes. */
  set_setting ("sms_quiet_start_hour", 0);
  set_setting ("sms_quiet_end_hour", 0);
  make_due (id);
  report = run_pass (sender);
  g_assert_cmpuint (report.sent, ==, 1);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "test:quiet"), ==, 1);
}

static void
test_rate_limit (void)
{
  g_autoptr(RdSmsSender) sender = make_sender (worker_db, RD_SMS_GATEWAY_TENCENT, "w1");
  RdSmsPassReport report;
  gint64 third;

  set_setting ("sms_max_per_phone_per_hour", 2);
  add_row ("test:rate:1", "17799990001");
  add_row ("test:rate:2", "17799990001");
  third = add_row ("test:rate:3", "17799990001");

  report = run_pass (sender);
  g_assert_cmpuint (report.sent, ==, 2);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "test:rate:3"), ==, 0);
  /* Deferred, not dropped: an hour after the first of the two. */
  g_assert_cmpint (seconds_to_next (third), >=, 3590);
  g_assert_cmpint (seconds_to_next (third), <=, 3600);
  g_assert_cmpint (row_int ("SELECT attempts FROM regdesk.sms_outbox WHERE id = $1", third), ==,
                   0);

  set_setting ("sms_max_per_phone_per_hour", 100);
  make_due (third);
  report = run_pass (sender);
  g_assert_cmpuint (report.sent, ==, 1);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "test:rate:3"), ==, 1);
}

/* A worker that dies while sending: its rows come back after the lease,
 * and its late answer changes nothing. */
static void
test_lease_expiry (void)
{
  g_autoptr(RdSmsSender) sender = make_sender (worker_db, RD_SMS_GATEWAY_ALIYUN, "w2");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *status = NULL;
  RdOutboxRow *row;
  RdSmsPassReport report;
  gboolean held = TRUE;
  gint64 id = add_row ("test:lease", NULL);

  rd_outbox_claim_async (worker_db, "crashing", 10, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rows = rd_outbox_claim_finish (worker_db, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = g_ptr_array_index (rows, 0);
  g_assert_cmpint (row->id, ==, id);
  g_assert_cmpint (row->attempt, ==, 1);
  g_assert_cmpint (seconds_to_next (id), >=, 290);

  /* Held by the crashed worker: not claimed again. */
  report = run_pass (sender);
  g_assert_cmpuint (report.claimed, ==, 0);

  make_due (id);
  report = run_pass (sender);
  g_assert_cmpuint (report.sent, ==, 1);
  status = row_text ("status", id);
  g_assert_cmpstr (status, ==, "sent");
  g_assert_cmpint (row_int ("SELECT attempts FROM regdesk.sms_outbox WHERE id = $1", id), ==, 2);

  g_clear_object (&result);
  rd_outbox_mark_sent_async (worker_db, row, "aliyun", "late", NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (rd_outbox_mark_sent_finish (worker_db, result, &held, &error));
  g_assert_no_error (error);
  g_assert_false (held);
  g_clear_pointer (&status, g_free);
  status = row_text ("provider_message_id", id);
  g_assert_cmpstr (status, !=, "late");
}

/* ---- Reminders and maintenance -------------------------------------------------- */

static void
test_reminders (void)
{
  g_autoptr(RdSmsSender) sender = make_sender (worker_db, RD_SMS_GATEWAY_TENCENT, "w1");
  g_autoptr(GError) error = NULL;
  gint64 session_id = bt_make_session ("1 day", 2, 0, 0, "fcfs", 1200, 0);
  Booked paid = book (session_id);
  Booked unpaid = book (session_id);
  g_autofree char *dedup = g_strdup_printf ("reminder:%" G_GINT64_FORMAT, paid.appointment_id);
  g_autofree char *unpaid_dedup = g_strdup_printf ("reminder:%" G_GINT64_FORMAT,
                                                   unpaid.appointment_id);
  int n;

  pay (&paid);

  /* Not before the hour. */
  set_setting ("sms_reminder_hour", 24);
  n = rd_outbox_enqueue_reminders_sync (worker_db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);

  set_setting ("sms_reminder_hour", 0);
  n = rd_outbox_enqueue_reminders_sync (worker_db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >=, 1);
  n = rd_outbox_enqueue_reminders_sync (worker_db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
  g_assert_cmpint (bt_int (bt_owner (), "SELECT count(*) FROM regdesk.sms_outbox "
                           "WHERE dedup_key = $1", 1, (const char *[]) { dedup }), ==, 1);
  /* An unpaid booking gets no reminder: it may yet expire. */
  g_assert_cmpint (bt_int (bt_owner (), "SELECT count(*) FROM regdesk.sms_outbox "
                           "WHERE dedup_key = $1", 1, (const char *[]) { unpaid_dedup }), ==, 0);

  while (run_pass (sender).claimed > 0)
    ;
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, dedup), ==, 1);
  set_setting ("sms_reminder_hour", 18);
  g_free (paid.order_no);
  g_free (unpaid.order_no);
}

static void
test_worker_tick_expires (void)
{
  g_autoptr(RdSmsSender) sender = make_sender (worker_db, RD_SMS_GATEWAY_ALIYUN, "w1");
  g_autoptr(RdWorker) worker = rd_worker_new (worker_db, sender, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *appt_status = NULL;
  g_autofree char *slot_status = NULL;
  g_autofree char *dedup = NULL;
  gint64 session_id = bt_make_session ("4 hours", 1, 0, 0, "fcfs", 1200, 0);
  Booked booked = book (session_id);
  RdWorkerReport report = { 0 };

  /* The payment window passed. */
  bt_exec1 (bt_owner (), "UPDATE regdesk.slots SET held_until = now() - interval '1 minute' "
            "WHERE id = (SELECT slot_id FROM regdesk.appointments WHERE id = $1)",
            booked.appointment_id);

  rd_worker_run_once_async (worker, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (rd_worker_run_once_finish (worker, result, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report.expired, >=, 1);

  appt_status = bt_scalar1 (bt_owner (), "SELECT status FROM regdesk.appointments WHERE id = $1",
                            booked.appointment_id);
  g_assert_cmpstr (appt_status, ==, "expired");
  slot_status = bt_scalar1 (bt_owner (), "SELECT s.status FROM regdesk.slots s "
                            "JOIN regdesk.appointments a ON a.slot_id = s.id WHERE a.id = $1",
                            booked.appointment_id);
  g_assert_cmpstr (slot_status, ==, "free");
  /* The same tick sent the booking's confirmation. */
  dedup = g_strdup_printf ("booking_confirmed:%" G_GINT64_FORMAT, booked.appointment_id);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, dedup), ==, 1);
  g_assert_cmpuint (report.sms.sent, >=, 1);
  g_free (booked.order_no);
}

static void
on_stopped (RdWorker *worker,
            gboolean *stopped)
{
  *stopped = TRUE;
}

/* A running worker sends a new row at once, without waiting for its tick. */
static void
test_worker_wakes_on_notify (void)
{
  g_autoptr(RdSmsSender) sender = make_sender (worker_db, RD_SMS_GATEWAY_ALIYUN, "w1");
  g_autoptr(RdWorker) worker = rd_worker_new (worker_db, sender, NULL);
  gboolean stopped = FALSE;
  gint64 deadline;

  g_signal_connect (worker, "stopped", G_CALLBACK (on_stopped), &stopped);
  rd_worker_set_interval (worker, 3600);
  rd_worker_start (worker);
  /* Let the first tick run and go idle. */
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);

  add_row ("test:wake", NULL);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (rd_gateway_sim_count_sms (sim, "test:wake") == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "test:wake"), ==, 1);

  rd_worker_stop (worker);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (rd_worker_is_running (worker));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *create_role = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  bt_setup ();
  create_role = g_strdup_printf ("CREATE ROLE " WORKER_LOGIN " LOGIN PASSWORD '"
                                 WORKER_PASSWORD "' IN ROLE regdesk_worker;");
  owner_exec (create_role);
  /* The demo's own messages are not these tests' business; any hour is
   * a sending hour unless a test says otherwise. */
  owner_exec ("UPDATE regdesk.sms_outbox SET status = 'dead';"
              "UPDATE regdesk.hospitals SET settings = settings || "
              "'{\"sms_quiet_start_hour\": 0, \"sms_quiet_end_hour\": 0, "
              "\"sms_max_per_phone_per_hour\": 100}';");
  worker_db = rd_test_pg_connect (WORKER_LOGIN, WORKER_PASSWORD);
  clerk_db = rd_test_pg_connect ("demo_clerk", "demo");

  sim = rd_gateway_sim_new (&error);
  g_assert_no_error (error);
  rd_gateway_sim_start (sim, 0, &error);
  g_assert_no_error (error);
  session = rd_gateway_session_new ();

  g_test_add_func ("/worker/book-sends-once", test_book_sends_once);
  g_test_add_func ("/worker/provider-down", test_provider_down);
  g_test_add_func ("/worker/dead", test_dead);
  g_test_add_func ("/worker/two-workers", test_two_workers);
  g_test_add_func ("/worker/quiet-hours", test_quiet_hours);
  g_test_add_func ("/worker/rate-limit", test_rate_limit);
  g_test_add_func ("/worker/lease-expiry", test_lease_expiry);
  g_test_add_func ("/worker/reminders", test_reminders);
  g_test_add_func ("/worker/tick-expires", test_worker_tick_expires);
  g_test_add_func ("/worker/wakes-on-notify", test_worker_wakes_on_notify);

  status = g_test_run ();

  g_clear_object (&worker_db);
  g_clear_object (&clerk_db);
  rd_gateway_sim_stop (sim);
  g_clear_object (&sim);
  g_clear_object (&session);

  return status;
}
