/* test-patients.c: registering and finding patients (api.patient_create,
 * api.patient_update, api.patient_search) against a real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <string.h>

#include "booking-test-util.h"
#include "rd-demo-data.h"
#include "rd-identity.h"
#include "rd-patients.h"

static RdDb *clerk;

/* A valid resident ID born on @birth ("YYYYMMDD") with sequence @seq
 * (odd: male). */
static char *
resident_id (const char *birth,
             int         seq)
{
  g_autofree char *first17 = g_strdup_printf ("110105%s%03d", birth, seq);

  return g_strdup_printf ("%s%c", first17, rd_resident_id_check_char (first17));
}

static RdPatient *
draft (const char *name,
       const char *sex,
       const char *birth_date,
       const char *id_type,
       const char *id_number,
       const char *phone)
{
  return g_object_new (RD_TYPE_PATIENT,
                       "name", name, "sex", sex, "birth-date", birth_date,
                       "id-type", id_type, "id-number", id_number, "phone", phone,
                       NULL);
}

static void
assert_create_refused (RdPatient  *patient,
                       const char *sqlstate)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (rd_patients_create_sync (clerk, NULL, patient, NULL, &error), ==, 0);
  bt_assert_rejected (error, sqlstate);
}

static void
test_create (void)
{
  g_autofree char *id = resident_id ("19900307", 11);
  g_autofree char *wrong_check = g_strdup (id);
  g_autofree char *pinyin = NULL;
  g_autoptr(RdPatient) patient = draft ("张三", "M", "1990-03-07", "resident_id", id,
                                        "138 0013 8000");
  g_autoptr(RdPatient) twin = NULL;
  g_autoptr(GError) error = NULL;
  gint64 created, again;

  created = rd_patients_create_sync (clerk, "patient-req-1", patient, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (created, >, 0);
  again = rd_patients_create_sync (clerk, "patient-req-1", patient, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, created);

  /* Normalised: phone digits only, pinyin initials from the name. */
  pinyin = bt_scalar1 (bt_owner (), "SELECT pinyin || '/' || phone FROM regdesk.patients "
                       "WHERE id = $1", created);
  g_assert_cmpstr (pinyin, ==, "zs/13800138000");
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.audit_log "
                            "WHERE action = 'patient_create' AND entity_id = $1::text",
                            created), ==, 1);

  /* The same document again: refused, naming who holds it. */
  g_assert_cmpint (rd_patients_create_sync (clerk, NULL, patient, NULL, &error), ==, 0);
  g_assert_cmpint (rd_patients_error_get_duplicate_id (error), ==, created);
  bt_assert_rejected (error, "RD207");

  /* Same name, birth date and phone without a document: the same person. */
  twin = draft ("张三", "M", "1990-03-07", "none", NULL, "13800138000");
  g_assert_cmpint (rd_patients_create_sync (clerk, NULL, twin, NULL, &error), ==, 0);
  g_assert_cmpint (rd_patients_error_get_duplicate_id (error), ==, created);
  bt_assert_rejected (error, "RD207");

  wrong_check[17] = wrong_check[17] == '0' ? '1' : '0';
  {
    g_autoptr(RdPatient) p = draft ("李四", "M", "1990-03-07", "resident_id", wrong_check,
                                    NULL);

    assert_create_refused (p, "RD204");
  }
  {
    g_autofree char *other = resident_id ("19900307", 13);
    g_autoptr(RdPatient) born = draft ("李四", "M", "1991-03-07", "resident_id", other, NULL);
    g_autoptr(RdPatient) sex = draft ("李四", "F", "1990-03-07", "resident_id", other, NULL);
    g_autoptr(RdPatient) phone = draft ("李四", "M", "1990-03-07", "resident_id", other,
                                        "12345");
    g_autoptr(RdPatient) nameless = draft ("  ", "M", "1990-03-07", "resident_id", other, NULL);
    g_autoptr(RdPatient) short_id = draft ("李四", "M", "1990-03-07", "resident_id",
                                           "1101051990", NULL);
    g_autoptr(RdPatient) passport = draft ("John Smith", "M", "1980-01-01", "passport",
                                           "E12", NULL);
    g_autoptr(RdPatient) permit = draft ("陈五", "M", "1980-01-01", "hk_macau_permit",
                                         "X12345678", NULL);
    g_autoptr(RdPatient) future = draft ("王六", "M", "2999-01-01", "none", NULL, NULL);
    g_autoptr(RdPatient) sexless = draft ("王六", "X", "1980-01-01", "none", NULL, NULL);

    assert_create_refused (born, "RD205");
    assert_create_refused (sex, "RD205");
    assert_create_refused (phone, "RD206");
    assert_create_refused (nameless, "RD201");
    assert_create_refused (short_id, "RD203");
    assert_create_refused (passport, "RD203");
    assert_create_refused (permit, "RD203");
    assert_create_refused (future, "RD209");
    assert_create_refused (sexless, "RD202");
  }
  {
    g_autoptr(RdPatient) card1 = draft ("赵七", "F", "1970-01-01", "passport", "G1234567",
                                        NULL);
    g_autoptr(RdPatient) card2 = draft ("赵八", "F", "1971-01-01", "none", NULL, NULL);

    g_object_set (card1, "card-no", "CARD0001", NULL);
    g_object_set (card2, "card-no", "card0001", NULL);
    g_assert_cmpint (rd_patients_create_sync (clerk, NULL, card1, NULL, &error), >, 0);
    g_assert_no_error (error);
    assert_create_refused (card2, "RD212");
  }
}

static void
test_update (void)
{
  g_autofree char *id = resident_id ("19850101", 22);
  g_autoptr(RdPatient) patient = draft ("孙九", "F", "1985-01-01", "resident_id", id, NULL);
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *sid = NULL;
  gint64 created;

  created = rd_patients_create_sync (clerk, NULL, patient, NULL, &error);
  g_assert_no_error (error);
  sid = g_strdup_printf ("%" G_GINT64_FORMAT, created);
  {
    const char *params[] = { sid, id, "13912345678" };

    result = rd_db_query_sync (clerk, "SELECT api.patient_update($1, '孙九', 'F', '1985-01-01', "
                               "'resident_id', $2, $3, NULL, 'sj')", 3, params, NULL, &error);
    g_assert_no_error (error);
    g_clear_pointer (&result, rd_result_unref);
    /* Another patient's document is refused. */
    result = rd_db_query_sync (clerk, "SELECT api.patient_update($1, '孙九', 'F', '1985-01-01', "
                               "'passport', 'G1234567', $2, NULL, 'sj')", 2,
                               (const char *[]) { sid, "13912345678" }, NULL, &error);
    g_assert_null (result);
    bt_assert_rejected (error, "RD207");
  }
  phone = bt_scalar1 (bt_owner (), "SELECT phone FROM regdesk.patients WHERE id = $1", created);
  g_assert_cmpstr (phone, ==, "13912345678");
  changed = bt_scalar1 (bt_owner (), "SELECT string_agg(k, ',' ORDER BY k) FROM "
                        "regdesk.audit_log, jsonb_object_keys(details) k "
                        "WHERE action = 'patient_update' AND entity_id = $1::text", created);
  g_assert_cmpstr (changed, ==, "phone");
}

static gboolean
model_has (GListModel *model,
           gint64      id)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(RdPatient) patient = g_list_model_get_item (model, i);

      if (rd_patient_get_id (patient) == id)
        return TRUE;
    }

  return FALSE;
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GListModel **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = rd_patients_search_finish (RD_DB (object), result, &error);
  g_assert_no_error (error);
}

static void
test_search (void)
{
  g_autofree char *id = resident_id ("19770707", 33);
  g_autoptr(RdPatient) patient = draft ("欧阳明", "M", "1977-07-07", "resident_id", id,
                                        "18612345678");
  g_autoptr(GError) error = NULL;
  GListModel *async_model = NULL;
  const char *queries[] = { "欧阳", "oym", "OYM", "1861234", "18612345678", NULL, "MEDC77" };
  gint64 created;

  g_object_set (patient, "card-no", "MEDC7777", NULL);
  created = rd_patients_create_sync (clerk, NULL, patient, NULL, &error);
  g_assert_no_error (error);
  queries[5] = id;

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GListModel) found = rd_patients_search_sync (clerk, queries[i], 20, NULL,
                                                             &error);

      g_assert_no_error (error);
      g_test_message ("%s: %u rows", queries[i], g_list_model_get_n_items (found));
      g_assert_true (model_has (found, created));
    }

  /* Exact matches first. */
  {
    g_autoptr(GListModel) found = rd_patients_search_sync (clerk, "18612345678", 5, NULL,
                                                           &error);
    g_autoptr(RdPatient) first = g_list_model_get_item (found, 0);

    g_assert_cmpint (rd_patient_get_id (first), ==, created);
    g_assert_cmpstr (rd_patient_get_name (first), ==, "欧阳明");
    g_assert_cmpstr (rd_patient_get_birth_date (first), ==, "1977-07-07");
  }
  {
    g_autoptr(GListModel) none = rd_patients_search_sync (clerk, "  ", 5, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (none), ==, 0);
  }
  /* LIKE wildcards are text, not patterns. */
  {
    g_autoptr(GListModel) none = rd_patients_search_sync (clerk, "%", 5, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (none), ==, 0);
  }

  rd_patients_search_async (clerk, "欧阳明", 10, NULL, search_cb, &async_model);
  while (async_model == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (model_has (async_model, created));
  g_object_unref (async_model);
}

static void
test_search_uses_indexes (void)
{
  RdDb *owner = bt_owner ();
  g_autoptr(GError) error = NULL;
  const char *queries[] = { "zwh", "张伟", "139000", "P000123", "90000001234", "P0001" };
  g_autofree char *hid = bt_scalar (owner, "SELECT min(id) FROM regdesk.hospitals", 0, NULL);

  /* 100 000 more patients, like a busy hospital's. */
  rd_db_exec_script_sync (owner,
                          "BEGIN;"
                          "SET LOCAL regdesk.bulk_load = 'on';"
                          "INSERT INTO regdesk.patients (hospital_id, name, pinyin, sex, "
                          "  birth_date, id_type, id_number, phone, card_no) "
                          "SELECT (SELECT min(id) FROM regdesk.hospitals), "
                          "  (ARRAY['张','王','李','赵','刘'])[1 + i % 5] "
                          "    || (ARRAY['伟','芳','强','敏','静','磊'])[1 + i / 5 % 6] "
                          "    || (ARRAY['','华','明','红'])[1 + i / 30 % 4], "
                          "  (ARRAY['z','w','l','z','l'])[1 + i % 5] "
                          "    || (ARRAY['w','f','q','m','j','l'])[1 + i / 5 % 6] "
                          "    || (ARRAY['','h','m','h'])[1 + i / 30 % 4], "
                          "  CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END, "
                          "  date '1940-01-01' + i % 25000, 'passport', "
                          "  'P' || lpad(i::text, 7, '0'), '139' || lpad(i::text, 8, '0'), "
                          "  '9' || lpad(i::text, 10, '0') "
                          "FROM generate_series(1, 100000) i;"
                          "COMMIT;"
                          "ANALYZE regdesk.patients;",
                          NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      const char *params[] = { queries[i] };
      g_autofree char *sql = bt_scalar (owner, "SELECT regdesk.patient_search_sql($1)", 1,
                                        params);
      g_autofree char *prepare = NULL;
      g_autofree char *plan = NULL;
      g_autoptr(RdResult) result = NULL;
      gint64 start;
      double ms;

      g_assert_nonnull (sql);
      prepare = g_strdup_printf ("DEALLOCATE ALL; PREPARE search_%u (bigint, text, int) AS %s;",
                                 i, sql);
      rd_db_exec_script_sync (owner, prepare, NULL, &error);
      g_assert_no_error (error);
      /* EXPLAIN of the prepared statement with these values: a custom plan,
       * as EXECUTE ... USING gets. */
      {
        g_autofree char *stmt = NULL;
        g_autoptr(RdResult) rows = NULL;
        g_autoptr(GString) text = g_string_new (NULL);

        /* EXPLAIN EXECUTE takes no parameters itself: the test's own
         * queries are written in as literals. */
        stmt = g_strdup_printf ("EXPLAIN (COSTS OFF) EXECUTE search_%u (%s, '%s', 20)", i, hid,
                                queries[i]);
        rows = rd_db_query_sync (owner, stmt, 0, NULL, NULL, &error);
        g_assert_no_error (error);
        for (guint r = 0; r < rd_result_get_n_rows (rows); r++)
          g_string_append_printf (text, "%s\n", rd_result_get_string (rows, r, 0));
        plan = g_string_free (g_steal_pointer (&text), FALSE);
      }
      g_test_message ("%s:\n%s", queries[i], plan);
      g_assert_null (strstr (plan, "Seq Scan on patients"));
      g_assert_nonnull (strstr (plan, "Index"));

      start = g_get_monotonic_time ();
      result = rd_db_query_sync (clerk, "SELECT * FROM api.patient_search($1, 20)", 1, params,
                                 NULL, &error);
      g_assert_no_error (error);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_test_message ("api.patient_search('%s'): %u rows in %.1f ms", queries[i],
                      rd_result_get_n_rows (result), ms);
      g_assert_cmpuint (rd_result_get_n_rows (result), >, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  bt_setup ();
  clerk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);

  g_test_add_func ("/patients/create", test_create);
  g_test_add_func ("/patients/update", test_update);
  g_test_add_func ("/patients/search", test_search);
  g_test_add_func ("/patients/search-uses-indexes", test_search_uses_indexes);

  status = g_test_run ();
  rd_db_close (clerk);
  g_clear_object (&clerk);

  return status;
}
