/* rd-worker.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-services"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-maintenance.h"
#include "rd-outbox.h"
#include "rd-worker.h"

/* Payments and refunds settled per tick at most: a backlog drains over a
 * few ticks instead of holding one tick for minutes. */
#define SETTLE_PER_TICK 50
/* A new outbox row is sent this soon (ms), several rows of one burst
 * together. */
#define WAKE_DELAY_MS   200

struct _RdWorker
{
  GObject        parent_instance;

  RdDb          *db;
  RdSmsSender   *sender;
  RdPayService  *pay;
  guint          interval_s;

  gboolean       running;
  gboolean       ticking;    /* a tick is under way */
  gboolean       again;      /* woken during a tick: tick again after it */
  guint          timer_id;
  gulong         notify_id;
};

G_DEFINE_FINAL_TYPE (RdWorker, rd_worker, G_TYPE_OBJECT)

enum {
  STOPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  RdWorkerReport  report;
  GError         *error;    /* the first step's failure */
} TickData;

static void schedule (RdWorker *self,
                      guint     delay_ms);

static void
tick_data_free (TickData *data)
{
  g_clear_error (&data->error);
  g_free (data);
}

static void
step_failed (TickData   *data,
             const char *step,
             GError     *error)
{
  g_warning ("Worker: %s failed: %s", step, error->message);
  if (data->error == NULL)
    data->error = error;
  else
    g_error_free (error);
}

static void
finish_tick (GTask *task)
{
  RdWorker *self = g_task_get_source_object (task);
  TickData *data = g_task_get_task_data (task);

  if (self->pay != NULL && !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      GError *error = NULL;
      guint settled;

      settled = rd_pay_service_settle_sync (self->pay, SETTLE_PER_TICK,
                                            g_task_get_cancellable (task), &error);
      if (error != NULL)
        step_failed (data, "settling payments", error);
      data->report.settled = settled;
    }

  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
finish_tick_idle (gpointer user_data)
{
  finish_tick (user_data);

  return G_SOURCE_REMOVE;
}

static void
pass_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TickData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!rd_sms_sender_run_pass_finish (RD_SMS_SENDER (source), result, &data->report.sms, &error))
    step_failed (data, "sending the SMS outbox", error);

  /* Settling runs blocking queries: never from inside a connection's own
   * callback, which may be what called us. */
  g_idle_add_full (G_PRIORITY_DEFAULT, finish_tick_idle, task, g_object_unref);
}

static void
tick_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RdWorker *self = RD_WORKER (source);
  g_autoptr(GError) error = NULL;
  RdWorkerReport report = { 0 };

  self->ticking = FALSE;
  if (rd_worker_run_once_finish (self, result, &report, &error))
    {
      if (report.expired > 0 || report.released > 0 || report.no_shows > 0
          || report.lotteries_drawn > 0 || report.reminders > 0 || report.sms.claimed > 0
          || report.settled > 0)
        g_message ("Worker: %d expired, %d released, %d no-shows, %d lotteries drawn, "
                   "%d reminders queued; SMS %u sent, %u to retry, %u dead; %u payments settled",
                   report.expired, report.released, report.no_shows, report.lotteries_drawn,
                   report.reminders, report.sms.sent, report.sms.retried, report.sms.dead,
                   report.settled);
    }

  if (!self->running)
    {
      g_signal_emit (self, signals[STOPPED], 0);
      g_object_unref (self);
      return;
    }

  schedule (self, self->again ? WAKE_DELAY_MS : self->interval_s * 1000);
  self->again = FALSE;
  g_object_unref (self);
}

static gboolean
on_timer (gpointer user_data)
{
  RdWorker *self = user_data;

  self->timer_id = 0;
  self->ticking = TRUE;
  rd_worker_run_once_async (self, NULL, tick_done_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
schedule (RdWorker *self,
          guint     delay_ms)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_id = g_timeout_add (delay_ms, on_timer, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->timer_id),
                            "[regdesk] worker tick");
}

static void
on_notification (RdDb       *db,
                 const char *channel,
                 const char *payload,
                 RdWorker   *self)
{
  if (!self->running || payload == NULL || !g_str_has_prefix (payload, "sms:"))
    return;

  if (self->ticking)
    self->again = TRUE;
  else
    schedule (self, WAKE_DELAY_MS);
}

static void
rd_worker_dispose (GObject *object)
{
  RdWorker *self = (RdWorker *) object;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->notify_id != 0)
    g_clear_signal_handler (&self->notify_id, self->db);
  g_clear_object (&self->db);
  g_clear_object (&self->sender);
  g_clear_object (&self->pay);

  G_OBJECT_CLASS (rd_worker_parent_class)->dispose (object);
}

static void
rd_worker_class_init (RdWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_worker_dispose;

  /* The last tick after rd_worker_stop() is over. */
  signals[STOPPED] = g_signal_new ("stopped",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
rd_worker_init (RdWorker *self)
{
  self->interval_s = 30;
}

RdWorker *
rd_worker_new (RdDb         *db,
               RdSmsSender  *sender,
               RdPayService *pay)
{
  RdWorker *self;

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (sender == NULL || RD_IS_SMS_SENDER (sender), NULL);
  g_return_val_if_fail (pay == NULL || RD_IS_PAY_SERVICE (pay), NULL);

  self = g_object_new (RD_TYPE_WORKER, NULL);
  self->db = g_object_ref (db);
  self->sender = sender != NULL ? g_object_ref (sender) : NULL;
  self->pay = pay != NULL ? g_object_ref (pay) : NULL;

  return self;
}

void
rd_worker_set_interval (RdWorker *self,
                        guint     seconds)
{
  g_return_if_fail (RD_IS_WORKER (self));
  g_return_if_fail (seconds > 0 && seconds <= G_MAXUINT / 1000);

  self->interval_s = seconds;
}

void
rd_worker_run_once_async (RdWorker            *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RdMaintenanceReport maintenance = { 0 };
  TickData *data;
  GError *error = NULL;
  int reminders;

  g_return_if_fail (RD_IS_WORKER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_worker_run_once_async);
  g_task_set_check_cancellable (task, FALSE);
  data = g_new0 (TickData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) tick_data_free);

  /* Expiry first: the slots it releases may go to waiting patients, whose
   * messages this tick then sends. */
  if (rd_maintenance_run_sync (self->db, &maintenance, cancellable, &error))
    {
      data->report.expired = maintenance.expired;
      data->report.lotteries_drawn = maintenance.lotteries_drawn;
      data->report.released = maintenance.released;
      data->report.no_shows = maintenance.no_shows;
    }
  else
    step_failed (data, "maintenance", g_steal_pointer (&error));

  reminders = rd_outbox_enqueue_reminders_sync (self->db, cancellable, &error);
  if (reminders >= 0)
    data->report.reminders = reminders;
  else
    step_failed (data, "queueing reminders", g_steal_pointer (&error));

  if (self->sender != NULL)
    rd_sms_sender_run_pass_async (self->sender, cancellable, pass_cb, g_steal_pointer (&task));
  else
    finish_tick (task);
}

gboolean
rd_worker_run_once_finish (RdWorker        *self,
                           GAsyncResult    *result,
                           RdWorkerReport  *report,
                           GError         **error)
{
  TickData *data;

  g_return_val_if_fail (RD_IS_WORKER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = data->report;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rd_worker_start (RdWorker *self)
{
  g_return_if_fail (RD_IS_WORKER (self));

  if (self->running)
    return;
  self->running = TRUE;

  if (self->notify_id == 0)
    {
      rd_db_listen (self->db, "rd_change");
      self->notify_id = g_signal_connect_object (self->db, "notification",
                                                 G_CALLBACK (on_notification), self, 0);
    }
  if (!self->ticking)
    schedule (self, 0);
}

void
rd_worker_stop (RdWorker *self)
{
  g_return_if_fail (RD_IS_WORKER (self));

  if (!self->running)
    return;
  self->running = FALSE;
  self->again = FALSE;
  g_clear_handle_id (&self->timer_id, g_source_remove);

  if (!self->ticking)
    g_signal_emit (self, signals[STOPPED], 0);
}

gboolean
rd_worker_is_running (RdWorker *self)
{
  g_return_val_if_fail (RD_IS_WORKER (self), FALSE);

  return self->running;
}
