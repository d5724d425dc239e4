/* rd-pay-flow.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-gateway-error.h"
#include "rd-pay-flow.h"

#define QR_DEFAULT_EXPIRE_MS (5 * 60 * 1000)

G_DEFINE_ENUM_TYPE (RdPayFlowState, rd_pay_flow_state,
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_PAYING, "paying"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_CREATING, "creating"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_WAIT_CREATE, "wait-create"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_WAIT_QUERY, "wait-query"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_QUERYING, "querying"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_WAIT_REVERSE, "wait-reverse"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_REVERSING, "reversing"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_WAIT_CLOSE, "wait-close"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_CLOSING, "closing"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_WAIT_CONFIRM, "wait-confirm"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_CONFIRMING, "confirming"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_PAID, "paid"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_NOT_PAID, "not-paid"),
  G_DEFINE_ENUM_VALUE (RD_PAY_FLOW_STATE_UNKNOWN, "unknown"))

/* ---- The machine: a table of transitions ---------------------------- */

typedef enum
{
  FOR_BOTH,
  FOR_CODE,
  FOR_QR,
} Applies;

typedef enum
{
  GUARD_NONE,
  GUARD_MORE_TIME,         /* polling may go on */
  GUARD_NO_MORE_TIME,
  GUARD_MAY_RETRY,         /* another create / reverse / close / last query is allowed */
  GUARD_NO_MORE_RETRIES,
  GUARD_CLOSED,            /* a close or reverse went through */
  GUARD_NOT_CLOSED,
} Guard;

typedef enum
{
  DELAY_NONE,
  DELAY_FIRST_QUERY,
  DELAY_POLL,
  DELAY_RETRY,
  DELAY_REVERSE,           /* the retry interval, but not before reverse_min_delay */
} Delay;

typedef struct
{
  Applies         applies;
  RdPayFlowState  from;
  RdPayFlowEvent  event;
  Guard           guard;
  RdPayFlowState  to;
  RdPayFlowAction action;
  Delay           delay;
} Transition;

#define T(applies, from, event, guard, to, action, delay) \
  { FOR_##applies, RD_PAY_FLOW_STATE_##from, RD_PAY_FLOW_EVENT_##event, GUARD_##guard, \
    RD_PAY_FLOW_STATE_##to, RD_PAY_FLOW_ACTION_##action, DELAY_##delay }

/* First matching row wins. Never a second PAY: after an unclear charge
 * the only ways on are queries, and a reverse when they do not settle it.
 * PAID comes only from an answer that said SUCCESS. */
static const Transition transitions[] = {
  /* Payment code (付款码). */
  T (CODE, IDLE,         BEGIN,   NONE,            PAYING,       PAY,     NONE),
  T (CODE, PAYING,       PAID,    NONE,            PAID,         FINISH,  NONE),
  T (CODE, PAYING,       PENDING, NONE,            WAIT_QUERY,   WAIT,    POLL),
  T (CODE, PAYING,       ERROR,   NONE,            WAIT_QUERY,   WAIT,    FIRST_QUERY),
  T (CODE, PAYING,       REFUSED, NONE,            NOT_PAID,     FINISH,  NONE),
  T (CODE, PAYING,       ABORT,   NONE,            WAIT_REVERSE, WAIT,    REVERSE),
  T (CODE, QUERYING,     PENDING, MORE_TIME,       WAIT_QUERY,   WAIT,    POLL),
  T (CODE, QUERYING,     PENDING, NO_MORE_TIME,    WAIT_REVERSE, WAIT,    REVERSE),
  T (CODE, QUERYING,     ERROR,   MORE_TIME,       WAIT_QUERY,   WAIT,    POLL),
  T (CODE, QUERYING,     ERROR,   NO_MORE_TIME,    WAIT_REVERSE, WAIT,    REVERSE),
  T (CODE, QUERYING,     ABORT,   NONE,            WAIT_REVERSE, WAIT,    REVERSE),
  T (CODE, WAIT_QUERY,   ABORT,   NONE,            WAIT_REVERSE, WAIT,    REVERSE),
  T (CODE, WAIT_REVERSE, TIMER,   NONE,            REVERSING,    REVERSE, NONE),
  T (CODE, REVERSING,    DONE,    NONE,            NOT_PAID,     FINISH,  NONE),
  T (CODE, REVERSING,    ERROR,   MAY_RETRY,       WAIT_REVERSE, WAIT,    RETRY),
  T (CODE, REVERSING,    ERROR,   NO_MORE_RETRIES, UNKNOWN,      FINISH,  NONE),
  /* A refused reverse may mean the charge stands: look once more. */
  T (CODE, REVERSING,    REFUSED, NONE,            CONFIRMING,   QUERY,   NONE),

  /* QR code. */
  T (QR,   IDLE,         BEGIN,   NONE,            CREATING,     CREATE,  NONE),
  T (QR,   CREATING,     CREATED, NONE,            WAIT_QUERY,   WAIT,    POLL),
  T (QR,   CREATING,     REFUSED, NONE,            NOT_PAID,     FINISH,  NONE),
  T (QR,   CREATING,     ERROR,   MAY_RETRY,       WAIT_CREATE,  WAIT,    RETRY),
  /* It may exist at the gateway although we never showed it: close it. */
  T (QR,   CREATING,     ERROR,   NO_MORE_RETRIES, CLOSING,      CLOSE,   NONE),
  T (QR,   CREATING,     ABORT,   NONE,            CLOSING,      CLOSE,   NONE),
  T (QR,   WAIT_CREATE,  TIMER,   NONE,            CREATING,     CREATE,  NONE),
  T (QR,   WAIT_CREATE,  ABORT,   NONE,            CLOSING,      CLOSE,   NONE),
  T (QR,   QUERYING,     PENDING, MORE_TIME,       WAIT_QUERY,   WAIT,    POLL),
  T (QR,   QUERYING,     PENDING, NO_MORE_TIME,    CLOSING,      CLOSE,   NONE),
  T (QR,   QUERYING,     ERROR,   MORE_TIME,       WAIT_QUERY,   WAIT,    POLL),
  T (QR,   QUERYING,     ERROR,   NO_MORE_TIME,    CLOSING,      CLOSE,   NONE),
  T (QR,   QUERYING,     ABORT,   NONE,            CLOSING,      CLOSE,   NONE),
  T (QR,   WAIT_QUERY,   ABORT,   NONE,            CLOSING,      CLOSE,   NONE),
  /* Closing races the patient: whatever the close says, look again. */
  T (QR,   CLOSING,      DONE,    NONE,            CONFIRMING,   QUERY,   NONE),
  T (QR,   CLOSING,      REFUSED, NONE,            CONFIRMING,   QUERY,   NONE),
  T (QR,   CLOSING,      ERROR,   MAY_RETRY,       WAIT_CLOSE,   WAIT,    RETRY),
  T (QR,   CLOSING,      ERROR,   NO_MORE_RETRIES, UNKNOWN,      FINISH,  NONE),
  T (QR,   WAIT_CLOSE,   TIMER,   NONE,            CLOSING,      CLOSE,   NONE),

  /* Both. */
  T (BOTH, WAIT_QUERY,   TIMER,   NONE,            QUERYING,     QUERY,   NONE),
  T (BOTH, QUERYING,     PAID,    NONE,            PAID,         FINISH,  NONE),
  T (BOTH, QUERYING,     REFUSED, NONE,            NOT_PAID,     FINISH,  NONE),
  T (BOTH, CONFIRMING,   PAID,    NONE,            PAID,         FINISH,  NONE),
  T (BOTH, CONFIRMING,   REFUSED, NONE,            NOT_PAID,     FINISH,  NONE),
  /* Closed, and the gateway shows no payment: nobody can pay it now. */
  T (BOTH, CONFIRMING,   PENDING, CLOSED,          NOT_PAID,     FINISH,  NONE),
  T (BOTH, CONFIRMING,   PENDING, NOT_CLOSED,      UNKNOWN,      FINISH,  NONE),
  T (BOTH, CONFIRMING,   ERROR,   MAY_RETRY,       WAIT_CONFIRM, WAIT,    RETRY),
  T (BOTH, CONFIRMING,   ERROR,   NO_MORE_RETRIES, UNKNOWN,      FINISH,  NONE),
  T (BOTH, WAIT_CONFIRM, TIMER,   NONE,            CONFIRMING,   QUERY,   NONE),
  /* Money moved, but not as asked: never call that paid nor reverse it blindly. */
  T (BOTH, PAYING,       ANOMALY, NONE,            UNKNOWN,      FINISH,  NONE),
  T (BOTH, QUERYING,     ANOMALY, NONE,            UNKNOWN,      FINISH,  NONE),
  T (BOTH, CONFIRMING,   ANOMALY, NONE,            UNKNOWN,      FINISH,  NONE),
};

#undef T

gboolean
rd_pay_flow_state_is_final (RdPayFlowState state)
{
  return state == RD_PAY_FLOW_STATE_PAID || state == RD_PAY_FLOW_STATE_NOT_PAID
         || state == RD_PAY_FLOW_STATE_UNKNOWN;
}

const char *
rd_pay_flow_state_to_string (RdPayFlowState state)
{
  GEnumClass *klass = g_type_class_ref (RD_TYPE_PAY_FLOW_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  g_type_class_unref (klass);

  return value != NULL ? value->value_nick : "?";
}

void
rd_pay_flow_config_init (RdPayFlowConfig  *config,
                         RdPaymentGateway  gateway,
                         RdPayFlowKind     kind,
                         guint             time_expire_ms)
{
  g_return_if_fail (config != NULL);

  config->first_query_delay_ms = 5000;
  config->retry_interval_ms = 2000;
  config->reverse_min_delay_ms = 0;
  config->max_queries = 0;

  if (kind == RD_PAY_FLOW_KIND_QR)
    {
      config->poll_interval_ms = 3000;
      config->max_wait_ms = time_expire_ms > 0 ? time_expire_ms : QR_DEFAULT_EXPIRE_MS;
      config->max_retries = 5;
    }
  else if (gateway == RD_PAYMENT_GATEWAY_ALIPAY)
    {
      config->poll_interval_ms = 5000;
      config->max_wait_ms = 5 * 5000;
      config->max_queries = 5;
      config->max_retries = 3;
    }
  else
    {
      config->poll_interval_ms = 10000;
      config->max_wait_ms = 45000;
      config->reverse_min_delay_ms = 15000;
      /* "Retry the reverse until it succeeds", within reason: then a person. */
      config->max_retries = 10;
    }
}

void
rd_pay_flow_machine_init (RdPayFlowMachine *machine,
                          RdPayFlowKind     kind)
{
  g_return_if_fail (machine != NULL);

  *machine = (RdPayFlowMachine) { 0 };
  machine->kind = kind;
  machine->state = RD_PAY_FLOW_STATE_IDLE;
  machine->started_ms = -1;
}

static guint
retries_for (const RdPayFlowMachine *m)
{
  switch (m->state)
    {
    case RD_PAY_FLOW_STATE_CREATING:
      return m->creates;
    case RD_PAY_FLOW_STATE_REVERSING:
      return m->reverses;
    case RD_PAY_FLOW_STATE_CLOSING:
      return m->closes;
    case RD_PAY_FLOW_STATE_CONFIRMING:
      return m->confirms;
    case RD_PAY_FLOW_STATE_IDLE:
    case RD_PAY_FLOW_STATE_PAYING:
    case RD_PAY_FLOW_STATE_WAIT_CREATE:
    case RD_PAY_FLOW_STATE_WAIT_QUERY:
    case RD_PAY_FLOW_STATE_QUERYING:
    case RD_PAY_FLOW_STATE_WAIT_REVERSE:
    case RD_PAY_FLOW_STATE_WAIT_CLOSE:
    case RD_PAY_FLOW_STATE_WAIT_CONFIRM:
    case RD_PAY_FLOW_STATE_PAID:
    case RD_PAY_FLOW_STATE_NOT_PAID:
    case RD_PAY_FLOW_STATE_UNKNOWN:
    default:
      return 0;
    }
}

static gboolean
more_time (const RdPayFlowMachine *m,
           const RdPayFlowConfig  *c,
           gint64                  now_ms)
{
  gint64 elapsed = m->started_ms >= 0 ? now_ms - m->started_ms : 0;

  if (c->max_queries > 0 && m->queries >= c->max_queries)
    return FALSE;

  return elapsed + c->poll_interval_ms <= c->max_wait_ms;
}

static gboolean
guard_holds (Guard                   guard,
             const RdPayFlowMachine *m,
             const RdPayFlowConfig  *c,
             gint64                  now_ms)
{
  switch (guard)
    {
    case GUARD_NONE:
      return TRUE;
    case GUARD_MORE_TIME:
      return more_time (m, c, now_ms);
    case GUARD_NO_MORE_TIME:
      return !more_time (m, c, now_ms);
    case GUARD_MAY_RETRY:
      return retries_for (m) < c->max_retries;
    case GUARD_NO_MORE_RETRIES:
      return retries_for (m) >= c->max_retries;
    case GUARD_CLOSED:
      return m->closed;
    case GUARD_NOT_CLOSED:
      return !m->closed;
    default:
      g_assert_not_reached ();
    }
}

static guint
delay_for (Delay                   delay,
           const RdPayFlowMachine *m,
           const RdPayFlowConfig  *c,
           gint64                  now_ms)
{
  gint64 earliest;

  switch (delay)
    {
    case DELAY_NONE:
      return 0;
    case DELAY_FIRST_QUERY:
      return c->first_query_delay_ms;
    case DELAY_POLL:
      return c->poll_interval_ms;
    case DELAY_RETRY:
      return c->retry_interval_ms;
    case DELAY_REVERSE:
      earliest = m->started_ms + c->reverse_min_delay_ms;
      if (m->reverses > 0)
        earliest = MAX (earliest, now_ms + c->retry_interval_ms);
      return (guint) CLAMP (earliest - now_ms, 0, G_MAXUINT);
    default:
      g_assert_not_reached ();
    }
}

RdPayFlowAction
rd_pay_flow_machine_step (RdPayFlowMachine      *machine,
                          const RdPayFlowConfig *config,
                          RdPayFlowEvent         event,
                          gint64                 now_ms,
                          guint                 *delay_ms)
{
  RdPayFlowMachine *m = machine;

  g_return_val_if_fail (machine != NULL, RD_PAY_FLOW_ACTION_NONE);
  g_return_val_if_fail (config != NULL, RD_PAY_FLOW_ACTION_NONE);

  if (delay_ms != NULL)
    *delay_ms = 0;

  if (rd_pay_flow_state_is_final (m->state))
    return RD_PAY_FLOW_ACTION_NONE;

  if (event == RD_PAY_FLOW_EVENT_DONE)
    m->closed = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (transitions); i++)
    {
      const Transition *t = &transitions[i];

      if (t->from != m->state || t->event != event)
        continue;
      if ((t->applies == FOR_CODE && m->kind != RD_PAY_FLOW_KIND_CODE)
          || (t->applies == FOR_QR && m->kind != RD_PAY_FLOW_KIND_QR))
        continue;
      if (!guard_holds (t->guard, m, config, now_ms))
        continue;

      if (delay_ms != NULL)
        *delay_ms = delay_for (t->delay, m, config, now_ms);
      m->state = t->to;

      switch (t->action)
        {
        case RD_PAY_FLOW_ACTION_PAY:
        case RD_PAY_FLOW_ACTION_CREATE:
          if (m->started_ms < 0)
            m->started_ms = now_ms;
          m->creates++;
          break;
        case RD_PAY_FLOW_ACTION_QUERY:
          if (m->state == RD_PAY_FLOW_STATE_CONFIRMING)
            m->confirms++;
          else
            m->queries++;
          break;
        case RD_PAY_FLOW_ACTION_REVERSE:
          m->reverses++;
          break;
        case RD_PAY_FLOW_ACTION_CLOSE:
          m->closes++;
          break;
        case RD_PAY_FLOW_ACTION_NONE:
        case RD_PAY_FLOW_ACTION_WAIT:
        case RD_PAY_FLOW_ACTION_FINISH:
        default:
          break;
        }

      return t->action;
    }

  /* Not in the table: an event that cannot happen here. Stop, safely. */
  g_warning ("Payment flow: no transition from %s on event %d",
             rd_pay_flow_state_to_string (m->state), event);
  m->state = RD_PAY_FLOW_STATE_UNKNOWN;

  return RD_PAY_FLOW_ACTION_FINISH;
}

/* ---- The driver ------------------------------------------------------- */

struct _RdPayFlow
{
  GObject            parent_instance;

  RdPaymentProvider *provider;
  RdPayOrder        *order;
  char              *auth_code;
  RdPayFlowConfig    config;
  RdPayFlowMachine   machine;

  const RdPayClock  *clock;
  gpointer           clock_data;

  GTask             *task;
  gulong             cancelled_handler;
  guint              timer_id;
  gboolean           abort_requested;

  char              *code_url;
  RdTradeState       trade_state;
  RdPayResult       *result;
  GError            *last_error;
  guint              n_charges;
};

G_DEFINE_FINAL_TYPE (RdPayFlow, rd_pay_flow, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_CODE_URL,
  PROP_TRADE_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void rd_pay_flow_feed (RdPayFlow      *self,
                              RdPayFlowEvent  event);

static gint64
real_now_ms (gpointer clock_data)
{
  return g_get_monotonic_time () / 1000;
}

static guint
real_schedule (gpointer     clock_data,
               guint        delay_ms,
               GSourceFunc  func,
               gpointer     user_data)
{
  GSource *source = g_timeout_source_new (delay_ms);
  guint id;

  g_source_set_callback (source, func, user_data, NULL);
  g_source_set_static_name (source, "[regdesk] payment flow wait");
  id = g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);

  return id;
}

static void
real_cancel (gpointer clock_data,
             guint    id)
{
  GSource *source = g_main_context_find_source_by_id (g_main_context_get_thread_default (), id);

  if (source != NULL)
    g_source_destroy (source);
}

static const RdPayClock real_clock = { real_now_ms, real_schedule, real_cancel };

static gboolean
may_abort_now (RdPayFlowState state)
{
  return state == RD_PAY_FLOW_STATE_PAYING || state == RD_PAY_FLOW_STATE_CREATING
         || state == RD_PAY_FLOW_STATE_WAIT_CREATE || state == RD_PAY_FLOW_STATE_WAIT_QUERY
         || state == RD_PAY_FLOW_STATE_QUERYING;
}

static void
set_last_error (RdPayFlow    *self,
                const GError *error)
{
  g_clear_error (&self->last_error);
  self->last_error = g_error_copy (error);
}

static void
take_result (RdPayFlow   *self,
             RdPayResult *result)
{
  if (result->code_url != NULL && g_strcmp0 (self->code_url, result->code_url) != 0)
    {
      g_free (self->code_url);
      self->code_url = g_strdup (result->code_url);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODE_URL]);
    }
  if (result->state != self->trade_state)
    {
      self->trade_state = result->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRADE_STATE]);
    }

  g_clear_pointer (&self->result, rd_pay_result_free);
  self->result = result;
}

/* A trade answer, as an event. */
static RdPayFlowEvent
classify_trade (RdPayFlow   *self,
                RdPayResult *result)
{
  switch (result->state)
    {
    case RD_TRADE_STATE_SUCCESS:
      if (result->amount >= 0 && result->amount != self->order->amount)
        {
          g_autoptr(GError) error = NULL;

          error = g_error_new (RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_UNKNOWN_OUTCOME,
                               _("The gateway took %lld fen instead of %lld"),
                               (long long) result->amount, (long long) self->order->amount);
          set_last_error (self, error);
          return RD_PAY_FLOW_EVENT_ANOMALY;
        }
      return RD_PAY_FLOW_EVENT_PAID;

    case RD_TRADE_STATE_NOTPAY:
    case RD_TRADE_STATE_USERPAYING:
    case RD_TRADE_STATE_UNKNOWN:
      return RD_PAY_FLOW_EVENT_PENDING;

    case RD_TRADE_STATE_CLOSED:
    case RD_TRADE_STATE_REFUND:
    case RD_TRADE_STATE_REVOKED:
    case RD_TRADE_STATE_PAYERROR:
    default:
      return RD_PAY_FLOW_EVENT_REFUSED;
    }
}

/* An error, as an event. Only a believed, final "no" refuses; everything
 * else leaves the outcome open. */
static RdPayFlowEvent
classify_error (RdPayFlow       *self,
                RdPayFlowAction  action,
                const GError    *error)
{
  set_last_error (self, error);

  if (rd_payment_error_is_order_not_found (error))
    {
      /* Nothing to reverse or close; for a query, the charge may yet land. */
      if (action == RD_PAY_FLOW_ACTION_REVERSE || action == RD_PAY_FLOW_ACTION_CLOSE)
        return RD_PAY_FLOW_EVENT_DONE;
      return RD_PAY_FLOW_EVENT_PENDING;
    }

  /* A query that is refused says nothing about the money; a charge refused
   * as "already paid" may be our own earlier charge. */
  if (action == RD_PAY_FLOW_ACTION_QUERY
      || ((action == RD_PAY_FLOW_ACTION_PAY || action == RD_PAY_FLOW_ACTION_CREATE)
          && rd_payment_error_may_be_paid (error)))
    return RD_PAY_FLOW_EVENT_ERROR;

  if (error->domain == RD_GATEWAY_ERROR
      && (error->code == RD_GATEWAY_ERROR_REJECTED
          /* Refused before anything was sent. */
          || error->code == RD_GATEWAY_ERROR_FAILED || error->code == RD_GATEWAY_ERROR_KEY))
    return RD_PAY_FLOW_EVENT_REFUSED;

  return RD_PAY_FLOW_EVENT_ERROR;
}

static gboolean
return_if_cancelled (RdPayFlow    *self,
                     const GError *error)
{
  g_autoptr(GTask) task = NULL;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;

  if (self->timer_id != 0)
    {
      self->clock->cancel (self->clock_data, self->timer_id);
      self->timer_id = 0;
    }

  task = g_steal_pointer (&self->task);
  if (task != NULL)
    {
      if (self->cancelled_handler != 0)
        g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_handler);
      self->cancelled_handler = 0;
      g_task_return_error (task, g_error_copy (error));
    }

  return TRUE;
}

static void
after_call (RdPayFlow       *self,
            RdPayFlowAction  action,
            RdPayResult     *result,
            gboolean         ok,
            GError          *error)
{
  RdPayFlowEvent event;

  if (self->task == NULL)
    return;
  if (error != NULL && return_if_cancelled (self, error))
    return;

  if (result != NULL)
    {
      take_result (self, result);
      event = action == RD_PAY_FLOW_ACTION_CREATE ? RD_PAY_FLOW_EVENT_CREATED
                                                  : classify_trade (self, self->result);
    }
  else if (ok)
    event = RD_PAY_FLOW_EVENT_DONE;
  else
    event = classify_error (self, action, error);

  if (self->abort_requested && may_abort_now (self->machine.state)
      && (event == RD_PAY_FLOW_EVENT_PENDING || event == RD_PAY_FLOW_EVENT_ERROR
          || event == RD_PAY_FLOW_EVENT_CREATED))
    event = RD_PAY_FLOW_EVENT_ABORT;

  rd_pay_flow_feed (self, event);
}

static void
pay_cb (GObject      *source,
        GAsyncResult *res,
        gpointer      user_data)
{
  g_autoptr(RdPayFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  RdPayResult *result;

  result = rd_payment_provider_pay_code_finish (RD_PAYMENT_PROVIDER (source), res, &error);
  after_call (self, RD_PAY_FLOW_ACTION_PAY, result, FALSE, error);
}

static void
create_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(RdPayFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  RdPayResult *result;

  result = rd_payment_provider_create_qr_finish (RD_PAYMENT_PROVIDER (source), res, &error);
  after_call (self, RD_PAY_FLOW_ACTION_CREATE, result, FALSE, error);
}

static void
query_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(RdPayFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  RdPayResult *result;

  result = rd_payment_provider_query_finish (RD_PAYMENT_PROVIDER (source), res, &error);
  after_call (self, RD_PAY_FLOW_ACTION_QUERY, result, FALSE, error);
}

static void
reverse_cb (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(RdPayFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = rd_payment_provider_reverse_finish (RD_PAYMENT_PROVIDER (source), res, &error);
  after_call (self, RD_PAY_FLOW_ACTION_REVERSE, NULL, ok, error);
}

static void
close_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(RdPayFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = rd_payment_provider_close_finish (RD_PAYMENT_PROVIDER (source), res, &error);
  after_call (self, RD_PAY_FLOW_ACTION_CLOSE, NULL, ok, error);
}

static gboolean
on_timer (gpointer user_data)
{
  RdPayFlow *self = user_data;

  self->timer_id = 0;
  if (self->task == NULL)
    return G_SOURCE_REMOVE;

  if (self->abort_requested && may_abort_now (self->machine.state))
    rd_pay_flow_feed (self, RD_PAY_FLOW_EVENT_ABORT);
  else
    rd_pay_flow_feed (self, RD_PAY_FLOW_EVENT_TIMER);

  return G_SOURCE_REMOVE;
}

static void
finish (RdPayFlow *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (self->cancelled_handler != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_handler);
  self->cancelled_handler = 0;

  g_task_return_int (task, self->machine.state);
}

static void
rd_pay_flow_feed (RdPayFlow      *self,
                  RdPayFlowEvent  event)
{
  RdPayFlowState before = self->machine.state;
  GCancellable *cancellable = g_task_get_cancellable (self->task);
  RdPayFlowAction action;
  guint delay_ms;

  action = rd_pay_flow_machine_step (&self->machine, &self->config, event,
                                     self->clock->now_ms (self->clock_data), &delay_ms);
  g_debug ("Payment %s: %s -> %s", self->order->out_trade_no,
           rd_pay_flow_state_to_string (before),
           rd_pay_flow_state_to_string (self->machine.state));
  if (before != self->machine.state)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  switch (action)
    {
    case RD_PAY_FLOW_ACTION_PAY:
      /* The machine never asks twice; this says so where it matters. */
      g_assert (self->n_charges == 0);
      self->n_charges++;
      rd_payment_provider_pay_code_async (self->provider, self->order, self->auth_code,
                                          cancellable, pay_cb, g_object_ref (self));
      break;

    case RD_PAY_FLOW_ACTION_CREATE:
      rd_payment_provider_create_qr_async (self->provider, self->order, cancellable,
                                           create_cb, g_object_ref (self));
      break;

    case RD_PAY_FLOW_ACTION_QUERY:
      rd_payment_provider_query_async (self->provider, self->order->out_trade_no, cancellable,
                                       query_cb, g_object_ref (self));
      break;

    case RD_PAY_FLOW_ACTION_REVERSE:
      rd_payment_provider_reverse_async (self->provider, self->order->out_trade_no, cancellable,
                                         reverse_cb, g_object_ref (self));
      break;

    case RD_PAY_FLOW_ACTION_CLOSE:
      rd_payment_provider_close_async (self->provider, self->order->out_trade_no, cancellable,
                                       close_cb, g_object_ref (self));
      break;

    case RD_PAY_FLOW_ACTION_WAIT:
      self->timer_id = self->clock->schedule (self->clock_data, delay_ms, on_timer, self);
      break;

    case RD_PAY_FLOW_ACTION_FINISH:
      finish (self);
      break;

    case RD_PAY_FLOW_ACTION_NONE:
    default:
      break;
    }
}

static gboolean
cancelled_idle (gpointer user_data)
{
  RdPayFlow *self = user_data;
  g_autoptr(GError) error = NULL;

  /* A request in flight ends by itself with G_IO_ERROR_CANCELLED; only a
   * wait needs ending here. */
  if (self->task != NULL && self->timer_id != 0)
    {
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The payment was abandoned"));
      return_if_cancelled (self, error);
    }

  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  RdPayFlow *self = user_data;

  /* May run in another thread: hop to the flow's context. */
  g_main_context_invoke_full (g_task_get_context (self->task), G_PRIORITY_DEFAULT,
                              cancelled_idle, g_object_ref (self), g_object_unref);
}

static void
rd_pay_flow_dispose (GObject *object)
{
  RdPayFlow *self = (RdPayFlow *) object;

  if (self->timer_id != 0)
    {
      self->clock->cancel (self->clock_data, self->timer_id);
      self->timer_id = 0;
    }
  g_clear_object (&self->provider);

  G_OBJECT_CLASS (rd_pay_flow_parent_class)->dispose (object);
}

static void
rd_pay_flow_finalize (GObject *object)
{
  RdPayFlow *self = (RdPayFlow *) object;

  g_clear_pointer (&self->order, rd_pay_order_free);
  g_free (self->auth_code);
  g_free (self->code_url);
  g_clear_pointer (&self->result, rd_pay_result_free);
  g_clear_error (&self->last_error);

  G_OBJECT_CLASS (rd_pay_flow_parent_class)->finalize (object);
}

static void
rd_pay_flow_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  RdPayFlow *self = RD_PAY_FLOW (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->machine.state);
      break;
    case PROP_CODE_URL:
      g_value_set_string (value, self->code_url);
      break;
    case PROP_TRADE_STATE:
      g_value_set_enum (value, self->trade_state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_pay_flow_class_init (RdPayFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_pay_flow_dispose;
  object_class->finalize = rd_pay_flow_finalize;
  object_class->get_property = rd_pay_flow_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RD_TYPE_PAY_FLOW_STATE, RD_PAY_FLOW_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CODE_URL] =
    g_param_spec_string ("code-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TRADE_STATE] =
    g_param_spec_enum ("trade-state", NULL, NULL,
                       RD_TYPE_TRADE_STATE, RD_TRADE_STATE_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_pay_flow_init (RdPayFlow *self)
{
  self->clock = &real_clock;
  self->trade_state = RD_TRADE_STATE_UNKNOWN;
}

static RdPayFlow *
pay_flow_new (RdPaymentProvider     *provider,
              const RdPayOrder      *order,
              RdPayFlowKind          kind,
              const RdPayFlowConfig *config)
{
  RdPayFlow *self = g_object_new (RD_TYPE_PAY_FLOW, NULL);

  self->provider = g_object_ref (provider);
  self->order = rd_pay_order_copy (order);
  rd_pay_flow_machine_init (&self->machine, kind);

  if (config != NULL)
    self->config = *config;
  else
    {
      guint expire_ms = 0;

      if (order->time_expire != NULL)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
          GTimeSpan left = g_date_time_difference (order->time_expire, now) / 1000;

          expire_ms = (guint) CLAMP (left, 1, G_MAXUINT);
        }
      rd_pay_flow_config_init (&self->config, rd_payment_provider_get_gateway (provider),
                               kind, expire_ms);
    }

  return self;
}

RdPayFlow *
rd_pay_flow_new_code (RdPaymentProvider     *provider,
                      const RdPayOrder      *order,
                      const char            *auth_code,
                      const RdPayFlowConfig *config)
{
  RdPayFlow *self;

  g_return_val_if_fail (RD_IS_PAYMENT_PROVIDER (provider), NULL);
  g_return_val_if_fail (order != NULL, NULL);
  g_return_val_if_fail (auth_code != NULL, NULL);

  self = pay_flow_new (provider, order, RD_PAY_FLOW_KIND_CODE, config);
  self->auth_code = g_strdup (auth_code);

  return self;
}

RdPayFlow *
rd_pay_flow_new_qr (RdPaymentProvider     *provider,
                    const RdPayOrder      *order,
                    const RdPayFlowConfig *config)
{
  g_return_val_if_fail (RD_IS_PAYMENT_PROVIDER (provider), NULL);
  g_return_val_if_fail (order != NULL, NULL);

  return pay_flow_new (provider, order, RD_PAY_FLOW_KIND_QR, config);
}

void
rd_pay_flow_set_clock (RdPayFlow        *self,
                       const RdPayClock *clock,
                       gpointer          clock_data)
{
  g_return_if_fail (RD_IS_PAY_FLOW (self));
  g_return_if_fail (self->task == NULL);

  self->clock = clock != NULL ? clock : &real_clock;
  self->clock_data = clock_data;
}

void
rd_pay_flow_run_async (RdPayFlow           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (RD_IS_PAY_FLOW (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (self->machine.state == RD_PAY_FLOW_STATE_IDLE);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, rd_pay_flow_run_async);
  /* The flow decides when it is over: a request cancelled mid-way still
   * comes back through its callback. */
  g_task_set_check_cancellable (self->task, FALSE);

  if (cancellable != NULL)
    self->cancelled_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                     self, NULL);
  if (self->task != NULL)
    rd_pay_flow_feed (self, RD_PAY_FLOW_EVENT_BEGIN);
}

RdPayFlowState
rd_pay_flow_run_finish (RdPayFlow     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  gssize state;

  g_return_val_if_fail (RD_IS_PAY_FLOW (self), RD_PAY_FLOW_STATE_UNKNOWN);
  g_return_val_if_fail (g_task_is_valid (result, self), RD_PAY_FLOW_STATE_UNKNOWN);

  state = g_task_propagate_int (G_TASK (result), error);

  return state < 0 ? RD_PAY_FLOW_STATE_UNKNOWN : (RdPayFlowState) state;
}

void
rd_pay_flow_abort (RdPayFlow *self)
{
  g_return_if_fail (RD_IS_PAY_FLOW (self));

  if (self->task == NULL || self->abort_requested)
    return;

  self->abort_requested = TRUE;

  /* Waiting: act now. In flight: the answer decides (see after_call). */
  if (self->timer_id != 0 && may_abort_now (self->machine.state))
    {
      self->clock->cancel (self->clock_data, self->timer_id);
      self->timer_id = 0;
      rd_pay_flow_feed (self, RD_PAY_FLOW_EVENT_ABORT);
    }
}

RdPayFlowState
rd_pay_flow_get_state (RdPayFlow *self)
{
  g_return_val_if_fail (RD_IS_PAY_FLOW (self), RD_PAY_FLOW_STATE_UNKNOWN);

  return self->machine.state;
}

const char *
rd_pay_flow_get_code_url (RdPayFlow *self)
{
  g_return_val_if_fail (RD_IS_PAY_FLOW (self), NULL);

  return self->code_url;
}

RdTradeState
rd_pay_flow_get_trade_state (RdPayFlow *self)
{
  g_return_val_if_fail (RD_IS_PAY_FLOW (self), RD_TRADE_STATE_UNKNOWN);

  return self->trade_state;
}

const RdPayResult *
rd_pay_flow_get_result (RdPayFlow *self)
{
  g_return_val_if_fail (RD_IS_PAY_FLOW (self), NULL);

  return self->result;
}

const GError *
rd_pay_flow_get_last_error (RdPayFlow *self)
{
  g_return_val_if_fail (RD_IS_PAY_FLOW (self), NULL);

  return self->last_error;
}

guint
rd_pay_flow_get_n_charges (RdPayFlow *self)
{
  g_return_val_if_fail (RD_IS_PAY_FLOW (self), 0);

  return self->n_charges;
}
