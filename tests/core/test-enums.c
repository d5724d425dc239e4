/* test-enums.c: database spellings and readable words of the enumerations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-enum-types.h"
#include "rd-enums.h"

static void
test_channel (void)
{
  static const char *db[] = { "window", "online", "phone" };

  for (guint i = 0; i < G_N_ELEMENTS (db); i++)
    {
      g_assert_cmpstr (rd_channel_to_db (i), ==, db[i]);
      g_assert_cmpint (rd_channel_from_db (db[i]), ==, i);
    }
  g_assert_cmpint (rd_channel_from_db ("Window"), ==, -1);
  g_assert_cmpint (rd_channel_from_db (""), ==, -1);
  g_assert_cmpint (rd_channel_from_db (NULL), ==, -1);

  g_assert_cmpstr (rd_channel_to_string (RD_CHANNEL_WINDOW), ==, "Window");
  g_assert_cmpstr (rd_channel_to_string (RD_CHANNEL_ONLINE), ==, "Online");
  g_assert_cmpstr (rd_channel_to_string (RD_CHANNEL_PHONE), ==, "Phone");
}

static void
test_period (void)
{
  static const char *db[] = { "morning", "afternoon", "evening" };
  static const char *words[] = { "Morning", "Afternoon", "Evening" };

  for (guint i = 0; i < G_N_ELEMENTS (db); i++)
    {
      g_assert_cmpstr (rd_period_to_db (i), ==, db[i]);
      g_assert_cmpint (rd_period_from_db (db[i]), ==, i);
      g_assert_cmpstr (rd_period_to_string (i), ==, words[i]);
    }
  g_assert_cmpint (rd_period_from_db ("night"), ==, -1);
}

static void
test_session_status (void)
{
  g_assert_cmpint (rd_session_status_from_db ("open"), ==, RD_SESSION_STATUS_OPEN);
  g_assert_cmpint (rd_session_status_from_db ("suspended"), ==, RD_SESSION_STATUS_SUSPENDED);
  g_assert_cmpint (rd_session_status_from_db ("closed"), ==, RD_SESSION_STATUS_CLOSED);
  g_assert_cmpint (rd_session_status_from_db ("cancelled"), ==, -1);
  g_assert_cmpstr (rd_session_status_to_string (RD_SESSION_STATUS_OPEN), ==, "Open");
  g_assert_cmpstr (rd_session_status_to_string (RD_SESSION_STATUS_SUSPENDED), ==, "Suspended");
  g_assert_cmpstr (rd_session_status_to_string (RD_SESSION_STATUS_CLOSED), ==, "Closed");
}

static void
test_policy (void)
{
  g_assert_cmpint (rd_allocation_policy_from_db ("fcfs"), ==, RD_ALLOCATION_POLICY_FCFS);
  g_assert_cmpint (rd_allocation_policy_from_db ("priority"), ==, RD_ALLOCATION_POLICY_PRIORITY);
  g_assert_cmpint (rd_allocation_policy_from_db ("lottery"), ==, RD_ALLOCATION_POLICY_LOTTERY);
  g_assert_cmpint (rd_allocation_policy_from_db ("FCFS"), ==, -1);
  g_assert_cmpstr (rd_allocation_policy_to_string (RD_ALLOCATION_POLICY_FCFS), ==,
                   "First come, first served");
  g_assert_cmpstr (rd_allocation_policy_to_string (RD_ALLOCATION_POLICY_PRIORITY), ==,
                   "Priority");
  g_assert_cmpstr (rd_allocation_policy_to_string (RD_ALLOCATION_POLICY_LOTTERY), ==,
                   "Lottery");
}

static void
test_slot_status (void)
{
  static const char *db[] = {
    "free", "held", "booked", "paid", "checked_in", "no_show", "locked",
  };
  static const char *words[] = {
    "Free", "Held", "Booked", "Paid", "Checked in", "No-show", "Locked",
  };

  for (guint i = 0; i < G_N_ELEMENTS (db); i++)
    {
      g_assert_cmpint (rd_slot_status_from_db (db[i]), ==, i);
      g_assert_cmpstr (rd_slot_status_to_string (i), ==, words[i]);
    }
  g_assert_cmpint (rd_slot_status_from_db ("checked-in"), ==, -1);
  g_assert_cmpint (rd_slot_status_from_db (NULL), ==, -1);
}

static void
test_roles (void)
{
  g_assert_cmpint (rd_role_from_db ("regdesk_clerk"), ==, RD_ROLE_CLERK);
  g_assert_cmpint (rd_role_from_db ("regdesk_manager"), ==, RD_ROLE_MANAGER);
  g_assert_cmpint (rd_role_from_db ("regdesk_finance"), ==, RD_ROLE_FINANCE);
  g_assert_cmpint (rd_role_from_db ("regdesk_admin"), ==, RD_ROLE_ADMIN);
  g_assert_cmpint (rd_role_from_db ("clerk"), ==, RD_ROLE_NONE);
  g_assert_cmpint (rd_role_from_db ("regdesk_owner"), ==, RD_ROLE_NONE);
  g_assert_cmpint (rd_role_from_db (NULL), ==, RD_ROLE_NONE);
}

static void
test_doctor_title (void)
{
  g_assert_cmpstr (rd_doctor_title_to_string ("resident"), ==, "Resident Physician");
  g_assert_cmpstr (rd_doctor_title_to_string ("attending"), ==, "Attending Physician");
  g_assert_cmpstr (rd_doctor_title_to_string ("associate_chief"), ==,
                   "Associate Chief Physician");
  g_assert_cmpstr (rd_doctor_title_to_string ("chief"), ==, "Chief Physician");
  /* A code this version does not know is shown as it is, not hidden. */
  g_assert_cmpstr (rd_doctor_title_to_string ("professor"), ==, "professor");

  g_assert_cmpstr (rd_doctor_title_to_short_string ("resident"), ==, "Resident");
  g_assert_cmpstr (rd_doctor_title_to_short_string ("attending"), ==, "Attending");
  g_assert_cmpstr (rd_doctor_title_to_short_string ("associate_chief"), ==, "Associate Chief");
  g_assert_cmpstr (rd_doctor_title_to_short_string ("chief"), ==, "Chief");
  g_assert_cmpstr (rd_doctor_title_to_short_string ("professor"), ==, "professor");
}

static void
test_clinic_type (void)
{
  g_assert_cmpstr (rd_clinic_type_to_string ("general"), ==, "General Clinic");
  g_assert_cmpstr (rd_clinic_type_to_string ("specialist"), ==, "Specialist Clinic");
  g_assert_cmpstr (rd_clinic_type_to_string ("special_needs"), ==, "Special Needs Clinic");
  g_assert_cmpstr (rd_clinic_type_to_string ("night"), ==, "night");
}

static void
test_gtypes (void)
{
  g_autoptr(GEnumClass) periods = g_type_class_ref (RD_TYPE_PERIOD);
  g_autoptr(GFlagsClass) roles = g_type_class_ref (RD_TYPE_ROLES);
  GEnumValue *value;
  GFlagsValue *flag;

  g_assert_true (G_TYPE_IS_ENUM (RD_TYPE_CHANNEL));
  g_assert_true (G_TYPE_IS_ENUM (RD_TYPE_SESSION_STATUS));
  g_assert_true (G_TYPE_IS_ENUM (RD_TYPE_ALLOCATION_POLICY));
  g_assert_true (G_TYPE_IS_ENUM (RD_TYPE_SLOT_STATUS));
  g_assert_true (G_TYPE_IS_FLAGS (RD_TYPE_ROLES));

  /* The nicks glib-mkenums derives are the database spellings. */
  value = g_enum_get_value_by_nick (periods, "afternoon");
  g_assert_nonnull (value);
  g_assert_cmpint (value->value, ==, RD_PERIOD_AFTERNOON);

  flag = g_flags_get_value_by_nick (roles, "finance");
  g_assert_nonnull (flag);
  g_assert_cmpuint (flag->value, ==, RD_ROLE_FINANCE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/enums/channel", test_channel);
  g_test_add_func ("/enums/period", test_period);
  g_test_add_func ("/enums/session-status", test_session_status);
  g_test_add_func ("/enums/policy", test_policy);
  g_test_add_func ("/enums/slot-status", test_slot_status);
  g_test_add_func ("/enums/roles", test_roles);
  g_test_add_func ("/enums/doctor-title", test_doctor_title);
  g_test_add_func ("/enums/clinic-type", test_clinic_type);
  g_test_add_func ("/enums/gtypes", test_gtypes);

  return g_test_run ();
}
