/* rd-application.c: the Regdesk application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>

#include "rd-application.h"
#include "rd-demo-data.h"
#include "rd-demo.h"
#include "rd-gateway-sim.h"
#include "rd-preferences-window.h"
#include "rd-ui-resources.h"
#include "rd-window.h"

struct _RdApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  GCancellable   *cancellable;
  RdCluster      *demo_cluster;
  /* the demo's payment and SMS gateways, and the credentials to reach them */
  RdGatewaySim   *demo_gateways;
  char           *credentials_path;

  /* from the command line */
  char           *conninfo;
  gboolean        demo;

  guint           signal_sources[2];

  gboolean        started;
  gboolean        demo_preparing;
};

G_DEFINE_FINAL_TYPE (RdApplication, rd_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Start the embedded demo hospital and log in as its clerk"), NULL },
  { "conninfo", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("The database server (a libpq connection string or URI)"), N_("CONNINFO") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

/* Nothing remembered and no PG* environment: a new user gets the demo. */
static gboolean
rd_application_is_configured (RdApplication *self)
{
  static const char * const variables[] = {
    "PGHOST", "PGHOSTADDR", "PGSERVICE", "PGDATABASE", "PGPORT",
  };
  g_autofree char *server = g_settings_get_string (self->settings, "server");

  if (self->conninfo != NULL || server[0] != '\0')
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      if (g_getenv (variables[i]) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* The gateway simulator on loopback, so that a new user can take a fee by
 * WeChat Pay or Alipay end to end; without it the demo takes cash and card. */
static void
rd_application_start_demo_gateways (RdApplication *self,
                                    RdCluster     *cluster)
{
  g_autoptr(RdGatewaySim) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (self->demo_gateways != NULL)
    return;

  path = g_build_filename (rd_cluster_get_directory (cluster), "..", "gateways.conf", NULL);
  sim = rd_gateway_sim_new (&error);
  if (sim == NULL ||
      !rd_gateway_sim_start (sim, 0, &error) ||
      !rd_gateway_sim_write_credentials (sim, path, &error))
    {
      g_warning ("The demo's gateway simulator could not start: %s", error->message);
      return;
    }

  g_message ("Demo gateways at %s", rd_gateway_sim_get_base_url (sim));
  self->demo_gateways = g_steal_pointer (&sim);
  g_free (self->credentials_path);
  self->credentials_path = g_canonicalize_filename (path, NULL);
}

static void
on_demo_prepared (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RdApplication) self = user_data;
  g_autoptr(RdCluster) cluster = NULL;
  g_autoptr(GError) error = NULL;

  self->demo_preparing = FALSE;
  cluster = rd_demo_prepare_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (cluster != NULL)
    {
      g_set_object (&self->demo_cluster, cluster);
      rd_application_start_demo_gateways (self, cluster);
    }
  else
    {
      g_warning ("The demo could not start: %s", error->message);
    }

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    {
      if (!RD_IS_WINDOW (l->data))
        continue;
      if (cluster != NULL)
        rd_window_set_demo (l->data, cluster, RD_DEMO_CLERK);
      else
        rd_window_show_demo_error (l->data, error);
    }
}

static void
rd_application_start_demo (RdApplication *self,
                           RdWindow      *window)
{
  if (self->demo_cluster != NULL)
    {
      rd_window_set_demo (window, self->demo_cluster, RD_DEMO_CLERK);
      return;
    }

  rd_window_show_preparing (window);
  if (self->demo_preparing)
    return;

  self->demo_preparing = TRUE;
  rd_demo_prepare_async (NULL, self->cancellable, on_demo_prepared, g_object_ref (self));
}

static void
rd_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  RdApplication *self = user_data;

  /* closing the windows first lets them save their size and close their
   * connections before the demo server stops */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_destroy (window);
    }

  g_application_quit (G_APPLICATION (self));
}

static void
rd_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  RdApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  RdPreferencesWindow *preferences = rd_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
rd_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  RdApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Regdesk developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Regdesk"),
                        "application-icon", APPLICATION_ID,
                        "developer-name", _("The Regdesk developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Outpatient registration for hospitals: the desk, "
                                      "the rosters and the day’s payments, live."),
                        "website", "https://github.com/regdesk/regdesk",
                        "issue-url", "https://github.com/regdesk/regdesk/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        "copyright", "© 2024 The Regdesk developers",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* SIGTERM and SIGINT quit cleanly, so the demo's server stops with us. */
static gboolean
rd_application_on_signal (gpointer user_data)
{
  RdApplication *self = user_data;

  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);

  return G_SOURCE_CONTINUE;
}

static const GActionEntry app_actions[] = {
  { "quit", rd_application_quit_action },
  { "preferences", rd_application_preferences_action },
  { "about", rd_application_about_action },
};

static gint
rd_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  RdApplication *self = RD_APPLICATION (application);
  const char *conninfo = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }

  self->demo = g_variant_dict_contains (options, "demo");
  if (g_variant_dict_lookup (options, "conninfo", "&s", &conninfo))
    {
      g_free (self->conninfo);
      self->conninfo = g_strdup (conninfo);
    }

  return -1;
}

static void
rd_application_startup (GApplication *application)
{
  RdApplication *self = RD_APPLICATION (application);
  static const struct
  {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
    { "win.logout", { "<Control><Shift>l", NULL } },
    { "win.page-desk", { "<Alt>1", NULL } },
    { "win.page-schedules", { "<Alt>2", NULL } },
    { "win.page-finance", { "<Alt>3", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.reload", { "F5", "<Control>r", NULL } },
    { "win.previous-day", { "<Alt>Left", NULL } },
    { "win.next-day", { "<Alt>Right", NULL } },
    { "win.today", { "<Alt>Home", NULL } },
  };

  /* Before chaining up: AdwApplication loads style.css from the resource
   * base path then. The generated constructor that would register it may
   * have been dropped with the static library's unused objects. */
  if (!g_resources_get_info (RESOURCE_PREFIX "/style.css", G_RESOURCE_LOOKUP_FLAGS_NONE,
                             NULL, NULL, NULL))
    g_resources_register (rd_ui_get_resource ());

  G_APPLICATION_CLASS (rd_application_parent_class)->startup (application);

  gtk_window_set_default_icon_name (APPLICATION_ID);
  self->signal_sources[0] = g_unix_signal_add (SIGTERM, rd_application_on_signal, self);
  self->signal_sources[1] = g_unix_signal_add (SIGINT, rd_application_on_signal, self);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);
}

static void
rd_application_activate (GApplication *application)
{
  RdApplication *self = RD_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (rd_window_new (self));

  if (!self->started)
    {
      self->started = TRUE;
      if (self->conninfo != NULL)
        rd_window_set_server (RD_WINDOW (window), self->conninfo);
      if (self->demo || !rd_application_is_configured (self))
        rd_application_start_demo (self, RD_WINDOW (window));
    }
  else if (self->demo_cluster != NULL || self->demo_preparing)
    {
      rd_application_start_demo (self, RD_WINDOW (window));
    }

  gtk_window_present (window);
}

static void
rd_application_shutdown (GApplication *application)
{
  RdApplication *self = RD_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (self->signal_sources); i++)
    g_clear_handle_id (&self->signal_sources[i], g_source_remove);

  if (self->demo_gateways != NULL)
    rd_gateway_sim_stop (self->demo_gateways);
  g_clear_object (&self->demo_gateways);

  if (self->demo_cluster != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!rd_cluster_stop_sync (self->demo_cluster, &error))
        g_warning ("Could not stop the demo database: %s", error->message);
      g_clear_object (&self->demo_cluster);
    }

  G_APPLICATION_CLASS (rd_application_parent_class)->shutdown (application);
}

static void
rd_application_finalize (GObject *object)
{
  RdApplication *self = RD_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->demo_cluster);
  g_clear_pointer (&self->conninfo, g_free);
  g_clear_pointer (&self->credentials_path, g_free);

  G_OBJECT_CLASS (rd_application_parent_class)->finalize (object);
}

static void
rd_application_class_init (RdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = rd_application_finalize;

  app_class->handle_local_options = rd_application_handle_local_options;
  app_class->startup = rd_application_startup;
  app_class->activate = rd_application_activate;
  app_class->shutdown = rd_application_shutdown;
}

static void
rd_application_init (RdApplication *self)
{
  self->settings = g_settings_new (RD_SETTINGS_SCHEMA_ID);
  self->cancellable = g_cancellable_new ();

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("The hospital outpatient registration desk."));
}

void
rd_application_init_i18n (void)
{
  const char *localedir = g_getenv ("REGDESK_LOCALEDIR");

  if (localedir == NULL || localedir[0] == '\0')
    localedir = LOCALEDIR;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

RdApplication *
rd_application_new (void)
{
  return g_object_new (RD_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

GSettings *
rd_application_get_settings (RdApplication *self)
{
  g_return_val_if_fail (RD_IS_APPLICATION (self), NULL);

  return self->settings;
}

RdCluster *
rd_application_get_demo_cluster (RdApplication *self)
{
  g_return_val_if_fail (RD_IS_APPLICATION (self), NULL);

  return self->demo_cluster;
}

/* The gateway credentials key file: the demo's simulator while it runs,
 * else the user's ($XDG_CONFIG_HOME/regdesk/gateways.conf). */
char *
rd_application_get_credentials_path (RdApplication *self)
{
  g_return_val_if_fail (self == NULL || RD_IS_APPLICATION (self), NULL);

  if (self != NULL && self->credentials_path != NULL)
    return g_strdup (self->credentials_path);

  return g_build_filename (g_get_user_config_dir (), "regdesk", "gateways.conf", NULL);
}

/* The demo's gateway simulator, or NULL. */
RdGatewaySim *
rd_application_get_demo_gateways (RdApplication *self)
{
  g_return_val_if_fail (RD_IS_APPLICATION (self), NULL);

  return self->demo_gateways;
}
