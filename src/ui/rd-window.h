/* rd-window.h: the main window: login, then the pages of the login's roles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-application.h"
#include "rd-cluster.h"
#include "rd-db.h"

G_BEGIN_DECLS

#define RD_TYPE_WINDOW (rd_window_get_type ())
G_DECLARE_FINAL_TYPE (RdWindow, rd_window, RD, WINDOW, AdwApplicationWindow)

RdWindow    *rd_window_new                (RdApplication *application);
/* Prefills the login page's server field. */
void         rd_window_set_server         (RdWindow      *self,
                                           const char    *server);
/* A spinner page while the embedded demo starts. */
void         rd_window_show_preparing     (RdWindow      *self);
/* The demo runs: its accounts are offered on the login page, and when
 * @login is not NULL (and nobody is logged in) the window logs in as it. */
void         rd_window_set_demo           (RdWindow      *self,
                                           RdCluster     *cluster,
                                           const char    *login);
void         rd_window_show_demo_error    (RdWindow      *self,
                                           const GError  *error);
/* Fills the login page and logs in, as the Log In button does. */
void         rd_window_log_in             (RdWindow      *self,
                                           const char    *user,
                                           const char    *password);
void         rd_window_log_out            (RdWindow      *self);
/* The connection of the logged-in staff member, or NULL. */
RdDb        *rd_window_get_db             (RdWindow      *self);
/* The date the pages show ("YYYY-MM-DD"), NULL before a login. */
const char  *rd_window_get_date           (RdWindow      *self);
void         rd_window_set_date           (RdWindow      *self,
                                           const char    *date);

G_END_DECLS
