/* rd-sms-sender.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-services"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-aliyun-sms.h"
#include "rd-gateway-error.h"
#include "rd-gateway-http.h"
#include "rd-outbox.h"
#include "rd-sms-sender.h"
#include "rd-tencent-sms.h"

/* A gateway that asked us to slow down is left alone this long at least. */
#define BUSY_RETRY_AFTER_S 60

struct _RdSmsSender
{
  GObject        parent_instance;

  RdDb          *db;
  RdSmsProvider *provider;
  char          *worker;
  guint          batch_size;
  guint          max_batches;
};

G_DEFINE_FINAL_TYPE (RdSmsSender, rd_sms_sender, G_TYPE_OBJECT)

typedef struct
{
  GPtrArray       *rows;      /* RdOutboxRow of the batch being sent */
  guint            pending;   /* sends and records not finished */
  guint            batches;
  RdSmsPassReport  report;
  GError          *db_error;  /* the first failure to record a result */
} PassData;

typedef struct
{
  GTask       *task;          /* the pass */
  RdOutboxRow *row;           /* owned by the pass's rows */
} RowOp;

static void claim_next (GTask *task);

static void
pass_data_free (PassData *data)
{
  g_clear_pointer (&data->rows, g_ptr_array_unref);
  g_clear_error (&data->db_error);
  g_free (data);
}

static const char *
provider_name (RdSmsSender *self)
{
  return rd_sms_gateway_to_string (rd_sms_provider_get_gateway (self->provider));
}

char *
rd_sms_mask_phone (const char *phone)
{
  gsize len;

  g_return_val_if_fail (phone != NULL, NULL);

  len = strlen (phone);
  if (len < 8)
    return g_strdup ("****");

  return g_strdup_printf ("%.*s****%s", (int) (len - 8), phone, phone + len - 4);
}

/* One row's part of the pass is over. */
static void
row_done (RowOp *op)
{
  GTask *task = op->task;
  PassData *data = g_task_get_task_data (task);

  g_free (op);
  g_assert (data->pending > 0);
  if (--data->pending > 0)
    {
      g_object_unref (task);
      return;
    }

  if (data->db_error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->db_error));
  else
    claim_next (task);
  g_object_unref (task);
}

static void
mark_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RowOp *op = user_data;
  PassData *data = g_task_get_task_data (op->task);
  g_autoptr(GError) error = NULL;
  gboolean held = FALSE;

  if (!rd_outbox_mark_sent_finish (RD_DB (source), result, &held, &error))
    {
      g_warning ("Could not record SMS %" G_GINT64_FORMAT " as sent: %s", op->row->id,
                 error->message);
      if (data->db_error == NULL)
        data->db_error = g_steal_pointer (&error);
    }
  else if (held)
    data->report.sent++;
  else
    data->report.lost++;

  row_done (op);
}

static void
mark_failed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RowOp *op = user_data;
  PassData *data = g_task_get_task_data (op->task);
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  status = rd_outbox_mark_failed_finish (RD_DB (source), result, &error);
  if (error != NULL)
    {
      g_warning ("Could not record the failure of SMS %" G_GINT64_FORMAT ": %s", op->row->id,
                 error->message);
      if (data->db_error == NULL)
        data->db_error = g_steal_pointer (&error);
    }
  else if (status == NULL)
    data->report.lost++;
  else if (g_str_equal (status, "dead"))
    data->report.dead++;
  else
    data->report.retried++;

  row_done (op);
}

static void
record_failure (RowOp        *op,
                const GError *error)
{
  RdSmsSender *self = g_task_get_source_object (op->task);
  g_autofree char *masked = rd_sms_mask_phone (op->row->to_phone);
  gboolean retryable;

  /* A cancelled send may or may not have left: like a timeout. */
  retryable = rd_gateway_error_is_retryable (error)
              || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_message ("SMS %" G_GINT64_FORMAT " (%s) to %s, attempt %d, failed%s: %s", op->row->id,
             op->row->template_name, masked, op->row->attempt,
             retryable ? "" : " for good", error->message);

  rd_outbox_mark_failed_async (self->db, op->row, provider_name (self), error->message,
                               retryable,
                               rd_sms_error_is_rate_limited (error) ? BUSY_RETRY_AFTER_S : 0,
                               NULL, mark_failed_cb, op);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  RowOp *op = user_data;
  RdSmsSender *self = g_task_get_source_object (op->task);
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *masked = NULL;

  message_id = rd_sms_provider_send_finish (RD_SMS_PROVIDER (source), result, &error);
  if (message_id == NULL)
    {
      record_failure (op, error);
      return;
    }

  masked = rd_sms_mask_phone (op->row->to_phone);
  g_message ("SMS %" G_GINT64_FORMAT " (%s) to %s sent through %s as %s", op->row->id,
             op->row->template_name, masked, provider_name (self), message_id);
  rd_outbox_mark_sent_async (self->db, op->row, provider_name (self), message_id, NULL,
                             mark_sent_cb, op);
}

static void
send_row (GTask       *task,
          RdOutboxRow *row)
{
  RdSmsSender *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) params = NULL;
  g_autoptr(GError) error = NULL;
  RowOp *op = g_new0 (RowOp, 1);
  RdSmsTemplate template_;

  op->task = g_object_ref (task);
  op->row = row;

  if (!rd_sms_template_from_string (row->template_name, &template_))
    {
      g_set_error (&error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                   _("There is no text message called “%s”"), row->template_name);
      record_failure (op, error);
      return;
    }
  params = rd_gateway_json_parse_object (row->params_json != NULL ? row->params_json : "",
                                         row->params_json != NULL ? strlen (row->params_json) : 0,
                                         &error);
  if (params == NULL)
    {
      record_failure (op, error);
      return;
    }

  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    {
      const char *sign = rd_sms_provider_get_sign_name (self->provider);
      g_autofree char *text = rd_sms_template_render (template_, sign, params, NULL);

      g_debug ("SMS %" G_GINT64_FORMAT ": %s", row->id, text != NULL ? text : "?");
    }

  rd_sms_provider_send_async (self->provider, row->to_phone, template_, params, row->dedup_key,
                              NULL, send_cb, op);
}

static void
claim_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  rows = rd_outbox_claim_finish (RD_DB (source), result, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_clear_pointer (&data->rows, g_ptr_array_unref);
  data->rows = g_steal_pointer (&rows);
  data->batches++;
  data->report.claimed += data->rows->len;
  if (data->rows->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Every row of the batch at once: the gateways answer in parallel. Each
   * RowOp holds a reference on the task until its result is recorded. */
  data->pending = data->rows->len;
  for (guint i = 0; i < data->rows->len; i++)
    send_row (task, g_ptr_array_index (data->rows, i));
}

/* Claims the next batch, or completes the pass. Consumes no reference. */
static void
claim_next (GTask *task)
{
  RdSmsSender *self = g_task_get_source_object (task);
  PassData *data = g_task_get_task_data (task);

  if (data->rows != NULL && (data->rows->len < self->batch_size
                             || data->batches >= self->max_batches
                             || g_cancellable_is_cancelled (g_task_get_cancellable (task))))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  rd_outbox_claim_async (self->db, self->worker, self->batch_size,
                         g_task_get_cancellable (task), claim_cb, g_object_ref (task));
}

static void
rd_sms_sender_dispose (GObject *object)
{
  RdSmsSender *self = (RdSmsSender *) object;

  g_clear_object (&self->db);
  g_clear_object (&self->provider);

  G_OBJECT_CLASS (rd_sms_sender_parent_class)->dispose (object);
}

static void
rd_sms_sender_finalize (GObject *object)
{
  RdSmsSender *self = (RdSmsSender *) object;

  g_free (self->worker);

  G_OBJECT_CLASS (rd_sms_sender_parent_class)->finalize (object);
}

static void
rd_sms_sender_class_init (RdSmsSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_sms_sender_dispose;
  object_class->finalize = rd_sms_sender_finalize;
}

static void
rd_sms_sender_init (RdSmsSender *self)
{
  self->batch_size = 20;
  self->max_batches = 10;
}

RdSmsSender *
rd_sms_sender_new (RdDb          *db,
                   RdSmsProvider *provider,
                   const char    *worker)
{
  RdSmsSender *self;

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (RD_IS_SMS_PROVIDER (provider), NULL);
  g_return_val_if_fail (worker != NULL && *worker != '\0', NULL);

  self = g_object_new (RD_TYPE_SMS_SENDER, NULL);
  self->db = g_object_ref (db);
  self->provider = g_object_ref (provider);
  self->worker = g_strdup (worker);

  return self;
}

RdSmsProvider *
rd_sms_sender_get_provider (RdSmsSender *self)
{
  g_return_val_if_fail (RD_IS_SMS_SENDER (self), NULL);

  return self->provider;
}

void
rd_sms_sender_set_batch_size (RdSmsSender *self,
                              guint        batch_size,
                              guint        max_batches)
{
  g_return_if_fail (RD_IS_SMS_SENDER (self));
  g_return_if_fail (batch_size > 0 && max_batches > 0);

  self->batch_size = batch_size;
  self->max_batches = max_batches;
}

void
rd_sms_sender_run_pass_async (RdSmsSender         *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RD_IS_SMS_SENDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_sms_sender_run_pass_async);
  /* The pass records what it claimed even when cancelled meanwhile. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_new0 (PassData, 1), (GDestroyNotify) pass_data_free);

  claim_next (task);
}

gboolean
rd_sms_sender_run_pass_finish (RdSmsSender      *self,
                               GAsyncResult     *result,
                               RdSmsPassReport  *report,
                               GError          **error)
{
  PassData *data;

  g_return_val_if_fail (RD_IS_SMS_SENDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = data->report;

  return g_task_propagate_boolean (G_TASK (result), error);
}

RdSmsProvider *
rd_sms_sender_create_provider (SoupSession          *session,
                               RdGatewayCredentials *credentials,
                               GKeyFile             *key_file,
                               const char           *gateway,
                               GError              **error)
{
  g_autoptr(RdSmsProvider) provider = NULL;
  RdSmsGateway which;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (RD_IS_GATEWAY_CREDENTIALS (credentials), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (gateway != NULL)
    {
      if (!rd_sms_gateway_from_string (gateway, &which))
        {
          g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                       _("Unknown SMS gateway “%s”: use aliyun or tencent"), gateway);
          return NULL;
        }
    }
  else if (rd_gateway_credentials_get_aliyun_sms (credentials) != NULL)
    which = RD_SMS_GATEWAY_ALIYUN;
  else if (rd_gateway_credentials_get_tencent_sms (credentials) != NULL)
    which = RD_SMS_GATEWAY_TENCENT;
  else
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The credentials configure no SMS gateway ([aliyun-sms] or "
                     "[tencent-sms])"));
      return NULL;
    }

  if (which == RD_SMS_GATEWAY_ALIYUN)
    provider = RD_SMS_PROVIDER (rd_aliyun_sms_new (session, credentials, error));
  else
    provider = RD_SMS_PROVIDER (rd_tencent_sms_new (session, credentials, error));
  if (provider == NULL)
    return NULL;

  if (key_file != NULL)
    rd_sms_provider_load_template_ids (provider, key_file);

  return g_steal_pointer (&provider);
}
