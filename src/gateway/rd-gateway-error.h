/* rd-gateway-error.h: errors of the payment and SMS gateway layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_GATEWAY_ERROR (rd_gateway_error_quark ())

/* Codes the services and the UI turn into decisions and words a clerk
 * understands. The payment code appends codes; never renumber. */
typedef enum
{
  RD_GATEWAY_ERROR_FAILED,          /* anything else */
  RD_GATEWAY_ERROR_KEY,             /* a key or certificate is unusable, unreadable or exposed */
  RD_GATEWAY_ERROR_SIGNATURE,       /* a signature, authentication tag or timestamp did not
                                     * verify, or cannot even be read */
  RD_GATEWAY_ERROR_BAD_RESPONSE,    /* the gateway answered something we cannot understand */
  RD_GATEWAY_ERROR_NETWORK,         /* the request did not reach the gateway, or its answer
                                     * did not come back */
  RD_GATEWAY_ERROR_TIMEOUT,         /* no answer in time: the outcome may still change */
  RD_GATEWAY_ERROR_REJECTED,        /* the gateway said no, for a business reason */
  RD_GATEWAY_ERROR_UNKNOWN_OUTCOME, /* we cannot tell whether it happened: a person must look */
  RD_GATEWAY_ERROR_RETRY,           /* the gateway had a fault of its own (SYSTEM_ERROR, 20000,
                                     * 5xx): send the same request again later */
  RD_GATEWAY_ERROR_BUSY,            /* the gateway asks us to slow down (FREQUENCY_LIMITED) */
} RdGatewayError;

GQuark      rd_gateway_error_quark            (void);

/* An error that carries the gateway's own code ("SYSTEM_ERROR",
 * "ACQ.TRADE_NOT_EXIST", ...) and HTTP status next to ours. */
GError     *rd_gateway_error_new_from_gateway (RdGatewayError  code,
                                               const char     *gateway_code,
                                               guint           http_status,
                                               const char     *format,
                                               ...) G_GNUC_PRINTF (4, 5);
/* The gateway's code, or NULL when the error is not RD_GATEWAY_ERROR or
 * the gateway gave none. */
const char *rd_gateway_error_get_gateway_code (const GError   *error);
/* The HTTP status of the answer, or 0. */
guint       rd_gateway_error_get_http_status  (const GError   *error);
/* TRUE for the errors after which the same request may be sent again:
 * NETWORK, TIMEOUT, RETRY and BUSY. */
gboolean    rd_gateway_error_is_retryable     (const GError   *error);

G_END_DECLS
