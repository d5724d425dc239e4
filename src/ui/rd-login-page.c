/* rd-login-page.c: server, user and password, and the demo accounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-demo-data.h"
#include "rd-login-page.h"

struct _RdLoginPage
{
  AdwBin                parent_instance;

  GtkImage             *logo;
  AdwEntryRow          *server_row;
  AdwEntryRow          *user_row;
  AdwPasswordEntryRow  *password_row;
  GtkLabel             *error_label;
  GtkButton            *login_button;
  GtkSpinner           *spinner;
  AdwPreferencesGroup  *demo_group;

  gboolean              busy;
};

G_DEFINE_FINAL_TYPE (RdLoginPage, rd_login_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum {
  LOG_IN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const struct
{
  const char *login;
  const char *role;
  const char *pages;
} demo_accounts[] = {
  { RD_DEMO_CLERK, N_("Registration Clerk"), N_("Desk") },
  { RD_DEMO_MANAGER, N_("Department Manager"), N_("Schedules") },
  { RD_DEMO_FINANCE, N_("Finance"), N_("Finance") },
  { RD_DEMO_ADMIN, N_("Administrator"), N_("Desk, Schedules and Finance") },
};

static void
on_login_clicked (RdLoginPage *self)
{
  if (self->busy)
    return;

  g_signal_emit (self, signals[LOG_IN], 0);
}

static void
on_demo_row_activated (AdwActionRow *row,
                       RdLoginPage  *self)
{
  const char *login = g_object_get_data (G_OBJECT (row), "rd-login");

  if (self->busy)
    return;

  rd_login_page_set_user (self, login);
  rd_login_page_set_password (self, RD_DEMO_PASSWORD);
  g_signal_emit (self, signals[LOG_IN], 0);
}

static void
rd_login_page_add_demo_rows (RdLoginPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (demo_accounts); i++)
    {
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      /* Translators: a demo login and the pages it sees, "demo_clerk · Desk" */
      subtitle = g_strdup_printf (_("%s · %s"), demo_accounts[i].login,
                                  _(demo_accounts[i].pages));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(demo_accounts[i].role));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_name (row, demo_accounts[i].login);
      g_object_set_data (G_OBJECT (row), "rd-login", (gpointer) demo_accounts[i].login);
      g_signal_connect_object (row, "activated", G_CALLBACK (on_demo_row_activated), self, 0);
      adw_preferences_group_add (self->demo_group, row);
    }
}

static void
rd_login_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RD_TYPE_LOGIN_PAGE);

  G_OBJECT_CLASS (rd_login_page_parent_class)->dispose (object);
}

static void
rd_login_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RdLoginPage *self = RD_LOGIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_login_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  RdLoginPage *self = RD_LOGIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      rd_login_page_set_busy (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_login_page_class_init (RdLoginPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_login_page_dispose;
  object_class->get_property = rd_login_page_get_property;
  object_class->set_property = rd_login_page_set_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[LOG_IN] = g_signal_new ("log-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rd-login-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RdLoginPage, logo);
  gtk_widget_class_bind_template_child (widget_class, RdLoginPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, RdLoginPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, RdLoginPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, RdLoginPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, RdLoginPage, login_button);
  gtk_widget_class_bind_template_child (widget_class, RdLoginPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, RdLoginPage, demo_group);
  gtk_widget_class_bind_template_callback (widget_class, on_login_clicked);
}

static void
rd_login_page_init (RdLoginPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_image_set_from_icon_name (self->logo, APPLICATION_ID);
  rd_login_page_add_demo_rows (self);
}

const char *
rd_login_page_get_server (RdLoginPage *self)
{
  g_return_val_if_fail (RD_IS_LOGIN_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->server_row));
}

void
rd_login_page_set_server (RdLoginPage *self,
                          const char  *server)
{
  g_return_if_fail (RD_IS_LOGIN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server != NULL ? server : "");
}

const char *
rd_login_page_get_user (RdLoginPage *self)
{
  g_return_val_if_fail (RD_IS_LOGIN_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->user_row));
}

void
rd_login_page_set_user (RdLoginPage *self,
                        const char  *user)
{
  g_return_if_fail (RD_IS_LOGIN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user != NULL ? user : "");
}

const char *
rd_login_page_get_password (RdLoginPage *self)
{
  g_return_val_if_fail (RD_IS_LOGIN_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->password_row));
}

void
rd_login_page_set_password (RdLoginPage *self,
                            const char  *password)
{
  g_return_if_fail (RD_IS_LOGIN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password != NULL ? password : "");
}

gboolean
rd_login_page_get_busy (RdLoginPage *self)
{
  g_return_val_if_fail (RD_IS_LOGIN_PAGE (self), FALSE);

  return self->busy;
}

void
rd_login_page_set_busy (RdLoginPage *self,
                        gboolean     busy)
{
  g_return_if_fail (RD_IS_LOGIN_PAGE (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  /* a focused entry must not turn insensitive under the cursor */
  if (busy)
    gtk_widget_grab_focus (GTK_WIDGET (self->login_button));

  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->user_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->demo_group), !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
rd_login_page_set_error (RdLoginPage *self,
                         const char  *message,
                         const char  *detail)
{
  g_return_if_fail (RD_IS_LOGIN_PAGE (self));

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->error_label), detail);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

const char *
rd_login_page_get_error (RdLoginPage *self)
{
  g_return_val_if_fail (RD_IS_LOGIN_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

void
rd_login_page_set_show_demo (RdLoginPage *self,
                             gboolean     show_demo)
{
  g_return_if_fail (RD_IS_LOGIN_PAGE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->demo_group), show_demo);
}

GtkWidget *
rd_login_page_get_default_widget (RdLoginPage *self)
{
  g_return_val_if_fail (RD_IS_LOGIN_PAGE (self), NULL);

  return GTK_WIDGET (self->login_button);
}

void
rd_login_page_focus_first_empty (RdLoginPage *self)
{
  g_return_if_fail (RD_IS_LOGIN_PAGE (self));

  if (rd_login_page_get_user (self)[0] == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}
