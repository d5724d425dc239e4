/* test-pay-flow.c: the wait-and-query state machines, by hand and driven
 * against a scripted provider on a clock that jumps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-gateway-error.h"
#include "rd-pay-flow.h"

/* ---- A scripted provider -------------------------------------------------- */

typedef enum
{
  OP_PAY,
  OP_CREATE,
  OP_QUERY,
  OP_CLOSE,
  OP_REVERSE,
  N_OPS
} Op;

static const char * const op_names[] = { "pay", "create", "query", "close", "reverse" };

typedef struct
{
  RdTradeState   state;       /* when no error */
  gint64         amount;      /* -1: the order's */
  RdGatewayError error;       /* with error_set */
  gboolean       error_set;
  const char    *gateway_code;
} Outcome;

#define OK_STATE(s)  ((Outcome) { RD_TRADE_STATE_##s, -1, 0, FALSE, NULL })
#define FAIL(e, c)   ((Outcome) { RD_TRADE_STATE_UNKNOWN, -1, RD_GATEWAY_ERROR_##e, TRUE, c })

#define TEST_TYPE_PROVIDER (test_provider_get_type ())
G_DECLARE_FINAL_TYPE (TestProvider, test_provider, TEST, PROVIDER, GObject)

struct _TestProvider
{
  GObject           parent_instance;
  RdPaymentGateway  gateway;
  GQueue            script[N_OPS];   /* Outcome* */
  Outcome           fallback[N_OPS];
  GString          *log;             /* "pay@0 query@5000 ..." */
  gint64           *now_ms;
};

static void test_provider_iface_init (RdPaymentProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestProvider, test_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RD_TYPE_PAYMENT_PROVIDER,
                                                      test_provider_iface_init))

static void
script (TestProvider *self,
        Op            op,
        Outcome       outcome)
{
  g_queue_push_tail (&self->script[op], g_memdup2 (&outcome, sizeof outcome));
}

static void
answer (TestProvider *self,
        Op            op,
        const char   *out_trade_no,
        gint64        order_amount,
        GTask        *task)
{
  g_autofree Outcome *scripted = g_queue_pop_head (&self->script[op]);
  Outcome outcome = scripted != NULL ? *scripted : self->fallback[op];

  g_string_append_printf (self->log, "%s@%" G_GINT64_FORMAT " ", op_names[op], *self->now_ms);

  if (outcome.error_set)
    g_task_return_error (task, rd_gateway_error_new_from_gateway (outcome.error,
                                                                  outcome.gateway_code, 400,
                                                                  "scripted %s",
                                                                  outcome.gateway_code != NULL
                                                                  ? outcome.gateway_code : ""));
  else if (op == OP_CLOSE || op == OP_REVERSE)
    g_task_return_boolean (task, TRUE);
  else
    {
      RdPayResult *result = rd_pay_result_new (out_trade_no, outcome.state);

      result->amount = outcome.amount >= 0 ? outcome.amount : order_amount;
      if (op == OP_CREATE)
        result->code_url = g_strdup ("weixin://wxpay/bizpayurl?pr=test");
      g_task_return_pointer (task, result, (GDestroyNotify) rd_pay_result_free);
    }
}

static GTask *
new_task (TestProvider        *self,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  return g_task_new (self, cancellable, callback, user_data);
}

static RdPaymentGateway
tp_get_gateway (RdPaymentProvider *p)
{
  return TEST_PROVIDER (p)->gateway;
}

static void
tp_create_qr_async (RdPaymentProvider *p, const RdPayOrder *order, GCancellable *c,
                    GAsyncReadyCallback cb, gpointer ud)
{
  g_autoptr(GTask) task = new_task (TEST_PROVIDER (p), c, cb, ud);

  answer (TEST_PROVIDER (p), OP_CREATE, order->out_trade_no, order->amount, task);
}

static void
tp_pay_code_async (RdPaymentProvider *p, const RdPayOrder *order, const char *code,
                   GCancellable *c, GAsyncReadyCallback cb, gpointer ud)
{
  g_autoptr(GTask) task = new_task (TEST_PROVIDER (p), c, cb, ud);

  answer (TEST_PROVIDER (p), OP_PAY, order->out_trade_no, order->amount, task);
}

static void
tp_query_async (RdPaymentProvider *p, const char *no, GCancellable *c,
                GAsyncReadyCallback cb, gpointer ud)
{
  g_autoptr(GTask) task = new_task (TEST_PROVIDER (p), c, cb, ud);

  answer (TEST_PROVIDER (p), OP_QUERY, no, 1200, task);
}

static void
tp_close_async (RdPaymentProvider *p, const char *no, GCancellable *c,
                GAsyncReadyCallback cb, gpointer ud)
{
  g_autoptr(GTask) task = new_task (TEST_PROVIDER (p), c, cb, ud);

  answer (TEST_PROVIDER (p), OP_CLOSE, no, 1200, task);
}

static void
tp_reverse_async (RdPaymentProvider *p, const char *no, GCancellable *c,
                  GAsyncReadyCallback cb, gpointer ud)
{
  g_autoptr(GTask) task = new_task (TEST_PROVIDER (p), c, cb, ud);

  answer (TEST_PROVIDER (p), OP_REVERSE, no, 1200, task);
}

static void
test_provider_iface_init (RdPaymentProviderInterface *iface)
{
  iface->get_gateway = tp_get_gateway;
  iface->create_qr_async = tp_create_qr_async;
  iface->pay_code_async = tp_pay_code_async;
  iface->query_async = tp_query_async;
  iface->close_async = tp_close_async;
  iface->reverse_async = tp_reverse_async;
}

static void
test_provider_finalize (GObject *object)
{
  TestProvider *self = TEST_PROVIDER (object);

  for (guint i = 0; i < N_OPS; i++)
    g_queue_clear_full (&self->script[i], g_free);
  g_string_free (self->log, TRUE);

  G_OBJECT_CLASS (test_provider_parent_class)->finalize (object);
}

static void
test_provider_class_init (TestProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_provider_finalize;
}

static void
test_provider_init (TestProvider *self)
{
  self->log = g_string_new (NULL);
  for (guint i = 0; i < N_OPS; i++)
    g_queue_init (&self->script[i]);
  self->fallback[OP_PAY] = OK_STATE (SUCCESS);
  self->fallback[OP_CREATE] = OK_STATE (NOTPAY);
  self->fallback[OP_QUERY] = OK_STATE (USERPAYING);
  self->fallback[OP_CLOSE] = OK_STATE (CLOSED);
  self->fallback[OP_REVERSE] = OK_STATE (REVOKED);
}

/* ---- A clock that jumps --------------------------------------------------- */

typedef struct
{
  gint64 now_ms;
} FakeClock;

static gint64
fake_now (gpointer data)
{
  return ((FakeClock *) data)->now_ms;
}

static guint
fake_schedule (gpointer     data,
               guint        delay_ms,
               GSourceFunc  func,
               gpointer     user_data)
{
  ((FakeClock *) data)->now_ms += delay_ms;

  return g_idle_add (func, user_data);
}

static void
fake_cancel (gpointer data,
             guint    id)
{
  g_source_remove (id);
}

static const RdPayClock fake_clock_vtable = { fake_now, fake_schedule, fake_cancel };

/* ---- Running a flow ------------------------------------------------------- */

typedef struct
{
  FakeClock     clock;
  TestProvider *provider;
  RdPayOrder   *order;
  GMainLoop    *loop;
  RdPayFlowState final;
  GError       *error;
  gboolean      abort_at_first_wait;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->provider = g_object_new (TEST_TYPE_PROVIDER, NULL);
  f->provider->gateway = GPOINTER_TO_INT (data);
  f->provider->now_ms = &f->clock.now_ms;
  f->order = rd_pay_order_new ("RD20240501000001", "挂号费", 1200);
  f->loop = g_main_loop_new (NULL, FALSE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->provider);
  rd_pay_order_free (f->order);
  g_main_loop_unref (f->loop);
  g_clear_error (&f->error);
}

static void
run_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Fixture *f = user_data;

  f->final = rd_pay_flow_run_finish (RD_PAY_FLOW (source), result, &f->error);
  g_main_loop_quit (f->loop);
}

static RdPayFlow *
run (Fixture      *f,
     RdPayFlowKind kind,
     GCancellable *cancellable)
{
  g_autoptr(RdPayFlow) flow = NULL;

  if (kind == RD_PAY_FLOW_KIND_CODE)
    flow = rd_pay_flow_new_code (RD_PAYMENT_PROVIDER (f->provider), f->order,
                                 "134567890123456789", NULL);
  else
    flow = rd_pay_flow_new_qr (RD_PAYMENT_PROVIDER (f->provider), f->order, NULL);
  rd_pay_flow_set_clock (flow, &fake_clock_vtable, &f->clock);

  rd_pay_flow_run_async (flow, cancellable, run_cb, f);
  g_main_loop_run (f->loop);

  g_assert_true (f->error != NULL || rd_pay_flow_state_is_final (f->final));
  g_assert_cmpuint (rd_pay_flow_get_n_charges (flow), <=, 1);

  return g_steal_pointer (&flow);
}

#define LOG(f) ((f)->provider->log->str)

static void
test_code_paid_at_once (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = run (f, RD_PAY_FLOW_KIND_CODE, NULL);

  g_assert_no_error (f->error);
  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_cmpstr (LOG (f), ==, "pay@0 ");
  g_assert_cmpint (rd_pay_flow_get_result (flow)->state, ==, RD_TRADE_STATE_SUCCESS);
}

static void
test_code_userpaying (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_PAY, OK_STATE (USERPAYING));
  script (f->provider, OP_QUERY, OK_STATE (USERPAYING));
  script (f->provider, OP_QUERY, OK_STATE (USERPAYING));
  script (f->provider, OP_QUERY, OK_STATE (SUCCESS));
  flow = run (f, RD_PAY_FLOW_KIND_CODE, NULL);

  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_PAID);
  /* WeChat Pay: about every 10 s. */
  g_assert_cmpstr (LOG (f), ==, "pay@0 query@10000 query@20000 query@30000 ");
  g_assert_cmpint (rd_pay_flow_get_trade_state (flow), ==, RD_TRADE_STATE_SUCCESS);
}

static void
test_code_system_error_then_query (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_PAY, FAIL (RETRY, "SYSTEM_ERROR"));
  script (f->provider, OP_QUERY, OK_STATE (SUCCESS));
  flow = run (f, RD_PAY_FLOW_KIND_CODE, NULL);

  /* Query after 5 s; never a second charge. */
  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_cmpstr (LOG (f), ==, "pay@0 query@5000 ");
}

static void
test_code_timeout_then_reverse (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_PAY, FAIL (TIMEOUT, NULL));
  f->provider->fallback[OP_QUERY] = FAIL (REJECTED, "ORDER_NOT_EXIST");
  flow = run (f, RD_PAY_FLOW_KIND_CODE, NULL);

  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_NOT_PAID);
  g_assert_cmpstr (LOG (f), ==,
                   "pay@0 query@5000 query@15000 query@25000 query@35000 query@45000 "
                   "reverse@45000 ");
}

static void
test_code_reverse_waits (Fixture       *f,
                         gconstpointer  data)
{
  RdPayFlowConfig config;
  g_autoptr(RdPayFlow) flow = NULL;

  /* Polling gives up after 8 s; the reverse still waits for 15 s. */
  rd_pay_flow_config_init (&config, RD_PAYMENT_GATEWAY_WECHATPAY, RD_PAY_FLOW_KIND_CODE, 0);
  config.max_wait_ms = 8000;
  config.poll_interval_ms = 4000;
  script (f->provider, OP_PAY, OK_STATE (USERPAYING));
  script (f->provider, OP_REVERSE, FAIL (RETRY, "SYSTEM_ERROR"));
  script (f->provider, OP_REVERSE, FAIL (NETWORK, NULL));

  flow = rd_pay_flow_new_code (RD_PAYMENT_PROVIDER (f->provider), f->order, "134567890123456789",
                               &config);
  rd_pay_flow_set_clock (flow, &fake_clock_vtable, &f->clock);
  rd_pay_flow_run_async (flow, NULL, run_cb, f);
  g_main_loop_run (f->loop);

  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_NOT_PAID);
  g_assert_cmpstr (LOG (f), ==,
                   "pay@0 query@4000 query@8000 reverse@15000 reverse@17000 reverse@19000 ");
}

static void
test_code_reverse_gives_up (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_PAY, FAIL (NETWORK, NULL));
  f->provider->fallback[OP_QUERY] = FAIL (TIMEOUT, NULL);
  f->provider->fallback[OP_REVERSE] = FAIL (TIMEOUT, NULL);
  flow = run (f, RD_PAY_FLOW_KIND_CODE, NULL);

  /* Alipay: 5 queries 5 s apart, then 3 cancels 2 s apart, then a person. */
  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_UNKNOWN);
  g_assert_cmpstr (LOG (f), ==,
                   "pay@0 query@5000 query@10000 query@15000 query@20000 query@25000 "
                   "reverse@25000 reverse@27000 reverse@29000 ");
  g_assert_error (rd_pay_flow_get_last_error (flow), RD_GATEWAY_ERROR,
                  RD_GATEWAY_ERROR_TIMEOUT);
}

static void
test_code_refused (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_PAY, FAIL (REJECTED, "NOTENOUGH"));
  flow = run (f, RD_PAY_FLOW_KIND_CODE, NULL);

  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_NOT_PAID);
  g_assert_cmpstr (LOG (f), ==, "pay@0 ");
  g_assert_cmpstr (rd_gateway_error_get_gateway_code (rd_pay_flow_get_last_error (flow)), ==,
                   "NOTENOUGH");
}

static void
test_code_refusal_that_may_be_paid (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_PAY, FAIL (REJECTED, "ACQ.TRADE_HAS_SUCCESS"));
  script (f->provider, OP_QUERY, OK_STATE (SUCCESS));
  flow = run (f, RD_PAY_FLOW_KIND_CODE, NULL);

  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_cmpstr (LOG (f), ==, "pay@0 query@5000 ");
}

static void
test_code_query_refusal_is_not_an_answer (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_PAY, FAIL (TIMEOUT, NULL));
  script (f->provider, OP_QUERY, FAIL (REJECTED, "PARAM_ERROR"));
  script (f->provider, OP_QUERY, FAIL (SIGNATURE, NULL));
  script (f->provider, OP_QUERY, OK_STATE (SUCCESS));
  flow = run (f, RD_PAY_FLOW_KIND_CODE, NULL);

  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_cmpstr (LOG (f), ==, "pay@0 query@5000 query@15000 query@25000 ");
}

static void
test_code_wrong_amount (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;
  Outcome odd = OK_STATE (SUCCESS);

  odd.amount = 1;
  script (f->provider, OP_PAY, odd);
  flow = run (f, RD_PAY_FLOW_KIND_CODE, NULL);

  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_UNKNOWN);
  g_assert_error (rd_pay_flow_get_last_error (flow), RD_GATEWAY_ERROR,
                  RD_GATEWAY_ERROR_UNKNOWN_OUTCOME);
}

static void
test_code_reverse_refused (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_PAY, OK_STATE (USERPAYING));
  script (f->provider, OP_REVERSE, FAIL (REJECTED, "REVERSE_EXPIRE"));
  f->provider->fallback[OP_QUERY] = OK_STATE (USERPAYING);
  script (f->provider, OP_QUERY, OK_STATE (USERPAYING));
  script (f->provider, OP_QUERY, OK_STATE (USERPAYING));
  script (f->provider, OP_QUERY, OK_STATE (USERPAYING));
  script (f->provider, OP_QUERY, OK_STATE (USERPAYING));
  script (f->provider, OP_QUERY, OK_STATE (SUCCESS));
  flow = run (f, RD_PAY_FLOW_KIND_CODE, NULL);

  /* The reverse was refused and the last look says paid: it is paid. */
  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_true (g_str_has_suffix (LOG (f), "reverse@40000 query@40000 "));
}

static void
test_code_abort (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_PAY, OK_STATE (USERPAYING));
  flow = rd_pay_flow_new_code (RD_PAYMENT_PROVIDER (f->provider), f->order,
                               "134567890123456789", NULL);
  rd_pay_flow_set_clock (flow, &fake_clock_vtable, &f->clock);
  rd_pay_flow_run_async (flow, NULL, run_cb, f);
  /* The flow waits for its first query: the clerk gives up. */
  while (rd_pay_flow_get_state (flow) != RD_PAY_FLOW_STATE_WAIT_QUERY)
    g_main_context_iteration (NULL, TRUE);
  rd_pay_flow_abort (flow);
  g_main_loop_run (f->loop);

  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_NOT_PAID);
  g_assert_cmpstr (LOG (f), ==, "pay@0 reverse@15000 ");
}

static void
test_code_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  script (f->provider, OP_PAY, OK_STATE (USERPAYING));
  flow = rd_pay_flow_new_code (RD_PAYMENT_PROVIDER (f->provider), f->order,
                               "134567890123456789", NULL);
  rd_pay_flow_set_clock (flow, &fake_clock_vtable, &f->clock);
  rd_pay_flow_run_async (flow, cancellable, run_cb, f);
  g_cancellable_cancel (cancellable);
  g_main_loop_run (f->loop);

  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (LOG (f), ==, "pay@0 ");
}

static void
test_qr_paid (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_QUERY, FAIL (REJECTED, "ACQ.TRADE_NOT_EXIST"));
  script (f->provider, OP_QUERY, OK_STATE (USERPAYING));
  script (f->provider, OP_QUERY, OK_STATE (SUCCESS));
  flow = run (f, RD_PAY_FLOW_KIND_QR, NULL);

  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_cmpstr (rd_pay_flow_get_code_url (flow), ==, "weixin://wxpay/bizpayurl?pr=test");
  g_assert_cmpstr (LOG (f), ==, "create@0 query@3000 query@6000 query@9000 ");
}

static void
test_qr_expires (Fixture       *f,
                 gconstpointer  data)
{
  RdPayFlowConfig config;
  g_autoptr(RdPayFlow) flow = NULL;

  rd_pay_flow_config_init (&config, RD_PAYMENT_GATEWAY_WECHATPAY, RD_PAY_FLOW_KIND_QR, 10000);
  f->provider->fallback[OP_QUERY] = OK_STATE (NOTPAY);
  script (f->provider, OP_QUERY, OK_STATE (NOTPAY));
  script (f->provider, OP_QUERY, OK_STATE (NOTPAY));
  script (f->provider, OP_QUERY, OK_STATE (NOTPAY));
  script (f->provider, OP_QUERY, OK_STATE (CLOSED));

  flow = rd_pay_flow_new_qr (RD_PAYMENT_PROVIDER (f->provider), f->order, &config);
  rd_pay_flow_set_clock (flow, &fake_clock_vtable, &f->clock);
  rd_pay_flow_run_async (flow, NULL, run_cb, f);
  g_main_loop_run (f->loop);

  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_NOT_PAID);
  g_assert_cmpstr (LOG (f), ==, "create@0 query@3000 query@6000 query@9000 close@9000 "
                                "query@9000 ");
}

static void
test_qr_patient_faster_than_close (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  script (f->provider, OP_CREATE, FAIL (TIMEOUT, NULL));
  script (f->provider, OP_CREATE, OK_STATE (NOTPAY));
  f->provider->fallback[OP_QUERY] = OK_STATE (NOTPAY);
  script (f->provider, OP_CLOSE, FAIL (REJECTED, "ORDERPAID"));

  flow = rd_pay_flow_new_qr (RD_PAYMENT_PROVIDER (f->provider), f->order, NULL);
  rd_pay_flow_set_clock (flow, &fake_clock_vtable, &f->clock);
  rd_pay_flow_run_async (flow, NULL, run_cb, f);
  while (rd_pay_flow_get_state (flow) != RD_PAY_FLOW_STATE_WAIT_QUERY)
    g_main_context_iteration (NULL, TRUE);
  f->provider->fallback[OP_QUERY] = OK_STATE (SUCCESS);
  rd_pay_flow_abort (flow);
  g_main_loop_run (f->loop);

  /* The clerk gave up, but the patient had paid: the close is refused and
   * the last look finds the money. */
  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_PAID);
  g_assert_cmpstr (LOG (f), ==, "create@0 create@2000 close@5000 query@5000 ");
}

static void
test_qr_abort (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RdPayFlow) flow = NULL;

  f->provider->fallback[OP_QUERY] = FAIL (REJECTED, "ORDER_NOT_EXIST");
  flow = rd_pay_flow_new_qr (RD_PAYMENT_PROVIDER (f->provider), f->order, NULL);
  rd_pay_flow_set_clock (flow, &fake_clock_vtable, &f->clock);
  rd_pay_flow_run_async (flow, NULL, run_cb, f);
  rd_pay_flow_abort (flow);
  g_main_loop_run (f->loop);

  /* Closed, and the gateway shows no payment: not paid. */
  g_assert_cmpint (f->final, ==, RD_PAY_FLOW_STATE_NOT_PAID);
  g_assert_cmpstr (LOG (f), ==, "create@0 close@0 query@0 ");
}

/* ---- The table by hand ---------------------------------------------------- */

static void
test_machine_never_pays_twice (void)
{
  static const RdPayFlowEvent events[] = {
    RD_PAY_FLOW_EVENT_CREATED, RD_PAY_FLOW_EVENT_PAID, RD_PAY_FLOW_EVENT_PENDING,
    RD_PAY_FLOW_EVENT_REFUSED, RD_PAY_FLOW_EVENT_ERROR, RD_PAY_FLOW_EVENT_DONE,
    RD_PAY_FLOW_EVENT_TIMER, RD_PAY_FLOW_EVENT_ABORT, RD_PAY_FLOW_EVENT_ANOMALY,
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);

  /* Random but possible answers for each action: whatever happens, one
   * charge at most, PAID only on a PAID event, and always an end. */
  for (guint run_no = 0; run_no < 5000; run_no++)
    {
      RdPayFlowKind kind = run_no % 2 ? RD_PAY_FLOW_KIND_QR : RD_PAY_FLOW_KIND_CODE;
      RdPayFlowConfig config;
      RdPayFlowMachine m;
      RdPayFlowAction action;
      gint64 now = 0;
      guint charges = 0, steps = 0, delay;

      rd_pay_flow_config_init (&config, run_no % 4 < 2 ? RD_PAYMENT_GATEWAY_WECHATPAY
                                                        : RD_PAYMENT_GATEWAY_ALIPAY, kind, 0);
      rd_pay_flow_machine_init (&m, kind);
      action = rd_pay_flow_machine_step (&m, &config, RD_PAY_FLOW_EVENT_BEGIN, now, &delay);

      while (action != RD_PAY_FLOW_ACTION_FINISH)
        {
          RdPayFlowEvent event;

          g_assert_cmpuint (++steps, <, 1000);
          switch (action)
            {
            case RD_PAY_FLOW_ACTION_PAY:
              charges++;
              event = events[1 + g_rand_int_range (rand, 0, 4)];
              break;
            case RD_PAY_FLOW_ACTION_CREATE:
              event = g_rand_boolean (rand) ? RD_PAY_FLOW_EVENT_CREATED
                                            : events[3 + g_rand_int_range (rand, 0, 2)];
              break;
            case RD_PAY_FLOW_ACTION_QUERY:
              event = events[1 + g_rand_int_range (rand, 0, 4)];
              if (g_rand_int_range (rand, 0, 50) == 0)
                event = RD_PAY_FLOW_EVENT_ANOMALY;
              break;
            case RD_PAY_FLOW_ACTION_REVERSE:
            case RD_PAY_FLOW_ACTION_CLOSE:
              event = events[3 + g_rand_int_range (rand, 0, 3)];
              break;
            case RD_PAY_FLOW_ACTION_WAIT:
              now += delay;
              event = RD_PAY_FLOW_EVENT_TIMER;
              if (g_rand_int_range (rand, 0, 10) == 0 && m.state == RD_PAY_FLOW_STATE_WAIT_QUERY)
                event = RD_PAY_FLOW_EVENT_ABORT;
              break;
            case RD_PAY_FLOW_ACTION_NONE:
            case RD_PAY_FLOW_ACTION_FINISH:
            default:
              g_assert_not_reached ();
            }

          {
            RdPayFlowState before = m.state;

            action = rd_pay_flow_machine_step (&m, &config, event, now, &delay);
            if (m.state == RD_PAY_FLOW_STATE_PAID)
              g_assert_cmpint (event, ==, RD_PAY_FLOW_EVENT_PAID);
            g_assert_true (m.state != before || action == RD_PAY_FLOW_ACTION_WAIT);
          }
        }

      g_assert_cmpuint (charges, <=, 1);
      g_assert_true (rd_pay_flow_state_is_final (m.state));
      /* A code payment is never left open after its last wait. */
      g_assert_cmpint (now, <=, 120000);
    }
}

static void
test_machine_impossible_event (void)
{
  RdPayFlowConfig config;
  RdPayFlowMachine m;
  RdPayFlowAction action;

  rd_pay_flow_config_init (&config, RD_PAYMENT_GATEWAY_WECHATPAY, RD_PAY_FLOW_KIND_CODE, 0);
  rd_pay_flow_machine_init (&m, RD_PAY_FLOW_KIND_CODE);
  rd_pay_flow_machine_step (&m, &config, RD_PAY_FLOW_EVENT_BEGIN, 0, NULL);
  g_assert_cmpint (m.state, ==, RD_PAY_FLOW_STATE_PAYING);

  /* A "created" while charging a code: not in the table, so UNKNOWN. */
  g_test_expect_message ("regdesk-gateway", G_LOG_LEVEL_WARNING, "*no transition*");
  action = rd_pay_flow_machine_step (&m, &config, RD_PAY_FLOW_EVENT_CREATED, 0, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpint (action, ==, RD_PAY_FLOW_ACTION_FINISH);
  g_assert_cmpint (m.state, ==, RD_PAY_FLOW_STATE_UNKNOWN);

  /* Final states stay final. */
  action = rd_pay_flow_machine_step (&m, &config, RD_PAY_FLOW_EVENT_PAID, 0, NULL);
  g_assert_cmpint (action, ==, RD_PAY_FLOW_ACTION_NONE);
  g_assert_cmpint (m.state, ==, RD_PAY_FLOW_STATE_UNKNOWN);
}

int
main (int   argc,
      char *argv[])
{
  gconstpointer wechat = GINT_TO_POINTER (RD_PAYMENT_GATEWAY_WECHATPAY);
  gconstpointer alipay = GINT_TO_POINTER (RD_PAYMENT_GATEWAY_ALIPAY);

  g_test_init (&argc, &argv, NULL);

#define ADD(path, gw, func) \
  g_test_add ("/gateway/pay-flow/" path, Fixture, gw, fixture_setup, func, fixture_teardown)
  ADD ("code/paid-at-once", wechat, test_code_paid_at_once);
  ADD ("code/userpaying-then-success", wechat, test_code_userpaying);
  ADD ("code/system-error-then-query", wechat, test_code_system_error_then_query);
  ADD ("code/timeout-then-reverse", wechat, test_code_timeout_then_reverse);
  ADD ("code/reverse-not-too-soon", wechat, test_code_reverse_waits);
  ADD ("code/alipay-cancel-gives-up", alipay, test_code_reverse_gives_up);
  ADD ("code/refused", wechat, test_code_refused);
  ADD ("code/refusal-that-may-be-paid", alipay, test_code_refusal_that_may_be_paid);
  ADD ("code/query-refusal-is-no-answer", wechat, test_code_query_refusal_is_not_an_answer);
  ADD ("code/wrong-amount", wechat, test_code_wrong_amount);
  ADD ("code/reverse-refused", wechat, test_code_reverse_refused);
  ADD ("code/abort", wechat, test_code_abort);
  ADD ("code/cancel", wechat, test_code_cancel);
  ADD ("qr/paid", alipay, test_qr_paid);
  ADD ("qr/expires", wechat, test_qr_expires);
  ADD ("qr/patient-faster-than-close", wechat, test_qr_patient_faster_than_close);
  ADD ("qr/abort", wechat, test_qr_abort);
#undef ADD
  g_test_add_func ("/gateway/pay-flow/machine/never-pays-twice", test_machine_never_pays_twice);
  g_test_add_func ("/gateway/pay-flow/machine/impossible-event", test_machine_impossible_event);

  return g_test_run ();
}
