/* test-window.c: the real window on a real database, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "rd-application.h"
#include "rd-booking.h"
#include "rd-demo-data.h"
#include "rd-desk-page.h"
#include "rd-finance-page.h"
#include "rd-login-page.h"
#include "rd-patient-panel.h"
#include "rd-payment-dialog.h"
#include "rd-schedules-page.h"
#include "rd-session.h"
#include "rd-slot-grid.h"
#include "rd-test-pg.h"
#include "rd-window.h"
#include "ui-test-util.h"

static RdApplication *app;
static RdWindow *window;
static RdDb *owner_db;
static char *artifacts_dir;
static const char *language = "en";


static gpointer
child (gpointer    widget,
       GType       type,
       const char *name)
{
  return ui_test_child (widget, type, name);
}

static RdLoginPage *
login_page (void)
{
  return child (window, RD_TYPE_WINDOW, "login_page");
}

static const char *
visible_page (void)
{
  return gtk_stack_get_visible_child_name (child (window, RD_TYPE_WINDOW, "stack"));
}

static gboolean
is_on_main (gpointer data)
{
  return g_strcmp0 (visible_page (), "main") == 0;
}

static gboolean
login_started (gpointer data)
{
  return is_on_main (NULL) || rd_login_page_get_busy (login_page ()) ||
         rd_login_page_get_error (login_page ()) != NULL;
}

static gboolean
login_settled (gpointer data)
{
  return is_on_main (NULL) || !rd_login_page_get_busy (login_page ());
}

/* Logs in through the login page as a person would: fields, then the button. */
static void
log_in_through_page (const char *user,
                     const char *password)
{
  g_autofree char *server = rd_test_pg_conninfo (NULL, NULL);
  RdLoginPage *page = login_page ();

  gtk_editable_set_text (child (page, RD_TYPE_LOGIN_PAGE, "server_row"), server);
  gtk_editable_set_text (child (page, RD_TYPE_LOGIN_PAGE, "user_row"), user);
  gtk_editable_set_text (child (page, RD_TYPE_LOGIN_PAGE, "password_row"), password);
  rd_login_page_set_error (page, NULL, NULL);
  /* a button activates after a short visual press */
  gtk_widget_activate (child (page, RD_TYPE_LOGIN_PAGE, "login_button"));

  g_assert_true (ui_test_wait_for (login_started, NULL, 2000));
  g_assert_true (ui_test_wait_for (login_settled, NULL, 20000));
}

static void
log_in (const char *user)
{
  log_in_through_page (user, RD_DEMO_PASSWORD);
  g_assert_cmpstr (rd_login_page_get_error (login_page ()), ==, NULL);
  g_assert_cmpstr (visible_page (), ==, "main");
}

static void
save_screenshot_of (GtkWindow  *shown,
                    const char *name)
{
  g_autofree char *file_name = g_strdup_printf ("%s-%s.png", name, language);
  g_autofree char *path = g_build_filename (artifacts_dir, file_name, NULL);

  ui_test_save_screenshot (shown, path);
}

static void
save_screenshot (const char *name)
{
  save_screenshot_of (GTK_WINDOW (window), name);
}

static void
collect_cells (GtkWidget  *widget,
               const char *name,
               GPtrArray  *cells)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_INSCRIPTION (c) && g_strcmp0 (gtk_widget_get_name (c), name) == 0 &&
          gtk_widget_get_mapped (c))
        g_ptr_array_add (cells, c);
      else
        collect_cells (c, name, cells);
    }
}

static GtkWidget *sort_relative_to;

static double
cell_y (GtkWidget *cell)
{
  double x, y;

  if (!gtk_widget_translate_coordinates (cell, sort_relative_to, 0, 0, &x, &y))
    return G_MAXDOUBLE;

  return y;
}

static int
compare_cells_by_y (gconstpointer a,
                    gconstpointer b)
{
  double ya = cell_y (*(GtkWidget **) a);
  double yb = cell_y (*(GtkWidget **) b);

  return ya < yb ? -1 : ya > yb ? 1 : 0;
}

/* The cells named @name on screen, top row first. */
static GPtrArray *
visible_cells (GtkColumnView *view,
               const char    *name)
{
  GPtrArray *cells = g_ptr_array_new ();

  collect_cells (GTK_WIDGET (view), name, cells);
  sort_relative_to = GTK_WIDGET (view);
  g_ptr_array_sort (cells, compare_cells_by_y);

  return cells;
}

static GtkColumnView *
desk_view (void)
{
  return child (child (window, RD_TYPE_WINDOW, "desk_page"), RD_TYPE_DESK_PAGE, "sessions_view");
}

static gboolean
desk_shows_rows (gpointer data)
{
  g_autoptr(GPtrArray) cells = visible_cells (desk_view (), "doctor-cell");

  return cells->len > 0 &&
         gtk_inscription_get_text (g_ptr_array_index (cells, 0)) != NULL &&
         gtk_inscription_get_text (g_ptr_array_index (cells, 0))[0] != '\0';
}

static void
new_window (void)
{
  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));

  window = rd_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_settle (200);
}

static void
log_out (void)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.logout", NULL);
  g_assert_cmpstr (visible_page (), ==, "login");
  g_assert_null (rd_window_get_db (window));
}

static void
test_wrong_password (void)
{
  new_window ();
  save_screenshot ("login");

  log_in_through_page (RD_DEMO_CLERK, "not the password");

  g_assert_cmpstr (visible_page (), ==, "login");
  g_assert_cmpstr (rd_login_page_get_error (login_page ()), ==, _("Wrong user name or password"));
  g_assert_null (rd_window_get_db (window));
  save_screenshot ("login-error");
}

typedef struct
{
  GtkColumnView *view;
  guint          row;
  const char    *cell;
  const char    *expected;
} CellWait;

static gboolean
cell_shows (gpointer data)
{
  CellWait *wait = data;
  g_autoptr(GPtrArray) cells = visible_cells (wait->view, wait->cell);

  return wait->row < cells->len &&
         g_strcmp0 (gtk_inscription_get_text (g_ptr_array_index (cells, wait->row)),
                    wait->expected) == 0;
}

static void
test_clerk_desk (void)
{
  GListModel *shown;
  g_autoptr(GPtrArray) doctors = NULL;
  g_autoptr(GPtrArray) windows = NULL;
  g_autoptr(RdSession) first = NULL;
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *expected = NULL;
  const char *first_doctor;
  const char *params[2];
  RdSession *session = NULL;
  CellWait wait;
  guint row = 0;
  int before;

  new_window ();
  log_in (RD_DEMO_CLERK);

  g_assert_true (adw_view_stack_page_get_visible (child (window, RD_TYPE_WINDOW,
                                                         "desk_stack_page")));
  g_assert_false (adw_view_stack_page_get_visible (child (window, RD_TYPE_WINDOW,
                                                          "finance_stack_page")));
  g_assert_true (ui_test_wait_for (desk_shows_rows, NULL, 20000));

  /* the first row on screen is the first session of the model, and a real
   * doctor on today's roster in the database */
  shown = rd_desk_page_get_shown (child (window, RD_TYPE_WINDOW, "desk_page"));
  g_assert_cmpuint (g_list_model_get_n_items (shown), >, 0);
  first = g_list_model_get_item (shown, 0);
  doctors = visible_cells (desk_view (), "doctor-cell");
  first_doctor = gtk_inscription_get_text (g_ptr_array_index (doctors, 0));
  g_assert_cmpstr (first_doctor, ==, rd_session_get_doctor_name (first));

  params[0] = first_doctor;
  params[1] = rd_window_get_date (window);
  result = rd_db_query_sync (owner_db,
                             "SELECT count(*) FROM api.session_overview "
                             "WHERE doctor_name = $1 AND date = $2",
                             2, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int64 (result, 0, 0), >, 0);
  g_clear_pointer (&result, rd_result_unref);
  save_screenshot ("desk");

  /* a booking made elsewhere: one window slot of a row on screen */
  windows = visible_cells (desk_view (), "window-cell");
  for (row = 0; row < windows->len && row < g_list_model_get_n_items (shown); row++)
    {
      g_autoptr(RdSession) candidate = g_list_model_get_item (shown, row);

      if (rd_session_get_free (candidate, RD_CHANNEL_WINDOW) > 0)
        {
          session = g_steal_pointer (&candidate);
          break;
        }
    }
  g_assert_nonnull (session);

  before = rd_session_get_free (session, RD_CHANNEL_WINDOW);
  g_assert_cmpint (atoi (gtk_inscription_get_text (g_ptr_array_index (windows, row))), ==, before);

  session_id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_session_get_id (session));
  params[0] = session_id;
  result = rd_db_query_sync (owner_db,
                             "UPDATE regdesk.slots SET status = 'booked' WHERE id = "
                             "(SELECT id FROM regdesk.slots WHERE session_id = $1 "
                             "AND channel = 'window' AND status = 'free' ORDER BY seq LIMIT 1)",
                             1, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_affected (result), ==, 1);
  g_clear_pointer (&result, rd_result_unref);

  expected = g_strdup_printf ("%d", before - 1);
  wait = (CellWait) { desk_view (), row, "window-cell", expected };
  g_assert_true (ui_test_wait_for (cell_shows, &wait, 2000));
  g_assert_cmpint (rd_session_get_free (session, RD_CHANNEL_WINDOW), ==, before - 1);
  g_object_unref (session);

  /* the search narrows the table to one doctor */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  gtk_editable_set_text (child (child (window, RD_TYPE_WINDOW, "desk_page"), RD_TYPE_DESK_PAGE,
                                "search_entry"),
                         first_doctor);
  ui_test_settle (400);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(RdSession) match = g_list_model_get_item (shown, i);

      g_assert_true (strstr (rd_session_get_doctor_name (match), first_doctor) != NULL ||
                     strstr (rd_session_get_department_name (match), first_doctor) != NULL);
    }
  g_assert_cmpuint (g_list_model_get_n_items (shown), >, 0);
  save_screenshot ("desk-search");

  log_out ();
}

/* Keys pressed through the X server (XTEST, by xdotool), as a keyboard
 * would: the walk-in test counts them. */
static guint keystrokes;

static void
focus_x_window (GtkWindow *shown)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (shown));
  g_autofree char *xid = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  {
    const char *argv[] = { "xdotool", "windowfocus", "--sync", xid, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, &status, &error));
  }
  g_assert_no_error (error);
  ui_test_settle (100);
}

static void
press_key (const char *key)
{
  const char *argv[] = { "xdotool", "key", "--clearmodifiers", key, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  keystrokes++;
  ui_test_settle (150);
}

typedef struct
{
  gint64 session_id;
  char  *date;
  char  *doctor;
  gint64 patient_id;
  char  *id_number;
} WalkIn;

static void
walk_in_clear (WalkIn *walk_in)
{
  g_free (walk_in->date);
  g_free (walk_in->doctor);
  g_free (walk_in->id_number);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WalkIn, walk_in_clear)

/* A patient with a resident ID and nothing booked on the day of
 * @walk_in's session: the first or the last such (@order "ASC" or "DESC"),
 * so that two tests on one day do not pick the same one. */
static void
find_patient_free_that_day (WalkIn     *walk_in,
                            const char *order)
{
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session_id = g_strdup_printf ("%" G_GINT64_FORMAT, walk_in->session_id);
  g_autofree char *sql = g_strdup_printf ("SELECT p.id, p.id_number FROM regdesk.patients p "
                                          "WHERE p.id_type = 'resident_id' AND NOT EXISTS "
                                          "(SELECT 1 FROM regdesk.appointments a "
                                          "JOIN regdesk.sessions s ON s.id = a.session_id "
                                          "WHERE a.patient_id = p.id AND s.date = "
                                          "(SELECT date FROM regdesk.sessions WHERE id = $1)) "
                                          "ORDER BY p.id %s LIMIT 1", order);
  const char *params[] = { session_id };

  result = rd_db_query_sync (owner_db, sql, 1, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 1);
  walk_in->patient_id = rd_result_get_int64 (result, 0, 0);
  walk_in->id_number = g_strdup (rd_result_get_string (result, 0, 1));
}

/* @walk_in's session from the one row (id, date, doctor's name) of
 * @result, and a patient free that day (see find_patient_free_that_day). */
static void
take_session (WalkIn     *walk_in,
              RdResult   *result,
              const char *order)
{
  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 1);
  walk_in->session_id = rd_result_get_int64 (result, 0, 0);
  walk_in->date = g_strdup (rd_result_get_string (result, 0, 1));
  walk_in->doctor = g_strdup (rd_result_get_string (result, 0, 2));
  find_patient_free_that_day (walk_in, order);
}

/* An open first-come session that has not started, with a free window
 * slot, and a patient with nothing booked on its day. */
static void
find_walk_in (WalkIn *walk_in)
{
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (owner_db,
                             "SELECT o.id, o.date, o.doctor_name FROM api.session_overview o "
                             "JOIN regdesk.sessions s ON s.id = o.id "
                             "WHERE o.status = 'open' AND o.policy = 'fcfs' AND o.free_window > 0 "
                             "AND (s.date + s.starts_at) AT TIME ZONE 'Asia/Shanghai' > now() + interval '30 minutes' "
                             "ORDER BY s.date, s.starts_at LIMIT 1",
                             0, NULL, NULL, &error);
  g_assert_no_error (error);
  take_session (walk_in, result, "ASC");
}

typedef struct
{
  RdPatientPanel *panel;
  gint64          patient_id;
} PatientWait;

static gboolean
patient_found (gpointer data)
{
  PatientWait *wait = data;
  GListModel *results = rd_patient_panel_get_results (wait->panel);
  g_autoptr(RdPatient) only = NULL;

  if (g_list_model_get_n_items (results) != 1)
    return FALSE;

  only = g_list_model_get_item (results, 0);
  return rd_patient_get_id (only) == wait->patient_id;
}

static gboolean
session_row_shown (gpointer data)
{
  WalkIn *walk_in = data;
  GListModel *shown = rd_desk_page_get_shown (child (window, RD_TYPE_WINDOW, "desk_page"));

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(RdSession) session = g_list_model_get_item (shown, i);

      if (rd_session_get_id (session) == walk_in->session_id)
        return TRUE;
    }

  return FALSE;
}

static GtkWindow *
payment_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      /* GTK keeps the toplevels alive: the pointer outlives our reference */
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (RD_IS_PAYMENT_DIALOG (toplevel) && gtk_widget_get_mapped (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

static gboolean
payment_dialog_shown (gpointer data)
{
  return payment_dialog () != NULL;
}

static gboolean
payment_dialog_paid (gpointer data)
{
  GtkWindow *dialog = payment_dialog ();

  return dialog != NULL && rd_payment_dialog_get_paid (RD_PAYMENT_DIALOG (dialog));
}

static gboolean
payment_dialog_gone (gpointer data)
{
  return payment_dialog () == NULL;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

static gboolean
grid_has_focus (gpointer data)
{
  GtkWidget *grid = child (child (window, RD_TYPE_WINDOW, "desk_page"), RD_TYPE_DESK_PAGE,
                           "slot_grid");

  return gtk_widget_has_focus (grid) && rd_slot_grid_get_selected_seq (RD_SLOT_GRID (grid)) > 0;
}

static AdwMessageDialog *
message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_mapped (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }

  return NULL;
}

static gboolean
message_dialog_shown (gpointer data)
{
  return message_dialog () != NULL;
}

typedef struct
{
  const char *order_no;
  const char *status;
} OrderWait;

static gboolean
order_has_status (gpointer data)
{
  OrderWait *wait = data;
  g_autoptr(RdResult) result = NULL;
  const char *params[] = { wait->order_no };

  result = rd_db_query_sync (owner_db, "SELECT status FROM regdesk.orders WHERE order_no = $1",
                             1, params, NULL, NULL);

  return result != NULL && rd_result_get_n_rows (result) == 1 &&
         g_strcmp0 (rd_result_get_string (result, 0, 0), wait->status) == 0;
}

typedef struct
{
  GtkLabel   *label;
  const char *prefix;
} LabelWait;

static gboolean
label_starts_with (gpointer data)
{
  LabelWait *wait = data;

  return g_str_has_prefix (gtk_label_get_text (wait->label), wait->prefix);
}

/* Where @walk_in's session is in the desk's list, narrowed to its doctor
 * when it is further down than the clerk would arrow to. */
static guint
session_position (RdDeskPage *desk,
                  WalkIn     *walk_in,
                  guint       max_position)
{
  GListModel *shown = rd_desk_page_get_shown (desk);

  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
        {
          g_autoptr(RdSession) session = g_list_model_get_item (shown, i);

          /* after narrowing, wherever it is */
          if (rd_session_get_id (session) == walk_in->session_id
              && (i <= max_position || pass > 0))
            return i;
        }
      /* keep it close: the window serves this doctor's department */
      gtk_editable_set_text (child (desk, RD_TYPE_DESK_PAGE, "search_entry"), walk_in->doctor);
      ui_test_settle (400);
    }
  g_assert_not_reached ();
}

/* A clerk's window on @walk_in's day, its session found (at *@position,
 * see session_position()) and its patient found the way the ID card
 * scanner finds them. */
static RdDeskPage *
open_desk_with_patient (WalkIn *walk_in,
                        guint   max_position,
                        guint  *position)
{
  RdDeskPage *desk;
  RdPatientPanel *panel;
  PatientWait wait;

  new_window ();
  log_in (RD_DEMO_CLERK);
  desk = child (window, RD_TYPE_WINDOW, "desk_page");
  panel = child (desk, RD_TYPE_DESK_PAGE, "patient_panel");
  rd_window_set_date (window, walk_in->date);
  g_assert_true (ui_test_wait_for (session_row_shown, walk_in, 20000));

  /* the doctor is on screen somewhere: find the row, the clerk's eyes do */
  *position = session_position (desk, walk_in, max_position);

  /* the patient shows their ID card: the scanner fills the search */
  rd_patient_panel_focus_search (panel);
  focus_x_window (GTK_WINDOW (window));
  gtk_editable_set_text (child (panel, RD_TYPE_PATIENT_PANEL, "search_entry"), walk_in->id_number);
  wait = (PatientWait) { panel, walk_in->patient_id };
  g_assert_true (ui_test_wait_for (patient_found, &wait, 10000));

  return desk;
}

/* With the keyboard from the found patient to the session's slots: Enter
 * to the sessions, arrows to the doctor, Enter to the slots. */
static void
open_session_slots (guint position)
{
  press_key ("Return");
  for (guint i = 0; i < position; i++)
    press_key ("Down");
  press_key ("Return");
  g_assert_true (ui_test_wait_for (grid_has_focus, NULL, 10000));
}

/* The clerk's whole job with a walk-in, with the keyboard only: once the
 * patient is found, Enter to the sessions, arrows to the doctor, Enter to
 * the slots, Enter books, Enter takes the exact cash, Enter prints. */
static void
test_walk_in (void)
{
  g_auto(WalkIn) walk_in = { 0 };
  g_autoptr(GSettings) settings = g_settings_new (RD_SETTINGS_SCHEMA_ID);
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *slips = g_build_filename (artifacts_dir, "slips", NULL);
  g_autofree char *slip_path = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *patient_id = NULL;
  RdDeskPage *desk;
  RdPatientPanel *panel;
  OrderWait order_wait;
  LabelWait label_wait;
  const char *params[2];
  guint position = G_MAXUINT;

  find_walk_in (&walk_in);
  g_settings_set_string (settings, "slip-folder", slips);

  desk = open_desk_with_patient (&walk_in, 2, &position);
  panel = child (desk, RD_TYPE_DESK_PAGE, "patient_panel");
  save_screenshot ("walk-in-found");

  keystrokes = 0;
  open_session_slots (position);
  save_screenshot ("walk-in-slots");
  press_key ("Return");
  g_assert_true (ui_test_wait_for (payment_dialog_shown, NULL, 10000));
  focus_x_window (payment_dialog ());
  save_screenshot_of (payment_dialog (), "walk-in-payment");
  press_key ("Return");
  g_assert_true (ui_test_wait_for (payment_dialog_paid, NULL, 10000));
  save_screenshot_of (payment_dialog (), "walk-in-paid");
  press_key ("Return");
  g_assert_true (ui_test_wait_for (payment_dialog_gone, NULL, 10000));

  g_test_message ("walk-in keystrokes after the patient was found: %u", keystrokes);
  g_assert_cmpuint (keystrokes, <=, 8);

  /* the database has it all: one paid cash booking for this patient */
  session_id = g_strdup_printf ("%" G_GINT64_FORMAT, walk_in.session_id);
  patient_id = g_strdup_printf ("%" G_GINT64_FORMAT, walk_in.patient_id);
  params[0] = session_id;
  params[1] = patient_id;
  result = rd_db_query_sync (owner_db,
                             "SELECT a.status, o.status, o.order_no, p.method "
                             "FROM regdesk.appointments a "
                             "JOIN regdesk.orders o ON o.appointment_id = a.id "
                             "JOIN regdesk.payments p ON p.order_id = o.id "
                             "WHERE a.session_id = $1 AND a.patient_id = $2",
                             2, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 1);
  g_assert_cmpstr (rd_result_get_string (result, 0, 0), ==, "booked");
  g_assert_cmpstr (rd_result_get_string (result, 0, 1), ==, "paid");
  g_assert_cmpstr (rd_result_get_string (result, 0, 3), ==, "cash");

  /* and the slip came out (this desk keeps slips as PDF files) */
  slip_path = g_strdup_printf ("%s/%s.pdf", slips, rd_result_get_string (result, 0, 2));
  g_assert_true (ui_test_wait_for (file_exists, slip_path, 5000));

  /* the next patient: the search is ready for them */
  g_assert_true (gtk_widget_has_focus (child (panel, RD_TYPE_PATIENT_PANEL, "search_entry")) ||
                 gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)),
                                         child (panel, RD_TYPE_PATIENT_PANEL, "search_entry")));
  save_screenshot ("walk-in-done");

  /* the patient changes their mind: 退号 on the chosen slot, confirmed,
   * and the cash goes back */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desk), "desk.cancel", NULL));
  g_assert_true (ui_test_wait_for (message_dialog_shown, NULL, 5000));
  save_screenshot_of (GTK_WINDOW (message_dialog ()), "walk-in-cancel");
  adw_message_dialog_response (message_dialog (), "cancel-booking");
  order_wait = (OrderWait) { rd_result_get_string (result, 0, 2), "refunded" };
  g_assert_true (ui_test_wait_for (order_has_status, &order_wait, 10000));
  label_wait = (LabelWait) { child (desk, RD_TYPE_DESK_PAGE, "message_label"),
                             language[0] == 'z' ? "已退号" : "Cancelled." };
  g_assert_true (ui_test_wait_for (label_starts_with, &label_wait, 5000));

  g_settings_reset (settings, "slip-folder");
  log_out ();
}

/* A session of today, all day long (so that check-in, which is for the
 * day itself, is open whenever the test runs, short of 23:59 in Shanghai),
 * of a doctor without another session today, with three window slots; and
 * a patient with nothing booked today. */
static void
make_check_in_day (WalkIn *walk_in)
{
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (owner_db,
                             "WITH today AS (SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date AS d), "
                             "doc AS (SELECT d.* FROM regdesk.doctors d, today WHERE NOT EXISTS "
                             "  (SELECT 1 FROM regdesk.sessions s WHERE s.doctor_id = d.id "
                             "   AND s.date = today.d) ORDER BY d.id LIMIT 1), "
                             "s AS (INSERT INTO regdesk.sessions (hospital_id, department_id, "
                             "  doctor_id, date, period, starts_at, ends_at, clinic_type, fee, "
                             "  capacity, quota_window, quota_online, quota_phone) "
                             "  SELECT doc.hospital_id, doc.department_id, doc.id, today.d, "
                             "  'evening', '00:00', '23:59', 'general', 1500, 3, 3, 0, 0 "
                             "  FROM doc, today RETURNING *), "
                             "sl AS (INSERT INTO regdesk.slots (hospital_id, session_id, seq, "
                             "  starts_at, ends_at, channel) "
                             "  SELECT s.hospital_id, s.id, g, "
                             "  (s.date + time '00:00') AT TIME ZONE 'Asia/Shanghai' + g * interval '1 minute', "
                             "  (s.date + time '00:00') AT TIME ZONE 'Asia/Shanghai' + (g + 1) * interval '1 minute', "
                             "  'window' FROM s, generate_series(1, 3) g) "
                             "SELECT s.id, s.date::text, d.name FROM s JOIN regdesk.doctors d "
                             "ON d.id = s.doctor_id",
                             0, NULL, NULL, &error);
  g_assert_no_error (error);
  take_session (walk_in, result, "DESC");
}

static gboolean
appointment_checked_in (gpointer data)
{
  gint64 *appointment_id = data;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, *appointment_id);
  const char *params[] = { id };
  g_autoptr(RdResult) result = NULL;

  result = rd_db_query_sync (owner_db, "SELECT status FROM regdesk.appointments WHERE id = $1",
                             1, params, NULL, NULL);

  return result != NULL && rd_result_get_n_rows (result) == 1 &&
         g_strcmp0 (rd_result_get_string (result, 0, 0), "checked_in") == 0;
}

static gboolean
slot_checked_in (gpointer data)
{
  GListModel *slots = rd_slot_grid_get_model (RD_SLOT_GRID (data));

  for (guint i = 0; slots != NULL && i < g_list_model_get_n_items (slots); i++)
    {
      g_autoptr(RdSlot) slot = g_list_model_get_item (slots, i);

      if (rd_slot_get_seq (slot) == 1)
        return rd_slot_get_status (slot) == RD_SLOT_STATUS_CHECKED_IN;
    }

  return FALSE;
}

/* 签到 at the window, keyboard only: the patient booked and paid online
 * comes to the desk; find them, their doctor's session, their slot, Ctrl+I
 * gives the queue number. */
static void
test_check_in (void)
{
  g_auto(WalkIn) walk_in = { 0 };
  g_autoptr(RdDb) online = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autoptr(RdBookingResult) booked = NULL;
  g_autoptr(RdPaymentResult) paid = NULL;
  g_autoptr(GError) error = NULL;
  RdDeskPage *desk;
  GtkWidget *grid;
  LabelWait label_wait;
  guint position = G_MAXUINT;

  make_check_in_day (&walk_in);
  booked = rd_booking_book_sync (online, NULL, walk_in.session_id, walk_in.patient_id,
                                 RD_CHANNEL_WINDOW, 1, NULL, NULL, &error);
  g_assert_no_error (error);
  paid = rd_booking_pay_cash_sync (online, NULL, booked->order_no, 1500, NULL, &error);
  g_assert_no_error (error);
  rd_db_close (online);

  desk = open_desk_with_patient (&walk_in, 0, &position);
  grid = child (desk, RD_TYPE_DESK_PAGE, "slot_grid");

  open_session_slots (position);
  /* the first free slot is chosen; theirs is the first of all */
  press_key ("Home");
  g_assert_cmpint (rd_slot_grid_get_selected_seq (RD_SLOT_GRID (grid)), ==, 1);
  press_key ("ctrl+i");
  g_assert_true (ui_test_wait_for (appointment_checked_in, &booked->appointment_id, 10000));
  label_wait = (LabelWait) { child (desk, RD_TYPE_DESK_PAGE, "message_label"),
                             language[0] == 'z' ? "已签到：排队号 1" : "Checked in: queue number 1" };
  g_assert_true (ui_test_wait_for (label_starts_with, &label_wait, 5000));
  save_screenshot ("check-in");

  /* the grid shows the slot checked in, live; Ctrl+I again does nothing */
  g_assert_true (ui_test_wait_for (slot_checked_in, grid, 5000));
  press_key ("ctrl+i");
  ui_test_settle (500);
  g_assert_true (label_starts_with (&label_wait));
  g_assert_true (appointment_checked_in (&booked->appointment_id));

  log_out ();
}

typedef struct
{
  RdFinancePage *page;
  guint          n_orders;
} OrdersWait;

static gboolean
orders_loaded (gpointer data)
{
  OrdersWait *wait = data;

  return !rd_finance_page_get_loading (wait->page) &&
         g_list_model_get_n_items (rd_finance_page_get_orders (wait->page)) == wait->n_orders;
}

/* A day of the demo with orders on it, and how many. */
static char *
busy_order_day (guint *n_orders)
{
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (owner_db,
                             "SELECT to_char(created_at AT TIME ZONE 'Asia/Shanghai', "
                             "'YYYY-MM-DD') AS day, count(*) FROM regdesk.orders "
                             "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
                             0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 1);
  *n_orders = rd_result_get_int64 (result, 0, 1);

  return g_strdup (rd_result_get_string (result, 0, 0));
}

static void
show_busy_finance_day (void)
{
  OrdersWait wait = { child (window, RD_TYPE_WINDOW, "finance_page"), 0 };
  g_autofree char *day = busy_order_day (&wait.n_orders);

  g_assert_cmpuint (wait.n_orders, >, 0);
  rd_window_set_date (window, day);
  g_assert_true (ui_test_wait_for (orders_loaded, &wait, 20000));
}

static void
test_finance_roles (void)
{
  new_window ();
  log_in (RD_DEMO_FINANCE);

  g_assert_false (adw_view_stack_page_get_visible (child (window, RD_TYPE_WINDOW,
                                                          "desk_stack_page")));
  g_assert_false (adw_view_stack_page_get_visible (child (window, RD_TYPE_WINDOW,
                                                          "schedules_stack_page")));
  g_assert_true (adw_view_stack_page_get_visible (child (window, RD_TYPE_WINDOW,
                                                         "finance_stack_page")));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (child (window, RD_TYPE_WINDOW,
                                                                 "view_stack")),
                   ==, "finance");

  show_busy_finance_day ();
  save_screenshot ("finance");
  log_out ();
}

static gboolean
schedules_loaded (gpointer data)
{
  RdSchedulesPage *page = data;
  RdRoster *roster = rd_schedules_page_get_roster (page);

  return roster != NULL && !rd_roster_get_loading (roster) &&
         g_list_model_get_n_items (G_LIST_MODEL (roster)) > 0;
}

static void
test_admin_roles (void)
{
  RdSchedulesPage *schedules;
  GListModel *desk_sessions;
  GListModel *schedules_sessions;
  AdwViewStack *stack;

  new_window ();
  log_in (RD_DEMO_ADMIN);

  g_assert_true (adw_view_stack_page_get_visible (child (window, RD_TYPE_WINDOW,
                                                         "desk_stack_page")));
  g_assert_true (adw_view_stack_page_get_visible (child (window, RD_TYPE_WINDOW,
                                                         "schedules_stack_page")));
  g_assert_true (adw_view_stack_page_get_visible (child (window, RD_TYPE_WINDOW,
                                                         "finance_stack_page")));
  g_assert_true (ui_test_wait_for (desk_shows_rows, NULL, 20000));
  save_screenshot ("admin-desk");

  /* Alt+2: the schedules page shows the same day's sessions */
  stack = child (window, RD_TYPE_WINDOW, "view_stack");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-schedules", NULL);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "schedules");
  schedules = child (window, RD_TYPE_WINDOW, "schedules_page");
  g_assert_true (ui_test_wait_for (schedules_loaded, schedules, 20000));
  desk_sessions = G_LIST_MODEL (rd_desk_page_get_roster (child (window, RD_TYPE_WINDOW,
                                                                "desk_page")));
  schedules_sessions = G_LIST_MODEL (rd_schedules_page_get_roster (schedules));
  g_assert_cmpuint (g_list_model_get_n_items (schedules_sessions), ==,
                    g_list_model_get_n_items (desk_sessions));
  save_screenshot ("schedules");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-finance", NULL);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "finance");
  show_busy_finance_day ();
  save_screenshot ("admin-finance");

  /* Preferences and the shortcuts window open (and bind their settings) */
  gtk_widget_activate_action (GTK_WIDGET (window), "app.preferences", NULL);
  ui_test_settle (300);
  {
    GList *windows = gtk_window_list_toplevels ();
    GtkWindow *preferences = NULL;

    for (GList *l = windows; l != NULL; l = l->next)
      {
        if (g_type_is_a (G_OBJECT_TYPE (l->data), ADW_TYPE_PREFERENCES_WINDOW))
          preferences = l->data;
      }
    g_list_free (windows);
    g_assert_nonnull (preferences);
    g_assert_true (gtk_window_get_transient_for (preferences) == GTK_WINDOW (window));
    save_screenshot_of (preferences, "preferences");
    gtk_window_destroy (preferences);
  }
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));

  /* the next day, and back */
  {
    g_autofree char *day = g_strdup (rd_window_get_date (window));

    gtk_widget_activate_action (GTK_WIDGET (window), "win.next-day", NULL);
    g_assert_cmpstr (rd_window_get_date (window), >, day);
    gtk_widget_activate_action (GTK_WIDGET (window), "win.previous-day", NULL);
    g_assert_cmpstr (rd_window_get_date (window), ==, day);
  }

  log_out ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *localedir = NULL;

  ui_test_init_logging ();

  /* our own options, before GTest sees argv */
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

  /* The server inherits our environment: keep its messages in English, as
   * a server's lc_messages usually is, before the client turns Chinese. */
  rd_test_pg_get ();
  rd_test_pg_load_demo ();
  owner_db = rd_test_pg_connect (NULL, NULL);

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
  /* steady frames for screenshots; no blink timer fighting over focus */
  g_object_set (gtk_settings_get_default (),
                "gtk-enable-animations", FALSE,
                "gtk-cursor-blink", FALSE,
                NULL);

  artifacts_dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL ?
                                    g_getenv ("G_TEST_BUILDDIR") : ".",
                                    "ui", "artifacts", NULL);
  g_mkdir_with_parents (artifacts_dir, 0755);

  app = rd_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("Could not register the application: %s", error->message);

  g_test_add_func ("/ui/window/wrong-password", test_wrong_password);
  g_test_add_func ("/ui/window/clerk-desk", test_clerk_desk);
  g_test_add_func ("/ui/window/walk-in", test_walk_in);
  g_test_add_func ("/ui/window/check-in", test_check_in);
  g_test_add_func ("/ui/window/finance-roles", test_finance_roles);
  g_test_add_func ("/ui/window/admin-roles", test_admin_roles);

  return g_test_run ();
}
