/* rd-ui-util.h: what the views decide, as plain functions tests call headless
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rd-enums.h"

G_BEGIN_DECLS

/* The pages of the main window. */
typedef enum /*< flags >*/
{
  RD_UI_PAGE_NONE      = 0,
  RD_UI_PAGE_DESK      = 1 << 0,
  RD_UI_PAGE_SCHEDULES = 1 << 1,
  RD_UI_PAGE_FINANCE   = 1 << 2,
} RdUiPages;

/* Which pages a login with @roles sees: clerks the desk, managers the
 * schedules, finance the finance page; administrators everything. */
RdUiPages    rd_ui_pages_for_roles       (RdRoles           roles);

/* The libpq conninfo for what the login page holds. @server is a conninfo
 * string ("host=db dbname=regdesk"), a URI ("postgresql://db/regdesk"), a
 * host name with an optional port ("db.example.org:5433"), or empty (the
 * PG* environment). @user and @password, when not empty, override what
 * @server says. */
char        *rd_ui_build_conninfo        (const char       *server,
                                          const char       *user,
                                          const char       *password);

/* Plain words for a failed login, or NULL for a cancelled one. */
char        *rd_ui_describe_login_error  (const GError     *error);

/* "YYYY-MM-DD" arithmetic; NULL when @date is not a valid date. */
char        *rd_ui_date_add_days         (const char       *date,
                                          int               days);
/* The date the roster opens on at @now (in the hospital's time zone):
 * today, or tomorrow at or after @closing_hour when @tomorrow_after_hours. */
char        *rd_ui_default_date          (GDateTime        *now,
                                          gboolean          tomorrow_after_hours,
                                          int               closing_hour);
/* A date as a person reads it ("Mon, 3 June 2024"); @date itself when it
 * does not parse. */
char        *rd_ui_format_date           (const char       *date);

/* What went wrong with a booking, payment, cancellation or check-in at the
 * desk, in words a clerk acts on; NULL when the user cancelled. */
char        *rd_ui_describe_desk_error   (const GError     *error);

/* Text folded for matching: normalised and case-folded. */
char        *rd_ui_fold                  (const char       *text);
/* TRUE when @folded_search (from rd_ui_fold) is in @name, or, spelt in
 * Latin letters, in its pinyin initials ("zs" finds 张三); @pinyin is those
 * initials when the caller has them, NULL to derive them from @name. */
gboolean     rd_ui_name_matches          (const char       *folded_search,
                                          const char       *name,
                                          const char       *pinyin);
/* How a filter on folded search text changed going from @old_text to
 * @new_text; FALSE when it did not change at all. */
gboolean     rd_ui_search_change         (const char       *old_text,
                                          const char       *new_text,
                                          GtkFilterChange  *change);
/* The same for a department filter (0 = all departments). */
gboolean     rd_ui_department_change     (gint64            old_id,
                                          gint64            new_id,
                                          GtkFilterChange  *change);

/* "08:00–12:00" */
char        *rd_ui_format_time_range     (const char       *starts_at,
                                          const char       *ends_at);

G_END_DECLS
