/* rd-bench-payments.h: many gateway payments through injected faults,
 * then the simulator's accounts against the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Counts the SMS side of the run in the benchmark's database (its owner's
 * @conninfo): refund texts never queued or sent (@lost) and sent twice
 * (@duplicated). The SMS worker's owner wires it; without it both are
 * counted from the outbox rows. */
typedef gboolean (*RdBenchSmsCheck) (const char  *conninfo,
                                     guint       *lost,
                                     guint       *duplicated,
                                     gpointer     user_data,
                                     GError     **error);

typedef struct
{
  guint           count;           /* orders to book and pay */
  double          fault_rate;      /* share of gateway requests meeting a fault, 0..0.9 */
  guint32         seed;            /* faults and choices */
  guint           refund_percent;  /* of the paid orders, cancelled (退号) and refunded */
  guint           concurrency;     /* payments in flight at once */
  guint           max_settle_passes;
  RdBenchSmsCheck sms_check;
  gpointer        sms_check_data;
} RdBenchPaymentsOptions;

/* 200 orders, 20 % faults, seed 1, 20 % refunded, 8 at once, 60 passes. */
void         rd_bench_payments_options_init (RdBenchPaymentsOptions       *options);

/* On the server of @conninfo_owner (the schema owner), in a scratch
 * database it creates and drops: books options->count orders, pays them
 * through an in-process gateway simulator (WeChat Pay and Alipay, QR codes
 * scanned and payment codes, a share of requests meeting faults: late
 * answers past the client's timeout, SYSTEM_ERROR, FREQUENCY_LIMITED,
 * USERPAYING then success, connections dropped after the charge, bad
 * signatures, duplicate notifications to a notification endpoint), cancels
 * and refunds a share, runs rd_pay_service_settle_sync() until nothing is
 * left to settle, then compares the simulator's accounts with the database.
 * Appends one JSON object to @out:
 *   {"payments", "paid_twice", "lost", "refunded_twice", "sms_lost",
 *    "sms_duplicated", "orders", "paid", "refunded", "unknown_at_desk",
 *    "unsettled", "settle_passes", "notifications", "faults", "seconds"}
 * paid_twice: orders whose patient kept paying more than the order (net of
 * refunds); lost: payments whose money the gateway and the database
 * disagree on; refunded_twice: refunds that moved money twice. */
gboolean     rd_bench_payments              (const char                   *conninfo_owner,
                                             const RdBenchPaymentsOptions *options,
                                             GString                      *out,
                                             GError                      **error);

G_END_DECLS
