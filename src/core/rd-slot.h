/* rd-slot.h: one numbered appointment time (号源) of a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rd-enums.h"

G_BEGIN_DECLS

#define RD_TYPE_SLOT (rd_slot_get_type ())
G_DECLARE_FINAL_TYPE (RdSlot, rd_slot, RD, SLOT, GObject)

/* Properties (readable and writable; setters notify only on change):
 *   seq               int, 1.., construct-only: the slot's number in its session
 *   starts-at         string "HH:MM" (hospital time zone)
 *   ends-at           string "HH:MM"
 *   channel           RdChannel: the pool the slot is in (online and phone
 *                     pools move to the window at their cut-off)
 *   status            RdSlotStatus
 *   held-until        string "HH:MM" while held, else NULL
 *   appointment-id    gint64, the appointment holding the slot, or 0
 *   patient-label     string, the patient's masked name (张*三), or NULL
 *   queue-number      int, given at check-in, or 0
 *   order-no          string, the appointment's order ("R261123000000042"), or NULL
 *   order-amount      gint64, that order's amount in fen
 *   order-status      string, that order's status ('unpaid', 'paid', ...), or NULL
 */
RdSlot       *rd_slot_new                (int           seq);
int           rd_slot_get_seq            (RdSlot       *self);
const char   *rd_slot_get_starts_at      (RdSlot       *self);
const char   *rd_slot_get_ends_at        (RdSlot       *self);
RdChannel     rd_slot_get_channel        (RdSlot       *self);
RdSlotStatus  rd_slot_get_status         (RdSlot       *self);
const char   *rd_slot_get_held_until     (RdSlot       *self);
gint64        rd_slot_get_appointment_id (RdSlot       *self);
const char   *rd_slot_get_patient_label  (RdSlot       *self);
int           rd_slot_get_queue_number   (RdSlot       *self);
const char   *rd_slot_get_order_no       (RdSlot       *self);
gint64        rd_slot_get_order_amount   (RdSlot       *self);
const char   *rd_slot_get_order_status   (RdSlot       *self);

void          rd_slot_set_starts_at      (RdSlot       *self,
                                          const char   *starts_at);
void          rd_slot_set_ends_at        (RdSlot       *self,
                                          const char   *ends_at);
void          rd_slot_set_channel        (RdSlot       *self,
                                          RdChannel     channel);
void          rd_slot_set_status         (RdSlot       *self,
                                          RdSlotStatus  status);
void          rd_slot_set_held_until     (RdSlot       *self,
                                          const char   *held_until);
void          rd_slot_set_appointment_id (RdSlot       *self,
                                          gint64        appointment_id);
void          rd_slot_set_patient_label  (RdSlot       *self,
                                          const char   *patient_label);
void          rd_slot_set_queue_number   (RdSlot       *self,
                                          int           queue_number);
void          rd_slot_set_order          (RdSlot       *self,
                                          const char   *order_no,
                                          gint64        amount,
                                          const char   *status);

/* Free and in the window pool: what a clerk can book at the desk now. */
gboolean      rd_slot_is_bookable        (RdSlot       *self);

/* Copies every value of @other (same seq) into @self, notifying once per
 * changed property after all are set; TRUE if anything changed. */
gboolean      rd_slot_update_from        (RdSlot       *self,
                                          RdSlot       *other);

G_END_DECLS
