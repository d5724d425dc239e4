/* test-patient-history.c: what the patient panel reads and writes
 * (api.patient_get, api.patient_history, api.patient_summary,
 * api.patient_update) against a real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <string.h>

#include "booking-test-util.h"
#include "rd-booking.h"
#include "rd-demo-data.h"
#include "rd-identity.h"
#include "rd-patients.h"

static RdDb *clerk;
static RdDb *finance;

static char *
resident_id (const char *birth,
             int         seq)
{
  g_autofree char *first17 = g_strdup_printf ("110105%s%03d", birth, seq);

  return g_strdup_printf ("%s%c", first17, rd_resident_id_check_char (first17));
}

static RdBookingResult *
book (gint64 session_id,
      gint64 patient_id)
{
  g_autoptr(GError) error = NULL;
  RdBookingResult *booked;

  booked = rd_booking_book_sync (clerk, NULL, session_id, patient_id, RD_CHANNEL_WINDOW, 0,
                                 NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (booked);

  return booked;
}

static RdAppointmentRow *
history_row (GListModel *history,
             guint       position)
{
  g_assert_cmpuint (position, <, g_list_model_get_n_items (history));

  return g_list_model_get_item (history, position);
}

static void
assert_summary (RdDb   *db,
                gint64  patient_id,
                int     appointments,
                int     upcoming,
                int     no_shows,
                int     unpaid_orders,
                gint64  unpaid_amount)
{
  g_autoptr(GError) error = NULL;
  RdPatientSummary summary = { -1, -1, -1, -1, -1 };

  g_assert_true (rd_patients_summary_sync (db, patient_id, &summary, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (summary.appointments, ==, appointments);
  g_assert_cmpint (summary.upcoming, ==, upcoming);
  g_assert_cmpint (summary.no_shows, ==, no_shows);
  g_assert_cmpint (summary.unpaid_orders, ==, unpaid_orders);
  g_assert_cmpint (summary.unpaid_amount, ==, unpaid_amount);
}

static void
test_empty (void)
{
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(GListModel) history = NULL;
  g_autoptr(GError) error = NULL;

  history = rd_patients_history_sync (clerk, patient, 50, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_list_model_get_item_type (history) == RD_TYPE_APPOINTMENT_ROW);
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 0);
  assert_summary (clerk, patient, 0, 0, 0, 0, 0);
}

typedef struct
{
  GListModel       *history;
  RdPatientSummary  summary;
  RdPatient        *patient;
  guint             pending;
} AsyncAnswers;

static void
history_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncAnswers *answers = user_data;
  g_autoptr(GError) error = NULL;

  answers->history = rd_patients_history_finish (RD_DB (object), result, &error);
  g_assert_no_error (error);
  answers->pending--;
}

static void
summary_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncAnswers *answers = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_patients_summary_finish (RD_DB (object), result, &answers->summary,
                                             &error));
  g_assert_no_error (error);
  answers->pending--;
}

static void
get_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  AsyncAnswers *answers = user_data;
  g_autoptr(GError) error = NULL;

  answers->patient = rd_patients_get_finish (RD_DB (object), result, &error);
  g_assert_no_error (error);
  answers->pending--;
}

static void
test_history (void)
{
  gint64 patient = bt_make_patient (NULL, FALSE);
  gint64 soon = bt_make_session ("1 day", 3, 0, 0, "fcfs", 2000, 0);
  gint64 later = bt_make_session ("2 days", 3, 0, 0, "fcfs", 1500, 0);
  gint64 free_one = bt_make_session ("5 days", 3, 0, 0, "fcfs", 0, 0);
  gint64 missed = bt_make_session ("3 days", 3, 0, 0, "fcfs", 1000, 0);
  g_autoptr(RdBookingResult) b_soon = book (soon, patient);
  /* Somebody else takes the later session's first slot. */
  g_autoptr(RdBookingResult) b_before = book (later, bt_make_patient (NULL, FALSE));
  g_autoptr(RdBookingResult) b_later = book (later, patient);
  g_autoptr(RdBookingResult) b_free = book (free_one, patient);
  g_autoptr(RdBookingResult) b_missed = book (missed, patient);
  g_autoptr(RdPaymentResult) paid = NULL;
  g_autoptr(RdPaymentResult) paid_missed = NULL;
  g_autoptr(RdCancelResult) cancelled = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_date = NULL;
  g_autofree char *expected_time = NULL;
  AsyncAnswers answers = { NULL, { 0 }, NULL, 3 };

  g_assert_cmpstr (b_later->status, ==, "pending_payment");
  g_assert_cmpint (b_before->slot_seq, ==, 1);
  g_assert_cmpint (b_later->slot_seq, ==, 2);
  g_assert_cmpstr (b_free->status, ==, "booked");
  paid = rd_booking_pay_cash_sync (clerk, NULL, b_soon->order_no, 2000, NULL, &error);
  g_assert_no_error (error);
  paid_missed = rd_booking_pay_cash_sync (clerk, NULL, b_missed->order_no, 1000, NULL, &error);
  g_assert_no_error (error);
  cancelled = rd_booking_cancel_sync (clerk, NULL, b_free->appointment_id, NULL, NULL, &error);
  g_assert_no_error (error);

  /* A paid appointment three days ago that nobody came to. */
  bt_exec1 (bt_owner (),
            "UPDATE regdesk.slots SET starts_at = now() - interval '3 days', "
            "ends_at = now() - interval '3 days' + interval '1 minute' "
            "WHERE id = (SELECT slot_id FROM regdesk.appointments WHERE id = $1)",
            b_missed->appointment_id);
  bt_exec1 (bt_owner (), "UPDATE regdesk.appointments SET status = 'no_show' WHERE id = $1",
            b_missed->appointment_id);

  history = rd_patients_history_sync (clerk, patient, 50, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 4);

  /* Upcoming first, soonest first; then the past, newest first (the
   * cancelled one's slot is in five days, the missed one three days ago). */
  {
    g_autoptr(RdAppointmentRow) first = history_row (history, 0);
    g_autoptr(RdAppointmentRow) second = history_row (history, 1);
    g_autoptr(RdAppointmentRow) third = history_row (history, 2);
    g_autoptr(RdAppointmentRow) fourth = history_row (history, 3);

    g_assert_cmpint (rd_appointment_row_get_id (first), ==, b_soon->appointment_id);
    g_assert_cmpint (rd_appointment_row_get_session_id (first), ==, soon);
    g_assert_true (rd_appointment_row_get_upcoming (first));
    g_assert_cmpstr (rd_appointment_row_get_status (first), ==, "booked");
    g_assert_cmpstr (rd_appointment_row_get_order_no (first), ==, b_soon->order_no);
    g_assert_cmpstr (rd_appointment_row_get_order_status (first), ==, "paid");
    g_assert_cmpint (rd_appointment_row_get_amount (first), ==, 2000);
    g_assert_cmpint (rd_appointment_row_get_order_id (first), >, 0);
    g_assert_false (rd_appointment_row_get_unpaid (first));
    g_assert_cmpstr (rd_appointment_row_get_channel (first), ==, "window");
    g_assert_nonnull (rd_appointment_row_get_department_name (first));
    g_assert_nonnull (rd_appointment_row_get_doctor_name (first));
    g_assert_nonnull (rd_appointment_row_get_doctor_title (first));
    g_assert_cmpstr (rd_appointment_row_get_clinic_type (first), ==, "general");
    g_assert_true (rd_period_from_db (rd_appointment_row_get_period (first)) >= 0);

    /* The session's date and the slot's clock time, in the hospital's zone. */
    expected_date = bt_scalar1 (bt_owner (), "SELECT regdesk.date_text(date) "
                                "FROM regdesk.sessions WHERE id = $1", soon);
    expected_time = bt_scalar1 (bt_owner (),
                                "SELECT to_char(sl.starts_at AT TIME ZONE 'Asia/Shanghai', "
                                "'HH24:MI') || '-' || to_char(sl.ends_at AT TIME ZONE "
                                "'Asia/Shanghai', 'HH24:MI') FROM regdesk.appointments a "
                                "JOIN regdesk.slots sl ON sl.id = a.slot_id WHERE a.id = $1",
                                b_soon->appointment_id);
    g_assert_cmpstr (rd_appointment_row_get_date (first), ==, expected_date);
    {
      g_autofree char *window = g_strdup_printf ("%s-%s",
                                                 rd_appointment_row_get_starts_at (first),
                                                 rd_appointment_row_get_ends_at (first));

      g_assert_cmpstr (window, ==, expected_time);
    }

    g_assert_cmpint (rd_appointment_row_get_id (second), ==, b_later->appointment_id);
    g_assert_true (rd_appointment_row_get_upcoming (second));
    g_assert_cmpstr (rd_appointment_row_get_status (second), ==, "pending_payment");
    g_assert_cmpstr (rd_appointment_row_get_order_status (second), ==, "unpaid");
    g_assert_true (rd_appointment_row_get_unpaid (second));
    g_assert_cmpint (rd_appointment_row_get_amount (second), ==, 1500);
    /* The booking's number is its slot's; the queue number waits for
     * check-in. */
    g_assert_cmpint (rd_appointment_row_get_slot_seq (first), ==, b_soon->slot_seq);
    g_assert_cmpint (rd_appointment_row_get_slot_seq (second), ==, 2);
    g_assert_cmpint (rd_appointment_row_get_queue_no (first), ==, 0);
    g_assert_cmpint (rd_appointment_row_get_queue_no (second), ==, 0);

    g_assert_cmpint (rd_appointment_row_get_id (third), ==, b_free->appointment_id);
    g_assert_false (rd_appointment_row_get_upcoming (third));
    g_assert_cmpstr (rd_appointment_row_get_status (third), ==, "cancelled");

    g_assert_cmpint (rd_appointment_row_get_id (fourth), ==, b_missed->appointment_id);
    g_assert_false (rd_appointment_row_get_upcoming (fourth));
    g_assert_cmpstr (rd_appointment_row_get_status (fourth), ==, "no_show");
    g_assert_cmpstr (rd_appointment_status_to_string ("no_show"), !=, "no_show");
  }

  /* At most max_rows, the first ones. */
  {
    g_autoptr(GListModel) two = rd_patients_history_sync (clerk, patient, 2, NULL, &error);
    g_autoptr(RdAppointmentRow) last = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (two), ==, 2);
    last = history_row (two, 1);
    g_assert_cmpint (rd_appointment_row_get_id (last), ==, b_later->appointment_id);
  }

  assert_summary (clerk, patient, 4, 2, 1, 1, 1500);
  /* Finance reads the same. */
  assert_summary (finance, patient, 4, 2, 1, 1, 1500);

  /* The same through the async calls, all queued at once. */
  rd_patients_history_async (clerk, patient, 50, NULL, history_cb, &answers);
  rd_patients_summary_async (clerk, patient, NULL, summary_cb, &answers);
  rd_patients_get_async (clerk, patient, NULL, get_cb, &answers);
  while (answers.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (answers.history), ==, 4);
  g_assert_cmpint (answers.summary.no_shows, ==, 1);
  g_assert_cmpint (answers.summary.unpaid_amount, ==, 1500);
  g_assert_cmpint (rd_patient_get_id (answers.patient), ==, patient);
  g_clear_object (&answers.history);
  g_clear_object (&answers.patient);

  /* An unpaid order whose payment window has passed is no longer owed. */
  bt_exec1 (bt_owner (), "UPDATE regdesk.orders SET expires_at = now() - interval '1 second' "
            "WHERE appointment_id = $1", b_later->appointment_id);
  assert_summary (clerk, patient, 4, 2, 1, 0, 0);
}

static void
test_get (void)
{
  g_autofree char *id = resident_id ("19620229", 45);
  g_autoptr(RdPatient) draft = NULL;
  g_autoptr(RdPatient) found = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(GError) error = NULL;
  RdPatientSummary summary;
  gint64 created, stranger;

  /* 1962 is not a leap year: this ID cannot exist. */
  g_assert_false (rd_resident_id_parse (id, NULL, NULL, NULL));
  g_free (id);
  id = resident_id ("19640229", 45);

  draft = g_object_new (RD_TYPE_PATIENT, "name", "钱多多", "sex", "M",
                        "birth-date", "1964-02-29", "id-type", "resident_id",
                        "id-number", id, "phone", "13700001111", "card-no", "GETCARD01",
                        "military", TRUE, NULL);
  created = rd_patients_create_sync (clerk, NULL, draft, NULL, &error);
  g_assert_no_error (error);

  found = rd_patients_get_sync (clerk, created, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_patient_get_id (found), ==, created);
  g_assert_cmpstr (rd_patient_get_name (found), ==, "钱多多");
  g_assert_cmpstr (rd_patient_get_pinyin (found), ==, "qdd");
  g_assert_cmpstr (rd_patient_get_sex (found), ==, "M");
  g_assert_cmpstr (rd_patient_get_birth_date (found), ==, "1964-02-29");
  g_assert_cmpstr (rd_patient_get_id_type (found), ==, "resident_id");
  g_assert_cmpstr (rd_patient_get_id_number (found), ==, id);
  g_assert_cmpstr (rd_patient_get_phone (found), ==, "13700001111");
  g_assert_cmpstr (rd_patient_get_card_no (found), ==, "GETCARD01");
  g_assert_true (rd_patient_get_military (found));
  g_assert_false (rd_patient_get_disabled (found));
  g_clear_object (&found);

  /* Finance may read a patient too. */
  found = rd_patients_get_sync (finance, created, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_patient_get_name (found), ==, "钱多多");

  /* Nobody by that id; and another hospital's patient is nobody too. */
  g_assert_null (rd_patients_get_sync (clerk, G_MAXINT32, NULL, &error));
  bt_assert_rejected (error, "RD208");
  stranger = bt_int (bt_owner (),
                     "WITH h AS (INSERT INTO regdesk.hospitals (code, name) "
                     "  VALUES ('history-other', '别的医院') RETURNING id) "
                     "INSERT INTO regdesk.patients (hospital_id, name, sex, birth_date) "
                     "SELECT id, '外院病人', 'F', date '1990-01-01' FROM h RETURNING id",
                     0, NULL);
  g_assert_null (rd_patients_get_sync (clerk, stranger, NULL, &error));
  bt_assert_rejected (error, "RD208");
  history = rd_patients_history_sync (clerk, stranger, 10, NULL, &error);
  g_assert_null (history);
  bt_assert_rejected (error, "RD208");
  g_assert_false (rd_patients_summary_sync (clerk, stranger, &summary, NULL, &error));
  bt_assert_rejected (error, "RD208");
}

static void
assert_update_refused (RdPatient  *patient,
                       const char *sqlstate)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (rd_patients_update_sync (clerk, patient, NULL, &error));
  bt_assert_rejected (error, sqlstate);
}

static void
test_update (void)
{
  g_autofree char *id = resident_id ("19800515", 62);
  g_autofree char *other_id = resident_id ("19810616", 64);
  g_autofree char *bad_id = NULL;
  g_autoptr(RdPatient) patient = NULL;
  g_autoptr(RdPatient) other = NULL;
  g_autoptr(RdPatient) edited = NULL;
  g_autoptr(RdPatient) again = NULL;
  g_autoptr(GError) error = NULL;
  gint64 created, other_created;

  patient = g_object_new (RD_TYPE_PATIENT, "name", "周一", "sex", "F",
                          "birth-date", "1980-05-15", "id-type", "resident_id",
                          "id-number", id, "phone", "13600002222", NULL);
  other = g_object_new (RD_TYPE_PATIENT, "name", "吴二", "sex", "F",
                        "birth-date", "1981-06-16", "id-type", "resident_id",
                        "id-number", other_id, NULL);
  created = rd_patients_create_sync (clerk, NULL, patient, NULL, &error);
  g_assert_no_error (error);
  other_created = rd_patients_create_sync (clerk, NULL, other, NULL, &error);
  g_assert_no_error (error);

  /* A new name and mobile; the initials follow the new name. */
  edited = rd_patients_get_sync (clerk, created, NULL, &error);
  g_assert_no_error (error);
  g_object_set (edited, "name", "郑一", "pinyin", "", "phone", "+86 136-0000-3333", NULL);
  g_assert_true (rd_patients_update_sync (clerk, edited, NULL, &error));
  g_assert_no_error (error);
  again = rd_patients_get_sync (clerk, created, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_patient_get_name (again), ==, "郑一");
  g_assert_cmpstr (rd_patient_get_pinyin (again), ==, "zy");
  g_assert_cmpstr (rd_patient_get_phone (again), ==, "13600003333");
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.audit_log "
                            "WHERE action = 'patient_update' AND entity_id = $1::text",
                            created), ==, 1);

  /* Refusals leave the row as it was. */
  g_object_set (edited, "id-number", other_id, "birth-date", "1981-06-16", NULL);
  g_assert_false (rd_patients_update_sync (clerk, edited, NULL, &error));
  g_assert_cmpint (rd_patients_error_get_duplicate_id (error), ==, other_created);
  bt_assert_rejected (error, "RD207");

  bad_id = g_strdup (id);
  bad_id[17] = bad_id[17] == '0' ? '1' : '0';
  g_object_set (edited, "id-number", bad_id, "birth-date", "1980-05-15", NULL);
  assert_update_refused (edited, "RD204");

  g_object_set (edited, "id-number", id, "sex", "M", NULL);
  assert_update_refused (edited, "RD205");

  g_object_set (edited, "sex", "F", "phone", "1360000", NULL);
  assert_update_refused (edited, "RD206");

  g_object_set (edited, "phone", NULL, "id", (gint64) G_MAXINT32, NULL);
  assert_update_refused (edited, "RD208");

  /* Finance reads patients but does not change them. */
  g_object_set (edited, "id", created, NULL);
  g_assert_false (rd_patients_update_sync (finance, edited, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION);
  g_clear_error (&error);

  g_clear_object (&again);
  again = rd_patients_get_sync (clerk, created, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_patient_get_name (again), ==, "郑一");
  g_assert_cmpstr (rd_patient_get_id_number (again), ==, id);
  g_assert_cmpstr (rd_patient_get_sex (again), ==, "F");
  g_assert_cmpstr (rd_patient_get_phone (again), ==, "13600003333");
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.audit_log "
                            "WHERE action = 'patient_update' AND entity_id = $1::text",
                            created), ==, 1);

  /* An update that changes nothing writes nothing. */
  g_assert_true (rd_patients_update_sync (clerk, again, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.audit_log "
                            "WHERE action = 'patient_update' AND entity_id = $1::text",
                            created), ==, 1);
}

/* PUBLIC may call none of the new functions: a login in no staff group is
 * refused before anything is read. */
static void
test_privileges (void)
{
  g_autoptr(RdDb) outsider = NULL;
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 patient = bt_make_patient (NULL, FALSE);
  const char *calls[] = {
    "SELECT * FROM api.patient_get($1::bigint)",
    "SELECT * FROM api.patient_history($1::bigint, 10)",
    "SELECT * FROM api.patient_summary($1::bigint)",
  };
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, patient);
  const char *params[] = { id };

  rd_db_exec_script_sync (bt_owner (),
                          "DROP ROLE IF EXISTS history_outsider;"
                          "CREATE ROLE history_outsider LOGIN PASSWORD 'outsider';"
                          "GRANT USAGE ON SCHEMA api TO history_outsider;",
                          NULL, &error);
  g_assert_no_error (error);
  outsider = rd_test_pg_connect ("history_outsider", "outsider");

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      result = rd_db_query_sync (outsider, calls[i], 1, params, NULL, &error);
      g_assert_null (result);
      g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION);
      g_test_message ("%s: %s", calls[i], error->message);
      g_clear_error (&error);
    }

  rd_db_close (outsider);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  bt_setup ();
  clerk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  finance = rd_test_pg_connect (RD_DEMO_FINANCE, RD_DEMO_PASSWORD);

  g_test_add_func ("/patient-history/empty", test_empty);
  g_test_add_func ("/patient-history/history", test_history);
  g_test_add_func ("/patient-history/get", test_get);
  g_test_add_func ("/patient-history/update", test_update);
  g_test_add_func ("/patient-history/privileges", test_privileges);

  status = g_test_run ();
  rd_db_close (clerk);
  g_clear_object (&clerk);
  rd_db_close (finance);
  g_clear_object (&finance);

  return status;
}
