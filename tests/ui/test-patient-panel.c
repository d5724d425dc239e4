/* test-patient-panel.c: the patient panel and editor on a real database,
 * under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rd-application.h"
#include "rd-booking.h"
#include "rd-demo-data.h"
#include "rd-identity.h"
#include "rd-money.h"
#include "rd-order-row.h"
#include "rd-patient-editor.h"
#include "rd-patient-panel.h"
#include "rd-patients.h"
#include "rd-test-pg.h"
#include "ui-test-util.h"

static RdApplication *app;
static RdDb *owner_db;
static RdDb *clerk_db;
static GtkWindow *window;
static RdPatientPanel *panel;
static char *artifacts_dir;
static const char *language = "en";

/* what ::patient-activated said last */
static RdPatient *activated;
static guint n_activated;


static gpointer
child (gpointer    widget,
       GType       type,
       const char *name)
{
  return ui_test_child (widget, type, name);
}

static gint64
owner_int (const char         *sql,
           guint               n_params,
           const char * const *params)
{
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (owner_db, sql, n_params, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 1);

  return rd_result_get_int64 (result, 0, 0);
}

static char *
resident_id (const char *birth,
             int         seq)
{
  g_autofree char *first17 = g_strdup_printf ("110105%s%03d", birth, seq);

  return g_strdup_printf ("%s%c", first17, rd_resident_id_check_char (first17));
}

static gint64
register_patient (const char *name,
                  const char *sex,
                  const char *birth_date,
                  const char *id_number,
                  const char *phone,
                  const char *card_no)
{
  g_autoptr(RdPatient) patient = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  patient = g_object_new (RD_TYPE_PATIENT, "name", name, "sex", sex, "birth-date", birth_date,
                          "id-type", id_number != NULL ? "resident_id" : "none",
                          "id-number", id_number, "phone", phone, "card-no", card_no, NULL);
  id = rd_patients_create_sync (clerk_db, NULL, patient, NULL, &error);
  g_assert_no_error (error);

  return id;
}

/* Screenshots -------------------------------------------------------------- */

/* An artefact to look at, not an assertion:
 * tests/ui/artifacts/<name>-<language>.png */
static void
save_screenshot_of (GtkWindow  *shown,
                    const char *name)
{
  g_autofree char *file_name = g_strdup_printf ("%s-%s.png", name, language);
  g_autofree char *path = g_build_filename (artifacts_dir, file_name, NULL);

  ui_test_save_screenshot (shown, path);
}

/* What the panel shows ----------------------------------------------------- */

static void
collect_labels (GtkWidget  *widget,
                const char *name,
                GPtrArray  *labels)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_LABEL (c) && g_strcmp0 (gtk_widget_get_name (c), name) == 0 &&
          gtk_widget_get_mapped (c))
        g_ptr_array_add (labels, g_strdup (gtk_label_get_text (GTK_LABEL (c))));
      else
        collect_labels (c, name, labels);
    }
}

/* The texts of the mapped labels named @name in the panel's @view. */
static GPtrArray *
shown_labels (const char *view,
              const char *name)
{
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_free);

  collect_labels (child (panel, RD_TYPE_PATIENT_PANEL, view), name, labels);

  return labels;
}

static gboolean
labels_contain (GPtrArray  *labels,
                const char *text)
{
  for (guint i = 0; i < labels->len; i++)
    {
      if (g_strcmp0 (g_ptr_array_index (labels, i), text) == 0)
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  const char *view;
  const char *name;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;
  g_autoptr(GPtrArray) labels = shown_labels (wait->view, wait->name);

  return !rd_patient_panel_get_busy (panel) && labels_contain (labels, wait->text);
}

static gboolean
panel_idle (gpointer data)
{
  return !rd_patient_panel_get_busy (panel);
}

static GtkEditable *
search_entry (void)
{
  return child (panel, RD_TYPE_PATIENT_PANEL, "search_entry");
}

/* Types @text a character at a time, as fast as a clerk could, then waits
 * for the answer: only the whole text's answer may show. */
static void
type_search (const char *text)
{
  GString *typed = g_string_new (NULL);

  gtk_editable_set_text (search_entry (), "");
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      g_string_append_len (typed, p, g_utf8_next_char (p) - p);
      gtk_editable_set_text (search_entry (), typed->str);
      ui_test_settle (20);
    }
  g_string_free (typed, TRUE);

  g_assert_true (ui_test_wait_for (panel_idle, NULL, 10000));
}

static void
on_patient_activated (RdPatientPanel *self,
                      RdPatient      *patient)
{
  g_set_object (&activated, patient);
  n_activated++;
}

static void
new_panel (void)
{
  window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_application (window, GTK_APPLICATION (app));
  gtk_window_set_default_size (window, 460, 860);
  panel = rd_patient_panel_new ();
  adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (panel));
  g_signal_connect (panel, "patient-activated", G_CALLBACK (on_patient_activated), NULL);
  rd_patient_panel_set_db (panel, clerk_db);
  gtk_window_present (window);
  ui_test_settle (200);
}

/* Tests -------------------------------------------------------------------- */

static void
test_search (void)
{
  g_autofree char *id = resident_id ("19720504", 31);
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GtkEventController) down_keys = NULL;
  GListModel *results;
  gint64 zsf1, zsf2, phone1, phone2;
  GtkWidget *focus;
  gboolean handled = FALSE;
  guint before;

  zsf1 = register_patient ("张三丰", "M", "1972-05-04", id, "17712340001", "ZSF0001");
  zsf2 = register_patient ("张世芳", "F", "1981-02-03", NULL, "17712340002", NULL);
  phone1 = zsf1;
  phone2 = zsf2;

  new_panel ();
  results = rd_patient_panel_get_results (panel);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);

  /* pinyin initials: 张三丰 and 张世芳 are both zsf, and only zsf people */
  type_search ("zsf");
  g_assert_cmpuint (g_list_model_get_n_items (results), >=, 2);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(RdPatient) found = g_list_model_get_item (results, i);

      g_assert_true (g_str_has_prefix (rd_patient_get_pinyin (found), "zsf"));
    }
  {
    LabelWait wait = { "results_view", "patient-name", "张世芳" };

    g_assert_true (ui_test_wait_for (label_shown, &wait, 5000));
  }
  names = shown_labels ("results_view", "patient-name");
  g_assert_true (labels_contain (names, "张三丰"));
  g_assert_true (labels_contain (names, "张世芳"));
  /* the ID is masked in the list */
  infos = shown_labels ("results_view", "patient-info");
  {
    g_autofree char *masked = rd_id_number_mask (id);
    gboolean seen = FALSE;

    for (guint i = 0; i < infos->len; i++)
      {
        const char *info = g_ptr_array_index (infos, i);

        g_assert_null (strstr (info, id));
        seen |= strstr (info, masked) != NULL && strstr (info, "17712340001") != NULL;
      }
    g_assert_true (seen);
  }
  save_screenshot_of (window, "patient-panel-search");

  /* a mobile prefix */
  type_search ("1771234");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(RdPatient) found = g_list_model_get_item (results, i);

      g_assert_true (rd_patient_get_id (found) == phone1 || rd_patient_get_id (found) == phone2);
      g_assert_true (g_str_has_prefix (rd_patient_get_phone (found), "1771234"));
    }

  /* Down in the entry goes into the list, on the first row */
  for (guint i = 0; i < g_list_model_get_n_items (gtk_widget_observe_controllers (
                                                    GTK_WIDGET (search_entry ()))); i++)
    {
      g_autoptr(GtkEventController) controller =
        g_list_model_get_item (gtk_widget_observe_controllers (GTK_WIDGET (search_entry ())), i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        down_keys = g_steal_pointer (&controller);
    }
  g_assert_nonnull (down_keys);
  gtk_widget_grab_focus (GTK_WIDGET (search_entry ()));
  g_signal_emit_by_name (down_keys, "key-pressed", GDK_KEY_Down, 0, 0, &handled);
  g_assert_true (handled);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, child (panel, RD_TYPE_PATIENT_PANEL,
                                                       "results_view")));
  g_assert_nonnull (rd_patient_panel_get_patient (panel));
  {
    g_autoptr(RdPatient) first = g_list_model_get_item (results, 0);

    g_assert_cmpint (rd_patient_get_id (rd_patient_panel_get_patient (panel)), ==,
                     rd_patient_get_id (first));
  }

  /* Enter on a row (the list's activate) says which patient */
  before = n_activated;
  gtk_widget_activate_action (child (panel, RD_TYPE_PATIENT_PANEL, "results_view"),
                              "list.activate-item", "u", 1);
  g_assert_cmpuint (n_activated, ==, before + 1);
  {
    g_autoptr(RdPatient) second = g_list_model_get_item (results, 1);

    g_assert_cmpint (rd_patient_get_id (activated), ==, rd_patient_get_id (second));
    g_assert_true (rd_patient_panel_get_patient (panel) == activated);
  }

  /* the whole ID number: the one patient is chosen at once */
  rd_patient_panel_set_patient (panel, NULL);
  type_search (id);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_assert_nonnull (rd_patient_panel_get_patient (panel));
  g_assert_cmpint (rd_patient_get_id (rd_patient_panel_get_patient (panel)), ==, zsf1);

  /* Enter in the entry picks the first result */
  before = n_activated;
  type_search ("ZSF0001");
  g_signal_emit_by_name (search_entry (), "activate");
  g_assert_cmpuint (n_activated, ==, before + 1);
  g_assert_cmpint (rd_patient_get_id (activated), ==, zsf1);

  gtk_window_destroy (window);
}

static RdPatientEditor *
find_editor (void)
{
  GList *windows = gtk_window_list_toplevels ();
  RdPatientEditor *editor = NULL;

  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (RD_IS_PATIENT_EDITOR (l->data) && gtk_widget_get_visible (l->data))
        editor = l->data;
    }
  g_list_free (windows);

  return editor;
}

static gboolean
editor_gone (gpointer data)
{
  return find_editor () == NULL;
}

static gboolean
duplicate_shown (gpointer data)
{
  RdPatientEditor *editor = data;

  return gtk_revealer_get_reveal_child (child (editor, RD_TYPE_PATIENT_EDITOR,
                                               "duplicate_revealer")) &&
         !rd_patient_editor_get_busy (editor);
}

static gint64
count_named (const char *name)
{
  const char *params[] = { name };

  return owner_int ("SELECT count(*) FROM regdesk.patients WHERE name = $1", 1, params);
}

static void
set_field (RdPatientEditor *editor,
           const char      *row,
           const char      *text)
{
  gtk_editable_set_text (child (editor, RD_TYPE_PATIENT_EDITOR, row), text);
}

static gboolean
history_loaded (gpointer data)
{
  guint expected = GPOINTER_TO_UINT (data);
  RdPatientSummary summary;

  rd_patient_panel_get_summary (panel, &summary);

  return !rd_patient_panel_get_busy (panel) &&
         g_list_model_get_n_items (rd_patient_panel_get_history (panel)) == expected &&
         summary.appointments == (int) expected;
}

static void
test_register (void)
{
  const char *name = "欧阳新病人";
  g_autofree char *good_id = resident_id ("19880808", 19);
  g_autofree char *bad_id = g_strdup (good_id);
  RdPatientEditor *editor;
  GtkWidget *save_button;
  gint64 created;
  guint before;

  bad_id[17] = bad_id[17] == '0' ? '1' : '0';
  new_panel ();

  /* nobody found: Ctrl+N's editor starts with the name typed */
  type_search (name);
  g_assert_cmpuint (g_list_model_get_n_items (rd_patient_panel_get_results (panel)), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (panel), "patient-panel.new", NULL);
  ui_test_settle (200);
  editor = find_editor ();
  g_assert_nonnull (editor);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (editor)) == window);
  g_assert_cmpstr (gtk_editable_get_text (child (editor, RD_TYPE_PATIENT_EDITOR, "name_row")),
                   ==, name);
  save_button = child (editor, RD_TYPE_PATIENT_EDITOR, "save_button");
  g_assert_false (gtk_widget_get_sensitive (save_button));

  /* a mistyped ID: the words under the field, Save stays off, nothing written */
  set_field (editor, "id_number_row", bad_id);
  set_field (editor, "phone_row", "139 1234 5678");
  g_assert_cmpstr (rd_patient_editor_get_field_error (editor, RD_PATIENT_FIELD_ID_NUMBER), ==,
                   _("This ID number is mistyped: its last character does not match"));
  g_assert_true (gtk_widget_get_visible (child (editor, RD_TYPE_PATIENT_EDITOR,
                                                "id_number_error_row")));
  g_assert_false (rd_patient_editor_get_valid (editor));
  g_assert_false (gtk_widget_get_sensitive (save_button));
  /* Enter in the last field, and Save called anyway: refused before the database */
  g_signal_emit_by_name (child (editor, RD_TYPE_PATIENT_EDITOR, "card_row"), "entry-activated");
  rd_patient_editor_save (editor);
  g_assert_false (rd_patient_editor_get_busy (editor));
  ui_test_settle (300);
  g_assert_cmpint (count_named (name), ==, 0);
  g_assert_true (find_editor () == editor);
  save_screenshot_of (GTK_WINDOW (editor), "patient-editor-error");

  /* a short ID says how long it should be */
  set_field (editor, "id_number_row", "1101051988");
  g_assert_nonnull (strstr (rd_patient_editor_get_field_error (editor,
                                                               RD_PATIENT_FIELD_ID_NUMBER),
                            "18"));

  /* the right ID: birth date and sex come from it, locked */
  set_field (editor, "id_number_row", good_id);
  g_assert_null (rd_patient_editor_get_field_error (editor, RD_PATIENT_FIELD_ID_NUMBER));
  g_assert_cmpstr (gtk_editable_get_text (child (editor, RD_TYPE_PATIENT_EDITOR, "birth_row")),
                   ==, "1988-08-08");
  g_assert_true (gtk_toggle_button_get_active (child (editor, RD_TYPE_PATIENT_EDITOR,
                                                      "male_button")));
  g_assert_false (gtk_widget_get_sensitive (child (editor, RD_TYPE_PATIENT_EDITOR, "sex_row")));
  g_assert_false (gtk_widget_get_sensitive (child (editor, RD_TYPE_PATIENT_EDITOR,
                                                   "birth_row")));
  /* a bad mobile blocks too, and says so */
  set_field (editor, "phone_row", "139 1234 567");
  g_assert_nonnull (rd_patient_editor_get_field_error (editor, RD_PATIENT_FIELD_PHONE));
  g_assert_false (gtk_widget_get_sensitive (save_button));
  set_field (editor, "phone_row", "139 1234 5678");
  g_assert_null (rd_patient_editor_get_field_error (editor, RD_PATIENT_FIELD_PHONE));
  g_assert_true (rd_patient_editor_get_valid (editor));
  g_assert_true (gtk_widget_get_sensitive (save_button));
  save_screenshot_of (GTK_WINDOW (editor), "patient-editor");

  /* Enter in the last field saves; the panel goes on with the new patient */
  before = n_activated;
  g_signal_emit_by_name (child (editor, RD_TYPE_PATIENT_EDITOR, "card_row"), "entry-activated");
  g_assert_true (ui_test_wait_for (editor_gone, NULL, 10000));
  g_assert_cmpuint (n_activated, ==, before + 1);
  g_assert_cmpint (count_named (name), ==, 1);
  {
    const char *params[] = { good_id };

    created = owner_int ("SELECT id FROM regdesk.patients WHERE id_number = $1", 1, params);
  }
  g_assert_cmpint (rd_patient_get_id (activated), ==, created);
  g_assert_cmpstr (rd_patient_get_phone (activated), ==, "13912345678");
  g_assert_cmpstr (rd_patient_get_pinyin (activated), ==, "oyxbr");
  g_assert_true (rd_patient_panel_get_patient (panel) == activated);
  g_assert_true (ui_test_wait_for (history_loaded, GUINT_TO_POINTER (0), 5000));

  /* the same ID again: the one registered is named, and can be used instead */
  gtk_widget_activate_action (GTK_WIDGET (panel), "patient-panel.new", NULL);
  ui_test_settle (200);
  editor = find_editor ();
  g_assert_nonnull (editor);
  set_field (editor, "name_row", "欧阳重复");
  set_field (editor, "id_number_row", good_id);
  g_assert_true (rd_patient_editor_get_valid (editor));
  rd_patient_editor_save (editor);
  g_assert_true (ui_test_wait_for (duplicate_shown, editor, 10000));
  {
    g_autofree char *expected = g_strdup_printf (_("Already registered: %s"), name);

    g_assert_cmpstr (gtk_label_get_text (child (editor, RD_TYPE_PATIENT_EDITOR,
                                                "duplicate_label")), ==, expected);
  }
  g_assert_cmpint (count_named ("欧阳重复"), ==, 0);
  save_screenshot_of (GTK_WINDOW (editor), "patient-editor-duplicate");
  rd_patient_panel_set_patient (panel, NULL);
  before = n_activated;
  gtk_widget_activate (child (editor, RD_TYPE_PATIENT_EDITOR, "use_existing_button"));
  g_assert_true (ui_test_wait_for (editor_gone, NULL, 5000));
  g_assert_cmpuint (n_activated, ==, before + 1);
  g_assert_cmpint (rd_patient_get_id (activated), ==, created);
  g_assert_cmpint (rd_patient_get_id (rd_patient_panel_get_patient (panel)), ==, created);
  g_assert_cmpint (count_named ("欧阳重复"), ==, 0);
  g_assert_cmpint (count_named (name), ==, 1);

  gtk_window_destroy (window);
}

static gboolean
patient_phone_is (gpointer data)
{
  RdPatient *patient = rd_patient_panel_get_patient (panel);

  return !rd_patient_panel_get_busy (panel) && patient != NULL &&
         g_strcmp0 (rd_patient_get_phone (patient), data) == 0;
}

/* A history row's order line: the booking's number, then its order. */
static char *
history_order_text (const char        *number,
                    RdBookingResult   *booking,
                    gint64             amount,
                    const char        *order_status)
{
  g_autofree char *money = rd_money_format (amount);

  return g_strdup_printf ("%s · %s · %s · %s", number, booking->order_no, money,
                          rd_order_status_to_string (order_status));
}

static void
test_history_live (void)
{
  g_autofree char *id = resident_id ("19500101", 77);
  g_autoptr(RdResult) sessions = NULL;
  g_autoptr(RdBookingResult) first = NULL;
  g_autoptr(RdBookingResult) second = NULL;
  g_autoptr(RdPaymentResult) paid = NULL;
  g_autoptr(RdPatient) patient = NULL;
  g_autoptr(GError) error = NULL;
  RdPatientSummary summary;
  RdPatientEditor *editor;
  gint64 patient_id;

  patient_id = register_patient ("黄历史", "M", "1950-01-01", id, "13722223333", NULL);
  sessions = rd_db_query_sync (owner_db,
                               "SELECT DISTINCT ON (s.date) s.id, s.fee FROM regdesk.sessions s "
                               "WHERE s.date > (now() AT TIME ZONE 'Asia/Shanghai')::date + 1 "
                               "AND s.status = 'open' AND s.policy = 'fcfs' AND s.fee > 0 "
                               "AND EXISTS (SELECT 1 FROM regdesk.slots sl WHERE "
                               "sl.session_id = s.id AND sl.channel = 'window' "
                               "AND sl.status = 'free') ORDER BY s.date, s.id LIMIT 2",
                               0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (sessions), ==, 2);

  new_panel ();
  patient = rd_patients_get_sync (clerk_db, patient_id, NULL, &error);
  g_assert_no_error (error);
  rd_patient_panel_set_patient (panel, patient);
  g_assert_true (ui_test_wait_for (history_loaded, GUINT_TO_POINTER (0), 5000));

  /* bookings made at another window show up by themselves */
  first = rd_booking_book_sync (clerk_db, NULL, rd_result_get_int64 (sessions, 0, 0),
                                patient_id, RD_CHANNEL_WINDOW, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  second = rd_booking_book_sync (clerk_db, NULL, rd_result_get_int64 (sessions, 1, 0),
                                 patient_id, RD_CHANNEL_WINDOW, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  paid = rd_booking_pay_cash_sync (clerk_db, NULL, first->order_no,
                                   rd_result_get_int64 (sessions, 0, 1), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ui_test_wait_for (history_loaded, GUINT_TO_POINTER (2), 10000));
  rd_patient_panel_get_summary (panel, &summary);
  g_assert_cmpint (summary.upcoming, ==, 2);
  g_assert_cmpint (summary.unpaid_orders, ==, 1);
  g_assert_cmpint (summary.unpaid_amount, ==, rd_result_get_int64 (sessions, 1, 1));
  g_assert_cmpint (summary.no_shows, ==, 0);
  {
    LabelWait wait = { "history_view", "history-status", _("Awaiting payment") };

    g_assert_true (ui_test_wait_for (label_shown, &wait, 5000));
  }
  /* each booking shows its number, the one on its slip */
  {
    g_autofree char *number = g_strdup_printf (_("No. %d"), first->slot_seq);
    g_autofree char *text = history_order_text (number, first,
                                                rd_result_get_int64 (sessions, 0, 1), "paid");
    LabelWait wait = { "history_view", "history-order", text };

    g_assert_cmpint (first->slot_seq, >, 0);
    g_assert_true (ui_test_wait_for (label_shown, &wait, 5000));
  }
  /* once checked in, the queue number as well */
  {
    g_autofree char *appointment = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                    first->appointment_id);
    const char *params[] = { appointment };
    g_autoptr(RdResult) result = NULL;
    g_autofree char *number = g_strdup_printf (_("No. %d, queue %d"), first->slot_seq, 5);
    g_autofree char *text = history_order_text (number, first,
                                                rd_result_get_int64 (sessions, 0, 1), "paid");
    LabelWait wait = { "history_view", "history-order", text };

    result = rd_db_query_sync (owner_db, "UPDATE regdesk.appointments SET status = "
                               "'checked_in', checked_in_at = now(), queue_no = 5 "
                               "WHERE id = $1", 1, params, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (ui_test_wait_for (label_shown, &wait, 5000));
  }

  /* one of them missed: the no-show count follows */
  {
    g_autofree char *appointment = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                    first->appointment_id);
    const char *params[] = { appointment };
    g_autoptr(RdResult) result = NULL;

    result = rd_db_query_sync (owner_db, "UPDATE regdesk.appointments SET status = 'no_show', "
                               "checked_in_at = NULL, queue_no = NULL WHERE id = $1",
                               1, params, NULL, &error);
    g_assert_no_error (error);
  }
  {
    LabelWait wait = { "history_view", "history-status", C_("appointment", "No-show") };

    g_assert_true (ui_test_wait_for (label_shown, &wait, 5000));
  }
  rd_patient_panel_get_summary (panel, &summary);
  g_assert_cmpint (summary.no_shows, ==, 1);
  g_assert_cmpstr (gtk_label_get_text (child (panel, RD_TYPE_PATIENT_PANEL, "name_label")), ==,
                   "黄历史");
  save_screenshot_of (window, "patient-panel");

  /* a change to the patient elsewhere reaches the header */
  {
    g_autoptr(RdPatient) changed = rd_patients_get_sync (clerk_db, patient_id, NULL, &error);

    g_assert_no_error (error);
    g_object_set (changed, "phone", "13744445555", NULL);
    g_assert_true (rd_patients_update_sync (clerk_db, changed, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_true (ui_test_wait_for (patient_phone_is, (gpointer) "13744445555", 5000));
  g_assert_nonnull (strstr (gtk_label_get_text (child (panel, RD_TYPE_PATIENT_PANEL,
                                                       "contact_label")), "13744445555"));

  /* Ctrl+E edits the chosen patient, with their values */
  gtk_widget_activate_action (GTK_WIDGET (panel), "patient-panel.edit", NULL);
  ui_test_settle (200);
  editor = find_editor ();
  g_assert_nonnull (editor);
  g_assert_cmpstr (gtk_editable_get_text (child (editor, RD_TYPE_PATIENT_EDITOR, "phone_row")),
                   ==, "13744445555");
  g_assert_true (rd_patient_editor_get_valid (editor));
  set_field (editor, "card_row", "hls01");
  rd_patient_editor_save (editor);
  g_assert_true (ui_test_wait_for (editor_gone, NULL, 10000));
  g_assert_true (ui_test_wait_for (panel_idle, NULL, 5000));
  g_assert_cmpstr (rd_patient_get_card_no (rd_patient_panel_get_patient (panel)), ==, "HLS01");

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *localedir = NULL;
  int status;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--language="))
        language = argv[i] + strlen ("--language=");
      else if (g_str_has_prefix (argv[i], "--localedir="))
        localedir = argv[i] + strlen ("--localedir=");
      else
        continue;
      memmove (&argv[i], &argv[i + 1], (argc - i) * sizeof (char *));
      argc--;
      i--;
    }
  g_test_init (&argc, &argv, NULL);

  /* the server's messages stay English, as test-window.c explains */
  rd_test_pg_get ();
  rd_test_pg_load_demo ();
  owner_db = rd_test_pg_connect (NULL, NULL);
  clerk_db = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);

  g_setenv ("LANGUAGE", language, TRUE);
  if (localedir != NULL)
    g_setenv ("REGDESK_LOCALEDIR", localedir, TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  rd_application_init_i18n ();

  if (!gtk_init_check ())
    {
      g_printerr ("Bail out! The ui suite needs a display: run it under xvfb-run -a\n");
      return 1;
    }
  adw_init ();
  g_object_set (gtk_settings_get_default (),
                "gtk-enable-animations", FALSE,
                "gtk-cursor-blink", FALSE,
                NULL);

  artifacts_dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL ?
                                    g_getenv ("G_TEST_BUILDDIR") : ".",
                                    "ui", "artifacts", NULL);
  g_mkdir_with_parents (artifacts_dir, 0755);

  /* the application registers the resources and loads the style sheet */
  app = rd_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("Could not register the application: %s", error->message);

  g_test_add_func ("/ui/patient-panel/search", test_search);
  g_test_add_func ("/ui/patient-panel/register", test_register);
  g_test_add_func ("/ui/patient-panel/history-live", test_history_live);

  status = g_test_run ();
  g_clear_object (&activated);
  rd_db_close (clerk_db);
  g_clear_object (&clerk_db);

  return status;
}
