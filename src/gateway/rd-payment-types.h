/* rd-payment-types.h: orders, results and states shared by the payment
 * providers, in fen and in one vocabulary for WeChat Pay and Alipay
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  RD_PAYMENT_GATEWAY_WECHATPAY,
  RD_PAYMENT_GATEWAY_ALIPAY,
} RdPaymentGateway;

/* One vocabulary for both gateways (WeChat Pay's, which is the richer).
 * Alipay: WAIT_BUYER_PAY and 10003 are USERPAYING, TRADE_SUCCESS and
 * TRADE_FINISHED are SUCCESS, TRADE_CLOSED is CLOSED. */
typedef enum
{
  RD_TRADE_STATE_UNKNOWN,
  RD_TRADE_STATE_NOTPAY,
  RD_TRADE_STATE_USERPAYING,
  RD_TRADE_STATE_SUCCESS,
  RD_TRADE_STATE_CLOSED,
  RD_TRADE_STATE_REFUND,
  RD_TRADE_STATE_REVOKED,
  RD_TRADE_STATE_PAYERROR,
} RdTradeState;

typedef enum
{
  RD_REFUND_STATE_UNKNOWN,     /* the gateway shows no refund under that number (yet) */
  RD_REFUND_STATE_PROCESSING,  /* accepted, not done: query later */
  RD_REFUND_STATE_SUCCESS,
  RD_REFUND_STATE_CLOSED,
  RD_REFUND_STATE_ABNORMAL,    /* the money could not go back: a person must look */
} RdRefundState;

#define RD_TYPE_PAYMENT_GATEWAY (rd_payment_gateway_get_type ())
#define RD_TYPE_TRADE_STATE     (rd_trade_state_get_type ())
#define RD_TYPE_REFUND_STATE    (rd_refund_state_get_type ())
#define RD_TYPE_PAY_ORDER       (rd_pay_order_get_type ())
#define RD_TYPE_PAY_RESULT      (rd_pay_result_get_type ())
#define RD_TYPE_REFUND_REQUEST  (rd_refund_request_get_type ())
#define RD_TYPE_REFUND_RESULT   (rd_refund_result_get_type ())

GType rd_payment_gateway_get_type (void) G_GNUC_CONST;
GType rd_trade_state_get_type     (void) G_GNUC_CONST;
GType rd_refund_state_get_type    (void) G_GNUC_CONST;
GType rd_pay_order_get_type       (void) G_GNUC_CONST;
GType rd_pay_result_get_type      (void) G_GNUC_CONST;
GType rd_refund_request_get_type  (void) G_GNUC_CONST;
GType rd_refund_result_get_type   (void) G_GNUC_CONST;

/* "SUCCESS", "USERPAYING", ...: WeChat Pay's spelling. */
const char   *rd_trade_state_to_string  (RdTradeState  state);
/* WeChat Pay's spelling back; anything else is UNKNOWN. */
RdTradeState  rd_trade_state_from_string (const char   *text);
/* "PROCESSING", "SUCCESS", ... */
const char   *rd_refund_state_to_string (RdRefundState state);
/* Words a clerk reads (translated). */
const char   *rd_trade_state_describe   (RdTradeState  state);
const char   *rd_payment_gateway_describe (RdPaymentGateway gateway);

/* One attempt to take money: out_trade_no is unique per attempt and reused
 * on every retry of that attempt. */
typedef struct
{
  char      *out_trade_no;
  char      *description;    /* what the patient sees: "挂号费 内科 张医生" */
  gint64     amount;         /* fen, > 0 */
  GDateTime *time_expire;    /* QR orders: when the code stops working; NULL for none */
  char      *device_id;      /* the desk's terminal, for the gateway's records */
} RdPayOrder;

RdPayOrder   *rd_pay_order_new            (const char       *out_trade_no,
                                           const char       *description,
                                           gint64            amount);
RdPayOrder   *rd_pay_order_copy           (const RdPayOrder *order);
void          rd_pay_order_free           (RdPayOrder       *order);
/* 6 to 32 of [0-9A-Za-z_-*] (the stricter of the two gateways' rules). */
gboolean      rd_pay_order_is_valid_number (const char      *out_trade_no);

typedef struct
{
  RdTradeState  state;
  char         *out_trade_no;
  char         *transaction_id;  /* the gateway's number, once it has one */
  gint64        amount;          /* fen; -1 when the answer did not say */
  char         *code_url;        /* QR orders: what the QR code encodes */
  GDateTime    *success_time;    /* NULL unless paid */
  char         *gateway_state;   /* the gateway's own word ("WAIT_BUYER_PAY", "10003") */
} RdPayResult;

RdPayResult  *rd_pay_result_new           (const char        *out_trade_no,
                                           RdTradeState       state);
RdPayResult  *rd_pay_result_copy          (const RdPayResult *result);
void          rd_pay_result_free          (RdPayResult       *result);

typedef struct
{
  char   *out_trade_no;
  char   *out_refund_no;   /* unique per refund, reused on every retry */
  char   *reason;
  gint64  amount;          /* fen to give back */
  gint64  total;           /* fen the order took */
} RdRefundRequest;

RdRefundRequest *rd_refund_request_new    (const char            *out_trade_no,
                                           const char            *out_refund_no,
                                           gint64                 amount,
                                           gint64                 total);
RdRefundRequest *rd_refund_request_copy   (const RdRefundRequest *request);
void             rd_refund_request_free   (RdRefundRequest       *request);

typedef struct
{
  RdRefundState  state;
  char          *out_refund_no;
  char          *refund_id;      /* the gateway's number */
  gint64         amount;         /* fen; -1 when the answer did not say */
  GDateTime     *success_time;
} RdRefundResult;

RdRefundResult *rd_refund_result_new      (const char           *out_refund_no,
                                           RdRefundState         state);
RdRefundResult *rd_refund_result_copy     (const RdRefundResult *result);
void            rd_refund_result_free     (RdRefundResult       *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdPayOrder, rd_pay_order_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdPayResult, rd_pay_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdRefundRequest, rd_refund_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdRefundResult, rd_refund_result_free)

G_END_DECLS
