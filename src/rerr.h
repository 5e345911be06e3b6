/*
 * rerr.h - an error as a value: the exit status it calls for and one line of
 * text.  Code below main.c fills one in and returns; main.c prints it as
 * "rnnfilter: <msg>" and exits with the status.
 */
#ifndef RNNF_RERR_H
#define RNNF_RERR_H

/* Exit statuses, as in rnnfilter(1). */
enum {
	EXIT_OK = 0,
	EXIT_DATA = 1,		/* bad data, I/O or runtime error */
	EXIT_USAGE = 2,
	EXIT_LOCKED = 3,	/* the model file is in use by another run */
	EXIT_MODEL = 4,		/* the model file is corrupt, foreign or of another shape */
	EXIT_ALERT = 5		/* --alert: some item crossed the threshold */
};

struct rerr {
	int status;
	char msg[1024];
};

/* Set E (unless it already holds an error) and return its status. */
int rerr_set(struct rerr *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
