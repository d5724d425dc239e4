/* rd-store-error-private.h: building store errors from libpq results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "rd-store-error.h"

G_BEGIN_DECLS

/* The code for a five-character SQLSTATE (NULL: FAILED). */
RdStoreError rd_store_error_code_from_sqlstate   (const char     *sqlstate);
/* A store error carrying @sqlstate (may be NULL). */
GError      *rd_store_error_new_sqlstate         (RdStoreError    code,
                                                  const char     *sqlstate,
                                                  const char     *message);
/* The error of a failed statement: the server's primary message, plus its
 * DETAIL when that is short. @conn tells a lost connection apart. */
GError      *rd_store_error_new_from_result      (const PGresult *result,
                                                  PGconn         *conn);
/* The error of a failed connection attempt (PQerrorMessage on one line).
 * The connection should have been started with PQERRORS_VERBOSE so that the
 * server's SQLSTATE tells a refused login apart in any language. */
GError      *rd_store_error_new_from_connection  (PGconn         *conn);
/* A verbose connection failure message on one line, without the SQLSTATE
 * and LOCATION parts; the last SQLSTATE found goes to @sqlstate. */
char        *rd_store_error_parse_connection_message (const char  *message,
                                                      char       **sqlstate);
/* @message folded onto one line: trimmed lines joined by spaces. */
char        *rd_store_error_one_line             (const char     *message);

G_END_DECLS
