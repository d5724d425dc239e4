/* rd-application.h: the Regdesk application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-cluster.h"
#include "rd-gateway-sim.h"

G_BEGIN_DECLS

/* The settings schema; a development build shares it with the stable one. */
#define RD_SETTINGS_SCHEMA_ID "io.github.regdesk.Regdesk"

#define RD_TYPE_APPLICATION (rd_application_get_type ())
G_DECLARE_FINAL_TYPE (RdApplication, rd_application, RD, APPLICATION, AdwApplication)

/* Binds the gettext domain: $REGDESK_LOCALEDIR (a build tree's po/) or the
 * installed locale directory. Call it before any string is translated. */
void           rd_application_init_i18n          (void);

RdApplication *rd_application_new                (void);
GSettings     *rd_application_get_settings       (RdApplication *self);
/* The embedded demo cluster once it runs, else NULL. */
RdCluster     *rd_application_get_demo_cluster   (RdApplication *self);
char          *rd_application_get_credentials_path (RdApplication *self);
RdGatewaySim  *rd_application_get_demo_gateways  (RdApplication *self);

G_END_DECLS
