/* rd-gateway-sim.h: a WeChat Pay and Alipay look-alike on loopback, for
 * tests, benchmarks and the demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rd-gateway-credentials.h"
#include "rd-payment-types.h"

G_BEGIN_DECLS

#define RD_TYPE_GATEWAY_SIM (rd_gateway_sim_get_type ())

G_DECLARE_FINAL_TYPE (RdGatewaySim, rd_gateway_sim, RD, GATEWAY_SIM, GObject)

/* The simulator also speaks Alibaba Cloud SMS and Tencent Cloud SMS at
 * "/", with the keys of the [aliyun-sms] and [tencent-sms] groups of its
 * key file, and logs every message it accepts (GET /sim/sms, or
 * /sim/sms?out_id=…: a JSON array of {gateway, phone, template,
 * template_id, params, out_id, message_id, text, at}).
 *
 * Faults, injected on request (rd_gateway_sim_add_fault(), or POST
 * /sim/faults {"fault": "system_error", "match": "wechatpay:pay",
 * "count": 1, "param": 0}) or at random (rd_gateway_sim_set_fault_rate(),
 * or POST /sim/faults {"rate": 0.2, "seed": 1, "delay_ms": 3000}). */
typedef enum
{
  RD_GATEWAY_SIM_FAULT_NONE,
  /* Does the work, answers param ms later (past the client's timeout). */
  RD_GATEWAY_SIM_FAULT_DELAY,
  /* Answers 500 SYSTEM_ERROR / 20000 isp.unknow-error: with param 0
   * without doing anything, otherwise after doing the work. */
  RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR,
  /* Does nothing, answers 429 FREQUENCY_LIMITED / 40004 ACQ.REQUEST_LIMITED. */
  RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED,
  /* A payment-code charge answers USERPAYING / 10003 and is paid on the
   * param-th query (at least 1). */
  RD_GATEWAY_SIM_FAULT_USERPAYING,
  /* Does the work (charges), then drops the connection without answering. */
  RD_GATEWAY_SIM_FAULT_DROP_AFTER,
  /* Does the work, then answers with a signature that does not verify. */
  RD_GATEWAY_SIM_FAULT_BAD_SIGNATURE,
  /* The payment's notification is delivered twice. */
  RD_GATEWAY_SIM_FAULT_DUPLICATE_NOTIFY,
  /* A bill download is cut short. */
  RD_GATEWAY_SIM_FAULT_TRUNCATE,
} RdGatewaySimFault;

/* What the patient behind a payment code does. The simulator reads it from
 * the code: WeChat codes are 18 digits starting 10–15, Alipay codes 16–24
 * digits starting 25–30; the next two digits are the behaviour below (00
 * pays at once, 01 confirms on the phone and is paid on the n-th query
 * where n is the fifth digit, 02 never confirms, 03 has no money, 04 the
 * code expired, 05 confirms then cancels on the n-th query); any other
 * pair pays at once. Codes of another shape are refused as invalid. */
typedef enum
{
  RD_GATEWAY_SIM_PAYER_PAYS,
  RD_GATEWAY_SIM_PAYER_CONFIRMS,
  RD_GATEWAY_SIM_PAYER_NEVER_CONFIRMS,
  RD_GATEWAY_SIM_PAYER_NO_MONEY,
  RD_GATEWAY_SIM_PAYER_CODE_EXPIRED,
  RD_GATEWAY_SIM_PAYER_CANCELS,
} RdGatewaySimPayer;

typedef struct
{
  guint requests;          /* requests answered or dropped */
  guint bad_signatures;    /* requests refused for their signature */
  guint faults;            /* faults injected */
  guint orders;            /* distinct out_trade_no */
  guint charges;           /* payments taken */
  guint paid_twice;        /* orders charged more than once: stays 0 */
  guint reversed;          /* charges given back by reverse / cancel */
  guint refunds;           /* refunds that moved money */
  guint refunded_twice;    /* refund numbers that moved money twice: stays 0 */
  guint notifications;     /* notifications delivered */
  guint sms;               /* text messages accepted (and so delivered) */
} RdGatewaySimStats;

typedef struct
{
  RdTradeState state;
  gint64       amount;
  guint        charges;    /* 0 or 1 */
  gint64       refunded;   /* fen given back by refunds */
  guint        n_refunds;
} RdGatewaySimOrder;

/* Fresh platform and merchant keys (RSA 2048: this takes a moment). */
RdGatewaySim         *rd_gateway_sim_new                (GError             **error);
/* The keys of a file rd_gateway_sim_write_credentials() wrote, so that a
 * restarted simulator matches the clients' file. */
RdGatewaySim         *rd_gateway_sim_new_from_file      (const char          *path,
                                                         GError             **error);

/* Listens on 127.0.0.1:port (0: any free port). */
gboolean              rd_gateway_sim_start              (RdGatewaySim        *self,
                                                         guint                port,
                                                         GError             **error);
void                  rd_gateway_sim_stop               (RdGatewaySim        *self);
/* "http://127.0.0.1:PORT", or NULL before start. */
const char           *rd_gateway_sim_get_base_url       (RdGatewaySim        *self);

/* The clients' key file ([wechatpay] and [alipay] pointing at this
 * simulator, plus a [simulator] group with its own keys), written 0600. */
gboolean              rd_gateway_sim_write_credentials  (RdGatewaySim        *self,
                                                         const char          *path,
                                                         GError             **error);
/* The same key file, to adjust (timeouts) before use in-process. */
GKeyFile             *rd_gateway_sim_create_key_file    (RdGatewaySim        *self);
RdGatewayCredentials *rd_gateway_sim_get_credentials    (RdGatewaySim        *self);

/* Injects fault into the next count requests matching match: "pay",
 * "create", "query", "close", "reverse", "refund", "refund-query", "bill",
 * "download", "sms", optionally prefixed by "wechatpay:", "alipay:",
 * "aliyun:" or "tencent:"; NULL or "*" is any. For SMS, SYSTEM_ERROR with
 * param 0 sends nothing and answers 500; FREQUENCY_LIMITED answers
 * isv.BUSINESS_LIMIT_CONTROL / LimitExceeded.*; DELAY and DROP_AFTER send
 * the message, then answer late or never. param: the delay in ms, or the queries before USERPAYING
 * turns to SUCCESS. */
void                  rd_gateway_sim_add_fault          (RdGatewaySim        *self,
                                                         RdGatewaySimFault    fault,
                                                         const char          *match,
                                                         guint                count,
                                                         guint                param);
/* Each request meets a random fault with this probability: delay
 * (delay_ms), system error, frequency limit, dropped connection after the
 * work, bad signature, or USERPAYING for a charge. */
void                  rd_gateway_sim_set_fault_rate     (RdGatewaySim        *self,
                                                         double               rate,
                                                         guint32              seed,
                                                         guint                delay_ms);
void                  rd_gateway_sim_clear_faults       (RdGatewaySim        *self);
/* Forgets every order, refund and fault. */
void                  rd_gateway_sim_reset              (RdGatewaySim        *self);

/* A patient scans and pays a QR order (as POST /sim/scan
 * {"out_trade_no": …} or {"code_url": …} does). */
gboolean              rd_gateway_sim_scan               (RdGatewaySim        *self,
                                                         RdPaymentGateway     gateway,
                                                         const char          *out_trade_no,
                                                         GError             **error);
/* A payment code for gateway whose patient behaves like payer (n: the
 * query on which a confirming patient decides, 1–9). */
char                 *rd_gateway_sim_make_auth_code     (RdPaymentGateway     gateway,
                                                         RdGatewaySimPayer    payer,
                                                         guint                n);

/* Messages accepted with this OutId / SessionContext (NULL: all). */
guint                 rd_gateway_sim_count_sms          (RdGatewaySim        *self,
                                                         const char          *out_id);
/* The same for every OutId at once: out_id -> GUINT_TO_POINTER (count). */
GHashTable           *rd_gateway_sim_count_sms_by_out_id (RdGatewaySim       *self);

void                  rd_gateway_sim_get_stats          (RdGatewaySim        *self,
                                                         RdGatewaySimStats   *stats);
/* FALSE when the simulator has no such order. */
gboolean              rd_gateway_sim_get_order          (RdGatewaySim        *self,
                                                         RdPaymentGateway     gateway,
                                                         const char          *out_trade_no,
                                                         RdGatewaySimOrder   *order);

G_END_DECLS
