/*
 * crc.h - the crc32 of gzip and zlib (crc32() of zlib, the same numbers),
 * by carry-less multiplication where the CPU has it: a load or save of a
 * model file of gigabytes checks every byte once, and zlib's table-driven
 * crc32 was the largest part of a load.
 */
#ifndef RNNF_CRC_H
#define RNNF_CRC_H

#include <stddef.h>
#include <stdint.h>

/* crc32(CRC, P, N) of zlib, any N (0 with P NULL gives the initial 0). */
uint32_t crc_update(uint32_t crc, const void *p, size_t n);

#endif
