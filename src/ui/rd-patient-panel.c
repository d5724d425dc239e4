/* rd-patient-panel.c: finding the patient at the window, and their history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-appointment-row.h"
#include "rd-enums.h"
#include "rd-identity.h"
#include "rd-money.h"
#include "rd-order-row.h"
#include "rd-patient-editor.h"
#include "rd-patient-form.h"
#include "rd-patient-panel.h"
#include "rd-roster.h"
#include "rd-ui-util.h"

/* At most this many patients per search: a clerk types more rather than
 * scrolls further. */
#define MAX_RESULTS 50
#define MAX_HISTORY 200
/* Notifications collect this long before one reload of the details. */
#define REFRESH_DELAY_MS 300

struct _RdPatientPanel
{
  AdwBin              parent_instance;

  GtkSearchEntry     *search_entry;
  GtkStack           *results_stack;
  GtkListView        *results_view;
  GtkLabel           *empty_label;
  GtkStack           *details_stack;
  GtkLabel           *name_label;
  GtkLabel           *info_label;
  GtkLabel           *contact_label;
  GtkLabel           *upcoming_label;
  GtkLabel           *no_show_label;
  GtkLabel           *unpaid_label;
  GtkStack           *history_stack;
  GtkListView        *history_view;
  AdwStatusPage      *details_error_page;

  RdDb               *db;
  gulong              notification_handler;
  gulong              state_handler;

  GListStore         *results;
  GtkSingleSelection *results_selection;
  GCancellable       *search_cancellable;
  /* answers to any search but the latest are dropped */
  guint               search_serial;
  char               *searched;
  gboolean            search_pending;
  /* Enter came before the answer: activate what it brings */
  gboolean            activate_pending;

  RdPatient          *patient;
  GListStore         *history;
  RdPatientSummary    summary;
  GHashTable         *shown_orders;
  GCancellable       *details_cancellable;
  guint               details_serial;
  guint               details_pending;
  guint               refresh_source;
  gboolean            refresh_patient;
};

G_DEFINE_FINAL_TYPE (RdPatientPanel, rd_patient_panel, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_DB,
  PROP_PATIENT,
  N_PROPS
};

enum {
  PATIENT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void rd_patient_panel_load_details (RdPatientPanel *self,
                                           gboolean        reload_patient);

typedef struct
{
  RdPatientPanel *self;
  guint           serial;
  char           *query;
} SearchCall;

static void
search_call_free (SearchCall *call)
{
  g_object_unref (call->self);
  g_free (call->query);
  g_free (call);
}

typedef struct
{
  RdPatientPanel *self;
  guint           serial;
} DetailsCall;

static DetailsCall *
details_call_new (RdPatientPanel *self)
{
  DetailsCall *call = g_new0 (DetailsCall, 1);

  call->self = g_object_ref (self);
  call->serial = self->details_serial;
  self->details_pending++;

  return call;
}

/* TRUE when the answer is still wanted; frees @call (not its reference
 * on the panel, which the callback owns) either way. */
static gboolean
details_call_done (DetailsCall *call)
{
  RdPatientPanel *self = call->self;
  gboolean current = call->serial == self->details_serial;

  if (current && self->details_pending > 0)
    self->details_pending--;
  g_free (call);

  return current;
}

static gint64 *
int64_dup (gint64 value)
{
  return g_memdup2 (&value, sizeof value);
}

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *id = (gint64) value;

  return TRUE;
}

static char *
describe_document (RdPatient *patient)
{
  const char *number = rd_patient_get_id_number (patient);

  if (number == NULL || *number == '\0')
    return g_strdup (_("No document"));

  return rd_id_number_mask (number);
}

/* "110105********0015 · 13800138000 · Card CARD0001" */
static char *
describe_contact (RdPatient *patient,
                  gboolean   mask_document)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char *number = rd_patient_get_id_number (patient);
  const char *phone = rd_patient_get_phone (patient);
  const char *card = rd_patient_get_card_no (patient);
  int id_type = rd_id_type_from_db (rd_patient_get_id_type (patient));

  if (mask_document || number == NULL)
    g_ptr_array_add (parts, describe_document (patient));
  else
    /* Translators: a document's kind and number, "Passport E1234567" */
    g_ptr_array_add (parts, g_strdup_printf (_("%s %s"),
                                             rd_id_type_to_string (id_type >= 0 ? id_type
                                                                   : RD_ID_TYPE_NONE),
                                             number));
  if (phone != NULL && *phone != '\0')
    g_ptr_array_add (parts, g_strdup (phone));
  if (card != NULL && *card != '\0')
    /* Translators: a medical card number */
    g_ptr_array_add (parts, g_strdup_printf (_("Card %s"), card));
  g_ptr_array_add (parts, NULL);

  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* Results ------------------------------------------------------------------ */

static void
setup_result (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *sex_age = gtk_label_new (NULL);
  GtkWidget *info = gtk_label_new (NULL);

  gtk_widget_set_name (name, "patient-name");
  gtk_widget_set_name (info, "patient-info");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (sex_age), 0);
  gtk_widget_add_css_class (sex_age, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (info), 0);
  gtk_label_set_ellipsize (GTK_LABEL (info), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (info, "dim-label");
  gtk_widget_add_css_class (info, "caption");
  gtk_box_append (GTK_BOX (top), name);
  gtk_box_append (GTK_BOX (top), sex_age);
  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), info);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);

  g_object_set_data (G_OBJECT (item), "name", name);
  g_object_set_data (G_OBJECT (item), "sex-age", sex_age);
  g_object_set_data (G_OBJECT (item), "info", info);
  gtk_list_item_set_child (item, box);
}

static void
bind_result (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  RdPatient *patient = gtk_list_item_get_item (item);
  g_autofree char *sex_age = NULL;
  g_autofree char *info = NULL;

  sex_age = rd_patient_form_describe_sex_age (rd_patient_get_sex (patient),
                                              rd_patient_get_birth_date (patient), NULL);
  info = describe_contact (patient, TRUE);
  gtk_label_set_text (g_object_get_data (G_OBJECT (item), "name"), rd_patient_get_name (patient));
  gtk_label_set_text (g_object_get_data (G_OBJECT (item), "sex-age"), sex_age);
  gtk_label_set_text (g_object_get_data (G_OBJECT (item), "info"), info);
}

static void
replace_results (RdPatientPanel *self,
                 GListModel     *found)
{
  guint n_found = found != NULL ? g_list_model_get_n_items (found) : 0;
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (n_found, g_object_unref);

  for (guint i = 0; i < n_found; i++)
    g_ptr_array_add (items, g_list_model_get_item (found, i));

  /* one items-changed for the whole answer */
  g_list_store_splice (self->results, 0, g_list_model_get_n_items (G_LIST_MODEL (self->results)),
                       items->pdata, items->len);
}

static void
activate_result (RdPatientPanel *self,
                 guint           position)
{
  g_autoptr(RdPatient) patient = g_list_model_get_item (G_LIST_MODEL (self->results), position);

  if (patient == NULL)
    return;

  gtk_single_selection_set_selected (self->results_selection, position);
  rd_patient_panel_set_patient (self, patient);
  g_signal_emit (self, signals[PATIENT_ACTIVATED], 0, patient);
}

/* A whole document or card number found one patient: that is the one. */
static gboolean
is_exact_document_match (GListModel *found,
                         const char *query)
{
  g_autoptr(RdPatient) only = NULL;
  g_autofree char *upper = NULL;

  if (g_list_model_get_n_items (found) != 1)
    return FALSE;

  only = g_list_model_get_item (found, 0);
  upper = g_ascii_strup (query, -1);
  g_strstrip (upper);

  return g_strcmp0 (rd_patient_get_id_number (only), upper) == 0 ||
         g_strcmp0 (rd_patient_get_card_no (only), upper) == 0;
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  SearchCall *call = user_data;
  RdPatientPanel *self = call->self;
  g_autoptr(GListModel) found = NULL;
  g_autoptr(GError) error = NULL;
  guint n_found;

  found = rd_patients_search_finish (RD_DB (object), result, &error);

  /* a later keystroke made this answer stale */
  if (call->serial != self->search_serial ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      search_call_free (call);
      return;
    }

  self->search_pending = FALSE;
  if (found == NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The search failed: %s"), error->message);
      replace_results (self, NULL);
      gtk_label_set_text (self->empty_label, message);
      gtk_stack_set_visible_child_name (self->results_stack, "empty");
      self->activate_pending = FALSE;
      search_call_free (call);
      return;
    }

  replace_results (self, found);
  n_found = g_list_model_get_n_items (found);
  if (n_found == 0)
    {
      gtk_label_set_text (self->empty_label, _("Nobody registered matches this."));
      gtk_stack_set_visible_child_name (self->results_stack, "empty");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->results_stack, "results");
    }

  if (self->activate_pending && n_found > 0)
    activate_result (self, 0);
  else if (is_exact_document_match (found, call->query))
    gtk_single_selection_set_selected (self->results_selection, 0);
  self->activate_pending = FALSE;

  search_call_free (call);
}

static void
start_search (RdPatientPanel *self,
              const char     *text)
{
  g_autofree char *query = g_strstrip (g_strdup (text != NULL ? text : ""));
  SearchCall *call;

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->search_serial++;
  g_free (self->searched);
  self->searched = g_strdup (query);

  if (*query == '\0' || self->db == NULL)
    {
      self->search_pending = FALSE;
      self->activate_pending = FALSE;
      replace_results (self, NULL);
      gtk_stack_set_visible_child_name (self->results_stack, "hint");
      return;
    }

  self->search_pending = TRUE;
  self->search_cancellable = g_cancellable_new ();
  call = g_new0 (SearchCall, 1);
  call->self = g_object_ref (self);
  call->serial = self->search_serial;
  call->query = g_strdup (query);
  rd_patients_search_async (self->db, query, MAX_RESULTS, self->search_cancellable, search_cb,
                            call);
}

static void
on_search_text_changed (RdPatientPanel *self)
{
  /* every keystroke: the search running is already out of date */
  g_cancellable_cancel (self->search_cancellable);
  self->search_serial++;
  self->search_pending = TRUE;
}

static void
on_search_changed (RdPatientPanel *self)
{
  start_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_search_activate (RdPatientPanel *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *query = g_strstrip (g_strdup (text));
  guint selected;

  if (self->search_pending || g_strcmp0 (query, self->searched) != 0)
    {
      /* Enter before the debounce or the answer: search now, pick after */
      self->activate_pending = TRUE;
      start_search (self, text);
      return;
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0)
    return;

  selected = gtk_single_selection_get_selected (self->results_selection);
  activate_result (self, selected != GTK_INVALID_LIST_POSITION ? selected : 0);
}

static void
on_stop_search (RdPatientPanel *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static gboolean
on_search_key_pressed (RdPatientPanel        *self,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       GtkEventControllerKey *controller)
{
  if (keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down)
    return FALSE;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0)
    return FALSE;

  if (gtk_single_selection_get_selected (self->results_selection) == GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (self->results_selection, 0);
  gtk_widget_child_focus (GTK_WIDGET (self->results_view), GTK_DIR_TAB_FORWARD);

  return TRUE;
}

static void
on_result_activated (RdPatientPanel *self,
                     guint           position)
{
  activate_result (self, position);
}

static void
on_result_selected (RdPatientPanel *self)
{
  RdPatient *patient = gtk_single_selection_get_selected_item (self->results_selection);

  /* moving through the results shows each one; clearing them keeps the choice */
  if (patient != NULL)
    rd_patient_panel_set_patient (self, patient);
}

/* Details ------------------------------------------------------------------ */

static void
setup_history (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *middle = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *when = gtk_label_new (NULL);
  GtkWidget *badge = gtk_label_new (NULL);
  GtkWidget *where = gtk_label_new (NULL);
  GtkWidget *order = gtk_label_new (NULL);

  gtk_widget_set_name (when, "history-when");
  gtk_widget_set_name (badge, "history-status");
  gtk_widget_set_name (where, "history-where");
  gtk_widget_set_name (order, "history-order");
  /* the date is the row's point: wrap it rather than cut it */
  gtk_label_set_xalign (GTK_LABEL (when), 0);
  gtk_label_set_wrap (GTK_LABEL (when), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (when), 30);
  gtk_widget_add_css_class (when, "heading");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (where), 0);
  gtk_widget_set_hexpand (where, TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (where), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (order), 0);
  gtk_label_set_ellipsize (GTK_LABEL (order), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (order, "caption");
  gtk_box_append (GTK_BOX (middle), where);
  gtk_box_append (GTK_BOX (middle), badge);
  gtk_box_append (GTK_BOX (box), when);
  gtk_box_append (GTK_BOX (box), middle);
  gtk_box_append (GTK_BOX (box), order);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);

  g_object_set_data (G_OBJECT (item), "when", when);
  g_object_set_data (G_OBJECT (item), "badge", badge);
  g_object_set_data (G_OBJECT (item), "where", where);
  g_object_set_data (G_OBJECT (item), "order", order);
  gtk_list_item_set_child (item, box);
}

static void
bind_history (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  RdAppointmentRow *row = gtk_list_item_get_item (item);
  const char *status = rd_appointment_row_get_status (row);
  int period = rd_period_from_db (rd_appointment_row_get_period (row));
  g_autofree char *date = rd_ui_format_date (rd_appointment_row_get_date (row));
  g_autofree char *time = rd_ui_format_time_range (rd_appointment_row_get_starts_at (row),
                                                   rd_appointment_row_get_ends_at (row));
  g_autofree char *when = NULL;
  g_autofree char *where = NULL;
  g_autofree char *order = NULL;
  g_autofree char *badge_class = g_strdup_printf ("status-%s", status != NULL ? status : "");
  const char *classes[] = { "status-badge", badge_class, NULL };
  GtkWidget *order_label = g_object_get_data (G_OBJECT (item), "order");

  /* Translators: date, period of the day, clock times */
  when = g_strdup_printf (_("%s, %s %s"), date,
                          period >= 0 ? rd_period_to_string (period) : "", time);
  /* Translators: department · doctor (title) */
  where = g_strdup_printf (_("%s · %s (%s)"), rd_appointment_row_get_department_name (row),
                           rd_appointment_row_get_doctor_name (row),
                           rd_doctor_title_to_string (rd_appointment_row_get_doctor_title (row)));
  if (rd_appointment_row_get_order_no (row) != NULL)
    {
      g_autofree char *amount = rd_money_format (rd_appointment_row_get_amount (row));

      const char *order_status = rd_appointment_row_get_order_status (row);

      order = g_strdup_printf ("%s · %s · %s", rd_appointment_row_get_order_no (row), amount,
                               rd_order_status_to_string (order_status));
    }
  if (rd_appointment_row_get_slot_seq (row) > 0)
    {
      g_autofree char *number = NULL;
      char *joined;

      if (rd_appointment_row_get_queue_no (row) > 0)
        /* Translators: the booking's number (its slot's, as on the slip),
         * then the queue number given at check-in */
        number = g_strdup_printf (_("No. %d, queue %d"), rd_appointment_row_get_slot_seq (row),
                                  rd_appointment_row_get_queue_no (row));
      else
        /* Translators: the booking's number (its slot's, as on the slip) */
        number = g_strdup_printf (_("No. %d"), rd_appointment_row_get_slot_seq (row));
      joined = order != NULL ? g_strdup_printf ("%s · %s", number, order) : g_strdup (number);
      g_free (order);
      order = joined;
    }

  gtk_label_set_text (g_object_get_data (G_OBJECT (item), "when"), when);
  gtk_label_set_text (g_object_get_data (G_OBJECT (item), "where"), where);
  gtk_label_set_text (GTK_LABEL (order_label), order != NULL ? order : "");
  gtk_widget_set_visible (order_label, order != NULL);
  gtk_label_set_text (g_object_get_data (G_OBJECT (item), "badge"),
                      rd_appointment_status_to_string (status));
  gtk_widget_set_css_classes (g_object_get_data (G_OBJECT (item), "badge"), classes);
  if (rd_appointment_row_get_unpaid (row))
    gtk_widget_add_css_class (order_label, "error");
  else
    gtk_widget_remove_css_class (order_label, "error");
}

static void
show_header (RdPatientPanel *self)
{
  g_autofree char *sex_age = NULL;
  g_autofree char *contact = NULL;

  if (self->patient == NULL)
    {
      gtk_stack_set_visible_child_name (self->details_stack, "none");
      return;
    }

  sex_age = rd_patient_form_describe_sex_age (rd_patient_get_sex (self->patient),
                                              rd_patient_get_birth_date (self->patient), NULL);
  /* the clerk is looking at the patient's own card: the whole number */
  contact = describe_contact (self->patient, FALSE);
  gtk_label_set_text (self->name_label, rd_patient_get_name (self->patient));
  gtk_label_set_text (self->info_label, sex_age);
  gtk_label_set_text (self->contact_label, contact);
  gtk_stack_set_visible_child_name (self->details_stack, "patient");
}

static void
set_count_style (GtkLabel *label,
                 gboolean  alert)
{
  if (alert)
    gtk_widget_add_css_class (GTK_WIDGET (label), "patient-count-alert");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "patient-count-alert");
}

static void
show_summary (RdPatientPanel *self)
{
  g_autofree char *upcoming = NULL;
  g_autofree char *no_shows = NULL;
  g_autofree char *unpaid = NULL;

  /* Translators: a count under its heading, on two lines */
  upcoming = g_strdup_printf (_("Upcoming\n%d"), self->summary.upcoming);
  no_shows = g_strdup_printf (_("No-shows\n%d"), self->summary.no_shows);
  if (self->summary.unpaid_orders == 0)
    {
      unpaid = g_strdup (_("Unpaid\nnone"));
    }
  else
    {
      g_autofree char *amount = rd_money_format (self->summary.unpaid_amount);

      /* Translators: unpaid orders, their count and sum */
      unpaid = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Unpaid\n%d order, %s",
                                             "Unpaid\n%d orders, %s",
                                             self->summary.unpaid_orders),
                                self->summary.unpaid_orders, amount);
    }

  gtk_label_set_text (self->upcoming_label, upcoming);
  gtk_label_set_text (self->no_show_label, no_shows);
  gtk_label_set_text (self->unpaid_label, unpaid);
  set_count_style (self->no_show_label, self->summary.no_shows > 0);
  set_count_style (self->unpaid_label, self->summary.unpaid_orders > 0);
}

static void
show_details_error (RdPatientPanel *self,
                    const GError   *error)
{
  g_autofree char *message = NULL;

  rd_patient_form_describe_error (error, &message);
  adw_status_page_set_description (self->details_error_page, message);
  gtk_stack_set_visible_child_name (self->details_stack, "error");
}

static void
history_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  DetailsCall *call = user_data;
  g_autoptr(RdPatientPanel) self = call->self;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint n_items;

  history = rd_patients_history_finish (RD_DB (object), result, &error);
  if (!details_call_done (call))
    return;
  if (history == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_details_error (self, error);
      return;
    }

  n_items = g_list_model_get_n_items (history);
  items = g_ptr_array_new_full (n_items, g_object_unref);
  g_hash_table_remove_all (self->shown_orders);
  for (guint i = 0; i < n_items; i++)
    {
      RdAppointmentRow *row = g_list_model_get_item (history, i);

      if (rd_appointment_row_get_order_id (row) > 0)
        g_hash_table_add (self->shown_orders, int64_dup (rd_appointment_row_get_order_id (row)));
      g_ptr_array_add (items, row);
    }
  g_list_store_splice (self->history, 0, g_list_model_get_n_items (G_LIST_MODEL (self->history)),
                       items->pdata, items->len);
  gtk_stack_set_visible_child_name (self->history_stack, n_items > 0 ? "list" : "empty");
}

static void
summary_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  DetailsCall *call = user_data;
  g_autoptr(RdPatientPanel) self = call->self;
  g_autoptr(GError) error = NULL;
  RdPatientSummary summary = { 0 };
  gboolean ok;

  ok = rd_patients_summary_finish (RD_DB (object), result, &summary, &error);
  if (!details_call_done (call))
    return;
  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_details_error (self, error);
      return;
    }

  self->summary = summary;
  show_summary (self);
}

static void
patient_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  DetailsCall *call = user_data;
  g_autoptr(RdPatientPanel) self = call->self;
  g_autoptr(RdPatient) patient = NULL;
  g_autoptr(GError) error = NULL;

  patient = rd_patients_get_finish (RD_DB (object), result, &error);
  if (!details_call_done (call))
    return;
  if (patient == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_details_error (self, error);
      return;
    }

  /* the same patient, read again: new values, same choice */
  if (self->patient != NULL && rd_patient_get_id (self->patient) == rd_patient_get_id (patient))
    {
      g_set_object (&self->patient, patient);
      show_header (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT]);
    }
}

static void
rd_patient_panel_load_details (RdPatientPanel *self,
                               gboolean        reload_patient)
{
  gint64 id;

  g_cancellable_cancel (self->details_cancellable);
  g_clear_object (&self->details_cancellable);
  self->details_serial++;
  self->details_pending = 0;

  if (self->patient == NULL || self->db == NULL || rd_patient_get_id (self->patient) <= 0)
    return;

  id = rd_patient_get_id (self->patient);
  self->details_cancellable = g_cancellable_new ();
  /* one connection runs them in order: the three arrive together */
  if (reload_patient)
    rd_patients_get_async (self->db, id, self->details_cancellable, patient_cb,
                           details_call_new (self));
  rd_patients_history_async (self->db, id, MAX_HISTORY, self->details_cancellable, history_cb,
                             details_call_new (self));
  rd_patients_summary_async (self->db, id, self->details_cancellable, summary_cb,
                             details_call_new (self));
}

static gboolean
refresh_cb (gpointer user_data)
{
  RdPatientPanel *self = user_data;

  self->refresh_source = 0;
  rd_patient_panel_load_details (self, self->refresh_patient);
  self->refresh_patient = FALSE;

  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (RdPatientPanel *self,
                  gboolean        reload_patient)
{
  self->refresh_patient |= reload_patient;
  if (self->refresh_source != 0)
    return;

  self->refresh_source = g_timeout_add (REFRESH_DELAY_MS, refresh_cb, self);
  g_source_set_name_by_id (self->refresh_source, "[regdesk] patient panel refresh");
}

static void
on_notification (RdDb           *db,
                 const char     *channel,
                 const char     *payload,
                 RdPatientPanel *self)
{
  g_auto(GStrv) parts = NULL;
  gint64 id;

  if (self->patient == NULL || g_strcmp0 (channel, RD_CHANGE_CHANNEL) != 0 || payload == NULL)
    return;

  parts = g_strsplit (payload, ":", 3);
  if (g_strv_length (parts) != 3 || !parse_id (parts[2], &id))
    return;

  if (g_str_equal (parts[0], "patient"))
    {
      if (id == rd_patient_get_id (self->patient))
        schedule_refresh (self, TRUE);
    }
  else if (g_str_equal (parts[0], "appointment"))
    {
      /* the payload does not say whose appointment it is: a new one may be
       * this patient's, so any appointment change reloads (coalesced) */
      schedule_refresh (self, FALSE);
    }
  else if (g_str_equal (parts[0], "order"))
    {
      /* new orders come with a new appointment; only shown ones matter */
      if (g_hash_table_contains (self->shown_orders, &id))
        schedule_refresh (self, FALSE);
    }
}

static void
on_state_changed (RdDb           *db,
                  GParamSpec     *pspec,
                  RdPatientPanel *self)
{
  /* notifications sent while the connection was down are lost */
  if (rd_db_get_state (db) == RD_DB_STATE_CONNECTED && self->patient != NULL)
    schedule_refresh (self, TRUE);
}

static void
update_actions (RdPatientPanel *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient-panel.new", self->db != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient-panel.edit",
                                 self->db != NULL && self->patient != NULL);
}

/* Editor ------------------------------------------------------------------ */

static void
show_only (RdPatientPanel *self,
           RdPatient      *patient)
{
  GListStore *one = g_list_store_new (RD_TYPE_PATIENT);

  g_list_store_append (one, patient);
  replace_results (self, G_LIST_MODEL (one));
  g_object_unref (one);
  gtk_stack_set_visible_child_name (self->results_stack, "results");
  gtk_single_selection_set_selected (self->results_selection, 0);
}

static void
on_editor_registered (RdPatientPanel *self,
                      RdPatient      *patient)
{
  show_only (self, patient);
  rd_patient_panel_set_patient (self, patient);
  g_signal_emit (self, signals[PATIENT_ACTIVATED], 0, patient);
}

static void
on_editor_changed (RdPatientPanel *self,
                   RdPatient      *patient)
{
  /* the results show the old values: search again, and show the new ones */
  if (self->searched != NULL && *self->searched != '\0')
    start_search (self, self->searched);
  g_set_object (&self->patient, patient);
  show_header (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT]);
  rd_patient_panel_load_details (self, FALSE);
}

static void
open_editor (RdPatientPanel *self,
             RdPatient      *patient)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  RdPatientEditor *editor;

  editor = rd_patient_editor_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->db,
                                  patient);
  if (patient == NULL)
    {
      if (g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0)
        rd_patient_editor_prefill (editor,
                                   gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
      g_signal_connect_object (editor, "saved", G_CALLBACK (on_editor_registered), self,
                               G_CONNECT_SWAPPED);
    }
  else
    {
      g_signal_connect_object (editor, "saved", G_CALLBACK (on_editor_changed), self,
                               G_CONNECT_SWAPPED);
    }
  g_signal_connect_object (editor, "existing-chosen", G_CALLBACK (on_editor_registered), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
new_patient_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  RdPatientPanel *self = RD_PATIENT_PANEL (widget);

  if (self->db != NULL)
    open_editor (self, NULL);
}

static void
edit_patient_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RdPatientPanel *self = RD_PATIENT_PANEL (widget);

  if (self->db != NULL && self->patient != NULL)
    open_editor (self, self->patient);
}

/* GObject ------------------------------------------------------------------ */

static void
rd_patient_panel_dispose (GObject *object)
{
  RdPatientPanel *self = RD_PATIENT_PANEL (object);

  rd_patient_panel_set_db (self, NULL);
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_cancellable_cancel (self->details_cancellable);
  g_clear_object (&self->details_cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_PATIENT_PANEL);
  g_clear_object (&self->results_selection);
  g_clear_object (&self->results);
  g_clear_object (&self->history);
  g_clear_object (&self->patient);

  G_OBJECT_CLASS (rd_patient_panel_parent_class)->dispose (object);
}

static void
rd_patient_panel_finalize (GObject *object)
{
  RdPatientPanel *self = RD_PATIENT_PANEL (object);

  g_clear_pointer (&self->searched, g_free);
  g_clear_pointer (&self->shown_orders, g_hash_table_unref);

  G_OBJECT_CLASS (rd_patient_panel_parent_class)->finalize (object);
}

static void
rd_patient_panel_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RdPatientPanel *self = RD_PATIENT_PANEL (object);

  switch (prop_id)
    {
    case PROP_DB:
      g_value_set_object (value, self->db);
      break;

    case PROP_PATIENT:
      g_value_set_object (value, self->patient);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_patient_panel_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RdPatientPanel *self = RD_PATIENT_PANEL (object);

  switch (prop_id)
    {
    case PROP_DB:
      rd_patient_panel_set_db (self, g_value_get_object (value));
      break;

    case PROP_PATIENT:
      rd_patient_panel_set_patient (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_patient_panel_class_init (RdPatientPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_patient_panel_dispose;
  object_class->finalize = rd_patient_panel_finalize;
  object_class->get_property = rd_patient_panel_get_property;
  object_class->set_property = rd_patient_panel_set_property;

  properties[PROP_DB] =
    g_param_spec_object ("db", NULL, NULL, RD_TYPE_DB,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PATIENT] =
    g_param_spec_object ("patient", NULL, NULL, RD_TYPE_PATIENT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PATIENT_ACTIVATED] =
    g_signal_new ("patient-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, RD_TYPE_PATIENT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rd-patient-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, results_stack);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, results_view);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, empty_label);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, details_stack);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, name_label);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, info_label);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, contact_label);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, upcoming_label);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, no_show_label);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, unpaid_label);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, history_stack);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, history_view);
  gtk_widget_class_bind_template_child (widget_class, RdPatientPanel, details_error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_search_text_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_result_activated);

  gtk_widget_class_install_action (widget_class, "patient-panel.new", NULL, new_patient_action);
  gtk_widget_class_install_action (widget_class, "patient-panel.edit", NULL,
                                   edit_patient_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "patient-panel.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "patient-panel.edit", NULL);
}

static void
rd_patient_panel_init (RdPatientPanel *self)
{
  GtkListItemFactory *factory;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->shown_orders = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  self->results = g_list_store_new (RD_TYPE_PATIENT);
  self->results_selection =
    gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->results)));
  gtk_single_selection_set_autoselect (self->results_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->results_selection, TRUE);
  g_signal_connect_swapped (self->results_selection, "notify::selected",
                            G_CALLBACK (on_result_selected), self);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_result), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_result), NULL);
  gtk_list_view_set_factory (self->results_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->results_view, GTK_SELECTION_MODEL (self->results_selection));

  self->history = g_list_store_new (RD_TYPE_APPOINTMENT_ROW);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_history), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_history), NULL);
  gtk_list_view_set_factory (self->history_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->history_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (
                             G_LIST_MODEL (g_object_ref (self->history)))));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (on_search_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);

  gtk_stack_set_visible_child_name (self->results_stack, "hint");
  gtk_stack_set_visible_child_name (self->details_stack, "none");
  show_summary (self);
  update_actions (self);
}

RdPatientPanel *
rd_patient_panel_new (void)
{
  return g_object_new (RD_TYPE_PATIENT_PANEL, NULL);
}

void
rd_patient_panel_set_db (RdPatientPanel *self,
                         RdDb           *db)
{
  g_return_if_fail (RD_IS_PATIENT_PANEL (self));
  g_return_if_fail (db == NULL || RD_IS_DB (db));

  if (self->db == db)
    return;

  if (self->db != NULL)
    {
      g_clear_signal_handler (&self->notification_handler, self->db);
      g_clear_signal_handler (&self->state_handler, self->db);
    }
  g_set_object (&self->db, db);

  if (db != NULL)
    {
      self->notification_handler =
        g_signal_connect_object (db, "notification", G_CALLBACK (on_notification), self,
                                 G_CONNECT_DEFAULT);
      self->state_handler =
        g_signal_connect_object (db, "notify::state", G_CALLBACK (on_state_changed), self,
                                 G_CONNECT_DEFAULT);
      rd_db_listen (db, RD_CHANGE_CHANNEL);
    }

  /* another login: nothing of the last one stays on screen */
  if (gtk_widget_in_destruction (GTK_WIDGET (self)) == FALSE)
    {
      rd_patient_panel_set_patient (self, NULL);
      start_search (self, db != NULL ? gtk_editable_get_text (GTK_EDITABLE (self->search_entry))
                                     : "");
      update_actions (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DB]);
}

RdDb *
rd_patient_panel_get_db (RdPatientPanel *self)
{
  g_return_val_if_fail (RD_IS_PATIENT_PANEL (self), NULL);

  return self->db;
}

RdPatient *
rd_patient_panel_get_patient (RdPatientPanel *self)
{
  g_return_val_if_fail (RD_IS_PATIENT_PANEL (self), NULL);

  return self->patient;
}

void
rd_patient_panel_set_patient (RdPatientPanel *self,
                              RdPatient      *patient)
{
  g_return_if_fail (RD_IS_PATIENT_PANEL (self));
  g_return_if_fail (patient == NULL || RD_IS_PATIENT (patient));

  if (!g_set_object (&self->patient, patient))
    return;

  memset (&self->summary, 0, sizeof self->summary);
  g_hash_table_remove_all (self->shown_orders);
  g_list_store_remove_all (self->history);
  gtk_stack_set_visible_child_name (self->history_stack, "empty");
  show_header (self);
  show_summary (self);
  update_actions (self);
  rd_patient_panel_load_details (self, FALSE);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT]);
}

void
rd_patient_panel_focus_search (RdPatientPanel *self)
{
  g_return_if_fail (RD_IS_PATIENT_PANEL (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

void
rd_patient_panel_refresh (RdPatientPanel *self)
{
  g_return_if_fail (RD_IS_PATIENT_PANEL (self));

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  self->refresh_patient = FALSE;
  rd_patient_panel_load_details (self, TRUE);
}

GListModel *
rd_patient_panel_get_results (RdPatientPanel *self)
{
  g_return_val_if_fail (RD_IS_PATIENT_PANEL (self), NULL);

  return G_LIST_MODEL (self->results);
}

GListModel *
rd_patient_panel_get_history (RdPatientPanel *self)
{
  g_return_val_if_fail (RD_IS_PATIENT_PANEL (self), NULL);

  return G_LIST_MODEL (self->history);
}

gboolean
rd_patient_panel_get_busy (RdPatientPanel *self)
{
  g_return_val_if_fail (RD_IS_PATIENT_PANEL (self), FALSE);

  return self->search_pending || self->details_pending > 0 || self->refresh_source != 0;
}

void
rd_patient_panel_get_summary (RdPatientPanel   *self,
                              RdPatientSummary *summary)
{
  g_return_if_fail (RD_IS_PATIENT_PANEL (self));
  g_return_if_fail (summary != NULL);

  *summary = self->summary;
}
