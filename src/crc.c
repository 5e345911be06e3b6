/*
 * crc.c - crc32 by folding with PCLMULQDQ; see crc.h.
 *
 * The reflected crc32 (polynomial 0x104C11DB7) of a message is its
 * remainder modulo P over GF(2).  Four 128-bit lanes each take the next
 * 64 bytes: a lane x (high half H, low half L) moves 512 bits on as
 * H * (x^(512+64) mod P) + L * (x^512 mod P), which carry-less multiplies
 * give, and the next 16 bytes are added.  The lanes then fold into one
 * with the constants of 128 bits, which takes the rest in 16-byte steps,
 * and the last 128 bits are reduced to 64, to 32 with one more multiply,
 * and the remainder is found by Barrett reduction with P and
 * floor(x^64 / P).  (The constants, bit-reflected and shifted as the
 * reflected multiply needs them, are those of Intel's white paper "Fast
 * CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction",
 * 2009.)  What is left over, fewer than 16 bytes or a message under 64,
 * goes through zlib.
 */
#include <zlib.h>
#include "crc.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(RNNF_NO_PCLMUL)
#include <immintrin.h>
#define HAVE_FOLD 1

#define FOLD_TARGET __attribute__((target("pclmul,sse4.1")))

/* X moved on by the constants K (high, low), plus the 16 bytes at P. */
FOLD_TARGET static inline __m128i
fold16(__m128i x, __m128i k, __m128i next)
{
	__m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
	__m128i hi = _mm_clmulepi64_si128(x, k, 0x11);

	return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

/* The raw (not inverted) crc of N bytes, N >= 64 and a multiple of 16. */
FOLD_TARGET static uint32_t
fold(uint32_t crc, const unsigned char *p, size_t n)
{
	const __m128i k512 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);
	const __m128i k128 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
	const __m128i k64 = _mm_set_epi64x(0, 0x163cd6124);
	const __m128i bar = _mm_set_epi64x(0x1f7011641, 0x1db710641);
	const __m128i low32 = _mm_set_epi32(0, 0, 0, -1);
	__m128i x0, x1, x2, x3, t;

	x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p),
	    _mm_cvtsi32_si128((int)crc));
	x1 = _mm_loadu_si128((const __m128i *)(p + 16));
	x2 = _mm_loadu_si128((const __m128i *)(p + 32));
	x3 = _mm_loadu_si128((const __m128i *)(p + 48));
	for (p += 64, n -= 64; n >= 64; p += 64, n -= 64) {
		x0 = fold16(x0, k512, _mm_loadu_si128((const __m128i *)p));
		x1 = fold16(x1, k512, _mm_loadu_si128((const __m128i *)(p + 16)));
		x2 = fold16(x2, k512, _mm_loadu_si128((const __m128i *)(p + 32)));
		x3 = fold16(x3, k512, _mm_loadu_si128((const __m128i *)(p + 48)));
	}
	x0 = fold16(x0, k128, x1);
	x0 = fold16(x0, k128, x2);
	x0 = fold16(x0, k128, x3);
	for (; n >= 16; p += 16, n -= 16)
		x0 = fold16(x0, k128, _mm_loadu_si128((const __m128i *)p));
	/* 128 bits to 64 (and 32 zero bits appended) */
	t = _mm_clmulepi64_si128(k128, x0, 0x01);
	x0 = _mm_xor_si128(_mm_srli_si128(x0, 8), t);
	/* 64 to 32 */
	t = _mm_srli_si128(x0, 4);
	x0 = _mm_clmulepi64_si128(_mm_and_si128(x0, low32), k64, 0x00);
	x0 = _mm_xor_si128(x0, t);
	/* Barrett: the remainder modulo P */
	t = x0;
	x0 = _mm_clmulepi64_si128(_mm_and_si128(x0, low32), bar, 0x10);
	x0 = _mm_clmulepi64_si128(_mm_and_si128(x0, low32), bar, 0x00);
	x0 = _mm_xor_si128(x0, t);
	return (uint32_t)_mm_extract_epi32(x0, 1);
}

static int
have_fold(void)
{
	static int known = -1;

	if (known < 0)
		known = __builtin_cpu_supports("pclmul") &&
		    __builtin_cpu_supports("sse4.1");
	return known;
}
#endif

uint32_t
crc_update(uint32_t crc, const void *pv, size_t n)
{
	const unsigned char *p = pv;
	uLong c = crc;

	if (p == NULL)
		return (uint32_t)crc32(c, Z_NULL, 0);
#ifdef HAVE_FOLD
	if (n >= 64 && have_fold()) {
		size_t k = n & ~(size_t)15;

		c = ~fold(~crc, p, k) & 0xffffffffu;
		p += k;
		n -= k;
	}
#endif
	while (n > 0) {		/* zlib takes uInt lengths */
		uInt k = n > (1u << 30) ? 1u << 30 : (uInt)n;

		c = crc32(c, p, k);
		p += k;
		n -= k;
	}
	return (uint32_t)c;
}
