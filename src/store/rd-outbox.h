/* rd-outbox.h: the SMS outbox as the worker sees it (data/sql/0009-sms-worker.sql)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"

G_BEGIN_DECLS

/* One claimed row: the worker holds it (status 'sending') until it records
 * the result or its lease runs out. */
typedef struct
{
  gint64  id;
  gint64  hospital_id;
  char   *to_phone;
  char   *template_name;  /* "booking_confirmed", "reminder", ... */
  char   *params_json;    /* the params jsonb as JSON text */
  char   *dedup_key;
  int     attempt;        /* 1 for the first attempt; records the result */
} RdOutboxRow;

void         rd_outbox_row_free                 (RdOutboxRow          *row);

/* api.sms_claim(): up to max_rows due rows for worker (a name for people
 * reading the queue), quiet hours and the per-number limit applied. The
 * result is a GPtrArray of RdOutboxRow (freed with it), maybe empty.
 * Needs regdesk_worker or regdesk_admin. */
void         rd_outbox_claim_async              (RdDb                 *db,
                                                 const char           *worker,
                                                 guint                 max_rows,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray   *rd_outbox_claim_finish             (RdDb                 *db,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* api.sms_mark_sent(): TRUE, with *held FALSE when the row's claim had
 * already passed to another worker (nothing was changed). */
void         rd_outbox_mark_sent_async          (RdDb                 *db,
                                                 const RdOutboxRow    *row,
                                                 const char           *provider,
                                                 const char           *message_id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean     rd_outbox_mark_sent_finish         (RdDb                 *db,
                                                 GAsyncResult         *result,
                                                 gboolean             *held,
                                                 GError              **error);

/* api.sms_mark_failed(): retryable FALSE makes the row dead at once;
 * retry_after (seconds, 0 for none) is the least wait before the next
 * attempt. The result is the row's new status ("failed", "dead"), or NULL
 * (and no error) when the claim had passed to another worker. */
void         rd_outbox_mark_failed_async        (RdDb                 *db,
                                                 const RdOutboxRow    *row,
                                                 const char           *provider,
                                                 const char           *error_text,
                                                 gboolean              retryable,
                                                 guint                 retry_after,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
char        *rd_outbox_mark_failed_finish       (RdDb                 *db,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* api.sms_enqueue_reminders(): the reminders queued now (each appointment
 * once), or -1 with error set. */
int          rd_outbox_enqueue_reminders_sync   (RdDb                 *db,
                                                 GCancellable         *cancellable,
                                                 GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdOutboxRow, rd_outbox_row_free)

G_END_DECLS
