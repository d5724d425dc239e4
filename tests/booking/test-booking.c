/* test-booking.c: api.book, payment, cancellation, check-in, priority,
 * lottery, waiting list, expiry and pool release against a real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sessions are made relative to now(); a run within two hours of midnight
 * in Asia/Shanghai may see "today" tests cross into another day.
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include "booking-test-util.h"
#include "rd-booking.h"
#include "rd-demo-data.h"

static RdDb *clerk;

static RdBookingResult *
book_ok (gint64      session_id,
         gint64      patient_id,
         RdChannel   channel,
         int         slot_seq,
         const char *reason)
{
  g_autoptr(GError) error = NULL;
  RdBookingResult *result;

  result = rd_booking_book_sync (clerk, NULL, session_id, patient_id, channel, slot_seq, reason,
                                 NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpint (result->appointment_id, >, 0);

  return result;
}

static GError *
book_refused (gint64      session_id,
              gint64      patient_id,
              RdChannel   channel,
              int         slot_seq,
              const char *reason)
{
  g_autoptr(RdBookingResult) result = NULL;
  GError *error = NULL;

  result = rd_booking_book_sync (clerk, NULL, session_id, patient_id, channel, slot_seq, reason,
                                 NULL, &error);
  g_assert_null (result);
  g_assert_nonnull (error);

  return error;
}

static char *
appointment_status (gint64 appointment_id)
{
  return bt_scalar1 (bt_owner (), "SELECT status FROM regdesk.appointments WHERE id = $1",
                     appointment_id);
}

static char *
slot_status (gint64 appointment_id)
{
  return bt_scalar1 (bt_owner (),
                     "SELECT sl.status FROM regdesk.appointments a "
                     "JOIN regdesk.slots sl ON sl.id = a.slot_id WHERE a.id = $1",
                     appointment_id);
}

static void
test_book_and_pay (void)
{
  gint64 session = bt_make_session ("1 day", 3, 1, 1, "fcfs", 1500, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(RdBookingResult) booked = NULL;
  g_autoptr(RdPaymentResult) paid = NULL;
  g_autoptr(RdPaymentResult) again = NULL;
  g_autofree char *status = NULL;
  g_autofree char *slot = NULL;
  g_autoptr(GError) error = NULL;

  booked = book_ok (session, patient, RD_CHANNEL_WINDOW, 0, NULL);
  g_assert_cmpint (booked->slot_seq, ==, 1);
  g_assert_cmpstr (booked->status, ==, "pending_payment");
  g_assert_true (g_str_has_prefix (booked->order_no, "R"));
  slot = slot_status (booked->appointment_id);
  g_assert_cmpstr (slot, ==, "held");
  g_clear_pointer (&slot, g_free);

  /* The same transaction wrote the order, the SMS and the audit row. */
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT amount FROM regdesk.orders "
                            "WHERE appointment_id = $1 AND status = 'unpaid'",
                            booked->appointment_id), ==, 1500);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.sms_outbox "
                            "WHERE dedup_key = 'booking_confirmed:' || $1::text",
                            booked->appointment_id), ==, 1);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.audit_log "
                            "WHERE action = 'book' AND entity_id = $1::text "
                            "AND login = 'demo_clerk'", booked->appointment_id), ==, 1);

  /* Cash: too little is refused, enough gives change. */
  paid = rd_booking_pay_cash_sync (clerk, NULL, booked->order_no, 1000, NULL, &error);
  g_assert_null (paid);
  bt_assert_rejected (error, "RD504");
  paid = rd_booking_pay_cash_sync (clerk, "pay-1", booked->order_no, 2000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (paid->amount, ==, 1500);
  g_assert_cmpint (paid->change, ==, 500);
  again = rd_booking_pay_cash_sync (clerk, "pay-1", booked->order_no, 2000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->payment_id, ==, paid->payment_id);
  g_clear_pointer (&again, rd_payment_result_free);

  status = appointment_status (booked->appointment_id);
  g_assert_cmpstr (status, ==, "booked");
  slot = slot_status (booked->appointment_id);
  g_assert_cmpstr (slot, ==, "paid");

  /* Paid once is paid: another request, either method, is refused. */
  again = rd_booking_pay_card_sync (clerk, NULL, booked->order_no, "POS123", NULL, &error);
  g_assert_null (again);
  bt_assert_rejected (error, "RD502");
  again = rd_booking_pay_cash_sync (clerk, NULL, "R000000NOSUCH", 2000, NULL, &error);
  g_assert_null (again);
  bt_assert_rejected (error, "RD501");
  /* The request id of a payment cannot pay another order. */
  again = rd_booking_pay_cash_sync (clerk, "pay-1", "R000000NOSUCH", 2000, NULL, &error);
  g_assert_null (again);
  bt_assert_rejected (error, "RD309");
}

static void
test_pay_card_and_free (void)
{
  gint64 session = bt_make_session ("1 day", 2, 0, 0, "fcfs", 1500, 0);
  gint64 free_session = bt_make_session ("1 day", 1, 0, 0, "fcfs", 0, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(RdBookingResult) booked = NULL;
  g_autoptr(RdBookingResult) free_booking = NULL;
  g_autoptr(RdPaymentResult) paid = NULL;
  g_autofree char *method = NULL;
  g_autoptr(GError) error = NULL;

  booked = book_ok (session, patient, RD_CHANNEL_WINDOW, 0, NULL);
  paid = rd_booking_pay_card_sync (clerk, NULL, booked->order_no, "  ", NULL, &error);
  g_assert_null (paid);
  bt_assert_rejected (error, "RD505");
  paid = rd_booking_pay_card_sync (clerk, NULL, booked->order_no, "POS-778899", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (paid->change, ==, 0);
  method = bt_scalar1 (bt_owner (), "SELECT method || '/' || card_reference "
                       "FROM regdesk.payments WHERE id = $1", paid->payment_id);
  g_assert_cmpstr (method, ==, "card/POS-778899");

  /* Nothing to pay: booked and paid at once. */
  free_booking = book_ok (free_session, patient, RD_CHANNEL_WINDOW, 0, NULL);
  g_assert_cmpstr (free_booking->status, ==, "booked");
}

static void
test_idempotent (void)
{
  gint64 session = bt_make_session ("1 day", 5, 0, 0, "fcfs", 1500, 0);
  gint64 other = bt_make_session ("1 day", 5, 0, 0, "fcfs", 1500, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(RdBookingResult) first = NULL;
  g_autoptr(RdBookingResult) second = NULL;
  g_autoptr(GError) error = NULL;

  first = rd_booking_book_sync (clerk, "idem-1", session, patient, RD_CHANNEL_WINDOW, 0, NULL,
                                NULL, &error);
  g_assert_no_error (error);
  second = rd_booking_book_sync (clerk, "idem-1", session, patient, RD_CHANNEL_WINDOW, 0, NULL,
                                 NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first->appointment_id, ==, second->appointment_id);
  g_assert_cmpstr (first->order_no, ==, second->order_no);
  g_assert_cmpint (first->slot_seq, ==, second->slot_seq);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.appointments "
                            "WHERE session_id = $1", session), ==, 1);
  g_clear_pointer (&second, rd_booking_result_free);

  second = rd_booking_book_sync (clerk, "idem-1", other, patient, RD_CHANNEL_WINDOW, 0, NULL,
                                 NULL, &error);
  g_assert_null (second);
  bt_assert_rejected (error, "RD309");
}

typedef struct
{
  RdBookingResult *result;
  GError          *error;
  guint           *pending;
} Concurrent;

static void
concurrent_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Concurrent *c = user_data;

  c->result = rd_booking_book_finish (RD_DB (object), result, &c->error);
  (*c->pending)--;
}

static void
test_idempotent_concurrent (void)
{
  gint64 session = bt_make_session ("1 day", 5, 0, 0, "fcfs", 1500, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(RdDb) second_clerk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autofree char *request = g_uuid_string_random ();
  Concurrent a = { 0 }, b = { 0 };
  guint pending = 2;

  a.pending = b.pending = &pending;
  /* Both connections send at once; the second waits for the first's
   * request lock and then returns its booking. */
  rd_booking_book_async (clerk, request, session, patient, RD_CHANNEL_WINDOW, 0, NULL, NULL,
                         concurrent_cb, &a);
  rd_booking_book_async (second_clerk, request, session, patient, RD_CHANNEL_WINDOW, 0, NULL,
                         NULL, concurrent_cb, &b);
  while (pending > 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (a.error);
  g_assert_no_error (b.error);
  g_assert_cmpint (a.result->appointment_id, ==, b.result->appointment_id);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.appointments "
                            "WHERE session_id = $1", session), ==, 1);
  rd_booking_result_free (a.result);
  rd_booking_result_free (b.result);
}

static void
test_quota (void)
{
  gint64 session = bt_make_session ("1 day", 2, 1, 1, "fcfs", 1500, 0);
  g_autoptr(GError) error = NULL;
  RdChannel channels[] = { RD_CHANNEL_WINDOW, RD_CHANNEL_WINDOW, RD_CHANNEL_ONLINE,
                           RD_CHANNEL_PHONE };

  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    {
      g_autoptr(RdBookingResult) r = book_ok (session, bt_make_patient (NULL, FALSE),
                                              channels[i], 0, NULL);

      g_assert_cmpint (r->slot_seq, ==, i + 1);
    }

  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, NULL);
  bt_assert_rejected (error, "RD305");
  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_ONLINE, 0, NULL);
  bt_assert_rejected (error, "RD305");
  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_PHONE, 0, NULL);
  bt_assert_rejected (error, "RD305");
}

static void
test_chosen_slot (void)
{
  gint64 session = bt_make_session ("1 day", 3, 2, 0, "fcfs", 1500, 0);
  g_autoptr(RdBookingResult) r = NULL;
  g_autoptr(GError) error = NULL;

  r = book_ok (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 3, NULL);
  g_assert_cmpint (r->slot_seq, ==, 3);
  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 3, NULL);
  bt_assert_rejected (error, "RD306");
  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 4, NULL);
  bt_assert_rejected (error, "RD306");
  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 99, NULL);
  bt_assert_rejected (error, "RD306");
}

static void
test_session_refusals (void)
{
  gint64 over = bt_make_session ("-3 hours", 2, 0, 0, "fcfs", 1500, 0);
  gint64 suspended = bt_make_session ("1 day", 2, 0, 0, "fcfs", 1500, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(RdBookingResult) r = NULL;
  g_autoptr(RdDb) finance = rd_test_pg_connect (RD_DEMO_FINANCE, RD_DEMO_PASSWORD);
  g_autoptr(GError) error = NULL;

  error = book_refused (over, patient, RD_CHANNEL_WINDOW, 0, NULL);
  bt_assert_rejected (error, "RD303");

  bt_exec1 (bt_owner (), "UPDATE regdesk.sessions SET status = 'suspended', "
            "suspended_reason = 'test' WHERE id = $1", suspended);
  error = book_refused (suspended, patient, RD_CHANNEL_WINDOW, 0, NULL);
  bt_assert_rejected (error, "RD302");
  bt_exec1 (bt_owner (), "UPDATE regdesk.sessions SET status = 'closed' WHERE id = $1",
            suspended);
  error = book_refused (suspended, patient, RD_CHANNEL_WINDOW, 0, NULL);
  bt_assert_rejected (error, "RD302");

  error = book_refused (G_MAXINT32, patient, RD_CHANNEL_WINDOW, 0, NULL);
  bt_assert_rejected (error, "RD301");

  {
    gint64 open = bt_make_session ("1 day", 2, 0, 0, "fcfs", 1500, 0);

    error = book_refused (open, G_MAXINT32, RD_CHANNEL_WINDOW, 0, NULL);
    bt_assert_rejected (error, "RD208");
    /* Finance staff take no bookings. */
    r = rd_booking_book_sync (finance, NULL, open, patient, RD_CHANNEL_WINDOW, 0, NULL, NULL,
                              &error);
    g_assert_null (r);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION);
    g_clear_error (&error);
  }
}

static void
test_bad_channel_and_request (void)
{
  gint64 session = bt_make_session ("1 day", 2, 0, 0, "fcfs", 1500, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autofree char *s = g_strdup_printf ("%" G_GINT64_FORMAT, session);
  g_autofree char *p = g_strdup_printf ("%" G_GINT64_FORMAT, patient);
  const char *bad_channel[] = { "x-1", s, p, "fax" };
  const char *no_request[] = { "", s, p, "window" };
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (clerk, "SELECT * FROM api.book($1, $2, $3, $4)", 4, bad_channel,
                             NULL, &error);
  g_assert_null (result);
  bt_assert_rejected (error, "RD304");
  result = rd_db_query_sync (clerk, "SELECT * FROM api.book($1, $2, $3, $4)", 4, no_request,
                             NULL, &error);
  g_assert_null (result);
  bt_assert_rejected (error, "RD309");
}

static void
test_one_per_doctor_per_day (void)
{
  gint64 first = bt_make_session ("1 day", 3, 0, 0, "fcfs", 1500, 0);
  gint64 doctor = bt_int1 (bt_owner (), "SELECT doctor_id FROM regdesk.sessions WHERE id = $1",
                           first);
  /* The same day, another period of the same doctor (not "ten minutes
   * later", which is the next day when the test runs just before midnight
   * in Shanghai). */
  gint64 second = bt_make_session ("1 day", 3, 0, 0, "fcfs", 1500, doctor);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(RdBookingResult) r = NULL;
  g_autoptr(RdBookingResult) later = NULL;
  g_autoptr(RdCancelResult) cancelled = NULL;
  g_autoptr(GError) error = NULL;

  r = book_ok (first, patient, RD_CHANNEL_WINDOW, 0, NULL);
  error = book_refused (first, patient, RD_CHANNEL_WINDOW, 0, NULL);
  bt_assert_rejected (error, "RD307");
  error = book_refused (second, patient, RD_CHANNEL_WINDOW, 0, NULL);
  bt_assert_rejected (error, "RD307");

  /* Cancelled, the rule no longer applies. */
  cancelled = rd_booking_cancel_sync (clerk, NULL, r->appointment_id, NULL, NULL, &error);
  g_assert_no_error (error);
  later = book_ok (second, patient, RD_CHANNEL_WINDOW, 0, NULL);
}

static void
test_daily_maximum (void)
{
  gint64 patient = bt_make_patient (NULL, FALSE);
  gint64 sessions[3];
  g_autoptr(GError) error = NULL;

  bt_exec1 (bt_owner (), "UPDATE regdesk.hospitals SET settings = settings || "
            "jsonb_build_object('max_bookings_per_patient_per_day', $1::int)", 2);
  for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
    sessions[i] = bt_make_session ("2 days", 2, 0, 0, "fcfs", 1500, 0);

  for (guint i = 0; i < 2; i++)
    rd_booking_result_free (book_ok (sessions[i], patient, RD_CHANNEL_WINDOW, 0, NULL));
  error = book_refused (sessions[2], patient, RD_CHANNEL_WINDOW, 0, NULL);
  bt_assert_rejected (error, "RD308");

  bt_exec1 (bt_owner (), "UPDATE regdesk.hospitals SET settings = settings || "
            "jsonb_build_object('max_bookings_per_patient_per_day', $1::int)", 3);
  rd_booking_result_free (book_ok (sessions[2], patient, RD_CHANNEL_WINDOW, 0, NULL));
}

static void
test_cancel_and_refund (void)
{
  gint64 session = bt_make_session ("1 day", 2, 0, 0, "fcfs", 1500, 0);
  gint64 soon = bt_make_session ("10 minutes", 2, 0, 0, "fcfs", 1500, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(RdBookingResult) r = NULL;
  g_autoptr(RdBookingResult) unpaid = NULL;
  g_autoptr(RdBookingResult) late = NULL;
  g_autoptr(RdPaymentResult) paid = NULL;
  g_autoptr(RdCancelResult) c = NULL;
  g_autoptr(RdCancelResult) again = NULL;
  g_autofree char *status = NULL;
  g_autofree char *slot = NULL;
  g_autoptr(GError) error = NULL;

  r = book_ok (session, patient, RD_CHANNEL_WINDOW, 0, NULL);
  paid = rd_booking_pay_cash_sync (clerk, NULL, r->order_no, 1500, NULL, &error);
  g_assert_no_error (error);

  c = rd_booking_cancel_sync (clerk, "cancel-1", r->appointment_id, "行程变更", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->order_status, ==, "refunded");
  g_assert_cmpint (c->refunded_amount, ==, 1500);
  g_assert_cmpint (c->waitlist_appointment_id, ==, 0);
  status = appointment_status (r->appointment_id);
  g_assert_cmpstr (status, ==, "cancelled");
  slot = slot_status (r->appointment_id);
  g_assert_cmpstr (slot, ==, "free");
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.refunds "
                            "WHERE payment_id = $1 AND status = 'succeeded' AND amount = 1500",
                            paid->payment_id), ==, 1);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.sms_outbox "
                            "WHERE dedup_key = 'refund_done:' || $1::text",
                            r->appointment_id), ==, 1);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.audit_log "
                            "WHERE action = 'cancel' AND entity_id = $1::text",
                            r->appointment_id), ==, 1);

  /* Retried: the same answer, one refund. Another request: refused. */
  again = rd_booking_cancel_sync (clerk, "cancel-1", r->appointment_id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->refunded_amount, ==, 1500);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.refunds "
                            "WHERE payment_id = $1", paid->payment_id), ==, 1);
  g_clear_pointer (&again, rd_cancel_result_free);
  again = rd_booking_cancel_sync (clerk, NULL, r->appointment_id, NULL, NULL, &error);
  g_assert_null (again);
  bt_assert_rejected (error, "RD402");

  /* Unpaid: the order is closed, nothing refunded; paying it is refused. */
  unpaid = book_ok (session, patient, RD_CHANNEL_WINDOW, 0, NULL);
  g_assert_cmpint (unpaid->slot_seq, ==, 1);
  again = rd_booking_cancel_sync (clerk, NULL, unpaid->appointment_id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->order_status, ==, "closed");
  g_assert_cmpint (again->refunded_amount, ==, 0);
  g_clear_pointer (&paid, rd_payment_result_free);
  paid = rd_booking_pay_cash_sync (clerk, NULL, unpaid->order_no, 2000, NULL, &error);
  g_assert_null (paid);
  bt_assert_rejected (error, "RD503");
  g_clear_pointer (&again, rd_cancel_result_free);

  /* Too close to the start. */
  late = book_ok (soon, patient, RD_CHANNEL_WINDOW, 0, NULL);
  again = rd_booking_cancel_sync (clerk, NULL, late->appointment_id, NULL, NULL, &error);
  g_assert_null (again);
  bt_assert_rejected (error, "RD403");
  again = rd_booking_cancel_sync (clerk, NULL, G_MAXINT32, NULL, NULL, &error);
  g_assert_null (again);
  bt_assert_rejected (error, "RD401");
}

static void
test_expiry (void)
{
  gint64 session = bt_make_session ("1 day", 1, 0, 0, "fcfs", 1500, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  gint64 next = bt_make_patient (NULL, FALSE);
  g_autoptr(RdBookingResult) r = NULL;
  g_autoptr(RdBookingResult) taken = NULL;
  g_autoptr(RdPaymentResult) paid = NULL;
  g_autofree char *status = NULL;
  g_autofree char *order = NULL;
  g_autoptr(GError) error = NULL;

  r = book_ok (session, patient, RD_CHANNEL_WINDOW, 0, NULL);
  error = book_refused (session, next, RD_CHANNEL_WINDOW, 0, NULL);
  bt_assert_rejected (error, "RD305");

  /* The payment window passes (the owner moves it into the past). */
  bt_exec1 (bt_owner (), "UPDATE regdesk.slots SET held_until = now() - interval '1 minute' "
            "WHERE id = (SELECT slot_id FROM regdesk.appointments WHERE id = $1)",
            r->appointment_id);
  bt_exec1 (bt_owner (), "UPDATE regdesk.orders SET expires_at = now() - interval '1 minute' "
            "WHERE appointment_id = $1", r->appointment_id);
  paid = rd_booking_pay_cash_sync (clerk, NULL, r->order_no, 2000, NULL, &error);
  g_assert_null (paid);
  bt_assert_rejected (error, "RD503");

  /* The next booking of the session expires it lazily and takes the slot. */
  taken = book_ok (session, next, RD_CHANNEL_WINDOW, 0, NULL);
  g_assert_cmpint (taken->slot_seq, ==, 1);
  status = appointment_status (r->appointment_id);
  g_assert_cmpstr (status, ==, "expired");
  order = bt_scalar1 (bt_owner (), "SELECT status FROM regdesk.orders WHERE appointment_id = $1",
                      r->appointment_id);
  g_assert_cmpstr (order, ==, "closed");
}

static void
test_expiry_by_maintenance (void)
{
  gint64 session = bt_make_session ("1 day", 2, 0, 0, "fcfs", 1500, 0);
  g_autoptr(RdBookingResult) r = book_ok (session, bt_make_patient (NULL, FALSE),
                                          RD_CHANNEL_WINDOW, 0, NULL);
  g_autofree char *status = NULL;
  g_autofree char *slot = NULL;

  bt_exec1 (bt_owner (), "UPDATE regdesk.slots SET held_until = now() - interval '1 minute' "
            "WHERE id = (SELECT slot_id FROM regdesk.appointments WHERE id = $1)",
            r->appointment_id);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT (regdesk.run_maintenance() ->> 'expired')::int "
                            "+ 0 * $1", 0), >=, 1);
  status = appointment_status (r->appointment_id);
  g_assert_cmpstr (status, ==, "expired");
  slot = slot_status (r->appointment_id);
  g_assert_cmpstr (slot, ==, "free");
}

static void
test_pool_release (void)
{
  /* Starts in an hour: the online and phone pools closed an hour ago. */
  gint64 session = bt_make_session ("1 hour", 1, 2, 1, "fcfs", 1500, 0);
  gint64 later = bt_make_session ("1 day", 1, 2, 0, "fcfs", 1500, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdBookingResult) r = NULL;

  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_ONLINE, 0, NULL);
  bt_assert_rejected (error, "RD312");
  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_PHONE, 0, NULL);
  bt_assert_rejected (error, "RD312");

  /* The window gets its own slot, then the released ones. */
  for (int seq = 1; seq <= 4; seq++)
    {
      r = book_ok (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, NULL);
      g_assert_cmpint (r->slot_seq, ==, seq);
      g_clear_pointer (&r, rd_booking_result_free);
    }
  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, NULL);
  bt_assert_rejected (error, "RD305");
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.audit_log "
                            "WHERE action = 'release_pools' AND entity_id = $1::text",
                            session), ==, 1);

  /* The maintenance job releases too. */
  bt_exec1 (bt_owner (), "UPDATE regdesk.sessions SET online_cutoff_at = now() "
            "- interval '1 minute' WHERE id = $1", later);
  bt_exec1 (bt_owner (), "SELECT regdesk.run_maintenance(), $1", 0);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.slots WHERE "
                            "session_id = $1 AND channel = 'window'", later), ==, 3);
}

static void
test_priority (void)
{
  /* Window pool of 5: the first (20 %, rounded up) is held for priority
   * patients until an hour before the start. */
  gint64 session = bt_make_session ("1 day", 5, 0, 0, "priority", 1500, 0);
  gint64 near = bt_make_session ("30 minutes", 5, 0, 0, "priority", 1500, 0);
  gint64 elderly = bt_make_patient ("1940-01-01", FALSE);
  gint64 disabled = bt_make_patient (NULL, TRUE);
  g_autoptr(RdBookingResult) r = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GError) error = NULL;

  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 1, NULL);
  bt_assert_rejected (error, "RD314");
  for (int seq = 2; seq <= 4; seq++)
    {
      r = book_ok (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, NULL);
      g_assert_cmpint (r->slot_seq, ==, seq);
      g_clear_pointer (&r, rd_booking_result_free);
    }

  /* Priority patients take the earliest slot: the held one first. */
  r = book_ok (session, elderly, RD_CHANNEL_WINDOW, 0, NULL);
  g_assert_cmpint (r->slot_seq, ==, 1);
  reason = bt_scalar1 (bt_owner (), "SELECT priority_reason FROM regdesk.appointments "
                       "WHERE id = $1", r->appointment_id);
  g_assert_cmpstr (reason, ==, "elderly");
  g_clear_pointer (&r, rd_booking_result_free);
  r = book_ok (session, disabled, RD_CHANNEL_WINDOW, 0, NULL);
  g_assert_cmpint (r->slot_seq, ==, 5);
  g_clear_pointer (&r, rd_booking_result_free);

  /* A claimed reason the patient does not meet. */
  error = book_refused (near, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, "disabled");
  bt_assert_rejected (error, "RD310");
  error = book_refused (near, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, "elderly");
  bt_assert_rejected (error, "RD310");
  error = book_refused (near, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, "vip");
  bt_assert_rejected (error, "RD310");

  /* The hold is over within the hour before the start: anybody books. */
  r = book_ok (near, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, NULL);
  g_assert_cmpint (r->slot_seq, ==, 1);
  g_clear_pointer (&r, rd_booking_result_free);

  /* Everything but the held slot gone: others are told why; urgent (the
   * clerk's call) gets the held slot. */
  {
    gint64 full = bt_make_session ("1 day", 2, 0, 0, "priority", 1500, 0);

    r = book_ok (full, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, NULL);
    g_assert_cmpint (r->slot_seq, ==, 2);
    g_clear_pointer (&r, rd_booking_result_free);
    error = book_refused (full, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, NULL);
    bt_assert_rejected (error, "RD314");
    r = book_ok (full, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, "urgent");
    g_assert_cmpint (r->slot_seq, ==, 1);
  }
}

static void
test_check_in_and_no_show (void)
{
  gint64 session = bt_make_session ("-30 minutes", 4, 0, 0, "fcfs", 1500, 0);
  gint64 tomorrow = bt_make_session ("1 day", 2, 0, 0, "fcfs", 0, 0);
  g_autoptr(RdBookingResult) a = book_ok (session, bt_make_patient (NULL, FALSE),
                                          RD_CHANNEL_WINDOW, 0, NULL);
  g_autoptr(RdBookingResult) b = book_ok (session, bt_make_patient (NULL, FALSE),
                                          RD_CHANNEL_WINDOW, 0, NULL);
  g_autoptr(RdBookingResult) c = book_ok (session, bt_make_patient (NULL, FALSE),
                                          RD_CHANNEL_WINDOW, 0, NULL);
  g_autoptr(RdBookingResult) t = book_ok (tomorrow, bt_make_patient (NULL, FALSE),
                                          RD_CHANNEL_WINDOW, 0, NULL);
  RdBookingResult *paid[] = { a, b, c };
  g_autoptr(RdCancelResult) cancelled = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (rd_booking_check_in_sync (clerk, a->appointment_id, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD601");
  for (guint i = 0; i < G_N_ELEMENTS (paid); i++)
    rd_payment_result_free (rd_booking_pay_cash_sync (clerk, NULL, paid[i]->order_no, 1500,
                                                      NULL, &error));
  g_assert_no_error (error);

  /* Numbers in check-in order, not slot order; twice is the same number. */
  g_assert_cmpint (rd_booking_check_in_sync (clerk, b->appointment_id, NULL, &error), ==, 1);
  g_assert_cmpint (rd_booking_check_in_sync (clerk, a->appointment_id, NULL, &error), ==, 2);
  g_assert_cmpint (rd_booking_check_in_sync (clerk, b->appointment_id, NULL, &error), ==, 1);
  g_assert_no_error (error);
  status = slot_status (a->appointment_id);
  g_assert_cmpstr (status, ==, "checked_in");
  g_clear_pointer (&status, g_free);

  g_assert_cmpint (rd_booking_check_in_sync (clerk, t->appointment_id, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD603");
  cancelled = rd_booking_cancel_sync (clerk, NULL, t->appointment_id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_booking_check_in_sync (clerk, t->appointment_id, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD602");
  g_assert_cmpint (rd_booking_check_in_sync (clerk, G_MAXINT32, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD401");

  /* The session ends: check-in refused, the one who never came is a no-show.
   * A minute ago, unless that was yesterday (the session then started at
   * midnight): now, which is still after its start. */
  bt_exec1 (bt_owner (), "UPDATE regdesk.sessions SET ends_at = "
            "CASE WHEN ((now() - interval '1 minute') AT TIME ZONE 'Asia/Shanghai')::date = date "
            "     THEN ((now() - interval '1 minute') AT TIME ZONE 'Asia/Shanghai')::time "
            "     ELSE (now() AT TIME ZONE 'Asia/Shanghai')::time END "
            "WHERE id = $1", session);
  g_assert_cmpint (rd_booking_check_in_sync (clerk, c->appointment_id, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD604");
  bt_exec1 (bt_owner (), "SELECT regdesk.mark_no_shows(), $1", 0);
  status = appointment_status (c->appointment_id);
  g_assert_cmpstr (status, ==, "no_show");
  g_clear_pointer (&status, g_free);
  status = slot_status (c->appointment_id);
  g_assert_cmpstr (status, ==, "no_show");
  g_clear_pointer (&status, g_free);
  status = appointment_status (a->appointment_id);
  g_assert_cmpstr (status, ==, "checked_in");
}

static void
test_waitlist (void)
{
  gint64 session = bt_make_session ("1 day", 1, 0, 0, "fcfs", 1500, 0);
  gint64 first = bt_make_patient (NULL, FALSE);
  gint64 waiting = bt_make_patient (NULL, FALSE);
  gint64 third = bt_make_patient (NULL, FALSE);
  g_autoptr(RdBookingResult) r = NULL;
  g_autoptr(RdCancelResult) c = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GError) error = NULL;
  gint64 entry, entry3;

  g_assert_cmpint (rd_booking_waitlist_join_sync (clerk, NULL, session, waiting,
                                                  RD_CHANNEL_WINDOW, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD801");

  r = book_ok (session, first, RD_CHANNEL_WINDOW, 0, NULL);
  entry = rd_booking_waitlist_join_sync (clerk, "wait-1", session, waiting, RD_CHANNEL_WINDOW,
                                         NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry, >, 0);
  g_assert_cmpint (rd_booking_waitlist_join_sync (clerk, "wait-1", session, waiting,
                                                  RD_CHANNEL_WINDOW, NULL, &error), ==, entry);
  g_assert_cmpint (rd_booking_waitlist_join_sync (clerk, NULL, session, waiting,
                                                  RD_CHANNEL_WINDOW, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD802");
  g_assert_cmpint (rd_booking_waitlist_join_sync (clerk, NULL, session, first,
                                                  RD_CHANNEL_WINDOW, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD307");
  entry3 = rd_booking_waitlist_join_sync (clerk, NULL, session, third, RD_CHANNEL_WINDOW, NULL,
                                          &error);
  g_assert_no_error (error);

  /* Cancelled: the oldest waiting patient gets the slot and a text. */
  c = rd_booking_cancel_sync (clerk, NULL, r->appointment_id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->waitlist_appointment_id, >, 0);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT patient_id FROM regdesk.appointments "
                            "WHERE id = $1 AND status = 'pending_payment'",
                            c->waitlist_appointment_id), ==, waiting);
  status = bt_scalar1 (bt_owner (), "SELECT status FROM regdesk.waitlist WHERE id = $1", entry);
  g_assert_cmpstr (status, ==, "granted");
  g_clear_pointer (&status, g_free);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.sms_outbox "
                            "WHERE dedup_key = 'waitlist_granted:' || $1::text",
                            c->waitlist_appointment_id), ==, 1);

  /* Expiry releases too: the next in line gets it. */
  bt_exec1 (bt_owner (), "UPDATE regdesk.slots SET held_until = now() - interval '1 minute' "
            "WHERE id = (SELECT slot_id FROM regdesk.appointments WHERE id = $1)",
            c->waitlist_appointment_id);
  bt_exec1 (bt_owner (), "SELECT regdesk.run_maintenance(), $1", 0);
  status = bt_scalar1 (bt_owner (), "SELECT status FROM regdesk.waitlist WHERE id = $1", entry3);
  g_assert_cmpstr (status, ==, "granted");
  g_clear_pointer (&status, g_free);
  status = appointment_status (c->waitlist_appointment_id);
  g_assert_cmpstr (status, ==, "expired");
}

static void
test_lottery (void)
{
  /* Online pool 2, phone pool 1; the draw a day before the start. */
  gint64 session = bt_make_session ("2 days", 1, 2, 1, "lottery", 1500, 0);
  g_autoptr(RdDb) manager = rd_test_pg_connect (RD_DEMO_MANAGER, RD_DEMO_PASSWORD);
  g_autoptr(RdBookingResult) r = NULL;
  g_autofree char *drawn = NULL;
  g_autofree char *again = NULL;
  g_autofree char *preview = NULL;
  g_autofree char *seed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 patients[6];
  gint64 request;
  gint64 fcfs;

  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_ONLINE, 0, NULL);
  bt_assert_rejected (error, "RD313");
  r = book_ok (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_WINDOW, 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (patients); i++)
    {
      patients[i] = bt_make_patient (NULL, FALSE);
      request = rd_booking_lottery_request_sync (clerk, NULL, session, patients[i],
                                                 i % 3 == 2 ? RD_CHANNEL_PHONE
                                                            : RD_CHANNEL_ONLINE,
                                                 NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (request, >, 0);
    }
  g_assert_cmpint (rd_booking_lottery_request_sync (clerk, NULL, session, patients[0],
                                                    RD_CHANNEL_ONLINE, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD704");
  g_assert_cmpint (rd_booking_lottery_request_sync (clerk, NULL, session, patients[0],
                                                    RD_CHANNEL_WINDOW, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD703");
  fcfs = bt_make_session ("1 day", 1, 0, 0, "fcfs", 1500, 0);
  g_assert_cmpint (rd_booking_lottery_request_sync (clerk, NULL, fcfs, patients[0],
                                                    RD_CHANNEL_ONLINE, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD701");

  {
    g_autoptr(RdResult) rows = NULL;
    g_autofree char *sid = g_strdup_printf ("%" G_GINT64_FORMAT, session);
    const char *params[] = { sid };

    rows = rd_db_query_sync (manager, "SELECT * FROM regdesk.lottery_draw($1)", 1, params,
                             NULL, &error);
    g_assert_null (rows);
    bt_assert_rejected (error, "RD705");
    rows = rd_db_query_sync (clerk, "SELECT * FROM api.lottery_preview($1)", 1, params, NULL,
                             &error);
    g_assert_null (rows);
    bt_assert_rejected (error, "RD706");
  }

  /* Draw time comes: no more requests; the draw books the winners. */
  bt_exec1 (bt_owner (), "UPDATE regdesk.sessions SET lottery_draw_at = now() "
            "- interval '1 minute' WHERE id = $1", session);
  g_assert_cmpint (rd_booking_lottery_request_sync (clerk, NULL, session,
                                                    bt_make_patient (NULL, FALSE),
                                                    RD_CHANNEL_ONLINE, NULL, &error), ==, 0);
  bt_assert_rejected (error, "RD702");

  {
    const char *draw_sql =
      "SELECT string_agg(format('%s:%s:%s:%s', rank, patient_id, channel, status), ' ' "
      "ORDER BY rank) FROM regdesk.lottery_draw($1)";
    g_autofree char *sid = g_strdup_printf ("%" G_GINT64_FORMAT, session);
    const char *params[] = { sid };

    drawn = bt_scalar (manager, draw_sql, 1, params);
    again = bt_scalar (manager, draw_sql, 1, params);
    g_test_message ("draw: %s", drawn);
    g_assert_cmpstr (drawn, ==, again);
    preview = bt_scalar (clerk, "SELECT string_agg(format('%s:%s:%s', rank, patient_id, "
                         "channel), ' ' ORDER BY rank) FROM api.lottery_preview($1)", 1, params);
    seed = bt_scalar1 (bt_owner (), "SELECT lottery_seed FROM regdesk.sessions WHERE id = $1",
                       session);
    g_assert_nonnull (seed);
  }

  /* Preview recomputes the recorded ranks from the stored seed. */
  g_assert_cmpint (bt_int1 (bt_owner (),
                            "SELECT count(*) FROM regdesk.lottery_requests q "
                            "JOIN regdesk.lottery_order($1, (SELECT lottery_seed FROM "
                            "regdesk.sessions WHERE id = $1)) o "
                            "ON o.lottery_request_id = q.id WHERE q.drawn_rank = o.rank",
                            session), ==, G_N_ELEMENTS (patients));
  {
    g_auto(GStrv) d = g_strsplit (drawn, " ", -1);
    g_auto(GStrv) p = g_strsplit (preview, " ", -1);

    g_assert_cmpuint (g_strv_length (d), ==, G_N_ELEMENTS (patients));
    for (guint i = 0; d[i] != NULL; i++)
      g_assert_true (g_str_has_prefix (d[i], p[i]));
  }
  /* Online pool 2 and phone pool 1 won, in rank order; the rest lost. */
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.lottery_requests "
                            "WHERE session_id = $1 AND status = 'won' AND appointment_id IS "
                            "NOT NULL", session), ==, 3);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.lottery_requests "
                            "WHERE session_id = $1 AND status = 'lost'", session), ==, 3);
  g_assert_cmpint (bt_int1 (bt_owner (),
                            "SELECT count(*) FROM regdesk.lottery_requests w "
                            "JOIN regdesk.lottery_requests l ON l.session_id = w.session_id "
                            "AND l.channel = w.channel AND l.status = 'lost' "
                            "AND l.drawn_rank < w.drawn_rank "
                            "WHERE w.session_id = $1 AND w.status = 'won'", session), ==, 0);
  /* After the draw the leftovers are first come first served. */
  g_clear_pointer (&r, rd_booking_result_free);
  error = book_refused (session, bt_make_patient (NULL, FALSE), RD_CHANNEL_ONLINE, 0, NULL);
  bt_assert_rejected (error, "RD305");
}

static void
test_states_audited (void)
{
  /* Every transition left an audit row by the person who did it. */
  g_assert_cmpint (bt_int1 (bt_owner (),
                            "SELECT count(DISTINCT action) FROM regdesk.audit_log WHERE action "
                            "IN ('book', 'pay_cash', 'pay_card', 'cancel', 'check_in', "
                            "'expire', 'no_show', 'release_pools', 'lottery_draw', "
                            "'lottery_request', 'waitlist_join') AND at > now() - $1 * "
                            "interval '1 hour'", 1), ==, 11);
}

static void
on_change (RdDb       *db,
           const char *channel,
           const char *payload,
           GPtrArray  *payloads)
{
  g_ptr_array_add (payloads, g_strdup (payload));
}

static gboolean
payload_seen (GPtrArray  *payloads,
              const char *payload)
{
  return g_ptr_array_find_with_equal_func (payloads, payload, g_str_equal, NULL);
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Waits up to ten seconds for @payload; a timer wakes the loop, so that a
 * notification that never comes fails the test instead of hanging it. */
static gboolean
wait_for_payload (GPtrArray  *payloads,
                  const char *payload)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint timer = g_timeout_add (100, wake_up, NULL);

  while (!payload_seen (payloads, payload) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timer);

  return payload_seen (payloads, payload);
}

/* Booking and 退号 commit and then announce (0010): another desk hears the
 * changes with the session's new counts (0011), which match the view; a
 * CALL inside a transaction block is refused and writes nothing. */
static void
test_published_after_commit (void)
{
  gint64 session = bt_make_session ("1 day", 3, 2, 1, "fcfs", 1500, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(RdDb) desk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(RdBookingResult) r = NULL;
  g_autoptr(RdCancelResult) c = NULL;
  g_autoptr(RdResult) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hospital = bt_scalar1 (bt_owner (), "SELECT hospital_id::text FROM "
                                          "regdesk.sessions WHERE id = $1", session);
  g_autofree char *session_payload = g_strdup_printf ("session:%s:%" G_GINT64_FORMAT,
                                                      hospital, session);
  g_autofree char *after_booking = g_strdup_printf ("free:%s:%" G_GINT64_FORMAT ":2:2:1:1",
                                                    hospital, session);
  g_autofree char *after_cancel = g_strdup_printf ("free:%s:%" G_GINT64_FORMAT ":3:2:1:0",
                                                   hospital, session);
  g_autofree char *appointment_payload = NULL;
  g_autofree char *counts = NULL;
  guint i;

  rd_db_listen (desk, "rd_change");
  g_signal_connect (desk, "notification", G_CALLBACK (on_change), payloads);
  /* The LISTEN has gone through once a query on the same connection has. */
  g_assert_cmpint (bt_int1 (desk, "SELECT $1::bigint", 1), ==, 1);

  r = book_ok (session, patient, RD_CHANNEL_WINDOW, 0, NULL);
  appointment_payload = g_strdup_printf ("appointment:%s:%" G_GINT64_FORMAT, hospital,
                                         r->appointment_id);
  g_assert_true (wait_for_payload (payloads, after_booking));
  g_assert_true (payload_seen (payloads, session_payload));
  g_assert_true (payload_seen (payloads, appointment_payload));
  counts = bt_scalar1 (desk, "SELECT concat_ws(':', free_window, free_online, free_phone, "
                       "booked) FROM api.session_overview WHERE id = $1", session);
  g_assert_cmpstr (counts, ==, "2:2:1:1");
  /* The counts follow the change they count. */
  g_assert_true (g_ptr_array_find_with_equal_func (payloads, session_payload, g_str_equal, &i));
  g_assert_cmpstr (g_ptr_array_index (payloads, payloads->len - 1), ==, after_booking);

  g_ptr_array_set_size (payloads, 0);
  c = rd_booking_cancel_sync (clerk, NULL, r->appointment_id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wait_for_payload (payloads, after_cancel));
  g_assert_true (payload_seen (payloads, appointment_payload));

  /* Inside a transaction block the procedure cannot commit: refused, and
   * the slot it took is given back with the rest of the transaction. */
  g_clear_pointer (&refused, rd_result_unref);
  refused = rd_db_query_sync (desk, "BEGIN", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&refused, rd_result_unref);
  {
    g_autofree char *session_text = g_strdup_printf ("%" G_GINT64_FORMAT, session);
    g_autofree char *patient_text = g_strdup_printf ("%" G_GINT64_FORMAT, patient);
    const char *params[] = { session_text, patient_text };

    refused = rd_db_query_sync (desk, "CALL api.book_and_publish('in-a-block', $1, $2, "
                                      "'window')", 2, params, NULL, &error);
  }
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_test_message ("refused as expected: %s", error->message);
  g_clear_error (&error);
  refused = rd_db_query_sync (desk, "ROLLBACK", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT count(*) FROM regdesk.appointments "
                            "WHERE request_id = 'in-a-block' AND session_id = $1", session),
                   ==, 0);
  g_free (counts);
  counts = bt_scalar1 (desk, "SELECT concat_ws(':', free_window, free_online, free_phone, "
                       "booked) FROM api.session_overview WHERE id = $1", session);
  g_assert_cmpstr (counts, ==, "3:2:1:0");

  g_signal_handlers_disconnect_by_data (desk, payloads);
  rd_db_close (desk);
}

/* Every session's counts, which booking and 退号 keep themselves and every
 * other writer keeps through row triggers (0021), match its slots and
 * appointments after all the tests above: paid and unpaid 退号, expiry,
 * waiting list, lottery, pool release, check-in and no-shows. Runs last. */
static void
test_counts_match_rows (void)
{
  static const char drift_sql[] = BT_COUNTS_DRIFT_SQL;
  static const char sessions_sql[] =
    "SELECT count(*) FROM api.session_overview o WHERE EXISTS "
    "(SELECT 1 FROM regdesk.appointments a WHERE a.session_id = o.id "
    "   AND a.status IN ('cancelled', 'expired', 'no_show'))";

  /* The check has something to check. */
  g_assert_cmpint (bt_int (bt_owner (), sessions_sql, 0, NULL), >, 5);
  g_assert_cmpint (bt_int (bt_owner (), drift_sql, 0, NULL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  bt_setup ();
  clerk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);

  g_test_add_func ("/booking/book-and-pay", test_book_and_pay);
  g_test_add_func ("/booking/pay-card-and-free", test_pay_card_and_free);
  g_test_add_func ("/booking/idempotent", test_idempotent);
  g_test_add_func ("/booking/idempotent-concurrent", test_idempotent_concurrent);
  g_test_add_func ("/booking/quota", test_quota);
  g_test_add_func ("/booking/chosen-slot", test_chosen_slot);
  g_test_add_func ("/booking/session-refusals", test_session_refusals);
  g_test_add_func ("/booking/bad-channel-and-request", test_bad_channel_and_request);
  g_test_add_func ("/booking/one-per-doctor-per-day", test_one_per_doctor_per_day);
  g_test_add_func ("/booking/daily-maximum", test_daily_maximum);
  g_test_add_func ("/booking/cancel-and-refund", test_cancel_and_refund);
  g_test_add_func ("/booking/expiry", test_expiry);
  g_test_add_func ("/booking/expiry-by-maintenance", test_expiry_by_maintenance);
  g_test_add_func ("/booking/pool-release", test_pool_release);
  g_test_add_func ("/booking/priority", test_priority);
  g_test_add_func ("/booking/check-in-and-no-show", test_check_in_and_no_show);
  g_test_add_func ("/booking/waitlist", test_waitlist);
  g_test_add_func ("/booking/lottery", test_lottery);
  g_test_add_func ("/booking/states-audited", test_states_audited);
  g_test_add_func ("/booking/published-after-commit", test_published_after_commit);
  g_test_add_func ("/booking/counts-match-rows", test_counts_match_rows);

  status = g_test_run ();
  rd_db_close (clerk);
  g_clear_object (&clerk);

  return status;
}
