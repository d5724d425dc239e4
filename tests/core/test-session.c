/* test-session.c: RdSession and RdDepartment properties and notifications
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-department.h"
#include "rd-session.h"

/* Records the names of the properties notified, in order. */
typedef struct
{
  GPtrArray *names;
} NotifyLog;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           NotifyLog  *log)
{
  g_ptr_array_add (log->names, g_strdup (pspec->name));
}

static void
notify_log_init (NotifyLog *log,
                 gpointer   object)
{
  log->names = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (object, "notify", G_CALLBACK (on_notify), log);
}

static gboolean
notify_log_has (NotifyLog  *log,
                const char *name)
{
  return g_ptr_array_find_with_equal_func (log->names, name, g_str_equal, NULL);
}

static RdSession *
make_session (gint64 id)
{
  RdSession *session = rd_session_new (id);

  rd_session_set_hospital_id (session, 1);
  rd_session_set_department_id (session, 10);
  rd_session_set_doctor_id (session, 100);
  rd_session_set_department_name (session, "内科");
  rd_session_set_department_code (session, "NK");
  rd_session_set_department_pinyin (session, "nk");
  rd_session_set_doctor_name (session, "王建国");
  rd_session_set_doctor_title (session, "chief");
  rd_session_set_clinic_type (session, "specialist");
  rd_session_set_fee (session, 5000);
  rd_session_set_date (session, "2024-06-01");
  rd_session_set_period (session, RD_PERIOD_AFTERNOON);
  rd_session_set_starts_at (session, "13:30");
  rd_session_set_ends_at (session, "17:00");
  rd_session_set_status (session, RD_SESSION_STATUS_OPEN);
  rd_session_set_policy (session, RD_ALLOCATION_POLICY_PRIORITY);
  rd_session_set_capacity (session, 30);
  rd_session_set_free (session, RD_CHANNEL_WINDOW, 10);
  rd_session_set_free (session, RD_CHANNEL_ONLINE, 8);
  rd_session_set_free (session, RD_CHANNEL_PHONE, 2);
  rd_session_set_booked (session, 10);

  return session;
}

static void
test_session_getters (void)
{
  g_autoptr(RdSession) session = make_session (7);
  g_autofree char *name = NULL;
  gint64 fee = 0;
  int free_online = 0;
  int free_total = 0;
  RdPeriod period = RD_PERIOD_MORNING;

  g_assert_cmpint (rd_session_get_id (session), ==, 7);
  g_assert_cmpint (rd_session_get_hospital_id (session), ==, 1);
  g_assert_cmpint (rd_session_get_department_id (session), ==, 10);
  g_assert_cmpint (rd_session_get_doctor_id (session), ==, 100);
  g_assert_cmpstr (rd_session_get_department_name (session), ==, "内科");
  g_assert_cmpstr (rd_session_get_department_code (session), ==, "NK");
  g_assert_cmpstr (rd_session_get_department_pinyin (session), ==, "nk");
  g_assert_cmpstr (rd_session_get_doctor_name (session), ==, "王建国");
  g_assert_cmpstr (rd_session_get_doctor_title (session), ==, "chief");
  g_assert_cmpstr (rd_session_get_clinic_type (session), ==, "specialist");
  g_assert_cmpint (rd_session_get_fee (session), ==, 5000);
  g_assert_cmpstr (rd_session_get_date (session), ==, "2024-06-01");
  g_assert_cmpint (rd_session_get_period (session), ==, RD_PERIOD_AFTERNOON);
  g_assert_cmpstr (rd_session_get_starts_at (session), ==, "13:30");
  g_assert_cmpstr (rd_session_get_ends_at (session), ==, "17:00");
  g_assert_cmpint (rd_session_get_status (session), ==, RD_SESSION_STATUS_OPEN);
  g_assert_cmpint (rd_session_get_policy (session), ==, RD_ALLOCATION_POLICY_PRIORITY);
  g_assert_cmpint (rd_session_get_capacity (session), ==, 30);
  g_assert_cmpint (rd_session_get_free (session, RD_CHANNEL_WINDOW), ==, 10);
  g_assert_cmpint (rd_session_get_free (session, RD_CHANNEL_ONLINE), ==, 8);
  g_assert_cmpint (rd_session_get_free (session, RD_CHANNEL_PHONE), ==, 2);
  g_assert_cmpint (rd_session_get_free_total (session), ==, 20);
  g_assert_cmpint (rd_session_get_booked (session), ==, 10);

  g_object_get (session,
                "doctor-name", &name,
                "fee", &fee,
                "free-online", &free_online,
                "free-total", &free_total,
                "period", &period,
                NULL);
  g_assert_cmpstr (name, ==, "王建国");
  g_assert_cmpint (fee, ==, 5000);
  g_assert_cmpint (free_online, ==, 8);
  g_assert_cmpint (free_total, ==, 20);
  g_assert_cmpint (period, ==, RD_PERIOD_AFTERNOON);
}

static void
test_session_notify_on_change_only (void)
{
  g_autoptr(RdSession) session = make_session (7);
  NotifyLog log;

  notify_log_init (&log, session);

  rd_session_set_doctor_name (session, "王建国");
  rd_session_set_fee (session, 5000);
  rd_session_set_period (session, RD_PERIOD_AFTERNOON);
  rd_session_set_free (session, RD_CHANNEL_WINDOW, 10);
  g_object_set (session, "capacity", 30, "status", RD_SESSION_STATUS_OPEN, NULL);
  g_assert_cmpuint (log.names->len, ==, 0);

  rd_session_set_doctor_name (session, "李娜");
  g_assert_cmpuint (log.names->len, ==, 1);
  g_assert_cmpstr (log.names->pdata[0], ==, "doctor-name");

  rd_session_set_free (session, RD_CHANNEL_WINDOW, 9);
  g_assert_cmpuint (log.names->len, ==, 3);
  g_assert_true (notify_log_has (&log, "free-window"));
  g_assert_true (notify_log_has (&log, "free-total"));
  g_assert_cmpint (rd_session_get_free_total (session), ==, 19);

  g_object_set (session, "status", RD_SESSION_STATUS_SUSPENDED, NULL);
  g_assert_cmpuint (log.names->len, ==, 4);
  g_assert_cmpstr (log.names->pdata[3], ==, "status");

  rd_session_set_department_pinyin (session, NULL);
  g_assert_cmpstr (log.names->pdata[4], ==, "department-pinyin");
  g_assert_null (rd_session_get_department_pinyin (session));
  rd_session_set_department_pinyin (session, NULL);
  g_assert_cmpuint (log.names->len, ==, 5);

  g_ptr_array_unref (log.names);
}

static void
test_session_update (void)
{
  g_autoptr(RdSession) session = make_session (7);
  g_autoptr(RdSession) same = make_session (7);
  g_autoptr(RdSession) changed = make_session (7);
  NotifyLog log;

  notify_log_init (&log, session);

  rd_session_update (session, same);
  g_assert_cmpuint (log.names->len, ==, 0);

  /* A slot moved from the window pool to the phone pool, and one booked. */
  rd_session_set_free (changed, RD_CHANNEL_WINDOW, 9);
  rd_session_set_free (changed, RD_CHANNEL_PHONE, 3);
  rd_session_set_status (changed, RD_SESSION_STATUS_SUSPENDED);
  rd_session_set_booked (changed, 11);
  rd_session_update (session, changed);

  g_assert_cmpuint (log.names->len, ==, 4);
  g_assert_true (notify_log_has (&log, "free-window"));
  g_assert_true (notify_log_has (&log, "free-phone"));
  g_assert_true (notify_log_has (&log, "status"));
  g_assert_true (notify_log_has (&log, "booked"));
  g_assert_false (notify_log_has (&log, "free-total"));
  g_assert_false (notify_log_has (&log, "free-online"));
  g_assert_cmpint (rd_session_get_free (session, RD_CHANNEL_WINDOW), ==, 9);
  g_assert_cmpint (rd_session_get_free (session, RD_CHANNEL_PHONE), ==, 3);
  g_assert_cmpint (rd_session_get_status (session), ==, RD_SESSION_STATUS_SUSPENDED);
  g_assert_cmpint (rd_session_get_booked (session), ==, 11);

  g_ptr_array_set_size (log.names, 0);
  rd_session_set_free (changed, RD_CHANNEL_ONLINE, 0);
  rd_session_set_doctor_title (changed, "attending");
  rd_session_set_starts_at (changed, "14:00");
  rd_session_update (session, changed);
  g_assert_cmpuint (log.names->len, ==, 4);
  g_assert_true (notify_log_has (&log, "free-online"));
  g_assert_true (notify_log_has (&log, "free-total"));
  g_assert_true (notify_log_has (&log, "doctor-title"));
  g_assert_true (notify_log_has (&log, "starts-at"));
  g_assert_cmpint (rd_session_get_free_total (session), ==, 12);
  g_assert_cmpstr (rd_session_get_starts_at (session), ==, "14:00");

  g_ptr_array_unref (log.names);
}

static void
on_notify_check_consistent (GObject    *object,
                            GParamSpec *pspec,
                            gpointer    user_data)
{
  RdSession *session = RD_SESSION (object);

  /* Every handler sees the whole update, never half of it. */
  g_assert_cmpint (rd_session_get_booked (session), ==, 12);
  g_assert_cmpint (rd_session_get_free (session, RD_CHANNEL_WINDOW), ==, 8);
  (*(guint *) user_data)++;
}

static void
test_session_update_atomic (void)
{
  g_autoptr(RdSession) session = make_session (3);
  g_autoptr(RdSession) changed = make_session (3);
  guint n_notified = 0;

  rd_session_set_free (changed, RD_CHANNEL_WINDOW, 8);
  rd_session_set_booked (changed, 12);
  g_signal_connect (session, "notify", G_CALLBACK (on_notify_check_consistent), &n_notified);
  rd_session_update (session, changed);
  g_assert_cmpuint (n_notified, ==, 3);
}

static void
test_session_update_other_id (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(RdSession) a = make_session (1);
      g_autoptr(RdSession) b = make_session (2);

      rd_session_update (a, b);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*self->id == from->id*");
}

static void
test_department (void)
{
  g_autoptr(RdDepartment) department = rd_department_new (12);
  g_autofree char *name = NULL;
  int n_free = -1;
  NotifyLog log;

  notify_log_init (&log, department);

  g_assert_cmpint (rd_department_get_id (department), ==, 12);
  g_assert_cmpint (rd_department_get_parent_id (department), ==, 0);
  g_assert_null (rd_department_get_name (department));
  g_assert_cmpint (rd_department_get_n_sessions (department), ==, 0);

  rd_department_set_name (department, "心血管内科");
  rd_department_set_code (department, "XXGNK");
  rd_department_set_pinyin (department, "xxgnk");
  rd_department_set_parent_id (department, 3);
  rd_department_set_hospital_id (department, 1);
  rd_department_set_n_sessions (department, 6);
  rd_department_set_n_free (department, 40);
  g_assert_cmpuint (log.names->len, ==, 7);

  rd_department_set_name (department, "心血管内科");
  rd_department_set_n_sessions (department, 6);
  g_object_set (department, "n-free", 40, "code", "XXGNK", NULL);
  g_assert_cmpuint (log.names->len, ==, 7);

  g_assert_cmpstr (rd_department_get_name (department), ==, "心血管内科");
  g_assert_cmpstr (rd_department_get_code (department), ==, "XXGNK");
  g_assert_cmpstr (rd_department_get_pinyin (department), ==, "xxgnk");
  g_assert_cmpint (rd_department_get_parent_id (department), ==, 3);
  g_assert_cmpint (rd_department_get_hospital_id (department), ==, 1);
  g_assert_cmpint (rd_department_get_n_sessions (department), ==, 6);
  g_assert_cmpint (rd_department_get_n_free (department), ==, 40);

  g_object_set (department, "n-free", 39, NULL);
  g_assert_cmpuint (log.names->len, ==, 8);
  g_assert_cmpstr (log.names->pdata[7], ==, "n-free");

  g_object_get (department, "name", &name, "n-free", &n_free, NULL);
  g_assert_cmpstr (name, ==, "心血管内科");
  g_assert_cmpint (n_free, ==, 39);

  g_ptr_array_unref (log.names);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/getters", test_session_getters);
  g_test_add_func ("/session/notify-on-change-only", test_session_notify_on_change_only);
  g_test_add_func ("/session/update", test_session_update);
  g_test_add_func ("/session/update-atomic", test_session_update_atomic);
  g_test_add_func ("/session/update-other-id", test_session_update_other_id);
  g_test_add_func ("/department/properties", test_department);

  return g_test_run ();
}
