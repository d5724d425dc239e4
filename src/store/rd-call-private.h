/* rd-call-private.h: running one api.* function (its statement, its
 * parameters, how to read its answer) async, finish and sync alike
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"

G_BEGIN_DECLS

#define RD_CALL_MAX_PARAMS 6

typedef gpointer (*RdCallParse) (RdResult  *rows,
                                 GError   **error);

/* One api.* call: its statement, how to read its rows and free the value. */
typedef struct
{
  const char     *sql;
  RdCallParse     parse;
  GDestroyNotify  free_func;
} RdCall;

/* The parameters of one call, owning their text. */
typedef struct
{
  guint  n;
  char  *values[RD_CALL_MAX_PARAMS];
} RdCallParams;

void     rd_call_params_clear          (RdCallParams   *params);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RdCallParams, rd_call_params_clear)
void     rd_call_params_add            (RdCallParams   *params,
                                        const char     *value);
void     rd_call_params_add_int        (RdCallParams   *params,
                                        gint64          value);
/* @request_id, or a fresh one when it is NULL or empty. */
void     rd_call_params_add_request_id (RdCallParams   *params,
                                        const char     *request_id);

/* The task's value is what call->parse made of the rows. */
void     rd_call_async                 (RdDb                *db,
                                        const RdCall        *call,
                                        RdCallParams        *params,
                                        gpointer             source_tag,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gpointer rd_call_finish                (RdDb                *db,
                                        GAsyncResult        *result,
                                        gpointer             source_tag,
                                        GError             **error);
gpointer rd_call_sync                  (RdDb                *db,
                                        const RdCall        *call,
                                        RdCallParams        *params,
                                        GCancellable        *cancellable,
                                        GError             **error);

G_END_DECLS
