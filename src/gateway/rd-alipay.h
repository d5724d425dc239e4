/* rd-alipay.h: Alipay OpenAPI face-to-face payment (当面付) as an
 * RdPaymentProvider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "rd-gateway-credentials.h"
#include "rd-payment-provider.h"

G_BEGIN_DECLS

#define RD_TYPE_ALIPAY (rd_alipay_get_type ())

G_DECLARE_FINAL_TYPE (RdAlipay, rd_alipay, RD, ALIPAY, GObject)

/* Signs every request with the application key of credentials' [alipay]
 * group and verifies every answer's raw node with Alipay's public key;
 * fails with RD_GATEWAY_ERROR_KEY when that group is missing. */
RdAlipay *rd_alipay_new (SoupSession           *session,
                         RdGatewayCredentials  *credentials,
                         GError               **error);

G_END_DECLS
