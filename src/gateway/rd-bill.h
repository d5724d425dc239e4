/* rd-bill.h: the gateways' daily trade bills, parsed by column name
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rd-payment-types.h"

G_BEGIN_DECLS

typedef enum
{
  RD_BILL_LINE_PAYMENT,
  RD_BILL_LINE_REFUND,
} RdBillLineKind;

typedef struct
{
  RdBillLineKind  kind;
  GDateTime      *time;            /* when it happened, GMT+8 as the bills write it */
  char           *transaction_id;  /* the gateway's trade number */
  char           *out_trade_no;
  char           *out_refund_no;   /* refunds only */
  char           *status;          /* WeChat Pay 交易状态, Alipay 业务类型, as written */
  char           *description;
  gint64          amount;          /* fen: what was paid, or what was refunded (positive) */
  gint64          fee;             /* fen: the gateway's service fee */
} RdBillLine;

typedef struct
{
  RdPaymentGateway  gateway;
  GBytes           *raw;           /* the file as downloaded */
  GPtrArray        *lines;         /* RdBillLine */
  /* From the bill's own summary: the parser checks its lines against them. */
  guint             summary_count;
  gint64            summary_amount;
  gint64            summary_refund;
  gint64            summary_fee;
} RdBill;

#define RD_TYPE_BILL (rd_bill_get_type ())

GType   rd_bill_get_type        (void) G_GNUC_CONST;

/* Shares raw and lines, which nobody changes after parsing. */
RdBill *rd_bill_copy            (const RdBill *bill);
void    rd_bill_free            (RdBill       *bill);

/* A WeChat Pay trade bill (bill_type ALL): a header line, data lines whose
 * every field starts with a backtick, amounts in yuan, then the summary
 * header and its values. Columns are found by name; the data must agree
 * with the summary, so a truncated file is RD_GATEWAY_ERROR_BAD_RESPONSE. */
RdBill *rd_bill_parse_wechatpay (GBytes  *csv,
                                 GError **error);
/* An Alipay trade bill: a zip of GBK CSV files, one of which lists the
 * business details between the "业务明细列表" markers. Refund lines carry
 * negative amounts in the file and positive ones here. */
RdBill *rd_bill_parse_alipay    (GBytes  *zip,
                                 GError **error);
/* The CSV inside, UTF-8, already unzipped (also what the parser above uses). */
RdBill *rd_bill_parse_alipay_csv (const char *csv,
                                  gssize      len,
                                  GError    **error);

/* "2024-05-01 10:00:00" read as GMT+8; NULL if it is not that. */
GDateTime *rd_bill_parse_time   (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdBill, rd_bill_free)

G_END_DECLS
