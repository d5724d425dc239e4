/* rd-gateway-sim-private.h: what the simulator's gateway halves share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rd-crypto.h"
#include "rd-gateway-sim.h"

G_BEGIN_DECLS

/* Fault rules name the SMS gateways next to the payment ones ("aliyun:sms",
 * "tencent:sms"); these values never meet a real RdPaymentGateway. */
#define SIM_GATEWAY_ALIYUN_SMS  ((RdPaymentGateway) 100)
#define SIM_GATEWAY_TENCENT_SMS ((RdPaymentGateway) 101)

typedef struct
{
  RdPaymentGateway  gateway;
  char             *out_trade_no;
  char             *description;
  gint64            amount;
  gboolean          qr;              /* native / precreate */
  gboolean          exists;          /* Alipay precreate: a trade only once scanned */
  RdTradeState      state;
  char             *transaction_id;
  char             *auth_code;
  char             *code_url;
  char             *notify_url;
  guint             queries_left;    /* USERPAYING: queries until the patient decides */
  RdTradeState      resolves_to;
  guint             charges;
  gint64            refunded;
  guint             n_refunds;
  GDateTime        *created;
  GDateTime        *paid_at;
  gint64            expire_at;       /* unix seconds, 0 for none */
  gboolean          duplicate_notify;
  int               refusal;         /* the SimStatus a refused charge answered */
  gboolean          reversed;        /* a reverse / cancel gave the charge back */
} SimOrder;

typedef struct
{
  RdPaymentGateway  gateway;
  char             *out_refund_no;
  char             *out_trade_no;
  char             *refund_id;
  gint64            amount;
  RdRefundState     state;
  guint             moved;
  GDateTime        *created;
} SimRefund;

typedef struct
{
  RdGatewaySimFault fault;
  guint             param;
} SimFaultHit;

struct _RdGatewaySim
{
  GObject               parent_instance;

  SoupServer           *server;
  char                 *base_url;
  SoupSession          *notify_session;

  char                 *mchid;
  char                 *appid;
  char                 *apiv3_key;
  char                 *merchant_serial;
  RdRsaKey             *merchant_key;
  RdRsaPublicKey       *merchant_public;
  char                 *platform_serial;
  char                 *platform_cert_pem;
  RdRsaKey             *platform_key;

  char                 *alipay_app_id;
  RdRsaKey             *alipay_app_key;
  RdRsaPublicKey       *alipay_app_public;
  RdRsaKey             *alipay_key;

  RdGatewayCredentials *credentials;

  char                 *aliyun_key_id;
  char                 *aliyun_key_secret;
  char                 *tencent_secret_id;
  char                 *tencent_secret_key;
  char                 *tencent_app_id;
  char                 *sms_sign_name;
  GPtrArray            *sms_log;     /* JsonObject: the messages delivered, in order */
  GHashTable           *sms_nonces;  /* Alibaba Cloud SignatureNonce values seen */

  GHashTable           *orders;      /* "w:NO" / "a:NO" → SimOrder */
  GHashTable           *refunds;     /* "w:NO" / "a:NO" → SimRefund */
  GQueue                faults;
  double                fault_rate;
  GRand                *rand;
  guint                 fault_delay_ms;
  guint64               next_serial;
  RdGatewaySimStats     stats;
};

/* Outcome codes of the shared account logic; each half spells them. */
typedef enum
{
  SIM_OK,
  SIM_NOT_FOUND,
  SIM_AUTH_CODE_INVALID,
  SIM_NO_MONEY,
  SIM_NUMBER_USED,     /* the same number with other content */
  SIM_ALREADY_PAID,
  SIM_CLOSED,
  SIM_BAD_STATE,
  SIM_REFUND_TOO_MUCH,
} SimStatus;

SimOrder   *sim_lookup_order      (RdGatewaySim      *self,
                                   RdPaymentGateway   gateway,
                                   const char        *out_trade_no);
SimOrder   *sim_add_order         (RdGatewaySim      *self,
                                   RdPaymentGateway   gateway,
                                   const char        *out_trade_no,
                                   const char        *description,
                                   gint64             amount);
SimRefund  *sim_lookup_refund     (RdGatewaySim      *self,
                                   RdPaymentGateway   gateway,
                                   const char        *out_refund_no);

SimStatus   sim_pay_code          (RdGatewaySim      *self,
                                   SimOrder          *order,
                                   const char        *auth_code,
                                   SimFaultHit       *hit);
/* What a query sees: moves USERPAYING on, expires QR orders. */
void        sim_touch_order       (RdGatewaySim      *self,
                                   SimOrder          *order,
                                   gboolean           is_query);
/* Reverse / cancel: closes, or gives back a charge. refunded_back says
 * which. */
void        sim_reverse           (RdGatewaySim      *self,
                                   SimOrder          *order,
                                   gboolean          *refunded_back);
SimStatus   sim_close             (RdGatewaySim      *self,
                                   SimOrder          *order);
SimStatus   sim_refund            (RdGatewaySim      *self,
                                   RdPaymentGateway   gateway,
                                   const char        *out_trade_no,
                                   const char        *out_refund_no,
                                   gint64             amount,
                                   SimRefund        **refund);

/* Faults: one hit per request; op is "pay", "query", ... */
SimFaultHit sim_take_fault        (RdGatewaySim      *self,
                                   RdPaymentGateway   gateway,
                                   const char        *op);
/* Sends the answer the handler set, as the hit wants: now, late, or never. */
void        sim_deliver           (RdGatewaySim      *self,
                                   SoupServerMessage *msg,
                                   SimFaultHit        hit);
GBytes     *sim_request_body      (SoupServerMessage *msg);

GDateTime  *sim_now               (void);
char       *sim_new_id            (RdGatewaySim      *self,
                                   const char        *prefix);
/* "1234.50": fen as yuan, for bills. */
char       *sim_yuan              (gint64             fen);
/* Both gateways charge 0.6 % (rounded to the fen). */
gint64      sim_fee               (gint64             fen);
gboolean    sim_same_day          (GDateTime         *time,
                                   const char        *bill_date);

void        sim_notify_paid       (RdGatewaySim      *self,
                                   SimOrder          *order);

void        sim_wechat_register   (RdGatewaySim      *self);
void        sim_sms_register      (RdGatewaySim      *self);
/* GET /sim/sms: the log as a JSON array. */
JsonNode   *sim_sms_log_to_json   (RdGatewaySim      *self,
                                   const char        *out_id);
void        sim_alipay_register   (RdGatewaySim      *self);
char       *sim_wechat_notification (RdGatewaySim    *self,
                                     SimOrder        *order,
                                     SoupMessageHeaders *headers);
char       *sim_alipay_notification (RdGatewaySim    *self,
                                     SimOrder        *order);

G_END_DECLS
