/* rd-sms-sender.h: one pass over the SMS outbox: claim, send, record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "rd-db.h"
#include "rd-gateway-credentials.h"
#include "rd-sms-provider.h"

G_BEGIN_DECLS

#define RD_TYPE_SMS_SENDER (rd_sms_sender_get_type ())

G_DECLARE_FINAL_TYPE (RdSmsSender, rd_sms_sender, RD, SMS_SENDER, GObject)

typedef struct
{
  guint claimed;  /* rows taken from the outbox */
  guint sent;     /* accepted by the gateway and recorded */
  guint retried;  /* failed, to be tried again after the back-off */
  guint dead;     /* failed for good (a final refusal, or out of attempts) */
  guint lost;     /* results not recorded: the claim had passed to another worker */
} RdSmsPassReport;

/* Sends the rows db's role (regdesk_worker or regdesk_admin) may claim
 * through provider; worker names this process in the queue. */
RdSmsSender   *rd_sms_sender_new                  (RdDb                 *db,
                                                   RdSmsProvider        *provider,
                                                   const char           *worker);
RdSmsProvider *rd_sms_sender_get_provider         (RdSmsSender          *self);
/* Rows claimed at once (default 20); a pass claims again while batches
 * come back full, up to max_batches (default 10) batches. */
void           rd_sms_sender_set_batch_size       (RdSmsSender          *self,
                                                   guint                 batch_size,
                                                   guint                 max_batches);

/* One pass on the thread-default main context. Every claimed row's
 * result is recorded before the pass completes, so a pass is never
 * cancelled halfway through (cancellable stops what has not started). A
 * gateway failure is not a pass failure: only the database's are. */
void           rd_sms_sender_run_pass_async       (RdSmsSender          *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       rd_sms_sender_run_pass_finish      (RdSmsSender          *self,
                                                   GAsyncResult         *result,
                                                   RdSmsPassReport      *report,
                                                   GError              **error);

/* The provider for gateway ("aliyun" or "tencent"; NULL: the one the
 * credentials configure, Alibaba Cloud first), with the template codes
 * that key_file (the credentials file's text; may be NULL) names. */
RdSmsProvider *rd_sms_sender_create_provider      (SoupSession          *session,
                                                   RdGatewayCredentials *credentials,
                                                   GKeyFile             *key_file,
                                                   const char           *gateway,
                                                   GError              **error);

/* "138****8000": a number as the logs may show it. */
char          *rd_sms_mask_phone                  (const char           *phone);

G_END_DECLS
