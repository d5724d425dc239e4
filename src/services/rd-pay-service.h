/* rd-pay-service.h: taking an order's fee through WeChat Pay or Alipay and
 * recording it in the database exactly once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"
#include "rd-gateway-credentials.h"
#include "rd-pay-flow.h"
#include "rd-payment-provider.h"

G_BEGIN_DECLS

typedef enum
{
  RD_PAY_ATTEMPT_STARTING,   /* the attempt is being recorded and sent to the gateway */
  RD_PAY_ATTEMPT_WAITING,    /* QR shown, or the patient is confirming on the phone */
  RD_PAY_ATTEMPT_PAID,       /* final: the gateway took the money and the order is paid */
  RD_PAY_ATTEMPT_FAILED,     /* final: the gateway said no; the order is still unpaid */
  RD_PAY_ATTEMPT_CANCELLED,  /* final: closed or reversed at the clerk's request */
  RD_PAY_ATTEMPT_UNKNOWN,    /* final for the desk: the worker will settle it */
} RdPayAttemptState;

#define RD_TYPE_PAY_ATTEMPT_STATE (rd_pay_attempt_state_get_type ())
GType rd_pay_attempt_state_get_type (void) G_GNUC_CONST;

#define RD_TYPE_PAY_ATTEMPT (rd_pay_attempt_get_type ())
G_DECLARE_FINAL_TYPE (RdPayAttempt, rd_pay_attempt, RD, PAY_ATTEMPT, GObject)

#define RD_TYPE_PAY_SERVICE (rd_pay_service_get_type ())
G_DECLARE_FINAL_TYPE (RdPayService, rd_pay_service, RD, PAY_SERVICE, GObject)

/* One gateway payment of one order, followed live on the main context.
 * Properties (all read-only, notified on change, on the main context):
 * "state" (RdPayAttemptState), "message" (plain words for the clerk,
 * translated; says what happened on failure), "code-url" (QR attempts,
 * once the gateway gave it; NULL before), "order-no", "out-trade-no",
 * "gateway" (RdPaymentGateway as guint). */
RdPayAttemptState  rd_pay_attempt_get_state        (RdPayAttempt *self);
const char        *rd_pay_attempt_get_message      (RdPayAttempt *self);
const char        *rd_pay_attempt_get_code_url     (RdPayAttempt *self);
const char        *rd_pay_attempt_get_order_no     (RdPayAttempt *self);
const char        *rd_pay_attempt_get_out_trade_no (RdPayAttempt *self);
RdPaymentGateway   rd_pay_attempt_get_gateway      (RdPayAttempt *self);
gboolean           rd_pay_attempt_is_final         (RdPayAttempt *self);
/* The clerk gives up: closes (QR) or reverses (payment code) at the
 * gateway; ends CANCELLED, or PAID when the patient paid meanwhile. */
void               rd_pay_attempt_cancel           (RdPayAttempt *self);

/* @wechat and @alipay may be NULL when that gateway is not configured. */
RdPayService      *rd_pay_service_new              (RdDb              *db,
                                                    RdPaymentProvider *wechat,
                                                    RdPaymentProvider *alipay);
/* Builds the providers from the credentials key file (see
 * rd-gateway-credentials.h); a gateway whose group is missing is left
 * out. NULL @path: the default location. */
RdPayService      *rd_pay_service_new_from_credentials (RdDb        *db,
                                                        const char  *path,
                                                        GError     **error);
/* The same from credentials already read (regdesk-ctl overrides their
 * URLs to point at a simulator). */
RdPayService      *rd_pay_service_new_for_credentials (RdDb                  *db,
                                                       RdGatewayCredentials  *credentials,
                                                       GError               **error);
gboolean           rd_pay_service_has_gateway      (RdPayService      *self,
                                                    RdPaymentGateway   gateway);

/* Starts a QR payment (WeChat Native / Alipay precreate) of @order_no.
 * @request_id makes the recording idempotent (NULL: a fresh one). */
RdPayAttempt      *rd_pay_service_start_qr         (RdPayService      *self,
                                                    const char        *order_no,
                                                    RdPaymentGateway   gateway,
                                                    const char        *request_id);
/* Charges the patient's payment code (付款码) for @order_no. A code that
 * is not 16-24 digits fails at once with a clear message. */
RdPayAttempt      *rd_pay_service_start_pay_code   (RdPayService      *self,
                                                    const char        *order_no,
                                                    RdPaymentGateway   gateway,
                                                    const char        *auth_code,
                                                    const char        *request_id);

/* Sends the gateway refunds that 退号 recorded for @order_no (api.cancel
 * leaves them 'pending') and follows them until the gateway accepts or
 * finishes them; the order's status shows the progress. Returns the
 * number of refunds that reached SUCCESS. */
void               rd_pay_service_refund_order_async  (RdPayService        *self,
                                                       const char          *order_no,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
guint              rd_pay_service_refund_order_finish (RdPayService        *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* The worker's part: settles up to @max payments whose outcome nobody
 * learned (query; then mark paid, or close/reverse) and pending or
 * processing refunds (send or query). Safe with several workers at once.
 * Returns how many rows it settled. Blocks, iterating the thread-default
 * main context, which must be the one @self and its RdDb were made in;
 * call it from that thread only (one RdPayService per thread). */
guint              rd_pay_service_settle_sync      (RdPayService      *self,
                                                    guint              max,
                                                    GCancellable      *cancellable,
                                                    GError           **error);

/* Timing of the service's own waits and of the settle pass. */
typedef struct
{
  guint abandoned_after_s;  /* a 'paying' attempt this old has lost its desk (600) */
  guint grace_s;            /* an unsettled payment younger than this is only asked
                             * about, never closed or reversed (60) */
  guint lease_s;            /* other workers leave a claimed row alone this long (60) */
  guint refund_poll_ms;     /* between queries of a refund being followed (5000) */
  guint refund_polls;       /* queries of a refund rd_pay_service_refund_order_async()
                             * follows before leaving it to the worker (3) */
} RdPayServiceConfig;

void               rd_pay_service_get_config       (RdPayService             *self,
                                                    RdPayServiceConfig       *config);
void               rd_pay_service_set_config       (RdPayService             *self,
                                                    const RdPayServiceConfig *config);
/* The clock of every payment flow and wait the service starts (NULL: the
 * real one); tests and the benchmark give one that jumps. */
void               rd_pay_service_set_clock        (RdPayService             *self,
                                                    const RdPayClock         *clock,
                                                    gpointer                  clock_data);

/* What rd_pay_service_check_order_sync() found for one gateway payment. */
typedef struct
{
  char             *out_trade_no;
  RdPaymentGateway  gateway;
  RdTradeState      trade_state;  /* what the gateway said; UNKNOWN when it could not be asked */
  char             *status;       /* the payment's status in the database afterwards */
  char             *error;        /* why the gateway could not be asked or closed, or NULL */
} RdPayCheck;

void               rd_pay_check_free               (RdPayCheck               *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdPayCheck, rd_pay_check_free)

/* For operations staff (regdesk-ctl pay query|close): asks the gateway
 * about every WeChat Pay and Alipay payment of @order_no and records what
 * it says; with @close, also closes (QR) or reverses (payment code) those
 * still open. Returns a GPtrArray of RdPayCheck. Blocks, iterating the
 * thread-default main context (the one @self was made in). */
GPtrArray         *rd_pay_service_check_order_sync (RdPayService             *self,
                                                    const char               *order_no,
                                                    gboolean                  close,
                                                    GCancellable             *cancellable,
                                                    GError                  **error);
/* rd_pay_service_refund_order_async(), blocking the same way. */
guint              rd_pay_service_refund_order_sync (RdPayService            *self,
                                                     const char              *order_no,
                                                     GCancellable            *cancellable,
                                                     GError                 **error);

G_END_DECLS
