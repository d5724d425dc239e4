/* test-slip.c: api.slip and rd_slips_get_*: what the registration slip
 * prints for an order, before and after payment, with the ID masked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <string.h>

#include "booking-test-util.h"
#include "rd-booking.h"
#include "rd-demo-data.h"
#include "rd-slips.h"

static RdDb *clerk;

/* A resident ID with a valid check character (female, born 1985-06-01). */
static char *
make_resident_id (guint serial)
{
  g_autofree char *first17 = g_strdup_printf ("11010119850601%03u", (serial * 2) % 1000);
  const char *params[] = { first17 };
  g_autofree char *check = bt_scalar (bt_owner (), "SELECT regdesk.gb11643_check($1)",
                                      1, params);

  return g_strconcat (first17, check, NULL);
}

static void
give_resident_id (gint64      patient_id,
                  const char *id_number)
{
  g_autofree char *pid = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
  const char *params[] = { pid, id_number };
  g_autofree char *done = NULL;

  done = bt_scalar (bt_owner (),
                    "UPDATE regdesk.patients SET id_type = 'resident_id', id_number = $2 "
                    "WHERE id = $1::bigint RETURNING id",
                    G_N_ELEMENTS (params), params);
  g_assert_cmpstr (done, ==, pid);
}

static RdBookingResult *
book (gint64 session_id,
      gint64 patient_id)
{
  g_autoptr(GError) error = NULL;
  RdBookingResult *result;

  result = rd_booking_book_sync (clerk, NULL, session_id, patient_id, RD_CHANNEL_WINDOW, 0, NULL,
                                 NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

static RdSlip *
get_slip (RdDb       *db,
          const char *order_no)
{
  g_autoptr(GError) error = NULL;
  RdSlip *slip;

  slip = rd_slips_get_sync (db, order_no, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (slip);

  return slip;
}

static void
test_slip_cash (void)
{
  gint64 session = bt_make_session ("1 day", 4, 0, 0, "fcfs", 1250, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autofree char *resident_id = make_resident_id ((guint) patient);
  g_autoptr(RdBookingResult) booked = NULL;
  g_autoptr(RdPaymentResult) paid = NULL;
  g_autoptr(RdSlip) before = NULL;
  g_autoptr(RdSlip) after = NULL;
  g_autoptr(RdSlip) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_mask = NULL;
  g_autofree char *methods = NULL;
  g_autofree char *department = NULL;
  g_autofree char *doctor = NULL;
  g_autofree char *title = NULL;
  g_autofree char *date = NULL;
  g_autofree char *period = NULL;
  g_autofree char *slot_start = NULL;
  g_autofree char *patient_name = NULL;
  g_autofree char *hospital = NULL;

  give_resident_id (patient, resident_id);
  booked = book (session, patient);

  before = get_slip (clerk, booked->order_no);
  g_assert_cmpstr (before->order_no, ==, booked->order_no);
  g_assert_cmpstr (before->order_status, ==, "unpaid");
  g_assert_cmpint (before->fee, ==, 1250);
  g_assert_cmpint (before->paid_amount, ==, 0);
  g_assert_cmpint (before->tendered, ==, -1);
  g_assert_cmpint (before->change, ==, -1);
  g_assert_cmpuint (g_strv_length (before->payment_methods), ==, 0);
  g_assert_cmpint (before->slot_seq, ==, booked->slot_seq);
  g_assert_cmpint (before->queue_no, ==, 0);
  g_assert_cmpint (rd_slip_get_number (before), ==, booked->slot_seq);

  paid = rd_booking_pay_cash_sync (clerk, NULL, booked->order_no, 2000, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (paid);

  after = get_slip (clerk, booked->order_no);
  g_assert_cmpstr (after->order_status, ==, "paid");
  g_assert_cmpint (after->fee, ==, 1250);
  g_assert_cmpint (after->paid_amount, ==, 1250);
  g_assert_cmpint (after->tendered, ==, 2000);
  g_assert_cmpint (after->change, ==, 750);
  g_assert_cmpuint (g_strv_length (after->payment_methods), ==, 1);
  g_assert_cmpstr (after->payment_methods[0], ==, "cash");
  methods = rd_slip_describe_methods (after);
  g_assert_cmpstr (methods, ==, "Cash");

  /* the first six and the last four, nothing between */
  expected_mask = g_strdup_printf ("%.6s********%s", resident_id, resident_id + 14);
  g_assert_cmpstr (after->patient_id_type, ==, "resident_id");
  g_assert_cmpstr (after->patient_id_masked, ==, expected_mask);
  g_assert_null (strstr (after->patient_id_masked, resident_id + 6));

  /* the same facts as the tables */
  patient_name = bt_scalar1 (bt_owner (), "SELECT name FROM regdesk.patients WHERE id = $1",
                             patient);
  g_assert_cmpstr (after->patient_name, ==, patient_name);
  hospital = bt_scalar1 (bt_owner (),
                         "SELECT h.name FROM regdesk.sessions s "
                         "JOIN regdesk.hospitals h ON h.id = s.hospital_id WHERE s.id = $1",
                         session);
  g_assert_cmpstr (after->hospital_name, ==, hospital);
  department = bt_scalar1 (bt_owner (),
                           "SELECT department_name FROM api.session_overview WHERE id = $1",
                           session);
  doctor = bt_scalar1 (bt_owner (),
                       "SELECT doctor_name FROM api.session_overview WHERE id = $1", session);
  title = bt_scalar1 (bt_owner (),
                      "SELECT doctor_title FROM api.session_overview WHERE id = $1", session);
  date = bt_scalar1 (bt_owner (), "SELECT date FROM api.session_overview WHERE id = $1",
                     session);
  period = bt_scalar1 (bt_owner (), "SELECT period FROM api.session_overview WHERE id = $1",
                       session);
  g_assert_cmpstr (after->department_name, ==, department);
  g_assert_cmpstr (after->doctor_name, ==, doctor);
  g_assert_cmpstr (after->doctor_title, ==, title);
  g_assert_cmpstr (after->clinic_type, ==, "general");
  g_assert_cmpstr (after->date, ==, date);
  g_assert_cmpstr (after->period, ==, period);
  slot_start = bt_scalar1 (bt_owner (),
                           "SELECT to_char(sl.starts_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI') "
                           "FROM regdesk.appointments a JOIN regdesk.slots sl "
                           "ON sl.id = a.slot_id WHERE a.id = $1",
                           booked->appointment_id);
  g_assert_cmpstr (after->starts_at, ==, slot_start);
  g_assert_nonnull (after->ends_at);
  g_assert_cmpuint (strlen (after->ends_at), ==, 5);
  g_assert_nonnull (after->printed_at);
  g_assert_cmpuint (strlen (after->printed_at), ==, strlen ("2024-06-03 08:00"));

  copy = rd_slip_copy (after);
  g_assert_cmpstr (copy->patient_id_masked, ==, after->patient_id_masked);
  g_assert_cmpstr (copy->payment_methods[0], ==, "cash");
  g_assert_cmpint (copy->change, ==, 750);
}

static void
test_slip_card_and_roles (void)
{
  gint64 session = bt_make_session ("1 day", 4, 0, 0, "fcfs", 900, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(RdBookingResult) booked = NULL;
  g_autoptr(RdPaymentResult) paid = NULL;
  g_autoptr(RdSlip) slip = NULL;
  g_autoptr(RdSlip) finance_slip = NULL;
  g_autoptr(RdDb) finance = NULL;
  g_autoptr(GError) error = NULL;

  booked = book (session, patient);
  paid = rd_booking_pay_card_sync (clerk, NULL, booked->order_no, "TRM-0042", NULL, &error);
  g_assert_no_error (error);

  slip = get_slip (clerk, booked->order_no);
  g_assert_cmpstr (slip->order_status, ==, "paid");
  g_assert_cmpint (slip->paid_amount, ==, 900);
  g_assert_cmpstr (slip->payment_methods[0], ==, "card");
  g_assert_cmpint (slip->tendered, ==, -1);
  g_assert_cmpint (slip->change, ==, -1);
  /* no document: nothing to mask, nothing printed */
  g_assert_cmpstr (slip->patient_id_type, ==, "none");
  g_assert_null (slip->patient_id_masked);

  /* finance reads slips too (reprints for a patient's claim) */
  finance = rd_test_pg_connect (RD_DEMO_FINANCE, RD_DEMO_PASSWORD);
  finance_slip = get_slip (finance, booked->order_no);
  g_assert_cmpstr (finance_slip->order_no, ==, booked->order_no);
  g_assert_cmpint (finance_slip->paid_amount, ==, 900);
}

static void
test_slip_unknown_order (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdSlip) slip = NULL;

  slip = rd_slips_get_sync (clerk, "R000000NOPE0000", NULL, &error);
  g_assert_null (slip);
  bt_assert_rejected (error, "RD501");
}

static void
test_mask_document (void)
{
  const struct
  {
    const char *number;
    const char *masked;
  } cases[] = {
    { "110101198506011244", "110101********1244" },
    { "11010119850601124X", "110101********124X" },
    { "E12345678", "E1*****78" },
    { "H1234567", "H1****67" },
    { "AB12", "****" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *params[] = { cases[i].number };
      g_autofree char *masked = bt_scalar (bt_owner (), "SELECT regdesk.mask_document($1)",
                                           1, params);

      g_assert_cmpstr (masked, ==, cases[i].masked);
    }
}

static void
on_slip (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  RdSlip **slip = user_data;
  g_autoptr(GError) error = NULL;

  *slip = rd_slips_get_finish (RD_DB (object), result, &error);
  g_assert_no_error (error);
}

static void
on_no_slip (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(RdSlip) slip = NULL;

  slip = rd_slips_get_finish (RD_DB (object), result, error);
  g_assert_null (slip);
  g_assert_nonnull (*error);
}

static void
test_slip_async (void)
{
  gint64 session = bt_make_session ("1 day", 2, 0, 0, "fcfs", 500, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(RdBookingResult) booked = NULL;
  g_autoptr(RdSlip) slip = NULL;
  g_autoptr(GError) error = NULL;

  booked = book (session, patient);
  rd_slips_get_async (clerk, booked->order_no, NULL, on_slip, &slip);
  while (slip == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (slip->order_no, ==, booked->order_no);
  g_assert_cmpstr (slip->order_status, ==, "unpaid");

  rd_slips_get_async (clerk, "R999999NOPE", NULL, on_no_slip, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  bt_assert_rejected (error, "RD501");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  bt_setup ();
  clerk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);

  g_test_add_func ("/booking/slip/cash", test_slip_cash);
  g_test_add_func ("/booking/slip/card-and-roles", test_slip_card_and_roles);
  g_test_add_func ("/booking/slip/unknown-order", test_slip_unknown_order);
  g_test_add_func ("/booking/slip/mask-document", test_mask_document);
  g_test_add_func ("/booking/slip/async", test_slip_async);

  status = g_test_run ();
  g_clear_object (&clerk);

  return status;
}
