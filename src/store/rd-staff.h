/* rd-staff.h: who is logged in, and staff logins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"
#include "rd-enums.h"

G_BEGIN_DECLS

typedef struct
{
  char    *login;          /* the PostgreSQL role */
  char    *display_name;   /* "王小红" */
  RdRoles  roles;          /* every regdesk_* group the role is a member of */
  gint64   hospital_id;
  char    *hospital_name;
  char    *time_zone;      /* the hospital's, "Asia/Shanghai" */
} RdWhoami;

void         rd_whoami_free             (RdWhoami      *whoami);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdWhoami, rd_whoami_free)

/* api.whoami(): fails with RD_STORE_ERROR_PERMISSION when the login is in
 * no regdesk_* group. */
void         rd_staff_whoami_async      (RdDb               *db,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
RdWhoami    *rd_staff_whoami_finish     (RdDb               *db,
                                         GAsyncResult       *result,
                                         GError            **error);
RdWhoami    *rd_staff_whoami_sync       (RdDb               *db,
                                         GCancellable       *cancellable,
                                         GError            **error);

/* api.staff_add(): creates a login role in the group for @role (exactly one
 * flag) with a SCRAM password. Admins only. */
gboolean     rd_staff_add_sync          (RdDb               *db,
                                         const char         *login,
                                         const char         *display_name,
                                         RdRoles             role,
                                         const char         *password,
                                         GCancellable       *cancellable,
                                         GError            **error);

G_END_DECLS
