/*
 * jsonstr.h - the bytes of a name or a field as a JSON string, valid JSON
 * whatever the bytes (RFC 8259).
 *
 * Valid UTF-8 is copied; '"', '\\' and control characters are escaped
 * (\n \r \t, else \u00XX).  A byte that is not part of well-formed UTF-8
 * (RFC 3629) is written as the escape \udcXX of the lone surrogate U+DC00 +
 * the byte, as Python's "surrogateescape" error handler does (PEP 383):
 * the text stays ASCII-clean JSON, and the bytes can be recovered, e.g. in
 * Python with s.encode('utf-8', 'surrogateescape').  NUL is \u0000: a name
 * is its bytes, never cut short.
 */
#ifndef RNNF_JSONSTR_H
#define RNNF_JSONSTR_H

#include <stddef.h>

#define JSONSTR_ESC_MAX 8	/* the longest form of one item: "\udcff" + 2 */

/*
 * The JSON form of what starts the N > 0 bytes at S: written into OUT (of
 * JSONSTR_ESC_MAX bytes, not NUL-terminated) with its length in *OUTN.
 * Returns the number of bytes of S it stands for (1 to 4).
 */
size_t jsonstr_next(const char *s, size_t n, char *out, size_t *outn);
/*
 * The N bytes at S as a JSON string, its quotes included, handed to PUT
 * (with CTX) a piece at a time: the one escaper of the --append rows and
 * of --dump.
 */
void jsonstr_write(const char *s, size_t n,
    void (*put)(const char *p, size_t len, void *ctx), void *ctx);

#endif
