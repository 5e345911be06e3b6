/*
 * replay.c - a main() for a libFuzzer harness without libFuzzer: each file
 * named on the command line is read whole and handed to the harness once,
 * so that "make check" replays the committed corpora, regression seeds
 * included, with the compiler and sanitizers of the build.  A failed
 * property aborts, as it does under the fuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	static uint8_t buf[1 << 20];
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *copy;
		size_t n;

		if (f == NULL) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof buf, f);
		if (ferror(f) || !feof(f)) {
			fprintf(stderr, "%s: unreadable or over %zu bytes\n",
			    argv[i], sizeof buf);
			fclose(f);
			return 1;
		}
		fclose(f);
		/* a block of the input's own size, as libFuzzer gives, so
		 * that AddressSanitizer sees a read past its end */
		if ((copy = malloc(n > 0 ? n : 1)) == NULL) {
			perror("malloc");
			return 1;
		}
		memcpy(copy, buf, n);
		LLVMFuzzerTestOneInput(copy, n);
		free(copy);
	}
	printf("%d inputs\n", argc - 1);
	return 0;
}
