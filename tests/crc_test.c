/*
 * crc_test.c - crc_update() (src/crc.c, carry-less folding where the CPU
 * has it) against zlib's crc32(): every length from 0 to 1,100 at every
 * offset from 0 to 15, long ones, chained calls, and the check value of
 * "123456789".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "crc.h"

static int fails;

#define FAIL(...) do { \
	fprintf(stderr, "crc_test.c:%d: ", __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	fails++; \
} while (0)

static uint32_t
zcrc(uint32_t c, const unsigned char *p, size_t n)
{
	return (uint32_t)crc32(c, p, (uInt)n);
}

int
main(void)
{
	size_t big = (3u << 20) + 77, i, n, off;
	unsigned char *b = malloc(big + 16);
	uint32_t x = 12345, c, z;

	if (b == NULL)
		return 99;
	for (i = 0; i < big + 16; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (unsigned char)(x >> 16);
	}
	if (crc_update(0, "123456789", 9) != 0xcbf43926u)
		FAIL("the check value of 123456789");
	if (crc_update(0, NULL, 0) != 0)
		FAIL("the initial value");
	for (off = 0; off < 16; off++)
		for (n = 0; n <= 1100; n++)
			if (crc_update(0x9abcdef0u, b + off, n) !=
			    zcrc(0x9abcdef0u, b + off, n))
				FAIL("offset %zu, %zu bytes", off, n);
	for (n = big - 200; n <= big; n += 13)
		if (crc_update(0, b + 3, n) != zcrc(0, b + 3, n))
			FAIL("%zu bytes", n);
	/* in pieces, as a save and a load take them */
	c = z = 0;
	for (i = 0; i + 65535 <= big; i += 65535) {
		c = crc_update(c, b + i, 65535);
		z = zcrc(z, b + i, 65535);
	}
	c = crc_update(c, b + i, big - i);
	z = zcrc(z, b + i, big - i);
	if (c != z || c != zcrc(0, b, big))
		FAIL("in pieces of 65535");
	memset(b, 0, big);	/* zeros, and all ones */
	if (crc_update(0, b, big) != zcrc(0, b, big))
		FAIL("zeros");
	memset(b, 0xff, big);
	if (crc_update(0xffffffffu, b, big) != zcrc(0xffffffffu, b, big))
		FAIL("ones");
	free(b);
	if (fails)
		fprintf(stderr, "crc_test: %d failures\n", fails);
	return fails != 0;
}
