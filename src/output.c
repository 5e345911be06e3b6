/* output.c - see output.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output.h"

static int out_errno;
static char outbuf[1 << 16];

void
out_init(void)
{
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
}

int
out_number(char *buf, double v, int precision)
{
	float f = (float)v;
	int p, n = 0;

	if (precision > 0)
		return snprintf(buf, OUT_NUMBER_MAX, "%.*g", precision, v);
	for (p = 7; p <= 9; p++) {
		n = snprintf(buf, OUT_NUMBER_MAX, "%.*g", p, (double)f);
		if (strtof(buf, NULL) == f)
			break;
	}
	return n;
}

static void
note_error(void)
{
	if (out_errno == 0)
		out_errno = errno ? errno : EIO;
}

void
out_write(const void *p, size_t n)
{
	if (out_errno == 0 && fwrite(p, 1, n, stdout) != n)
		note_error();
}

void
out_str(const char *s)
{
	out_write(s, strlen(s));
}

void
out_char(int c)
{
	if (out_errno == 0 && putchar(c) == EOF)
		note_error();
}

int
out_flush(void)
{
	if (out_errno == 0 && fflush(stdout) == EOF)
		note_error();
	return out_errno;
}

int
out_error(void)
{
	return out_errno;
}
