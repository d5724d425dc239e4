/* rd-ui-util.c: what the views decide, as plain functions tests call headless
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "rd-pinyin.h"
#include "rd-store-error.h"
#include "rd-ui-util.h"

static void
append_conninfo_value (GString    *out,
                       const char *keyword,
                       const char *value)
{
  /* libpq keyword values: single-quoted, backslash escapes ' and \ */
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, keyword);
  g_string_append (out, "='");
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

static gboolean
is_uri (const char *server)
{
  return g_str_has_prefix (server, "postgresql://") || g_str_has_prefix (server, "postgres://");
}

static void
append_uri_param (GString    *out,
                  const char *keyword,
                  const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_c (out, strchr (out->str, '?') != NULL ? '&' : '?');
  g_string_append (out, keyword);
  g_string_append_c (out, '=');
  g_string_append (out, escaped);
}

static void
append_host (GString    *out,
             const char *server)
{
  g_autofree char *host = NULL;
  const char *port = NULL;
  const char *colon = strrchr (server, ':');

  /* "db:5433" and "[::1]:5433" carry a port; a bare IPv6 address does not */
  if (server[0] == '[')
    {
      const char *close = strchr (server, ']');

      if (close != NULL)
        {
          host = g_strndup (server + 1, close - server - 1);
          if (close[1] == ':' && close[2] != '\0')
            port = close + 2;
        }
    }
  else if (colon != NULL && strchr (server, ':') == colon && colon[1] != '\0')
    {
      gboolean digits = TRUE;

      for (const char *p = colon + 1; *p != '\0'; p++)
        digits = digits && g_ascii_isdigit (*p);
      if (digits)
        {
          host = g_strndup (server, colon - server);
          port = colon + 1;
        }
    }

  append_conninfo_value (out, "host", host != NULL ? host : server);
  if (port != NULL)
    append_conninfo_value (out, "port", port);
  append_conninfo_value (out, "dbname", "regdesk");
}

RdUiPages
rd_ui_pages_for_roles (RdRoles roles)
{
  RdUiPages pages = RD_UI_PAGE_NONE;

  if (roles & RD_ROLE_ADMIN)
    return RD_UI_PAGE_DESK | RD_UI_PAGE_SCHEDULES | RD_UI_PAGE_FINANCE;
  if (roles & RD_ROLE_CLERK)
    pages |= RD_UI_PAGE_DESK;
  if (roles & RD_ROLE_MANAGER)
    pages |= RD_UI_PAGE_SCHEDULES;
  if (roles & RD_ROLE_FINANCE)
    pages |= RD_UI_PAGE_FINANCE;

  return pages;
}

char *
rd_ui_build_conninfo (const char *server,
                      const char *user,
                      const char *password)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (server != NULL ? server : ""));
  GString *out = g_string_new (NULL);
  gboolean uri = is_uri (trimmed);

  if (uri)
    g_string_append (out, trimmed);
  else if (strchr (trimmed, '=') != NULL)
    g_string_append (out, trimmed);
  else if (trimmed[0] != '\0')
    append_host (out, trimmed);
  else if (g_getenv ("PGDATABASE") == NULL && g_getenv ("PGSERVICE") == NULL)
    /* libpq would otherwise look for a database named after the user */
    append_conninfo_value (out, "dbname", "regdesk");

  /* later keywords win in libpq, so these override the server's */
  if (user != NULL && user[0] != '\0')
    {
      if (uri)
        append_uri_param (out, "user", user);
      else
        append_conninfo_value (out, "user", user);
    }
  if (password != NULL && password[0] != '\0')
    {
      if (uri)
        append_uri_param (out, "password", password);
      else
        append_conninfo_value (out, "password", password);
    }

  return g_string_free (out, FALSE);
}

char *
rd_ui_describe_login_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;

  if (error->domain == RD_STORE_ERROR)
    {
      switch ((RdStoreError) error->code)
        {
        case RD_STORE_ERROR_AUTH:
          return g_strdup (_("Wrong user name or password"));
        case RD_STORE_ERROR_CONNECTION:
          return g_strdup (_("Cannot reach the database server. Check the server "
                             "address and the network, then try again."));
        case RD_STORE_ERROR_PERMISSION:
          return g_strdup (_("This login is not a Regdesk staff account"));
        case RD_STORE_ERROR_SCHEMA:
          return g_strdup (_("This database is not set up for this version of Regdesk. "
                             "Ask your administrator to update it."));
        case RD_STORE_ERROR_FAILED:
        case RD_STORE_ERROR_CONFLICT:
        case RD_STORE_ERROR_INVALID:
        case RD_STORE_ERROR_REJECTED:
        case RD_STORE_ERROR_CANCELLED:
        default:
          break;
        }
    }

  return g_strdup_printf (_("Could not log in: %s"), error->message);
}

static GDate *
parse_date (const char *date)
{
  int year, month, day;
  char tail;

  if (date == NULL || sscanf (date, "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3)
    return NULL;
  if (!g_date_valid_dmy (day, month, year))
    return NULL;

  return g_date_new_dmy (day, month, year);
}

char *
rd_ui_date_add_days (const char *date,
                     int         days)
{
  GDate *parsed = parse_date (date);
  char *result;

  if (parsed == NULL)
    return NULL;

  if (days > 0)
    g_date_add_days (parsed, days);
  else if (days < 0)
    g_date_subtract_days (parsed, -days);

  result = g_strdup_printf ("%04d-%02d-%02d",
                            g_date_get_year (parsed),
                            g_date_get_month (parsed),
                            g_date_get_day (parsed));
  g_date_free (parsed);

  return result;
}

char *
rd_ui_default_date (GDateTime *now,
                    gboolean   tomorrow_after_hours,
                    int        closing_hour)
{
  g_autoptr(GDateTime) day = NULL;

  g_return_val_if_fail (now != NULL, NULL);

  if (tomorrow_after_hours && g_date_time_get_hour (now) >= closing_hour)
    day = g_date_time_add_days (now, 1);
  else
    day = g_date_time_ref (now);

  return g_date_time_format (day, "%Y-%m-%d");
}

char *
rd_ui_format_date (const char *date)
{
  /* our own names: LC_TIME may be "C" while the messages are Chinese */
  static const char * const weekdays[] = {
    N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"),
  };
  GDate *parsed = parse_date (date);
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GString) format = NULL;

  if (parsed == NULL)
    return g_strdup (date != NULL ? date : "");

  day = g_date_time_new_utc (g_date_get_year (parsed),
                             g_date_get_month (parsed),
                             g_date_get_day (parsed),
                             0, 0, 0);
  g_date_free (parsed);

  /* Translators: a roster date, see strftime(3), "Mon, 3 June 2024"; %a
   * becomes the translated short weekday ("Mon"), "%Y年%-m月%-d日 %a" */
  format = g_string_new (_("%a, %-d %B %Y"));
  g_string_replace (format, "%a", _(weekdays[g_date_time_get_day_of_week (day) - 1]), 0);

  return g_date_time_format (day, format->str);
}

char *
rd_ui_fold (const char *text)
{
  g_autofree char *normalized = NULL;

  if (text == NULL)
    return g_strdup ("");

  normalized = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);
  if (normalized == NULL)
    return g_strdup ("");

  return g_utf8_casefold (normalized, -1);
}

/* The rules of data/sql/0002-booking.sql, as the clerk reads them. */
static const struct
{
  const char *sqlstate;
  const char *message;
} desk_refusals[] = {
  { "RD208", N_("This patient is no longer registered. Search again.") },
  { "RD301", N_("This session no longer exists. Choose another one.") },
  { "RD302", N_("This session is suspended or closed: no bookings.") },
  { "RD303", N_("This session is over. Choose a later one.") },
  { "RD305", N_("No free slot is left at the window for this session.") },
  { "RD306", N_("Someone else just took this slot. Choose another one.") },
  { "RD307", N_("This patient already has a booking with this doctor on this day.") },
  { "RD308", N_("This patient has reached the most bookings allowed in one day.") },
  { "RD309", N_("This request was already used for something else. Try again.") },
  { "RD310", N_("This patient does not qualify for priority booking.") },
  { "RD312", N_("This pool is closed for booking now.") },
  { "RD313", N_("This is a lottery session: bookings come from the draw.") },
  { "RD314", N_("The remaining slots are kept for priority patients.") },
  { "RD401", N_("This booking no longer exists.") },
  { "RD402", N_("This booking cannot be cancelled any more (already seen, or cancelled).") },
  { "RD403", N_("Too late to cancel: the session has started.") },
  { "RD501", N_("This order does not exist. Look the booking up again.") },
  { "RD502", N_("This order is already paid.") },
  { "RD503", N_("The booking expired or was cancelled before it was paid. Book again.") },
  { "RD601", N_("The fee is not paid yet: take the payment first.") },
  { "RD602", N_("This booking cannot be checked in (cancelled, or already seen).") },
  { "RD603", N_("Check-in is only possible on the day of the session.") },
  { "RD604", N_("This session is over: too late to check in.") },
};

char *
rd_ui_describe_desk_error (const GError *error)
{
  const char *sqlstate;

  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;
  if (error->domain != RD_STORE_ERROR)
    return g_strdup (error->message);

  switch ((RdStoreError) error->code)
    {
    case RD_STORE_ERROR_CONNECTION:
      return g_strdup (_("The connection to the database was lost. Try again when it is "
                         "back: nothing is done twice."));
    case RD_STORE_ERROR_PERMISSION:
      return g_strdup (_("Your login may not do this."));
    case RD_STORE_ERROR_CONFLICT:
      return g_strdup (_("Someone changed this at the same moment. Try again."));
    case RD_STORE_ERROR_REJECTED:
      sqlstate = rd_store_error_get_sqlstate (error);
      for (guint i = 0; i < G_N_ELEMENTS (desk_refusals); i++)
        if (g_strcmp0 (sqlstate, desk_refusals[i].sqlstate) == 0)
          return g_strdup (_(desk_refusals[i].message));
      return g_strdup (error->message);
    case RD_STORE_ERROR_FAILED:
    case RD_STORE_ERROR_AUTH:
    case RD_STORE_ERROR_INVALID:
    case RD_STORE_ERROR_SCHEMA:
    case RD_STORE_ERROR_CANCELLED:
    default:
      return g_strdup (error->message);
    }
}

gboolean
rd_ui_name_matches (const char *folded_search,
                    const char *name,
                    const char *pinyin)
{
  g_autofree char *folded = NULL;
  g_autofree char *initials = NULL;

  if (folded_search == NULL || folded_search[0] == '\0')
    return TRUE;

  folded = rd_ui_fold (name);
  if (strstr (folded, folded_search) != NULL)
    return TRUE;

  /* initials are only ever Latin letters and digits */
  for (const char *p = folded_search; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;

  if (pinyin == NULL || pinyin[0] == '\0')
    pinyin = initials = rd_pinyin_name_initials (name != NULL ? name : "");

  return g_str_has_prefix (pinyin, folded_search);
}

gboolean
rd_ui_search_change (const char      *old_text,
                     const char      *new_text,
                     GtkFilterChange *change)
{
  const char *old_s = old_text != NULL ? old_text : "";
  const char *new_s = new_text != NULL ? new_text : "";

  g_return_val_if_fail (change != NULL, FALSE);

  if (g_str_equal (old_s, new_s))
    return FALSE;

  /* what matches "张三" also matches "张": a longer needle only narrows */
  if (strstr (new_s, old_s) != NULL)
    *change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (strstr (old_s, new_s) != NULL)
    *change = GTK_FILTER_CHANGE_LESS_STRICT;
  else
    *change = GTK_FILTER_CHANGE_DIFFERENT;

  return TRUE;
}

gboolean
rd_ui_department_change (gint64           old_id,
                         gint64           new_id,
                         GtkFilterChange *change)
{
  g_return_val_if_fail (change != NULL, FALSE);

  if (old_id == new_id)
    return FALSE;

  if (old_id == 0)
    *change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (new_id == 0)
    *change = GTK_FILTER_CHANGE_LESS_STRICT;
  else
    *change = GTK_FILTER_CHANGE_DIFFERENT;

  return TRUE;
}

char *
rd_ui_format_time_range (const char *starts_at,
                         const char *ends_at)
{
  if (starts_at == NULL || ends_at == NULL)
    return g_strdup (starts_at != NULL ? starts_at : "");

  return g_strdup_printf ("%s–%s", starts_at, ends_at);
}
