/* SPDX-License-Identifier: Apache-2.0 */
/*
 * standin-serve: the endpoints of the scan benchmark (bench/scan/run.sh).
 *
 * Starts, on 127.0.0.1, N broker stand-ins (lab/standin.h) on one serving
 * thread: answering listeners that cycle through every row of the built-in
 * release table (all releases, ZooKeeper and KRaft mode), some of them
 * behind TLS with a throw-away PKI (lab/pki.h); SILENT listeners that
 * accept and read but never answer; and dead ports, bound to learn a free
 * port number below the kernel's ephemeral range and closed again before
 * anything can connect. The kinds are shuffled with a fixed seed so dead
 * and silent endpoints are spread over the list, the same way on every run.
 *
 * Once every listener is up it writes the manifest, one endpoint a line,
 *   127.0.0.1:PORT <TAB> release|tls|silent|dead <TAB> RELEASE/MODE or -
 * atomically (a temporary file renamed into place, so a script can wait
 * for it to appear), then serves until SIGTERM or SIGINT. On SIGUSR1, and
 * at the end, it prints the stand-ins' counters as one line on stdout:
 *   accepted=N requests=N answers=N dropped=N tls_failed=N
 *
 * Not a test and not installed: a benchmark fixture.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fp.h"
#include "pki.h"
#include "standin.h"
#include "util.h"

#define SERVE_ENDPOINTS_MAX 12000u
#define SERVE_SEED 0x6d736b70u /* "mskp": the shuffle is the same on every run */

enum ep_kind {
	EP_RELEASE = 0,
	EP_TLS,
	EP_SILENT,
	EP_DEAD,
};

static const char *const kind_names[] = { "release", "tls", "silent", "dead" };

struct serve_opts {
	unsigned long answering, tls, silent, dead;
	const char *manifest;
	const char *pki_dir;
};

struct endpoint {
	enum ep_kind kind;
	const struct fp_row *row; /* answering kinds only */
	uint16_t port;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: standin-serve --manifest FILE [--answering N] [--tls N] [--silent N]\n"
		"                     [--dead N] [--pki-dir DIR]\n\n"
		"Serves broker stand-ins on 127.0.0.1 until SIGTERM; writes one endpoint a\n"
		"line (ENDPOINT TAB KIND TAB RELEASE/MODE) into FILE once all are up.\n"
		"  --answering N  listeners answering ApiVersions as a release (default 400)\n"
		"  --tls N        how many of those are behind TLS (default 0; needs --pki-dir)\n"
		"  --silent N     listeners that accept and never answer (default 50)\n"
		"  --dead N       closed ports (default 50)\n"
		"  --pki-dir DIR  existing folder for ca.pem and the server certificate\n");
}

/* A small LCG: deterministic and the same on every libc, unlike rand(). */
static uint32_t lcg_next(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/* Fisher-Yates with the fixed seed. */
static void shuffle(struct endpoint *ep, size_t n)
{
	uint32_t st = SERVE_SEED;
	for (size_t i = n; i > 1; i--) {
		size_t j = lcg_next(&st) % i;
		struct endpoint t = ep[i - 1];
		ep[i - 1] = ep[j];
		ep[j] = t;
	}
}

/*
 * Raise the soft RLIMIT_NOFILE to `want` (capped by the hard limit): every
 * listener and every client connection in flight holds a descriptor.
 */
static int raise_nofile(rlim_t want, char *err, size_t el)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		mp_fmt(err, el, "getrlimit: %s", strerror(errno));
		return -errno;
	}
	if (rl.rlim_cur >= want)
		return 0;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		mp_fmt(err, el, "setrlimit(RLIMIT_NOFILE, %llu): %s", (unsigned long long)rl.rlim_cur,
		       strerror(errno));
		return -errno;
	}
	if (rl.rlim_cur < want)
		fprintf(stderr, "standin-serve: RLIMIT_NOFILE capped at %llu (wanted %llu)\n",
			(unsigned long long)rl.rlim_cur, (unsigned long long)want);
	return 0;
}

/*
 * The first port of the kernel's ephemeral range (ip_local_port_range),
 * 32768 when it can not be read.
 */
static unsigned ephemeral_low(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned lo = 32768, hi = 0;
	if (f) {
		if (fscanf(f, "%u %u", &lo, &hi) != 2 || lo <= 1024 || lo > 65535)
			lo = 32768;
		fclose(f);
	}
	return lo;
}

/*
 * Reserve a port for a dead endpoint: bind (without listening) the next
 * free port below the ephemeral range, counting down from *cursor. Below
 * that range no port-0 bind and no client's source port can land on it,
 * so it stays dead once the caller closes the socket (after every real
 * listener is bound), even with other programs on the machine; a client
 * can not connect to itself through it either.
 */
static int reserve_port(unsigned *cursor, int *ret_fd, uint16_t *ret_port, char *err, size_t el)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		mp_fmt(err, el, "socket: %s", strerror(errno));
		return -errno;
	}
	for (; *cursor > 1024; (*cursor)--) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons((uint16_t)*cursor) };
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			*ret_fd = fd;
			*ret_port = (uint16_t)(*cursor)--;
			return 0;
		}
		if (errno != EADDRINUSE && errno != EACCES) {
			int e = errno;
			mp_fmt(err, el, "reserve a dead port: bind %u: %s", *cursor, strerror(e));
			close(fd);
			return -e;
		}
	}
	close(fd);
	mp_fmt(err, el, "no free port below the ephemeral range for a dead endpoint");
	return -EADDRINUSE;
}

/* Write the manifest to FILE.tmp, then rename it into place. */
static int write_manifest(const char *path, const struct endpoint *ep, size_t n, char *err,
			  size_t el)
{
	char tmp[4200];
	FILE *f;
	mp_fmt(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		mp_fmt(err, el, "%s: %s", tmp, strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < n; i++) {
		if (ep[i].row)
			fprintf(f, "127.0.0.1:%u\t%s\t%s/%s\n", ep[i].port, kind_names[ep[i].kind],
				ep[i].row->release, fp_mode_name(ep[i].row->mode));
		else
			fprintf(f, "127.0.0.1:%u\t%s\t-\n", ep[i].port, kind_names[ep[i].kind]);
	}
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		int e = errno;
		mp_fmt(err, el, "%s: %s", path, strerror(e));
		unlink(tmp);
		return -e;
	}
	return 0;
}

static int parse_opts(struct serve_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "answering", required_argument, NULL, 'a' },
		{ "tls", required_argument, NULL, 't' },
		{ "silent", required_argument, NULL, 's' },
		{ "dead", required_argument, NULL, 'd' },
		{ "manifest", required_argument, NULL, 'm' },
		{ "pki-dir", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		unsigned long *dst = NULL;
		const char *name = NULL;
		switch (c) {
		case 'a':
			dst = &o->answering, name = "--answering";
			break;
		case 't':
			dst = &o->tls, name = "--tls";
			break;
		case 's':
			dst = &o->silent, name = "--silent";
			break;
		case 'd':
			dst = &o->dead, name = "--dead";
			break;
		case 'm':
			o->manifest = optarg;
			break;
		case 'p':
			o->pki_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			fprintf(stderr, "standin-serve: see 'standin-serve --help'\n");
			return -EINVAL;
		}
		if (dst && mp_parse_uint(optarg, 0, SERVE_ENDPOINTS_MAX, dst) < 0) {
			fprintf(stderr, "standin-serve: %s: expected 0..%u, got '%s'\n", name,
				SERVE_ENDPOINTS_MAX, optarg);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "standin-serve: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->manifest) {
		fprintf(stderr, "standin-serve: --manifest is required\n");
		return -EINVAL;
	}
	if (o->tls > o->answering) {
		fprintf(stderr, "standin-serve: --tls is a share of --answering\n");
		return -EINVAL;
	}
	if (o->tls && !o->pki_dir) {
		fprintf(stderr, "standin-serve: --tls needs --pki-dir\n");
		return -EINVAL;
	}
	if (o->answering + o->silent + o->dead > SERVE_ENDPOINTS_MAX) {
		fprintf(stderr, "standin-serve: at most %u endpoints in all\n", SERVE_ENDPOINTS_MAX);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct serve_opts o = { .answering = 400, .silent = 50, .dead = 50 };
	struct fp_table *fp = NULL;
	struct standin_server *si = NULL;
	SSL_CTX *tls = NULL;
	struct endpoint *ep = NULL;
	int *dead_fd = NULL;
	size_t n = 0, n_dead = 0, rows;
	unsigned dead_cursor = ephemeral_low() - 1;
	char err[512] = "";
	sigset_t stop;
	int rc, sig, ret = 1;

	rc = parse_opts(&o, argc, argv);
	if (rc)
		return rc > 0 ? 0 : 2;
	n = o.answering + o.silent + o.dead;
	ep = calloc(n ? n : 1, sizeof(*ep));
	dead_fd = calloc(o.dead ? o.dead : 1, sizeof(*dead_fd));
	if (!ep || !dead_fd) {
		mp_fmt(err, sizeof(err), "out of memory");
		goto out;
	}
	/* listeners + dead reservations + room for the clients' connections */
	if (raise_nofile((rlim_t)n * 2 + 4096, err, sizeof(err)) < 0 ||
	    fp_table_builtin(&fp, err, sizeof(err)) < 0 ||
	    standin_server_new(&si, err, sizeof(err)) < 0)
		goto out;
	rows = fp_table_rows(fp);
	for (size_t i = 0; i < n; i++) {
		if (i < o.answering) {
			ep[i].kind = i < o.tls ? EP_TLS : EP_RELEASE;
			ep[i].row = fp_table_row(fp, i % rows);
		} else {
			ep[i].kind = i < o.answering + o.silent ? EP_SILENT : EP_DEAD;
		}
	}
	shuffle(ep, n);

	if (o.tls) {
		const char *ips[] = { "127.0.0.1" };
		const char *dns[] = { "localhost" };
		struct pki_opts po = { .dir = o.pki_dir, .dns = dns, .n_dns = 1, .ips = ips,
				       .n_ips = 1 };
		struct pki_paths paths;
		if (pki_generate(&po, &paths, err, sizeof(err)) < 0 ||
		    pki_server_ctx(&tls, &paths, false, err, sizeof(err)) < 0)
			goto out;
	}

	/* Block the stop signals before the serving thread exists, so it inherits the mask. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGUSR1);
	if (pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0) {
		mp_fmt(err, sizeof(err), "pthread_sigmask failed");
		goto out;
	}

	for (size_t i = 0; i < n; i++) {
		if (ep[i].kind == EP_DEAD) {
			if (reserve_port(&dead_cursor, &dead_fd[n_dead], &ep[i].port, err, sizeof(err)) < 0)
				goto out;
			n_dead++;
			continue;
		}
		struct standin_opts so = {
			.row = ep[i].row,
			.tls = ep[i].kind == EP_TLS ? tls : NULL,
			.behaviour = ep[i].kind == EP_SILENT ? STANDIN_SILENT : STANDIN_RELEASE,
		};
		if (standin_add(si, &so, &ep[i].port, err, sizeof(err)) < 0)
			goto out;
	}
	for (size_t i = 0; i < n_dead; i++)
		close(dead_fd[i]);
	n_dead = 0;
	if (standin_server_start(si, err, sizeof(err)) < 0 ||
	    write_manifest(o.manifest, ep, n, err, sizeof(err)) < 0)
		goto out;
	fprintf(stderr, "standin-serve: %zu endpoints (%lu answering, %lu of them TLS, %lu silent, "
			"%lu dead) in %s\n",
		n, o.answering, o.tls, o.silent, o.dead, o.manifest);

	for (;;) {
		struct standin_stats st;
		if (sigwait(&stop, &sig) != 0) {
			mp_fmt(err, sizeof(err), "sigwait failed");
			goto out;
		}
		standin_stats(si, &st);
		printf("accepted=%llu requests=%llu answers=%llu dropped=%llu tls_failed=%llu\n",
		       (unsigned long long)st.accepted, (unsigned long long)st.requests,
		       (unsigned long long)st.answers, (unsigned long long)st.dropped,
		       (unsigned long long)st.tls_failed);
		fflush(stdout);
		if (sig != SIGUSR1)
			break;
	}
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "standin-serve: %s\n", err);
	for (size_t i = 0; i < n_dead; i++)
		close(dead_fd[i]);
	standin_server_free(si);
	SSL_CTX_free(tls);
	fp_table_free(fp);
	free(dead_fd);
	free(ep);
	return ret;
}
