/* rd-worker.h: the background service: maintenance, reminders, the SMS
 * outbox and payment settling, on a timer and on demand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"
#include "rd-pay-service.h"
#include "rd-sms-sender.h"

G_BEGIN_DECLS

#define RD_TYPE_WORKER (rd_worker_get_type ())

G_DECLARE_FINAL_TYPE (RdWorker, rd_worker, RD, WORKER, GObject)

typedef struct
{
  int             expired;          /* unpaid bookings closed, their slots released */
  int             lotteries_drawn;
  int             released;         /* pool slots released at the cut-off */
  int             no_shows;
  int             reminders;        /* reminders queued */
  RdSmsPassReport sms;
  guint           settled;          /* payments and refunds settled */
} RdWorkerReport;

/* sender and pay may be NULL: that part is skipped (no SMS gateway, no
 * payment gateway configured). */
RdWorker    *rd_worker_new             (RdDb                 *db,
                                        RdSmsSender          *sender,
                                        RdPayService         *pay);
/* Seconds between ticks (default 30). */
void         rd_worker_set_interval    (RdWorker             *self,
                                        guint                 seconds);

/* One tick: regdesk.run_maintenance(), the reminders, one SMS pass and
 * settling, in that order. A failing step is logged and the others still
 * run; the tick fails with the first step's error. */
void         rd_worker_run_once_async  (RdWorker             *self,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean     rd_worker_run_once_finish (RdWorker             *self,
                                        GAsyncResult         *result,
                                        RdWorkerReport       *report,
                                        GError              **error);

/* Ticks every interval from now on, and soon after a NOTIFY rd_change
 * 'sms:…' (a new outbox row), until rd_worker_stop(). */
void         rd_worker_start           (RdWorker             *self);
/* Stops ticking; the tick under way (if any) finishes, then
 * ::stopped is emitted (at once when none is). */
void         rd_worker_stop            (RdWorker             *self);
gboolean     rd_worker_is_running      (RdWorker             *self);

G_END_DECLS
