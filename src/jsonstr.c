/* jsonstr.c - bytes as a JSON string; see jsonstr.h. */
#include <string.h>
#include "jsonstr.h"

static const char hex[] = "0123456789abcdef";

/* Length of the well-formed UTF-8 sequence at S (RFC 3629, table 3-7), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing beyond U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

size_t
jsonstr_next(const char *s, size_t n, char *out, size_t *outn)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char c = u[0];
	size_t len;

	if (c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		*outn = 2;
		return 1;
	}
	if (c < 0x20) {
		out[0] = '\\';
		if (c == '\n' || c == '\r' || c == '\t') {
			out[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			*outn = 2;
		} else {
			memcpy(out + 1, "u00", 3);
			out[4] = hex[c >> 4];
			out[5] = hex[c & 15];
			*outn = 6;
		}
		return 1;
	}
	if ((len = utf8_len(u, n)) == 0) {
		memcpy(out, "\\udc", 4);
		out[4] = hex[c >> 4];
		out[5] = hex[c & 15];
		*outn = 6;
		return 1;
	}
	memcpy(out, s, len);
	*outn = len;
	return len;
}

void
jsonstr_write(const char *s, size_t n,
    void (*put)(const char *p, size_t len, void *ctx), void *ctx)
{
	char b[JSONSTR_ESC_MAX];
	size_t k, bn;

	put("\"", 1, ctx);
	for (; n > 0; s += k, n -= k) {
		k = jsonstr_next(s, n, b, &bn);
		put(b, bn, ctx);
	}
	put("\"", 1, ctx);
}
