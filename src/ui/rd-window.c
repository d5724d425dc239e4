/* rd-window.c: the main window: login, then the pages of the login's roles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-application.h"
#include "rd-date-bar.h"
#include "rd-demo-data.h"
#include "rd-desk-page.h"
#include "rd-finance-page.h"
#include "rd-login-page.h"
#include "rd-roster.h"
#include "rd-schedules-page.h"
#include "rd-staff.h"
#include "rd-ui-util.h"
#include "rd-window.h"

struct _RdWindow
{
  AdwApplicationWindow   parent_instance;

  GtkStack              *stack;
  GtkSpinner            *preparing_spinner;
  RdLoginPage           *login_page;
  RdDateBar             *date_bar;
  AdwViewSwitcherTitle  *switcher_title;
  GtkImage              *connection_icon;
  GtkLabel              *identity_label;
  GtkRevealer           *banner_revealer;
  GtkSpinner            *banner_spinner;
  AdwViewStack          *view_stack;
  AdwViewStackPage      *desk_stack_page;
  AdwViewStackPage      *schedules_stack_page;
  AdwViewStackPage      *finance_stack_page;
  RdDeskPage            *desk_page;
  RdSchedulesPage       *schedules_page;
  RdFinancePage         *finance_page;

  GSettings             *settings;
  /* the login in progress; a new login or closing the window cancels it */
  GCancellable          *cancellable;
  RdDb                  *pending_db;
  RdDb                  *db;
  RdWhoami              *whoami;
  RdRoster              *desk_roster;
  RdRoster              *schedules_roster;
  RdCluster             *demo_cluster;
  char                  *date;
};

G_DEFINE_FINAL_TYPE (RdWindow, rd_window, ADW_TYPE_APPLICATION_WINDOW)

static const char * const logged_in_actions[] = {
  "logout", "page-desk", "page-schedules", "page-finance", "search", "reload",
  "previous-day", "next-day", "today",
};

static void
rd_window_update_actions (RdWindow *self)
{
  gboolean logged_in = self->db != NULL;

  for (guint i = 0; i < G_N_ELEMENTS (logged_in_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), logged_in_actions[i]);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), logged_in);
    }
}

static void
rd_window_update_today_action (RdWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "today");
  const char *today = rd_date_bar_get_today (self->date_bar);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               self->db != NULL && g_strcmp0 (self->date, today) != 0);
}

static char *
rd_window_compute_today (RdWindow *self,
                         gboolean  use_preferences)
{
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (self->whoami != NULL && self->whoami->time_zone != NULL)
    zone = g_time_zone_new_identifier (self->whoami->time_zone);
  if (zone == NULL)
    zone = g_time_zone_new_local ();
  now = g_date_time_new_now (zone);

  if (!use_preferences)
    return rd_ui_default_date (now, FALSE, 0);

  return rd_ui_default_date (now,
                             g_settings_get_boolean (self->settings, "tomorrow-after-hours"),
                             g_settings_get_int (self->settings, "closing-hour"));
}

static void
rd_window_update_connection (RdWindow *self)
{
  RdDbState state = self->db != NULL ? rd_db_get_state (self->db) : RD_DB_STATE_DISCONNECTED;
  gboolean lost = FALSE;

  switch (state)
    {
    case RD_DB_STATE_CONNECTED:
      gtk_image_set_from_icon_name (self->connection_icon, "network-wired-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->connection_icon),
                                   _("Connected to the database"));
      break;

    case RD_DB_STATE_CONNECTING:
    case RD_DB_STATE_RECONNECTING:
      gtk_image_set_from_icon_name (self->connection_icon, "network-wired-acquiring-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->connection_icon),
                                   _("Connection lost — reconnecting…"));
      lost = self->db != NULL;
      break;

    case RD_DB_STATE_DISCONNECTED:
    default:
      gtk_image_set_from_icon_name (self->connection_icon, "network-wired-disconnected-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->connection_icon),
                                   _("Not connected"));
      lost = self->db != NULL;
      break;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->connection_icon), "error");
  if (lost)
    gtk_widget_add_css_class (GTK_WIDGET (self->connection_icon), "error");

  gtk_revealer_set_reveal_child (self->banner_revealer, lost);
  gtk_spinner_set_spinning (self->banner_spinner, lost);
}

static void
rd_window_show_login (RdWindow *self)
{
  gtk_spinner_set_spinning (self->preparing_spinner, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "login");
  gtk_window_set_default_widget (GTK_WINDOW (self),
                                 rd_login_page_get_default_widget (self->login_page));
  rd_login_page_focus_first_empty (self->login_page);
}

static void
rd_window_login_failed (RdWindow     *self,
                        const GError *error)
{
  g_autofree char *message = rd_ui_describe_login_error (error);

  if (message == NULL)
    return;

  if (self->pending_db != NULL)
    rd_db_close (self->pending_db);
  g_clear_object (&self->pending_db);

  rd_login_page_set_busy (self->login_page, FALSE);
  rd_login_page_set_error (self->login_page, message, error->message);
  rd_login_page_focus_first_empty (self->login_page);
}

/* The gateways come from the credentials key file; without one (or with a
 * bad one, which the log names) the desk takes cash and card only. */
static RdPayService *
rd_window_make_pay_service (RdWindow *self,
                            RdDb     *db)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = rd_application_get_credentials_path (RD_APPLICATION (
    gtk_window_get_application (GTK_WINDOW (self))));
  RdPayService *pay = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    pay = rd_pay_service_new_from_credentials (db, path, &error);
  else
    g_info ("No gateway credentials in %s: cash and card only", path);
  if (pay != NULL)
    return pay;

  if (error != NULL)
    g_warning ("Payment gateways are off: %s", error->message);

  return rd_pay_service_new (db, NULL, NULL);
}

static void
rd_window_logged_in (RdWindow *self,
                     RdDb     *db,
                     RdWhoami *whoami)
{
  RdUiPages pages = rd_ui_pages_for_roles (whoami->roles);
  g_autofree char *subtitle = NULL;
  g_autofree char *date = NULL;
  g_autofree char *today = NULL;
  const char *time_zone;

  self->db = g_object_ref (db);
  self->whoami = whoami;
  time_zone = whoami->time_zone != NULL ? whoami->time_zone : "Asia/Shanghai";

  /* never the demo's private socket: the next start would find no server */
  if (self->demo_cluster == NULL)
    g_settings_set_string (self->settings, "server",
                           rd_login_page_get_server (self->login_page));
  g_settings_set_string (self->settings, "last-user", rd_login_page_get_user (self->login_page));
  rd_login_page_set_password (self->login_page, "");
  rd_login_page_set_busy (self->login_page, FALSE);
  rd_login_page_set_error (self->login_page, NULL, NULL);

  rd_db_set_auto_reconnect (db, TRUE);
  g_signal_connect_object (db, "notify::state", G_CALLBACK (rd_window_update_connection), self,
                           G_CONNECT_SWAPPED);

  adw_view_stack_page_set_visible (self->desk_stack_page, (pages & RD_UI_PAGE_DESK) != 0);
  adw_view_stack_page_set_visible (self->schedules_stack_page,
                                   (pages & RD_UI_PAGE_SCHEDULES) != 0);
  adw_view_stack_page_set_visible (self->finance_stack_page, (pages & RD_UI_PAGE_FINANCE) != 0);

  date = rd_window_compute_today (self, TRUE);
  today = rd_window_compute_today (self, FALSE);
  rd_date_bar_set_today (self->date_bar, today);
  g_clear_pointer (&self->date, g_free);

  if (pages & RD_UI_PAGE_DESK)
    {
      g_autoptr(RdPayService) pay = rd_window_make_pay_service (self, db);

      self->desk_roster = rd_roster_new (db);
      rd_desk_page_set_roster (self->desk_page, self->desk_roster);
      rd_desk_page_set_db (self->desk_page, db, pay);
    }
  if (pages & RD_UI_PAGE_SCHEDULES)
    {
      self->schedules_roster = rd_roster_new (db);
      rd_schedules_page_set_roster (self->schedules_page, self->schedules_roster);
    }
  if (pages & RD_UI_PAGE_FINANCE)
    rd_finance_page_set_db (self->finance_page, db, time_zone);
  rd_window_set_date (self, date);

  /* Translators: who is logged in where: staff member · hospital */
  subtitle = g_strdup_printf (_("%s · %s"), whoami->display_name, whoami->hospital_name);
  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
  /* the switcher hides the subtitle on a wide window: say it in the header too */
  gtk_label_set_text (self->identity_label, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->identity_label), subtitle);

  if (pages & RD_UI_PAGE_DESK)
    adw_view_stack_set_visible_child_name (self->view_stack, "desk");
  else if (pages & RD_UI_PAGE_SCHEDULES)
    adw_view_stack_set_visible_child_name (self->view_stack, "schedules");
  else
    adw_view_stack_set_visible_child_name (self->view_stack, "finance");

  gtk_window_set_default_widget (GTK_WINDOW (self), NULL);
  gtk_stack_set_visible_child_name (self->stack, "main");
  rd_window_update_actions (self);
  rd_window_update_today_action (self);
  rd_window_update_connection (self);

  if (pages & RD_UI_PAGE_DESK)
    rd_desk_page_focus_patient_search (self->desk_page);
}

static void
on_whoami (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RdWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  RdWhoami *whoami;

  whoami = rd_staff_whoami_finish (RD_DB (object), result, &error);
  if (whoami == NULL)
    {
      rd_window_login_failed (self, error);
      return;
    }

  if (RD_DB (object) != self->pending_db)
    {
      rd_whoami_free (whoami);
      return;
    }

  g_clear_object (&self->pending_db);
  rd_window_logged_in (self, RD_DB (object), whoami);
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RdWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rd_db_connect_finish (RD_DB (object), result, &error))
    {
      rd_window_login_failed (self, error);
      return;
    }

  rd_staff_whoami_async (RD_DB (object), self->cancellable, on_whoami, g_object_ref (self));
}

static void
on_log_in (RdWindow *self)
{
  const char *user = rd_login_page_get_user (self->login_page);
  g_autofree char *conninfo = NULL;

  if (self->db != NULL)
    return;

  if (user[0] == '\0')
    {
      rd_login_page_set_error (self->login_page, _("Enter your user name."), NULL);
      rd_login_page_focus_first_empty (self->login_page);
      return;
    }

  conninfo = rd_ui_build_conninfo (rd_login_page_get_server (self->login_page), user,
                                   rd_login_page_get_password (self->login_page));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->pending_db != NULL)
    rd_db_close (self->pending_db);
  g_clear_object (&self->pending_db);

  rd_login_page_set_error (self->login_page, NULL, NULL);
  rd_login_page_set_busy (self->login_page, TRUE);

  self->pending_db = rd_db_new (conninfo);
  rd_db_connect_async (self->pending_db, self->cancellable, on_connected, g_object_ref (self));
}

static void
rd_window_clear_session (RdWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  if (self->pending_db != NULL)
    rd_db_close (self->pending_db);
  g_clear_object (&self->pending_db);

  rd_desk_page_set_roster (self->desk_page, NULL);
  rd_desk_page_set_db (self->desk_page, NULL, NULL);
  rd_schedules_page_set_roster (self->schedules_page, NULL);
  rd_finance_page_set_db (self->finance_page, NULL, NULL);
  g_clear_object (&self->desk_roster);
  g_clear_object (&self->schedules_roster);

  if (self->db != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->db, self);
      rd_db_close (self->db);
      g_clear_object (&self->db);
    }
  g_clear_pointer (&self->whoami, rd_whoami_free);
  g_clear_pointer (&self->date, g_free);
}

static void
rd_window_go_to_day (RdWindow *self,
                     int       days)
{
  g_autofree char *date = NULL;
  g_autofree char *today = rd_window_compute_today (self, FALSE);

  rd_date_bar_set_today (self->date_bar, today);
  rd_window_update_today_action (self);
  if (self->date == NULL)
    return;

  date = rd_ui_date_add_days (self->date, days);
  if (date != NULL)
    rd_window_set_date (self, date);
}

static void
logout_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  rd_window_log_out (RD_WINDOW (user_data));
}

static void
rd_window_show_page (RdWindow         *self,
                     AdwViewStackPage *page)
{
  if (adw_view_stack_page_get_visible (page))
    adw_view_stack_set_visible_child (self->view_stack, adw_view_stack_page_get_child (page));
}

static void
page_desk_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  RdWindow *self = user_data;

  rd_window_show_page (self, self->desk_stack_page);
}

static void
page_schedules_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  RdWindow *self = user_data;

  rd_window_show_page (self, self->schedules_stack_page);
}

static void
page_finance_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  RdWindow *self = user_data;

  rd_window_show_page (self, self->finance_stack_page);
}

static void
search_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  RdWindow *self = user_data;

  /* the search lives on the desk; Ctrl+F from another page goes there */
  if (!adw_view_stack_page_get_visible (self->desk_stack_page))
    return;

  rd_window_show_page (self, self->desk_stack_page);
  rd_desk_page_focus_search (self->desk_page);
}

static void
reload_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  RdWindow *self = user_data;

  if (self->desk_roster != NULL)
    rd_roster_reload (self->desk_roster);
  if (self->schedules_roster != NULL)
    rd_roster_reload (self->schedules_roster);
  if (adw_view_stack_page_get_visible (self->finance_stack_page))
    rd_finance_page_reload (self->finance_page);
}

static void
previous_day_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  rd_window_go_to_day (RD_WINDOW (user_data), -1);
}

static void
next_day_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  rd_window_go_to_day (RD_WINDOW (user_data), 1);
}

static void
today_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  RdWindow *self = user_data;
  g_autofree char *today = rd_window_compute_today (self, FALSE);

  rd_date_bar_set_today (self->date_bar, today);
  if (self->db != NULL)
    rd_window_set_date (self, today);
}

static const GActionEntry win_actions[] = {
  { "logout", logout_action },
  { "page-desk", page_desk_action },
  { "page-schedules", page_schedules_action },
  { "page-finance", page_finance_action },
  { "search", search_action },
  { "reload", reload_action },
  { "previous-day", previous_day_action },
  { "next-day", next_day_action },
  { "today", today_action },
};

static void
on_date_chosen (RdWindow   *self,
                const char *date)
{
  if (self->db != NULL)
    rd_window_set_date (self, date);
}

static gboolean
rd_window_close_request (GtkWindow *window)
{
  RdWindow *self = RD_WINDOW (window);
  gboolean maximized = gtk_window_is_maximized (window);

  if (!maximized)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);

  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (rd_window_parent_class)->close_request (window);
}

static void
rd_window_dispose (GObject *object)
{
  RdWindow *self = RD_WINDOW (object);

  if (self->desk_page != NULL)
    rd_window_clear_session (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_WINDOW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->demo_cluster);

  G_OBJECT_CLASS (rd_window_parent_class)->dispose (object);
}

static void
rd_window_finalize (GObject *object)
{
  RdWindow *self = RD_WINDOW (object);

  g_clear_pointer (&self->date, g_free);

  G_OBJECT_CLASS (rd_window_parent_class)->finalize (object);
}

static void
rd_window_class_init (RdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = rd_window_dispose;
  object_class->finalize = rd_window_finalize;
  window_class->close_request = rd_window_close_request;

  g_type_ensure (RD_TYPE_DATE_BAR);
  g_type_ensure (RD_TYPE_DESK_PAGE);
  g_type_ensure (RD_TYPE_FINANCE_PAGE);
  g_type_ensure (RD_TYPE_LOGIN_PAGE);
  g_type_ensure (RD_TYPE_SCHEDULES_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/rd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RdWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, preparing_spinner);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, login_page);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, date_bar);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, connection_icon);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, identity_label);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, banner_spinner);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, desk_stack_page);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, schedules_stack_page);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, finance_stack_page);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, desk_page);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, schedules_page);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, finance_page);
}

static void
rd_window_init (RdWindow *self)
{
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (RD_SETTINGS_SCHEMA_ID);
  self->cancellable = g_cancellable_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
  rd_window_update_actions (self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  server = g_settings_get_string (self->settings, "server");
  user = g_settings_get_string (self->settings, "last-user");
  rd_login_page_set_server (self->login_page, server);
  rd_login_page_set_user (self->login_page, user);
  g_signal_connect_object (self->login_page, "log-in", G_CALLBACK (on_log_in), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->date_bar, "date-chosen", G_CALLBACK (on_date_chosen), self,
                           G_CONNECT_SWAPPED);

  g_object_bind_property (self->switcher_title, "title-visible", self->identity_label, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  rd_window_update_connection (self);
  rd_window_show_login (self);
}

RdWindow *
rd_window_new (RdApplication *application)
{
  g_return_val_if_fail (RD_IS_APPLICATION (application), NULL);

  return g_object_new (RD_TYPE_WINDOW, "application", application, NULL);
}

void
rd_window_set_server (RdWindow   *self,
                      const char *server)
{
  g_return_if_fail (RD_IS_WINDOW (self));

  rd_login_page_set_server (self->login_page, server);
}

void
rd_window_show_preparing (RdWindow *self)
{
  g_return_if_fail (RD_IS_WINDOW (self));

  if (self->db != NULL)
    return;

  gtk_spinner_set_spinning (self->preparing_spinner, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "preparing");
}

void
rd_window_set_demo (RdWindow   *self,
                    RdCluster  *cluster,
                    const char *login)
{
  g_autofree char *conninfo = NULL;

  g_return_if_fail (RD_IS_WINDOW (self));
  g_return_if_fail (RD_IS_CLUSTER (cluster));

  g_set_object (&self->demo_cluster, cluster);
  conninfo = rd_cluster_get_conninfo (cluster, NULL, NULL);
  rd_login_page_set_server (self->login_page, conninfo);
  rd_login_page_set_show_demo (self->login_page, TRUE);

  if (self->db != NULL)
    return;

  rd_window_show_login (self);
  if (login != NULL)
    rd_window_log_in (self, login, RD_DEMO_PASSWORD);
}

void
rd_window_show_demo_error (RdWindow     *self,
                           const GError *error)
{
  g_return_if_fail (RD_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  if (self->db != NULL)
    return;

  rd_window_show_login (self);
  rd_login_page_set_error (self->login_page, _("The demo hospital could not be started."),
                           error->message);
}

void
rd_window_log_in (RdWindow   *self,
                  const char *user,
                  const char *password)
{
  g_return_if_fail (RD_IS_WINDOW (self));
  g_return_if_fail (user != NULL);

  rd_login_page_set_user (self->login_page, user);
  rd_login_page_set_password (self->login_page, password);
  on_log_in (self);
}

void
rd_window_log_out (RdWindow *self)
{
  g_return_if_fail (RD_IS_WINDOW (self));

  rd_window_clear_session (self);
  adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
  gtk_label_set_text (self->identity_label, "");
  rd_login_page_set_busy (self->login_page, FALSE);
  rd_login_page_set_password (self->login_page, "");
  rd_window_update_actions (self);
  rd_window_update_connection (self);
  rd_window_show_login (self);
}

RdDb *
rd_window_get_db (RdWindow *self)
{
  g_return_val_if_fail (RD_IS_WINDOW (self), NULL);

  return self->db;
}

const char *
rd_window_get_date (RdWindow *self)
{
  g_return_val_if_fail (RD_IS_WINDOW (self), NULL);

  return self->date;
}

void
rd_window_set_date (RdWindow   *self,
                    const char *date)
{
  g_return_if_fail (RD_IS_WINDOW (self));
  g_return_if_fail (date != NULL);

  if (g_strcmp0 (self->date, date) == 0)
    return;

  g_free (self->date);
  self->date = g_strdup (date);

  rd_date_bar_set_date (self->date_bar, date);
  rd_window_update_today_action (self);
  if (self->desk_roster != NULL)
    rd_roster_set_date (self->desk_roster, date);
  if (self->schedules_roster != NULL)
    rd_roster_set_date (self->schedules_roster, date);
  if (self->db != NULL && adw_view_stack_page_get_visible (self->finance_stack_page))
    rd_finance_page_set_date (self->finance_page, date);
}
