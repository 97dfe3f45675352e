/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Baseline for bench/replay: the least work any auparse consumer does,
 * iterating every event and every record of a log and nothing else.
 */
#include <auparse.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	unsigned long events = 0, records = 0;
	auparse_state_t *au;

	if (argc != 2) {
		(void)fprintf(stderr, "usage: auparse_loop LOG\n");
		return 1;
	}
	au = auparse_init(AUSOURCE_FILE, argv[1]);
	if (!au) {
		perror(argv[1]);
		return 1;
	}
	while (auparse_next_event(au) > 0) {
		events++;
		do {
			records++;
		} while (auparse_next_record(au) > 0);
	}
	auparse_destroy(au);
	(void)printf("%lu events %lu records\n", events, records);
	return 0;
}
