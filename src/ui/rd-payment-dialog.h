/* rd-payment-dialog.h: taking one order's fee at the desk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-db.h"
#include "rd-pay-service.h"

G_BEGIN_DECLS

#define RD_TYPE_PAYMENT_DIALOG (rd_payment_dialog_get_type ())
G_DECLARE_FINAL_TYPE (RdPaymentDialog, rd_payment_dialog, RD, PAYMENT_DIALOG, AdwWindow)

/* A modal window for paying @order_no (@amount fen, @summary a line
 * saying who and what, "张三 · 内科 · 王芳 · 上午"): cash, bank card,
 * and WeChat Pay and Alipay by QR code or payment code when @pay has
 * that gateway (@pay may be NULL: neither). Alt+1…4 switch methods,
 * Enter pays, Escape cancels.
 *
 * Signal ::paid (const char *order_no, const char *method) once the
 * order is paid ('cash', 'card', 'wechat', 'alipay'); the window then
 * offers the slip (print, PDF) and closes when the clerk is done.
 * Properties (read-only, notified): "paid" (gboolean), "method" (string).
 * Like any GtkWindow it belongs to GTK: present it; closing destroys it. */
RdPaymentDialog *rd_payment_dialog_new        (GtkWindow       *parent,
                                               RdDb            *db,
                                               RdPayService    *pay,
                                               const char      *order_no,
                                               gint64           amount,
                                               const char      *summary);
const char      *rd_payment_dialog_get_order_no (RdPaymentDialog *self);
gboolean         rd_payment_dialog_get_paid   (RdPaymentDialog *self);
const char      *rd_payment_dialog_get_method (RdPaymentDialog *self);
/* Shows the method's page and focuses its first field: "cash", "card",
 * "wechat" or "alipay". */
void             rd_payment_dialog_set_method_page (RdPaymentDialog *self,
                                                    const char      *page);

/* What the dialog decides, callable without a display. */

/* Reads the cash tendered for @due fen. TRUE when it pays: @tendered and
 * @change set. FALSE with @message (translated, for the field): empty,
 * not an amount, or less than @due. */
gboolean         rd_payment_check_tendered    (const char      *text,
                                               gint64           due,
                                               gint64          *tendered,
                                               gint64          *change,
                                               char           **message);
/* A payment code as a scanner types it (spaces allowed between groups):
 * the digits, or NULL with @message when it is not 16-24 digits. */
char            *rd_payment_check_pay_code    (const char      *text,
                                               char           **message);
/* Plain words for a failed desk payment (RD5xx refusals, lost connection,
 * permissions); NULL for a cancelled one. */
char            *rd_payment_describe_error    (const GError    *error);

G_END_DECLS
