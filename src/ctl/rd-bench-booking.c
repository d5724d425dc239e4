/* rd-bench-booking.c: the booking storm against pgbench's tpcb-like script
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-bench"

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "rd-bench-booking.h"
#include "rd-booking.h"
#include "rd-db.h"
#include "rd-migrations.h"

#define PGBENCH_DB "regdesk_bench_pgbench"
#define BOOKING_DB "regdesk_bench_booking"
#define N_SESSIONS 20
/* Untimed seconds of storm before the timed ones (fewer if the storm is
 * shorter). */
#define WARMUP_SECONDS 2

/* The bench hospital: one department, 20 doctors with a session each
 * tomorrow, 50 000 patients; lots of slots so that bookings rarely find a
 * pool empty; a generous daily maximum so that most attempts book. */
static const char setup_sql[] =
  "BEGIN;"
  "SET LOCAL regdesk.bulk_load = 'on';"
  "INSERT INTO regdesk.hospitals (code, name, settings) VALUES ('BENCH', 'Bench', "
  "  jsonb_build_object('payment_window_minutes', 15, 'max_bookings_per_patient_per_day', 20,"
  "                     'priority_age', 70, 'cancel_cutoff_minutes', 30,"
  "                     'online_cutoff_minutes', 120, 'phone_cutoff_minutes', 120));"
  "INSERT INTO regdesk.departments (hospital_id, code, name, pinyin) "
  "  SELECT id, 'B', 'Bench', 'b' FROM regdesk.hospitals WHERE code = 'BENCH';"
  "INSERT INTO regdesk.doctors (hospital_id, department_id, code, name, pinyin, title) "
  "  SELECT d.hospital_id, d.id, 'BD' || i, 'Doctor ' || i, 'd', 'attending' "
  "    FROM regdesk.departments d, generate_series(1, " G_STRINGIFY (N_SESSIONS) ") i;"
  "INSERT INTO regdesk.patients (hospital_id, name, pinyin, sex, birth_date, phone) "
  "  SELECT h.id, 'Patient ' || i, 'p', 'F', date '1960-01-01' + i % 15000, "
  "         '139' || lpad(i::text, 8, '0') "
  "    FROM regdesk.hospitals h, generate_series(1, 50000) i WHERE h.code = 'BENCH';"
  "COMMIT;";

/* $1: slots per session. 70 % window, 20 % online, 10 % phone. */
static const char sessions_sql[] =
  "WITH s AS ("
  "  INSERT INTO regdesk.sessions (hospital_id, department_id, doctor_id, date, period, "
  "    starts_at, ends_at, clinic_type, fee, capacity, quota_window, quota_online, "
  "    quota_phone, online_cutoff_at, phone_cutoff_at) "
  "  SELECT d.hospital_id, d.department_id, d.id, "
  "         (now() AT TIME ZONE 'Asia/Shanghai')::date + 2, 'morning', '08:00', '12:00', "
  "         'general', 1500, $1::int, $1::int - $1::int / 5 - $1::int / 10, $1::int / 5, "
  "         $1::int / 10, now() + interval '1 day', now() + interval '1 day' "
  "    FROM regdesk.doctors d WHERE d.code LIKE 'BD%' "
  "  RETURNING id, hospital_id, date, quota_window, quota_online) "
  "INSERT INTO regdesk.slots (hospital_id, session_id, seq, starts_at, ends_at, channel) "
  "SELECT s.hospital_id, s.id, g, "
  "       (s.date + time '08:00') AT TIME ZONE 'Asia/Shanghai', "
  "       (s.date + time '08:00') AT TIME ZONE 'Asia/Shanghai' + interval '1 minute', "
  "       CASE WHEN g <= s.quota_window THEN 'window' "
  "            WHEN g <= s.quota_window + s.quota_online THEN 'online' ELSE 'phone' END "
  "  FROM s, generate_series(1, $1::int) g";

static const char overbooked_sql[] =
  "SELECT (SELECT count(*) FROM (SELECT slot_id FROM regdesk.appointments "
  "         WHERE status IN ('pending_payment', 'booked', 'checked_in') "
  "         GROUP BY slot_id HAVING count(*) > 1) x) "
  "     + (SELECT count(*) FROM regdesk.sessions s CROSS JOIN "
  "         unnest(ARRAY['window', 'online', 'phone']) c "
  "         WHERE (SELECT count(*) FROM regdesk.appointments a WHERE a.session_id = s.id "
  "                AND a.channel = c AND a.status IN ('pending_payment', 'booked', "
  "                'checked_in')) "
  "             > (SELECT count(*) FROM regdesk.slots sl WHERE sl.session_id = s.id "
  "                AND sl.channel = c))";

static const char duplicates_sql[] =
  "SELECT count(*) FROM (SELECT a.patient_id, s.doctor_id, s.date "
  "  FROM regdesk.appointments a JOIN regdesk.sessions s ON s.id = a.session_id "
  " WHERE a.status IN ('pending_payment', 'booked', 'checked_in') "
  " GROUP BY 1, 2, 3 HAVING count(*) > 1) x";

typedef struct
{
  char     *conninfo;
  gint64   *sessions;
  gint64    first_patient;
  gint64    n_patients;
  gint64    deadline;       /* monotonic, µs */
  guint32   seed;
  /* Set by the main thread once the warm-up is over: only then count. */
  gint     *measuring;

  guint     booked;
  guint     cancelled;
  guint     refused;
  guint     conflicts;
  GError   *error;
} Client;

/* "dbname=X" appended wins in a keyword/value conninfo; a URI gets X as its
 * path. */
char *
rd_bench_conninfo_with_dbname (const char *conninfo,
                               const char *dbname)
{
  g_return_val_if_fail (dbname != NULL, NULL);

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

static char *
find_pgbench (void)
{
  g_autofree char *found = g_find_program_in_path ("pgbench");
  g_autoptr(GDir) dir = NULL;
  g_autofree char *best = NULL;
  int best_version = -1;
  const char *name;

  if (found != NULL)
    return g_steal_pointer (&found);

  dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/usr/lib/postgresql", name, "bin", "pgbench",
                                                NULL);
      int version = atoi (name);

      if (version > best_version && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        {
          best_version = version;
          g_free (best);
          best = g_steal_pointer (&path);
        }
    }

  return g_steal_pointer (&best);
}

static char *
run_program (const char * const  *argv,
             GError             **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, error))
    return NULL;

  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s failed: %s"), argv[0],
                   err != NULL ? g_strstrip (err) : "");
      return NULL;
    }

  /* pgbench prints its report on stdout, progress on stderr. */
  return g_strconcat (out != NULL ? out : "", err != NULL ? err : "", NULL);
}

static gboolean
exec_owner (RdDb        *db,
            const char  *sql,
            GError     **error)
{
  g_autoptr(RdResult) result = rd_db_query_sync (db, sql, 0, NULL, NULL, error);

  return result != NULL;
}

gboolean
rd_bench_recreate_database (RdDb        *db,
                            const char  *name,
                            GError     **error)
{
  g_autofree char *drop = NULL;
  g_autofree char *create = NULL;

  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  drop = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
  create = g_strdup_printf ("CREATE DATABASE %s", name);

  return exec_owner (db, drop, error) && exec_owner (db, create, error);
}

/* Both timed phases start from a fresh checkpoint, so neither pays for
 * the other's (or its own set-up's) dirty pages and full-page images. A
 * role that may not checkpoint runs without. */
static void
checkpoint (RdDb *owner)
{
  g_autoptr(GError) error = NULL;

  if (!exec_owner (owner, "CHECKPOINT", &error))
    g_debug ("No checkpoint before a timed phase: %s", error->message);
}

static gboolean
run_pgbench (RdDb        *owner,
             const char  *conninfo,
             guint        clients,
             guint        seconds,
             double      *tps,
             GError     **error)
{
  g_autofree char *pgbench = find_pgbench ();
  g_autofree char *scale = g_strdup_printf ("%u", clients);
  g_autofree char *c = g_strdup_printf ("%u", clients);
  g_autofree char *j = g_strdup_printf ("%u", MIN (clients, 2));
  g_autofree char *t = g_strdup_printf ("%u", seconds);
  g_autofree char *init_out = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *number = NULL;

  if (pgbench == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("pgbench is not installed"));
      return FALSE;
    }

  {
    const char *argv[] = { pgbench, "-i", "-q", "-s", scale, conninfo, NULL };

    init_out = run_program (argv, error);
    if (init_out == NULL)
      return FALSE;
  }
  checkpoint (owner);
  {
    const char *argv[] = { pgbench, "-n", "-c", c, "-j", j, "-T", t, conninfo, NULL };

    out = run_program (argv, error);
    if (out == NULL)
      return FALSE;
  }

  regex = g_regex_new ("tps = ([0-9]+(\\.[0-9]+)?)", 0, 0, NULL);
  if (!g_regex_match (regex, out, 0, &match))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Could not read pgbench's result: %s"), out);
      return FALSE;
    }
  number = g_match_info_fetch (match, 1);
  *tps = g_ascii_strtod (number, NULL);

  return TRUE;
}

static gpointer
client_thread (gpointer data)
{
  Client *client = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(RdDb) db = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (client->seed);
  g_autoptr(GArray) mine = g_array_new (FALSE, FALSE, sizeof (gint64));
  const RdChannel channels[] = { RD_CHANNEL_WINDOW, RD_CHANNEL_WINDOW, RD_CHANNEL_WINDOW,
                                 RD_CHANNEL_WINDOW, RD_CHANNEL_WINDOW, RD_CHANNEL_WINDOW,
                                 RD_CHANNEL_WINDOW, RD_CHANNEL_ONLINE, RD_CHANNEL_ONLINE,
                                 RD_CHANNEL_PHONE };

  /* Each client drives its own connection on its own main context. */
  g_main_context_push_thread_default (context);
  db = rd_db_new (client->conninfo);
  if (!rd_db_connect_sync (db, NULL, &client->error))
    goto out;

  while (g_get_monotonic_time () < client->deadline)
    {
      g_autoptr(GError) error = NULL;
      /* 1 once the warm-up is over: what this turn does counts. */
      guint counted = g_atomic_int_get (client->measuring) ? 1 : 0;

      if (mine->len > 0 && g_rand_int_range (rand, 0, 100) < 25)
        {
          guint pick = g_rand_int_range (rand, 0, mine->len);
          g_autoptr(RdCancelResult) c = NULL;

          c = rd_booking_cancel_sync (db, NULL, g_array_index (mine, gint64, pick), NULL,
                                      NULL, &error);
          g_array_remove_index_fast (mine, pick);
          if (c != NULL)
            client->cancelled += counted;
        }
      else
        {
          g_autoptr(RdBookingResult) r = NULL;

          r = rd_booking_book_sync (db, NULL,
                                    client->sessions[g_rand_int_range (rand, 0, N_SESSIONS)],
                                    client->first_patient
                                    + g_rand_int_range (rand, 0, (gint32) client->n_patients),
                                    channels[g_rand_int_range (rand, 0,
                                                               G_N_ELEMENTS (channels))],
                                    0, NULL, NULL, &error);
          if (r != NULL)
            {
              g_array_append_val (mine, r->appointment_id);
              client->booked += counted;
            }
        }

      if (error == NULL)
        continue;
      if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED))
        client->refused += counted;
      else if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT))
        client->conflicts += counted;
      else
        {
          client->error = g_steal_pointer (&error);
          break;
        }
    }

  rd_db_close (db);
out:
  g_main_context_pop_thread_default (context);
  return NULL;
}

static gint64
query_int (RdDb        *db,
           const char  *sql,
           GError     **error)
{
  g_autoptr(RdResult) result = rd_db_query_sync (db, sql, 0, NULL, NULL, error);

  if (result == NULL)
    return -1;

  return rd_result_get_int64 (result, 0, 0);
}

/* One round's figures: a pgbench run, then a storm. */
typedef struct
{
  double  pgbench_tps;
  double  booking_tps;
  gint64  overbooked;
  gint64  duplicates;
  guint   booked;
  guint   cancelled;
  guint   refused;
  guint   conflicts;
} Round;

static double
round_ratio (const Round *round)
{
  return round->pgbench_tps > 0 ? round->booking_tps / round->pgbench_tps : 0;
}

static gboolean
run_storm (RdDb        *owner,
           const char  *conninfo,
           guint        clients,
           guint        seconds,
           const char  *extra_sql,
           Round       *round,
           GError     **error)
{
  g_autoptr(RdDb) db = rd_db_new (conninfo);
  g_autoptr(RdResult) rows = NULL;
  g_autofree char *slots = g_strdup_printf ("%u", MAX (600u, 200u * seconds));
  const char *params[] = { slots };
  gint64 sessions[N_SESSIONS];
  gint64 first_patient, n_patients;
  g_autofree Client *client = g_new0 (Client, clients);
  g_autofree GThread **threads = g_new0 (GThread *, clients);
  guint booked = 0, cancelled = 0, refused = 0, conflicts = 0;
  GError *client_error = NULL;
  gint measuring = 0;
  guint warmup = MIN (seconds, WARMUP_SECONDS);
  gint64 start, elapsed, deadline;

  if (!rd_db_connect_sync (db, NULL, error) ||
      !rd_migrations_apply_sync (db, NULL, NULL, error))
    return FALSE;
  if (extra_sql != NULL && !rd_db_exec_script_sync (db, extra_sql, NULL, error))
    {
      g_prefix_error (error, _("The extra SQL failed: "));
      return FALSE;
    }
  if (!rd_db_exec_script_sync (db, setup_sql, NULL, error))
    return FALSE;
  rows = rd_db_query_sync (db, sessions_sql, 1, params, NULL, error);
  if (rows == NULL)
    return FALSE;
  g_clear_pointer (&rows, rd_result_unref);

  rows = rd_db_query_sync (db, "SELECT id FROM regdesk.sessions ORDER BY id", 0, NULL, NULL,
                           error);
  if (rows == NULL)
    return FALSE;
  g_assert (rd_result_get_n_rows (rows) == N_SESSIONS);
  for (guint i = 0; i < N_SESSIONS; i++)
    sessions[i] = rd_result_get_int64 (rows, i, 0);
  first_patient = query_int (db, "SELECT min(id) FROM regdesk.patients", error);
  n_patients = query_int (db, "SELECT count(*) FROM regdesk.patients", error);
  if (first_patient < 0 || n_patients <= 0 || !exec_owner (db, "ANALYZE", error))
    return FALSE;
  checkpoint (owner);

  /* A warm-up, then ANALYZE, as autovacuum does a minute into a new
   * database's first day: the tables the storm writes start empty, and
   * plans made for empty tables read them whole. ANALYZE sends every
   * connection's cached plans back to the planner. */
  deadline = g_get_monotonic_time () + (gint64) (warmup + seconds) * G_USEC_PER_SEC;
  for (guint i = 0; i < clients; i++)
    {
      client[i].conninfo = (char *) conninfo;
      client[i].sessions = sessions;
      client[i].first_patient = first_patient;
      client[i].n_patients = n_patients;
      client[i].deadline = deadline;
      client[i].seed = g_random_int ();
      client[i].measuring = &measuring;
      threads[i] = g_thread_new ("bench-client", client_thread, &client[i]);
    }
  g_usleep ((gulong) warmup * G_USEC_PER_SEC);
  /* A failure here fails the bench once the clients are back. */
  exec_owner (db, "ANALYZE", &client_error);
  g_atomic_int_set (&measuring, 1);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < clients; i++)
    {
      g_thread_join (threads[i]);
      booked += client[i].booked;
      cancelled += client[i].cancelled;
      refused += client[i].refused;
      conflicts += client[i].conflicts;
      if (client[i].error != NULL && client_error == NULL)
        client_error = g_steal_pointer (&client[i].error);
      g_clear_error (&client[i].error);
    }
  elapsed = MAX (1, g_get_monotonic_time () - start);
  if (client_error != NULL)
    {
      g_propagate_error (error, client_error);
      return FALSE;
    }

  round->overbooked = query_int (db, overbooked_sql, error);
  round->duplicates = query_int (db, duplicates_sql, error);
  if (round->overbooked < 0 || round->duplicates < 0)
    return FALSE;
  rd_db_close (db);

  round->booking_tps = (booked + cancelled) / (elapsed / (double) G_USEC_PER_SEC);
  round->booked = booked;
  round->cancelled = cancelled;
  round->refused = refused;
  round->conflicts = conflicts;

  return TRUE;
}

static int
compare_ratio (gconstpointer a,
               gconstpointer b)
{
  double ra = round_ratio (*(const Round * const *) a);
  double rb = round_ratio (*(const Round * const *) b);

  return (ra > rb) - (ra < rb);
}

/* The round of the median ratio (the lower middle one of an even number)
 * gives the figures; every round's ratio is listed, and a broken rule in
 * any round counts. */
static void
print_rounds (Round    *rounds,
              guint     n_rounds,
              guint     clients,
              guint     seconds,
              GString  *out)
{
  g_autofree Round **sorted = g_new (Round *, n_rounds);
  const Round *median;
  gint64 overbooked = 0, duplicates = 0;
  char buf[3][G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < n_rounds; i++)
    {
      sorted[i] = &rounds[i];
      overbooked += rounds[i].overbooked;
      duplicates += rounds[i].duplicates;
    }
  qsort (sorted, n_rounds, sizeof *sorted, compare_ratio);
  median = sorted[(n_rounds - 1) / 2];

  g_string_append_printf (out,
                          "{\"booking_tps\": %s, \"pgbench_tps\": %s, \"ratio\": %s, "
                          "\"overbooked\": %" G_GINT64_FORMAT ", \"duplicates\": %"
                          G_GINT64_FORMAT ", \"clients\": %u, \"seconds\": %u, "
                          "\"booked\": %u, \"cancelled\": %u, \"refused\": %u, "
                          "\"conflicts\": %u, \"rounds\": [",
                          g_ascii_formatd (buf[0], sizeof buf[0], "%.1f", median->booking_tps),
                          g_ascii_formatd (buf[1], sizeof buf[1], "%.1f", median->pgbench_tps),
                          g_ascii_formatd (buf[2], sizeof buf[2], "%.3f", round_ratio (median)),
                          overbooked, duplicates, clients, seconds, median->booked,
                          median->cancelled, median->refused, median->conflicts);
  for (guint i = 0; i < n_rounds; i++)
    g_string_append_printf (out, "%s{\"booking_tps\": %s, \"pgbench_tps\": %s, \"ratio\": %s}",
                            i > 0 ? ", " : "",
                            g_ascii_formatd (buf[0], sizeof buf[0], "%.1f",
                                             rounds[i].booking_tps),
                            g_ascii_formatd (buf[1], sizeof buf[1], "%.1f",
                                             rounds[i].pgbench_tps),
                            g_ascii_formatd (buf[2], sizeof buf[2], "%.3f",
                                             round_ratio (&rounds[i])));
  g_string_append (out, "]}");
}

gboolean
rd_bench_booking (const char  *conninfo_owner,
                  guint        clients,
                  guint        seconds,
                  guint        n_rounds,
                  const char  *extra_sql,
                  GString     *out,
                  GError     **error)
{
  g_autoptr(RdDb) owner = NULL;
  g_autofree char *pgbench_conninfo = NULL;
  g_autofree char *booking_conninfo = NULL;
  g_autofree Round *rounds = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (clients > 0 && seconds > 0 && n_rounds > 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  owner = rd_db_new (conninfo_owner);
  if (!rd_db_connect_sync (owner, NULL, error))
    return FALSE;

  pgbench_conninfo = rd_bench_conninfo_with_dbname (conninfo_owner, PGBENCH_DB);
  booking_conninfo = rd_bench_conninfo_with_dbname (conninfo_owner, BOOKING_DB);
  rounds = g_new0 (Round, n_rounds);

  /* Each round starts both databases afresh, so that rounds compare. */
  for (guint i = 0; ok && i < n_rounds; i++)
    ok = rd_bench_recreate_database (owner, PGBENCH_DB, error) &&
         rd_bench_recreate_database (owner, BOOKING_DB, error) &&
         run_pgbench (owner, pgbench_conninfo, clients, seconds, &rounds[i].pgbench_tps,
                      error) &&
         run_storm (owner, booking_conninfo, clients, seconds, extra_sql, &rounds[i], error);
  if (ok)
    print_rounds (rounds, n_rounds, clients, seconds, out);

  /* Scratch databases go whatever happened. */
  exec_owner (owner, "DROP DATABASE IF EXISTS " PGBENCH_DB " WITH (FORCE)", NULL);
  exec_owner (owner, "DROP DATABASE IF EXISTS " BOOKING_DB " WITH (FORCE)", NULL);
  rd_db_close (owner);

  return ok;
}
