/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Corpus replay: a plain main() for any libFuzzer target, so its corpus
 * (and every crash input kept there) runs in ordinary `meson test`
 * (suite 'fuzz'), with or without sanitizers. Each argument is a file or a
 * directory whose regular files are fed, in name order, to
 * LLVMFuzzerTestOneInput. A crash is the failure; an unreadable argument or
 * an empty run is an error too, so a missing corpus cannot pass.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_INPUT_MAX (4u * 1024u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc = -1;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(REPLAY_INPUT_MAX + 1);
	if (buf) {
		n = fread(buf, 1, REPLAY_INPUT_MAX + 1, f);
		if (ferror(f) || n > REPLAY_INPUT_MAX) {
			fprintf(stderr, "replay: %s: unreadable or over %u bytes\n", path,
				REPLAY_INPUT_MAX);
		} else {
			/* an exact-size copy, so ASan sees reads past the input */
			uint8_t *exact = malloc(n ? n : 1);
			if (exact) {
				memcpy(exact, buf, n);
				LLVMFuzzerTestOneInput(exact, n);
				free(exact);
				rc = 0;
			}
		}
	}
	free(buf);
	fclose(f);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file of dir; returns files run or -1. */
static long run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	long ran = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				break;
			names = nn;
		}
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		int w = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (w > 0 && (size_t)w < sizeof(path) && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			if (run_file(path) < 0)
				ran = -1;
			else if (ran >= 0)
				ran++;
		}
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	long total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		long ran;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		ran = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]) == 0 ? 1 : -1;
		if (ran < 0)
			return 1;
		total += ran;
	}
	printf("replayed %ld inputs\n", total);
	return total > 0 ? 0 : 1;
}
