/* rerr.c - see rerr.h. */
#include <stdarg.h>
#include <stdio.h>
#include "rerr.h"

int
rerr_set(struct rerr *e, int status, const char *fmt, ...)
{
	va_list ap;

	if (e->status != 0)
		return e->status;
	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return status;
}
