/* booking-test-util.c: sessions, patients and checks for the booking tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include "booking-test-util.h"

/* Test-only helpers, made by the owner in their own schema. */
static const char helpers_sql[] =
  "CREATE SCHEMA IF NOT EXISTS booking_test;\n"
  "CREATE SEQUENCE IF NOT EXISTS booking_test.patient_seq;\n"
  "CREATE OR REPLACE FUNCTION booking_test.make_session (start_in interval, win int, onl int,\n"
  "    pho int, pol text, fee bigint, doc bigint)\n"
  "RETURNS bigint LANGUAGE plpgsql\n"
  "SET search_path = pg_catalog, regdesk, pg_temp AS $$\n"
  "DECLARE\n"
  "  tz CONSTANT text := 'Asia/Shanghai';\n"
  "  t0 timestamptz := date_trunc('minute', now() + start_in);\n"
  "  local timestamp;\n"
  "  d regdesk.doctors;\n"
  "  per text;\n"
  "  sid bigint;\n"
  "  cap int := win + onl + pho;\n"
  "BEGIN\n"
  "  -- A session that started a while ago and still runs (they last two\n"
  "  -- hours) started today: just after midnight, at midnight.\n"
  "  IF start_in < interval '0' AND start_in > interval '-2 hours'\n"
  "     AND (t0 AT TIME ZONE tz)::date < (now() AT TIME ZONE tz)::date THEN\n"
  "    t0 := ((now() AT TIME ZONE tz)::date)::timestamp AT TIME ZONE tz;\n"
  "  END IF;\n"
  "  local := t0 AT TIME ZONE tz;\n"
  "  SELECT x.id, p INTO sid, per\n"
  "    FROM regdesk.doctors x, unnest(ARRAY['evening', 'afternoon', 'morning']) p\n"
  "   WHERE (doc IS NULL OR x.id = doc)\n"
  "     AND NOT EXISTS (SELECT 1 FROM regdesk.sessions s WHERE s.doctor_id = x.id\n"
  "                        AND s.date = local::date AND s.period = p)\n"
  "   ORDER BY (SELECT count(*) FROM regdesk.sessions s WHERE s.doctor_id = x.id\n"
  "               AND s.date = local::date), x.id DESC\n"
  "   LIMIT 1;\n"
  "  IF per IS NULL THEN\n"
  "    RAISE EXCEPTION 'no doctor with a free period on %', local::date;\n"
  "  END IF;\n"
  "  SELECT * INTO d FROM regdesk.doctors x WHERE x.id = sid;\n"
  "  INSERT INTO regdesk.sessions (hospital_id, department_id, doctor_id, date, period,\n"
  "      starts_at, ends_at, clinic_type, fee, policy, capacity, quota_window,\n"
  "      quota_online, quota_phone, online_cutoff_at, phone_cutoff_at, lottery_draw_at)\n"
  "  VALUES (d.hospital_id, d.department_id, d.id, local::date, per, local::time,\n"
  "          CASE WHEN local::time < time '21:58' THEN local::time + interval '2 hours'\n"
  "               ELSE time '23:59:59' END,\n"
  "          'general', fee, pol, cap, win, onl, pho, t0 - interval '2 hours',\n"
  "          t0 - interval '2 hours',\n"
  "          CASE WHEN pol = 'lottery' THEN t0 - interval '1 day' END)\n"
  "  RETURNING id INTO sid;\n"
  "  INSERT INTO regdesk.slots (hospital_id, session_id, seq, starts_at, ends_at, channel)\n"
  "  SELECT d.hospital_id, sid, g, t0 + (g - 1) * interval '1 minute',\n"
  "         t0 + g * interval '1 minute',\n"
  "         CASE WHEN g <= win THEN 'window' WHEN g <= win + onl THEN 'online' ELSE 'phone' END\n"
  "    FROM generate_series(1, cap) g;\n"
  "  RETURN sid;\n"
  "END $$;\n"
  "CREATE OR REPLACE FUNCTION booking_test.make_patient (born date, dis boolean)\n"
  "RETURNS bigint LANGUAGE plpgsql\n"
  "SET search_path = pg_catalog, regdesk, pg_temp AS $$\n"
  "DECLARE\n"
  "  n bigint := nextval('booking_test.patient_seq');\n"
  "  pid bigint;\n"
  "BEGIN\n"
  "  INSERT INTO regdesk.patients (hospital_id, name, pinyin, sex, birth_date, phone,\n"
  "                                disabled)\n"
  "  SELECT min(h.id), '测试' || n, 'cs', 'F', born,\n"
  "         '166' || lpad(n::text, 8, '0'), dis\n"
  "    FROM regdesk.hospitals h\n"
  "  RETURNING id INTO pid;\n"
  "  RETURN pid;\n"
  "END $$;\n";

static RdDb *owner_db;

void
bt_setup (void)
{
  g_autoptr(GError) error = NULL;

  if (owner_db != NULL)
    return;

  rd_test_pg_load_demo ();
  owner_db = rd_test_pg_connect (NULL, NULL);
  rd_db_exec_script_sync (owner_db, helpers_sql, NULL, &error);
  g_assert_no_error (error);
}

RdDb *
bt_owner (void)
{
  bt_setup ();
  return owner_db;
}

gint64
bt_make_session (const char *start_in,
                 int         window,
                 int         online,
                 int         phone,
                 const char *policy,
                 gint64      fee,
                 gint64      doctor_id)
{
  g_autofree char *w = g_strdup_printf ("%d", window);
  g_autofree char *o = g_strdup_printf ("%d", online);
  g_autofree char *p = g_strdup_printf ("%d", phone);
  g_autofree char *f = g_strdup_printf ("%" G_GINT64_FORMAT, fee);
  g_autofree char *d = doctor_id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, doctor_id) : NULL;
  const char *params[] = { start_in, w, o, p, policy != NULL ? policy : "fcfs", f, d };

  return bt_int (bt_owner (),
                 "SELECT booking_test.make_session($1::interval, $2::int, $3::int, $4::int, "
                 "$5, $6::bigint, $7::bigint)",
                 G_N_ELEMENTS (params), params);
}

gint64
bt_make_patient (const char *birth_date,
                 gboolean    disabled)
{
  const char *params[] = { birth_date != NULL ? birth_date : "1985-06-01",
                           disabled ? "true" : "false" };

  return bt_int (bt_owner (), "SELECT booking_test.make_patient($1::date, $2::boolean)",
                 G_N_ELEMENTS (params), params);
}

char *
bt_scalar (RdDb               *db,
           const char         *sql,
           guint               n_params,
           const char * const *params)
{
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (db, sql, n_params, params, NULL, &error);
  g_assert_no_error (error);

  if (rd_result_get_n_rows (result) == 0)
    return NULL;

  return g_strdup (rd_result_get_string (result, 0, 0));
}

gint64
bt_int (RdDb               *db,
        const char         *sql,
        guint               n_params,
        const char * const *params)
{
  g_autofree char *text = bt_scalar (db, sql, n_params, params);

  g_assert_nonnull (text);

  return g_ascii_strtoll (text, NULL, 10);
}

gint64
bt_int1 (RdDb       *db,
         const char *sql,
         gint64      param)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, param);
  const char *params[] = { text };

  return bt_int (db, sql, 1, params);
}

char *
bt_scalar1 (RdDb       *db,
            const char *sql,
            gint64      param)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, param);
  const char *params[] = { text };

  return bt_scalar (db, sql, 1, params);
}

void
bt_exec1 (RdDb       *db,
          const char *sql,
          gint64      param)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, param);
  const char *params[] = { text };
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (db, sql, 1, params, NULL, &error);
  g_assert_no_error (error);
}
