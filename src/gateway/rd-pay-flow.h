/* rd-pay-flow.h: the wait-and-query rules of a payment, as an explicit
 * state machine (data) and a driver that runs it against a provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-payment-provider.h"

G_BEGIN_DECLS

typedef enum
{
  RD_PAY_FLOW_KIND_CODE,  /* the patient's payment code (付款码), scanned at the desk */
  RD_PAY_FLOW_KIND_QR,    /* a QR code the patient scans */
} RdPayFlowKind;

typedef enum
{
  RD_PAY_FLOW_STATE_IDLE,
  RD_PAY_FLOW_STATE_PAYING,        /* the charge is on its way */
  RD_PAY_FLOW_STATE_CREATING,      /* the QR order is on its way */
  RD_PAY_FLOW_STATE_WAIT_CREATE,
  RD_PAY_FLOW_STATE_WAIT_QUERY,
  RD_PAY_FLOW_STATE_QUERYING,
  RD_PAY_FLOW_STATE_WAIT_REVERSE,
  RD_PAY_FLOW_STATE_REVERSING,
  RD_PAY_FLOW_STATE_WAIT_CLOSE,
  RD_PAY_FLOW_STATE_CLOSING,
  RD_PAY_FLOW_STATE_WAIT_CONFIRM,
  RD_PAY_FLOW_STATE_CONFIRMING,    /* the last query, after a close or a refused reverse */
  RD_PAY_FLOW_STATE_PAID,          /* final: the gateway said SUCCESS for the full amount */
  RD_PAY_FLOW_STATE_NOT_PAID,      /* final: the gateway said no, or closed or reversed it */
  RD_PAY_FLOW_STATE_UNKNOWN,       /* final: nobody can tell; a person must look */
} RdPayFlowState;

/* What the last step came to, as the machine sees it. */
typedef enum
{
  RD_PAY_FLOW_EVENT_BEGIN,
  RD_PAY_FLOW_EVENT_CREATED,       /* the QR order exists */
  RD_PAY_FLOW_EVENT_PAID,          /* SUCCESS */
  RD_PAY_FLOW_EVENT_PENDING,       /* USERPAYING, NOTPAY, not (yet) known to the gateway */
  RD_PAY_FLOW_EVENT_REFUSED,       /* a final "no": closed, failed, rejected */
  RD_PAY_FLOW_EVENT_ERROR,         /* no answer to believe: the outcome is unknown */
  RD_PAY_FLOW_EVENT_DONE,          /* the close or reverse went through */
  RD_PAY_FLOW_EVENT_TIMER,
  RD_PAY_FLOW_EVENT_ABORT,         /* the clerk gave up waiting */
  RD_PAY_FLOW_EVENT_ANOMALY,       /* SUCCESS, but not for this order's amount */
} RdPayFlowEvent;

typedef enum
{
  RD_PAY_FLOW_ACTION_NONE,
  RD_PAY_FLOW_ACTION_PAY,
  RD_PAY_FLOW_ACTION_CREATE,
  RD_PAY_FLOW_ACTION_QUERY,
  RD_PAY_FLOW_ACTION_REVERSE,
  RD_PAY_FLOW_ACTION_CLOSE,
  RD_PAY_FLOW_ACTION_WAIT,         /* then feed RD_PAY_FLOW_EVENT_TIMER */
  RD_PAY_FLOW_ACTION_FINISH,
} RdPayFlowAction;

#define RD_TYPE_PAY_FLOW_STATE (rd_pay_flow_state_get_type ())
GType rd_pay_flow_state_get_type (void) G_GNUC_CONST;

/* Times in milliseconds. */
typedef struct
{
  guint first_query_delay_ms;  /* after a system error or a timeout, before the first query */
  guint poll_interval_ms;      /* between queries while the patient pays */
  guint max_wait_ms;           /* how long to poll after the charge or the QR order */
  guint max_queries;           /* 0: only max_wait_ms counts */
  guint reverse_min_delay_ms;  /* no reverse sooner than this after the charge */
  guint retry_interval_ms;     /* between tries of a create, reverse, close or last query */
  guint max_retries;           /* tries of each of those */
} RdPayFlowConfig;

/* GATEWAYS.md's rules: WeChat Pay codes query after 5 s, every 10 s for up
 * to 45 s, reverse no sooner than 15 s after the charge; Alipay codes
 * query every 5 s up to 5 times, then cancel 3 times 2 s apart; QR orders
 * poll every 3 s until they expire (time_expire_ms; 0 for 5 minutes). */
void  rd_pay_flow_config_init (RdPayFlowConfig  *config,
                               RdPaymentGateway  gateway,
                               RdPayFlowKind     kind,
                               guint             time_expire_ms);

/* The machine's memory, a plain struct so tests can drive it by hand. */
typedef struct
{
  RdPayFlowKind  kind;
  RdPayFlowState state;
  gint64         started_ms;   /* when the charge or the QR order was first sent */
  guint          queries;
  guint          reverses;
  guint          creates;
  guint          closes;
  guint          confirms;
  gboolean       closed;       /* a close or reverse went through */
} RdPayFlowMachine;

void             rd_pay_flow_machine_init (RdPayFlowMachine      *machine,
                                           RdPayFlowKind          kind);
/* Moves the machine on event at now_ms and says what to do next; for
 * RD_PAY_FLOW_ACTION_WAIT, delay_ms says how long. Follows one row of the
 * transition table; an event no row takes leaves the machine UNKNOWN. */
RdPayFlowAction  rd_pay_flow_machine_step (RdPayFlowMachine      *machine,
                                           const RdPayFlowConfig *config,
                                           RdPayFlowEvent         event,
                                           gint64                 now_ms,
                                           guint                 *delay_ms);
gboolean         rd_pay_flow_state_is_final (RdPayFlowState       state);
const char      *rd_pay_flow_state_to_string (RdPayFlowState      state);

/* Time for the driver: the real clock by default; tests give one that
 * jumps. schedule() calls func once after delay_ms and returns an id for
 * cancel(). */
typedef struct
{
  gint64 (*now_ms)   (gpointer     clock_data);
  guint  (*schedule) (gpointer     clock_data,
                      guint        delay_ms,
                      GSourceFunc  func,
                      gpointer     user_data);
  void   (*cancel)   (gpointer     clock_data,
                      guint        id);
} RdPayClock;

#define RD_TYPE_PAY_FLOW (rd_pay_flow_get_type ())

G_DECLARE_FINAL_TYPE (RdPayFlow, rd_pay_flow, RD, PAY_FLOW, GObject)

/* config NULL: rd_pay_flow_config_init() for the provider's gateway. */
RdPayFlow       *rd_pay_flow_new_code     (RdPaymentProvider     *provider,
                                           const RdPayOrder      *order,
                                           const char            *auth_code,
                                           const RdPayFlowConfig *config);
RdPayFlow       *rd_pay_flow_new_qr       (RdPaymentProvider     *provider,
                                           const RdPayOrder      *order,
                                           const RdPayFlowConfig *config);
void             rd_pay_flow_set_clock    (RdPayFlow             *self,
                                           const RdPayClock      *clock,
                                           gpointer               clock_data);

/* Runs the machine to a final state: PAID, NOT_PAID or UNKNOWN. Cancelling
 * stops at once (G_IO_ERROR_CANCELLED) and leaves the order as it is: the
 * worker settles it later. */
void             rd_pay_flow_run_async    (RdPayFlow             *self,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
RdPayFlowState   rd_pay_flow_run_finish   (RdPayFlow             *self,
                                           GAsyncResult          *result,
                                           GError               **error);
/* The clerk gave up: a QR order is closed, a code payment reversed, and
 * the flow ends NOT_PAID, or PAID if the patient was faster. */
void             rd_pay_flow_abort        (RdPayFlow             *self);

RdPayFlowState   rd_pay_flow_get_state    (RdPayFlow             *self);
/* The QR code's text once the order exists ("code-url"). */
const char      *rd_pay_flow_get_code_url (RdPayFlow             *self);
/* The last trade state the gateway reported ("trade-state"), for a live
 * status line. */
RdTradeState     rd_pay_flow_get_trade_state (RdPayFlow          *self);
/* The last answer about the trade; when PAID, the one that said SUCCESS. */
const RdPayResult *rd_pay_flow_get_result (RdPayFlow             *self);
/* The last error the gateway gave, to say in plain words why it is not
 * paid; NULL if none. */
const GError    *rd_pay_flow_get_last_error (RdPayFlow           *self);
/* How many charges (pay requests) the flow sent: never more than one. */
guint            rd_pay_flow_get_n_charges (RdPayFlow            *self);

G_END_DECLS
