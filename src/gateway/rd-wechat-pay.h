/* rd-wechat-pay.h: WeChat Pay APIv3 (direct merchant) as an RdPaymentProvider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "rd-gateway-credentials.h"
#include "rd-payment-provider.h"

G_BEGIN_DECLS

#define RD_TYPE_WECHAT_PAY (rd_wechat_pay_get_type ())

G_DECLARE_FINAL_TYPE (RdWechatPay, rd_wechat_pay, RD, WECHAT_PAY, GObject)

/* Signs every request with the merchant key of credentials' [wechatpay]
 * group and verifies every answer with its platform key; fails with
 * RD_GATEWAY_ERROR_KEY when that group is missing. session is shared with
 * the other gateways. */
RdWechatPay *rd_wechat_pay_new (SoupSession           *session,
                                RdGatewayCredentials  *credentials,
                                GError               **error);

G_END_DECLS
