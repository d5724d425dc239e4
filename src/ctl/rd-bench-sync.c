/* rd-bench-sync.c: how soon another desk's roster shows a booking
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-bench"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "rd-bench-booking.h"
#include "rd-bench-sync.h"
#include "rd-booking.h"
#include "rd-db.h"
#include "rd-migrations.h"
#include "rd-roster.h"

#define SYNC_DB "regdesk_bench_sync"
#define N_SESSIONS 4
/* Unrecorded samples first: both connections plan their statements. */
#define N_WARMUP 5
/* A sample that takes longer has lost its update. */
#define SAMPLE_TIMEOUT_MS 10000

/* %u: patients, one booking each, so no rule refuses a sample. */
static const char setup_sql[] =
  "BEGIN;"
  "SET LOCAL regdesk.bulk_load = 'on';"
  "INSERT INTO regdesk.hospitals (code, name) VALUES ('SYNC', 'Sync');"
  "INSERT INTO regdesk.departments (hospital_id, code, name, pinyin) "
  "  SELECT id, 'S', 'Sync', 's' FROM regdesk.hospitals WHERE code = 'SYNC';"
  "INSERT INTO regdesk.doctors (hospital_id, department_id, code, name, pinyin, title) "
  "  SELECT d.hospital_id, d.id, 'SD' || i, 'Doctor ' || i, 'd', 'attending' "
  "    FROM regdesk.departments d, generate_series(1, " G_STRINGIFY (N_SESSIONS) ") i;"
  "INSERT INTO regdesk.patients (hospital_id, name, pinyin, sex, birth_date, phone) "
  "  SELECT h.id, 'Patient ' || i, 'p', 'M', date '1980-01-01', "
  "         '139' || lpad(i::text, 8, '0') "
  "    FROM regdesk.hospitals h, generate_series(1, %u) i WHERE h.code = 'SYNC';"
  "COMMIT;";

/* $1: slots per session, all in the window pool. Returns the day. */
static const char sessions_sql[] =
  "WITH s AS ("
  "  INSERT INTO regdesk.sessions (hospital_id, department_id, doctor_id, date, period, "
  "    starts_at, ends_at, clinic_type, fee, capacity, quota_window, quota_online, "
  "    quota_phone) "
  "  SELECT d.hospital_id, d.department_id, d.id, "
  "         (now() AT TIME ZONE 'Asia/Shanghai')::date + 2, 'morning', '08:00', '12:00', "
  "         'general', 1500, $1::int, $1::int, 0, 0 "
  "    FROM regdesk.doctors d WHERE d.code LIKE 'SD%' "
  "  RETURNING id, hospital_id, date), "
  "sl AS ("
  "  INSERT INTO regdesk.slots (hospital_id, session_id, seq, starts_at, ends_at, channel) "
  "  SELECT s.hospital_id, s.id, g, "
  "         (s.date + time '08:00') AT TIME ZONE 'Asia/Shanghai', "
  "         (s.date + time '08:01') AT TIME ZONE 'Asia/Shanghai', 'window' "
  "    FROM s, generate_series(1, $1::int) g) "
  "SELECT to_char(min(date), 'YYYY-MM-DD') FROM s";

typedef struct
{
  /* What the running sample waits for. */
  char     *payload;
  gint64    session_id;
  gboolean  call_done;
  gint64    notified_at;  /* monotonic µs; 0: not yet */
  gint64    updated_at;
  gboolean  timed_out;
  GError   *error;
} Sample;

static void
on_notification (RdDb       *db,
                 const char *channel,
                 const char *payload,
                 Sample     *sample)
{
  if (sample->notified_at == 0 && sample->payload != NULL
      && g_strcmp0 (payload, sample->payload) == 0)
    sample->notified_at = g_get_monotonic_time ();
}

static void
on_booked_changed (GObject    *session,
                   GParamSpec *pspec,
                   Sample     *sample)
{
  if (sample->updated_at == 0 && sample->session_id != 0)
    sample->updated_at = g_get_monotonic_time ();
}

static void
query_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Sample *sample = user_data;
  g_autoptr(RdResult) rows = rd_db_query_finish (RD_DB (object), result, &sample->error);

  sample->call_done = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  Sample *sample = user_data;

  sample->timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

/* Iterates the default context until @done says so, an error, or the
 * sample's time runs out. */
static gboolean
wait_for (Sample    *sample,
          gboolean (*done) (Sample *sample, gpointer data),
          gpointer   data,
          GError   **error)
{
  guint timeout = g_timeout_add (SAMPLE_TIMEOUT_MS, timeout_cb, sample);

  sample->timed_out = FALSE;
  while (!done (sample, data) && sample->error == NULL && !sample->timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!sample->timed_out)
    g_source_remove (timeout);

  if (sample->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&sample->error));
      return FALSE;
    }
  if (sample->timed_out)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   _("No update reached the other connection within %d seconds"),
                   SAMPLE_TIMEOUT_MS / 1000);
      return FALSE;
    }

  return TRUE;
}

static gboolean
roster_ready (Sample   *sample,
              gpointer  data)
{
  RdRoster *roster = data;

  return !rd_roster_get_loading (roster)
         && rd_roster_lookup (roster, sample->session_id) != NULL;
}

static gboolean
raw_done (Sample   *sample,
          gpointer  data)
{
  return sample->call_done && sample->notified_at != 0;
}

static gboolean
model_done (Sample   *sample,
            gpointer  data)
{
  return sample->call_done && sample->notified_at != 0 && sample->updated_at != 0;
}

static void
sample_reset (Sample     *sample,
              const char *payload,
              gint64      session_id)
{
  g_free (sample->payload);
  sample->payload = g_strdup (payload);
  sample->session_id = session_id;
  sample->call_done = FALSE;
  sample->notified_at = 0;
  sample->updated_at = 0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with @p percent at or below it. */
static double
percentile (GArray *values,
            guint   p)
{
  guint rank;

  g_array_sort (values, compare_doubles);
  rank = (p * values->len + 99) / 100;

  return g_array_index (values, double, CLAMP (rank, 1, values->len) - 1);
}

static gboolean
run_samples (const char  *conninfo,
             guint        samples,
             GString     *out,
             GError     **error)
{
  g_autoptr(RdDb) a = rd_db_new (conninfo);
  g_autoptr(RdDb) b = rd_db_new (conninfo);
  g_autoptr(RdRoster) roster = NULL;
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GArray) model = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) raw = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) notified = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) since_booking = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *setup = NULL;
  g_autofree char *slots = NULL;
  g_autofree char *date = NULL;
  g_autofree char *hospital = NULL;
  const char *params[1];
  gint64 sessions[N_SESSIONS];
  gint64 first_patient;
  Sample sample = { 0 };
  gulong notification_handler;
  guint total = samples + N_WARMUP;
  gboolean ok = FALSE;
  char buf[9][G_ASCII_DTOSTR_BUF_SIZE];

  if (!rd_db_connect_sync (a, NULL, error)
      || !rd_migrations_apply_sync (a, NULL, NULL, error))
    return FALSE;

  setup = g_strdup_printf (setup_sql, total);
  if (!rd_db_exec_script_sync (a, setup, NULL, error))
    return FALSE;
  slots = g_strdup_printf ("%u", total);
  params[0] = slots;
  rows = rd_db_query_sync (a, sessions_sql, 1, params, NULL, error);
  if (rows == NULL)
    return FALSE;
  date = g_strdup (rd_result_get_string (rows, 0, 0));
  g_clear_pointer (&rows, rd_result_unref);

  rows = rd_db_query_sync (a, "SELECT s.id, s.hospital_id, "
                              "       (SELECT min(p.id) FROM regdesk.patients p) "
                              "  FROM regdesk.sessions s ORDER BY s.id",
                           0, NULL, NULL, error);
  if (rows == NULL)
    return FALSE;
  g_assert (rd_result_get_n_rows (rows) == N_SESSIONS);
  for (guint i = 0; i < N_SESSIONS; i++)
    sessions[i] = rd_result_get_int64 (rows, i, 0);
  hospital = g_strdup (rd_result_get_string (rows, 0, 1));
  first_patient = rd_result_get_int64 (rows, 0, 2);
  g_clear_pointer (&rows, rd_result_unref);

  /* B: the desk. The roster LISTENs on its connection. */
  if (!rd_db_connect_sync (b, NULL, error))
    return FALSE;
  roster = rd_roster_new (b);
  rd_roster_set_date (roster, date);
  sample.session_id = sessions[0];
  if (!wait_for (&sample, roster_ready, roster, error))
    return FALSE;
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      GObject *session = rd_roster_lookup (roster, sessions[i]);

      if (session == NULL)
        {
          g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, sessions[i]);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("The roster of %s does not show session %s"), date, id);
          return FALSE;
        }
      g_signal_connect (session, "notify::booked", G_CALLBACK (on_booked_changed), &sample);
    }
  notification_handler = g_signal_connect (b, "notification", G_CALLBACK (on_notification),
                                           &sample);

  /* Raw and model samples alternate, so both see the same background. Both
   * are timed from the COMMIT that publishes them: the raw sample commits a
   * bare NOTIFY, the model sample the NOTIFYs of a booking that committed
   * just before, with the session's new counts; what the model adds on top
   * is the desk applying them. from_booking_commit_* also count the
   * booking's own durable COMMIT, which the booking desk waits for too. */
  for (guint i = 0; i < total; i++)
    {
      gint64 session_id = sessions[i % N_SESSIONS];
      g_autofree char *raw_payload = g_strdup_printf ("bench:%s:%u", hospital, i);
      g_autofree char *session_payload = g_strdup_printf ("session:%s:%" G_GINT64_FORMAT,
                                                          hospital, session_id);
      g_autoptr(RdResult) booked = NULL;
      g_autofree char *changes = NULL;
      g_autoptr(RdResult) begun = NULL;
      g_autoptr(RdResult) notify = NULL;
      const char *notify_params[] = { raw_payload };
      gint64 sent, durable;

      begun = rd_db_query_sync (a, "BEGIN", 0, NULL, NULL, error);
      if (begun == NULL)
        goto out;
      notify = rd_db_query_sync (a, "SELECT pg_notify('" RD_CHANGE_CHANNEL "', $1)", 1,
                                 notify_params, NULL, error);
      if (notify == NULL)
        goto out;
      sample_reset (&sample, raw_payload, 0);
      sent = g_get_monotonic_time ();
      rd_db_query_async (a, "COMMIT", 0, NULL, NULL, query_cb, &sample);
      if (!wait_for (&sample, raw_done, NULL, error))
        goto out;
      if (i >= N_WARMUP)
        {
          double ms = (sample.notified_at - sent) / 1000.0;

          g_array_append_val (raw, ms);
        }

      /* The desk's booking, step by step as CALL api.book_and_publish
       * runs it on the server: the booking with its notifications held
       * back, its durable COMMIT, then the NOTIFYs in a transaction of
       * their own, timed from that COMMIT like the raw sample. The client
       * round trips in between make this a little slower than the
       * procedure, never faster. */
      g_clear_pointer (&begun, rd_result_unref);
      begun = rd_db_query_sync (a, "BEGIN", 0, NULL, NULL, error);
      if (begun == NULL)
        goto out;
      {
        g_autofree char *session = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);
        g_autofree char *patient = g_strdup_printf ("%" G_GINT64_FORMAT, first_patient + i);
        g_autofree char *request_id = g_uuid_string_random ();
        const char *book_params[] = { request_id, session, patient };
        g_autoptr(RdResult) held = NULL;
        g_autoptr(RdResult) committed = NULL;

        held = rd_db_query_sync (a, "SELECT set_config('regdesk.publish_after_commit', 'on', "
                                    "true)", 0, NULL, NULL, error);
        if (held == NULL)
          goto out;
        booked = rd_db_query_sync (a, "SELECT api.book($1, $2, $3, 'window')", 3, book_params,
                                   NULL, error);
        if (booked == NULL)
          goto out;
        g_clear_pointer (&held, rd_result_unref);
        held = rd_db_query_sync (a, "SELECT current_setting('regdesk.pending_changes')", 0, NULL,
                                 NULL, error);
        if (held == NULL)
          goto out;
        changes = g_strdup (rd_result_get_string (held, 0, 0));
        durable = g_get_monotonic_time ();
        committed = rd_db_query_sync (a, "COMMIT", 0, NULL, NULL, error);
        if (committed == NULL)
          goto out;
      }
      g_clear_pointer (&begun, rd_result_unref);
      begun = rd_db_query_sync (a, "BEGIN", 0, NULL, NULL, error);
      if (begun == NULL)
        goto out;
      g_clear_pointer (&notify, rd_result_unref);
      {
        const char *publish_params[] = { changes };

        notify = rd_db_query_sync (a, "CALL api.publish($1)", 1, publish_params, NULL, error);
      }
      if (notify == NULL)
        goto out;
      sample_reset (&sample, session_payload, session_id);
      sent = g_get_monotonic_time ();
      rd_db_query_async (a, "COMMIT", 0, NULL, NULL, query_cb, &sample);
      if (!wait_for (&sample, model_done, NULL, error))
        goto out;
      if (i >= N_WARMUP)
        {
          double ms = (sample.updated_at - sent) / 1000.0;
          double notified_ms = (sample.notified_at - sent) / 1000.0;
          double booked_ms = (sample.updated_at - durable) / 1000.0;

          g_array_append_val (model, ms);
          g_array_append_val (notified, notified_ms);
          g_array_append_val (since_booking, booked_ms);
        }
    }

  {
    double p50 = percentile (model, 50);
    double p99 = percentile (model, 99);
    double raw_p50 = percentile (raw, 50);
    double raw_p99 = percentile (raw, 99);

    g_string_append_printf (out,
                            "{\"p50_ms\": %s, \"p99_ms\": %s, \"raw_p50_ms\": %s, "
                            "\"raw_p99_ms\": %s, \"ratio\": %s, \"samples\": %u, "
                            "\"updated\": %u, \"notified_p50_ms\": %s, "
                            "\"notified_p99_ms\": %s, \"from_booking_commit_p50_ms\": %s, "
                            "\"from_booking_commit_p99_ms\": %s}",
                            g_ascii_formatd (buf[0], sizeof buf[0], "%.3f", p50),
                            g_ascii_formatd (buf[1], sizeof buf[1], "%.3f", p99),
                            g_ascii_formatd (buf[2], sizeof buf[2], "%.3f", raw_p50),
                            g_ascii_formatd (buf[3], sizeof buf[3], "%.3f", raw_p99),
                            g_ascii_formatd (buf[4], sizeof buf[4], "%.2f",
                                             raw_p99 > 0 ? p99 / raw_p99 : 0),
                            samples, model->len,
                            g_ascii_formatd (buf[5], sizeof buf[5], "%.3f",
                                             percentile (notified, 50)),
                            g_ascii_formatd (buf[6], sizeof buf[6], "%.3f",
                                             percentile (notified, 99)),
                            g_ascii_formatd (buf[7], sizeof buf[7], "%.3f",
                                             percentile (since_booking, 50)),
                            g_ascii_formatd (buf[8], sizeof buf[8], "%.3f",
                                             percentile (since_booking, 99)));
  }
  ok = TRUE;

out:
  g_clear_signal_handler (&notification_handler, b);
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      GObject *session = rd_roster_lookup (roster, sessions[i]);

      if (session != NULL)
        g_signal_handlers_disconnect_by_data (session, &sample);
    }
  g_clear_object (&roster);
  rd_db_close (a);
  rd_db_close (b);
  g_free (sample.payload);
  g_clear_error (&sample.error);

  return ok;
}

gboolean
rd_bench_sync (const char  *conninfo_owner,
               guint        samples,
               GString     *out,
               GError     **error)
{
  g_autoptr(RdDb) owner = NULL;
  g_autofree char *conninfo = NULL;
  gboolean ok;

  g_return_val_if_fail (samples > 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  owner = rd_db_new (conninfo_owner);
  if (!rd_db_connect_sync (owner, NULL, error)
      || !rd_bench_recreate_database (owner, SYNC_DB, error))
    return FALSE;

  conninfo = rd_bench_conninfo_with_dbname (conninfo_owner, SYNC_DB);
  ok = run_samples (conninfo, samples, out, error);

  /* The scratch database goes whatever happened. */
  g_clear_pointer (&conninfo, g_free);
  {
    g_autoptr(RdResult) dropped = rd_db_query_sync (owner, "DROP DATABASE IF EXISTS " SYNC_DB
                                                           " WITH (FORCE)",
                                                    0, NULL, NULL, NULL);
  }
  rd_db_close (owner);

  return ok;
}
