/* test-payment-dialog.c: the payment dialog on a real database under Xvfb,
 * the registration slip as PDF and PNG, and the QR code's pixels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "booking-test-util.h"
#include "rd-application.h"
#include "rd-booking.h"
#include "rd-demo-data.h"
#include "rd-gateway-sim.h"
#include "rd-payment-dialog.h"
#include "rd-qr-paintable.h"
#include "rd-slip-printer.h"
#include "rd-slips.h"
#include "rd-ui-resources.h"
#include "ui-test-util.h"

static RdDb *clerk;
static RdGatewaySim *sim;
static RdPayService *pay;
static char *artifacts_dir;
static char *paid_order_no;


static gpointer
child (gpointer    widget,
       const char *name)
{
  return ui_test_child (widget, RD_TYPE_PAYMENT_DIALOG, name);
}

static char *
artifact_path (const char *name)
{
  return g_build_filename (artifacts_dir, name, NULL);
}

/* Screenshots ---------------------------------------------------------------------- */

/* The window as it is on screen, to tests/ui/artifacts/<name>.png: an
 * artefact to look at, not an assertion. */
static void
save_screenshot (GtkWindow  *shown,
                 const char *name)
{
  g_autofree char *file_name = g_strdup_printf ("%s.png", name);
  g_autofree char *path = artifact_path (file_name);

  ui_test_save_screenshot (shown, path);
}

/* Fixtures ------------------------------------------------------------------------- */

static RdBookingResult *
book_order (gint64 fee)
{
  gint64 session = bt_make_session ("1 day", 6, 0, 0, "fcfs", fee, 0);
  gint64 patient = bt_make_patient (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  RdBookingResult *booked;

  booked = rd_booking_book_sync (clerk, NULL, session, patient, RD_CHANNEL_WINDOW, 0, NULL,
                                 NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (booked->status, ==, "pending_payment");

  return booked;
}

static char *
order_status (const char *order_no)
{
  const char *params[] = { order_no };

  return bt_scalar (bt_owner (), "SELECT status FROM regdesk.orders WHERE order_no = $1",
                    1, params);
}

static gint64
count_payments (const char *order_no)
{
  const char *params[] = { order_no };

  return bt_int (bt_owner (),
                 "SELECT count(*) FROM regdesk.payments y JOIN regdesk.orders o "
                 "ON o.id = y.order_id WHERE o.order_no = $1",
                 1, params);
}

typedef struct
{
  guint  n_paid;
  char  *order_no;
  char  *method;
} PaidLog;

static void
on_paid (RdPaymentDialog *dialog,
         const char      *order_no,
         const char      *method,
         PaidLog         *log)
{
  log->n_paid++;
  g_free (log->order_no);
  g_free (log->method);
  log->order_no = g_strdup (order_no);
  log->method = g_strdup (method);
}

static void
paid_log_clear (PaidLog *log)
{
  g_clear_pointer (&log->order_no, g_free);
  g_clear_pointer (&log->method, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PaidLog, paid_log_clear)

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static RdPaymentDialog *
open_dialog_with (RdPayService *service,
                  const char   *order_no,
                  gint64        amount,
                  PaidLog      *log)
{
  RdPaymentDialog *dialog;

  dialog = rd_payment_dialog_new (NULL, clerk, service, order_no, amount,
                                  "测试 · 内科 · 王芳 · Morning");
  g_object_ref_sink (dialog);
  if (log != NULL)
    g_signal_connect (dialog, "paid", G_CALLBACK (on_paid), log);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (ui_test_wait_for (is_mapped, dialog, 5000));

  return dialog;
}

static RdPaymentDialog *
open_dialog (const char *order_no,
             gint64      amount,
             PaidLog    *log)
{
  return open_dialog_with (NULL, order_no, amount, log);
}

static void
close_dialog (RdPaymentDialog *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  ui_test_settle (50);
}

/* What Enter does in an entry: the key binding emits its text's
 * ::activate, which the entry passes on as its own. */
static void
press_enter (gpointer entry)
{
  GtkWidget *text = gtk_widget_get_first_child (GTK_WIDGET (entry));

  while (text != NULL && !GTK_IS_TEXT (text))
    text = gtk_widget_get_next_sibling (text);
  g_assert_nonnull (text);
  g_signal_emit_by_name (text, "activate");
}

static gboolean
dialog_paid (gpointer data)
{
  return rd_payment_dialog_get_paid (data);
}

static gboolean
label_shown (gpointer data)
{
  return gtk_widget_get_visible (data) && gtk_label_get_text (data)[0] != '\0';
}

/* Headless decisions --------------------------------------------------------------- */

static void
test_check_tendered (void)
{
  const struct
  {
    const char *text;
    gint64      due;
    gboolean    pays;
    gint64      change;
  } cases[] = {
    { "50", 1250, TRUE, 3750 },
    { "50.5", 1250, TRUE, 3800 },
    { "50.50", 1250, TRUE, 3800 },
    { " 12.50 ", 1250, TRUE, 0 },
    { "¥20", 1250, TRUE, 750 },
    { "12.49", 1250, FALSE, 0 },
    { "5", 1250, FALSE, 0 },
    { "", 1250, FALSE, 0 },
    { "abc", 1250, FALSE, 0 },
    { "50.505", 1250, FALSE, 0 },
    { "-50", 1250, FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = NULL;
      gint64 tendered = -1;
      gint64 change = -1;
      gboolean pays;

      pays = rd_payment_check_tendered (cases[i].text, cases[i].due, &tendered, &change,
                                        &message);
      g_assert_cmpint (pays, ==, cases[i].pays);
      if (pays)
        {
          g_assert_null (message);
          g_assert_cmpint (change, ==, cases[i].change);
          g_assert_cmpint (tendered, ==, cases[i].due + cases[i].change);
        }
      else
        {
          g_assert_nonnull (message);
          g_assert_cmpint (change, ==, -1);
        }
    }

  /* the message names both amounts */
  {
    g_autofree char *message = NULL;

    g_assert_false (rd_payment_check_tendered ("5", 1250, NULL, NULL, &message));
    g_assert_nonnull (strstr (message, "¥5.00"));
    g_assert_nonnull (strstr (message, "¥12.50"));
  }
}

static void
test_check_pay_code (void)
{
  g_autofree char *code = NULL;
  g_autofree char *spaced = NULL;
  g_autofree char *message = NULL;
  g_autofree char *short_message = NULL;
  g_autofree char *garbage = NULL;
  g_autofree char *too_short = NULL;

  code = rd_payment_check_pay_code ("134567890123456789", NULL);
  g_assert_cmpstr (code, ==, "134567890123456789");
  spaced = rd_payment_check_pay_code ("2845 6789 0123 4567 89", NULL);
  g_assert_cmpstr (spaced, ==, "284567890123456789");

  garbage = rd_payment_check_pay_code ("http://evil.example/13456789", &message);
  g_assert_null (garbage);
  g_assert_nonnull (message);
  too_short = rd_payment_check_pay_code ("1345678", &short_message);
  g_assert_null (too_short);
  g_assert_nonnull (strstr (short_message, "16"));
}

/* The QR code ---------------------------------------------------------------------- */

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  return ((const guint32 *) (data + y * stride))[x] & 0xffffff;
}

/* Every pixel of every module is pure black or pure white, as the module
 * says: the code is crisp and complete, quiet zone included. */
static void
assert_modules_drawn (RdQrPaintable   *qr,
                      cairo_surface_t *surface,
                      int              px)
{
  guint size = rd_qr_paintable_get_size (qr);

  cairo_surface_flush (surface);
  for (guint y = 0; y < size; y++)
    for (guint x = 0; x < size; x++)
      {
        guint32 expected = rd_qr_paintable_get_module (qr, x, y) ? 0x000000 : 0xffffff;

        g_assert_cmphex (pixel_at (surface, x * px, y * px), ==, expected);
        g_assert_cmphex (pixel_at (surface, x * px + px - 1, y * px + px - 1), ==, expected);
        g_assert_cmphex (pixel_at (surface, x * px + px / 2, y * px + px / 2), ==, expected);
      }
}

static void
test_qr (void)
{
  const int px = 4;
  g_autoptr(RdQrPaintable) qr = rd_qr_paintable_new ("hello");
  g_autoptr(RdQrPaintable) url = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  cairo_surface_t *surface;
  cairo_t *cr;
  guint size;
  guint dark = 0;

  /* version 1 (21 modules) and the quiet zone of 4 each side */
  size = rd_qr_paintable_get_size (qr);
  g_assert_cmpuint (size, ==, 21 + 2 * RD_QR_QUIET_ZONE);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (qr)), ==, size * 4);
  /* the quiet zone is light, the finder pattern's corner dark */
  for (guint i = 0; i < size; i++)
    {
      g_assert_false (rd_qr_paintable_get_module (qr, i, 0));
      g_assert_false (rd_qr_paintable_get_module (qr, 0, i));
      g_assert_false (rd_qr_paintable_get_module (qr, i, size - 1));
      g_assert_false (rd_qr_paintable_get_module (qr, size - 1, i));
    }
  g_assert_true (rd_qr_paintable_get_module (qr, RD_QR_QUIET_ZONE, RD_QR_QUIET_ZONE));
  g_assert_true (rd_qr_paintable_get_module (qr, size - RD_QR_QUIET_ZONE - 1,
                                             RD_QR_QUIET_ZONE));
  for (guint y = 0; y < size; y++)
    for (guint x = 0; x < size; x++)
      dark += rd_qr_paintable_get_module (qr, x, y);
  g_assert_cmpuint (dark, >, 21 * 21 / 4);

  /* longer text, larger version */
  url = rd_qr_paintable_new ("weixin://wxpay/bizpayurl?pr=AbCdEfGhIjKlMnOp0123456789");
  g_assert_cmpuint (rd_qr_paintable_get_size (url), >, size);
  g_assert_cmpuint ((rd_qr_paintable_get_size (url) - 2 * RD_QR_QUIET_ZONE - 17) % 4, ==, 0);
  rd_qr_paintable_set_text (url, NULL);
  g_assert_cmpuint (rd_qr_paintable_get_size (url), ==, 0);

  /* the paintable: whole pixels per module */
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (GDK_PAINTABLE (qr), GDK_SNAPSHOT (snapshot), size * px, size * px);
  node = gtk_snapshot_free_to_node (snapshot);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, size * px, size * px);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_paint (cr);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  gsk_render_node_unref (node);
  assert_modules_drawn (qr, surface, px);
  cairo_surface_destroy (surface);

  /* the cairo drawing print and PDF use */
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, size * px, size * px);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_paint (cr);
  g_assert_true (rd_qr_draw_cairo (cr, "hello", 0, 0, size * px));
  cairo_destroy (cr);
  assert_modules_drawn (qr, surface, px);
  cairo_surface_destroy (surface);
}

/* The dialog ------------------------------------------------------------------------ */

static void
test_cash (void)
{
  g_autoptr(RdBookingResult) booked = book_order (1250);
  g_autoptr(RdPaymentDialog) dialog = NULL;
  g_auto(PaidLog) log = { 0 };
  g_autofree char *status = NULL;
  g_autofree char *after = NULL;
  g_autofree char *change_text = NULL;
  GtkEditable *tendered;
  const char *params[1];

  dialog = open_dialog (booked->order_no, 1250, &log);
  tendered = child (dialog, "tendered_entry");
  g_assert_cmpstr (gtk_label_get_text (child (dialog, "due_label")), ==, "¥12.50");
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) == GTK_WIDGET (tendered) ||
                 gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (dialog)),
                                         GTK_WIDGET (tendered)));
  /* the exact fee is offered: Enter alone takes it */
  g_assert_cmpstr (gtk_editable_get_text (tendered), ==, "12.50");
  g_assert_cmpstr (gtk_label_get_text (child (dialog, "change_label")), ==, "¥0.00");

  /* too little: a field message, nothing written */
  gtk_editable_set_text (tendered, "5");
  g_assert_cmpstr (gtk_label_get_text (child (dialog, "change_label")), ==, "—");
  press_enter (tendered);
  g_assert_true (label_shown (child (dialog, "cash_message")));
  g_assert_nonnull (strstr (gtk_label_get_text (child (dialog, "cash_message")), "¥12.50"));
  ui_test_settle (200);
  status = order_status (booked->order_no);
  g_assert_cmpstr (status, ==, "unpaid");
  g_assert_cmpint (count_payments (booked->order_no), ==, 0);
  save_screenshot (GTK_WINDOW (dialog), "payment-cash-short");

  /* change follows the typing */
  gtk_editable_set_text (tendered, "50.5");
  g_assert_cmpstr (gtk_label_get_text (child (dialog, "change_label")), ==, "¥38.00");
  g_assert_false (gtk_widget_get_visible (child (dialog, "cash_message")));
  gtk_editable_set_text (tendered, "50");
  g_assert_cmpstr (gtk_label_get_text (child (dialog, "change_label")), ==, "¥37.50");
  save_screenshot (GTK_WINDOW (dialog), "payment-cash");

  /* Enter twice: paid once */
  press_enter (tendered);
  press_enter (tendered);
  g_assert_true (ui_test_wait_for (dialog_paid, dialog, 20000));
  ui_test_settle (100);
  g_assert_cmpuint (log.n_paid, ==, 1);
  g_assert_cmpstr (log.order_no, ==, booked->order_no);
  g_assert_cmpstr (log.method, ==, "cash");
  g_assert_cmpstr (rd_payment_dialog_get_method (dialog), ==, "cash");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (child (dialog, "mode_stack")), ==, "done");
  change_text = g_strdup (gtk_label_get_text (child (dialog, "done_change_label")));
  g_assert_nonnull (strstr (change_text, "¥37.50"));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) ==
                 GTK_WIDGET (child (dialog, "print_button")));

  after = order_status (booked->order_no);
  g_assert_cmpstr (after, ==, "paid");
  g_assert_cmpint (count_payments (booked->order_no), ==, 1);
  params[0] = booked->order_no;
  g_assert_cmpint (bt_int (bt_owner (),
                           "SELECT y.tendered * 100000 + y.change FROM regdesk.payments y "
                           "JOIN regdesk.orders o ON o.id = y.order_id "
                           "WHERE o.order_no = $1 AND y.method = 'cash'",
                           1, params),
                   ==, (gint64) 5000 * 100000 + 3750);
  save_screenshot (GTK_WINDOW (dialog), "payment-done");

  g_free (paid_order_no);
  paid_order_no = g_strdup (booked->order_no);
  close_dialog (g_steal_pointer (&dialog));
}

static void
test_card (void)
{
  g_autoptr(RdBookingResult) booked = book_order (900);
  g_autoptr(RdPaymentDialog) dialog = NULL;
  g_auto(PaidLog) log = { 0 };
  g_autofree char *status = NULL;
  g_autofree char *reference = NULL;
  GtkEditable *entry;
  const char *params[1];

  dialog = open_dialog (booked->order_no, 900, &log);

  /* Alt+2 goes to the card page and its field */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "payment.page", "s", "card"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (child (dialog, "view_stack")), ==,
                   "card");
  entry = child (dialog, "card_entry");
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) == GTK_WIDGET (entry) ||
                 gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (dialog)),
                                         GTK_WIDGET (entry)));

  /* no reference: a field message, nothing written */
  press_enter (entry);
  g_assert_true (label_shown (child (dialog, "card_message")));
  ui_test_settle (100);
  g_assert_cmpint (count_payments (booked->order_no), ==, 0);

  gtk_editable_set_text (entry, " TRM-0042 ");
  g_assert_false (gtk_widget_get_visible (child (dialog, "card_message")));
  press_enter (entry);
  g_assert_true (ui_test_wait_for (dialog_paid, dialog, 20000));
  g_assert_cmpuint (log.n_paid, ==, 1);
  g_assert_cmpstr (log.method, ==, "card");
  g_assert_false (gtk_widget_get_visible (child (dialog, "done_change_label")));

  status = order_status (booked->order_no);
  g_assert_cmpstr (status, ==, "paid");
  params[0] = booked->order_no;
  reference = bt_scalar (bt_owner (),
                         "SELECT y.card_reference FROM regdesk.payments y "
                         "JOIN regdesk.orders o ON o.id = y.order_id WHERE o.order_no = $1",
                         1, params);
  g_assert_cmpstr (reference, ==, "TRM-0042");

  close_dialog (g_steal_pointer (&dialog));
}

static void
test_refusals (void)
{
  g_autoptr(RdBookingResult) booked = book_order (700);
  g_autoptr(RdPaymentDialog) dialog = NULL;
  g_autoptr(RdPaymentDialog) second = NULL;
  g_autoptr(RdPaymentResult) elsewhere = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PaidLog) log = { 0 };
  GtkWidget *wechat;

  /* no gateways: WeChat Pay and Alipay say so and take nothing */
  dialog = open_dialog ("R000000NOSUCH01", 100, NULL);
  wechat = gtk_stack_get_child_by_name (child (dialog, "view_stack"), "wechat");
  g_assert_true (ADW_IS_STATUS_PAGE (wechat));
  g_assert_false (gtk_widget_get_sensitive (wechat));
  g_assert_true (ADW_IS_STATUS_PAGE (gtk_stack_get_child_by_name (child (dialog,
                                                                            "view_stack"),
                                                                     "alipay")));
  rd_payment_dialog_set_method_page (dialog, "wechat");
  save_screenshot (GTK_WINDOW (dialog), "payment-wechat-not-configured");

  /* an order that does not exist: said plainly, nothing more to try */
  rd_payment_dialog_set_method_page (dialog, "cash");
  gtk_editable_set_text (child (dialog, "tendered_entry"), "1");
  press_enter (child (dialog, "tendered_entry"));
  g_assert_true (ui_test_wait_for (label_shown, child (dialog, "dialog_message"), 20000));
  g_assert_nonnull (strstr (gtk_label_get_text (child (dialog, "dialog_message")),
                            "does not exist"));
  g_assert_false (gtk_widget_get_sensitive (child (dialog, "cash_button")));
  g_assert_false (rd_payment_dialog_get_paid (dialog));
  close_dialog (g_steal_pointer (&dialog));

  /* paid at another window meanwhile: no second payment */
  second = open_dialog (booked->order_no, 700, &log);
  elsewhere = rd_booking_pay_card_sync (clerk, NULL, booked->order_no, "T-1", NULL, &error);
  g_assert_no_error (error);
  gtk_editable_set_text (child (second, "tendered_entry"), "10");
  press_enter (child (second, "tendered_entry"));
  g_assert_true (ui_test_wait_for (is_mapped, child (second, "done_page"), 20000));
  g_assert_cmpstr (adw_status_page_get_title (child (second, "done_page")), ==, "Already Paid");
  g_assert_cmpuint (log.n_paid, ==, 0);
  g_assert_cmpint (count_payments (booked->order_no), ==, 1);
  close_dialog (g_steal_pointer (&second));
}

/* WeChat Pay and Alipay through the simulator ------------------------------------------ */

/* The simulator and a service whose keys point at it (once per process). */
static RdPayService *
pay_service (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (pay != NULL)
    return pay;

  sim = rd_gateway_sim_new (&error);
  g_assert_no_error (error);
  g_assert_true (rd_gateway_sim_start (sim, 0, &error));
  g_assert_no_error (error);
  path = artifact_path ("gateways.ini");
  g_assert_true (rd_gateway_sim_write_credentials (sim, path, &error));
  g_assert_no_error (error);
  pay = rd_pay_service_new_from_credentials (clerk, path, &error);
  g_assert_no_error (error);
  g_unlink (path);
  g_assert_true (rd_pay_service_has_gateway (pay, RD_PAYMENT_GATEWAY_WECHATPAY));
  g_assert_true (rd_pay_service_has_gateway (pay, RD_PAYMENT_GATEWAY_ALIPAY));

  return pay;
}

/* The page's widgets are made in code: find them by name. */
static gpointer
named (gpointer    root,
       const char *name)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      gpointer found;

      if (g_strcmp0 (gtk_widget_get_name (c), name) == 0)
        return c;
      if ((found = named (c, name)) != NULL)
        return found;
    }

  return NULL;
}

static gpointer
gateway_widget (RdPaymentDialog *dialog,
                const char      *page,
                const char      *name)
{
  GtkWidget *root = gtk_stack_get_child_by_name (child (dialog, "view_stack"), page);
  gpointer widget;

  g_assert_nonnull (root);
  widget = named (root, name);
  g_assert_nonnull (widget);

  return widget;
}

static char *
gateway_trade_no (const char *order_no,
                  const char *method)
{
  const char *params[] = { order_no, method };

  return bt_scalar (bt_owner (),
                    "SELECT y.out_trade_no FROM regdesk.payments y JOIN regdesk.orders o "
                    "ON o.id = y.order_id WHERE o.order_no = $1 AND y.method = $2 "
                    "ORDER BY y.id DESC LIMIT 1",
                    G_N_ELEMENTS (params), params);
}

static void
test_wechat_qr (void)
{
  g_autoptr(RdBookingResult) booked = book_order (1500);
  g_autoptr(RdPaymentDialog) dialog = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PaidLog) log = { 0 };
  g_autofree char *trade_no = NULL;
  g_autofree char *status = NULL;
  GtkPicture *picture;
  RdQrPaintable *qr;

  dialog = open_dialog_with (pay_service (), booked->order_no, 1500, &log);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "payment.page", "s", "wechat"));
  /* the scanner's field is ready */
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (dialog)),
                                         gateway_widget (dialog, "wechat", "code_entry")) ||
                 gtk_window_get_focus (GTK_WINDOW (dialog)) ==
                 gateway_widget (dialog, "wechat", "code_entry"));

  g_assert_true (gtk_widget_activate (gateway_widget (dialog, "wechat", "qr_button")));
  picture = gateway_widget (dialog, "wechat", "qr_picture");
  g_assert_true (ui_test_wait_for (is_mapped, picture, 30000));
  qr = RD_QR_PAINTABLE (gtk_picture_get_paintable (picture));
  g_assert_true (g_str_has_prefix (rd_qr_paintable_get_text (qr), "weixin://"));
  g_assert_cmpuint (rd_qr_paintable_get_size (qr), >, 21);
  g_assert_true (label_shown (gateway_widget (dialog, "wechat", "state_label")));
  save_screenshot (GTK_WINDOW (dialog), "payment-wechat-qr");

  /* cash while the QR is open would take the fee twice: refused */
  rd_payment_dialog_set_method_page (dialog, "cash");
  gtk_editable_set_text (child (dialog, "tendered_entry"), "20");
  press_enter (child (dialog, "tendered_entry"));
  g_assert_true (label_shown (child (dialog, "cash_message")));
  ui_test_settle (100);
  g_assert_false (rd_payment_dialog_get_paid (dialog));

  /* the patient scans and pays: the dialog follows the gateway */
  trade_no = gateway_trade_no (booked->order_no, "wechat");
  g_assert_nonnull (trade_no);
  g_assert_true (rd_gateway_sim_scan (sim, RD_PAYMENT_GATEWAY_WECHATPAY, trade_no, &error));
  g_assert_no_error (error);
  g_assert_true (ui_test_wait_for (dialog_paid, dialog, 60000));
  g_assert_cmpuint (log.n_paid, ==, 1);
  g_assert_cmpstr (log.method, ==, "wechat");
  status = order_status (booked->order_no);
  g_assert_cmpstr (status, ==, "paid");

  close_dialog (g_steal_pointer (&dialog));
}

static gboolean
is_sensitive (gpointer data)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (data));
}

static void
test_alipay_pay_code (void)
{
  g_autoptr(RdBookingResult) booked = book_order (800);
  g_autoptr(RdPaymentDialog) dialog = NULL;
  g_auto(PaidLog) log = { 0 };
  g_autofree char *code = NULL;
  g_autofree char *no_money = NULL;
  g_autofree char *status = NULL;
  g_autofree char *failed_status = NULL;
  GtkEditable *entry;

  dialog = open_dialog_with (pay_service (), booked->order_no, 800, &log);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "payment.page", "s", "alipay"));
  entry = gateway_widget (dialog, "alipay", "code_entry");

  /* garbage from the scanner: a clear message, nothing sent */
  gtk_editable_set_text (entry, "http://example.com/x");
  press_enter (entry);
  g_assert_true (label_shown (gateway_widget (dialog, "alipay", "code_message")));
  ui_test_settle (200);
  g_assert_cmpint (count_payments (booked->order_no), ==, 0);

  /* the patient's balance is too low: said plainly, the booking stays */
  no_money = rd_gateway_sim_make_auth_code (RD_PAYMENT_GATEWAY_ALIPAY,
                                            RD_GATEWAY_SIM_PAYER_NO_MONEY, 1);
  gtk_editable_set_text (entry, no_money);
  press_enter (entry);
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "");
  g_assert_true (ui_test_wait_for (is_sensitive, entry, 60000));
  g_assert_true (label_shown (gateway_widget (dialog, "alipay", "state_label")));
  g_test_message ("refusal shown: %s",
                  gtk_label_get_text (gateway_widget (dialog, "alipay", "state_label")));
  save_screenshot (GTK_WINDOW (dialog), "payment-alipay-refused");
  g_assert_false (rd_payment_dialog_get_paid (dialog));
  failed_status = order_status (booked->order_no);
  g_assert_cmpstr (failed_status, ==, "unpaid");

  /* another code pays */
  code = rd_gateway_sim_make_auth_code (RD_PAYMENT_GATEWAY_ALIPAY, RD_GATEWAY_SIM_PAYER_PAYS, 2);
  gtk_editable_set_text (entry, code);
  press_enter (entry);
  g_assert_true (ui_test_wait_for (dialog_paid, dialog, 60000));
  g_assert_cmpuint (log.n_paid, ==, 1);
  g_assert_cmpstr (log.method, ==, "alipay");
  status = order_status (booked->order_no);
  g_assert_cmpstr (status, ==, "paid");

  close_dialog (g_steal_pointer (&dialog));
}

static gboolean
is_hidden (gpointer data)
{
  return !gtk_widget_get_visible (GTK_WIDGET (data));
}

static void
test_escape_stops_qr (void)
{
  g_autoptr(RdBookingResult) booked = book_order (600);
  g_autoptr(RdPaymentDialog) dialog = NULL;
  g_auto(PaidLog) log = { 0 };
  g_autofree char *status = NULL;
  g_autofree char *payment_status = NULL;
  const char *params[1];

  dialog = open_dialog_with (pay_service (), booked->order_no, 600, &log);
  rd_payment_dialog_set_method_page (dialog, "alipay");
  g_assert_true (gtk_widget_activate (gateway_widget (dialog, "alipay", "qr_button")));
  g_assert_true (ui_test_wait_for (is_mapped, gateway_widget (dialog, "alipay", "qr_picture"), 30000));

  /* Escape: the QR order is closed at the gateway, then the window goes */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL));
  g_assert_true (ui_test_wait_for (is_hidden, dialog, 60000));
  g_assert_cmpuint (log.n_paid, ==, 0);
  status = order_status (booked->order_no);
  g_assert_cmpstr (status, ==, "unpaid");
  params[0] = booked->order_no;
  payment_status = bt_scalar (bt_owner (),
                              "SELECT y.status FROM regdesk.payments y JOIN regdesk.orders o "
                              "ON o.id = y.order_id WHERE o.order_no = $1",
                              1, params);
  g_assert_cmpstr (payment_status, ==, "closed");

  g_object_unref (g_steal_pointer (&dialog));
}

/* The slip ------------------------------------------------------------------------- */

static void
test_slip (void)
{
  g_autoptr(RdSlip) slip = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf_path = artifact_path ("slip.pdf");
  g_autofree char *png_path = artifact_path ("slip.png");
  g_autofree char *contents = NULL;
  gsize length = 0;
  cairo_surface_t *surface;
  cairo_t *cr;
  double width, height;
  const double scale = 4.0;
  guint dark = 0;

  g_assert_nonnull (paid_order_no);
  slip = rd_slips_get_sync (clerk, paid_order_no, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (slip->order_status, ==, "paid");
  g_assert_true (g_str_has_prefix (slip->patient_name, "测试"));

  /* an 80 mm receipt, taller than wide, not absurdly long */
  rd_slip_get_page_size (slip, &width, &height);
  g_assert_cmpfloat_with_epsilon (width, 80.0 / 25.4 * 72.0, 0.01);
  g_assert_cmpfloat (height, >, width);
  g_assert_cmpfloat (height, <, 4 * width);

  g_unlink (pdf_path);
  g_assert_true (rd_slip_export_pdf (slip, pdf_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf_path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 4000);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  /* the Chinese name is set in Noto Sans CJK, embedded */
  g_assert_nonnull (memmem (contents, length, "NotoSansCJK", strlen ("NotoSansCJK")));
  g_test_message ("saved %s (%" G_GSIZE_FORMAT " bytes)", pdf_path, length);

  /* a writing error is reported, not ignored */
  g_assert_false (rd_slip_export_pdf (slip, "/nonexistent-dir/slip.pdf", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  /* the same layout as a picture */
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) ceil (width * scale),
                                        (int) ceil (height * scale));
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  rd_slip_draw (cr, slip);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  for (int y = 0; y < cairo_image_surface_get_height (surface); y += 2)
    for (int x = 0; x < cairo_image_surface_get_width (surface); x += 2)
      dark += pixel_at (surface, x, y) == 0;
  g_assert_cmpuint (dark, >, 2000);
  g_assert_cmpint (cairo_surface_write_to_png (surface, png_path), ==, CAIRO_STATUS_SUCCESS);
  g_test_message ("saved %s", png_path);
  cairo_surface_destroy (surface);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  bt_setup ();
  clerk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);

  g_setenv ("LANGUAGE", "en", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  rd_application_init_i18n ();
  if (!gtk_init_check ())
    {
      g_printerr ("Bail out! The ui suite needs a display: run it under xvfb-run -a\n");
      return 1;
    }
  adw_init ();
  g_resources_register (rd_ui_get_resource ());
  g_object_set (gtk_settings_get_default (),
                "gtk-enable-animations", FALSE,
                "gtk-cursor-blink", FALSE,
                NULL);

  artifacts_dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL ?
                                    g_getenv ("G_TEST_BUILDDIR") : ".",
                                    "ui", "artifacts", NULL);
  g_mkdir_with_parents (artifacts_dir, 0755);

  g_test_add_func ("/ui/payment/check-tendered", test_check_tendered);
  g_test_add_func ("/ui/payment/check-pay-code", test_check_pay_code);
  g_test_add_func ("/ui/payment/qr", test_qr);
  g_test_add_func ("/ui/payment/cash", test_cash);
  g_test_add_func ("/ui/payment/card", test_card);
  g_test_add_func ("/ui/payment/refusals", test_refusals);
  g_test_add_func ("/ui/payment/wechat-qr", test_wechat_qr);
  g_test_add_func ("/ui/payment/alipay-pay-code", test_alipay_pay_code);
  g_test_add_func ("/ui/payment/escape-stops-qr", test_escape_stops_qr);
  g_test_add_func ("/ui/payment/slip", test_slip);

  status = g_test_run ();
  g_clear_object (&pay);
  if (sim != NULL)
    rd_gateway_sim_stop (sim);
  g_clear_object (&sim);
  g_clear_object (&clerk);
  g_free (artifacts_dir);
  g_free (paid_order_no);

  return status;
}
