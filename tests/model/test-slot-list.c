/* test-slot-list.c: RdSlotList and api.session_slots against a real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "booking-test-util.h"
#include "rd-booking.h"
#include "rd-demo-data.h"
#include "rd-slot.h"
#include "rd-slot-list.h"

/* Long enough for a loaded CI machine, short enough to fail a hang. */
#define WAIT_MS 10000

/* The grid's desk and another desk booking on its own connection. */
static RdDb *desk;
static RdDb *other_desk;

typedef struct
{
  guint n_calls;
  guint position;
  guint removed;
  guint added;
} ItemsChanged;

/* What a test watches on a list: its signals and every slot's notifies. */
typedef struct
{
  RdSlotList   *list;
  ItemsChanged  changed;
  guint         n_updated;
  GArray       *n_notified;   /* per position, for the slots of the first load */
  GPtrArray    *slots;
} Watch;

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

static void
on_updated (RdSlotList *list,
            Watch      *watch)
{
  watch->n_updated++;
}

static void
on_slot_notify (RdSlot     *slot,
                GParamSpec *pspec,
                Watch      *watch)
{
  guint position;

  g_assert_true (g_ptr_array_find (watch->slots, slot, &position));
  g_array_index (watch->n_notified, guint, position)++;
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
list_loaded (gpointer data)
{
  RdSlotList *list = data;

  return !rd_slot_list_get_loading (list) && g_list_model_get_n_items (G_LIST_MODEL (list)) > 0;
}

/* A list of @session_id, loaded, with every signal counted from now on. */
static Watch *
watch_new (gint64 session_id)
{
  Watch *watch = g_new0 (Watch, 1);
  guint n_items;

  watch->list = rd_slot_list_new (desk, session_id);
  g_assert_true (rd_slot_list_get_loading (watch->list));
  g_assert_true (wait_until (list_loaded, watch->list, WAIT_MS));

  n_items = g_list_model_get_n_items (G_LIST_MODEL (watch->list));
  watch->slots = g_ptr_array_new_with_free_func (g_object_unref);
  watch->n_notified = g_array_sized_new (FALSE, TRUE, sizeof (guint), n_items);
  g_array_set_size (watch->n_notified, n_items);
  for (guint i = 0; i < n_items; i++)
    {
      RdSlot *slot = g_list_model_get_item (G_LIST_MODEL (watch->list), i);

      g_ptr_array_add (watch->slots, slot);
      g_signal_connect (slot, "notify", G_CALLBACK (on_slot_notify), watch);
    }

  g_signal_connect (watch->list, "items-changed", G_CALLBACK (on_items_changed),
                    &watch->changed);
  g_signal_connect (watch->list, "updated", G_CALLBACK (on_updated), watch);

  return watch;
}

static void
watch_free (Watch *watch)
{
  for (guint i = 0; i < watch->slots->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (watch->slots, i), watch);
  g_signal_handlers_disconnect_by_data (watch->list, watch);
  g_signal_handlers_disconnect_by_data (watch->list, &watch->changed);
  g_clear_object (&watch->list);
  g_clear_pointer (&watch->slots, g_ptr_array_unref);
  g_clear_pointer (&watch->n_notified, g_array_unref);
  g_free (watch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Watch, watch_free)

static gboolean
updated_once (gpointer data)
{
  return ((Watch *) data)->n_updated > 0;
}

static RdSlot *
watched_slot (Watch *watch,
              int    seq)
{
  RdSlot *slot = rd_slot_list_lookup (watch->list, seq);

  g_assert_nonnull (slot);
  g_assert_cmpint (rd_slot_get_seq (slot), ==, seq);

  return slot;
}

/* Only the slot numbered @seq heard of the change; no row came or went. */
static void
assert_only_cell_changed (Watch *watch,
                          int    seq)
{
  for (guint i = 0; i < watch->slots->len; i++)
    {
      RdSlot *slot = g_ptr_array_index (watch->slots, i);
      guint n = g_array_index (watch->n_notified, guint, i);

      if (rd_slot_get_seq (slot) == seq)
        g_assert_cmpuint (n, >, 0);
      else
        g_assert_cmpuint (n, ==, 0);
      /* The objects are the ones first loaded, updated in place. */
      g_assert_true (rd_slot_list_lookup (watch->list, rd_slot_get_seq (slot)) == slot);
    }
  g_assert_cmpuint (watch->changed.n_calls, ==, 0);
}

static void
reset_counts (Watch *watch)
{
  memset (watch->n_notified->data, 0, watch->n_notified->len * sizeof (guint));
  memset (&watch->changed, 0, sizeof watch->changed);
  watch->n_updated = 0;
}

typedef struct
{
  RdSlot       *slot;
  RdSlotStatus  status;
} StatusWait;

static gboolean
status_is (gpointer data)
{
  StatusWait *wait = data;

  return rd_slot_get_status (wait->slot) == wait->status;
}

static void
wait_for_status (RdSlot       *slot,
                 RdSlotStatus  status)
{
  StatusWait wait = { slot, status };

  g_assert_true (wait_until (status_is, &wait, WAIT_MS));
  /* Anything else the change set off arrives too. */
  spin (150);
}

/* "测试12" → "测**2", as api.session_slots masks names. */
static char *
masked (const char *name)
{
  glong length = g_utf8_strlen (name, -1);
  g_autoptr(GString) label = g_string_new (NULL);
  const char *last;

  g_assert_cmpint (length, >=, 3);
  g_string_append_len (label, name, g_utf8_next_char (name) - name);
  for (glong i = 0; i < length - 2; i++)
    g_string_append_c (label, '*');
  last = g_utf8_offset_to_pointer (name, length - 1);
  g_string_append (label, last);

  return g_string_free (g_steal_pointer (&label), FALSE);
}

static void
test_load (void)
{
  gint64 session = bt_make_session ("1 day", 3, 2, 1, "fcfs", 1500, 0);
  g_autoptr(Watch) watch = watch_new (session);
  GListModel *model = G_LIST_MODEL (watch->list);
  g_autofree char *first_start = NULL;
  g_autofree char *last_end = NULL;
  static const RdChannel channels[] = {
    RD_CHANNEL_WINDOW, RD_CHANNEL_WINDOW, RD_CHANNEL_WINDOW,
    RD_CHANNEL_ONLINE, RD_CHANNEL_ONLINE, RD_CHANNEL_PHONE,
  };

  g_assert_true (g_list_model_get_item_type (model) == RD_TYPE_SLOT);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (channels));
  g_assert_cmpint (rd_slot_list_get_session_id (watch->list), ==, session);

  first_start = bt_scalar1 (bt_owner (),
                            "SELECT to_char(starts_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI')"
                            "  FROM regdesk.slots WHERE session_id = $1 AND seq = 1", session);
  last_end = bt_scalar1 (bt_owner (),
                         "SELECT to_char(ends_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI')"
                         "  FROM regdesk.slots WHERE session_id = $1 AND seq = 6", session);

  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    {
      g_autoptr(RdSlot) slot = g_list_model_get_item (model, i);

      g_assert_cmpint (rd_slot_get_seq (slot), ==, i + 1);
      g_assert_cmpint (rd_slot_get_channel (slot), ==, channels[i]);
      g_assert_cmpint (rd_slot_get_status (slot), ==, RD_SLOT_STATUS_FREE);
      g_assert_cmpint (strlen (rd_slot_get_starts_at (slot)), ==, 5);
      g_assert_cmpint (strlen (rd_slot_get_ends_at (slot)), ==, 5);
      g_assert_null (rd_slot_get_patient_label (slot));
      g_assert_null (rd_slot_get_held_until (slot));
      g_assert_cmpint (rd_slot_get_appointment_id (slot), ==, 0);
      g_assert_cmpint (rd_slot_get_queue_number (slot), ==, 0);
      g_assert_true (rd_slot_is_bookable (slot) == (channels[i] == RD_CHANNEL_WINDOW));
    }
  g_assert_cmpstr (rd_slot_get_starts_at (watched_slot (watch, 1)), ==, first_start);
  g_assert_cmpstr (rd_slot_get_ends_at (watched_slot (watch, 6)), ==, last_end);
  g_assert_null (g_list_model_get_item (model, G_N_ELEMENTS (channels)));
  g_assert_null (rd_slot_list_lookup (watch->list, 7));

  /* A reload that finds the same rows touches nothing but says it ran. */
  rd_slot_list_reload (watch->list);
  g_assert_true (wait_until (updated_once, watch, WAIT_MS));
  spin (100);
  g_assert_cmpuint (watch->n_updated, ==, 1);
  assert_only_cell_changed (watch, 0);
}

static void
test_booked_elsewhere (void)
{
  gint64 session = bt_make_session ("1 day", 4, 2, 0, "fcfs", 1500, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(Watch) watch = watch_new (session);
  g_autoptr(RdBookingResult) booked = NULL;
  g_autoptr(RdPaymentResult) paid = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *label = NULL;
  RdSlot *slot;

  /* Another desk takes the next window slot on its own connection. */
  booked = rd_booking_book_sync (other_desk, NULL, session, patient, RD_CHANNEL_WINDOW, 0,
                                 NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (booked->slot_seq, ==, 1);

  slot = watched_slot (watch, booked->slot_seq);
  wait_for_status (slot, RD_SLOT_STATUS_HELD);

  name = bt_scalar1 (bt_owner (), "SELECT name FROM regdesk.patients WHERE id = $1", patient);
  label = masked (name);
  g_assert_cmpstr (rd_slot_get_patient_label (slot), ==, label);
  g_assert_null (strstr (rd_slot_get_patient_label (slot), name));
  g_assert_cmpint (rd_slot_get_appointment_id (slot), ==, booked->appointment_id);
  g_assert_cmpint (strlen (rd_slot_get_held_until (slot)), ==, 5);
  g_assert_false (rd_slot_is_bookable (slot));
  g_assert_cmpuint (watch->n_updated, >=, 1);
  assert_only_cell_changed (watch, booked->slot_seq);

  /* Paid at that desk: the same cell turns paid, its hold gone. */
  reset_counts (watch);
  paid = rd_booking_pay_cash_sync (other_desk, NULL, booked->order_no, 2000, NULL, &error);
  g_assert_no_error (error);
  wait_for_status (slot, RD_SLOT_STATUS_PAID);
  g_assert_null (rd_slot_get_held_until (slot));
  g_assert_cmpstr (rd_slot_get_patient_label (slot), ==, label);
  assert_only_cell_changed (watch, booked->slot_seq);
}

static void
test_cancellation (void)
{
  gint64 session = bt_make_session ("1 day", 3, 0, 0, "fcfs", 1500, 0);
  g_autoptr(Watch) watch = watch_new (session);
  g_autoptr(RdBookingResult) first = NULL;
  g_autoptr(RdBookingResult) second = NULL;
  g_autoptr(RdCancelResult) cancelled = NULL;
  g_autoptr(GError) error = NULL;
  RdSlot *slot;

  first = rd_booking_book_sync (other_desk, NULL, session, bt_make_patient (NULL, FALSE),
                                RD_CHANNEL_WINDOW, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  second = rd_booking_book_sync (other_desk, NULL, session, bt_make_patient (NULL, FALSE),
                                 RD_CHANNEL_WINDOW, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second->slot_seq, ==, 2);
  wait_for_status (watched_slot (watch, 2), RD_SLOT_STATUS_HELD);
  g_assert_cmpint (rd_slot_get_status (watched_slot (watch, 1)), ==, RD_SLOT_STATUS_HELD);

  /* 退号 at the other desk: the cell is free again, and no one's. */
  reset_counts (watch);
  cancelled = rd_booking_cancel_sync (other_desk, NULL, second->appointment_id, NULL, NULL,
                                      &error);
  g_assert_no_error (error);
  slot = watched_slot (watch, 2);
  wait_for_status (slot, RD_SLOT_STATUS_FREE);
  g_assert_null (rd_slot_get_patient_label (slot));
  g_assert_null (rd_slot_get_held_until (slot));
  g_assert_cmpint (rd_slot_get_appointment_id (slot), ==, 0);
  g_assert_true (rd_slot_is_bookable (slot));
  assert_only_cell_changed (watch, 2);
  g_assert_cmpint (rd_slot_get_appointment_id (watched_slot (watch, 1)), ==,
                   first->appointment_id);
}

static gboolean
channel_is_window (gpointer data)
{
  return rd_slot_get_channel (data) == RD_CHANNEL_WINDOW;
}

static void
test_pool_release (void)
{
  gint64 session = bt_make_session ("1 day", 2, 2, 1, "fcfs", 1500, 0);
  g_autoptr(Watch) watch = watch_new (session);

  for (int seq = 3; seq <= 5; seq++)
    g_assert_false (rd_slot_is_bookable (watched_slot (watch, seq)));

  /* The online pool's cut-off passes and the maintenance job releases it. */
  bt_exec1 (bt_owner (), "UPDATE regdesk.sessions SET online_cutoff_at = now() "
            "- interval '1 minute' WHERE id = $1", session);
  g_assert_cmpint (bt_int1 (bt_owner (), "SELECT regdesk.release_pools($1)", session), ==, 2);

  g_assert_true (wait_until (channel_is_window, watched_slot (watch, 4), WAIT_MS));
  spin (150);
  for (int seq = 3; seq <= 4; seq++)
    {
      g_assert_cmpint (rd_slot_get_channel (watched_slot (watch, seq)), ==, RD_CHANNEL_WINDOW);
      g_assert_true (rd_slot_is_bookable (watched_slot (watch, seq)));
    }
  g_assert_cmpint (rd_slot_get_channel (watched_slot (watch, 5)), ==, RD_CHANNEL_PHONE);

  for (guint i = 0; i < watch->slots->len; i++)
    {
      int seq = rd_slot_get_seq (g_ptr_array_index (watch->slots, i));

      g_assert_cmpuint (g_array_index (watch->n_notified, guint, i), ==,
                        (seq == 3 || seq == 4) ? 1 : 0);
    }
  g_assert_cmpuint (watch->changed.n_calls, ==, 0);
}

static void
record_status (RdSlotList *list,
               GArray     *statuses)
{
  RdSlotStatus status = rd_slot_get_status (rd_slot_list_lookup (list, 5));

  g_array_append_val (statuses, status);
}

static void
exec0 (RdDb       *db,
       const char *sql)
{
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (db, sql, 0, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
test_burst_coalesced (void)
{
  gint64 session = bt_make_session ("1 day", 6, 0, 0, "fcfs", 1500, 0);
  g_autoptr(Watch) watch = watch_new (session);
  g_autoptr(GString) script = g_string_new (NULL);
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (RdSlotStatus));
  RdSlot *slot = watched_slot (watch, 5);
  int psql_status;

  /* Twenty-one commits from another program while this one is busy (psql
   * runs without our main loop): the notifications queue up and are
   * answered by one query, or two, not twenty-one. */
  for (guint i = 0; i < 21; i++)
    g_string_append_printf (script,
                            "UPDATE regdesk.slots SET status = '%s'"
                            " WHERE session_id = %" G_GINT64_FORMAT " AND seq = 5;\n",
                            i % 2 == 0 ? "locked" : "free", session);
  psql_status = rd_test_pg_psql (NULL, NULL, script->str, NULL, NULL);
  g_assert_cmpint (psql_status, ==, 0);

  wait_for_status (slot, RD_SLOT_STATUS_LOCKED);
  spin (200);
  g_test_message ("%u queries answered 21 notifications", watch->n_updated);
  g_assert_cmpuint (watch->n_updated, >=, 1);
  g_assert_cmpuint (watch->n_updated, <=, 2);
  assert_only_cell_changed (watch, 5);

  /* A query that read before a commit (it waited on a lock with its
   * snapshot taken) is followed by another that sees the commit. */
  reset_counts (watch);
  g_signal_connect (watch->list, "updated", G_CALLBACK (record_status), statuses);
  exec0 (bt_owner (), "BEGIN");
  exec0 (bt_owner (), "LOCK TABLE regdesk.slots IN ACCESS EXCLUSIVE MODE");
  rd_slot_list_reload (watch->list);
  for (guint i = 0; bt_int (bt_owner (),
                            "SELECT count(*) FROM pg_locks"
                            " WHERE NOT granted AND relation = 'regdesk.slots'::regclass",
                            0, NULL) == 0; i++)
    {
      g_assert_cmpuint (i, <, 1000);
      g_usleep (10000);
    }
  bt_exec1 (bt_owner (),
            "UPDATE regdesk.slots SET status = 'free' WHERE session_id = $1 AND seq = 5",
            session);
  exec0 (bt_owner (), "COMMIT");

  wait_for_status (slot, RD_SLOT_STATUS_FREE);
  spin (200);
  g_assert_cmpuint (statuses->len, ==, 2);
  g_assert_cmpint (g_array_index (statuses, RdSlotStatus, 0), ==, RD_SLOT_STATUS_LOCKED);
  g_assert_cmpint (g_array_index (statuses, RdSlotStatus, 1), ==, RD_SLOT_STATUS_FREE);
  assert_only_cell_changed (watch, 5);

  g_signal_handlers_disconnect_by_data (watch->list, statuses);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *n_notified)
{
  (*n_notified)++;
}

static void
test_switch_session (void)
{
  gint64 first = bt_make_session ("1 day", 3, 0, 0, "fcfs", 1500, 0);
  gint64 second = bt_make_session ("1 day", 2, 1, 1, "fcfs", 1500, 0);
  g_autoptr(Watch) watch = watch_new (first);
  g_autoptr(RdBookingResult) booked = NULL;
  g_autoptr(GError) error = NULL;
  guint n_session_notified = 0;
  guint n_loading_notified = 0;

  g_signal_connect (watch->list, "notify::session-id", G_CALLBACK (count_notify),
                    &n_session_notified);
  g_signal_connect (watch->list, "notify::loading", G_CALLBACK (count_notify),
                    &n_loading_notified);

  /* The old session's cells go at once: none is ever shown as the new one's. */
  rd_slot_list_set_session_id (watch->list, second);
  g_assert_cmpuint (n_session_notified, ==, 1);
  g_assert_true (rd_slot_list_get_loading (watch->list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (watch->list)), ==, 0);
  g_assert_cmpuint (watch->changed.n_calls, ==, 1);
  g_assert_cmpuint (watch->changed.removed, ==, 3);
  g_assert_cmpuint (watch->changed.added, ==, 0);

  g_assert_true (wait_until (updated_once, watch, WAIT_MS));
  g_assert_false (rd_slot_list_get_loading (watch->list));
  g_assert_cmpuint (n_loading_notified, ==, 2);
  g_assert_cmpuint (watch->changed.n_calls, ==, 2);
  g_assert_cmpuint (watch->changed.position, ==, 0);
  g_assert_cmpuint (watch->changed.removed, ==, 0);
  g_assert_cmpuint (watch->changed.added, ==, 4);
  g_assert_cmpint (rd_slot_get_channel (rd_slot_list_lookup (watch->list, 3)), ==,
                   RD_CHANNEL_ONLINE);

  /* The first session's news no longer concern the list. */
  watch->n_updated = 0;
  booked = rd_booking_book_sync (other_desk, NULL, first, bt_make_patient (NULL, FALSE),
                                 RD_CHANNEL_WINDOW, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  spin (300);
  g_assert_cmpuint (watch->n_updated, ==, 0);

  /* Setting it again changes nothing; 0 empties the list. */
  rd_slot_list_set_session_id (watch->list, second);
  g_assert_cmpuint (n_session_notified, ==, 1);
  rd_slot_list_set_session_id (watch->list, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (watch->list)), ==, 0);
  g_assert_false (rd_slot_list_get_loading (watch->list));
  spin (100);
  g_assert_cmpuint (watch->n_updated, ==, 0);

  g_signal_handlers_disconnect_by_data (watch->list, &n_session_notified);
  g_signal_handlers_disconnect_by_data (watch->list, &n_loading_notified);
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_cancel_on_dispose (void)
{
  gint64 session = bt_make_session ("1 day", 3, 0, 0, "fcfs", 1500, 0);
  RdSlotList *list = rd_slot_list_new (desk, session);
  gpointer weak = list;
  ItemsChanged changed = { 0 };

  g_assert_true (rd_slot_list_get_loading (list));
  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), &changed);
  g_object_add_weak_pointer (G_OBJECT (list), &weak);

  /* Dropped with its load on the wire: nothing lands in the model and the
   * last reference goes with the cancelled query. */
  g_object_run_dispose (G_OBJECT (list));
  g_object_unref (list);
  g_assert_true (wait_until (pointer_cleared, &weak, WAIT_MS));
  g_assert_cmpuint (changed.n_calls, ==, 0);

  /* The connection is in order for the next user. */
  g_assert_cmpint (bt_int (desk, "SELECT 41 + 1", 0, NULL), ==, 42);
}

static void
test_sql_privacy_and_index (void)
{
  gint64 session = bt_make_session ("1 day", 2, 0, 0, "fcfs", 1500, 0);
  g_autofree char *session_text = g_strdup_printf ("%" G_GINT64_FORMAT, session);
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(RdDb) finance = NULL;
  struct
  {
    const char *name;
    const char *label;
  } names[] = {
    { "张三", "张*" },
    { "张小三", "张*三" },
    { "欧阳小明", "欧**明" },
    { " 李 ", "李" },
    { "Li Wei", "L****i" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *params[] = { names[i].name };
      g_autofree char *label = bt_scalar (bt_owner (), "SELECT regdesk.mask_name($1)", 1,
                                          params);

      g_assert_cmpstr (label, ==, names[i].label);
    }

  /* Finance reads the grid too (and sees only masked names). */
  finance = rd_test_pg_connect (RD_DEMO_FINANCE, RD_DEMO_PASSWORD);
  g_assert_cmpint (bt_int1 (finance, "SELECT count(*) FROM api.session_slots($1)", session),
                   ==, 2);
  g_assert_cmpint (bt_int1 (finance, "SELECT count(*) FROM api.session_slots($1 + 1000000)",
                            session), ==, 0);

  /* The session's slots come from an index, not a scan of every slot. */
  script = g_strdup_printf ("LOAD 'auto_explain';\n"
                            "SET auto_explain.log_min_duration = 0;\n"
                            "SET auto_explain.log_nested_statements = on;\n"
                            "SET auto_explain.log_level = notice;\n"
                            "SET client_min_messages = notice;\n"
                            "SELECT count(*) FROM api.session_slots(%s);\n",
                            session_text);
  g_assert_cmpint (rd_test_pg_psql (NULL, NULL, script, &out, &err), ==, 0);
  g_test_message ("%s", err);
  g_assert_true (strstr (err, "Index Scan using slots_session_id_seq_key") != NULL
                 || strstr (err, "Bitmap Index Scan on slots_session_id_seq_key") != NULL);
  g_assert_null (strstr (err, "Seq Scan on slots"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  bt_setup ();
  desk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  other_desk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);

  g_test_add_func ("/slot-list/load", test_load);
  g_test_add_func ("/slot-list/booked-elsewhere", test_booked_elsewhere);
  g_test_add_func ("/slot-list/cancellation", test_cancellation);
  g_test_add_func ("/slot-list/pool-release", test_pool_release);
  g_test_add_func ("/slot-list/burst-coalesced", test_burst_coalesced);
  g_test_add_func ("/slot-list/switch-session", test_switch_session);
  g_test_add_func ("/slot-list/cancel-on-dispose", test_cancel_on_dispose);
  g_test_add_func ("/slot-list/sql-privacy-and-index", test_sql_privacy_and_index);

  status = g_test_run ();

  g_clear_object (&desk);
  g_clear_object (&other_desk);

  return status;
}
