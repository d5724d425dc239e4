/* test-schema.c: constraints, views, notifications and migrations of schema v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include "rd-demo-data.h"
#include "rd-migrations.h"
#include "sql-test-util.h"

/* Each constraint test runs in a transaction it rolls back, so the demo
 * data stays as loaded for the next test. */
static RdDb *
begin_owner (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autofree char *ignored = NULL;

  rd_test_pg_load_demo ();
  ignored = sql_scalar (db, "BEGIN");

  return g_steal_pointer (&db);
}

static void
rollback (RdDb *db)
{
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (db, "ROLLBACK", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  rd_db_close (db);
}

static void
test_slot_single_active_appointment (void)
{
  g_autoptr(RdDb) db = begin_owner ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) result = NULL;
  const char *insert_sql =
    "INSERT INTO regdesk.appointments "
    "  (hospital_id, patient_id, session_id, slot_id, channel, status, request_id, "
    "   cancelled_at) "
    "SELECT a.hospital_id, "
    "       (SELECT min(p.id) FROM regdesk.patients p WHERE p.id <> a.patient_id "
    "          AND NOT EXISTS (SELECT 1 FROM regdesk.appointments x "
    "                           WHERE x.patient_id = p.id AND x.session_id = a.session_id)), "
    "       a.session_id, a.slot_id, a.channel, $1::text, 'test-second-' || $1::text, "
    "       CASE WHEN $1::text = 'cancelled' THEN now() END "
    "  FROM regdesk.appointments a WHERE a.status = 'booked' ORDER BY a.id LIMIT 1";
  const char *booked[] = { "booked" };
  const char *pending[] = { "pending_payment" };
  const char *cancelled[] = { "cancelled" };

  /* A second live appointment on a taken slot: refused by the partial
   * unique index, whatever its state... */
  result = rd_db_query_sync (db, insert_sql, 1, booked, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
  sql_assert_sqlstate (error, "23505");
  g_clear_error (&error);
  g_clear_pointer (&result, rd_result_unref);
  rollback (db);
  g_clear_object (&db);

  db = begin_owner ();
  result = rd_db_query_sync (db, insert_sql, 1, pending, NULL, &error);
  g_assert_null (result);
  sql_assert_sqlstate (error, "23505");
  g_clear_error (&error);
  rollback (db);
  g_clear_object (&db);

  /* ...while a cancelled one next to it is history, not a double booking. */
  db = begin_owner ();
  result = rd_db_query_sync (db, insert_sql, 1, cancelled, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_affected (result), ==, 1);
  rollback (db);
}

static void
test_money_never_negative (void)
{
  const char *statements[] = {
    "UPDATE regdesk.doctor_fees SET fee = -1 "
    "WHERE doctor_id = (SELECT min(doctor_id) FROM regdesk.doctor_fees)",
    "UPDATE regdesk.sessions SET fee = -100 WHERE id = (SELECT min(id) FROM regdesk.sessions)",
    "UPDATE regdesk.orders SET amount = -1 WHERE id = (SELECT min(id) FROM regdesk.orders)",
    "UPDATE regdesk.orders SET refunded_amount = amount + 1 "
    "WHERE id = (SELECT min(id) FROM regdesk.orders)",
    "UPDATE regdesk.payments SET amount = -5 WHERE id = (SELECT min(id) FROM regdesk.payments)",
    "UPDATE regdesk.refunds SET amount = 0 WHERE id = (SELECT min(id) FROM regdesk.refunds)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(RdDb) db = begin_owner ();
      g_autoptr(GError) error = sql_expect_error (db, statements[i]);

      g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID);
      sql_assert_sqlstate (error, "23514");
      rollback (db);
    }
}

static void
test_patient_checks (void)
{
  static const struct
  {
    const char *sql;
    const char *sqlstate;
  } cases[] = {
    /* Last digit changed: the GB 11643 check character no longer matches. */
    { "UPDATE regdesk.patients SET id_number = overlay(id_number placing "
      "CASE WHEN right(id_number, 1) = '1' THEN '2' ELSE '1' END from 18) "
      "WHERE id = (SELECT min(id) FROM regdesk.patients WHERE id_type = 'resident_id')",
      "23514" },
    { "UPDATE regdesk.patients SET phone = '12345678901' "
      "WHERE id = (SELECT min(id) FROM regdesk.patients)", "23514" },
    { "UPDATE regdesk.patients SET id_type = 'none' "
      "WHERE id = (SELECT min(id) FROM regdesk.patients WHERE id_type = 'resident_id')",
      "23514" },
    /* The same document twice in one hospital. */
    { "UPDATE regdesk.patients SET id_number = (SELECT id_number FROM regdesk.patients "
      "  WHERE id_type = 'resident_id' ORDER BY id DESC LIMIT 1) "
      "WHERE id = (SELECT min(id) FROM regdesk.patients WHERE id_type = 'resident_id')",
      "23505" },
    { "UPDATE regdesk.slots SET status = 'sold' WHERE id = (SELECT min(id) FROM regdesk.slots)",
      "23514" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RdDb) db = begin_owner ();
      g_autoptr(GError) error = sql_expect_error (db, cases[i].sql);

      sql_assert_sqlstate (error, cases[i].sqlstate);
      rollback (db);
    }

  /* The checks accept what they should, the X check character included. */
  {
    g_autoptr(RdDb) db = begin_owner ();
    g_autofree char *valid_x = NULL;
    g_autofree char *bad_check = NULL;
    g_autofree char *bad_date = NULL;

    valid_x = sql_scalar (db, "SELECT regdesk.resident_id_valid('11010519491231002X')::text");
    bad_check = sql_scalar (db, "SELECT regdesk.resident_id_valid('110105194912310021')::text");
    bad_date = sql_scalar (db, "SELECT regdesk.resident_id_valid('110105194902300020')::text");
    g_assert_cmpstr (valid_x, ==, "true");
    g_assert_cmpstr (bad_check, ==, "false");
    g_assert_cmpstr (bad_date, ==, "false");
    rollback (db);
  }
}

/* Every closed list of values (0013: domains the columns' checks cast to)
 * refuses what is not on it, in every table that uses it, and lets a NULL
 * through where the column allows one. */
static void
test_value_lists (void)
{
  static const char *refused[] = {
    "UPDATE regdesk.sessions SET status = 'paused' WHERE id = (SELECT min(id) FROM regdesk.sessions)",
    "UPDATE regdesk.slots SET channel = 'fax' WHERE id = (SELECT min(id) FROM regdesk.slots)",
    "UPDATE regdesk.appointments SET channel = 'fax' "
    "WHERE id = (SELECT min(id) FROM regdesk.appointments)",
    "UPDATE regdesk.appointments SET status = 'Booked' "
    "WHERE id = (SELECT min(id) FROM regdesk.appointments)",
    "UPDATE regdesk.appointments SET priority_reason = 'vip' "
    "WHERE id = (SELECT min(id) FROM regdesk.appointments)",
    "UPDATE regdesk.orders SET status = 'lost' WHERE id = (SELECT min(id) FROM regdesk.orders)",
    "UPDATE regdesk.payments SET status = 'lost' WHERE id = (SELECT min(id) FROM regdesk.payments)",
    "UPDATE regdesk.refunds SET status = 'lost' WHERE id = (SELECT min(id) FROM regdesk.refunds)",
    "UPDATE regdesk.sms_outbox SET template = 'spam' "
    "WHERE id = (SELECT min(id) FROM regdesk.sms_outbox)",
    "UPDATE regdesk.sms_outbox SET status = 'lost' "
    "WHERE id = (SELECT min(id) FROM regdesk.sms_outbox)",
    "UPDATE regdesk.sms_outbox SET to_phone = '12345678901' "
    "WHERE id = (SELECT min(id) FROM regdesk.sms_outbox)",
    "SELECT 'expired'::regdesk.lottery_status",
    "SELECT 'done'::regdesk.waitlist_status",
    "SELECT 'open'::regdesk.reconciliation_status",
  };
  /* Each list, whole: every value casts, and the domain's check names no
   * other. */
  static const struct
  {
    const char *domain;
    const char *values;
  } lists[] = {
    { "channel", "window,online,phone" },
    { "session_status", "open,suspended,closed" },
    { "slot_status", "free,held,booked,paid,checked_in,no_show,locked" },
    { "appointment_status",
      "pending_payment,booked,checked_in,completed,no_show,cancelled,expired" },
    { "priority_reason", "elderly,disabled,military,urgent" },
    { "order_status", "unpaid,paid,closed,refunding,refunded,partially_refunded" },
    { "payment_status", "pending,paying,succeeded,failed,closed,unknown,reversed" },
    { "refund_status", "pending,processing,succeeded,failed,abnormal" },
    { "waitlist_status", "waiting,granted,cancelled,expired" },
    { "lottery_status", "pending,won,lost,cancelled" },
    { "sms_template",
      "booking_confirmed,reminder,session_suspended,waitlist_granted,refund_done" },
    { "sms_status", "pending,sending,sent,failed,dead" },
    { "reconciliation_status",
      "matched,missing_in_bill,missing_in_db,amount_mismatch,status_mismatch" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(RdDb) db = begin_owner ();
      g_autoptr(GError) error = sql_expect_error (db, refused[i]);

      sql_assert_sqlstate (error, "23514");
      rollback (db);
    }

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_autoptr(RdDb) db = begin_owner ();
      g_autofree char *cast_sql = NULL;
      g_autofree char *listed_sql = NULL;
      g_autofree char *cast = NULL;
      g_autofree char *listed = NULL;

      cast_sql = g_strdup_printf ("SELECT string_agg(v::regdesk.%s, ',' ORDER BY o) "
                                  "  FROM unnest(string_to_array('%s', ',')) "
                                  "       WITH ORDINALITY AS x (v, o)",
                                  lists[i].domain, lists[i].values);
      listed_sql = g_strdup_printf ("SELECT string_agg(m[1], ',') "
                                    "  FROM pg_catalog.pg_constraint c "
                                    "  JOIN pg_catalog.pg_type t ON t.oid = c.contypid, "
                                    "       regexp_matches(pg_get_constraintdef(c.oid), "
                                    "                      '''([a-z_]+)''', 'g') m "
                                    " WHERE t.typname = '%s' AND c.conname = '%s_value'",
                                    lists[i].domain, lists[i].domain);
      cast = sql_scalar (db, cast_sql);
      listed = sql_scalar (db, listed_sql);
      g_assert_cmpstr (cast, ==, lists[i].values);
      g_assert_cmpstr (listed, ==, lists[i].values);
      rollback (db);
    }

  /* A booking without a priority reason stays valid. */
  {
    g_autoptr(RdDb) db = begin_owner ();
    g_autofree char *updated = sql_scalar (
      db, "WITH u AS (UPDATE regdesk.appointments SET priority_reason = NULL "
          "  WHERE id = (SELECT min(id) FROM regdesk.appointments) RETURNING 1) "
          "SELECT count(*) FROM u");

    g_assert_cmpstr (updated, ==, "1");
    rollback (db);
  }
}

/* The rules of the hot tables (0016: one domain over each table's row)
 * each refuse what they refused as table checks, under their own names.
 * (A rule that casts to a closed list of values names the list's domain
 * when it refuses: /schema/value-lists.) */
static void
test_row_rules (void)
{
  /* A card payment: neither tendered nor change. */
#define CARD "method = 'card'"
  static const struct
  {
    const char *rule;
    const char *table;
    const char *set;
    const char *which;  /* the first row of the table, or of these */
  } broken[] = {
    { "appointments_cancel_request_id_check", "appointments", "cancel_request_id = ''", NULL },
    { "appointments_check", "appointments", "status = 'cancelled', cancelled_at = NULL", NULL },
    { "appointments_check1", "appointments", "status = 'checked_in', checked_in_at = NULL",
      NULL },
    { "appointments_queue_no_check", "appointments", "queue_no = 0", NULL },
    { "appointments_request_id_check", "appointments", "request_id = ''", NULL },
    { "slots_check", "slots", "ends_at = starts_at", NULL },
    { "slots_check1", "slots", "status = 'held', held_until = NULL", NULL },
    { "slots_seq_check", "slots", "seq = 0", NULL },
    { "orders_amount_check", "orders", "amount = -1, refunded_amount = 0", NULL },
    { "orders_check", "orders", "refunded_amount = amount + 1", NULL },
    { "orders_check1", "orders", "status = 'paid', paid_at = NULL", NULL },
    { "orders_order_no_check", "orders", "order_no = 'x'", NULL },
    { "orders_order_no_check", "orders", "order_no = 'R2612 08000001'", NULL },
    { "orders_order_no_check", "orders", "order_no = repeat('R', 33)", NULL },
    { "sms_outbox_attempts_check", "sms_outbox", "attempts = -1", NULL },
    { "sms_outbox_check", "sms_outbox", "status = 'sent', sent_at = NULL", NULL },
    { "sms_outbox_params_check", "sms_outbox", "params = '[]'", NULL },
    { "payments_amount_check", "payments", "amount = -1", CARD },
    { "payments_check", "payments", "tendered = amount", CARD },
    { "payments_check1", "payments", "change = 0", CARD },
    { "payments_method_check", "payments", "method = 'barter'", CARD },
    { "payments_out_trade_no_check", "payments", "out_trade_no = 'x'", CARD },
    { "payments_out_trade_no_check", "payments", "out_trade_no = 'P26120800000001号'", CARD },
    { "payments_request_id_check", "payments", "request_id = ''", CARD },
    { "payments_scene_check", "payments", "scene = 'nfc'", CARD },
    { "payments_settle_attempts_check", "payments", "settle_attempts = -1", CARD },
    { "refunds_amount_check", "refunds", "amount = 0", NULL },
    { "refunds_out_refund_no_check", "refunds", "out_refund_no = 'x'", NULL },
    { "refunds_out_refund_no_check", "refunds", "out_refund_no = 'F2612.0800000001'", NULL },
    { "refunds_settle_attempts_check", "refunds", "settle_attempts = -1", NULL },
    { "waitlist_check", "waitlist", "session_id = NULL, doctor_id = NULL", NULL },
    { "waitlist_check1", "waitlist", "status = 'granted', granted_appointment_id = NULL",
      NULL },
    { "waitlist_request_id_check", "waitlist", "request_id = ''", NULL },
  };
#undef CARD
  static const char *tables[] = {
    "appointments", "slots", "orders", "sms_outbox", "payments", "refunds", "waitlist",
  };

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(RdDb) db = begin_owner ();
      g_autoptr(GError) error = NULL;
      g_autofree char *named = g_strdup_printf ("\"%s\"", broken[i].rule);
      g_autofree char *first = NULL;
      g_autofree char *sql = NULL;

      first = g_strdup_printf ("SELECT min(id) FROM regdesk.%s WHERE %s", broken[i].table,
                               broken[i].which != NULL ? broken[i].which : "true");
      /* A row to break, or the rule would have nothing to refuse. */
      g_assert_cmpint (sql_int (db, first), >, 0);
      sql = g_strdup_printf ("UPDATE regdesk.%s SET %s WHERE id = (%s)", broken[i].table,
                             broken[i].set, first);
      error = sql_expect_error (db, sql);
      sql_assert_sqlstate (error, "23514");
      if (strstr (error->message, named) == NULL)
        g_error ("%s should have been refused by %s: %s", sql, broken[i].rule, error->message);
      rollback (db);
    }

  /* Each table keeps one check, its row's; every rule reads its columns,
   * so none of them can be dropped from under it. */
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autoptr(RdDb) db = begin_owner ();
      g_autofree char *checks_sql = NULL;
      g_autofree char *checks = NULL;
      g_autofree char *expected = g_strdup_printf ("%s_row_check", tables[i]);

      checks_sql = g_strdup_printf ("SELECT string_agg(conname, ',') "
                                    "  FROM pg_catalog.pg_constraint "
                                    " WHERE conrelid = 'regdesk.%s'::regclass AND contype = 'c'",
                                    tables[i]);
      checks = sql_scalar (db, checks_sql);
      g_assert_cmpstr (checks, ==, expected);
      rollback (db);
    }
  {
    g_autoptr(RdDb) db = begin_owner ();
    g_autoptr(GError) error = sql_expect_error (db, "ALTER TABLE regdesk.slots "
                                                    "DROP COLUMN held_until");

    sql_assert_sqlstate (error, "2BP01");
    rollback (db);
  }
}

static void
test_no_cross_hospital_references (void)
{
  g_autoptr(RdDb) db = begin_owner ();
  g_autoptr(GError) error = NULL;
  g_autofree char *ignored = NULL;

  ignored = sql_scalar (db, "INSERT INTO regdesk.hospitals (code, name) "
                            "VALUES ('OTHER', '另一家医院') RETURNING id");
  /* A doctor of the new hospital in a department of the demo hospital. */
  error = sql_expect_error (db,
                            "INSERT INTO regdesk.doctors "
                            "  (hospital_id, department_id, name, title) "
                            "SELECT h.id, (SELECT min(id) FROM regdesk.departments), "
                            "  '外院医生', 'attending' "
                            "FROM regdesk.hospitals h WHERE h.code = 'OTHER'");
  sql_assert_sqlstate (error, "23503");
  rollback (db);
}

/* Appointments and orders are kept, with what they belong to, and a slot
 * that an appointment names stays in its session, even for the owner
 * (data/sql/0026-bookings-kept.sql). */
static void
test_bookings_kept (void)
{
  static const struct
  {
    const char *sql;
    const char *sqlstate;
    const char *says;
  } refused[] = {
    /* To another session of the hospital, where the patient has nothing. */
    { "UPDATE regdesk.appointments a SET session_id = "
      "  (SELECT s.id FROM regdesk.sessions s "
      "    WHERE s.hospital_id = a.hospital_id AND s.id <> a.session_id "
      "      AND NOT EXISTS (SELECT 1 FROM regdesk.appointments b "
      "                       WHERE b.patient_id = a.patient_id AND b.session_id = s.id) "
      "    ORDER BY s.id LIMIT 1) "
      " WHERE a.id = (SELECT min(id) FROM regdesk.appointments)",
      "42501", "appointments are kept" },
    { "UPDATE regdesk.appointments a SET slot_id = "
      "  (SELECT x.id FROM regdesk.slots x WHERE x.session_id = a.session_id "
      "      AND x.id <> a.slot_id AND x.status = 'free' ORDER BY x.seq LIMIT 1) "
      " WHERE a.id = (SELECT max(id) FROM regdesk.appointments)",
      "42501", "appointments are kept" },
    { "DELETE FROM regdesk.appointments WHERE id = (SELECT max(id) FROM regdesk.appointments)",
      "42501", "appointments are kept" },
    { "TRUNCATE regdesk.appointments CASCADE", "42501", "appointments are kept" },
    { "UPDATE regdesk.orders o SET appointment_id = "
      "  (SELECT max(a.id) FROM regdesk.appointments a WHERE a.id <> o.appointment_id) "
      " WHERE o.id = (SELECT min(id) FROM regdesk.orders)",
      "42501", "orders are kept" },
    { "DELETE FROM regdesk.orders WHERE id = (SELECT max(id) FROM regdesk.orders o "
      "  WHERE NOT EXISTS (SELECT 1 FROM regdesk.payments p WHERE p.order_id = o.id))",
      "42501", "orders are kept" },
    { "TRUNCATE regdesk.orders CASCADE", "42501", "orders are kept" },
    { "DELETE FROM regdesk.slots WHERE id = (SELECT max(slot_id) FROM regdesk.appointments)",
      "23503", "is named by an appointment" },
    { "UPDATE regdesk.slots SET id = DEFAULT "
      " WHERE id = (SELECT min(slot_id) FROM regdesk.appointments)",
      "23503", "is named by an appointment" },
    /* Its slots would go with it. */
    { "DELETE FROM regdesk.sessions s WHERE s.id = "
      "  (SELECT min(session_id) FROM regdesk.appointments)",
      "23503", "is named by an appointment" },
    { "TRUNCATE regdesk.slots", "23503", "slots that appointments name are kept" },
  };
  static const char * const allowed[] = {
    "UPDATE regdesk.appointments SET status = status "
    " WHERE id = (SELECT max(id) FROM regdesk.appointments) RETURNING status",
    "UPDATE regdesk.orders SET status = status "
    " WHERE id = (SELECT max(id) FROM regdesk.orders) RETURNING order_no",
    "DELETE FROM regdesk.slots x WHERE x.id = "
    "  (SELECT max(y.id) FROM regdesk.slots y WHERE NOT EXISTS "
    "    (SELECT 1 FROM regdesk.appointments a WHERE a.slot_id = y.id)) "
    "RETURNING x.id",
  };
  g_autoptr(RdDb) check = rd_test_pg_connect (NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(RdDb) db = begin_owner ();
      g_autoptr(GError) error = sql_expect_error (db, refused[i].sql);

      g_test_message ("%s: %s", refused[i].sql, error->message);
      sql_assert_sqlstate (error, refused[i].sqlstate);
      g_assert_nonnull (strstr (error->message, refused[i].says));
      rollback (db);
    }

  /* Other changes go through: a status, and a slot that nobody booked. */
  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_autoptr(RdDb) db = begin_owner ();
      g_autofree char *changed = sql_scalar (db, allowed[i]);

      g_assert_nonnull (changed);
      rollback (db);
    }

  /* What the keys said still holds of every row. */
  g_assert_cmpint (sql_int (check, "SELECT count(*) FROM regdesk.appointments"), >, 0);
  g_assert_cmpint (sql_int (check, "SELECT count(*) FROM regdesk.appointments a WHERE NOT "
                                   "EXISTS (SELECT 1 FROM regdesk.slots x WHERE "
                                   "x.id = a.slot_id AND x.session_id = a.session_id "
                                   "AND x.hospital_id = a.hospital_id)"),
                   ==, 0);
  g_assert_cmpint (sql_int (check, "SELECT count(*) FROM regdesk.orders o WHERE NOT EXISTS "
                                   "(SELECT 1 FROM regdesk.appointments a WHERE "
                                   "a.id = o.appointment_id AND a.hospital_id = o.hospital_id)"),
                   ==, 0);
}

/* Patient records are kept, under their number, even by the owner; the
 * demo's appointments and orders all name a patient of their own
 * hospital (data/sql/0023-patients-kept.sql). */
static void
test_patients_kept (void)
{
  static const char * const refused[] = {
    "DELETE FROM regdesk.patients WHERE id = (SELECT min(patient_id) FROM regdesk.appointments)",
    "DELETE FROM regdesk.patients WHERE id = (SELECT max(id) FROM regdesk.patients)",
    "UPDATE regdesk.patients SET id = DEFAULT WHERE id = (SELECT max(id) FROM regdesk.patients)",
    "UPDATE regdesk.patients SET hospital_id = (SELECT max(id) FROM regdesk.hospitals) + 1 "
    "WHERE id = (SELECT max(id) FROM regdesk.patients)",
    "TRUNCATE regdesk.patients CASCADE",
  };
  g_autoptr(RdDb) check = rd_test_pg_connect (NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(RdDb) db = begin_owner ();
      g_autoptr(GError) error = sql_expect_error (db, refused[i]);

      g_test_message ("%s: %s", refused[i], error->message);
      g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION);
      g_assert_nonnull (strstr (error->message, "patient records are kept"));
      rollback (db);
    }

  /* Other changes to a patient go through. */
  {
    g_autoptr(RdDb) db = begin_owner ();
    g_autofree char *name = sql_scalar (db, "UPDATE regdesk.patients SET name = name "
                                            "WHERE id = (SELECT max(id) FROM regdesk.patients) "
                                            "RETURNING name");

    g_assert_nonnull (name);
    rollback (db);
  }

  g_assert_cmpint (sql_int (check, "SELECT count(*) FROM regdesk.appointments"), >, 0);
  g_assert_cmpint (sql_int (check, "SELECT count(*) FROM regdesk.appointments a WHERE NOT "
                                   "EXISTS (SELECT 1 FROM regdesk.patients p WHERE "
                                   "p.id = a.patient_id AND p.hospital_id = a.hospital_id)"),
                   ==, 0);
  g_assert_cmpint (sql_int (check, "SELECT count(*) FROM regdesk.orders o WHERE NOT EXISTS "
                                   "(SELECT 1 FROM regdesk.appointments a WHERE "
                                   "a.id = o.appointment_id AND a.patient_id = o.patient_id "
                                   "AND a.hospital_id = o.hospital_id)"), ==, 0);
}

static void
test_session_overview_columns (void)
{
  static const char * const expected[] = {
    "id", "hospital_id", "department_id", "department_name", "department_code",
    "department_pinyin", "doctor_id", "doctor_name", "doctor_title", "clinic_type", "fee",
    "date", "period", "starts_at", "ends_at", "status", "policy", "capacity", "free_window",
    "free_online", "free_phone", "booked",
  };
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *date = NULL;
  gint64 free_total;
  gint64 booked;
  gint64 capacity;
  gint64 taken;

  rd_test_pg_load_demo ();
  result = rd_db_query_sync (db, "SELECT * FROM api.session_overview LIMIT 0", 0, NULL, NULL,
                             &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_columns (result), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (rd_result_get_column_name (result, i), ==, expected[i]);

  /* date is text, YYYY-MM-DD, whatever the DateStyle. */
  g_clear_pointer (&result, rd_result_unref);
  result = rd_db_query_sync (db, "SET DateStyle = 'SQL, DMY'", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  date = sql_scalar (db, "SELECT date FROM api.session_overview ORDER BY id LIMIT 1");
  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", date, 0, 0));

  /* The counts agree with the rows they count. */
  free_total = sql_int (db, "SELECT sum(free_window + free_online + free_phone) "
                            "FROM api.session_overview");
  g_assert_cmpint (free_total, ==, sql_int (db, "SELECT count(*) FROM regdesk.slots "
                                                "WHERE status = 'free'"));
  booked = sql_int (db, "SELECT sum(booked) FROM api.session_overview");
  g_assert_cmpint (booked, >, 0);
  g_assert_cmpint (booked, ==, sql_int (db, "SELECT count(*) FROM regdesk.appointments WHERE "
                                            "status IN ('pending_payment', 'booked', "
                                            "'checked_in')"));
  capacity = sql_int (db, "SELECT sum(capacity) FROM api.session_overview");
  taken = sql_int (db, "SELECT count(*) FROM regdesk.slots WHERE status <> 'free'");
  g_assert_cmpint (capacity, ==, free_total + taken);
  rd_db_close (db);
}

typedef struct
{
  GPtrArray *payloads;
} Listener;

static void
on_notification (RdDb       *db,
                 const char *channel,
                 const char *payload,
                 Listener   *listener)
{
  g_assert_cmpstr (channel, ==, "rd_change");
  g_ptr_array_add (listener->payloads, g_strdup (payload));
}

static gboolean
has_payload (Listener   *listener,
             const char *payload)
{
  for (guint i = 0; i < listener->payloads->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (listener->payloads, i), payload))
        return TRUE;
    }

  return FALSE;
}

static void
wait_for_payload (Listener   *listener,
                  const char *payload)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!has_payload (listener, payload))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("No notification %s", payload);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_notifications (void)
{
  g_autoptr(RdDb) listen_db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  Listener listener = { payloads };
  g_autofree char *hospital = NULL;
  g_autofree char *session = NULL;
  g_autofree char *date = NULL;
  g_autofree char *ignored = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *new_session = NULL;

  rd_test_pg_load_demo ();
  g_signal_connect (listen_db, "notification", G_CALLBACK (on_notification), &listener);
  rd_db_listen (listen_db, "rd_change");
  /* Queued after the LISTEN: once it answers, the LISTEN is in place. */
  ignored = sql_scalar (listen_db, "SELECT 1");

  hospital = sql_scalar (db, "SELECT min(id) FROM regdesk.hospitals");
  session = sql_scalar (db, "SELECT min(session_id) FROM regdesk.slots WHERE status = 'free'");

  /* A slot changes: its session is named. */
  g_clear_pointer (&ignored, g_free);
  ignored = sql_scalar (db, "UPDATE regdesk.slots SET status = 'locked' WHERE id = "
                            "(SELECT min(id) FROM regdesk.slots WHERE status = 'free') "
                            "RETURNING id");
  expected = g_strdup_printf ("session:%s:%s", hospital, session);
  wait_for_payload (&listener, expected);

  /* An appointment and an order. */
  g_clear_pointer (&ignored, g_free);
  ignored = sql_scalar (db, "UPDATE regdesk.appointments SET queue_no = queue_no "
                            "WHERE id = (SELECT min(id) FROM regdesk.appointments) RETURNING id");
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("appointment:%s:%s", hospital, ignored);
  wait_for_payload (&listener, expected);
  g_clear_pointer (&ignored, g_free);
  ignored = sql_scalar (db, "UPDATE regdesk.orders SET created_by = created_by "
                            "WHERE id = (SELECT max(id) FROM regdesk.orders) RETURNING id");
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("order:%s:%s", hospital, ignored);
  wait_for_payload (&listener, expected);

  /* A new session: its own id and its day's roster. */
  date = sql_scalar (db, "SELECT regdesk.date_text(max(date) + 1) FROM regdesk.sessions");
  new_session = sql_scalar (db,
                            "INSERT INTO regdesk.sessions (hospital_id, department_id, doctor_id, "
                            "  date, period, starts_at, ends_at, clinic_type, fee, capacity, "
                            "  quota_window, quota_online, quota_phone) "
                            "SELECT hospital_id, department_id, id, "
                            "  (SELECT max(date) + 1 FROM regdesk.sessions), 'morning', '08:00', "
                            "  '12:00', 'general', 1000, 0, 0, 0, 0 "
                            "FROM regdesk.doctors ORDER BY id LIMIT 1 RETURNING id");
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("session:%s:%s", hospital, new_session);
  wait_for_payload (&listener, expected);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("roster:%s:%s", hospital, date);
  wait_for_payload (&listener, expected);

  /* Gone again: the roster hears of it. */
  g_ptr_array_set_size (payloads, 0);
  g_clear_pointer (&ignored, g_free);
  ignored = sql_scalar (db, "DELETE FROM regdesk.sessions WHERE id = "
                            "(SELECT max(id) FROM regdesk.sessions) RETURNING id");
  wait_for_payload (&listener, expected);

  rd_db_close (listen_db);
  rd_db_close (db);
}

static void
test_migration_second_database (void)
{
  g_autoptr(RdDb) db = sql_create_database ("regdesk_second");
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(RdDb) clerk = NULL;
  guint n_applied = 0;

  /* The first database already created the cluster-wide groups. */
  rd_test_pg_get ();
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM pg_roles WHERE rolname IN "
                                "('regdesk_clerk', 'regdesk_manager', 'regdesk_finance', "
                                "'regdesk_admin')"), ==, 4);

  g_assert_true (rd_migrations_apply_sync (db, &n_applied, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, rd_migrations_get_latest ());
  g_assert_true (rd_migrations_apply_sync (db, &n_applied, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, 0);

  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM api.session_overview"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM information_schema.tables "
                                "WHERE table_schema = 'regdesk'"), >=, 20);

  /* The second database is as closed to staff as the first: the demo clerk
   * (a cluster-wide role) may read the roster but write nothing. */
  rd_test_pg_load_demo ();
  conninfo = sql_database_conninfo ("regdesk_second", RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  clerk = rd_db_new (conninfo);
  g_assert_true (rd_db_connect_sync (clerk, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (clerk, "SELECT count(*) FROM api.session_overview"), ==, 0);
  g_clear_error (&error);
  error = sql_expect_error (clerk, "INSERT INTO regdesk.meta VALUES ('x', 'y')");
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION);

  rd_db_close (clerk);
  rd_db_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/schema/slot-single-active-appointment", test_slot_single_active_appointment);
  g_test_add_func ("/schema/money-never-negative", test_money_never_negative);
  g_test_add_func ("/schema/patient-checks", test_patient_checks);
  g_test_add_func ("/schema/value-lists", test_value_lists);
  g_test_add_func ("/schema/row-rules", test_row_rules);
  g_test_add_func ("/schema/no-cross-hospital-references", test_no_cross_hospital_references);
  g_test_add_func ("/schema/bookings-kept", test_bookings_kept);
  g_test_add_func ("/schema/patients-kept", test_patients_kept);
  g_test_add_func ("/schema/session-overview", test_session_overview_columns);
  g_test_add_func ("/schema/notifications", test_notifications);
  g_test_add_func ("/schema/migration-second-database", test_migration_second_database);

  return g_test_run ();
}
