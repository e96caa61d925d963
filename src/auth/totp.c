/* SPDX-License-Identifier: MIT */
/* Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), HMAC-SHA1
 * as authenticator apps expect, 30-second steps, 6 digits. libsodium has
 * no SHA-1, so the HMAC comes from OpenSSL's libcrypto. */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include "auth/auth.h"

int64_t
totp_code(const unsigned char *key, size_t keylen, int64_t step, int digits)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	for (int i = 7; i >= 0; i--, step >>= 8)
		msg[i] = (unsigned char)(step & 0xff);
	if (!HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac, &maclen) || maclen < 20)
		return -1;
	/* dynamic truncation (RFC 4226 5.3) */
	int off = mac[maclen - 1] & 0x0f;
	int64_t bin = ((int64_t)(mac[off] & 0x7f) << 24) | ((int64_t)mac[off + 1] << 16) |
		      ((int64_t)mac[off + 2] << 8) | mac[off + 3];
	int64_t mod = 1;
	for (int i = 0; i < digits; i++)
		mod *= 10;
	return bin % mod;
}

bool
totp_check(const unsigned char *key, size_t keylen, const char *code, int64_t now_s,
	   int64_t *last_step)
{
	if (!code || strlen(code) != TOTP_DIGITS)
		return false;
	for (const char *p = code; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	int64_t given = strtoll(code, NULL, 10), step = now_s / TOTP_STEP_S;
	/* one step either side for clock drift; never a step used before */
	for (int64_t s = step - 1; s <= step + 1; s++) {
		if (s <= *last_step)
			continue;
		if (totp_code(key, keylen, s, TOTP_DIGITS) == given) {
			*last_step = s;
			return true;
		}
	}
	return false;
}

void
totp_base32(const unsigned char *key, size_t keylen, char *out, size_t outlen)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t o = 0;
	unsigned buffer = 0;
	int bits = 0;

	for (size_t i = 0; i < keylen && o + 1 < outlen; i++) {
		buffer = (buffer << 8) | key[i];
		bits += 8;
		while (bits >= 5 && o + 1 < outlen) {
			out[o++] = alphabet[(buffer >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && o + 1 < outlen)
		out[o++] = alphabet[(buffer << (5 - bits)) & 31];
	out[o] = '\0';
}
