/* rd-login-page.h: server, user and password, and the demo accounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RD_TYPE_LOGIN_PAGE (rd_login_page_get_type ())
G_DECLARE_FINAL_TYPE (RdLoginPage, rd_login_page, RD, LOGIN_PAGE, AdwBin)

/* Signal "log-in" (no arguments): the Log In button or a demo account was
 * activated; read the fields with the getters. Property "busy". */
const char  *rd_login_page_get_server          (RdLoginPage *self);
void         rd_login_page_set_server          (RdLoginPage *self,
                                                const char  *server);
const char  *rd_login_page_get_user            (RdLoginPage *self);
void         rd_login_page_set_user            (RdLoginPage *self,
                                                const char  *user);
const char  *rd_login_page_get_password        (RdLoginPage *self);
void         rd_login_page_set_password        (RdLoginPage *self,
                                                const char  *password);
gboolean     rd_login_page_get_busy            (RdLoginPage *self);
void         rd_login_page_set_busy            (RdLoginPage *self,
                                                gboolean     busy);
/* The inline error; NULL hides it. @detail goes to the tooltip. */
void         rd_login_page_set_error           (RdLoginPage *self,
                                                const char  *message,
                                                const char  *detail);
const char  *rd_login_page_get_error           (RdLoginPage *self);
/* Lists the demo hospital's accounts as rows that log in when activated. */
void         rd_login_page_set_show_demo       (RdLoginPage *self,
                                                gboolean     show_demo);
GtkWidget   *rd_login_page_get_default_widget  (RdLoginPage *self);
/* Focuses the first field a person still has to fill. */
void         rd_login_page_focus_first_empty   (RdLoginPage *self);

G_END_DECLS
