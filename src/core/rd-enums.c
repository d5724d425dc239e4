/* rd-enums.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-enums.h"

static const char *channel_db[] = {
  [RD_CHANNEL_WINDOW] = "window",
  [RD_CHANNEL_ONLINE] = "online",
  [RD_CHANNEL_PHONE] = "phone",
};

static const char *period_db[] = {
  [RD_PERIOD_MORNING] = "morning",
  [RD_PERIOD_AFTERNOON] = "afternoon",
  [RD_PERIOD_EVENING] = "evening",
};

static const char *session_status_db[] = {
  [RD_SESSION_STATUS_OPEN] = "open",
  [RD_SESSION_STATUS_SUSPENDED] = "suspended",
  [RD_SESSION_STATUS_CLOSED] = "closed",
};

static const char *policy_db[] = {
  [RD_ALLOCATION_POLICY_FCFS] = "fcfs",
  [RD_ALLOCATION_POLICY_PRIORITY] = "priority",
  [RD_ALLOCATION_POLICY_LOTTERY] = "lottery",
};

static const char *slot_status_db[] = {
  [RD_SLOT_STATUS_FREE] = "free",
  [RD_SLOT_STATUS_HELD] = "held",
  [RD_SLOT_STATUS_BOOKED] = "booked",
  [RD_SLOT_STATUS_PAID] = "paid",
  [RD_SLOT_STATUS_CHECKED_IN] = "checked_in",
  [RD_SLOT_STATUS_NO_SHOW] = "no_show",
  [RD_SLOT_STATUS_LOCKED] = "locked",
};

static int
lookup (const char  *text,
        const char **table,
        guint        n_entries)
{
  for (guint i = 0; text != NULL && i < n_entries; i++)
    {
      if (g_str_equal (text, table[i]))
        return i;
    }

  return -1;
}

const char *
rd_channel_to_db (RdChannel channel)
{
  g_return_val_if_fail (channel <= RD_CHANNEL_PHONE, NULL);

  return channel_db[channel];
}

int
rd_channel_from_db (const char *text)
{
  return lookup (text, channel_db, G_N_ELEMENTS (channel_db));
}

const char *
rd_period_to_db (RdPeriod period)
{
  g_return_val_if_fail (period <= RD_PERIOD_EVENING, NULL);

  return period_db[period];
}

int
rd_period_from_db (const char *text)
{
  return lookup (text, period_db, G_N_ELEMENTS (period_db));
}

int
rd_session_status_from_db (const char *text)
{
  return lookup (text, session_status_db, G_N_ELEMENTS (session_status_db));
}

int
rd_allocation_policy_from_db (const char *text)
{
  return lookup (text, policy_db, G_N_ELEMENTS (policy_db));
}

int
rd_slot_status_from_db (const char *text)
{
  return lookup (text, slot_status_db, G_N_ELEMENTS (slot_status_db));
}

RdRoles
rd_role_from_db (const char *group_name)
{
  static const struct
  {
    const char *name;
    RdRoles     role;
  } roles[] = {
    { "regdesk_clerk", RD_ROLE_CLERK },
    { "regdesk_manager", RD_ROLE_MANAGER },
    { "regdesk_finance", RD_ROLE_FINANCE },
    { "regdesk_admin", RD_ROLE_ADMIN },
  };

  for (guint i = 0; group_name != NULL && i < G_N_ELEMENTS (roles); i++)
    {
      if (g_str_equal (group_name, roles[i].name))
        return roles[i].role;
    }

  return RD_ROLE_NONE;
}

const char *
rd_channel_to_string (RdChannel channel)
{
  switch (channel)
    {
    case RD_CHANNEL_WINDOW:
      return _("Window");
    case RD_CHANNEL_ONLINE:
      return _("Online");
    case RD_CHANNEL_PHONE:
      return _("Phone");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
rd_period_to_string (RdPeriod period)
{
  switch (period)
    {
    case RD_PERIOD_MORNING:
      return _("Morning");
    case RD_PERIOD_AFTERNOON:
      return _("Afternoon");
    case RD_PERIOD_EVENING:
      return _("Evening");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
rd_session_status_to_string (RdSessionStatus status)
{
  switch (status)
    {
    case RD_SESSION_STATUS_OPEN:
      return _("Open");
    case RD_SESSION_STATUS_SUSPENDED:
      return _("Suspended");
    case RD_SESSION_STATUS_CLOSED:
      return _("Closed");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
rd_allocation_policy_to_string (RdAllocationPolicy policy)
{
  switch (policy)
    {
    case RD_ALLOCATION_POLICY_FCFS:
      return _("First come, first served");
    case RD_ALLOCATION_POLICY_PRIORITY:
      return _("Priority");
    case RD_ALLOCATION_POLICY_LOTTERY:
      return _("Lottery");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
rd_slot_status_to_string (RdSlotStatus status)
{
  switch (status)
    {
    case RD_SLOT_STATUS_FREE:
      return _("Free");
    case RD_SLOT_STATUS_HELD:
      return _("Held");
    case RD_SLOT_STATUS_BOOKED:
      return _("Booked");
    case RD_SLOT_STATUS_PAID:
      return _("Paid");
    case RD_SLOT_STATUS_CHECKED_IN:
      return _("Checked in");
    case RD_SLOT_STATUS_NO_SHOW:
      return _("No-show");
    case RD_SLOT_STATUS_LOCKED:
      return _("Locked");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
rd_doctor_title_to_string (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  if (g_str_equal (code, "resident"))
    return _("Resident Physician");
  if (g_str_equal (code, "attending"))
    return _("Attending Physician");
  if (g_str_equal (code, "associate_chief"))
    return _("Associate Chief Physician");
  if (g_str_equal (code, "chief"))
    return _("Chief Physician");

  return code;
}

const char *
rd_doctor_title_to_short_string (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  if (g_str_equal (code, "resident"))
    return C_("doctor title, short", "Resident");
  if (g_str_equal (code, "attending"))
    return C_("doctor title, short", "Attending");
  if (g_str_equal (code, "associate_chief"))
    return C_("doctor title, short", "Associate Chief");
  if (g_str_equal (code, "chief"))
    return C_("doctor title, short", "Chief");

  return code;
}

const char *
rd_clinic_type_to_string (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  if (g_str_equal (code, "general"))
    return _("General Clinic");
  if (g_str_equal (code, "specialist"))
    return _("Specialist Clinic");
  if (g_str_equal (code, "special_needs"))
    return _("Special Needs Clinic");

  return code;
}
