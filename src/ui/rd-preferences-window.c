/* rd-preferences-window.c: the settings a person can change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-preferences-window.h"

struct _RdPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwEntryRow          *server_row;
  AdwActionRow         *last_user_row;
  GtkButton            *forget_button;
  GtkSwitch            *tomorrow_switch;
  GtkSpinButton        *closing_hour_spin;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (RdPreferencesWindow, rd_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rd_preferences_window_update_last_user (RdPreferencesWindow *self)
{
  g_autofree char *user = g_settings_get_string (self->settings, "last-user");

  adw_action_row_set_subtitle (self->last_user_row, user[0] != '\0' ? user : _("None"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->forget_button), user[0] != '\0');
}

static void
on_forget_clicked (RdPreferencesWindow *self)
{
  g_settings_reset (self->settings, "last-user");
}

static void
rd_preferences_window_constructed (GObject *object)
{
  RdPreferencesWindow *self = RD_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (rd_preferences_window_parent_class)->constructed (object);

  g_assert (G_IS_SETTINGS (self->settings));

  g_settings_bind (self->settings, "server", self->server_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "tomorrow-after-hours", self->tomorrow_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "closing-hour", self->closing_hour_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_object_bind_property (self->tomorrow_switch, "active", self->closing_hour_spin, "sensitive",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->settings, "changed::last-user",
                           G_CALLBACK (rd_preferences_window_update_last_user), self,
                           G_CONNECT_SWAPPED);
  rd_preferences_window_update_last_user (self);
}

static void
rd_preferences_window_dispose (GObject *object)
{
  RdPreferencesWindow *self = RD_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (rd_preferences_window_parent_class)->dispose (object);
}

static void
rd_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  RdPreferencesWindow *self = RD_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  RdPreferencesWindow *self = RD_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_preferences_window_class_init (RdPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = rd_preferences_window_constructed;
  object_class->dispose = rd_preferences_window_dispose;
  object_class->get_property = rd_preferences_window_get_property;
  object_class->set_property = rd_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rd-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, last_user_row);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, forget_button);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, tomorrow_switch);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, closing_hour_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_forget_clicked);
}

static void
rd_preferences_window_init (RdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

RdPreferencesWindow *
rd_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (RD_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}
