/* rd-desk-page.c: the registration desk: the day's roster by department
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-booking.h"
#include "rd-department.h"
#include "rd-desk-page.h"
#include "rd-money.h"
#include "rd-patient-panel.h"
#include "rd-payment-dialog.h"
#include "rd-session-cells.h"
#include "rd-session.h"
#include "rd-slip-printer.h"
#include "rd-slips.h"
#include "rd-slot-grid.h"
#include "rd-slot-list.h"
#include "rd-ui-util.h"

struct _RdDeskPage
{
  AdwBin               parent_instance;

  RdPatientPanel      *patient_panel;
  GtkLabel            *session_label;
  GtkLabel            *patient_label;
  GtkLabel            *message_label;
  GtkStack            *slots_stack;
  RdSlotGrid          *slot_grid;
  GtkBox              *legend_box;
  GtkListView         *departments_view;
  GtkSearchEntry      *search_entry;
  GtkDropDown         *period_dropdown;
  GtkLabel            *summary_label;
  GtkStack            *content_stack;
  GtkColumnView       *sessions_view;
  GtkSpinner          *loading_spinner;
  AdwStatusPage       *empty_page;

  RdRoster            *roster;
  GListModel          *roster_departments;

  /* "All departments" first, then the roster's departments */
  RdDepartment        *all_departments;
  GListStore          *department_models;
  GtkSingleSelection  *department_selection;
  GPtrArray           *watched_departments;

  GtkCustomFilter     *filter;
  GtkFilterListModel  *filter_model;
  GtkSortListModel    *sort_model;
  GtkSingleSelection  *session_selection;

  RdDb                *db;
  RdPayService        *pay;
  RdSlotList          *slots;
  RdSession           *session;       /* the one whose slots the grid shows */
  GCancellable        *cancellable;   /* the desk's writes; cancelled on log-out */
  /* Kept across retries of one booking, so that a lost answer books once. */
  char                *book_request_id;
  gboolean             busy;
  gboolean             pick_first_free; /* once the grid loads, select its first free slot */

  gint64               department_id;
  int                  period;   /* RdPeriod, or RD_DESK_ANY_PERIOD */
  char                *search;
};

#define RD_DESK_ANY_PERIOD (-1)

G_DEFINE_FINAL_TYPE (RdDeskPage, rd_desk_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ROSTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
rd_desk_page_filter_session (gpointer item,
                             gpointer user_data)
{
  RdDeskPage *self = user_data;
  RdSession *session = item;

  if (self->department_id != 0 && rd_session_get_department_id (session) != self->department_id)
    return FALSE;

  if (self->period != RD_DESK_ANY_PERIOD && (int) rd_session_get_period (session) != self->period)
    return FALSE;

  return rd_ui_name_matches (self->search, rd_session_get_doctor_name (session), NULL) ||
         rd_ui_name_matches (self->search, rd_session_get_department_name (session),
                             rd_session_get_department_pinyin (session));
}

static void
rd_desk_page_update_content (RdDeskPage *self)
{
  GListModel *roster = G_LIST_MODEL (self->roster);
  guint n_roster = roster != NULL ? g_list_model_get_n_items (roster) : 0;
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  gboolean loading = self->roster != NULL && rd_roster_get_loading (self->roster);
  g_autofree char *summary = NULL;

  gtk_spinner_set_spinning (self->loading_spinner, loading && n_roster == 0);

  if (loading && n_roster == 0)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "loading");
    }
  else if (n_roster == 0)
    {
      g_autofree char *date = NULL;
      g_autofree char *description = NULL;

      date = rd_ui_format_date (self->roster != NULL ? rd_roster_get_date (self->roster) : NULL);
      description = g_strdup_printf (_("Nobody is on the roster for %s."), date);
      adw_status_page_set_icon_name (self->empty_page, "x-office-calendar-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Clinics on This Day"));
      adw_status_page_set_description (self->empty_page, description);
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
    }
  else if (n_shown == 0)
    {
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Matching Sessions"));
      adw_status_page_set_description (self->empty_page,
                                       _("Try another name, or choose “All departments”."));
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->content_stack, "sessions");
    }

  if (n_shown == n_roster)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u session", "%u sessions",
                                            n_roster),
                               n_roster);
  else
    /* Translators: sessions the filter shows out of the day's sessions */
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u session",
                                            "%u of %u sessions", n_roster),
                               n_shown, n_roster);
  gtk_label_set_text (self->summary_label, summary);
}

static void
rd_desk_page_update_all_departments (RdDeskPage *self)
{
  int n_free = 0;
  int n_sessions = 0;

  if (self->roster != NULL)
    n_sessions = g_list_model_get_n_items (G_LIST_MODEL (self->roster));

  for (guint i = 0; i < self->watched_departments->len; i++)
    n_free += rd_department_get_n_free (g_ptr_array_index (self->watched_departments, i));

  g_object_set (self->all_departments,
                "n-sessions", n_sessions,
                "n-free", n_free,
                NULL);
}

static void
rd_desk_page_unwatch_departments (RdDeskPage *self)
{
  for (guint i = 0; i < self->watched_departments->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->watched_departments, i), self);
  g_ptr_array_set_size (self->watched_departments, 0);
}

static void
on_roster_departments_changed (RdDeskPage *self,
                               guint       position,
                               guint       removed,
                               guint       added,
                               GListModel *departments)
{
  guint n_items = g_list_model_get_n_items (departments);

  /* a few dozen departments: watching them all afresh is simplest */
  rd_desk_page_unwatch_departments (self);
  for (guint i = 0; i < n_items; i++)
    {
      RdDepartment *department = g_list_model_get_item (departments, i);

      g_signal_connect_swapped (department, "notify::n-free",
                                G_CALLBACK (rd_desk_page_update_all_departments), self);
      g_ptr_array_add (self->watched_departments, department);
    }

  rd_desk_page_update_all_departments (self);
}

static void
on_department_selected (RdDeskPage *self)
{
  RdDepartment *department = gtk_single_selection_get_selected_item (self->department_selection);
  gint64 department_id = department != NULL ? rd_department_get_id (department) : 0;
  GtkFilterChange change;

  if (!rd_ui_department_change (self->department_id, department_id, &change))
    return;

  self->department_id = department_id;
  gtk_filter_changed (GTK_FILTER (self->filter), change);
}

static void
on_search_changed (RdDeskPage *self)
{
  g_autofree char *search = rd_ui_fold (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  GtkFilterChange change;

  g_strstrip (search);
  if (!rd_ui_search_change (self->search, search, &change))
    return;

  g_free (self->search);
  self->search = g_steal_pointer (&search);
  gtk_filter_changed (GTK_FILTER (self->filter), change);
}

static void
on_period_selected (RdDeskPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->period_dropdown);
  /* the list is "Whole day", then the periods in RdPeriod's order */
  int period = selected == 0 || selected == GTK_INVALID_LIST_POSITION
               ? RD_DESK_ANY_PERIOD : (int) (RD_PERIOD_MORNING + selected - 1);
  GtkFilterChange change;

  if (period == self->period)
    return;

  if (self->period == RD_DESK_ANY_PERIOD)
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (period == RD_DESK_ANY_PERIOD)
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  else
    change = GTK_FILTER_CHANGE_DIFFERENT;

  self->period = period;
  gtk_filter_changed (GTK_FILTER (self->filter), change);
}

static void
on_search_activate (RdDeskPage *self)
{
  /* Enter in the search goes to the results, to pick one with the arrows */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) > 0)
    gtk_widget_child_focus (GTK_WIDGET (self->sessions_view), GTK_DIR_TAB_FORWARD);
}

static void
on_roster_date_changed (RdDeskPage *self)
{
  gtk_single_selection_set_selected (self->department_selection, 0);
  rd_desk_page_update_content (self);
}

/* The desk: patient, session, slot, fee, slip ---------------------------- */

static void
rd_desk_page_say (RdDeskPage *self,
                  const char *message,
                  gboolean    is_error)
{
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  /* screen readers hear what happened, not only what is focused */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->message_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  message != NULL ? message : "", -1);
}

static void
rd_desk_page_say_error (RdDeskPage   *self,
                        const GError *error)
{
  g_autofree char *message = rd_ui_describe_desk_error (error);

  if (message != NULL)
    rd_desk_page_say (self, message, TRUE);
}

static RdSlot *
rd_desk_page_get_selected_slot (RdDeskPage *self)
{
  int seq = rd_slot_grid_get_selected_seq (self->slot_grid);

  if (self->slots == NULL || seq <= 0)
    return NULL;

  return rd_slot_list_lookup (self->slots, seq);
}

static gboolean
slot_has_live_booking (RdSlot *slot)
{
  if (slot == NULL || rd_slot_get_appointment_id (slot) == 0)
    return FALSE;

  switch (rd_slot_get_status (slot))
    {
    case RD_SLOT_STATUS_HELD:
    case RD_SLOT_STATUS_BOOKED:
    case RD_SLOT_STATUS_PAID:
      return TRUE;
    case RD_SLOT_STATUS_FREE:
    case RD_SLOT_STATUS_CHECKED_IN:
    case RD_SLOT_STATUS_NO_SHOW:
    case RD_SLOT_STATUS_LOCKED:
    default:
      return FALSE;
    }
}

static void
rd_desk_page_update_actions (RdDeskPage *self)
{
  RdSlot *slot = rd_desk_page_get_selected_slot (self);
  RdPatient *patient = rd_patient_panel_get_patient (self->patient_panel);
  gboolean ready = self->db != NULL && !self->busy;
  gboolean bookable = slot == NULL || rd_slot_is_bookable (slot);
  const char *order_status = slot != NULL ? rd_slot_get_order_status (slot) : NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.book",
                                 ready && patient != NULL && self->session != NULL && bookable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.pay",
                                 ready && slot_has_live_booking (slot) &&
                                 g_strcmp0 (order_status, "unpaid") == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.check-in",
                                 ready && slot != NULL && rd_slot_get_appointment_id (slot) != 0 &&
                                 (rd_slot_get_status (slot) == RD_SLOT_STATUS_BOOKED ||
                                  rd_slot_get_status (slot) == RD_SLOT_STATUS_PAID));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.cancel",
                                 ready && slot_has_live_booking (slot));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.slip",
                                 ready && slot != NULL && rd_slot_get_order_no (slot) != NULL &&
                                 g_strcmp0 (order_status, "unpaid") != 0);
}

static void
rd_desk_page_set_busy (RdDeskPage *self,
                       gboolean    busy)
{
  self->busy = busy;
  rd_desk_page_update_actions (self);
}

static void
rd_desk_page_update_patient_label (RdDeskPage *self)
{
  RdPatient *patient = rd_patient_panel_get_patient (self->patient_panel);
  g_autofree char *text = NULL;

  if (patient == NULL)
    {
      gtk_label_set_text (self->patient_label, _("No patient chosen"));
      return;
    }

  /* Translators: the patient the desk books for */
  text = g_strdup_printf (_("For %s"), rd_patient_get_name (patient));
  gtk_label_set_text (self->patient_label, text);
}

static char *
rd_desk_page_describe_session (RdSession *session)
{
  g_autofree char *date = rd_ui_format_date (rd_session_get_date (session));
  g_autofree char *times = rd_ui_format_time_range (rd_session_get_starts_at (session),
                                                    rd_session_get_ends_at (session));
  g_autofree char *fee = rd_money_format (rd_session_get_fee (session));

  /* Translators: department, doctor, date, time window and fee of a session */
  return g_strdup_printf (_("%s · %s · %s %s · %s"),
                          rd_session_get_department_name (session),
                          rd_session_get_doctor_name (session), date, times, fee);
}

/* The first slot a clerk can book at the window, or 0. */
static int
rd_desk_page_first_free_seq (RdDeskPage *self)
{
  GListModel *slots = G_LIST_MODEL (self->slots);
  guint n_items = slots != NULL ? g_list_model_get_n_items (slots) : 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(RdSlot) slot = g_list_model_get_item (slots, i);

      if (rd_slot_is_bookable (slot))
        return rd_slot_get_seq (slot);
    }

  return 0;
}

static void
on_slots_updated (RdDeskPage *self)
{
  RdSlot *slot = rd_desk_page_get_selected_slot (self);

  if (self->pick_first_free || (slot == NULL && rd_slot_grid_get_selected_seq (self->slot_grid) > 0))
    {
      int seq = rd_desk_page_first_free_seq (self);

      if (seq > 0)
        rd_slot_grid_set_selected_seq (self->slot_grid, seq);
      self->pick_first_free = FALSE;
    }

  rd_desk_page_update_actions (self);
}

static void
rd_desk_page_show_session (RdDeskPage *self,
                           RdSession  *session)
{
  g_autofree char *text = NULL;

  if (self->session == session)
    return;

  g_set_object (&self->session, session);
  g_clear_pointer (&self->book_request_id, g_free);

  if (session == NULL)
    {
      gtk_label_set_text (self->session_label, _("No session chosen"));
      gtk_stack_set_visible_child_name (self->slots_stack, "none");
      if (self->slots != NULL)
        rd_slot_list_set_session_id (self->slots, 0);
      rd_desk_page_update_actions (self);
      return;
    }

  text = rd_desk_page_describe_session (session);
  gtk_label_set_text (self->session_label, text);
  self->pick_first_free = TRUE;
  rd_slot_grid_set_selected_seq (self->slot_grid, 0);
  if (self->slots != NULL)
    rd_slot_list_set_session_id (self->slots, rd_session_get_id (session));
  gtk_stack_set_visible_child_name (self->slots_stack, "grid");
  rd_desk_page_update_actions (self);
}

static void
on_session_selected (RdDeskPage *self)
{
  rd_desk_page_show_session (self, gtk_single_selection_get_selected_item (self->session_selection));
}

static void
on_session_activated (RdDeskPage *self,
                      guint       position)
{
  g_autoptr(RdSession) session = g_list_model_get_item (G_LIST_MODEL (self->sort_model), position);

  if (session == NULL)
    return;

  gtk_single_selection_set_selected (self->session_selection, position);
  rd_desk_page_show_session (self, session);
  gtk_widget_grab_focus (GTK_WIDGET (self->slot_grid));
}

static void
on_patient_changed (RdDeskPage *self)
{
  g_clear_pointer (&self->book_request_id, g_free);
  rd_desk_page_update_patient_label (self);
  rd_desk_page_update_actions (self);
}

static void
on_patient_activated (RdDeskPage *self,
                      RdPatient  *patient)
{
  rd_desk_page_update_patient_label (self);
  rd_desk_page_update_actions (self);

  /* next: the session (or, when one is already open, its slots) */
  if (self->session != NULL)
    {
      int seq = rd_desk_page_first_free_seq (self);

      if (seq > 0)
        rd_slot_grid_set_selected_seq (self->slot_grid, seq);
      gtk_widget_grab_focus (GTK_WIDGET (self->slot_grid));
    }
  else
    {
      gtk_widget_child_focus (GTK_WIDGET (self->sessions_view), GTK_DIR_TAB_FORWARD);
    }
}

static void
on_payment_paid (RdDeskPage *self,
                 const char *order_no,
                 const char *method)
{
  g_autofree char *text = NULL;

  /* Translators: %s is an order number */
  text = g_strdup_printf (_("Order %s is paid."), order_no);
  rd_desk_page_say (self, text, FALSE);
  rd_patient_panel_refresh (self->patient_panel);
}

static void
on_payment_closed (RdDeskPage *self)
{
  /* the next patient */
  rd_patient_panel_focus_search (self->patient_panel);
}

static void
rd_desk_page_open_payment (RdDeskPage *self,
                           const char *order_no,
                           gint64      amount,
                           int         slot_seq)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  RdPatient *patient = rd_patient_panel_get_patient (self->patient_panel);
  g_autofree char *session = NULL;
  g_autofree char *summary = NULL;
  RdPaymentDialog *dialog;

  session = self->session != NULL ? rd_desk_page_describe_session (self->session) : g_strdup ("");
  /* Translators: patient, slot number, then the session */
  summary = g_strdup_printf (_("%s, No. %d — %s"),
                             patient != NULL ? rd_patient_get_name (patient) : "",
                             slot_seq, session);

  dialog = rd_payment_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                  self->db, self->pay, order_no, amount, summary);
  g_signal_connect_object (dialog, "paid", G_CALLBACK (on_payment_paid), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_payment_closed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_booked (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RdDeskPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdBookingResult) booking = NULL;
  g_autofree char *text = NULL;
  RdPatient *patient;

  booking = rd_booking_book_finish (RD_DB (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  rd_desk_page_set_busy (self, FALSE);

  if (booking == NULL)
    {
      /* a lost connection keeps the request id: trying again books once */
      if (!g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION))
        g_clear_pointer (&self->book_request_id, g_free);
      rd_desk_page_say_error (self, error);
      return;
    }

  g_clear_pointer (&self->book_request_id, g_free);
  patient = rd_patient_panel_get_patient (self->patient_panel);
  /* Translators: slot number, patient name and order number */
  text = g_strdup_printf (_("No. %d booked for %s (order %s)."), booking->slot_seq,
                          patient != NULL ? rd_patient_get_name (patient) : "",
                          booking->order_no);
  rd_desk_page_say (self, text, FALSE);
  rd_slot_grid_set_selected_seq (self->slot_grid, booking->slot_seq);
  rd_patient_panel_refresh (self->patient_panel);

  if (g_strcmp0 (booking->status, "pending_payment") == 0)
    rd_desk_page_open_payment (self, booking->order_no,
                               self->session != NULL ? rd_session_get_fee (self->session) : 0,
                               booking->slot_seq);
}

static void
rd_desk_page_book (RdDeskPage *self,
                   int         seq)
{
  RdPatient *patient = rd_patient_panel_get_patient (self->patient_panel);

  if (self->db == NULL || self->busy || self->session == NULL)
    return;

  if (patient == NULL)
    {
      rd_desk_page_say (self, _("Find the patient first."), TRUE);
      rd_patient_panel_focus_search (self->patient_panel);
      return;
    }

  if (self->book_request_id == NULL)
    self->book_request_id = g_uuid_string_random ();

  rd_desk_page_say (self, _("Booking…"), FALSE);
  rd_desk_page_set_busy (self, TRUE);
  rd_booking_book_async (self->db, self->book_request_id, rd_session_get_id (self->session),
                         rd_patient_get_id (patient), RD_CHANNEL_WINDOW, seq, NULL,
                         self->cancellable, on_booked, g_object_ref (self));
}

static void
on_slot_activated (RdDeskPage *self,
                   int         seq)
{
  RdSlot *slot = self->slots != NULL ? rd_slot_list_lookup (self->slots, seq) : NULL;

  if (slot == NULL)
    return;

  if (rd_slot_is_bookable (slot))
    rd_desk_page_book (self, seq);
  else if (slot_has_live_booking (slot) && g_strcmp0 (rd_slot_get_order_status (slot), "unpaid") == 0)
    rd_desk_page_open_payment (self, rd_slot_get_order_no (slot), rd_slot_get_order_amount (slot),
                               seq);
  else if (rd_slot_get_status (slot) == RD_SLOT_STATUS_FREE)
    rd_desk_page_say (self, _("This slot belongs to the online or phone pool until its cut-off."),
                      TRUE);
}

static void
on_slot_selected (RdDeskPage *self)
{
  rd_desk_page_update_actions (self);
}

static void
book_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RdDeskPage *self = RD_DESK_PAGE (widget);
  RdSlot *slot = rd_desk_page_get_selected_slot (self);

  rd_desk_page_book (self, slot != NULL && rd_slot_is_bookable (slot) ? rd_slot_get_seq (slot) : 0);
}

static void
pay_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  RdDeskPage *self = RD_DESK_PAGE (widget);
  RdSlot *slot = rd_desk_page_get_selected_slot (self);

  if (slot != NULL && rd_slot_get_order_no (slot) != NULL)
    rd_desk_page_open_payment (self, rd_slot_get_order_no (slot), rd_slot_get_order_amount (slot),
                               rd_slot_get_seq (slot));
}

static void
on_checked_in (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RdDeskPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  int queue_number;

  queue_number = rd_booking_check_in_finish (RD_DB (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  rd_desk_page_set_busy (self, FALSE);
  if (queue_number <= 0)
    {
      rd_desk_page_say_error (self, error);
      return;
    }

  /* Translators: the queue number a patient gets at check-in */
  text = g_strdup_printf (_("Checked in: queue number %d."), queue_number);
  rd_desk_page_say (self, text, FALSE);
}

static void
check_in_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  RdDeskPage *self = RD_DESK_PAGE (widget);
  RdSlot *slot = rd_desk_page_get_selected_slot (self);

  if (slot == NULL || rd_slot_get_appointment_id (slot) == 0 || self->busy)
    return;

  rd_desk_page_set_busy (self, TRUE);
  rd_booking_check_in_async (self->db, rd_slot_get_appointment_id (slot), self->cancellable,
                             on_checked_in, g_object_ref (self));
}

static void
on_refunded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RdDeskPage) self = user_data;
  g_autoptr(GError) error = NULL;
  guint done;

  done = rd_pay_service_refund_order_finish (RD_PAY_SERVICE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    rd_desk_page_say_error (self, error);
  else if (done > 0)
    rd_desk_page_say (self, _("The refund went back through the payment gateway."), FALSE);
  else
    rd_desk_page_say (self, _("The gateway is processing the refund; the order shows when it "
                              "is done."), FALSE);
}

static void
on_cancelled (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RdDeskPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdCancelResult) cancel = NULL;
  g_autofree char *text = NULL;

  cancel = rd_booking_cancel_finish (RD_DB (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  rd_desk_page_set_busy (self, FALSE);
  if (cancel == NULL)
    {
      rd_desk_page_say_error (self, error);
      return;
    }

  if (g_strcmp0 (cancel->order_status, "refunding") == 0 && self->pay != NULL)
    {
      rd_desk_page_say (self, _("Cancelled. Sending the refund to the payment gateway…"), FALSE);
      rd_pay_service_refund_order_async (self->pay, cancel->order_no, self->cancellable,
                                         on_refunded, g_object_ref (self));
      return;
    }

  if (cancel->refunded_amount > 0)
    {
      g_autofree char *amount = rd_money_format (cancel->refunded_amount);

      /* Translators: %s is an amount of money given back */
      text = g_strdup_printf (_("Cancelled. Give back %s."), amount);
    }
  else if (g_strcmp0 (cancel->order_status, "refunding") == 0)
    {
      text = g_strdup (_("Cancelled. The refund waits for the payment gateway."));
    }
  else
    {
      text = g_strdup (_("Cancelled. Nothing was paid."));
    }
  rd_desk_page_say (self, text, FALSE);
  rd_patient_panel_refresh (self->patient_panel);
}

static void
on_cancel_response (AdwMessageDialog *dialog,
                    const char       *response,
                    RdDeskPage       *self)
{
  gint64 appointment_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "appointment"));
  g_autofree char *request_id = NULL;

  if (g_strcmp0 (response, "cancel-booking") != 0 || self->db == NULL || self->busy)
    return;

  /* one request per confirmation: the database answers a repeat alike */
  request_id = g_uuid_string_random ();
  rd_desk_page_set_busy (self, TRUE);
  rd_booking_cancel_async (self->db, request_id, appointment_id, NULL, self->cancellable,
                           on_cancelled, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RdDeskPage *self = RD_DESK_PAGE (widget);
  RdSlot *slot = rd_desk_page_get_selected_slot (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (!slot_has_live_booking (slot))
    return;

  if (g_strcmp0 (rd_slot_get_order_status (slot), "paid") == 0)
    {
      g_autofree char *amount = rd_money_format (rd_slot_get_order_amount (slot));

      /* Translators: slot number, masked patient name, amount refunded */
      body = g_strdup_printf (_("No. %d, %s: the fee of %s goes back the way it was paid."),
                              rd_slot_get_seq (slot), rd_slot_get_patient_label (slot), amount);
    }
  else
    {
      /* Translators: slot number and masked patient name */
      body = g_strdup_printf (_("No. %d, %s: nothing was paid yet."),
                              rd_slot_get_seq (slot), rd_slot_get_patient_label (slot));
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                            : NULL,
                                                       _("Cancel This Booking?"), body));
  adw_message_dialog_add_responses (dialog,
                                    "keep", _("_Keep Booking"),
                                    "cancel-booking", _("_Cancel Booking"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "cancel-booking",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "keep");
  adw_message_dialog_set_close_response (dialog, "keep");
  g_object_set_data (G_OBJECT (dialog), "appointment",
                     GSIZE_TO_POINTER ((gsize) rd_slot_get_appointment_id (slot)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_slip_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RdDeskPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdSlip) slip = NULL;
  GtkRoot *root;

  slip = rd_slips_get_finish (RD_DB (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  rd_desk_page_set_busy (self, FALSE);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (slip == NULL || !rd_slip_print (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, slip, &error))
    rd_desk_page_say_error (self, error);
}

static void
slip_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RdDeskPage *self = RD_DESK_PAGE (widget);
  RdSlot *slot = rd_desk_page_get_selected_slot (self);

  if (slot == NULL || rd_slot_get_order_no (slot) == NULL || self->busy)
    return;

  rd_desk_page_set_busy (self, TRUE);
  rd_slips_get_async (self->db, rd_slot_get_order_no (slot), self->cancellable, on_slip_loaded,
                      g_object_ref (self));
}

static void
rd_desk_page_dispose (GObject *object)
{
  RdDeskPage *self = RD_DESK_PAGE (object);

  rd_desk_page_set_roster (self, NULL);
  rd_desk_page_set_db (self, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_DESK_PAGE);

  g_clear_object (&self->department_selection);
  g_clear_object (&self->department_models);
  g_clear_object (&self->all_departments);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->session_selection);
  g_clear_pointer (&self->watched_departments, g_ptr_array_unref);

  G_OBJECT_CLASS (rd_desk_page_parent_class)->dispose (object);
}

static void
rd_desk_page_finalize (GObject *object)
{
  RdDeskPage *self = RD_DESK_PAGE (object);

  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->book_request_id, g_free);

  G_OBJECT_CLASS (rd_desk_page_parent_class)->finalize (object);
}

static void
rd_desk_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RdDeskPage *self = RD_DESK_PAGE (object);

  switch (prop_id)
    {
    case PROP_ROSTER:
      g_value_set_object (value, self->roster);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_desk_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  RdDeskPage *self = RD_DESK_PAGE (object);

  switch (prop_id)
    {
    case PROP_ROSTER:
      rd_desk_page_set_roster (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_desk_page_class_init (RdDeskPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_desk_page_dispose;
  object_class->finalize = rd_desk_page_finalize;
  object_class->get_property = rd_desk_page_get_property;
  object_class->set_property = rd_desk_page_set_property;

  properties[PROP_ROSTER] =
    g_param_spec_object ("roster", NULL, NULL, RD_TYPE_ROSTER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* the .ui looks these types up by name */
  g_type_ensure (RD_TYPE_SESSION);
  g_type_ensure (RD_TYPE_DEPARTMENT);
  g_type_ensure (RD_TYPE_PATIENT_PANEL);
  g_type_ensure (RD_TYPE_SLOT_GRID);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/rd-desk-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, patient_panel);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, session_label);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, patient_label);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, slots_stack);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, slot_grid);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, legend_box);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, departments_view);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, sessions_view);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, RdDeskPage, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_period_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_patient_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_patient_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_slot_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_slot_selected);

  gtk_widget_class_install_action (widget_class, "desk.book", NULL, book_action);
  gtk_widget_class_install_action (widget_class, "desk.pay", NULL, pay_action);
  gtk_widget_class_install_action (widget_class, "desk.check-in", NULL, check_in_action);
  gtk_widget_class_install_action (widget_class, "desk.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "desk.slip", NULL, slip_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "desk.book", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK,
                                       "desk.pay", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "desk.check-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_CONTROL_MASK,
                                       "desk.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "desk.slip", NULL);
  rd_session_cells_bind_callbacks (widget_class);
}

static void
rd_desk_page_init (RdDeskPage *self)
{
  g_autoptr(GListStore) all_store = NULL;
  gtk_widget_init_template (GTK_WIDGET (self));

  self->search = g_strdup ("");
  self->period = RD_DESK_ANY_PERIOD;
  self->watched_departments = g_ptr_array_new_with_free_func (g_object_unref);

  self->all_departments = rd_department_new (0);
  g_object_set (self->all_departments, "name", _("All departments"), NULL);
  all_store = g_list_store_new (RD_TYPE_DEPARTMENT);
  g_list_store_append (all_store, self->all_departments);

  self->department_models = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (self->department_models, all_store);
  self->department_selection =
    gtk_single_selection_new (G_LIST_MODEL (gtk_flatten_list_model_new (
      G_LIST_MODEL (g_object_ref (self->department_models)))));
  g_signal_connect_swapped (self->department_selection, "notify::selected-item",
                            G_CALLBACK (on_department_selected), self);
  gtk_list_view_set_model (self->departments_view,
                           GTK_SELECTION_MODEL (self->department_selection));

  self->filter = gtk_custom_filter_new (rd_desk_page_filter_session, self, NULL);
  self->filter_model = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->filter)));
  g_signal_connect_swapped (self->filter_model, "items-changed",
                            G_CALLBACK (rd_desk_page_update_content), self);
  self->sort_model =
    gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->filter_model)),
                             g_object_ref (gtk_column_view_get_sorter (self->sessions_view)));
  self->session_selection =
    gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sort_model)));
  gtk_single_selection_set_can_unselect (self->session_selection, TRUE);
  gtk_single_selection_set_autoselect (self->session_selection, FALSE);
  g_signal_connect_swapped (self->session_selection, "notify::selected-item",
                            G_CALLBACK (on_session_selected), self);
  gtk_column_view_set_model (self->sessions_view, GTK_SELECTION_MODEL (self->session_selection));
  g_signal_connect_swapped (self->sessions_view, "activate",
                            G_CALLBACK (on_session_activated), self);

  gtk_box_append (self->legend_box, rd_slot_grid_legend_new ());
  rd_desk_page_update_actions (self);

  rd_desk_page_update_content (self);
}

RdRoster *
rd_desk_page_get_roster (RdDeskPage *self)
{
  g_return_val_if_fail (RD_IS_DESK_PAGE (self), NULL);

  return self->roster;
}

void
rd_desk_page_set_roster (RdDeskPage *self,
                         RdRoster   *roster)
{
  g_return_if_fail (RD_IS_DESK_PAGE (self));
  g_return_if_fail (roster == NULL || RD_IS_ROSTER (roster));

  if (self->roster == roster)
    return;

  if (self->roster != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->roster, self);
      g_signal_handlers_disconnect_by_data (self->roster_departments, self);
      rd_desk_page_unwatch_departments (self);
      /* keep "All departments", drop the roster's list */
      if (g_list_model_get_n_items (G_LIST_MODEL (self->department_models)) > 1)
        g_list_store_remove (self->department_models, 1);
      g_clear_object (&self->roster_departments);
    }

  g_set_object (&self->roster, roster);

  if (roster != NULL)
    {
      self->roster_departments = g_object_ref (rd_roster_get_departments (roster));
      g_signal_connect_object (roster, "notify::loading",
                               G_CALLBACK (rd_desk_page_update_content), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (roster, "notify::date",
                               G_CALLBACK (on_roster_date_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (roster, "items-changed",
                               G_CALLBACK (rd_desk_page_update_all_departments), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->roster_departments, "items-changed",
                               G_CALLBACK (on_roster_departments_changed), self,
                               G_CONNECT_SWAPPED);
      g_list_store_append (self->department_models, self->roster_departments);
      on_roster_departments_changed (self, 0, 0, 0, self->roster_departments);
    }

  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (roster));
  gtk_single_selection_set_selected (self->department_selection, 0);
  rd_desk_page_update_all_departments (self);
  rd_desk_page_update_content (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROSTER]);
}

void
rd_desk_page_focus_search (RdDeskPage *self)
{
  g_return_if_fail (RD_IS_DESK_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

GListModel *
rd_desk_page_get_shown (RdDeskPage *self)
{
  g_return_val_if_fail (RD_IS_DESK_PAGE (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}

/* The connection the desk books through, and the gateways it takes fees
 * through (@pay may be NULL: cash and card only). */
void
rd_desk_page_set_db (RdDeskPage   *self,
                     RdDb         *db,
                     RdPayService *pay)
{
  g_return_if_fail (RD_IS_DESK_PAGE (self));
  g_return_if_fail (db == NULL || RD_IS_DB (db));
  g_return_if_fail (pay == NULL || RD_IS_PAY_SERVICE (pay));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->slots != NULL)
    g_signal_handlers_disconnect_by_data (self->slots, self);
  rd_slot_grid_set_model (self->slot_grid, NULL);
  g_clear_object (&self->slots);
  g_clear_object (&self->session);
  g_clear_pointer (&self->book_request_id, g_free);
  self->busy = FALSE;

  g_set_object (&self->db, db);
  g_set_object (&self->pay, pay);
  rd_patient_panel_set_db (self->patient_panel, db);

  if (db != NULL)
    {
      self->cancellable = g_cancellable_new ();
      self->slots = rd_slot_list_new (db, 0);
      g_signal_connect_object (self->slots, "updated", G_CALLBACK (on_slots_updated), self,
                               G_CONNECT_SWAPPED);
      rd_slot_grid_set_model (self->slot_grid, G_LIST_MODEL (self->slots));
    }

  gtk_label_set_text (self->session_label, _("No session chosen"));
  gtk_stack_set_visible_child_name (self->slots_stack, "none");
  rd_desk_page_say (self, NULL, FALSE);
  on_session_selected (self);
  rd_desk_page_update_actions (self);
}

/* Starts a walk-in: the patient search, focused and empty. */
void
rd_desk_page_focus_patient_search (RdDeskPage *self)
{
  g_return_if_fail (RD_IS_DESK_PAGE (self));

  rd_patient_panel_focus_search (self->patient_panel);
}
