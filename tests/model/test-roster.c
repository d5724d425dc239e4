/* test-roster.c: RdRoster against a real server with the demo hospital
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-demo-data.h"
#include "rd-department.h"
#include "rd-roster.h"
#include "rd-session.h"
#include "rd-test-pg.h"

/* Long enough for a loaded CI machine, short enough to fail a hang. */
#define WAIT_MS 10000

typedef struct
{
  guint n_calls;
  guint position;
  guint removed;
  guint added;
} ItemsChanged;

static RdDb *clerk;
static RdDb *owner;

static void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *record)
{
  record->n_calls++;
  record->position = position;
  record->removed = removed;
  record->added = added;
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @condition holds or @timeout_ms pass. */
static gboolean
wait_until (Condition condition,
            gpointer  data,
            guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, wake_up, NULL);
  gboolean ok;

  while (!(ok = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);

  return ok;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Lets whatever is in flight arrive (for asserting that nothing happens). */
static void
spin (guint ms)
{
  wait_until (never, NULL, ms);
}

static gboolean
roster_loaded (gpointer data)
{
  RdRoster *roster = data;

  return !rd_roster_get_loading (roster) && rd_roster_get_date (roster) != NULL
         && g_list_model_get_n_items (G_LIST_MODEL (roster)) > 0;
}

static RdRoster *
new_loaded_roster (const char *date)
{
  RdRoster *roster = rd_roster_new (clerk);

  if (date != NULL)
    rd_roster_set_date (roster, date);
  g_assert_true (wait_until (roster_loaded, roster, WAIT_MS));

  return roster;
}

static gint64
query_int (RdDb        *db,
           const char  *sql,
           const char  *param)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) result = NULL;
  const char *params[] = { param };

  result = rd_db_query_sync (db, sql, param != NULL ? 1 : 0, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 1);

  return rd_result_get_int64 (result, 0, 0);
}

static char *
hospital_today (int offset_days)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);
  g_autoptr(GDateTime) day = g_date_time_add_days (now, offset_days);

  return g_date_time_format (day, "%Y-%m-%d");
}

static void
test_load_today (void)
{
  g_autoptr(RdRoster) roster = new_loaded_roster (NULL);
  g_autofree char *today = hospital_today (0);
  GListModel *model = G_LIST_MODEL (roster);
  GListModel *departments = rd_roster_get_departments (roster);
  g_autoptr(GHashTable) finished = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                          g_free, NULL);
  gint64 n_expected;
  gint64 n_departments;
  int n_sessions_sum = 0;
  guint n_items;

  g_assert_cmpstr (rd_roster_get_date (roster), ==, today);
  g_assert_true (g_list_model_get_item_type (model) == RD_TYPE_SESSION);

  n_expected = query_int (owner,
                          "SELECT count(*) FROM api.session_overview WHERE date = $1",
                          today);
  n_items = g_list_model_get_n_items (model);
  g_assert_cmpint (n_expected, >, 0);
  g_assert_cmpint (n_items, ==, n_expected);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(RdSession) session = g_list_model_get_item (model, i);

      g_assert_cmpstr (rd_session_get_date (session), ==, today);
      g_assert_nonnull (rd_session_get_doctor_name (session));
      g_assert_nonnull (rd_session_get_department_name (session));
      g_assert_cmpint (strlen (rd_session_get_starts_at (session)), ==, 5);
      g_assert_true (rd_roster_lookup (roster, rd_session_get_id (session)) == session);
      g_assert_cmpint (rd_session_get_free_total (session), <=,
                       rd_session_get_capacity (session));

      /* Ordered by department: each one's sessions are contiguous, and
       * within it mornings come before afternoons. */
      if (i > 0)
        {
          g_autoptr(RdSession) previous = g_list_model_get_item (model, i - 1);
          gint64 department = rd_session_get_department_id (session);
          gint64 previous_department = rd_session_get_department_id (previous);

          if (department != previous_department)
            {
              g_assert_false (g_hash_table_contains (finished, &department));
              g_hash_table_add (finished, g_memdup2 (&previous_department, sizeof (gint64)));
            }
          else
            {
              g_assert_cmpint (rd_session_get_period (previous), <=,
                               rd_session_get_period (session));
            }
        }
    }
  g_assert_null (g_list_model_get_item (model, n_items));
  g_assert_null (rd_roster_lookup (roster, -1));

  n_departments = query_int (owner,
                             "SELECT count(DISTINCT department_id) "
                             "  FROM api.session_overview WHERE date = $1",
                             today);
  g_assert_cmpint (g_list_model_get_n_items (departments), ==, n_departments);
  for (guint i = 0; i < g_list_model_get_n_items (departments); i++)
    {
      g_autoptr(RdDepartment) department = g_list_model_get_item (departments, i);
      int n_free = 0;
      int n_sessions = 0;

      for (guint j = 0; j < n_items; j++)
        {
          g_autoptr(RdSession) session = g_list_model_get_item (model, j);

          if (rd_session_get_department_id (session) != rd_department_get_id (department))
            continue;
          n_sessions++;
          if (rd_session_get_status (session) == RD_SESSION_STATUS_OPEN)
            n_free += rd_session_get_free_total (session);
        }
      g_assert_cmpint (rd_department_get_n_sessions (department), ==, n_sessions);
      g_assert_cmpint (rd_department_get_n_free (department), ==, n_free);
      g_assert_nonnull (rd_department_get_name (department));
      n_sessions_sum += n_sessions;
    }
  g_assert_cmpint (n_sessions_sum, ==, n_items);
}

typedef struct
{
  RdSession *session;
  int        free_window;
} FreeWindowWait;

static gboolean
free_window_is (gpointer data)
{
  FreeWindowWait *wait = data;

  return rd_session_get_free (wait->session, RD_CHANNEL_WINDOW) == wait->free_window;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *n_notified)
{
  (*n_notified)++;
}

static void
test_slot_booked_elsewhere (void)
{
  g_autoptr(RdRoster) roster = new_loaded_roster (NULL);
  GListModel *model = G_LIST_MODEL (roster);
  GListModel *departments = rd_roster_get_departments (roster);
  g_autoptr(RdDepartment) department = NULL;
  g_autofree char *session_id = NULL;
  RdSession *session = NULL;
  ItemsChanged changed = { 0 };
  ItemsChanged departments_changed = { 0 };
  FreeWindowWait wait;
  guint n_free_window_notified = 0;
  guint n_items;
  int free_window;
  int department_free;
  gint64 n_updated;

  n_items = g_list_model_get_n_items (model);
  for (guint i = 0; i < n_items && session == NULL; i++)
    {
      g_autoptr(RdSession) candidate = g_list_model_get_item (model, i);

      if (rd_session_get_status (candidate) == RD_SESSION_STATUS_OPEN
          && rd_session_get_free (candidate, RD_CHANNEL_WINDOW) > 0)
        session = candidate;
    }
  g_assert_nonnull (session);

  for (guint i = 0; department == NULL; i++)
    {
      g_autoptr(RdDepartment) candidate = g_list_model_get_item (departments, i);

      g_assert_nonnull (candidate);
      if (rd_department_get_id (candidate) == rd_session_get_department_id (session))
        department = g_steal_pointer (&candidate);
    }

  free_window = rd_session_get_free (session, RD_CHANNEL_WINDOW);
  department_free = rd_department_get_n_free (department);
  g_signal_connect (roster, "items-changed", G_CALLBACK (on_items_changed), &changed);
  g_signal_connect (departments, "items-changed", G_CALLBACK (on_items_changed),
                    &departments_changed);
  g_signal_connect (session, "notify::free-window", G_CALLBACK (count_notify),
                    &n_free_window_notified);

  /* Another desk (here: the owner's connection) takes a window slot. */
  session_id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_session_get_id (session));
  n_updated = query_int (owner,
                         "WITH taken AS ("
                         "  UPDATE regdesk.slots SET status = 'booked', updated_at = now()"
                         "   WHERE id = (SELECT id FROM regdesk.slots"
                         "                WHERE session_id = $1::bigint AND channel = 'window'"
                         "                  AND status = 'free'"
                         "                ORDER BY seq LIMIT 1)"
                         "  RETURNING id)"
                         "SELECT count(*) FROM taken",
                         session_id);
  g_assert_cmpint (n_updated, ==, 1);

  wait.session = session;
  wait.free_window = free_window - 1;
  g_assert_true (wait_until (free_window_is, &wait, WAIT_MS));
  spin (100);

  g_assert_cmpuint (n_free_window_notified, ==, 1);
  g_assert_cmpuint (changed.n_calls, ==, 0);
  g_assert_cmpuint (departments_changed.n_calls, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_items);
  g_assert_true (rd_roster_lookup (roster, rd_session_get_id (session)) == session);
  g_assert_cmpint (rd_department_get_n_free (department), ==, department_free - 1);

  g_signal_handlers_disconnect_by_data (departments, &departments_changed);
  g_signal_handlers_disconnect_by_data (session, &n_free_window_notified);
}

typedef struct
{
  RdRoster *roster;
  gint64    id;
} LookupWait;

static gboolean
roster_has (gpointer data)
{
  LookupWait *wait = data;

  return rd_roster_lookup (wait->roster, wait->id) != NULL;
}

static gint64
insert_evening_session (const char *date)
{
  return query_int (owner,
                    "INSERT INTO regdesk.sessions"
                    "  (hospital_id, department_id, doctor_id, date, period, starts_at, ends_at,"
                    "   clinic_type, fee, capacity, quota_window, quota_online, quota_phone)"
                    " SELECT d.hospital_id, d.department_id, d.id, $1::date, 'evening',"
                    "        '18:00', '21:00', 'general', 1000, 0, 0, 0, 0"
                    "   FROM regdesk.doctors AS d"
                    "  WHERE NOT EXISTS (SELECT 1 FROM regdesk.sessions AS s"
                    "                     WHERE s.doctor_id = d.id AND s.date = $1::date"
                    "                       AND s.period = 'evening')"
                    "  ORDER BY d.id LIMIT 1"
                    " RETURNING id",
                    date);
}

static void
test_session_added (void)
{
  g_autofree char *tomorrow = hospital_today (1);
  g_autoptr(RdRoster) today_roster = new_loaded_roster (NULL);
  g_autoptr(RdRoster) tomorrow_roster = new_loaded_roster (tomorrow);
  ItemsChanged today_changed = { 0 };
  ItemsChanged tomorrow_changed = { 0 };
  LookupWait wait;
  guint n_today = g_list_model_get_n_items (G_LIST_MODEL (today_roster));
  guint n_tomorrow = g_list_model_get_n_items (G_LIST_MODEL (tomorrow_roster));
  g_autoptr(RdSession) added = NULL;
  guint position;

  g_assert_cmpstr (rd_roster_get_date (tomorrow_roster), ==, tomorrow);
  g_signal_connect (today_roster, "items-changed", G_CALLBACK (on_items_changed),
                    &today_changed);
  g_signal_connect (tomorrow_roster, "items-changed", G_CALLBACK (on_items_changed),
                    &tomorrow_changed);

  wait.roster = today_roster;
  wait.id = insert_evening_session (rd_roster_get_date (today_roster));
  g_assert_true (wait_until (roster_has, &wait, WAIT_MS));
  spin (100);

  /* One row appeared: one items-changed saying exactly that. */
  g_assert_cmpuint (today_changed.n_calls, ==, 1);
  g_assert_cmpuint (today_changed.removed, ==, 0);
  g_assert_cmpuint (today_changed.added, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (today_roster)), ==, n_today + 1);
  position = today_changed.position;
  added = g_list_model_get_item (G_LIST_MODEL (today_roster), position);
  g_assert_cmpint (rd_session_get_id (added), ==, wait.id);
  g_assert_cmpint (rd_session_get_period (added), ==, RD_PERIOD_EVENING);
  g_assert_cmpstr (rd_session_get_starts_at (added), ==, "18:00");

  /* Another day's roster did not move. */
  g_assert_cmpuint (tomorrow_changed.n_calls, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tomorrow_roster)), ==, n_tomorrow);

  /* And the other way round. */
  wait.roster = tomorrow_roster;
  wait.id = insert_evening_session (tomorrow);
  g_assert_true (wait_until (roster_has, &wait, WAIT_MS));
  spin (100);
  g_assert_cmpuint (tomorrow_changed.n_calls, ==, 1);
  g_assert_cmpuint (today_changed.n_calls, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (today_roster)), ==, n_today + 1);
}

static void
count_loading (GObject    *object,
               GParamSpec *pspec,
               guint      *n_loads)
{
  if (rd_roster_get_loading (RD_ROSTER (object)))
    (*n_loads)++;
}

static gboolean
roster_idle (gpointer data)
{
  return !rd_roster_get_loading (data);
}

static void
test_foreign_notifications (void)
{
  g_autoptr(RdRoster) roster = new_loaded_roster (NULL);
  g_autofree char *foreign = NULL;
  g_autofree char *own = NULL;
  g_autofree char *own_session = NULL;
  g_autoptr(RdSession) first = g_list_model_get_item (G_LIST_MODEL (roster), 0);
  ItemsChanged changed = { 0 };
  guint n_loads = 0;
  guint n_notified = 0;
  gint64 hospital_id;

  hospital_id = query_int (clerk, "SELECT hospital_id FROM api.whoami ()", NULL);
  foreign = g_strdup_printf ("roster:%" G_GINT64_FORMAT ":%s",
                             hospital_id + 1000, rd_roster_get_date (roster));
  own = g_strdup_printf ("roster:%" G_GINT64_FORMAT ":%s",
                         hospital_id, rd_roster_get_date (roster));
  own_session = g_strdup_printf ("session:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                                 hospital_id + 1000, rd_session_get_id (first));

  g_signal_connect (roster, "items-changed", G_CALLBACK (on_items_changed), &changed);
  g_signal_connect (roster, "notify::loading", G_CALLBACK (count_loading), &n_loads);
  g_signal_connect (first, "notify", G_CALLBACK (count_notify), &n_notified);

  /* Another hospital's day and session: nothing to do. */
  query_int (owner, "SELECT count(pg_notify ('rd_change', $1))", foreign);
  query_int (owner, "SELECT count(pg_notify ('rd_change', $1))", own_session);
  query_int (owner, "SELECT count(pg_notify ('rd_change', 'garbage'))", NULL);
  spin (300);
  g_assert_cmpuint (n_loads, ==, 0);

  /* Our day: a reload, which finds the same rows and changes nothing. */
  query_int (owner, "SELECT count(pg_notify ('rd_change', $1))", own);
  g_assert_true (wait_until (roster_idle, roster, WAIT_MS));
  spin (300);
  g_assert_true (wait_until (roster_idle, roster, WAIT_MS));
  g_assert_cmpuint (n_loads, ==, 1);
  g_assert_cmpuint (changed.n_calls, ==, 0);
  g_assert_cmpuint (n_notified, ==, 0);

  g_signal_handlers_disconnect_by_data (first, &n_notified);
}

/* A booking's announcement carries the session's counts (free:…): the
 * roster shows them as they come, with no query of its own, and ignores
 * another hospital's and malformed ones. */
static gboolean
shows_counts (gpointer data)
{
  RdSession *session = data;

  return rd_session_get_free (session, RD_CHANNEL_WINDOW) == 7
         && rd_session_get_free (session, RD_CHANNEL_PHONE) == 5
         && rd_session_get_booked (session) == 4;
}

static void
test_counts_from_notification (void)
{
  g_autoptr(RdRoster) roster = new_loaded_roster (NULL);
  g_autoptr(RdSession) first = g_list_model_get_item (G_LIST_MODEL (roster), 0);
  gint64 hospital_id = query_int (clerk, "SELECT hospital_id FROM api.whoami ()", NULL);
  gint64 id = rd_session_get_id (first);
  g_autofree char *foreign = g_strdup_printf ("free:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT
                                              ":1:1:1:1", hospital_id + 1000, id);
  g_autofree char *broken = g_strdup_printf ("free:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT
                                             ":1:x:1:1", hospital_id, id);
  g_autofree char *short_one = g_strdup_printf ("free:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT
                                                ":1:1", hospital_id, id);
  g_autofree char *own = g_strdup_printf ("free:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT
                                          ":7:0:5:4", hospital_id, id);
  int window = rd_session_get_free (first, RD_CHANNEL_WINDOW);
  int booked = rd_session_get_booked (first);
  guint n_loads = 0;

  g_assert_cmpint (window, !=, 7);
  g_signal_connect (roster, "notify::loading", G_CALLBACK (count_loading), &n_loads);

  query_int (owner, "SELECT count(pg_notify ('rd_change', $1))", foreign);
  query_int (owner, "SELECT count(pg_notify ('rd_change', $1))", broken);
  query_int (owner, "SELECT count(pg_notify ('rd_change', $1))", short_one);
  spin (300);
  g_assert_cmpint (rd_session_get_free (first, RD_CHANNEL_WINDOW), ==, window);
  g_assert_cmpint (rd_session_get_booked (first), ==, booked);

  /* Made-up counts, so that only the notification can have put them there. */
  query_int (owner, "SELECT count(pg_notify ('rd_change', $1))", own);
  g_assert_true (wait_until (shows_counts, first, WAIT_MS));
  g_assert_cmpint (rd_session_get_free (first, RD_CHANNEL_ONLINE), ==, 0);
  g_assert_cmpuint (n_loads, ==, 0);

  g_signal_handlers_disconnect_by_data (roster, &n_loads);
}

static void
test_change_date (void)
{
  g_autofree char *today = hospital_today (0);
  g_autofree char *next_week = hospital_today (7);
  g_autoptr(RdRoster) roster = new_loaded_roster (NULL);
  ItemsChanged changed = { 0 };
  guint n_date_notified = 0;
  gint64 n_expected;
  guint n_before = g_list_model_get_n_items (G_LIST_MODEL (roster));

  g_signal_connect (roster, "items-changed", G_CALLBACK (on_items_changed), &changed);
  g_signal_connect (roster, "notify::date", G_CALLBACK (count_notify), &n_date_notified);

  rd_roster_set_date (roster, next_week);
  g_assert_cmpstr (rd_roster_get_date (roster), ==, next_week);
  g_assert_cmpuint (n_date_notified, ==, 1);
  g_assert_true (wait_until (roster_idle, roster, WAIT_MS));

  n_expected = query_int (owner, "SELECT count(*) FROM api.session_overview WHERE date = $1",
                          next_week);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (roster)), ==, n_expected);
  /* The whole day changed at once. */
  g_assert_cmpuint (changed.n_calls, ==, 1);
  g_assert_cmpuint (changed.position, ==, 0);
  g_assert_cmpuint (changed.removed, ==, n_before);
  g_assert_cmpuint (changed.added, ==, n_expected);

  /* Back to today by name: same rows as NULL gave. */
  rd_roster_set_date (roster, NULL);
  g_assert_true (wait_until (roster_loaded, roster, WAIT_MS));
  g_assert_cmpstr (rd_roster_get_date (roster), ==, today);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (roster)), ==, n_before);
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_cancel_on_dispose (void)
{
  g_autofree char *day = hospital_today (3);
  RdRoster *roster = rd_roster_new (clerk);
  gpointer weak = roster;
  ItemsChanged changed = { 0 };

  g_assert_true (rd_roster_get_loading (roster));
  rd_roster_set_date (roster, day);
  g_assert_true (rd_roster_get_loading (roster));
  g_signal_connect (roster, "items-changed", G_CALLBACK (on_items_changed), &changed);
  g_object_add_weak_pointer (G_OBJECT (roster), &weak);

  /* Dropped with two loads on the wire: both end cancelled, nothing lands
   * in the model, and the last reference goes with them. */
  g_object_run_dispose (G_OBJECT (roster));
  g_object_unref (roster);
  g_assert_true (wait_until (pointer_cleared, &weak, WAIT_MS));
  g_assert_cmpuint (changed.n_calls, ==, 0);

  /* The connection is still in order for the next user. */
  g_assert_cmpint (query_int (clerk, "SELECT 41 + 1", NULL), ==, 42);
}

static void
count_reconnecting (RdDb       *db,
                    GParamSpec *pspec,
                    guint      *n_reconnecting)
{
  if (rd_db_get_state (db) == RD_DB_STATE_RECONNECTING)
    (*n_reconnecting)++;
}

static void
test_reload_after_reconnect (void)
{
  g_autoptr(RdRoster) roster = new_loaded_roster (NULL);
  g_autofree char *session_id = NULL;
  RdSession *session = NULL;
  ItemsChanged changed = { 0 };
  FreeWindowWait wait;
  guint n_reconnecting = 0;
  gint64 n_killed;

  for (guint i = 0; session == NULL; i++)
    {
      g_autoptr(RdSession) candidate = g_list_model_get_item (G_LIST_MODEL (roster), i);

      g_assert_nonnull (candidate);
      if (rd_session_get_free (candidate, RD_CHANNEL_WINDOW) > 0)
        session = candidate;
    }
  wait.session = session;
  wait.free_window = rd_session_get_free (session, RD_CHANNEL_WINDOW) - 1;
  g_signal_connect (roster, "items-changed", G_CALLBACK (on_items_changed), &changed);
  g_signal_connect (clerk, "notify::state", G_CALLBACK (count_reconnecting), &n_reconnecting);

  /* A change nobody hears of (its announcements held back and never
   * published), then the desk's connection drops: only the reload after
   * reconnecting finds it. */
  session_id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_session_get_id (session));
  g_assert_cmpint (query_int (owner,
                              "WITH quiet AS ("
                              "  SELECT set_config ('regdesk.publish_after_commit', 'on',"
                              "                     true)),"
                              " taken AS ("
                              "  UPDATE regdesk.slots SET status = 'booked'"
                              "   WHERE id = (SELECT id FROM regdesk.slots, quiet"
                              "                WHERE session_id = $1::bigint"
                              "                  AND channel = 'window' AND status = 'free'"
                              "                ORDER BY seq LIMIT 1)"
                              "  RETURNING id)"
                              "SELECT count(*) FROM taken",
                              session_id), ==, 1);
  spin (200);
  g_assert_cmpint (rd_session_get_free (session, RD_CHANNEL_WINDOW), ==, wait.free_window + 1);

  n_killed = query_int (owner,
                        "SELECT count(pg_terminate_backend (pid)) FROM pg_stat_activity"
                        " WHERE usename = $1",
                        RD_DEMO_CLERK);
  g_assert_cmpint (n_killed, ==, 1);

  g_assert_true (wait_until (free_window_is, &wait, WAIT_MS));
  g_assert_cmpuint (n_reconnecting, >=, 1);
  g_assert_cmpint (rd_db_get_state (clerk), ==, RD_DB_STATE_CONNECTED);
  g_assert_cmpuint (changed.n_calls, ==, 0);

  g_signal_handlers_disconnect_by_data (clerk, &n_reconnecting);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  rd_test_pg_load_demo ();
  clerk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  owner = rd_test_pg_connect (NULL, NULL);

  g_test_add_func ("/roster/load-today", test_load_today);
  g_test_add_func ("/roster/slot-booked-elsewhere", test_slot_booked_elsewhere);
  g_test_add_func ("/roster/session-added", test_session_added);
  g_test_add_func ("/roster/foreign-notifications", test_foreign_notifications);
  g_test_add_func ("/roster/counts-from-notification", test_counts_from_notification);
  g_test_add_func ("/roster/change-date", test_change_date);
  g_test_add_func ("/roster/cancel-on-dispose", test_cancel_on_dispose);
  g_test_add_func ("/roster/reload-after-reconnect", test_reload_after_reconnect);

  status = g_test_run ();

  g_clear_object (&clerk);
  g_clear_object (&owner);

  return status;
}
