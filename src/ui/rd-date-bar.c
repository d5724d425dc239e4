/* rd-date-bar.c: the day the pages show, with previous, next and today
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "rd-date-bar.h"
#include "rd-ui-util.h"

struct _RdDateBar
{
  GtkWidget       parent_instance;

  GtkMenuButton  *date_button;
  GtkPopover     *popover;
  GtkCalendar    *calendar;

  char           *date;
  char           *today;
  gboolean        syncing;
};

G_DEFINE_FINAL_TYPE (RdDateBar, rd_date_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_DATE,
  PROP_TODAY,
  N_PROPS
};

enum {
  DATE_CHOSEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
rd_date_bar_update (RdDateBar *self)
{
  g_autofree char *label = NULL;
  gboolean is_today = self->date != NULL && g_strcmp0 (self->date, self->today) == 0;

  label = rd_ui_format_date (self->date);
  if (is_today)
    {
      /* Translators: the roster date when it is today, "Today, Mon, 3 June 2024" */
      g_autofree char *today_label = g_strdup_printf (_("Today, %s"), label);

      gtk_menu_button_set_label (self->date_button, today_label);
    }
  else
    {
      gtk_menu_button_set_label (self->date_button, label);
    }

  if (self->date != NULL)
    {
      int year, month, day;

      if (sscanf (self->date, "%d-%d-%d", &year, &month, &day) == 3)
        {
          g_autoptr(GDateTime) noon = g_date_time_new_local (year, month, day, 12, 0, 0);

          if (noon != NULL)
            {
              self->syncing = TRUE;
              gtk_calendar_select_day (self->calendar, noon);
              self->syncing = FALSE;
            }
        }
    }
}

static void
on_day_selected (RdDateBar *self)
{
  g_autoptr(GDateTime) day = NULL;
  g_autofree char *date = NULL;

  if (self->syncing)
    return;

  day = gtk_calendar_get_date (self->calendar);
  date = g_date_time_format (day, "%Y-%m-%d");
  gtk_popover_popdown (self->popover);
  g_signal_emit (self, signals[DATE_CHOSEN], 0, date);
}

static void
rd_date_bar_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), RD_TYPE_DATE_BAR);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (rd_date_bar_parent_class)->dispose (object);
}

static void
rd_date_bar_finalize (GObject *object)
{
  RdDateBar *self = RD_DATE_BAR (object);

  g_clear_pointer (&self->date, g_free);
  g_clear_pointer (&self->today, g_free);

  G_OBJECT_CLASS (rd_date_bar_parent_class)->finalize (object);
}

static void
rd_date_bar_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  RdDateBar *self = RD_DATE_BAR (object);

  switch (prop_id)
    {
    case PROP_DATE:
      g_value_set_string (value, self->date);
      break;

    case PROP_TODAY:
      g_value_set_string (value, self->today);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_date_bar_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  RdDateBar *self = RD_DATE_BAR (object);

  switch (prop_id)
    {
    case PROP_DATE:
      rd_date_bar_set_date (self, g_value_get_string (value));
      break;

    case PROP_TODAY:
      rd_date_bar_set_today (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_date_bar_class_init (RdDateBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_date_bar_dispose;
  object_class->finalize = rd_date_bar_finalize;
  object_class->get_property = rd_date_bar_get_property;
  object_class->set_property = rd_date_bar_set_property;

  properties[PROP_DATE] =
    g_param_spec_string ("date", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TODAY] =
    g_param_spec_string ("today", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[DATE_CHOSEN] = g_signal_new ("date-chosen", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/rd-date-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, RdDateBar, date_button);
  gtk_widget_class_bind_template_child (widget_class, RdDateBar, popover);
  gtk_widget_class_bind_template_child (widget_class, RdDateBar, calendar);
  gtk_widget_class_bind_template_callback (widget_class, on_day_selected);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
rd_date_bar_init (RdDateBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  rd_date_bar_update (self);
}

GtkWidget *
rd_date_bar_new (void)
{
  return g_object_new (RD_TYPE_DATE_BAR, NULL);
}

const char *
rd_date_bar_get_date (RdDateBar *self)
{
  g_return_val_if_fail (RD_IS_DATE_BAR (self), NULL);

  return self->date;
}

void
rd_date_bar_set_date (RdDateBar  *self,
                      const char *date)
{
  g_return_if_fail (RD_IS_DATE_BAR (self));

  if (g_strcmp0 (self->date, date) == 0)
    return;

  g_free (self->date);
  self->date = g_strdup (date);
  rd_date_bar_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE]);
}

const char *
rd_date_bar_get_today (RdDateBar *self)
{
  g_return_val_if_fail (RD_IS_DATE_BAR (self), NULL);

  return self->today;
}

void
rd_date_bar_set_today (RdDateBar  *self,
                       const char *today)
{
  g_return_if_fail (RD_IS_DATE_BAR (self));

  if (g_strcmp0 (self->today, today) == 0)
    return;

  g_free (self->today);
  self->today = g_strdup (today);
  rd_date_bar_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TODAY]);
}
