/*
 * dump.h - --dump: a model as one JSON object, its parameters named and
 * shaped as PyTorch's state_dict (rnnfilter(1), --dump).
 */
#ifndef RNNF_DUMP_H
#define RNNF_DUMP_H

#include <stdio.h>
#include "run.h"

/* M as one JSON object on F.  Returns 0, or -1 on a write error. */
int dump_json(const struct model *m, FILE *f);

#endif
