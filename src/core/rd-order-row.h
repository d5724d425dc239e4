/* rd-order-row.h: one order as the finance table shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RD_TYPE_ORDER_ROW (rd_order_row_get_type ())
G_DECLARE_FINAL_TYPE (RdOrderRow, rd_order_row, RD, ORDER_ROW, GObject)

/* Properties (construct-only; a row is a snapshot of api.order_overview):
 *   id                                       gint64
 *   order-no                                 string
 *   time                                     string "HH:MM", hospital time
 *   patient-name, department-name, doctor-name string
 *   amount, refunded-amount                  gint64, fen
 *   method                                   string code or NULL (unpaid):
 *                                            'cash', 'card', 'wechat', 'alipay'
 *   status                                   string code: 'unpaid', 'paid', 'closed',
 *                                            'refunding', 'refunded', 'partially_refunded'
 */
gint64        rd_order_row_get_id              (RdOrderRow *self);
const char   *rd_order_row_get_order_no        (RdOrderRow *self);
const char   *rd_order_row_get_time            (RdOrderRow *self);
const char   *rd_order_row_get_patient_name    (RdOrderRow *self);
const char   *rd_order_row_get_department_name (RdOrderRow *self);
const char   *rd_order_row_get_doctor_name     (RdOrderRow *self);
gint64        rd_order_row_get_amount          (RdOrderRow *self);
gint64        rd_order_row_get_refunded_amount (RdOrderRow *self);
const char   *rd_order_row_get_method          (RdOrderRow *self);
const char   *rd_order_row_get_status          (RdOrderRow *self);
/* What the hospital keeps of this order: the amount less refunds once it
 * was paid, 0 for unpaid and closed orders. */
gint64        rd_order_row_get_net_amount      (RdOrderRow *self);

/* Words a person reads (translated); unknown codes come back as they are. */
const char   *rd_payment_method_to_string      (const char *method);
const char   *rd_order_status_to_string        (const char *status);

G_END_DECLS
