/* rd-result-private.h: wrapping a libpq result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "rd-result.h"

G_BEGIN_DECLS

/* Takes ownership of @result (PQclear on the last unref). */
RdResult    *rd_result_new_take          (PGresult   *result);

G_END_DECLS
