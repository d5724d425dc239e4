/* rd-payment-dialog.c: taking one order's fee at the desk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-application.h"
#include "rd-booking.h"
#include "rd-money.h"
#include "rd-order-row.h"
#include "rd-payment-dialog.h"
#include "rd-qr-paintable.h"
#include "rd-slip-printer.h"
#include "rd-slips.h"

#define QR_PIXELS 232
#define PAY_CODE_MIN_DIGITS 16
#define PAY_CODE_MAX_DIGITS 24

typedef struct
{
  RdPaymentDialog  *dialog;           /* unowned: the page lives inside it */
  RdPaymentGateway  gateway;
  const char       *name;             /* the view stack page and the method: 'wechat' */
  gboolean          configured;
  GtkWidget        *page;
  GtkEntry         *code_entry;
  GtkLabel         *code_message;
  GtkButton        *qr_button;
  GtkButton        *stop_button;
  GtkSpinner       *spinner;
  GtkLabel         *state_label;
  GtkPicture       *qr_picture;
  RdQrPaintable    *qr;
  GtkButton        *scan_button;      /* the demo only: the simulated patient scans */
  /* one request id per attempt, kept until the attempt has ended unpaid */
  char             *qr_request_id;
  char             *code_request_id;
} GatewayPage;

typedef enum
{
  SLIP_ACTION_NONE,
  SLIP_ACTION_PRINT,
  SLIP_ACTION_PDF,
} SlipAction;

struct _RdPaymentDialog
{
  AdwWindow         parent_instance;

  GtkStackSwitcher *switcher;
  GtkStack         *mode_stack;
  GtkLabel         *summary_label;
  GtkLabel         *due_label;
  GtkLabel         *order_label;
  GtkLabel         *dialog_message;
  GtkStack         *view_stack;
  GtkEntry         *tendered_entry;
  GtkLabel         *change_label;
  GtkLabel         *cash_message;
  GtkButton        *cash_button;
  GtkEntry         *card_entry;
  GtkLabel         *card_message;
  GtkButton        *card_button;
  AdwStatusPage    *done_page;
  GtkLabel         *done_change_label;
  GtkButton        *print_button;
  GtkButton        *pdf_button;
  GtkLabel         *slip_message;

  RdDb             *db;
  RdPayService     *pay;
  char             *order_no;
  gint64            amount;
  char             *summary;

  GatewayPage       gateways[2];      /* by RdPaymentGateway */
  RdPayAttempt     *attempt;          /* the gateway payment under way, or the last one */
  GatewayPage      *attempt_page;
  gboolean          attempt_is_qr;

  /* Desk payments: one request id per method for the dialog's life, so a
   * retry after a lost answer (or a second Enter) pays once. */
  char             *cash_request_id;
  char             *card_request_id;

  GCancellable     *cancellable;
  RdSlip           *slip;
  SlipAction        slip_action;

  char             *method;
  guint             paid : 1;
  guint             busy : 1;           /* a desk payment is on its way */
  guint             blocked : 1;        /* nothing more may be tried: see dialog_message */
  guint             close_pending : 1;  /* Escape while something was under way */
  guint             cancelling : 1;
};

G_DEFINE_FINAL_TYPE (RdPaymentDialog, rd_payment_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_DB,
  PROP_PAY,
  PROP_ORDER_NO,
  PROP_AMOUNT,
  PROP_SUMMARY,
  PROP_PAID,
  PROP_METHOD,
  N_PROPS
};

enum {
  PAID,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void update_gateway_page (GatewayPage *page);

/* Helpers ---------------------------------------------------------------------- */

static void
show_message (GtkLabel   *label,
              const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static gboolean
attempt_live (RdPaymentDialog *self)
{
  return self->attempt != NULL && !rd_pay_attempt_is_final (self->attempt);
}

static const char *
gateway_title (RdPaymentGateway gateway)
{
  return gateway == RD_PAYMENT_GATEWAY_ALIPAY ? _("Alipay") : _("WeChat Pay");
}

static void
update_sensitivity (RdPaymentDialog *self)
{
  gboolean can_pay = !self->busy && !self->blocked && !self->paid;

  gtk_widget_set_sensitive (GTK_WIDGET (self->cash_button), can_pay);
  gtk_widget_set_sensitive (GTK_WIDGET (self->card_button), can_pay);
  for (guint i = 0; i < G_N_ELEMENTS (self->gateways); i++)
    if (self->gateways[i].configured)
      update_gateway_page (&self->gateways[i]);
}

/* Whether a new payment may start now; says why not in @label. */
static gboolean
may_start_payment (RdPaymentDialog *self,
                   GtkLabel        *label)
{
  if (self->busy || self->paid || self->blocked)
    return FALSE;

  if (attempt_live (self))
    {
      g_autofree char *text = NULL;

      /* Translators: the gateway whose payment is still open, "WeChat Pay" */
      text = g_strdup_printf (_("A %s payment is still open: stop it on its page first."),
                              gateway_title (self->attempt_page->gateway));
      show_message (label, text);
      return FALSE;
    }

  return TRUE;
}

static void
block_payments (RdPaymentDialog *self,
                const char      *text)
{
  self->blocked = TRUE;
  show_message (self->dialog_message, text);
  update_sensitivity (self);
}

static void
focus_page (RdPaymentDialog *self,
            const char      *name)
{
  GtkWidget *field = NULL;

  if (g_strcmp0 (name, "cash") == 0)
    field = GTK_WIDGET (self->tendered_entry);
  else if (g_strcmp0 (name, "card") == 0)
    field = GTK_WIDGET (self->card_entry);
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (self->gateways); i++)
        if (g_strcmp0 (name, self->gateways[i].name) == 0 && self->gateways[i].configured)
          field = GTK_WIDGET (self->gateways[i].code_entry);
    }

  if (field != NULL)
    gtk_window_set_focus (GTK_WINDOW (self), field);
}

static gboolean
close_in_idle (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));

  return G_SOURCE_REMOVE;
}

/* Closes once the current signal emission is over: a gateway attempt may
 * end inside the close request that stopped it. */
static void
close_later (RdPaymentDialog *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, close_in_idle, g_object_ref (self), g_object_unref);
}

static void
show_done (RdPaymentDialog *self,
           const char      *title,
           const char      *description,
           const char      *change)
{
  adw_status_page_set_title (self->done_page, title);
  adw_status_page_set_description (self->done_page, description);
  gtk_label_set_text (self->done_change_label, change != NULL ? change : "");
  gtk_widget_set_visible (GTK_WIDGET (self->done_change_label), change != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->switcher), FALSE);
  gtk_stack_set_visible_child_name (self->mode_stack, "done");
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->print_button));
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->print_button));
  self->close_pending = FALSE;
}

static void
finish_paid (RdPaymentDialog *self,
             const char      *method,
             gint64           amount,
             gint64           change)
{
  g_autofree char *money = rd_money_format (amount);
  g_autofree char *description = NULL;
  g_autofree char *change_text = NULL;

  if (self->paid)
    return;

  self->paid = TRUE;
  self->method = g_strdup (method);
  self->busy = FALSE;
  update_sensitivity (self);

  /* Translators: the amount and how it was paid, "¥12.50 by Cash" */
  description = g_strdup_printf (_("%s by %s"), money, rd_payment_method_to_string (method));
  if (g_strcmp0 (method, "cash") == 0)
    {
      g_autofree char *change_money = rd_money_format (change);

      /* Translators: the cash to give back, "Change ¥7.50" */
      change_text = g_strdup_printf (_("Change %s"), change_money);
    }
  show_done (self, _("Paid"), description, change_text);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METHOD]);
  g_signal_emit (self, signals[PAID], 0, self->order_no, self->method);
}

/* The order was paid before this dialog could: nothing to take, the slip
 * can still be printed. */
static void
show_already_paid (RdPaymentDialog *self)
{
  self->blocked = TRUE;
  update_sensitivity (self);
  show_done (self, _("Already Paid"),
             _("This order was paid before. Nothing more was taken."), NULL);
}

static void
handle_desk_error (RdPaymentDialog *self,
                   const GError    *error,
                   GtkLabel        *label)
{
  g_autofree char *text = rd_payment_describe_error (error);
  const char *sqlstate = rd_store_error_get_sqlstate (error);

  if (text == NULL)
    return;

  if (g_strcmp0 (sqlstate, "RD502") == 0)
    show_already_paid (self);
  else if (g_strcmp0 (sqlstate, "RD501") == 0 || g_strcmp0 (sqlstate, "RD503") == 0)
    block_payments (self, text);
  else
    show_message (label, text);
}

/* Cash and card ------------------------------------------------------------------ */

static void
desk_payment_done (RdPaymentDialog *self,
                   RdPaymentResult *payment,
                   const GError    *error,
                   gboolean         cash)
{
  self->busy = FALSE;

  if (payment != NULL)
    {
      finish_paid (self, cash ? "cash" : "card", payment->amount, payment->change);
      return;
    }

  update_sensitivity (self);
  handle_desk_error (self, error, cash ? self->cash_message : self->card_message);
  if (self->close_pending && !self->paid)
    close_later (self);
  else if (!self->blocked)
    focus_page (self, cash ? "cash" : "card");
}

static void
on_cash_paid (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RdPaymentDialog) self = user_data;
  g_autoptr(RdPaymentResult) payment = NULL;
  g_autoptr(GError) error = NULL;

  payment = rd_booking_pay_cash_finish (RD_DB (object), result, &error);
  desk_payment_done (self, payment, error, TRUE);
}

static void
on_card_paid (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RdPaymentDialog) self = user_data;
  g_autoptr(RdPaymentResult) payment = NULL;
  g_autoptr(GError) error = NULL;

  payment = rd_booking_pay_card_finish (RD_DB (object), result, &error);
  desk_payment_done (self, payment, error, FALSE);
}

static void
pay_cash (RdPaymentDialog *self)
{
  g_autofree char *message = NULL;
  gint64 tendered = 0;
  gint64 change = 0;

  if (!may_start_payment (self, self->cash_message))
    return;

  if (!rd_payment_check_tendered (gtk_editable_get_text (GTK_EDITABLE (self->tendered_entry)),
                                  self->amount, &tendered, &change, &message))
    {
      show_message (self->cash_message, message);
      gtk_widget_add_css_class (GTK_WIDGET (self->tendered_entry), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->tendered_entry));
      return;
    }

  show_message (self->cash_message, NULL);
  self->busy = TRUE;
  update_sensitivity (self);
  rd_booking_pay_cash_async (self->db, self->cash_request_id, self->order_no, tendered, NULL,
                             on_cash_paid, g_object_ref (self));
}

static void
pay_card (RdPaymentDialog *self)
{
  g_autofree char *reference = NULL;

  if (!may_start_payment (self, self->card_message))
    return;

  reference = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->card_entry))));
  if (*reference == '\0')
    {
      show_message (self->card_message,
                    _("Type the reference number from the card terminal’s receipt."));
      gtk_widget_add_css_class (GTK_WIDGET (self->card_entry), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->card_entry));
      return;
    }

  show_message (self->card_message, NULL);
  self->busy = TRUE;
  update_sensitivity (self);
  rd_booking_pay_card_async (self->db, self->card_request_id, self->order_no, reference, NULL,
                             on_card_paid, g_object_ref (self));
}

static void
on_tendered_changed (RdPaymentDialog *self)
{
  gint64 tendered = 0;
  gint64 change = 0;

  if (rd_payment_check_tendered (gtk_editable_get_text (GTK_EDITABLE (self->tendered_entry)),
                                 self->amount, &tendered, &change, NULL))
    {
      g_autofree char *text = rd_money_format (change);

      gtk_label_set_text (self->change_label, text);
    }
  else
    {
      gtk_label_set_text (self->change_label, "—");
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->tendered_entry), "error");
  show_message (self->cash_message, NULL);
}

static void
on_card_changed (RdPaymentDialog *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->card_entry), "error");
  show_message (self->card_message, NULL);
}

/* WeChat Pay and Alipay ---------------------------------------------------------- */

static const char *
default_attempt_message (RdPaymentDialog *self,
                         RdPayAttemptState state)
{
  switch (state)
    {
    case RD_PAY_ATTEMPT_STARTING:
      return _("Contacting the payment service…");
    case RD_PAY_ATTEMPT_WAITING:
      return self->attempt_is_qr ? _("Waiting for the patient to scan the code and pay…") :
                                   _("Waiting for the patient to confirm on the phone…");
    case RD_PAY_ATTEMPT_PAID:
      return _("Paid");
    case RD_PAY_ATTEMPT_FAILED:
      return _("The payment failed. Nothing was charged.");
    case RD_PAY_ATTEMPT_CANCELLED:
      return _("Stopped. Nothing was charged.");
    case RD_PAY_ATTEMPT_UNKNOWN:
      return _("The outcome of the payment is not known yet.");
    default:
      return "";
    }
}

/* The demo's gateway simulator, when Regdesk runs its demo hospital. */
static RdGatewaySim *
get_demo_gateways (void)
{
  GApplication *application = g_application_get_default ();

  if (!RD_IS_APPLICATION (application))
    return NULL;

  return rd_application_get_demo_gateways (RD_APPLICATION (application));
}

static void
demo_scan (GatewayPage *page)
{
  RdPaymentDialog *self = page->dialog;
  RdGatewaySim *sim = get_demo_gateways ();
  g_autoptr(GError) error = NULL;

  if (sim == NULL || self->attempt == NULL)
    return;

  if (!rd_gateway_sim_scan (sim, page->gateway, rd_pay_attempt_get_out_trade_no (self->attempt),
                            &error))
    show_message (page->state_label, error->message);
}

static void
update_gateway_page (GatewayPage *page)
{
  RdPaymentDialog *self = page->dialog;
  gboolean mine = self->attempt != NULL && self->attempt_page == page;
  gboolean live = mine && !rd_pay_attempt_is_final (self->attempt);
  gboolean can_start = !live && !self->busy && !self->blocked && !self->paid;
  const char *code_url = NULL;
  const char *message = NULL;

  if (mine)
    {
      message = rd_pay_attempt_get_message (self->attempt);
      if (message == NULL || *message == '\0')
        message = default_attempt_message (self, rd_pay_attempt_get_state (self->attempt));
      if (live && self->attempt_is_qr)
        code_url = rd_pay_attempt_get_code_url (self->attempt);
    }
  if (live && self->cancelling)
    message = _("Stopping the payment…");

  gtk_spinner_set_spinning (page->spinner, live);
  gtk_widget_set_visible (GTK_WIDGET (page->spinner), live);
  gtk_widget_set_visible (GTK_WIDGET (page->stop_button), live);
  gtk_widget_set_sensitive (GTK_WIDGET (page->stop_button), live && !self->cancelling);
  gtk_widget_set_sensitive (GTK_WIDGET (page->qr_button), can_start);
  gtk_widget_set_sensitive (GTK_WIDGET (page->code_entry), can_start);
  show_message (page->state_label, message);
  /* what went wrong reads as an error; progress does not */
  if (mine && !live && rd_pay_attempt_get_state (self->attempt) != RD_PAY_ATTEMPT_PAID &&
      rd_pay_attempt_get_state (self->attempt) != RD_PAY_ATTEMPT_CANCELLED)
    gtk_widget_add_css_class (GTK_WIDGET (page->state_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (page->state_label), "error");
  rd_qr_paintable_set_text (page->qr, code_url);
  gtk_widget_set_visible (GTK_WIDGET (page->qr_picture), code_url != NULL && *code_url != '\0');
  gtk_widget_set_visible (GTK_WIDGET (page->scan_button),
                          code_url != NULL && *code_url != '\0' && get_demo_gateways () != NULL);
}

static void
on_attempt_changed (RdPaymentDialog *self)
{
  GatewayPage *page = self->attempt_page;
  RdPayAttemptState state = rd_pay_attempt_get_state (self->attempt);

  update_gateway_page (page);

  switch (state)
    {
    case RD_PAY_ATTEMPT_STARTING:
    case RD_PAY_ATTEMPT_WAITING:
      return;

    case RD_PAY_ATTEMPT_PAID:
      self->cancelling = FALSE;
      finish_paid (self, page->name, self->amount, 0);
      return;

    case RD_PAY_ATTEMPT_FAILED:
    case RD_PAY_ATTEMPT_CANCELLED:
      /* that attempt is over: the next one is a new payment */
      if (self->attempt_is_qr)
        g_clear_pointer (&page->qr_request_id, g_free);
      else
        g_clear_pointer (&page->code_request_id, g_free);
      break;

    case RD_PAY_ATTEMPT_UNKNOWN:
      block_payments (self, _("Nobody knows yet whether the patient paid. Do not take the fee "
                              "again: the payment is settled automatically and the order "
                              "will show the result."));
      break;

    default:
      g_assert_not_reached ();
    }

  self->cancelling = FALSE;
  update_sensitivity (self);
  if (self->close_pending)
    close_later (self);
  else if (!self->blocked)
    focus_page (self, page->name);
}

/* The message or the QR code changed. */
static void
on_attempt_shown (RdPaymentDialog *self)
{
  update_gateway_page (self->attempt_page);
}

static void
follow_attempt (RdPaymentDialog *self,
                GatewayPage     *page,
                RdPayAttempt    *attempt,
                gboolean         qr)
{
  if (self->attempt != NULL)
    g_signal_handlers_disconnect_by_data (self->attempt, self);
  g_clear_object (&self->attempt);

  self->attempt = attempt;
  self->attempt_page = page;
  self->attempt_is_qr = qr;
  self->cancelling = FALSE;

  g_signal_connect_object (attempt, "notify::state", G_CALLBACK (on_attempt_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (attempt, "notify::message", G_CALLBACK (on_attempt_shown), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (attempt, "notify::code-url", G_CALLBACK (on_attempt_shown), self,
                           G_CONNECT_SWAPPED);

  /* an attempt may be over before it is followed (a refused code) */
  if (rd_pay_attempt_is_final (attempt))
    on_attempt_changed (self);
  else
    update_sensitivity (self);
}

static void
start_qr (GatewayPage *page)
{
  RdPaymentDialog *self = page->dialog;
  RdPayAttempt *attempt;

  if (!may_start_payment (self, page->code_message))
    return;

  show_message (page->code_message, NULL);
  if (page->qr_request_id == NULL)
    page->qr_request_id = g_uuid_string_random ();
  attempt = rd_pay_service_start_qr (self->pay, self->order_no, page->gateway,
                                     page->qr_request_id);
  follow_attempt (self, page, attempt, TRUE);
}

static void
start_pay_code (GatewayPage *page)
{
  RdPaymentDialog *self = page->dialog;
  g_autofree char *message = NULL;
  g_autofree char *code = NULL;
  RdPayAttempt *attempt;

  code = rd_payment_check_pay_code (gtk_editable_get_text (GTK_EDITABLE (page->code_entry)),
                                    &message);
  if (code == NULL)
    {
      show_message (page->code_message, message);
      gtk_widget_add_css_class (GTK_WIDGET (page->code_entry), "error");
      gtk_editable_select_region (GTK_EDITABLE (page->code_entry), 0, -1);
      return;
    }

  if (!may_start_payment (self, page->code_message))
    return;

  /* a payment code works once: the next scan starts clean */
  gtk_editable_set_text (GTK_EDITABLE (page->code_entry), "");
  show_message (page->code_message, NULL);
  if (page->code_request_id == NULL)
    page->code_request_id = g_uuid_string_random ();
  attempt = rd_pay_service_start_pay_code (self->pay, self->order_no, page->gateway, code,
                                           page->code_request_id);
  follow_attempt (self, page, attempt, FALSE);
}

static void
stop_attempt (GatewayPage *page)
{
  RdPaymentDialog *self = page->dialog;

  if (!attempt_live (self) || self->cancelling)
    return;

  self->cancelling = TRUE;
  rd_pay_attempt_cancel (self->attempt);
  if (self->attempt != NULL)
    update_gateway_page (self->attempt_page);
}

static void
on_code_changed (GatewayPage *page)
{
  gtk_widget_remove_css_class (GTK_WIDGET (page->code_entry), "error");
  if (gtk_editable_get_text (GTK_EDITABLE (page->code_entry))[0] != '\0')
    show_message (page->code_message, NULL);
}

static GtkWidget *
heading_label (const char *text,
               GtkWidget  *mnemonic_widget)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), mnemonic_widget);
  gtk_widget_add_css_class (label, "heading");

  return label;
}

static GtkWidget *
message_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_set_visible (label, FALSE);

  return label;
}

static void
build_gateway_page (RdPaymentDialog  *self,
                    RdPaymentGateway  gateway,
                    const char       *name)
{
  GatewayPage *page = &self->gateways[gateway];
  GtkWidget *box, *buttons, *status, *entry;

  page->dialog = self;
  page->gateway = gateway;
  page->name = name;
  page->configured = self->pay != NULL && rd_pay_service_has_gateway (self->pay, gateway);

  if (!page->configured)
    {
      g_autofree char *description = NULL;

      /* Translators: a gateway without merchant keys, "WeChat Pay is not set up…" */
      description = g_strdup_printf (_("%s is not set up on this computer. An administrator "
                                       "adds its merchant keys."), gateway_title (gateway));
      page->page = adw_status_page_new ();
      adw_status_page_set_icon_name (ADW_STATUS_PAGE (page->page), "action-unavailable-symbolic");
      adw_status_page_set_title (ADW_STATUS_PAGE (page->page), _("Not configured"));
      adw_status_page_set_description (ADW_STATUS_PAGE (page->page), description);
      gtk_widget_set_sensitive (page->page, FALSE);
      gtk_stack_add_titled (self->view_stack, page->page, name, gateway_title (gateway));
      return;
    }

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 9);
  gtk_widget_set_margin_top (box, 12);

  entry = gtk_entry_new ();
  page->code_entry = GTK_ENTRY (entry);
  gtk_entry_set_input_purpose (page->code_entry, GTK_INPUT_PURPOSE_DIGITS);
  gtk_entry_set_placeholder_text (page->code_entry, _("Scan the code on the patient’s phone"));
  gtk_entry_set_max_length (page->code_entry, 64);
  gtk_widget_set_name (entry, "code_entry");
  gtk_box_append (GTK_BOX (box), heading_label (_("Payment _code"), entry));
  gtk_box_append (GTK_BOX (box), entry);
  page->code_message = GTK_LABEL (message_label ());
  gtk_widget_set_name (GTK_WIDGET (page->code_message), "code_message");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (page->code_message));

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (buttons, 6);
  page->qr_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("Show _QR Code")));
  gtk_widget_add_css_class (GTK_WIDGET (page->qr_button), "pill");
  gtk_widget_set_name (GTK_WIDGET (page->qr_button), "qr_button");
  page->stop_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Stop")));
  gtk_widget_add_css_class (GTK_WIDGET (page->stop_button), "pill");
  gtk_widget_add_css_class (GTK_WIDGET (page->stop_button), "destructive-action");
  gtk_widget_set_visible (GTK_WIDGET (page->stop_button), FALSE);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (page->qr_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (page->stop_button));
  gtk_box_append (GTK_BOX (box), buttons);

  status = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (status, GTK_ALIGN_CENTER);
  page->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_visible (GTK_WIDGET (page->spinner), FALSE);
  page->state_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (page->state_label, TRUE);
  gtk_label_set_justify (page->state_label, GTK_JUSTIFY_CENTER);
  gtk_widget_set_name (GTK_WIDGET (page->state_label), "state_label");
  gtk_box_append (GTK_BOX (status), GTK_WIDGET (page->spinner));
  gtk_box_append (GTK_BOX (status), GTK_WIDGET (page->state_label));
  gtk_box_append (GTK_BOX (box), status);

  page->qr = rd_qr_paintable_new (NULL);
  page->qr_picture = GTK_PICTURE (gtk_picture_new_for_paintable (GDK_PAINTABLE (page->qr)));
  gtk_picture_set_can_shrink (page->qr_picture, TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (page->qr_picture), QR_PIXELS, QR_PIXELS);
  gtk_widget_set_halign (GTK_WIDGET (page->qr_picture), GTK_ALIGN_CENTER);
  gtk_widget_set_name (GTK_WIDGET (page->qr_picture), "qr_picture");
  gtk_widget_set_visible (GTK_WIDGET (page->qr_picture), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (page->qr_picture));

  page->scan_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Patient Scans (Demo)")));
  gtk_widget_set_tooltip_text (GTK_WIDGET (page->scan_button),
                               _("The demo’s simulated patient scans this code and pays"));
  gtk_widget_set_halign (GTK_WIDGET (page->scan_button), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (page->scan_button), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (page->scan_button));
  g_signal_connect_swapped (page->scan_button, "clicked", G_CALLBACK (demo_scan), page);

  g_signal_connect_swapped (page->code_entry, "activate", G_CALLBACK (start_pay_code), page);
  g_signal_connect_swapped (page->code_entry, "changed", G_CALLBACK (on_code_changed), page);
  g_signal_connect_swapped (page->qr_button, "clicked", G_CALLBACK (start_qr), page);
  g_signal_connect_swapped (page->stop_button, "clicked", G_CALLBACK (stop_attempt), page);

  page->page = box;
  gtk_stack_add_titled (self->view_stack, box, name, gateway_title (gateway));
}

/* The slip ------------------------------------------------------------------------- */

static void
export_pdf (RdPaymentDialog *self,
            GFile           *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    {
      show_message (self->slip_message, _("Choose a folder on this computer."));
      return;
    }

  if (rd_slip_export_pdf (self->slip, path, &error))
    {
      g_autofree char *basename = g_file_get_basename (file);
      g_autofree char *text = NULL;

      /* Translators: a file name */
      text = g_strdup_printf (_("Saved “%s”."), basename);
      gtk_label_set_text (self->slip_message, text);
    }
  else
    {
      gtk_label_set_text (self->slip_message, error->message);
    }
}

#if GTK_CHECK_VERSION (4, 10, 0) && GDK_VERSION_MAX_ALLOWED >= G_ENCODE_VERSION (4, 10)
static void
on_pdf_file_chosen (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(RdPaymentDialog) self = user_data;
  g_autoptr(GFile) file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (object), result, NULL);

  if (file != NULL)
    export_pdf (self, file);
}

static void
choose_pdf_file (RdPaymentDialog *self,
                 const char      *name)
{
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

  gtk_file_dialog_set_title (dialog, _("Save Slip as PDF"));
  gtk_file_dialog_set_initial_name (dialog, name);
  gtk_file_dialog_save (dialog, GTK_WINDOW (self), self->cancellable, on_pdf_file_chosen,
                        g_object_ref (self));
}
#else
static void
on_pdf_file_chosen (GtkNativeDialog *native,
                    int              response,
                    RdPaymentDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        export_pdf (self, file);
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
choose_pdf_file (RdPaymentDialog *self,
                 const char      *name)
{
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  native = gtk_file_chooser_native_new (_("Save Slip as PDF"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_signal_connect_object (native, "response", G_CALLBACK (on_pdf_file_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}
#endif

static void
run_slip_action (RdPaymentDialog *self)
{
  SlipAction action = self->slip_action;
  g_autoptr(GError) error = NULL;

  self->slip_action = SLIP_ACTION_NONE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pdf_button), TRUE);

  switch (action)
    {
    case SLIP_ACTION_PRINT:
      /* printed: this patient is done, the desk turns to the next one */
      if (rd_slip_print (GTK_WINDOW (self), self->slip, &error))
        gtk_window_close (GTK_WINDOW (self));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (self->slip_message, error->message);
      break;

    case SLIP_ACTION_PDF:
      {
        g_autofree char *name = g_strdup_printf ("%s.pdf", self->order_no);

        choose_pdf_file (self, name);
      }
      break;

    case SLIP_ACTION_NONE:
    default:
      break;
    }
}

static void
on_slip_loaded (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RdPaymentDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  RdSlip *slip;

  slip = rd_slips_get_finish (RD_DB (object), result, &error);
  if (slip == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->slip_action = SLIP_ACTION_NONE;
      gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->pdf_button), TRUE);
      gtk_label_set_text (self->slip_message, error->message);
      return;
    }

  rd_slip_free (self->slip);
  self->slip = slip;
  run_slip_action (self);
}

static void
with_slip (RdPaymentDialog *self,
           SlipAction       action)
{
  if (self->slip_action != SLIP_ACTION_NONE)
    return;

  self->slip_action = action;
  gtk_label_set_text (self->slip_message, "");
  if (self->slip != NULL)
    {
      run_slip_action (self);
      return;
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pdf_button), FALSE);
  rd_slips_get_async (self->db, self->order_no, self->cancellable, on_slip_loaded,
                      g_object_ref (self));
}

static void
on_print_clicked (RdPaymentDialog *self)
{
  with_slip (self, SLIP_ACTION_PRINT);
}

static void
on_pdf_clicked (RdPaymentDialog *self)
{
  with_slip (self, SLIP_ACTION_PDF);
}

/* Actions and the window ------------------------------------------------------------- */

static void
on_visible_page_changed (RdPaymentDialog *self)
{
  focus_page (self, gtk_stack_get_visible_child_name (self->view_stack));
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  rd_payment_dialog_set_method_page (RD_PAYMENT_DIALOG (widget),
                                     g_variant_get_string (parameter, NULL));
}

static gboolean
rd_payment_dialog_close_request (GtkWindow *window)
{
  RdPaymentDialog *self = RD_PAYMENT_DIALOG (window);

  /* A desk payment's answer is milliseconds away: wait for it so a
   * payment never goes unannounced. */
  if (self->busy)
    {
      self->close_pending = TRUE;
      return TRUE;
    }

  /* Escape stops a gateway payment first; a second Escape leaves it to
   * the service. */
  if (attempt_live (self) && !self->cancelling)
    {
      self->close_pending = TRUE;
      stop_attempt (self->attempt_page);
      return TRUE;
    }

  if (GTK_WINDOW_CLASS (rd_payment_dialog_parent_class)->close_request != NULL)
    return GTK_WINDOW_CLASS (rd_payment_dialog_parent_class)->close_request (window);

  return FALSE;
}

static void
rd_payment_dialog_constructed (GObject *object)
{
  RdPaymentDialog *self = RD_PAYMENT_DIALOG (object);
  g_autofree char *due = NULL;
  g_autofree char *order = NULL;
  g_autofree char *due_yuan = NULL;
  PangoAttrList *attributes;

  G_OBJECT_CLASS (rd_payment_dialog_parent_class)->constructed (object);

  due = rd_money_format (self->amount);
  gtk_label_set_text (self->due_label, due);
  /* Translators: the order number under the amount */
  order = g_strdup_printf (_("Order %s"), self->order_no);
  gtk_label_set_text (self->order_label, order);
  gtk_label_set_text (self->summary_label, self->summary != NULL ? self->summary : "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label),
                          self->summary != NULL && *self->summary != '\0');

  build_gateway_page (self, RD_PAYMENT_GATEWAY_WECHATPAY, "wechat");
  build_gateway_page (self, RD_PAYMENT_GATEWAY_ALIPAY, "alipay");

  /* the amounts a clerk reads from a step away */
  attributes = pango_attr_list_new ();
  pango_attr_list_insert (attributes, pango_attr_scale_new (1.6));
  gtk_entry_set_attributes (self->tendered_entry, attributes);
  pango_attr_list_unref (attributes);

  /* most patients hand over the exact fee: Enter takes it, typing replaces it */
  due_yuan = rd_money_to_yuan (self->amount);
  gtk_editable_set_text (GTK_EDITABLE (self->tendered_entry), due_yuan);

  show_message (self->cash_message, NULL);
  show_message (self->card_message, NULL);
  gtk_stack_set_visible_child_name (self->view_stack, "cash");
  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (on_visible_page_changed), self, G_CONNECT_SWAPPED);
  focus_page (self, "cash");
}

static void
rd_payment_dialog_dispose (GObject *object)
{
  RdPaymentDialog *self = RD_PAYMENT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->attempt != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->attempt, self);
      /* the QR code leaves the screen: nobody may pay it any more */
      if (!rd_pay_attempt_is_final (self->attempt))
        rd_pay_attempt_cancel (self->attempt);
      g_clear_object (&self->attempt);
    }

  gtk_widget_dispose_template (GTK_WIDGET (object), RD_TYPE_PAYMENT_DIALOG);

  for (guint i = 0; i < G_N_ELEMENTS (self->gateways); i++)
    g_clear_object (&self->gateways[i].qr);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pay);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (rd_payment_dialog_parent_class)->dispose (object);
}

static void
rd_payment_dialog_finalize (GObject *object)
{
  RdPaymentDialog *self = RD_PAYMENT_DIALOG (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->gateways); i++)
    {
      g_free (self->gateways[i].qr_request_id);
      g_free (self->gateways[i].code_request_id);
    }
  g_free (self->order_no);
  g_free (self->summary);
  g_free (self->cash_request_id);
  g_free (self->card_request_id);
  g_free (self->method);
  g_clear_pointer (&self->slip, rd_slip_free);

  G_OBJECT_CLASS (rd_payment_dialog_parent_class)->finalize (object);
}

static void
rd_payment_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  RdPaymentDialog *self = RD_PAYMENT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_DB:
      g_value_set_object (value, self->db);
      break;

    case PROP_PAY:
      g_value_set_object (value, self->pay);
      break;

    case PROP_ORDER_NO:
      g_value_set_string (value, self->order_no);
      break;

    case PROP_AMOUNT:
      g_value_set_int64 (value, self->amount);
      break;

    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;

    case PROP_PAID:
      g_value_set_boolean (value, self->paid);
      break;

    case PROP_METHOD:
      g_value_set_string (value, self->method);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_payment_dialog_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  RdPaymentDialog *self = RD_PAYMENT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_DB:
      self->db = g_value_dup_object (value);
      break;

    case PROP_PAY:
      self->pay = g_value_dup_object (value);
      break;

    case PROP_ORDER_NO:
      self->order_no = g_value_dup_string (value);
      break;

    case PROP_AMOUNT:
      self->amount = g_value_get_int64 (value);
      break;

    case PROP_SUMMARY:
      self->summary = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_payment_dialog_class_init (RdPaymentDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  static const char * const pages[] = { "cash", "card", "wechat", "alipay" };

  object_class->constructed = rd_payment_dialog_constructed;
  object_class->dispose = rd_payment_dialog_dispose;
  object_class->finalize = rd_payment_dialog_finalize;
  object_class->get_property = rd_payment_dialog_get_property;
  object_class->set_property = rd_payment_dialog_set_property;
  window_class->close_request = rd_payment_dialog_close_request;

  properties[PROP_DB] =
    g_param_spec_object ("db", NULL, NULL,
                         RD_TYPE_DB,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAY] =
    g_param_spec_object ("pay", NULL, NULL,
                         RD_TYPE_PAY_SERVICE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ORDER_NO] =
    g_param_spec_string ("order-no", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AMOUNT] =
    g_param_spec_int64 ("amount", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAID] =
    g_param_spec_boolean ("paid", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_METHOD] =
    g_param_spec_string ("method", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PAID] =
    g_signal_new ("paid",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/regdesk/Regdesk/rd-payment-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, switcher);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, due_label);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, order_label);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, dialog_message);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, view_stack);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, tendered_entry);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, change_label);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, cash_message);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, cash_button);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, card_entry);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, card_message);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, card_button);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, done_page);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, done_change_label);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, print_button);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, pdf_button);
  gtk_widget_class_bind_template_child (widget_class, RdPaymentDialog, slip_message);
  gtk_widget_class_bind_template_callback (widget_class, pay_cash);
  gtk_widget_class_bind_template_callback (widget_class, pay_card);
  gtk_widget_class_bind_template_callback (widget_class, on_tendered_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_card_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_print_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_pdf_clicked);

  gtk_widget_class_install_action (widget_class, "payment.page", "s", page_action);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "payment.page", "s", pages[i]);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rd_payment_dialog_init (RdPaymentDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->cash_request_id = g_uuid_string_random ();
  self->card_request_id = g_uuid_string_random ();
}

/* Public API ---------------------------------------------------------------------- */

RdPaymentDialog *
rd_payment_dialog_new (GtkWindow    *parent,
                       RdDb         *db,
                       RdPayService *pay,
                       const char   *order_no,
                       gint64        amount,
                       const char   *summary)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (pay == NULL || RD_IS_PAY_SERVICE (pay), NULL);
  g_return_val_if_fail (order_no != NULL && *order_no != '\0', NULL);
  g_return_val_if_fail (amount >= 0, NULL);

  return g_object_new (RD_TYPE_PAYMENT_DIALOG,
                       "transient-for", parent,
                       "db", db,
                       "pay", pay,
                       "order-no", order_no,
                       "amount", amount,
                       "summary", summary,
                       NULL);
}

const char *
rd_payment_dialog_get_order_no (RdPaymentDialog *self)
{
  g_return_val_if_fail (RD_IS_PAYMENT_DIALOG (self), NULL);

  return self->order_no;
}

gboolean
rd_payment_dialog_get_paid (RdPaymentDialog *self)
{
  g_return_val_if_fail (RD_IS_PAYMENT_DIALOG (self), FALSE);

  return self->paid;
}

const char *
rd_payment_dialog_get_method (RdPaymentDialog *self)
{
  g_return_val_if_fail (RD_IS_PAYMENT_DIALOG (self), NULL);

  return self->method;
}

void
rd_payment_dialog_set_method_page (RdPaymentDialog *self,
                                   const char      *page)
{
  g_return_if_fail (RD_IS_PAYMENT_DIALOG (self));
  g_return_if_fail (page != NULL);

  if (self->paid || gtk_stack_get_child_by_name (self->view_stack, page) == NULL)
    return;

  gtk_stack_set_visible_child_name (self->view_stack, page);
  focus_page (self, page);
}

gboolean
rd_payment_check_tendered (const char  *text,
                           gint64       due,
                           gint64      *tendered,
                           gint64      *change,
                           char       **message)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  gint64 value = 0;

  if (*trimmed == '\0')
    {
      if (message != NULL)
        *message = g_strdup (_("Type the cash received, in yuan."));
      return FALSE;
    }

  if (!rd_money_parse (trimmed, &value))
    {
      if (message != NULL)
        *message = g_strdup (_("Type an amount in yuan, such as 50 or 50.50."));
      return FALSE;
    }

  if (value < due)
    {
      if (message != NULL)
        {
          g_autofree char *got = rd_money_format (value);
          g_autofree char *needed = rd_money_format (due);

          /* Translators: cash received and the amount due, "¥5.00 is less than ¥12.50 due." */
          *message = g_strdup_printf (_("%s is less than the %s due."), got, needed);
        }
      return FALSE;
    }

  if (tendered != NULL)
    *tendered = value;
  if (change != NULL)
    *change = value - due;

  return TRUE;
}

char *
rd_payment_check_pay_code (const char  *text,
                           char       **message)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (*p == ' ' || *p == '-')
        continue;
      else
        {
          if (message != NULL)
            *message = g_strdup (_("That is not a payment code: a payment code is only digits. "
                                   "Scan the code on the patient’s phone again."));
          return NULL;
        }
    }

  if (digits->len < PAY_CODE_MIN_DIGITS || digits->len > PAY_CODE_MAX_DIGITS)
    {
      if (message != NULL)
        *message = g_strdup (digits->len == 0 ?
                             _("Scan the code on the patient’s phone, or show a QR code.") :
                             _("A payment code has 16 to 24 digits. Scan the code on the "
                               "patient’s phone again."));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&digits), FALSE);
}

char *
rd_payment_describe_error (const GError *error)
{
  const char *sqlstate;

  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;

  if (error->domain != RD_STORE_ERROR)
    return g_strdup (error->message);

  if (error->code == RD_STORE_ERROR_CONNECTION)
    return g_strdup (_("The connection to the database was lost. Try again: the fee is "
                       "taken only once."));
  if (error->code == RD_STORE_ERROR_PERMISSION)
    return g_strdup (_("Your login may not take payments."));
  if (error->code != RD_STORE_ERROR_REJECTED)
    return g_strdup (error->message);

  sqlstate = rd_store_error_get_sqlstate (error);
  if (g_strcmp0 (sqlstate, "RD501") == 0)
    return g_strdup (_("This order does not exist. Look the booking up again."));
  if (g_strcmp0 (sqlstate, "RD502") == 0)
    return g_strdup (_("This order is already paid."));
  if (g_strcmp0 (sqlstate, "RD503") == 0)
    return g_strdup (_("The booking expired or was cancelled before it was paid. "
                       "Book again."));
  if (g_strcmp0 (sqlstate, "RD504") == 0)
    return g_strdup (_("The cash received is less than the amount due."));
  if (g_strcmp0 (sqlstate, "RD505") == 0)
    return g_strdup (_("Type the reference number from the card terminal’s receipt."));
  if (g_strcmp0 (sqlstate, "RD309") == 0)
    return g_strdup (_("This payment was already sent with other details. Close this "
                       "window and start again."));

  return g_strdup (error->message);
}
