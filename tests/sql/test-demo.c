/* test-demo.c: the demo hospital is complete, believable and reproducible
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <string.h>

#include "rd-demo-data.h"
#include "rd-migrations.h"
#include "sql-test-util.h"

/* Every table the generator fills (the audit log records wall-clock times). */
static const char * const demo_tables[] = {
  "hospitals", "departments", "doctors", "doctor_fees", "schedule_templates", "holidays",
  "doctor_leave", "sessions", "slots", "patients", "appointments", "orders", "shifts",
  "payments", "refunds", "bill_lines", "waitlist", "lottery_requests", "sms_outbox", "staff",
  "meta",
};

/* GB 11643: weights 2^(17-i) mod 11, check characters "10X98765432"; the
 * birth date is the 7th-14th characters, the 17th digit is odd for men. */
static gboolean
resident_id_valid (const char *id,
                   const char *sex,
                   const char *birth_date)
{
  static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
  static const char checks[] = "10X98765432";
  g_autofree char *birth = NULL;
  int sum = 0;

  if (id == NULL || strlen (id) != 18)
    return FALSE;

  for (guint i = 0; i < 17; i++)
    {
      if (!g_ascii_isdigit (id[i]))
        return FALSE;
      sum += (id[i] - '0') * weights[i];
    }

  if (checks[sum % 11] != id[17])
    return FALSE;

  /* "1990-06-26" against "19900626". */
  birth = g_strdup_printf ("%.4s%.2s%.2s", birth_date, birth_date + 5, birth_date + 8);
  if (strncmp (id + 6, birth, 8) != 0)
    return FALSE;

  return ((id[16] - '0') % 2 == 1) == g_str_equal (sex, "M");
}

static void
test_resident_id_checker (void)
{
  /* The standard's own example, and the same with one digit off. */
  g_assert_true (resident_id_valid ("11010519491231002X", "F", "1949-12-31"));
  g_assert_false (resident_id_valid ("110105194912310021", "F", "1949-12-31"));
  g_assert_false (resident_id_valid ("11010519491231002X", "M", "1949-12-31"));
  g_assert_false (resident_id_valid ("11010519491231002X", "F", "1949-12-30"));
}

static void
test_counts (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  gint64 n_departments;

  rd_test_pg_load_demo ();

  n_departments = sql_int (db, "SELECT count(*) FROM regdesk.departments");
  g_assert_cmpint (n_departments, >=, 20);
  /* A tree: children under 内科 and 外科. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.departments c JOIN "
                                "regdesk.departments p ON p.id = c.parent_id "
                                "WHERE p.name IN ('内科', '外科')"), >=, 8);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.doctors"), ==, 120);
  g_assert_cmpint (sql_int (db, "SELECT count(DISTINCT name) FROM regdesk.doctors"), ==, 120);
  g_assert_cmpint (sql_int (db, "SELECT count(DISTINCT title) FROM regdesk.doctors"), ==, 4);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.patients"), ==, 2000);
  /* Fees in fen within the documented ranges. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.doctor_fees WHERE NOT ("
                                "(clinic_type = 'general' AND fee BETWEEN 1000 AND 2000) OR "
                                "(clinic_type = 'specialist' AND fee BETWEEN 3000 AND 6000) OR "
                                "(clinic_type = 'special_needs' "
                                " AND fee BETWEEN 10000 AND 30000))"),
                   ==, 0);

  /* Sessions on every day of the four weeks that is not a holiday. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM generate_series(-14, 13) k, "
                                "(SELECT value::date AS today FROM regdesk.meta "
                                " WHERE key = 'demo_today') m "
                                "WHERE NOT EXISTS (SELECT 1 FROM regdesk.holidays h "
                                "                   WHERE h.date = m.today + k) "
                                "AND NOT EXISTS (SELECT 1 FROM regdesk.sessions s "
                                "                 WHERE s.date = m.today + k)"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(DISTINCT date) FROM regdesk.sessions"), ==, 28);
  /* Each session has exactly its capacity of slots, split by the quotas. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.sessions s WHERE "
                                "s.quota_window <> (SELECT count(*) FROM regdesk.slots l "
                                "  WHERE l.session_id = s.id AND l.channel = 'window') OR "
                                "s.capacity <> (SELECT count(*) FROM regdesk.slots l "
                                "  WHERE l.session_id = s.id)"), ==, 0);
  rd_db_close (db);
}

static void
test_identities (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) phone = NULL;
  g_autoptr(GRegex) han = NULL;
  guint n_ids = 0;
  guint n_phones = 0;

  rd_test_pg_load_demo ();
  phone = g_regex_new ("^1[3-9][0-9]{9}$", 0, 0, &error);
  g_assert_no_error (error);
  han = g_regex_new ("^\\p{Han}{2,4}$", 0, 0, &error);
  g_assert_no_error (error);

  result = rd_db_query_sync (db, "SELECT id_type, id_number, sex, birth_date::text, phone, name, "
                                 "pinyin, card_no FROM regdesk.patients ORDER BY id",
                             0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 2000);

  for (guint i = 0; i < rd_result_get_n_rows (result); i++)
    {
      const char *id_type = rd_result_get_string (result, i, 0);
      const char *mobile = rd_result_get_string (result, i, 4);
      const char *name = rd_result_get_string (result, i, 5);
      const char *pinyin = rd_result_get_string (result, i, 6);

      if (g_str_equal (id_type, "resident_id"))
        {
          if (!resident_id_valid (rd_result_get_string (result, i, 1),
                                  rd_result_get_string (result, i, 2),
                                  rd_result_get_string (result, i, 3)))
            g_error ("Invalid resident ID %s", rd_result_get_string (result, i, 1));
          n_ids++;
        }

      if (mobile != NULL)
        {
          g_assert_true (g_regex_match (phone, mobile, 0, NULL));
          n_phones++;
        }

      /* A Chinese name with one pinyin initial per character. */
      g_assert_true (g_regex_match (han, name, 0, NULL));
      g_assert_cmpuint (strlen (pinyin), ==, g_utf8_strlen (name, -1));
    }

  g_assert_cmpuint (n_ids, >=, 1900);
  g_assert_cmpuint (n_phones, >=, 1800);
  g_assert_cmpint (sql_int (db, "SELECT count(DISTINCT card_no) FROM regdesk.patients"), >=, 1700);
  rd_db_close (db);
}

static void
test_history (void)
{
  static const char * const states[] = {
    "pending_payment", "booked", "checked_in", "completed", "no_show", "cancelled", "expired",
  };
  static const char * const methods[] = { "cash", "card", "wechat", "alipay" };
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);

  rd_test_pg_load_demo ();

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM regdesk.appointments "
                                              "WHERE status = '%s'", states[i]);

      g_assert_cmpint (sql_int (db, sql), >, 0);
    }

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM regdesk.payments "
                                              "WHERE method = '%s' AND status = 'succeeded'",
                                              methods[i]);

      g_assert_cmpint (sql_int (db, sql), >, 0);
    }

  /* Past appointments are finished, future ones not. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.appointments a JOIN "
                                "regdesk.sessions s ON s.id = a.session_id, "
                                "(SELECT value::date AS today FROM regdesk.meta "
                                " WHERE key = 'demo_today') m WHERE s.date < m.today AND "
                                "a.status IN ('pending_payment', 'booked', 'checked_in')"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.appointments a JOIN "
                                "regdesk.sessions s ON s.id = a.session_id, "
                                "(SELECT value::date AS today FROM regdesk.meta "
                                " WHERE key = 'demo_today') m WHERE s.date > m.today AND "
                                "a.status IN ('completed', 'no_show', 'checked_in')"), ==, 0);

  /* Money adds up: an order per appointment at the session's fee; paid
   * orders have one succeeded payment of their amount; refunded ones a
   * succeeded refund of it. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.appointments a LEFT JOIN "
                                "regdesk.orders o ON o.appointment_id = a.id JOIN "
                                "regdesk.sessions s ON s.id = a.session_id "
                                "WHERE o.amount IS DISTINCT FROM s.fee"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.orders o WHERE o.status IN "
                                "('paid', 'refunded') AND (SELECT coalesce(sum(p.amount), 0) "
                                "FROM regdesk.payments p WHERE p.order_id = o.id AND "
                                "p.status = 'succeeded') <> o.amount"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.orders o WHERE "
                                "o.status = 'refunded'"), >, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.orders o WHERE o.status = "
                                "'refunded' AND (SELECT coalesce(sum(r.amount), 0) FROM "
                                "regdesk.refunds r JOIN regdesk.payments p ON p.id = r.payment_id "
                                "WHERE p.order_id = o.id AND r.status = 'succeeded') "
                                "<> o.amount"), ==, 0);
  /* The cash drawer of a closed shift holds what its cash payments took. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.shifts WHERE closed_at IS NOT NULL "
                                "AND cash_expected <> (SELECT coalesce(sum(p.amount), 0) FROM "
                                "regdesk.payments p WHERE p.shift_id = shifts.id AND "
                                "p.method = 'cash' AND p.status = 'succeeded')"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.shifts WHERE closed_at IS NULL"),
                   ==, 1);
  /* Slots agree with their appointments. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.appointments a JOIN "
                                "regdesk.slots l ON l.id = a.slot_id WHERE "
                                "(a.status = 'pending_payment' AND l.status <> 'held') OR "
                                "(a.status = 'booked' AND l.status <> 'paid') OR "
                                "(a.status = 'checked_in' AND l.status <> 'checked_in')"), ==, 0);
  rd_db_close (db);
}

static void
test_todays_roster (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) han = NULL;
  g_autoptr(RdDb) owner = NULL;
  gboolean holiday;
  int name_column;
  int department_column;

  rd_test_pg_load_demo ();
  /* On a public holiday (1 January, 1-3 May, 1-7 October) only the
   * emergency department (JZK) sees patients. */
  owner = rd_test_pg_connect (NULL, NULL);
  holiday = sql_int (owner, "SELECT count(*) FROM regdesk.holidays "
                            "WHERE date = (now() AT TIME ZONE 'Asia/Shanghai')::date") > 0;
  rd_db_close (owner);
  han = g_regex_new ("^\\p{Han}+$", 0, 0, &error);
  g_assert_no_error (error);

  /* As the clerk sees it: today in the hospital's time zone. */
  result = rd_db_query_sync (db, "SELECT * FROM api.session_overview WHERE date = "
                                 "to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') "
                                 "ORDER BY department_id, period, doctor_id",
                             0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (result), >=, holiday ? 5 : 20);
  name_column = rd_result_get_column (result, "doctor_name");
  department_column = rd_result_get_column (result, "department_name");
  g_assert_cmpint (name_column, >=, 0);
  for (guint i = 0; i < rd_result_get_n_rows (result); i++)
    {
      g_assert_true (g_regex_match (han, rd_result_get_string (result, i, name_column), 0,
                                    NULL));
      g_assert_true (g_regex_match (han, rd_result_get_string (result, i, department_column), 0,
                                    NULL));
      if (holiday)
        g_assert_cmpstr (rd_result_get_string (result, i,
                                               rd_result_get_column (result, "department_code")),
                         ==, "JZK");
    }

  /* Partly booked: bookings and free slots side by side. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM api.session_overview WHERE date = "
                                "to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') "
                                "AND booked > 0 AND free_window + free_online + free_phone > 0"),
                   >=, holiday ? 1 : 10);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM api.order_overview WHERE method IS NULL"),
                   >, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(DISTINCT method) FROM api.order_overview"), ==, 4);
  rd_db_close (db);
}

/* The recorded draw of every drawn lottery session is the one the stored
 * seed gives: api.lottery_preview ranks each request as recorded, and the
 * winners hold the first places. */
static void
test_lottery_draws (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  static const char compared[] =
    "SELECT count(*) FILTER (WHERE q.id IS NOT NULL), "
    "       count(*) FILTER (WHERE q.id IS NULL OR q.drawn_rank IS DISTINCT FROM p.rank "
    "                          OR q.request_id <> p.request_id "
    "                          OR q.patient_id <> p.patient_id OR q.channel <> p.channel) "
    "  FROM regdesk.sessions s "
    " CROSS JOIN LATERAL api.lottery_preview(s.id) p "
    "  LEFT JOIN regdesk.lottery_requests q ON q.id = p.lottery_request_id "
    " WHERE s.policy = 'lottery' AND s.lottery_seed IS NOT NULL "
    "   AND EXISTS (SELECT 1 FROM regdesk.lottery_requests r "
    "                WHERE r.session_id = s.id AND r.drawn_rank IS NOT NULL)";
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  rd_test_pg_load_demo ();

  result = rd_db_query_sync (db, compared, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int64 (result, 0, 0), >, 0);
  g_assert_cmpint (rd_result_get_int64 (result, 0, 1), ==, 0);
  /* Every ranked request was compared: none is missing from the preview. */
  g_assert_cmpint (rd_result_get_int64 (result, 0, 0), ==,
                   sql_int (db, "SELECT count(*) FROM regdesk.lottery_requests "
                                " WHERE drawn_rank IS NOT NULL"));

  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM ("
                                "  SELECT session_id FROM regdesk.lottery_requests "
                                "   GROUP BY session_id "
                                "  HAVING max(drawn_rank) FILTER (WHERE status = 'won') "
                                "       > min(drawn_rank) FILTER (WHERE status = 'lost')) x"),
                   ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.lottery_requests "
                                " WHERE status = 'won'"), >, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.lottery_requests "
                                " WHERE status = 'lost'"), >, 0);
  rd_db_close (db);
}

static void
test_loaded_once (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(GError) error = NULL;
  gboolean loaded = FALSE;

  rd_test_pg_load_demo ();
  g_assert_true (rd_demo_data_is_loaded_sync (db, &loaded, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (loaded);

  g_assert_false (rd_demo_data_load_sync (db, 1, NULL, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED);
  /* The refusal left the connection usable and the data alone. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM regdesk.hospitals"), ==, 1);
  rd_db_close (db);
}

static char *
table_digest (RdDb       *db,
              const char *table)
{
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, "
                         "E'\\n' ORDER BY t::text)), '') FROM regdesk.%s t", table);

  return sql_scalar (db, sql);
}

static RdDb *
load_fresh (const char *name,
            guint       seed,
            const char *today)
{
  g_autoptr(RdDb) db = sql_create_database (name);
  g_autoptr(GError) error = NULL;
  gboolean loaded = TRUE;
  gint64 begin;

  g_assert_true (rd_migrations_apply_sync (db, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (rd_demo_data_is_loaded_sync (db, &loaded, NULL, &error));
  g_assert_false (loaded);

  begin = g_get_monotonic_time ();
  g_assert_true (rd_demo_data_load_sync (db, seed, today, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("demo load into %s took %.2f s", name,
                  (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);

  return g_steal_pointer (&db);
}

static void
test_deterministic (void)
{
  g_autoptr(RdDb) a = NULL;
  g_autoptr(RdDb) b = NULL;
  g_autoptr(RdDb) main_db = NULL;
  g_autofree char *patients_a = NULL;
  g_autofree char *patients_main = NULL;

  /* Make sure the cluster-wide demo logins exist before: the loader must
   * cope with them already being there. */
  rd_test_pg_load_demo ();

  /* A window over the National Day holidays. */
  a = load_fresh ("regdesk_demo_a", 7, "2025-10-05");
  b = load_fresh ("regdesk_demo_b", 7, "2025-10-05");

  for (guint i = 0; i < G_N_ELEMENTS (demo_tables); i++)
    {
      g_autofree char *digest_a = table_digest (a, demo_tables[i]);
      g_autofree char *digest_b = table_digest (b, demo_tables[i]);

      g_test_message ("%s %s", demo_tables[i], digest_a);
      g_assert_false (g_str_has_prefix (digest_a, "0:"));
      g_assert_cmpstr (digest_a, ==, digest_b);
    }

  /* Another seed is another hospital. */
  main_db = rd_test_pg_connect (NULL, NULL);
  patients_a = table_digest (a, "patients");
  patients_main = table_digest (main_db, "patients");
  g_assert_cmpstr (patients_a, !=, patients_main);

  /* Holidays: only the emergency department works, every other day is a
   * normal clinic day. */
  g_assert_cmpint (sql_int (a, "SELECT count(*) FROM regdesk.holidays"), ==, 7);
  g_assert_cmpint (sql_int (a, "SELECT count(*) FROM regdesk.sessions s JOIN regdesk.holidays h "
                               "ON h.date = s.date JOIN regdesk.departments d "
                               "ON d.id = s.department_id WHERE d.code <> 'JZK'"), ==, 0);
  g_assert_cmpint (sql_int (a, "SELECT count(*) FROM generate_series(-14, 13) k WHERE "
                               "date '2025-10-05' + k NOT IN (SELECT date FROM regdesk.holidays) "
                               "AND NOT EXISTS (SELECT 1 FROM regdesk.sessions s JOIN "
                               "regdesk.departments d ON d.id = s.department_id WHERE "
                               "d.code <> 'JZK' AND s.date = date '2025-10-05' + k)"), ==, 0);

  rd_db_close (a);
  rd_db_close (b);
  rd_db_close (main_db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/demo/resident-id-checker", test_resident_id_checker);
  g_test_add_func ("/demo/counts", test_counts);
  g_test_add_func ("/demo/identities", test_identities);
  g_test_add_func ("/demo/history", test_history);
  g_test_add_func ("/demo/todays-roster", test_todays_roster);
  g_test_add_func ("/demo/lottery-draws", test_lottery_draws);
  g_test_add_func ("/demo/loaded-once", test_loaded_once);
  g_test_add_func ("/demo/deterministic", test_deterministic);

  return g_test_run ();
}
