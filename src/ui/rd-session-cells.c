/* rd-session-cells.c: what the roster tables' cells show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-enums.h"
#include "rd-money.h"
#include "rd-session-cells.h"
#include "rd-ui-util.h"

/* Closures for GtkBuilder expressions: the first argument is the list item
 * the expression is evaluated on; the result belongs to the caller. */

static char *
format_short_title (gpointer    item,
                    const char *code)
{
  return g_strdup (code != NULL ? rd_doctor_title_to_short_string (code) : "");
}

static char *
format_clinic_type (gpointer    item,
                    const char *code)
{
  return g_strdup (code != NULL ? rd_clinic_type_to_string (code) : "");
}

static char *
format_period (gpointer    item,
               int         period,
               const char *starts_at,
               const char *ends_at)
{
  g_autofree char *range = rd_ui_format_time_range (starts_at, ends_at);

  /* Translators: a clinic period and its hours, "Morning 08:00–12:00" */
  return g_strdup_printf (_("%s %s"), rd_period_to_string (period), range);
}

static char *
format_period_name (gpointer item,
                    int      period)
{
  return g_strdup (rd_period_to_string (period));
}

static char *
format_hours (gpointer    item,
              const char *starts_at,
              const char *ends_at)
{
  return rd_ui_format_time_range (starts_at, ends_at);
}

static char *
format_fee (gpointer item,
            gint64   fee)
{
  return rd_money_format (fee);
}

static char *
format_count (gpointer item,
              int      count)
{
  return g_strdup_printf ("%d", count);
}

static char *
format_free (gpointer item,
             int      free_window,
             int      free_online,
             int      free_phone)
{
  return g_strdup_printf ("%d", free_window + free_online + free_phone);
}

static char *
format_status (gpointer item,
               int      status)
{
  return g_strdup (rd_session_status_to_string (status));
}

static char *
format_policy (gpointer item,
               int      policy)
{
  return g_strdup (rd_allocation_policy_to_string (policy));
}

static char *
format_department_counts (gpointer item,
                          int      n_sessions,
                          int      n_free)
{
  /* Translators: under a department's name: its sessions and free slots */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d session · %d free",
                                       "%d sessions · %d free", n_sessions),
                          n_sessions, n_free);
}

/* @styles: NULL-terminated style classes the cell always has */
static GStrv
status_classes (int                status,
                const char *const *styles)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv classes;

  if (styles != NULL)
    g_strv_builder_addv (builder, (const char **) styles);
  if (status == RD_SESSION_STATUS_SUSPENDED)
    g_strv_builder_add (builder, "session-suspended");
  else if (status == RD_SESSION_STATUS_CLOSED)
    g_strv_builder_add (builder, "session-closed");

  classes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return classes;
}

static GStrv
session_classes (gpointer item,
                 int      status)
{
  return status_classes (status, NULL);
}

static GStrv
session_numeric_classes (gpointer item,
                         int      status)
{
  static const char *const styles[] = { "numeric", NULL };

  return status_classes (status, styles);
}

/* The second, smaller line under a session's department, doctor or period. */
static GStrv
session_subtitle_classes (gpointer item,
                          int      status)
{
  static const char *const styles[] = { "caption", "dim-label", NULL };

  return status_classes (status, styles);
}

void
rd_session_cells_bind_callbacks (GtkWidgetClass *klass)
{
  g_return_if_fail (GTK_IS_WIDGET_CLASS (klass));

  gtk_widget_class_bind_template_callback (klass, format_short_title);
  gtk_widget_class_bind_template_callback (klass, format_clinic_type);
  gtk_widget_class_bind_template_callback (klass, format_period);
  gtk_widget_class_bind_template_callback (klass, format_period_name);
  gtk_widget_class_bind_template_callback (klass, format_hours);
  gtk_widget_class_bind_template_callback (klass, format_fee);
  gtk_widget_class_bind_template_callback (klass, format_count);
  gtk_widget_class_bind_template_callback (klass, format_free);
  gtk_widget_class_bind_template_callback (klass, format_status);
  gtk_widget_class_bind_template_callback (klass, format_policy);
  gtk_widget_class_bind_template_callback (klass, format_department_counts);
  gtk_widget_class_bind_template_callback (klass, session_classes);
  gtk_widget_class_bind_template_callback (klass, session_numeric_classes);
  gtk_widget_class_bind_template_callback (klass, session_subtitle_classes);
}
