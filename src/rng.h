/*
 * rng.h - a seeded pseudo-random generator that gives the same numbers on
 * every platform: xoshiro256** seeded through splitmix64.
 */
#ifndef RNNF_RNG_H
#define RNNF_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double rng_uniform(struct rng *r);

#endif
