/* SPDX-License-Identifier: MIT */
#include "util/utf8.h"

/* Length of the sequence starting with lead byte c, 0 if c cannot lead. */
static size_t
seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return 2;
	if (c >= 0xE0 && c <= 0xEF)
		return 3;
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	return 0;
}

bool
utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		size_t len = seq_len(s[i]);
		if (len == 0 || len > n - i)
			return false;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		if (len == 3) {
			if (s[i] == 0xE0 && s[i + 1] < 0xA0)
				return false;	/* overlong */
			if (s[i] == 0xED && s[i + 1] >= 0xA0)
				return false;	/* surrogate */
		} else if (len == 4) {
			if (s[i] == 0xF0 && s[i + 1] < 0x90)
				return false;	/* overlong */
			if (s[i] == 0xF4 && s[i + 1] >= 0x90)
				return false;	/* past U+10FFFF */
		}
		i += len;
	}
	return true;
}

size_t
utf8_count(const char *s, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

size_t
utf8_decode(const char *str, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = seq_len(s[0]);

	switch (len) {
	case 1:
		*cp = s[0];
		break;
	case 2:
		*cp = (unsigned)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
		break;
	case 3:
		*cp = (unsigned)(s[0] & 0x0F) << 12 | (unsigned)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
		break;
	case 4:
		*cp = (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3F) << 12 |
		      (unsigned)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
		break;
	default:
		*cp = 0xFFFD;
		len = 1;
	}
	return len;
}

bool
utf8_has_control(const char *s, size_t n, bool allow_space)
{
	size_t i = 0;

	while (i < n) {
		unsigned cp;
		i += utf8_decode(s + i, &cp);
		if (allow_space && (cp == '\t' || cp == '\n' || cp == '\r'))
			continue;
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			return true;
	}
	return false;
}

size_t
utf8_encode(unsigned cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}
