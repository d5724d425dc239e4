/* rd-gateway-test-util.h: test data and keys shared by the gateway tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rd-crypto.h"

G_BEGIN_DECLS

/* The published WeChat Pay SDK test vector: SHA256withRSA of "source". */
#define RD_TEST_WECHATPAY_SOURCE_SIGNATURE \
  "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4" \
  "ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguL" \
  "li/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG" \
  "23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg=="
#define RD_TEST_WECHATPAY_SERIAL "F5765756002FDD77"
#define RD_TEST_WECHATPAY_MCHID  "1234567890"

/* Path of a file of tests/gateway/data, or of shared/testvectors when the
 * copy is missing; fails the test when neither exists. */
char           *rd_test_gateway_data_path      (const char *name);
/* Its contents, NUL-terminated. */
char           *rd_test_gateway_data           (const char *name,
                                                gsize      *len);
/* The WeChat Pay SDK test key (PKCS#8 copy). */
RdRsaKey       *rd_test_gateway_wechatpay_key  (void);
/* Its self-signed certificate with serial RD_TEST_WECHATPAY_SERIAL. */
RdRsaPublicKey *rd_test_gateway_wechatpay_cert (void);
/* A 2048-bit key generated once per test program. */
RdRsaKey       *rd_test_gateway_generated_key  (void);
/* Flips one bit of a base64 value's decoded bytes and re-encodes it. */
char           *rd_test_gateway_tamper_base64  (const char *b64,
                                                gsize       byte);

G_END_DECLS
