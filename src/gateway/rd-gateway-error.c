/* rd-gateway-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include "rd-gateway-error.h"

typedef struct
{
  char  *gateway_code;
  guint  http_status;
} RdGatewayErrorPrivate;

static void
rd_gateway_error_private_init (RdGatewayErrorPrivate *priv)
{
  priv->gateway_code = NULL;
  priv->http_status = 0;
}

static void
rd_gateway_error_private_copy (const RdGatewayErrorPrivate *src,
                               RdGatewayErrorPrivate       *dest)
{
  dest->gateway_code = g_strdup (src->gateway_code);
  dest->http_status = src->http_status;
}

static void
rd_gateway_error_private_clear (RdGatewayErrorPrivate *priv)
{
  g_clear_pointer (&priv->gateway_code, g_free);
}

/* Extended, so the gateway's own code travels with the error through GTask
 * and g_propagate_error() without being parsed back out of the message. */
G_DEFINE_EXTENDED_ERROR (RdGatewayError, rd_gateway_error)

GError *
rd_gateway_error_new_from_gateway (RdGatewayError  code,
                                   const char     *gateway_code,
                                   guint           http_status,
                                   const char     *format,
                                   ...)
{
  RdGatewayErrorPrivate *priv;
  GError *error;
  va_list args;

  g_return_val_if_fail (format != NULL, NULL);

  va_start (args, format);
  error = g_error_new_valist (RD_GATEWAY_ERROR, code, format, args);
  va_end (args);

  priv = rd_gateway_error_get_private (error);
  priv->gateway_code = g_strdup (gateway_code);
  priv->http_status = http_status;

  return error;
}

const char *
rd_gateway_error_get_gateway_code (const GError *error)
{
  if (error == NULL || error->domain != RD_GATEWAY_ERROR)
    return NULL;

  return rd_gateway_error_get_private (error)->gateway_code;
}

guint
rd_gateway_error_get_http_status (const GError *error)
{
  if (error == NULL || error->domain != RD_GATEWAY_ERROR)
    return 0;

  return rd_gateway_error_get_private (error)->http_status;
}

gboolean
rd_gateway_error_is_retryable (const GError *error)
{
  if (error == NULL || error->domain != RD_GATEWAY_ERROR)
    return FALSE;

  switch ((RdGatewayError) error->code)
    {
    case RD_GATEWAY_ERROR_NETWORK:
    case RD_GATEWAY_ERROR_TIMEOUT:
    case RD_GATEWAY_ERROR_RETRY:
    case RD_GATEWAY_ERROR_BUSY:
      return TRUE;

    case RD_GATEWAY_ERROR_FAILED:
    case RD_GATEWAY_ERROR_KEY:
    case RD_GATEWAY_ERROR_SIGNATURE:
    case RD_GATEWAY_ERROR_BAD_RESPONSE:
    case RD_GATEWAY_ERROR_REJECTED:
    case RD_GATEWAY_ERROR_UNKNOWN_OUTCOME:
    default:
      return FALSE;
    }
}
