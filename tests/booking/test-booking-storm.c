/* test-booking-storm.c: many processes book, pay and cancel at random
 * against the same five sessions; afterwards the rules still hold
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test program runs itself as the children: "--child CONNINFO SEED
 * ATTEMPTS SESSIONS PATIENTS" (comma-separated ids).
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "booking-test-util.h"
#include "rd-booking.h"
#include "rd-demo-data.h"

static guint n_processes = 8;
static guint n_attempts = 1500;
static const char *self_path;

static GArray *
parse_ids (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gint64 id = g_ascii_strtoll (parts[i], NULL, 10);

      g_array_append_val (ids, id);
    }

  return ids;
}

/* One child: book (sometimes retrying a request id), pay, cancel. Prints
 * "booked cancelled refused conflicts retried" and exits 0, or fails. */
static int
run_child (const char *conninfo,
           guint32     seed,
           guint       attempts,
           const char *sessions_text,
           const char *patients_text)
{
  g_autoptr(GArray) sessions = parse_ids (sessions_text);
  g_autoptr(GArray) patients = parse_ids (patients_text);
  g_autoptr(GArray) mine = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_free);
  /* request id → what it sent and got: session, patient, channel, appointment */
  g_autoptr(GHashTable) sent = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(RdDb) db = rd_db_new (conninfo);
  g_autoptr(GError) error = NULL;
  guint booked = 0, cancelled = 0, refused = 0, conflicts = 0, retried = 0;
  const RdChannel channels[] = { RD_CHANNEL_WINDOW, RD_CHANNEL_WINDOW, RD_CHANNEL_ONLINE,
                                 RD_CHANNEL_PHONE };

  if (!rd_db_connect_sync (db, NULL, &error))
    g_error ("child: %s", error->message);

  for (guint i = 0; i < attempts; i++)
    {
      int dice = g_rand_int_range (rand, 0, 100);

      if (dice < 60 || mine->len == 0)
        {
          g_autoptr(RdBookingResult) r = NULL;
          g_autofree char *request = NULL;
          gboolean retry = dice < 8 && requests->len > 0;
          gint64 *call;

          /* A retry re-sends a request that already booked, as a client
           * that lost the answer would: same id, same arguments. */
          if (retry)
            {
              request = g_strdup (g_ptr_array_index (requests,
                                                     g_rand_int_range (rand, 0, requests->len)));
              call = g_hash_table_lookup (sent, request);
            }
          else
            {
              request = g_uuid_string_random ();
              call = g_new (gint64, 4);
              call[0] = g_array_index (sessions, gint64,
                                       g_rand_int_range (rand, 0, sessions->len));
              call[1] = g_array_index (patients, gint64,
                                       g_rand_int_range (rand, 0, patients->len));
              call[2] = channels[g_rand_int_range (rand, 0, 4)];
              call[3] = 0;
            }

          r = rd_booking_book_sync (db, request, call[0], call[1], (RdChannel) call[2], 0, NULL,
                                    NULL, &error);
          if (retry)
            {
              /* Never a second booking: the first one, whatever became of it. */
              g_assert_no_error (error);
              g_assert_cmpint (r->appointment_id, ==, call[3]);
              retried++;
              continue;
            }
          if (r == NULL)
            g_free (call);
          if (r != NULL)
            {
              char *kept = g_strdup (request);

              call[3] = r->appointment_id;
              g_ptr_array_add (requests, kept);
              g_hash_table_insert (sent, kept, call);
              g_array_append_val (mine, r->appointment_id);
              booked++;
              /* Half of them pay at once. */
              if (dice % 2 == 0)
                {
                  g_autoptr(RdPaymentResult) paid = NULL;

                  paid = rd_booking_pay_cash_sync (db, NULL, r->order_no, 5000, NULL, &error);
                  g_assert_no_error (error);
                }
            }
          else if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED))
            {
              refused++;
              g_clear_error (&error);
            }
          else if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT))
            {
              conflicts++;
              g_clear_error (&error);
            }
          else
            g_error ("child: unexpected error: %s", error->message);
        }
      else
        {
          guint pick = g_rand_int_range (rand, 0, mine->len);
          gint64 appointment = g_array_index (mine, gint64, pick);
          g_autoptr(RdCancelResult) c = NULL;

          g_array_remove_index_fast (mine, pick);
          c = rd_booking_cancel_sync (db, NULL, appointment, "storm", NULL, &error);
          if (c != NULL)
            cancelled++;
          else if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT))
            {
              conflicts++;
              g_clear_error (&error);
            }
          else
            g_error ("child: cancel failed: %s", error->message);
        }
    }

  g_print ("%u %u %u %u %u\n", booked, cancelled, refused, conflicts, retried);
  rd_db_close (db);

  return 0;
}

static char *
join_ids (GArray *ids)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            g_array_index (ids, gint64, i));

  return g_string_free (text, FALSE);
}

static void
test_storm (void)
{
  RdDb *owner = bt_owner ();
  g_autoptr(GArray) sessions = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) patients = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *conninfo = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autofree char *sessions_text = NULL;
  g_autofree char *patients_text = NULL;
  g_autofree char *attempts_text = g_strdup_printf ("%u", n_attempts / n_processes);
  g_autofree char *id_list = NULL;
  guint totals[5] = { 0 };
  gint64 start = g_get_monotonic_time ();

  /* Five sessions of 30 (15 window, 10 online, 5 phone): far fewer slots
   * than requests, so pools run dry and cancellations refill them. */
  for (guint i = 0; i < 5; i++)
    {
      gint64 id = bt_make_session ("3 days", 15, 10, 5, i == 4 ? "priority" : "fcfs", 1500, 0);

      g_array_append_val (sessions, id);
    }
  for (guint i = 0; i < 120; i++)
    {
      gint64 id = bt_make_patient (i % 10 == 0 ? "1940-05-05" : NULL, FALSE);

      g_array_append_val (patients, id);
    }
  sessions_text = join_ids (sessions);
  patients_text = join_ids (patients);

  for (guint i = 0; i < n_processes; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *seed = g_strdup_printf ("%u", g_test_rand_int () ^ (i * 7919));
      GSubprocess *child;

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                self_path, "--child", conninfo, seed, attempts_text,
                                sessions_text, patients_text, NULL);
      g_assert_no_error (error);
      g_ptr_array_add (children, child);
    }

  for (guint i = 0; i < children->len; i++)
    {
      GSubprocess *child = g_ptr_array_index (children, i);
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      guint counts[5];

      g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_successful (child));
      g_assert_cmpint (sscanf (out, "%u %u %u %u %u", &counts[0], &counts[1], &counts[2],
                               &counts[3], &counts[4]), ==, 5);
      for (guint k = 0; k < 5; k++)
        totals[k] += counts[k];
    }

  g_test_message ("%u processes, %u attempts in %.1f s: %u booked, %u cancelled, "
                  "%u refused, %u conflicts, %u retries answered",
                  n_processes, n_attempts,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC,
                  totals[0], totals[1], totals[2], totals[3], totals[4]);
  g_assert_cmpuint (totals[0], >, 0);
  g_assert_cmpuint (totals[1], >, 0);
  g_assert_cmpuint (totals[2], >, 0);

  id_list = g_strdup_printf ("{%s}", sessions_text);
  {
    const char *params[] = { id_list };
    const char *active = "a.status IN ('pending_payment', 'booked', 'checked_in')";
    g_autofree char *slot_twice = g_strdup_printf (
      "SELECT count(*) FROM (SELECT a.slot_id FROM regdesk.appointments a "
      "WHERE a.session_id = ANY ($1::bigint[]) AND %s GROUP BY a.slot_id "
      "HAVING count(*) > 1) x", active);
    g_autofree char *over_quota = g_strdup_printf (
      "SELECT count(*) FROM regdesk.sessions s CROSS JOIN unnest(ARRAY['window', 'online', "
      "'phone']) c WHERE s.id = ANY ($1::bigint[]) AND "
      "(SELECT count(*) FROM regdesk.appointments a WHERE a.session_id = s.id "
      "AND a.channel = c AND %s) > "
      "(SELECT count(*) FROM regdesk.slots sl WHERE sl.session_id = s.id AND sl.channel = c)",
      active);
    g_autofree char *over_capacity = g_strdup_printf (
      "SELECT count(*) FROM regdesk.sessions s WHERE s.id = ANY ($1::bigint[]) AND "
      "(SELECT count(*) FROM regdesk.appointments a WHERE a.session_id = s.id AND %s) "
      "> s.capacity", active);
    g_autofree char *per_doctor = g_strdup_printf (
      "SELECT count(*) FROM (SELECT a.patient_id, s.doctor_id, s.date "
      "FROM regdesk.appointments a JOIN regdesk.sessions s ON s.id = a.session_id "
      "WHERE a.patient_id IN (SELECT a2.patient_id FROM regdesk.appointments a2 "
      "WHERE a2.session_id = ANY ($1::bigint[])) AND %s "
      "GROUP BY 1, 2, 3 HAVING count(*) > 1) x", active);
    g_autofree char *per_day = g_strdup_printf (
      "SELECT count(*) FROM (SELECT a.patient_id, s.date "
      "FROM regdesk.appointments a JOIN regdesk.sessions s ON s.id = a.session_id "
      "JOIN regdesk.hospitals h ON h.id = s.hospital_id "
      "WHERE a.patient_id IN (SELECT a2.patient_id FROM regdesk.appointments a2 "
      "WHERE a2.session_id = ANY ($1::bigint[])) AND %s "
      "GROUP BY 1, 2 HAVING count(*) > min((h.settings ->> "
      "'max_bookings_per_patient_per_day')::int)) x", active);
    /* Each slot's status agrees with its appointments. */
    g_autofree char *slot_state = g_strdup_printf (
      "SELECT count(*) FROM regdesk.slots sl WHERE sl.session_id = ANY ($1::bigint[]) "
      "AND (sl.status IN ('held', 'booked', 'paid')) <> EXISTS (SELECT 1 FROM "
      "regdesk.appointments a WHERE a.slot_id = sl.id AND %s)", active);
    const char *counts_drift = BT_COUNTS_DRIFT_SQL " AND o.id = ANY ($1::bigint[])";
    const char *paid_state =
      "SELECT count(*) FROM regdesk.appointments a JOIN regdesk.orders o "
      "ON o.appointment_id = a.id WHERE a.session_id = ANY ($1::bigint[]) AND NOT "
      "((a.status = 'pending_payment' AND o.status = 'unpaid') OR "
      "(a.status = 'booked' AND o.status = 'paid') OR "
      "(a.status = 'cancelled' AND o.status IN ('closed', 'refunded')) OR "
      "(a.status = 'expired' AND o.status = 'closed'))";

    g_assert_cmpint (bt_int (owner, slot_twice, 1, params), ==, 0);
    g_assert_cmpint (bt_int (owner, over_quota, 1, params), ==, 0);
    g_assert_cmpint (bt_int (owner, over_capacity, 1, params), ==, 0);
    g_assert_cmpint (bt_int (owner, per_doctor, 1, params), ==, 0);
    g_assert_cmpint (bt_int (owner, per_day, 1, params), ==, 0);
    g_assert_cmpint (bt_int (owner, slot_state, 1, params), ==, 0);
    g_assert_cmpint (bt_int (owner, paid_state, 1, params), ==, 0);
    /* The roster's counters (0011), kept by triggers from 16 backends at
     * once, agree with a counting of the rows. */
    g_assert_cmpint (bt_int (owner, counts_drift, 1, params), ==, 0);
    /* What the children counted is what the database holds. */
    g_assert_cmpint (bt_int (owner, "SELECT count(*) FROM regdesk.appointments "
                             "WHERE session_id = ANY ($1::bigint[])", 1, params),
                     ==, totals[0]);
    g_assert_cmpint (bt_int (owner, "SELECT count(*) FROM regdesk.appointments "
                             "WHERE session_id = ANY ($1::bigint[]) AND status = 'cancelled'",
                             1, params), ==, totals[1]);
  }
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 7 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2], (guint32) g_ascii_strtoull (argv[3], NULL, 10),
                      (guint) g_ascii_strtoull (argv[4], NULL, 10), argv[5], argv[6]);

  self_path = argv[0];
  g_test_init (&argc, &argv, NULL);
  for (int i = 1; i + 1 < argc; i++)
    {
      if (g_str_equal (argv[i], "--processes"))
        n_processes = MAX (1, atoi (argv[i + 1]));
      else if (g_str_equal (argv[i], "--attempts"))
        n_attempts = MAX (1, atoi (argv[i + 1]));
    }

  bt_setup ();
  g_test_add_func ("/booking/storm", test_storm);

  return g_test_run ();
}
