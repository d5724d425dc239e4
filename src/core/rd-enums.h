/* rd-enums.h: the domain's enumerations (GTypes made by glib-mkenums)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Booking channels; the database spells them 'window', 'online', 'phone'. */
typedef enum
{
  RD_CHANNEL_WINDOW,
  RD_CHANNEL_ONLINE,
  RD_CHANNEL_PHONE,
} RdChannel;

/* 'morning', 'afternoon', 'evening' */
typedef enum
{
  RD_PERIOD_MORNING,
  RD_PERIOD_AFTERNOON,
  RD_PERIOD_EVENING,
} RdPeriod;

/* 'open', 'suspended' (停诊), 'closed' */
typedef enum
{
  RD_SESSION_STATUS_OPEN,
  RD_SESSION_STATUS_SUSPENDED,
  RD_SESSION_STATUS_CLOSED,
} RdSessionStatus;

/* 'fcfs', 'priority', 'lottery' */
typedef enum
{
  RD_ALLOCATION_POLICY_FCFS,
  RD_ALLOCATION_POLICY_PRIORITY,
  RD_ALLOCATION_POLICY_LOTTERY,
} RdAllocationPolicy;

/* Slot states: 'free', 'held', 'booked', 'paid', 'checked_in', 'no_show', 'locked' */
typedef enum
{
  RD_SLOT_STATUS_FREE,
  RD_SLOT_STATUS_HELD,
  RD_SLOT_STATUS_BOOKED,
  RD_SLOT_STATUS_PAID,
  RD_SLOT_STATUS_CHECKED_IN,
  RD_SLOT_STATUS_NO_SHOW,
  RD_SLOT_STATUS_LOCKED,
} RdSlotStatus;

/* The roles staff log in with (PostgreSQL groups regdesk_clerk, ...). */
typedef enum /*< flags >*/
{
  RD_ROLE_NONE    = 0,
  RD_ROLE_CLERK   = 1 << 0,
  RD_ROLE_MANAGER = 1 << 1,
  RD_ROLE_FINANCE = 1 << 2,
  RD_ROLE_ADMIN   = 1 << 3,
} RdRoles;

/* Database spelling <-> enum; unknown text gives -1 (or 0 for roles). */
const char *rd_channel_to_db          (RdChannel          channel);
int         rd_channel_from_db        (const char        *text);
const char *rd_period_to_db           (RdPeriod           period);
int         rd_period_from_db         (const char        *text);
int         rd_session_status_from_db (const char        *text);
int         rd_allocation_policy_from_db (const char     *text);
int         rd_slot_status_from_db    (const char        *text);
RdRoles     rd_role_from_db           (const char        *group_name);

/* Words a person reads (translated). */
const char *rd_channel_to_string      (RdChannel          channel);
const char *rd_period_to_string       (RdPeriod           period);
const char *rd_session_status_to_string (RdSessionStatus  status);
const char *rd_allocation_policy_to_string (RdAllocationPolicy policy);
const char *rd_slot_status_to_string  (RdSlotStatus       status);
/* 'resident' 住院医师, 'attending' 主治医师, 'associate_chief' 副主任医师,
 * 'chief' 主任医师; unknown codes come back as they are. */
const char *rd_doctor_title_to_string (const char        *code);
/* The same titles without "Physician", for a table's narrow column. */
const char *rd_doctor_title_to_short_string (const char  *code);
/* 'general' 普通门诊, 'specialist' 专家门诊, 'special_needs' 特需门诊 */
const char *rd_clinic_type_to_string  (const char        *code);

G_END_DECLS
