/* rd-schedules-page.c: the day's sessions by capacity, for managers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-schedules-page.h"
#include "rd-session-cells.h"
#include "rd-session.h"
#include "rd-ui-util.h"

struct _RdSchedulesPage
{
  AdwBin              parent_instance;

  GtkLabel           *summary_label;
  GtkStack           *content_stack;
  GtkColumnView      *sessions_view;
  GtkSpinner         *loading_spinner;
  AdwStatusPage      *empty_page;

  RdRoster           *roster;
  GtkSortListModel   *sort_model;
  GPtrArray          *watched_sessions;
  guint               summary_source;
};

G_DEFINE_FINAL_TYPE (RdSchedulesPage, rd_schedules_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ROSTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rd_schedules_page_update_summary (RdSchedulesPage *self)
{
  guint n_sessions = self->watched_sessions->len;
  int capacity = 0;
  int booked = 0;
  int free_slots = 0;
  guint suspended = 0;
  g_autofree char *sessions = NULL;
  g_autofree char *summary = NULL;

  for (guint i = 0; i < n_sessions; i++)
    {
      RdSession *session = g_ptr_array_index (self->watched_sessions, i);

      capacity += rd_session_get_capacity (session);
      booked += rd_session_get_booked (session);
      free_slots += rd_session_get_free_total (session);
      if (rd_session_get_status (session) == RD_SESSION_STATUS_SUSPENDED)
        suspended++;
    }

  sessions = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u session", "%u sessions",
                                           n_sessions),
                              n_sessions);
  /* Translators: the day's totals on the schedules page */
  summary = g_strdup_printf (_("%s · capacity %d · booked %d · free %d · suspended %u"),
                             sessions, capacity, booked, free_slots, suspended);
  gtk_label_set_text (self->summary_label, summary);
}

static gboolean
rd_schedules_page_summary_cb (gpointer user_data)
{
  RdSchedulesPage *self = user_data;

  self->summary_source = 0;
  rd_schedules_page_update_summary (self);

  return G_SOURCE_REMOVE;
}

static void
rd_schedules_page_queue_summary (RdSchedulesPage *self)
{
  /* one update per burst of NOTIFYs */
  if (self->summary_source == 0)
    self->summary_source = g_idle_add (rd_schedules_page_summary_cb, self);
}

static void
rd_schedules_page_unwatch (RdSchedulesPage *self)
{
  for (guint i = 0; i < self->watched_sessions->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->watched_sessions, i), self);
  g_ptr_array_set_size (self->watched_sessions, 0);
}

static void
rd_schedules_page_update_content (RdSchedulesPage *self)
{
  GListModel *roster = G_LIST_MODEL (self->roster);
  guint n_items = roster != NULL ? g_list_model_get_n_items (roster) : 0;
  gboolean loading = self->roster != NULL && rd_roster_get_loading (self->roster);

  gtk_spinner_set_spinning (self->loading_spinner, loading && n_items == 0);
  if (loading && n_items == 0)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "loading");
    }
  else if (n_items == 0)
    {
      g_autofree char *date = rd_ui_format_date (self->roster != NULL ?
                                                 rd_roster_get_date (self->roster) : NULL);
      g_autofree char *description = g_strdup_printf (_("Nobody is on the roster for %s."), date);

      adw_status_page_set_description (self->empty_page, description);
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->content_stack, "sessions");
    }
}

static void
on_roster_items_changed (RdSchedulesPage *self,
                         guint            position,
                         guint            removed,
                         guint            added,
                         GListModel      *roster)
{
  guint n_items = g_list_model_get_n_items (roster);

  rd_schedules_page_unwatch (self);
  for (guint i = 0; i < n_items; i++)
    {
      RdSession *session = g_list_model_get_item (roster, i);

      g_signal_connect_swapped (session, "notify", G_CALLBACK (rd_schedules_page_queue_summary),
                                self);
      g_ptr_array_add (self->watched_sessions, session);
    }

  rd_schedules_page_update_summary (self);
  rd_schedules_page_update_content (self);
}

static void
rd_schedules_page_dispose (GObject *object)
{
  RdSchedulesPage *self = RD_SCHEDULES_PAGE (object);

  rd_schedules_page_set_roster (self, NULL);
  g_clear_handle_id (&self->summary_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_SCHEDULES_PAGE);
  g_clear_object (&self->sort_model);
  g_clear_pointer (&self->watched_sessions, g_ptr_array_unref);

  G_OBJECT_CLASS (rd_schedules_page_parent_class)->dispose (object);
}

static void
rd_schedules_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  RdSchedulesPage *self = RD_SCHEDULES_PAGE (object);

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
rd_schedules_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  RdSchedulesPage *self = RD_SCHEDULES_PAGE (object);

  switch (prop_id)
    {
    case PROP_ROSTER:
      rd_schedules_page_set_roster (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_schedules_page_class_init (RdSchedulesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_schedules_page_dispose;
  object_class->get_property = rd_schedules_page_get_property;
  object_class->set_property = rd_schedules_page_set_property;

  properties[PROP_ROSTER] =
    g_param_spec_object ("roster", NULL, NULL, RD_TYPE_ROSTER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (RD_TYPE_SESSION);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rd-schedules-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RdSchedulesPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, RdSchedulesPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, RdSchedulesPage, sessions_view);
  gtk_widget_class_bind_template_child (widget_class, RdSchedulesPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, RdSchedulesPage, empty_page);
  rd_session_cells_bind_callbacks (widget_class);
}

static void
rd_schedules_page_init (RdSchedulesPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  GtkSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->watched_sessions = g_ptr_array_new_with_free_func (g_object_unref);
  sorter = gtk_column_view_get_sorter (self->sessions_view);
  self->sort_model = gtk_sort_list_model_new (NULL, g_object_ref (sorter));
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->sort_model)));
  gtk_column_view_set_model (self->sessions_view, GTK_SELECTION_MODEL (selection));

  rd_schedules_page_update_summary (self);
  rd_schedules_page_update_content (self);
}

RdRoster *
rd_schedules_page_get_roster (RdSchedulesPage *self)
{
  g_return_val_if_fail (RD_IS_SCHEDULES_PAGE (self), NULL);

  return self->roster;
}

void
rd_schedules_page_set_roster (RdSchedulesPage *self,
                              RdRoster        *roster)
{
  g_return_if_fail (RD_IS_SCHEDULES_PAGE (self));
  g_return_if_fail (roster == NULL || RD_IS_ROSTER (roster));

  if (self->roster == roster)
    return;

  if (self->roster != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->roster, self);
      rd_schedules_page_unwatch (self);
    }

  g_set_object (&self->roster, roster);
  gtk_sort_list_model_set_model (self->sort_model, G_LIST_MODEL (roster));

  if (roster != NULL)
    {
      g_signal_connect_object (roster, "items-changed",
                               G_CALLBACK (on_roster_items_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (roster, "notify::loading",
                               G_CALLBACK (rd_schedules_page_update_content), self,
                               G_CONNECT_SWAPPED);
      on_roster_items_changed (self, 0, 0, 0, G_LIST_MODEL (roster));
    }
  else
    {
      rd_schedules_page_update_summary (self);
      rd_schedules_page_update_content (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROSTER]);
}
