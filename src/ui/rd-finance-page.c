/* rd-finance-page.c: the day's orders and takings by payment method
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-finance-page.h"
#include "rd-money.h"
#include "rd-order-list.h"
#include "rd-order-row.h"
#include "rd-roster.h"
#include "rd-ui-util.h"

/* Coalesce a burst of order NOTIFYs into one query. */
#define RELOAD_DELAY_MS 400

struct _RdFinancePage
{
  AdwBin             parent_instance;

  GtkBox            *totals_box;
  GtkStack          *content_stack;
  GtkColumnView     *orders_view;
  GtkSpinner        *loading_spinner;
  AdwStatusPage     *empty_page;

  RdDb              *db;
  char              *time_zone;
  char              *date;
  GListStore        *orders;
  GtkSortListModel  *sort_model;
  GCancellable      *cancellable;
  guint              reload_source;
  gboolean           loading;
  char              *error;
};

G_DEFINE_FINAL_TYPE (RdFinancePage, rd_finance_page, ADW_TYPE_BIN)

static const char * const methods[] = { "cash", "card", "wechat", "alipay" };

static char *
format_money (gpointer item,
              gint64   amount)
{
  return rd_money_format (amount);
}

static char *
format_method (gpointer    item,
               const char *method)
{
  return g_strdup (method != NULL ? rd_payment_method_to_string (method) : "—");
}

static char *
format_order_status (gpointer    item,
                     const char *status)
{
  return g_strdup (rd_order_status_to_string (status));
}

static void
rd_finance_page_add_total (RdFinancePage *self,
                           const char    *title,
                           gint64         amount,
                           guint          n_orders)
{
  g_autofree char *money = rd_money_format (amount);
  g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u order",
                                                         "%u orders", n_orders),
                                            n_orders);
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *label;

  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "total-card");

  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (card), label);

  label = gtk_label_new (money);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_name (label, "total-amount");
  gtk_widget_add_css_class (label, "title-2");
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (card), label);

  label = gtk_label_new (count);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (card), label);

  gtk_box_append (self->totals_box, card);
}

static void
rd_finance_page_update (RdFinancePage *self)
{
  guint n_orders = g_list_model_get_n_items (G_LIST_MODEL (self->orders));
  gint64 by_method[G_N_ELEMENTS (methods)] = { 0 };
  guint count_by_method[G_N_ELEMENTS (methods)] = { 0 };
  gint64 total = 0;
  guint n_settled = 0;
  GtkWidget *child;

  for (guint i = 0; i < n_orders; i++)
    {
      g_autoptr(RdOrderRow) row = g_list_model_get_item (G_LIST_MODEL (self->orders), i);
      gint64 net = rd_order_row_get_net_amount (row);
      const char *method = rd_order_row_get_method (row);

      if (net == 0 && g_strcmp0 (rd_order_row_get_status (row), "paid") != 0)
        continue;

      total += net;
      n_settled++;
      for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
        {
          if (g_strcmp0 (method, methods[m]) == 0)
            {
              by_method[m] += net;
              count_by_method[m]++;
            }
        }
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->totals_box))) != NULL)
    gtk_box_remove (self->totals_box, child);

  rd_finance_page_add_total (self, _("Total"), total, n_settled);
  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    rd_finance_page_add_total (self, rd_payment_method_to_string (methods[m]),
                               by_method[m], count_by_method[m]);

  gtk_spinner_set_spinning (self->loading_spinner, self->loading && n_orders == 0);
  if (self->error != NULL)
    {
      adw_status_page_set_title (self->empty_page, _("Could Not Load the Orders"));
      adw_status_page_set_description (self->empty_page, self->error);
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
    }
  else if (self->loading && n_orders == 0)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "loading");
    }
  else if (n_orders == 0)
    {
      g_autofree char *date = rd_ui_format_date (self->date);
      g_autofree char *description = g_strdup_printf (_("Nothing was ordered on %s."), date);

      adw_status_page_set_title (self->empty_page, _("No Orders"));
      adw_status_page_set_description (self->empty_page, description);
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->content_stack, "orders");
    }
}

static void
on_orders_loaded (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RdFinancePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rd_order_list_load_finish (RD_DB (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->orders == NULL)
        return;
      g_warning ("Could not load the orders: %s", error->message);
      g_free (self->error);
      self->error = g_strdup (error->message);
    }

  self->loading = FALSE;
  rd_finance_page_update (self);
}

static gboolean
rd_finance_page_reload_cb (gpointer user_data)
{
  RdFinancePage *self = user_data;

  self->reload_source = 0;
  rd_finance_page_reload (self);

  return G_SOURCE_REMOVE;
}

static void
on_notification (RdFinancePage *self,
                 const char    *channel,
                 const char    *payload,
                 RdDb          *db)
{
  if (g_strcmp0 (channel, RD_CHANGE_CHANNEL) != 0 || !g_str_has_prefix (payload, "order:"))
    return;

  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, rd_finance_page_reload_cb, self);
}

static void
on_db_state_changed (RdFinancePage *self)
{
  if (rd_db_get_state (self->db) == RD_DB_STATE_CONNECTED)
    rd_finance_page_reload (self);
}

static void
rd_finance_page_dispose (GObject *object)
{
  RdFinancePage *self = RD_FINANCE_PAGE (object);

  rd_finance_page_set_db (self, NULL, NULL);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_FINANCE_PAGE);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->orders);

  G_OBJECT_CLASS (rd_finance_page_parent_class)->dispose (object);
}

static void
rd_finance_page_finalize (GObject *object)
{
  RdFinancePage *self = RD_FINANCE_PAGE (object);

  g_clear_pointer (&self->time_zone, g_free);
  g_clear_pointer (&self->date, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (rd_finance_page_parent_class)->finalize (object);
}

static void
rd_finance_page_class_init (RdFinancePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_finance_page_dispose;
  object_class->finalize = rd_finance_page_finalize;

  g_type_ensure (RD_TYPE_ORDER_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rd-finance-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RdFinancePage, totals_box);
  gtk_widget_class_bind_template_child (widget_class, RdFinancePage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, RdFinancePage, orders_view);
  gtk_widget_class_bind_template_child (widget_class, RdFinancePage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, RdFinancePage, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, format_money);
  gtk_widget_class_bind_template_callback (widget_class, format_method);
  gtk_widget_class_bind_template_callback (widget_class, format_order_status);
}

static void
rd_finance_page_init (RdFinancePage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->orders = g_list_store_new (RD_TYPE_ORDER_ROW);
  self->sort_model =
    gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->orders)),
                             g_object_ref (gtk_column_view_get_sorter (self->orders_view)));
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->sort_model)));
  gtk_column_view_set_model (self->orders_view, GTK_SELECTION_MODEL (selection));

  rd_finance_page_update (self);
}

void
rd_finance_page_set_db (RdFinancePage *self,
                        RdDb          *db,
                        const char    *time_zone)
{
  g_return_if_fail (RD_IS_FINANCE_PAGE (self));
  g_return_if_fail (db == NULL || RD_IS_DB (db));

  g_free (self->time_zone);
  self->time_zone = g_strdup (time_zone);

  if (self->db == db)
    return;

  if (self->db != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->db, self);
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      g_clear_object (&self->db);
    }

  if (db != NULL)
    {
      self->db = g_object_ref (db);
      g_signal_connect_object (db, "notification", G_CALLBACK (on_notification), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (db, "notify::state", G_CALLBACK (on_db_state_changed), self,
                               G_CONNECT_SWAPPED);
      rd_db_listen (db, RD_CHANGE_CHANNEL);
      rd_finance_page_reload (self);
    }
  else if (self->orders != NULL)
    {
      g_list_store_remove_all (self->orders);
      self->loading = FALSE;
      rd_finance_page_update (self);
    }
}

void
rd_finance_page_set_date (RdFinancePage *self,
                          const char    *date)
{
  g_return_if_fail (RD_IS_FINANCE_PAGE (self));

  if (g_strcmp0 (self->date, date) == 0)
    return;

  g_free (self->date);
  self->date = g_strdup (date);
  /* the previous day's orders must not stay under the new date */
  g_list_store_remove_all (self->orders);
  rd_finance_page_reload (self);
}

void
rd_finance_page_reload (RdFinancePage *self)
{
  g_return_if_fail (RD_IS_FINANCE_PAGE (self));

  if (self->db == NULL || self->date == NULL || self->time_zone == NULL)
    {
      rd_finance_page_update (self);
      return;
    }

  /* a newer question replaces an older one */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_pointer (&self->error, g_free);

  self->loading = TRUE;
  rd_finance_page_update (self);
  rd_order_list_load_async (self->db, self->date, self->time_zone, self->orders,
                            self->cancellable, on_orders_loaded, g_object_ref (self));
}

GListModel *
rd_finance_page_get_orders (RdFinancePage *self)
{
  g_return_val_if_fail (RD_IS_FINANCE_PAGE (self), NULL);

  return G_LIST_MODEL (self->orders);
}

gboolean
rd_finance_page_get_loading (RdFinancePage *self)
{
  g_return_val_if_fail (RD_IS_FINANCE_PAGE (self), FALSE);

  return self->loading;
}
