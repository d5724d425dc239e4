/* rd-desk-page.c: the registration desk: the day's roster by department
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-department.h"
#include "rd-desk-page.h"
#include "rd-session-cells.h"
#include "rd-session.h"
#include "rd-ui-util.h"

struct _RdDeskPage
{
  AdwBin               parent_instance;

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

static void
rd_desk_page_dispose (GObject *object)
{
  RdDeskPage *self = RD_DESK_PAGE (object);

  rd_desk_page_set_roster (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_DESK_PAGE);

  g_clear_object (&self->department_selection);
  g_clear_object (&self->department_models);
  g_clear_object (&self->all_departments);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter);
  g_clear_pointer (&self->watched_departments, g_ptr_array_unref);

  G_OBJECT_CLASS (rd_desk_page_parent_class)->dispose (object);
}

static void
rd_desk_page_finalize (GObject *object)
{
  RdDeskPage *self = RD_DESK_PAGE (object);

  g_clear_pointer (&self->search, g_free);

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

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/rd-desk-page.ui");
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
  rd_session_cells_bind_callbacks (widget_class);
}

static void
rd_desk_page_init (RdDeskPage *self)
{
  g_autoptr(GListStore) all_store = NULL;
  g_autoptr(GtkSingleSelection) session_selection = NULL;

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
  session_selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sort_model)));
  gtk_single_selection_set_can_unselect (session_selection, TRUE);
  gtk_column_view_set_model (self->sessions_view, GTK_SELECTION_MODEL (session_selection));

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
