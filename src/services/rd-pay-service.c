/* rd-pay-service.c: taking an order's fee through WeChat Pay or Alipay and
 * recording it in the database exactly once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The database row comes first (api.payment_begin), the gateway second,
 * the outcome last (api.payment_finish): a crash anywhere leaves a row the
 * worker finds and settles by asking the gateway, never a charge nobody
 * knows about. Only the database decides whether an order is paid; this
 * file only reports what the gateway said.
 */
#define G_LOG_DOMAIN "regdesk-services"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "rd-alipay.h"
#include "rd-gateway-error.h"
#include "rd-gateway-http.h"
#include "rd-money.h"
#include "rd-pay-service.h"
#include "rd-payments.h"
#include "rd-wechat-pay.h"

#define N_GATEWAYS       2
#define QR_EXPIRE_S      (5 * 60)
#define REFUND_CLAIM_MAX 16

G_DEFINE_ENUM_TYPE (RdPayAttemptState, rd_pay_attempt_state,
  G_DEFINE_ENUM_VALUE (RD_PAY_ATTEMPT_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (RD_PAY_ATTEMPT_WAITING, "waiting"),
  G_DEFINE_ENUM_VALUE (RD_PAY_ATTEMPT_PAID, "paid"),
  G_DEFINE_ENUM_VALUE (RD_PAY_ATTEMPT_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (RD_PAY_ATTEMPT_CANCELLED, "cancelled"),
  G_DEFINE_ENUM_VALUE (RD_PAY_ATTEMPT_UNKNOWN, "unknown"))

struct _RdPayService
{
  GObject             parent_instance;

  RdDb               *db;
  RdPaymentProvider  *providers[N_GATEWAYS];
  SoupSession        *session;
  RdPayServiceConfig  config;
  const RdPayClock   *clock;
  gpointer            clock_data;
  GCancellable       *cancellable;   /* cancelled when the service goes away */
  GPtrArray          *attempts;      /* the attempts still running */
};

G_DEFINE_FINAL_TYPE (RdPayService, rd_pay_service, G_TYPE_OBJECT)

struct _RdPayAttempt
{
  GObject            parent_instance;

  RdPayService      *service;
  RdPaymentGateway   gateway;
  RdPayFlowKind      kind;
  char              *order_no;
  char              *auth_code;
  char              *request_id;
  gint64             amount;

  RdPayAttemptState  state;
  char              *message;
  char              *code_url;
  char              *out_trade_no;

  RdPayFlow         *flow;
  gboolean           cancel_requested;
};

G_DEFINE_FINAL_TYPE (RdPayAttempt, rd_pay_attempt, G_TYPE_OBJECT)

enum {
  ATTEMPT_PROP_0,
  ATTEMPT_PROP_STATE,
  ATTEMPT_PROP_MESSAGE,
  ATTEMPT_PROP_CODE_URL,
  ATTEMPT_PROP_ORDER_NO,
  ATTEMPT_PROP_OUT_TRADE_NO,
  ATTEMPT_PROP_GATEWAY,
  ATTEMPT_N_PROPS
};

static GParamSpec *attempt_properties[ATTEMPT_N_PROPS];

/* ---- Small helpers ------------------------------------------------------ */

static const char *
gateway_method (RdPaymentGateway gateway)
{
  return gateway == RD_PAYMENT_GATEWAY_ALIPAY ? "alipay" : "wechat";
}

static gboolean
gateway_from_method (const char       *method,
                     RdPaymentGateway *gateway)
{
  if (g_strcmp0 (method, "wechat") == 0)
    *gateway = RD_PAYMENT_GATEWAY_WECHATPAY;
  else if (g_strcmp0 (method, "alipay") == 0)
    *gateway = RD_PAYMENT_GATEWAY_ALIPAY;
  else
    return FALSE;

  return TRUE;
}

static RdPaymentProvider *
provider_for (RdPayService     *self,
              RdPaymentGateway  gateway)
{
  return (guint) gateway < N_GATEWAYS ? self->providers[gateway] : NULL;
}

static gboolean
status_is_final (const char *status)
{
  return g_strcmp0 (status, "succeeded") == 0 || g_strcmp0 (status, "failed") == 0
         || g_strcmp0 (status, "closed") == 0 || g_strcmp0 (status, "reversed") == 0;
}

static gboolean
refund_status_is_final (const char *status)
{
  return g_strcmp0 (status, "succeeded") == 0 || g_strcmp0 (status, "failed") == 0
         || g_strcmp0 (status, "abnormal") == 0;
}

/* What the gateway said, kept with the payment for whoever looks later. */
static char *
pay_result_to_json (const RdPayResult *result,
                    const GError      *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  if (result != NULL)
    {
      json_builder_set_member_name (b, "trade_state");
      json_builder_add_string_value (b, rd_trade_state_to_string (result->state));
      if (result->gateway_state != NULL)
        {
          json_builder_set_member_name (b, "gateway_state");
          json_builder_add_string_value (b, result->gateway_state);
        }
      if (result->transaction_id != NULL)
        {
          json_builder_set_member_name (b, "transaction_id");
          json_builder_add_string_value (b, result->transaction_id);
        }
      if (result->amount >= 0)
        {
          json_builder_set_member_name (b, "amount");
          json_builder_add_int_value (b, result->amount);
        }
      if (result->success_time != NULL)
        {
          g_autofree char *time = g_date_time_format_iso8601 (result->success_time);

          json_builder_set_member_name (b, "success_time");
          json_builder_add_string_value (b, time);
        }
    }
  if (error != NULL)
    {
      const char *code = rd_gateway_error_get_gateway_code (error);

      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error->message);
      if (code != NULL)
        {
          json_builder_set_member_name (b, "error_code");
          json_builder_add_string_value (b, code);
        }
    }
  json_builder_end_object (b);

  return rd_gateway_json_to_string (b);
}

static char *
refund_result_to_json (const RdRefundResult *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "refund_state");
  json_builder_add_string_value (b, rd_refund_state_to_string (result->state));
  if (result->refund_id != NULL)
    {
      json_builder_set_member_name (b, "refund_id");
      json_builder_add_string_value (b, result->refund_id);
    }
  if (result->amount >= 0)
    {
      json_builder_set_member_name (b, "amount");
      json_builder_add_int_value (b, result->amount);
    }
  json_builder_end_object (b);

  return rd_gateway_json_to_string (b);
}

/* Waits through the service's clock (a jumping one in tests). */
typedef struct
{
  GSourceFunc func;
  gpointer    data;
} Wait;

static gboolean
wait_fire (gpointer user_data)
{
  Wait *wait = user_data;
  GSourceFunc func = wait->func;
  gpointer data = wait->data;

  g_free (wait);
  func (data);

  return G_SOURCE_REMOVE;
}

static void
service_wait (RdPayService *self,
              guint         delay_ms,
              GSourceFunc   func,
              gpointer      data)
{
  Wait *wait = g_new (Wait, 1);

  wait->func = func;
  wait->data = data;

  if (self->clock != NULL)
    {
      self->clock->schedule (self->clock_data, delay_ms, wait_fire, wait);
    }
  else
    {
      GSource *source = g_timeout_source_new (delay_ms);

      g_source_set_callback (source, wait_fire, wait, NULL);
      g_source_set_static_name (source, "[regdesk] payment service wait");
      g_source_attach (source, g_main_context_get_thread_default ());
      g_source_unref (source);
    }
}

/* Runs an async call to its end on the thread-default main context. */
typedef struct
{
  GAsyncResult *result;
} SyncWait;

static void
sync_wait_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SyncWait *wait = user_data;

  wait->result = g_object_ref (result);
}

static GAsyncResult *
sync_wait_run (SyncWait *wait)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  while (wait->result == NULL)
    g_main_context_iteration (context, TRUE);

  return wait->result;
}

/* ---- Following one refund --------------------------------------------------- */

typedef struct
{
  RdPaymentProvider *provider;
  char              *out_refund_no;
  char              *out_trade_no;
  gint64             amount;
  gint64             total;
  gboolean           accepted;     /* the gateway accepted it before: query first */
  guint              polls_left;
  gboolean           resent;
  gboolean           poll_after_record;
  char              *status;       /* the refund's status in the database afterwards */
} RefundJob;

static void
refund_job_free (RefundJob *job)
{
  g_clear_object (&job->provider);
  g_free (job->out_refund_no);
  g_free (job->out_trade_no);
  g_free (job->status);
  g_free (job);
}

static void refund_job_send  (GTask *task);
static void refund_job_query (GTask *task);

static gboolean
refund_job_poll (gpointer task)
{
  refund_job_query (task);

  return G_SOURCE_REMOVE;
}

static void
refund_job_recorded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdRefundOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  RdPayService *self = g_task_get_source_object (task);
  RefundJob *job = g_task_get_task_data (task);

  outcome = rd_payments_record_refund_finish (RD_DB (source), result, &error);
  if (outcome == NULL)
    {
      g_debug ("Refund %s not recorded: %s", job->out_refund_no, error->message);
      g_task_return_boolean (task, FALSE);
      return;
    }

  g_free (job->status);
  job->status = g_strdup (outcome->refund_status);

  if (job->poll_after_record && job->polls_left > 0
      && g_strcmp0 (job->status, "processing") == 0
      && !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      job->polls_left--;
      service_wait (self, self->config.refund_poll_ms, refund_job_poll, g_steal_pointer (&task));
      return;
    }

  g_task_return_boolean (task, g_strcmp0 (job->status, "succeeded") == 0);
}

static void
refund_job_record (GTask                *task,
                   const char           *state,
                   const RdRefundResult *result,
                   const char           *error_text)
{
  RdPayService *self = g_task_get_source_object (task);
  RefundJob *job = g_task_get_task_data (task);
  g_autofree char *raw = result != NULL ? refund_result_to_json (result) : NULL;

  job->poll_after_record = g_str_equal (state, "processing");
  rd_payments_record_refund_async (self->db, job->out_refund_no, state,
                                   result != NULL ? result->refund_id : NULL, raw, error_text,
                                   g_task_get_cancellable (task), refund_job_recorded,
                                   g_object_ref (task));
}

static void
refund_job_answer (GTask                *task,
                   const RdRefundResult *result)
{
  RefundJob *job = g_task_get_task_data (task);

  switch (result->state)
    {
    case RD_REFUND_STATE_SUCCESS:
      refund_job_record (task, "succeeded", result, NULL);
      break;
    case RD_REFUND_STATE_PROCESSING:
      refund_job_record (task, "processing", result, NULL);
      break;
    case RD_REFUND_STATE_CLOSED:
      refund_job_record (task, "failed", result, _("The gateway closed the refund"));
      break;
    case RD_REFUND_STATE_ABNORMAL:
      refund_job_record (task, "abnormal", result,
                         _("The money could not go back to the patient's account"));
      break;
    case RD_REFUND_STATE_UNKNOWN:
    default:
      /* The gateway has no such refund: it never took the request. Send
       * it (again, the same number) once. */
      if (!job->resent)
        refund_job_send (task);
      else
        refund_job_record (task, "pending", NULL, _("The gateway does not know this refund"));
      break;
    }
}

static void
refund_job_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdRefundResult) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = rd_payment_provider_refund_finish (RD_PAYMENT_PROVIDER (source), result, &error);
  if (answer != NULL)
    refund_job_answer (task, answer);
  else
    refund_job_record (task, "pending", NULL, error->message);
}

static void
refund_job_send (GTask *task)
{
  RefundJob *job = g_task_get_task_data (task);
  g_autoptr(RdRefundRequest) request = NULL;

  job->resent = TRUE;
  request = rd_refund_request_new (job->out_trade_no, job->out_refund_no, job->amount,
                                   job->total);
  rd_payment_provider_refund_async (job->provider, request, g_task_get_cancellable (task),
                                    refund_job_sent, g_object_ref (task));
}

static void
refund_job_queried (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdRefundResult) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = rd_payment_provider_refund_query_finish (RD_PAYMENT_PROVIDER (source), result,
                                                    &error);
  if (answer != NULL)
    refund_job_answer (task, answer);
  else if (rd_payment_error_is_order_not_found (error))
    {
      RefundJob *job = g_task_get_task_data (task);
      g_autoptr(RdRefundResult) none = rd_refund_result_new (job->out_refund_no,
                                                             RD_REFUND_STATE_UNKNOWN);

      refund_job_answer (task, none);
    }
  else
    refund_job_record (task, "pending", NULL, error->message);
}

/* Takes the task's reference. */
static void
refund_job_query (GTask *task)
{
  RefundJob *job = g_task_get_task_data (task);

  rd_payment_provider_refund_query_async (job->provider, job->out_trade_no, job->out_refund_no,
                                          g_task_get_cancellable (task), refund_job_queried,
                                          task);
}

/* Sends (or, once accepted, asks about) one refund and records the answer;
 * follows a PROCESSING refund @polls more times. The task's boolean: the
 * refund reached SUCCESS. */
static GTask *
refund_job_new (RdPayService        *self,
                const char          *method,
                const char          *out_refund_no,
                const char          *out_trade_no,
                gint64               amount,
                gint64               total,
                gboolean             accepted,
                guint                polls,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  RefundJob *job = g_new0 (RefundJob, 1);
  RdPaymentGateway gateway;

  g_task_set_source_tag (task, refund_job_new);
  job->out_refund_no = g_strdup (out_refund_no);
  job->out_trade_no = g_strdup (out_trade_no);
  job->amount = amount;
  job->total = total;
  job->accepted = accepted;
  job->polls_left = polls;
  if (gateway_from_method (method, &gateway) && provider_for (self, gateway) != NULL)
    job->provider = g_object_ref (provider_for (self, gateway));
  g_task_set_task_data (task, job, (GDestroyNotify) refund_job_free);

  return task;
}

static void
refund_job_start (GTask *task)
{
  RefundJob *job = g_task_get_task_data (task);

  if (job->provider == NULL)
    {
      /* Not configured here: another machine (or the worker) sends it. */
      g_task_return_boolean (task, FALSE);
      g_object_unref (task);
      return;
    }

  if (job->accepted)
    refund_job_query (task);
  else
    {
      refund_job_send (task);
      g_object_unref (task);
    }
}

static RefundJob *
refund_job_get (GAsyncResult *result)
{
  return g_task_get_task_data (G_TASK (result));
}

/* ---- Settling one payment ------------------------------------------------------ */

typedef enum
{
  PAY_JOB_SETTLE,  /* the worker: close what stays open past the grace time */
  PAY_JOB_QUERY,   /* ask and record, never close */
  PAY_JOB_CLOSE,   /* ask, record, and close what is open */
} PayJobMode;

typedef struct
{
  RdPaymentProvider *provider;
  RdPaymentGateway   gateway;
  char              *method;
  char              *out_trade_no;
  gboolean           code;
  gboolean           succeeded;    /* the database has it as succeeded: never close it */
  gint64             amount;
  double             age_s;
  PayJobMode         mode;
  gboolean           closed;
  RdTradeState       trade_state;
  char              *status;
  char              *error_text;
  gboolean           settled;
} PayJob;

static void
pay_job_free (PayJob *job)
{
  g_clear_object (&job->provider);
  g_free (job->method);
  g_free (job->out_trade_no);
  g_free (job->status);
  g_free (job->error_text);
  g_free (job);
}

static void
pay_job_done (GTask *task)
{
  PayJob *job = g_task_get_task_data (task);

  g_task_return_boolean (task, job->settled);
}

static void
pay_job_fail_with (GTask      *task,
                   const char *message)
{
  PayJob *job = g_task_get_task_data (task);

  g_free (job->error_text);
  job->error_text = g_strdup (message);
  pay_job_done (task);
}

static void
pay_job_fail (GTask        *task,
              const GError *error)
{
  pay_job_fail_with (task, error->message);
}

static void
pay_job_refund_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_propagate_boolean (G_TASK (result), NULL);
  pay_job_done (task);
}

static void
pay_job_recorded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdPaymentOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  RdPayService *self = g_task_get_source_object (task);
  PayJob *job = g_task_get_task_data (task);

  outcome = rd_payments_record_finish (RD_DB (source), result, &error);
  if (outcome == NULL)
    {
      pay_job_fail (task, error);
      return;
    }

  g_free (job->status);
  job->status = g_strdup (outcome->payment_status);
  job->settled = status_is_final (outcome->payment_status) || outcome->anomaly != NULL;

  /* Money taken that the order did not need goes back at once. */
  if (outcome->out_refund_no != NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);
      GTask *refund = refund_job_new (self, job->method, outcome->out_refund_no,
                                      job->out_trade_no, job->amount, job->amount, FALSE, 0,
                                      cancellable, pay_job_refund_done, g_object_ref (task));

      refund_job_start (refund);
      return;
    }

  pay_job_done (task);
}

static void
pay_job_record (GTask             *task,
                const char        *state,
                const RdPayResult *answer)
{
  RdPayService *self = g_task_get_source_object (task);
  PayJob *job = g_task_get_task_data (task);
  g_autofree char *raw = pay_result_to_json (answer, NULL);

  rd_payments_record_async (self->db, job->out_trade_no, state,
                            answer != NULL ? answer->transaction_id : NULL,
                            answer != NULL ? answer->amount : -1, raw,
                            g_task_get_cancellable (task), pay_job_recorded,
                            g_object_ref (task));
}

/* A final answer from the gateway, recorded; FALSE for an open one. The
 * answer is fresh: a success is 'confirmed'. */
static gboolean
pay_job_record_final (GTask             *task,
                      const RdPayResult *answer)
{
  PayJob *job = g_task_get_task_data (task);

  switch (answer->state)
    {
    case RD_TRADE_STATE_SUCCESS:
      pay_job_record (task, "confirmed", answer);
      return TRUE;
    case RD_TRADE_STATE_CLOSED:
      /* A payment-code trade closes when reversed (Alipay's cancel). */
      pay_job_record (task, job->code ? "reversed" : "closed", answer);
      return TRUE;
    case RD_TRADE_STATE_REVOKED:
      pay_job_record (task, "reversed", answer);
      return TRUE;
    case RD_TRADE_STATE_PAYERROR:
      pay_job_record (task, "failed", answer);
      return TRUE;
    case RD_TRADE_STATE_REFUND:
      /* Paid, then refunded: ours if the database has the success. */
      if (!job->succeeded)
        return FALSE;
      pay_job_record (task, "confirmed", answer);
      return TRUE;
    case RD_TRADE_STATE_NOTPAY:
    case RD_TRADE_STATE_USERPAYING:
    case RD_TRADE_STATE_UNKNOWN:
    default:
      return FALSE;
    }
}

static void
pay_job_confirmed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdPayResult) answer = NULL;
  g_autoptr(GError) error = NULL;
  PayJob *job = g_task_get_task_data (task);

  answer = rd_payment_provider_query_finish (RD_PAYMENT_PROVIDER (source), result, &error);
  if (answer != NULL)
    job->trade_state = answer->state;

  if (answer != NULL && pay_job_record_final (task, answer))
    return;

  if (answer != NULL && answer->state == RD_TRADE_STATE_REFUND)
    pay_job_fail_with (task, _("The gateway shows a refund Regdesk did not make: "
                               "a person must look"));
  else if (job->closed && (answer != NULL || rd_payment_error_is_order_not_found (error)))
    {
      /* Closed or reversed, and still no payment: nobody can pay it now. */
      pay_job_record (task, job->code ? "reversed" : "closed", answer);
    }
  else if (error != NULL)
    pay_job_fail (task, error);
  else
    pay_job_done (task);
}

static void
pay_job_confirm (GTask *task)
{
  PayJob *job = g_task_get_task_data (task);

  rd_payment_provider_query_async (job->provider, job->out_trade_no,
                                   g_task_get_cancellable (task), pay_job_confirmed,
                                   g_object_ref (task));
}

static void
pay_job_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  PayJob *job = g_task_get_task_data (task);
  gboolean ok;

  if (job->code)
    ok = rd_payment_provider_reverse_finish (RD_PAYMENT_PROVIDER (source), result, &error);
  else
    ok = rd_payment_provider_close_finish (RD_PAYMENT_PROVIDER (source), result, &error);

  if (ok || rd_payment_error_is_order_not_found (error))
    job->closed = TRUE;
  else if (rd_gateway_error_is_retryable (error))
    {
      pay_job_fail (task, error);
      return;
    }

  /* Closed, or refused (perhaps because it was paid meanwhile): look again. */
  pay_job_confirm (task);
}

static void
pay_job_open (GTask *task)
{
  RdPayService *self = g_task_get_source_object (task);
  PayJob *job = g_task_get_task_data (task);
  gboolean close;

  close = job->mode == PAY_JOB_CLOSE
          || (job->mode == PAY_JOB_SETTLE && job->age_s >= self->config.grace_s);
  if (!close || job->succeeded)
    {
      pay_job_done (task);
      return;
    }

  if (job->code)
    rd_payment_provider_reverse_async (job->provider, job->out_trade_no,
                                       g_task_get_cancellable (task), pay_job_closed,
                                       g_object_ref (task));
  else
    rd_payment_provider_close_async (job->provider, job->out_trade_no,
                                     g_task_get_cancellable (task), pay_job_closed,
                                     g_object_ref (task));
}

static void
pay_job_queried (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdPayResult) answer = NULL;
  g_autoptr(GError) error = NULL;
  PayJob *job = g_task_get_task_data (task);

  answer = rd_payment_provider_query_finish (RD_PAYMENT_PROVIDER (source), result, &error);
  if (answer == NULL && !rd_payment_error_is_order_not_found (error))
    {
      pay_job_fail (task, error);
      return;
    }

  if (answer != NULL)
    {
      job->trade_state = answer->state;
      if (pay_job_record_final (task, answer))
        return;
      if (answer->state == RD_TRADE_STATE_REFUND)
        {
          pay_job_fail_with (task, _("The gateway shows a refund Regdesk did not make: "
                                     "a person must look"));
          return;
        }
    }

  pay_job_open (task);
}

/* Asks the gateway about one payment and records a final answer; closes or
 * reverses it as @mode says. The task's boolean: settled. */
static GTask *
pay_job_new (RdPayService        *self,
             const char          *method,
             const char          *scene,
             const char          *status,
             const char          *out_trade_no,
             gint64               amount,
             double               age_s,
             PayJobMode           mode,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  PayJob *job = g_new0 (PayJob, 1);

  g_task_set_source_tag (task, pay_job_new);
  job->method = g_strdup (method);
  job->out_trade_no = g_strdup (out_trade_no);
  job->code = g_strcmp0 (scene, "code") == 0;
  job->succeeded = g_strcmp0 (status, "succeeded") == 0;
  job->amount = amount;
  job->age_s = age_s;
  job->mode = mode;
  job->trade_state = RD_TRADE_STATE_UNKNOWN;
  if (gateway_from_method (method, &job->gateway) && provider_for (self, job->gateway) != NULL)
    job->provider = g_object_ref (provider_for (self, job->gateway));
  g_task_set_task_data (task, job, (GDestroyNotify) pay_job_free);

  return task;
}

static void
pay_job_start (GTask *task)
{
  PayJob *job = g_task_get_task_data (task);

  if (job->provider == NULL)
    {
      job->error_text = g_strdup_printf (_("%s is not set up on this computer"),
                                         rd_payment_gateway_describe (job->gateway));
      pay_job_done (task);
      g_object_unref (task);
      return;
    }

  rd_payment_provider_query_async (job->provider, job->out_trade_no,
                                   g_task_get_cancellable (task), pay_job_queried, task);
}

/* ---- RdPayAttempt ---------------------------------------------------------------- */

static void
attempt_set_state (RdPayAttempt      *self,
                   RdPayAttemptState  state,
                   const char        *message)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  if (g_strcmp0 (self->message, message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
      g_object_notify_by_pspec (object, attempt_properties[ATTEMPT_PROP_MESSAGE]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (object, attempt_properties[ATTEMPT_PROP_STATE]);
    }
  g_object_thaw_notify (object);
}

static void
attempt_set_out_trade_no (RdPayAttempt *self,
                          const char   *out_trade_no)
{
  if (g_strcmp0 (self->out_trade_no, out_trade_no) == 0)
    return;

  g_free (self->out_trade_no);
  self->out_trade_no = g_strdup (out_trade_no);
  g_object_notify_by_pspec (G_OBJECT (self), attempt_properties[ATTEMPT_PROP_OUT_TRADE_NO]);
}

static void
attempt_forget (RdPayAttempt *self)
{
  RdPayService *service = self->service;

  if (self->flow != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->flow, self);
      g_clear_object (&self->flow);
    }
  /* The service held the attempt while it ran; the caller holds it now. */
  if (service != NULL && service->attempts != NULL)
    g_ptr_array_remove (service->attempts, self);
}

static void
attempt_end (RdPayAttempt      *self,
             RdPayAttemptState  state,
             const char        *message)
{
  g_autoptr(RdPayAttempt) keep = g_object_ref (self);

  attempt_set_state (self, state, message);
  attempt_forget (self);
}

/* Words for a store refusal at the start. */
static char *
describe_begin_error (const GError *error)
{
  const char *sqlstate = rd_store_error_get_sqlstate (error);

  if (g_strcmp0 (sqlstate, "RD502") == 0)
    return g_strdup (_("This order is already paid."));
  if (g_strcmp0 (sqlstate, "RD503") == 0)
    return g_strdup (_("This booking has expired or was cancelled: book again."));
  if (g_strcmp0 (sqlstate, "RD501") == 0)
    return g_strdup (_("There is no such order."));
  if (g_strcmp0 (sqlstate, "RD521") == 0)
    return g_strdup (_("This order has nothing to pay."));
  if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION))
    return g_strdup (_("The database cannot be reached: the payment was not started."));

  return g_strdup_printf (_("The payment could not be started: %s"), error->message);
}

/* Words for a payment the gateway refused. */
static char *
describe_refusal (RdPayAttempt *self)
{
  const GError *error = self->flow != NULL ? rd_pay_flow_get_last_error (self->flow) : NULL;
  const char *code = error != NULL ? rd_gateway_error_get_gateway_code (error) : NULL;
  const char *gateway = rd_payment_gateway_describe (self->gateway);
  RdTradeState trade_state;

  if (g_strcmp0 (code, "NOTENOUGH") == 0
      || g_strcmp0 (code, "ACQ.BUYER_BALANCE_NOT_ENOUGH") == 0)
    return g_strdup_printf (_("Not paid: the patient's %s balance is not enough."), gateway);
  if (g_strcmp0 (code, "AUTH_CODE_INVALID") == 0 || g_strcmp0 (code, "AUTHCODEEXPIRE") == 0
      || g_strcmp0 (code, "ACQ.PAYMENT_AUTH_CODE_INVALID") == 0)
    return g_strdup (_("Not paid: the payment code is invalid or expired. Ask the patient to "
                       "refresh it and scan again."));

  trade_state = self->flow != NULL ? rd_pay_flow_get_trade_state (self->flow)
                                   : RD_TRADE_STATE_UNKNOWN;
  if (error != NULL && error->domain == RD_GATEWAY_ERROR
      && error->code == RD_GATEWAY_ERROR_REJECTED)
    return g_strdup_printf (_("Not paid: %s"), error->message);
  if (trade_state != RD_TRADE_STATE_UNKNOWN)
    return g_strdup_printf (_("Not paid: %s."), rd_trade_state_describe (trade_state));

  return g_strdup_printf (_("Not paid: %s did not take the payment."), gateway);
}

static void rd_pay_service_abort_others (RdPayService *self,
                                         RdPayAttempt *paid);

static void
attempt_surplus_refund_done (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_task_propagate_boolean (G_TASK (result), NULL);
}

static void
attempt_recorded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RdPayAttempt) self = user_data;
  g_autoptr(RdPaymentOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *yuan = NULL;
  const char *gateway = rd_payment_gateway_describe (self->gateway);

  outcome = rd_payments_record_finish (RD_DB (source), result, &error);
  if (outcome == NULL)
    {
      /* The row stays 'paying': the worker asks the gateway later. */
      message = g_strdup_printf (_("The outcome could not be saved (%s). It will be checked "
                                   "with %s automatically: do not take the fee again."),
                                 error->message, gateway);
      attempt_end (self, RD_PAY_ATTEMPT_UNKNOWN, message);
      return;
    }

  if (g_strcmp0 (outcome->payment_status, "succeeded") == 0 && outcome->out_refund_no != NULL)
    {
      GTask *refund;

      /* The patient paid an order that was already paid or closed. */
      refund = refund_job_new (self->service, gateway_method (self->gateway),
                               outcome->out_refund_no, self->out_trade_no, self->amount,
                               self->amount, FALSE, 0, self->service->cancellable,
                               attempt_surplus_refund_done, NULL);
      refund_job_start (refund);
      message = g_strdup_printf (_("This order was already paid or closed: this %s payment is "
                                   "being refunded to the patient."), gateway);
      attempt_end (self, RD_PAY_ATTEMPT_CANCELLED, message);
    }
  else if (g_strcmp0 (outcome->payment_status, "succeeded") == 0)
    {
      yuan = rd_money_to_yuan (self->amount);
      message = g_strdup_printf (_("Paid %s yuan by %s."), yuan, gateway);
      attempt_end (self, RD_PAY_ATTEMPT_PAID, message);
      rd_pay_service_abort_others (self->service, self);
    }
  else if (outcome->anomaly != NULL)
    {
      message = g_strdup_printf (_("%s reported a different amount: the order is not marked "
                                   "paid. Ask finance to check order %s."),
                                 gateway, self->order_no);
      attempt_end (self, RD_PAY_ATTEMPT_UNKNOWN, message);
    }
  else if (g_strcmp0 (outcome->payment_status, "unknown") == 0
           || g_strcmp0 (outcome->payment_status, "paying") == 0)
    {
      message = g_strdup_printf (_("%s did not confirm the payment. It will be checked "
                                   "automatically: do not take the fee again until then."),
                                 gateway);
      attempt_end (self, RD_PAY_ATTEMPT_UNKNOWN, message);
    }
  else if (self->cancel_requested)
    attempt_end (self, RD_PAY_ATTEMPT_CANCELLED, _("The payment was cancelled."));
  else
    {
      message = describe_refusal (self);
      attempt_end (self, RD_PAY_ATTEMPT_FAILED, message);
    }
}

static void
attempt_record (RdPayAttempt      *self,
                const char        *state,
                const RdPayResult *answer,
                const GError      *error)
{
  g_autofree char *raw = pay_result_to_json (answer, error);

  rd_payments_record_async (self->service->db, self->out_trade_no, state,
                            answer != NULL ? answer->transaction_id : NULL,
                            answer != NULL ? answer->amount : -1, raw, NULL, attempt_recorded,
                            g_object_ref (self));
}

static void
attempt_flow_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RdPayAttempt) self = user_data;
  g_autoptr(GError) error = NULL;
  RdPayFlow *flow = RD_PAY_FLOW (source);
  const RdPayResult *answer = rd_pay_flow_get_result (flow);
  const GError *last_error = rd_pay_flow_get_last_error (flow);
  RdPayFlowState state;

  state = rd_pay_flow_run_finish (flow, result, &error);
  if (error != NULL)
    {
      /* Stopped half-way (the service went away): the worker settles it. */
      attempt_end (self, RD_PAY_ATTEMPT_UNKNOWN,
                   _("The payment was interrupted. It will be checked automatically: do not "
                     "take the fee again until then."));
      return;
    }

  if (state == RD_PAY_FLOW_STATE_PAID)
    attempt_record (self, "succeeded", answer, NULL);
  else if (state == RD_PAY_FLOW_STATE_NOT_PAID)
    {
      /* Refused outright (no trade ever reported), or the patient's payment
       * failed: 'failed'. Otherwise the flow closed the QR order or
       * reversed the charge, which gives back any money it took. */
      if ((answer == NULL && !self->cancel_requested)
          || (answer != NULL && answer->state == RD_TRADE_STATE_PAYERROR))
        attempt_record (self, "failed", answer, last_error);
      else
        attempt_record (self, self->kind == RD_PAY_FLOW_KIND_CODE ? "reversed" : "closed",
                        answer, last_error);
    }
  /* UNKNOWN. A SUCCESS for another amount goes to the database as it is:
   * that keeps the order unpaid and flags the payment for a person. */
  else if (answer != NULL && answer->state == RD_TRADE_STATE_SUCCESS && answer->amount >= 0
           && answer->amount != self->amount)
    attempt_record (self, "succeeded", answer, last_error);
  else
    attempt_record (self, "unknown", answer, last_error);
}

static void
attempt_flow_notify_code_url (RdPayAttempt *self)
{
  const char *code_url = rd_pay_flow_get_code_url (self->flow);
  g_autofree char *message = NULL;

  if (g_strcmp0 (self->code_url, code_url) == 0)
    return;

  g_free (self->code_url);
  self->code_url = g_strdup (code_url);
  g_object_notify_by_pspec (G_OBJECT (self), attempt_properties[ATTEMPT_PROP_CODE_URL]);

  if (self->state == RD_PAY_ATTEMPT_STARTING && code_url != NULL)
    {
      message = g_strdup_printf (_("Ask the patient to scan the code with %s."),
                                 rd_payment_gateway_describe (self->gateway));
      attempt_set_state (self, RD_PAY_ATTEMPT_WAITING, message);
    }
}

static void
attempt_flow_notify_state (RdPayAttempt *self)
{
  RdPayFlowState state = rd_pay_flow_get_state (self->flow);

  /* A payment code that was not settled at once: the patient confirms. */
  if (self->kind == RD_PAY_FLOW_KIND_CODE && self->state == RD_PAY_ATTEMPT_STARTING
      && (state == RD_PAY_FLOW_STATE_WAIT_QUERY || state == RD_PAY_FLOW_STATE_QUERYING))
    attempt_set_state (self, RD_PAY_ATTEMPT_WAITING,
                       _("Waiting for the patient to confirm the payment on the phone…"));
}

static void
attempt_begun (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RdPayAttempt) self = user_data;
  g_autoptr(RdPaymentAttemptRow) row = NULL;
  g_autoptr(RdPayOrder) order = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  RdPaymentProvider *provider = provider_for (self->service, self->gateway);

  row = rd_payments_begin_finish (RD_DB (source), result, &error);
  if (row == NULL)
    {
      message = describe_begin_error (error);
      attempt_end (self, RD_PAY_ATTEMPT_FAILED, message);
      return;
    }

  self->amount = row->amount;
  attempt_set_out_trade_no (self, row->out_trade_no);

  if (!row->fresh)
    {
      /* A retried request: that attempt ran (or runs) elsewhere. Never
       * charge its number twice; report what the database knows. */
      if (g_strcmp0 (row->status, "succeeded") == 0)
        attempt_end (self, RD_PAY_ATTEMPT_PAID, _("This payment was already made."));
      else if (status_is_final (row->status))
        attempt_end (self, RD_PAY_ATTEMPT_FAILED, _("This payment attempt already ended "
                                                    "without payment: start a new one."));
      else
        attempt_end (self, RD_PAY_ATTEMPT_UNKNOWN,
                     _("This payment attempt is still open. It will be checked "
                       "automatically: do not take the fee again until then."));
      return;
    }

  if (self->cancel_requested)
    {
      /* Nothing went to the gateway. */
      attempt_record (self, "closed", NULL, NULL);
      return;
    }

  order = rd_pay_order_new (row->out_trade_no, row->description != NULL ? row->description
                                                                        : row->out_trade_no,
                            row->amount);
  if (self->kind == RD_PAY_FLOW_KIND_QR)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) latest = g_date_time_add_seconds (now, QR_EXPIRE_S);

      /* The code stops working when the booking's payment window ends. */
      if (row->expires_at != NULL && g_date_time_compare (row->expires_at, latest) < 0)
        order->time_expire = g_date_time_ref (row->expires_at);
      else
        order->time_expire = g_steal_pointer (&latest);
      self->flow = rd_pay_flow_new_qr (provider, order, NULL);
    }
  else
    self->flow = rd_pay_flow_new_code (provider, order, self->auth_code, NULL);

  g_clear_pointer (&self->auth_code, g_free);
  if (self->service->clock != NULL)
    rd_pay_flow_set_clock (self->flow, self->service->clock, self->service->clock_data);
  g_signal_connect_swapped (self->flow, "notify::code-url",
                            G_CALLBACK (attempt_flow_notify_code_url), self);
  g_signal_connect_swapped (self->flow, "notify::state",
                            G_CALLBACK (attempt_flow_notify_state), self);
  rd_pay_flow_run_async (self->flow, self->service->cancellable, attempt_flow_done,
                         g_object_ref (self));
}

RdPayAttemptState
rd_pay_attempt_get_state (RdPayAttempt *self)
{
  g_return_val_if_fail (RD_IS_PAY_ATTEMPT (self), RD_PAY_ATTEMPT_UNKNOWN);

  return self->state;
}

const char *
rd_pay_attempt_get_message (RdPayAttempt *self)
{
  g_return_val_if_fail (RD_IS_PAY_ATTEMPT (self), NULL);

  return self->message;
}

const char *
rd_pay_attempt_get_code_url (RdPayAttempt *self)
{
  g_return_val_if_fail (RD_IS_PAY_ATTEMPT (self), NULL);

  return self->code_url;
}

const char *
rd_pay_attempt_get_order_no (RdPayAttempt *self)
{
  g_return_val_if_fail (RD_IS_PAY_ATTEMPT (self), NULL);

  return self->order_no;
}

const char *
rd_pay_attempt_get_out_trade_no (RdPayAttempt *self)
{
  g_return_val_if_fail (RD_IS_PAY_ATTEMPT (self), NULL);

  return self->out_trade_no;
}

RdPaymentGateway
rd_pay_attempt_get_gateway (RdPayAttempt *self)
{
  g_return_val_if_fail (RD_IS_PAY_ATTEMPT (self), RD_PAYMENT_GATEWAY_WECHATPAY);

  return self->gateway;
}

gboolean
rd_pay_attempt_is_final (RdPayAttempt *self)
{
  g_return_val_if_fail (RD_IS_PAY_ATTEMPT (self), TRUE);

  return self->state != RD_PAY_ATTEMPT_STARTING && self->state != RD_PAY_ATTEMPT_WAITING;
}

void
rd_pay_attempt_cancel (RdPayAttempt *self)
{
  g_return_if_fail (RD_IS_PAY_ATTEMPT (self));

  if (rd_pay_attempt_is_final (self) || self->cancel_requested)
    return;

  self->cancel_requested = TRUE;
  /* Before the flow runs, attempt_begun() sees the flag. */
  if (self->flow != NULL)
    rd_pay_flow_abort (self->flow);
}

static void
rd_pay_attempt_finalize (GObject *object)
{
  RdPayAttempt *self = (RdPayAttempt *) object;

  g_clear_object (&self->flow);
  g_clear_object (&self->service);
  g_free (self->order_no);
  g_free (self->auth_code);
  g_free (self->request_id);
  g_free (self->message);
  g_free (self->code_url);
  g_free (self->out_trade_no);

  G_OBJECT_CLASS (rd_pay_attempt_parent_class)->finalize (object);
}

static void
rd_pay_attempt_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RdPayAttempt *self = RD_PAY_ATTEMPT (object);

  switch (prop_id)
    {
    case ATTEMPT_PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case ATTEMPT_PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case ATTEMPT_PROP_CODE_URL:
      g_value_set_string (value, self->code_url);
      break;
    case ATTEMPT_PROP_ORDER_NO:
      g_value_set_string (value, self->order_no);
      break;
    case ATTEMPT_PROP_OUT_TRADE_NO:
      g_value_set_string (value, self->out_trade_no);
      break;
    case ATTEMPT_PROP_GATEWAY:
      g_value_set_uint (value, self->gateway);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_pay_attempt_class_init (RdPayAttemptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS
                            | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = rd_pay_attempt_finalize;
  object_class->get_property = rd_pay_attempt_get_property;

  attempt_properties[ATTEMPT_PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RD_TYPE_PAY_ATTEMPT_STATE,
                       RD_PAY_ATTEMPT_STARTING, flags);
  attempt_properties[ATTEMPT_PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL, flags);
  attempt_properties[ATTEMPT_PROP_CODE_URL] =
    g_param_spec_string ("code-url", NULL, NULL, NULL, flags);
  attempt_properties[ATTEMPT_PROP_ORDER_NO] =
    g_param_spec_string ("order-no", NULL, NULL, NULL, flags);
  attempt_properties[ATTEMPT_PROP_OUT_TRADE_NO] =
    g_param_spec_string ("out-trade-no", NULL, NULL, NULL, flags);
  attempt_properties[ATTEMPT_PROP_GATEWAY] =
    g_param_spec_uint ("gateway", NULL, NULL, 0, N_GATEWAYS - 1, 0, flags);

  g_object_class_install_properties (object_class, ATTEMPT_N_PROPS, attempt_properties);
}

static void
rd_pay_attempt_init (RdPayAttempt *self)
{
  self->state = RD_PAY_ATTEMPT_STARTING;
}

/* Payment codes are 16 to 24 digits (WeChat: 18 starting 10-15; Alipay:
 * 16-24 starting 25-30). */
static gboolean
auth_code_is_valid (const char *auth_code)
{
  gsize len;

  if (auth_code == NULL)
    return FALSE;
  len = strlen (auth_code);
  if (len < 16 || len > 24)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (auth_code[i]))
        return FALSE;
    }

  return TRUE;
}

static RdPayAttempt *
start_attempt (RdPayService     *self,
               const char       *order_no,
               RdPaymentGateway  gateway,
               RdPayFlowKind     kind,
               const char       *auth_code,
               const char       *request_id)
{
  RdPayAttempt *attempt = g_object_new (RD_TYPE_PAY_ATTEMPT, NULL);
  g_autofree char *message = NULL;

  attempt->service = g_object_ref (self);
  attempt->gateway = gateway;
  attempt->kind = kind;
  attempt->order_no = g_strdup (order_no);
  attempt->auth_code = g_strdup (auth_code);
  attempt->request_id = request_id != NULL && *request_id != '\0' ? g_strdup (request_id)
                                                                    : g_uuid_string_random ();
  attempt->message = g_strdup (_("Preparing the payment…"));

  /* Refused before anything is written: no attempt, no row. */
  if (provider_for (self, gateway) == NULL)
    {
      g_free (attempt->message);
      attempt->message = g_strdup_printf (_("%s is not set up on this computer."),
                                          rd_payment_gateway_describe (gateway));
      attempt->state = RD_PAY_ATTEMPT_FAILED;
      return attempt;
    }
  if (kind == RD_PAY_FLOW_KIND_CODE && !auth_code_is_valid (auth_code))
    {
      g_free (attempt->message);
      attempt->message = g_strdup (_("That is not a payment code: scan the barcode the patient's "
                                     "WeChat or Alipay shows (16 to 24 digits)."));
      attempt->state = RD_PAY_ATTEMPT_FAILED;
      return attempt;
    }

  g_ptr_array_add (self->attempts, g_object_ref (attempt));
  rd_payments_begin_async (self->db, attempt->request_id, order_no, gateway_method (gateway),
                           kind == RD_PAY_FLOW_KIND_QR ? "qr" : "code", self->cancellable,
                           attempt_begun, g_object_ref (attempt));

  return attempt;
}

/* Another attempt paid the order: the others must not take money too. */
static void
rd_pay_service_abort_others (RdPayService *self,
                             RdPayAttempt *paid)
{
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->attempts->len; i++)
    {
      RdPayAttempt *attempt = g_ptr_array_index (self->attempts, i);

      if (attempt != paid && g_strcmp0 (attempt->order_no, paid->order_no) == 0)
        g_ptr_array_add (others, g_object_ref (attempt));
    }
  for (guint i = 0; i < others->len; i++)
    rd_pay_attempt_cancel (g_ptr_array_index (others, i));
}

/* ---- RdPayService ------------------------------------------------------------------ */

static void
rd_pay_service_dispose (GObject *object)
{
  RdPayService *self = (RdPayService *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->attempts, g_ptr_array_unref);
  for (guint i = 0; i < N_GATEWAYS; i++)
    g_clear_object (&self->providers[i]);
  g_clear_object (&self->session);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (rd_pay_service_parent_class)->dispose (object);
}

static void
rd_pay_service_finalize (GObject *object)
{
  RdPayService *self = (RdPayService *) object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rd_pay_service_parent_class)->finalize (object);
}

static void
rd_pay_service_class_init (RdPayServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_pay_service_dispose;
  object_class->finalize = rd_pay_service_finalize;
}

static void
rd_pay_service_init (RdPayService *self)
{
  self->cancellable = g_cancellable_new ();
  self->attempts = g_ptr_array_new_with_free_func (g_object_unref);
  self->config.abandoned_after_s = 600;
  self->config.grace_s = 60;
  self->config.lease_s = 60;
  self->config.refund_poll_ms = 5000;
  self->config.refund_polls = 3;
}

RdPayService *
rd_pay_service_new (RdDb              *db,
                    RdPaymentProvider *wechat,
                    RdPaymentProvider *alipay)
{
  RdPayService *self;

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (wechat == NULL || RD_IS_PAYMENT_PROVIDER (wechat), NULL);
  g_return_val_if_fail (alipay == NULL || RD_IS_PAYMENT_PROVIDER (alipay), NULL);

  self = g_object_new (RD_TYPE_PAY_SERVICE, NULL);
  self->db = g_object_ref (db);
  if (wechat != NULL)
    self->providers[RD_PAYMENT_GATEWAY_WECHATPAY] = g_object_ref (wechat);
  if (alipay != NULL)
    self->providers[RD_PAYMENT_GATEWAY_ALIPAY] = g_object_ref (alipay);

  return self;
}

static char *
default_credentials_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "regdesk", "gateways.conf", NULL);
}

RdPayService *
rd_pay_service_new_from_credentials (RdDb        *db,
                                     const char  *path,
                                     GError     **error)
{
  g_autoptr(RdGatewayCredentials) credentials = NULL;
  g_autofree char *default_path = NULL;

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path == NULL)
    path = default_path = default_credentials_path ();

  credentials = rd_gateway_credentials_new_from_file (path, error);
  if (credentials == NULL)
    return NULL;

  return rd_pay_service_new_for_credentials (db, credentials, error);
}

RdPayService *
rd_pay_service_new_for_credentials (RdDb                  *db,
                                    RdGatewayCredentials  *credentials,
                                    GError               **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(RdPaymentProvider) wechat = NULL;
  g_autoptr(RdPaymentProvider) alipay = NULL;
  RdPayService *self;

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (RD_IS_GATEWAY_CREDENTIALS (credentials), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  session = rd_gateway_session_new ();
  if (rd_gateway_credentials_get_wechatpay (credentials) != NULL)
    {
      wechat = RD_PAYMENT_PROVIDER (rd_wechat_pay_new (session, credentials, error));
      if (wechat == NULL)
        return NULL;
    }
  if (rd_gateway_credentials_get_alipay (credentials) != NULL)
    {
      alipay = RD_PAYMENT_PROVIDER (rd_alipay_new (session, credentials, error));
      if (alipay == NULL)
        return NULL;
    }

  self = rd_pay_service_new (db, wechat, alipay);
  self->session = g_steal_pointer (&session);

  return self;
}

gboolean
rd_pay_service_has_gateway (RdPayService     *self,
                            RdPaymentGateway  gateway)
{
  g_return_val_if_fail (RD_IS_PAY_SERVICE (self), FALSE);

  return provider_for (self, gateway) != NULL;
}

void
rd_pay_service_get_config (RdPayService       *self,
                           RdPayServiceConfig *config)
{
  g_return_if_fail (RD_IS_PAY_SERVICE (self));
  g_return_if_fail (config != NULL);

  *config = self->config;
}

void
rd_pay_service_set_config (RdPayService             *self,
                           const RdPayServiceConfig *config)
{
  g_return_if_fail (RD_IS_PAY_SERVICE (self));
  g_return_if_fail (config != NULL);

  self->config = *config;
}

void
rd_pay_service_set_clock (RdPayService     *self,
                          const RdPayClock *clock,
                          gpointer          clock_data)
{
  g_return_if_fail (RD_IS_PAY_SERVICE (self));

  self->clock = clock;
  self->clock_data = clock_data;
}

RdPayAttempt *
rd_pay_service_start_qr (RdPayService     *self,
                         const char       *order_no,
                         RdPaymentGateway  gateway,
                         const char       *request_id)
{
  g_return_val_if_fail (RD_IS_PAY_SERVICE (self), NULL);
  g_return_val_if_fail (order_no != NULL, NULL);

  return start_attempt (self, order_no, gateway, RD_PAY_FLOW_KIND_QR, NULL, request_id);
}

RdPayAttempt *
rd_pay_service_start_pay_code (RdPayService     *self,
                               const char       *order_no,
                               RdPaymentGateway  gateway,
                               const char       *auth_code,
                               const char       *request_id)
{
  g_return_val_if_fail (RD_IS_PAY_SERVICE (self), NULL);
  g_return_val_if_fail (order_no != NULL, NULL);

  return start_attempt (self, order_no, gateway, RD_PAY_FLOW_KIND_CODE, auth_code, request_id);
}

/* ---- Refunding an order ---------------------------------------------------------------- */

typedef struct
{
  GPtrArray *refunds;
  guint      index;
  guint      succeeded;
  guint      finished;      /* reached a final state, succeeded or not */
  guint      polls;
} RefundRun;

static void
refund_run_free (RefundRun *run)
{
  g_clear_pointer (&run->refunds, g_ptr_array_unref);
  g_free (run);
}

static void refund_run_next (GTask *task);

static void
refund_run_job_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  RefundRun *run = g_task_get_task_data (task);

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    run->succeeded++;
  if (refund_status_is_final (refund_job_get (result)->status))
    run->finished++;
  run->index++;
  refund_run_next (task);
}

/* Takes the task's reference. */
static void
refund_run_next (GTask *task)
{
  RdPayService *self = g_task_get_source_object (task);
  RefundRun *run = g_task_get_task_data (task);
  RdClaimedRefund *refund;
  GTask *job;

  if (run->index >= run->refunds->len || g_task_return_error_if_cancelled (task))
    {
      if (!g_task_had_error (task))
        g_task_return_int (task, run->succeeded);
      g_object_unref (task);
      return;
    }

  refund = g_ptr_array_index (run->refunds, run->index);
  job = refund_job_new (self, refund->method, refund->out_refund_no, refund->out_trade_no,
                        refund->amount, refund->total,
                        g_strcmp0 (refund->status, "processing") == 0, run->polls,
                        g_task_get_cancellable (task), refund_run_job_done, task);
  refund_job_start (job);
}

static void
refund_run_claimed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  RefundRun *run = g_task_get_task_data (task);

  run->refunds = rd_payments_claim_refunds_finish (RD_DB (source), result, &error);
  if (run->refunds == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  refund_run_next (task);
}

/* Claims up to @max refunds (of @order_no, or all) and follows each. The
 * task's int: how many reached SUCCESS. */
static void
refund_run_start (RdPayService        *self,
                  const char          *order_no,
                  guint                max,
                  guint                polls,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  RefundRun *run = g_new0 (RefundRun, 1);

  g_task_set_source_tag (task, source_tag);
  run->polls = polls;
  g_task_set_task_data (task, run, (GDestroyNotify) refund_run_free);
  rd_payments_claim_refunds_async (self->db, max, order_no, self->config.lease_s, cancellable,
                                   refund_run_claimed, task);
}

void
rd_pay_service_refund_order_async (RdPayService        *self,
                                   const char          *order_no,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (RD_IS_PAY_SERVICE (self));
  g_return_if_fail (order_no != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  refund_run_start (self, order_no, REFUND_CLAIM_MAX, self->config.refund_polls,
                    rd_pay_service_refund_order_async, cancellable, callback, user_data);
}

guint
rd_pay_service_refund_order_finish (RdPayService  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  gssize n;

  g_return_val_if_fail (RD_IS_PAY_SERVICE (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == rd_pay_service_refund_order_async, 0);

  n = g_task_propagate_int (G_TASK (result), error);

  return n > 0 ? (guint) n : 0;
}

guint
rd_pay_service_refund_order_sync (RdPayService  *self,
                                  const char    *order_no,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  SyncWait wait = { NULL };
  guint n;

  g_return_val_if_fail (RD_IS_PAY_SERVICE (self), 0);
  g_return_val_if_fail (order_no != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  rd_pay_service_refund_order_async (self, order_no, cancellable, sync_wait_cb, &wait);
  n = rd_pay_service_refund_order_finish (self, sync_wait_run (&wait), error);
  g_object_unref (wait.result);

  return n;
}

/* ---- The settle pass ------------------------------------------------------------------- */

typedef struct
{
  guint      max;
  GPtrArray *payments;
  guint      index;
  guint      settled;
} Settle;

static void
settle_free (Settle *settle)
{
  g_clear_pointer (&settle->payments, g_ptr_array_unref);
  g_free (settle);
}

static void settle_next_payment (GTask *task);

static void
settle_refunds_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Settle *settle = g_task_get_task_data (task);
  RefundRun *run = g_task_get_task_data (G_TASK (result));

  g_task_propagate_int (G_TASK (result), &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_int (task, settle->settled + run->finished);
}

static void
settle_payment_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  Settle *settle = g_task_get_task_data (task);
  PayJob *job = g_task_get_task_data (G_TASK (result));

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    settle->settled++;
  else if (job->error_text != NULL)
    g_debug ("Payment %s left unsettled: %s", job->out_trade_no, job->error_text);
  settle->index++;
  settle_next_payment (task);
}

/* Takes the task's reference. */
static void
settle_next_payment (GTask *task)
{
  RdPayService *self = g_task_get_source_object (task);
  Settle *settle = g_task_get_task_data (task);
  RdUnsettledPayment *payment;
  GTask *job;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (settle->index >= settle->payments->len)
    {
      refund_run_start (self, NULL, settle->max, 0, settle_next_payment,
                        g_task_get_cancellable (task), settle_refunds_done, task);
      return;
    }

  payment = g_ptr_array_index (settle->payments, settle->index);
  job = pay_job_new (self, payment->method, payment->scene, payment->status,
                     payment->out_trade_no,
                     payment->amount, payment->age_seconds, PAY_JOB_SETTLE,
                     g_task_get_cancellable (task), settle_payment_done, task);
  pay_job_start (job);
}

static void
settle_claimed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  Settle *settle = g_task_get_task_data (task);

  settle->payments = rd_payments_claim_unsettled_finish (RD_DB (source), result, &error);
  if (settle->payments == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  settle_next_payment (task);
}

guint
rd_pay_service_settle_sync (RdPayService  *self,
                            guint          max,
                            GCancellable  *cancellable,
                            GError       **error)
{
  SyncWait wait = { NULL };
  Settle *settle;
  GTask *task;
  gssize n;

  g_return_val_if_fail (RD_IS_PAY_SERVICE (self), 0);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (max == 0)
    return 0;

  task = g_task_new (self, cancellable, sync_wait_cb, &wait);
  g_task_set_source_tag (task, rd_pay_service_settle_sync);
  settle = g_new0 (Settle, 1);
  settle->max = max;
  g_task_set_task_data (task, settle, (GDestroyNotify) settle_free);
  rd_payments_claim_unsettled_async (self->db, max, self->config.abandoned_after_s,
                                     self->config.lease_s, cancellable, settle_claimed, task);

  n = g_task_propagate_int (G_TASK (sync_wait_run (&wait)), error);
  g_object_unref (wait.result);

  return n > 0 ? (guint) n : 0;
}

/* ---- Checking one order (regdesk-ctl pay query|close) ----------------------------------- */

void
rd_pay_check_free (RdPayCheck *check)
{
  if (check == NULL)
    return;

  g_free (check->out_trade_no);
  g_free (check->status);
  g_free (check->error);
  g_free (check);
}

GPtrArray *
rd_pay_service_check_order_sync (RdPayService  *self,
                                 const char    *order_no,
                                 gboolean       close,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) checks = NULL;

  g_return_val_if_fail (RD_IS_PAY_SERVICE (self), NULL);
  g_return_val_if_fail (order_no != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = rd_payments_list_sync (self->db, order_no, cancellable, error);
  if (rows == NULL)
    return NULL;

  checks = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_pay_check_free);
  for (guint i = 0; i < rows->len; i++)
    {
      RdPaymentRow *row = g_ptr_array_index (rows, i);
      SyncWait wait = { NULL };
      RdPayCheck *check;
      PayJob *job;
      GTask *task;
      RdPaymentGateway gateway;

      if (!gateway_from_method (row->method, &gateway))
        continue;

      /* A succeeded payment is only asked about: never closed. */
      task = pay_job_new (self, row->method, row->scene, row->status, row->out_trade_no,
                          row->amount, 0,
                          close && g_strcmp0 (row->status, "succeeded") != 0
                          ? PAY_JOB_CLOSE : PAY_JOB_QUERY,
                          cancellable, sync_wait_cb, &wait);
      pay_job_start (task);
      sync_wait_run (&wait);
      g_task_propagate_boolean (G_TASK (wait.result), NULL);

      job = g_task_get_task_data (G_TASK (wait.result));
      check = g_new0 (RdPayCheck, 1);
      check->out_trade_no = g_strdup (row->out_trade_no);
      check->gateway = gateway;
      check->trade_state = job->trade_state;
      check->status = g_strdup (job->status != NULL ? job->status : row->status);
      check->error = g_strdup (job->error_text);
      g_ptr_array_add (checks, check);
      g_object_unref (wait.result);
    }

  return g_steal_pointer (&checks);
}
