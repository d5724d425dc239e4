/* rd-slip.h: what a registration slip (挂号凭条) shows for one order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A snapshot of api.slip(). Codes stay codes (the printer translates
 * them); strings the order lacks (an order without an appointment, a
 * patient without a document) are NULL. */
typedef struct
{
  char    *hospital_name;
  char    *patient_name;
  char    *patient_id_type;     /* 'resident_id', 'passport', ..., 'none' */
  char    *patient_id_masked;   /* "110101********1234", or NULL */
  char    *department_name;
  char    *doctor_name;
  char    *doctor_title;        /* code: 'chief', ... */
  char    *clinic_type;         /* code: 'general', ... */
  char    *date;                /* "YYYY-MM-DD" */
  char    *period;              /* 'morning', 'afternoon', 'evening' */
  char    *starts_at;           /* "HH:MM", hospital time */
  char    *ends_at;
  int      slot_seq;            /* the number in the session (号序), 0 when unknown */
  int      queue_no;            /* given at check-in, 0 before */
  gint64   fee;                 /* fen */
  gint64   paid_amount;         /* fen, succeeded payments */
  gint64   tendered;            /* fen, cash only; -1 when no cash was taken */
  gint64   change;              /* fen, cash only; -1 when no cash was taken */
  GStrv    payment_methods;     /* codes: 'cash', 'card', 'wechat', 'alipay'; never NULL */
  char    *order_no;
  char    *order_status;        /* 'unpaid', 'paid', ... */
  char    *printed_at;          /* "YYYY-MM-DD HH:MM", hospital time */
} RdSlip;

#define RD_TYPE_SLIP (rd_slip_get_type ())
GType        rd_slip_get_type            (void) G_GNUC_CONST;

RdSlip      *rd_slip_new                 (void);
RdSlip      *rd_slip_copy                (const RdSlip *slip);
void         rd_slip_free                (RdSlip       *slip);

/* "Cash, Bank Card" (translated); "" when nothing was paid. */
char        *rd_slip_describe_methods    (const RdSlip *slip);
/* The number the slip shows big: the queue number once checked in,
 * otherwise the slot's number; 0 when the order has neither. */
int          rd_slip_get_number          (const RdSlip *slip);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdSlip, rd_slip_free)

G_END_DECLS
