/* rd-store-error.h: errors of the database layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_STORE_ERROR (rd_store_error_quark ())

/* Codes the UI turns into words a clerk understands. */
typedef enum
{
  RD_STORE_ERROR_FAILED,        /* anything else */
  RD_STORE_ERROR_CONNECTION,    /* bad conninfo, server down, connection lost */
  RD_STORE_ERROR_AUTH,          /* wrong password, no such login (28xxx) */
  RD_STORE_ERROR_PERMISSION,    /* the role may not do this (42501) */
  RD_STORE_ERROR_CONFLICT,      /* unique violation, serialization failure, deadlock */
  RD_STORE_ERROR_INVALID,       /* bad data (22xxx, 23xxx other than unique) */
  RD_STORE_ERROR_REJECTED,      /* a business rule in an api.* function said no (SQLSTATE RDxxx) */
  RD_STORE_ERROR_SCHEMA,        /* schema missing or newer than this program */
  RD_STORE_ERROR_CANCELLED,     /* not used: cancellation is G_IO_ERROR_CANCELLED */
} RdStoreError;

GQuark       rd_store_error_quark        (void);
/* The SQLSTATE behind a store error ("23505"), or NULL. */
const char  *rd_store_error_get_sqlstate (const GError *error);

G_END_DECLS
