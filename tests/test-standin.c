/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Broker stand-ins (lab/standin.c) over real sockets on 127.0.0.1: each
 * behaviour, release-faithful error answers, TLS with a generated PKI
 * (lab/pki.c), mutual TLS, the SASL one-ApiVersions-per-connection rule,
 * hostile clients and idle timeouts. The client side is deliberately simple:
 * blocking sockets with receive/send timeouts, blocking OpenSSL.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "fp.h"
#include "kafka_apiv.h"
#include "pki.h"
#include "standin.h"
#include "tap.h"
#include "util.h"

#define CORR	      77
#define IO_TIMEOUT_MS 3000

static struct fp_table *table;
static struct standin_server *srv;

struct cli {
	int fd;
	SSL *ssl;
};

enum rd_result { RD_OK, RD_EOF, RD_TIMEOUT, RD_ERROR };

static void set_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int cli_open(struct cli *c, uint16_t port, SSL_CTX *tls)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->ssl = NULL;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	set_timeout(c->fd, IO_TIMEOUT_MS);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	if (!tls)
		return 0;
	c->ssl = SSL_new(tls);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) || !SSL_set1_host(c->ssl, "localhost") ||
	    !SSL_set_tlsext_host_name(c->ssl, "localhost") || SSL_connect(c->ssl) != 1)
		goto fail;
	return 0;
fail:
	ERR_clear_error();
	SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	return -1;
}

static void cli_close(struct cli *c)
{
	SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->ssl = NULL;
}

static int cli_write(struct cli *c, const void *p, size_t n)
{
	if (c->ssl)
		return SSL_write(c->ssl, p, (int)n) == (int)n ? 0 : -1;
	return send(c->fd, p, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static enum rd_result cli_read(struct cli *c, uint8_t *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r;
		if (c->ssl) {
			ERR_clear_error();
			int k = SSL_read(c->ssl, p + got, (int)(n - got));
			if (k > 0) {
				got += (size_t)k;
				continue;
			}
			int e = SSL_get_error(c->ssl, k);
			ERR_clear_error();
			if (e == SSL_ERROR_ZERO_RETURN)
				return RD_EOF;
			if (e == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK))
				return RD_TIMEOUT;
			if (e == SSL_ERROR_WANT_READ)
				return RD_TIMEOUT;
			return e == SSL_ERROR_SYSCALL && errno == 0 ? RD_EOF : RD_ERROR;
		}
		r = recv(c->fd, p + got, n - got, 0);
		if (r == 0)
			return RD_EOF;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? RD_TIMEOUT
			       : errno == ECONNRESET		       ? RD_EOF
								       : RD_ERROR;
		got += (size_t)r;
	}
	return RD_OK;
}

/* Send one ApiVersions request and read one framed answer into *ret (malloc'd). */
static enum rd_result apiv_xchg(struct cli *c, int16_t version, const char *sw_name, uint8_t **ret,
				size_t *ret_len)
{
	uint8_t *req = NULL, hdr[4];
	size_t len;

	*ret = NULL;
	if (kafka_apiv_encode_request(version, CORR, "test", sw_name, "1.0", &req, &len))
		return RD_ERROR;
	int w = cli_write(c, req, len);
	free(req);
	if (w)
		return RD_ERROR;
	enum rd_result r = cli_read(c, hdr, 4);
	if (r != RD_OK)
		return r;
	uint32_t size =
		(uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (size > MP_APIV_FRAME_MAX) {
		*ret_len = size;
		return RD_ERROR;
	}
	*ret = malloc(size ? size : 1);
	*ret_len = size;
	r = cli_read(c, *ret, size);
	if (r != RD_OK) {
		free(*ret);
		*ret = NULL;
	}
	return r;
}

/* One exchange decoded; returns the decoder's result or -100 - rd_result. */
static int apiv_ask(struct cli *c, int16_t version, struct mp_apiv *a)
{
	uint8_t *buf;
	size_t len;
	char err[256];
	enum rd_result r = apiv_xchg(c, version, "mskprobe-test", &buf, &len);
	if (r != RD_OK)
		return -100 - (int)r;
	int rc = kafka_apiv_decode_response(buf, len, version, CORR, a, err, sizeof(err));
	if (rc)
		printf("# decode: %s\n", err);
	free(buf);
	return rc;
}

static bool same_table(const struct mp_api_table *a, const struct mp_api_table *b)
{
	return a->n == b->n && memcmp(a->r, b->r, a->n * sizeof(a->r[0])) == 0;
}

static uint16_t add(const struct standin_opts *o)
{
	char err[256];
	uint16_t port = 0;
	int rc = standin_add(srv, o, &port, err, sizeof(err));
	if (rc)
		printf("# standin_add: %s\n", err);
	return port;
}

static const struct fp_row *row(const char *release, enum fp_mode mode)
{
	const struct fp_row *r = fp_table_find(table, release, mode);
	if (!r) {
		printf("Bail out! release %s missing from the built-in table\n", release);
		exit(1);
	}
	return r;
}

static void test_release_zk22(void)
{
	const struct fp_row *r = row("2.2", FP_MODE_ZK);
	uint16_t port = add(&(struct standin_opts){ .row = r });
	struct mp_apiv *a = malloc(sizeof(*a));
	struct cli c;

	TAP_OK(port && cli_open(&c, port, NULL) == 0, "2.2 zk stand-in accepts");
	for (int16_t v = 0; v <= 2; v++) {
		TAP_EQ_INT(apiv_ask(&c, v, a), 0, "2.2 answers v%d", v);
		TAP_OK(a->error_code == 0 && same_table(&a->table, &r->table),
		       "2.2 v%d answer is the release's table", v);
	}
	TAP_EQ_INT(apiv_ask(&c, 3, a), 0, "2.2 answers a v3 request");
	TAP_OK(a->error_code == 35 && a->table.n == 0,
	       "pre-2.4: UNSUPPORTED_VERSION with an empty array");
	TAP_EQ_INT(apiv_ask(&c, 2, a), 0, "and a plain listener keeps answering after that");
	cli_close(&c);
	free(a);
}

static void test_release_kraft37(void)
{
	const struct fp_row *r = row("3.7", FP_MODE_KRAFT);
	uint16_t port = add(&(struct standin_opts){ .row = r });
	struct mp_apiv *a = malloc(sizeof(*a));
	struct cli c;
	uint8_t *buf;
	size_t len;
	char err[256];

	TAP_OK(port && cli_open(&c, port, NULL) == 0, "3.7 KRaft stand-in accepts");
	TAP_EQ_INT(apiv_ask(&c, 4, a), 0, "3.7 answers a v4 request");
	TAP_OK(a->error_code == 35 && a->table.n == 1 && a->table.r[0].key == 18 &&
		       a->table.r[0].max == 3,
	       "KIP-511: UNSUPPORTED_VERSION lists key 18 as 0-3");
	TAP_EQ_INT(apiv_ask(&c, 3, a), 0, "3.7 answers v3");
	TAP_OK(a->error_code == 0 && same_table(&a->table, &r->table), "v3 table is the row's");
	TAP_OK(a->n_supported == 1 && strcmp(a->supported[0].name, "metadata.version") == 0 &&
		       a->supported[0].min == 1 && a->supported[0].max == 19,
	       "SupportedFeatures metadata.version [1, 19]");
	TAP_OK(a->n_finalized == 1 && a->finalized[0].min == 19 && a->finalized[0].max == 19,
	       "FinalizedFeatures metadata.version 19");
	TAP_OK(a->finalized_epoch >= 0, "FinalizedFeaturesEpoch sent");
	TAP_EQ_INT(apiv_ask(&c, 1, a), 0, "3.7 answers v1");
	TAP_OK(a->n_supported == 0 && same_table(&a->table, &r->table), "v1 carries no features");

	/* KIP-511 alphabet: a name starting with '-' is INVALID_REQUEST */
	TAP_EQ_INT(apiv_xchg(&c, 3, "-bad", &buf, &len), RD_OK, "invalid software name answered");
	TAP_EQ_INT(buf ? kafka_apiv_decode_response(buf, len, 3, CORR, a, err, sizeof(err)) : -1, 0,
		   "INVALID_REQUEST answer decodes in the v3 layout");
	TAP_OK(a->error_code == 42 && a->table.n == 0, "error 42, empty array");
	free(buf);
	cli_close(&c);

	/* a lagging cluster: finalized below the binary's level */
	port = add(&(struct standin_opts){ .row = r, .metadata_version = 15, .features_epoch = 7 });
	TAP_OK(port && cli_open(&c, port, NULL) == 0 && apiv_ask(&c, 3, a) == 0 &&
		       a->finalized[0].max == 15 && a->supported[0].max == 19 &&
		       a->finalized_epoch == 7,
	       "finalized level and epoch follow the options");
	cli_close(&c);

	/* ZooKeeper-mode 3.7: no features, an epoch */
	port = add(&(struct standin_opts){ .row = row("3.7", FP_MODE_ZK) });
	TAP_OK(port && cli_open(&c, port, NULL) == 0 && apiv_ask(&c, 3, a) == 0 &&
		       a->n_supported == 0 && a->n_finalized == 0 && a->finalized_epoch == 0,
	       "3.7 zk: no metadata.version, FinalizedFeaturesEpoch 0");
	cli_close(&c);

	port = add(&(struct standin_opts){ .row = row("3.9", FP_MODE_KRAFT) });
	TAP_OK(port && cli_open(&c, port, NULL) == 0 && apiv_ask(&c, 4, a) == 0 &&
		       a->error_code == 0 && a->supported[0].max == 21,
	       "3.9 KRaft answers v4 with metadata.version up to 21");
	cli_close(&c);
	free(a);
}

static void test_behaviours(void)
{
	const struct fp_row *r = row("2.5", FP_MODE_ZK);
	struct mp_apiv *a = malloc(sizeof(*a));
	struct cli c;
	uint8_t *buf = NULL, hdr[16];
	size_t len;
	uint16_t port;

	port = add(&(struct standin_opts){ .behaviour = STANDIN_PRE_0_10 });
	TAP_OK(port && cli_open(&c, port, NULL) == 0, "pre-0.10 stand-in accepts");
	TAP_EQ_INT(apiv_ask(&c, 0, a), -100 - RD_EOF, "pre-0.10 closes on ApiVersions");
	cli_close(&c);

	port = add(&(struct standin_opts){ .behaviour = STANDIN_SILENT });
	TAP_OK(port && cli_open(&c, port, NULL) == 0, "silent stand-in accepts");
	set_timeout(c.fd, 400);
	TAP_EQ_INT(apiv_ask(&c, 0, a), -100 - RD_TIMEOUT, "silent never answers");
	cli_close(&c);

	port = add(&(struct standin_opts){ .behaviour = STANDIN_GARBAGE });
	TAP_OK(port && cli_open(&c, port, NULL) == 0, "garbage stand-in accepts");
	TAP_EQ_INT(apiv_xchg(&c, 0, "x", &buf, &len), RD_ERROR, "garbage: an absurd frame size");
	TAP_EQ_INT(len, 0x48545450, "the 'size' is \"HTTP\"");
	cli_close(&c);

	port = add(&(struct standin_opts){ .row = r, .behaviour = STANDIN_CLOSE_MID });
	TAP_OK(port && cli_open(&c, port, NULL) == 0, "close-mid stand-in accepts");
	TAP_EQ_INT(apiv_ask(&c, 2, a), -100 - RD_EOF, "close-mid: EOF inside the answer");
	cli_close(&c);

	port = add(&(struct standin_opts){ .row = r, .behaviour = STANDIN_HUGE_FRAME });
	TAP_OK(port && cli_open(&c, port, NULL) == 0, "huge-frame stand-in accepts");
	TAP_EQ_INT(apiv_xchg(&c, 0, "x", &buf, &len), RD_ERROR, "huge-frame: refused by size");
	TAP_EQ_INT(len, 0x7fffffff, "announces 2 GiB - 1");
	cli_close(&c);

	port = add(&(struct standin_opts){ .row = r, .behaviour = STANDIN_SLOW });
	TAP_OK(port && cli_open(&c, port, NULL) == 0, "slow stand-in accepts");
	uint8_t *req;
	kafka_apiv_encode_request(0, CORR, "t", "a", "b", &req, &len);
	cli_write(&c, req, len);
	free(req);
	int64_t t0 = mp_now_ms();
	TAP_EQ_INT(cli_read(&c, hdr, 4), RD_OK, "slow: the size arrives");
	int64_t took = mp_now_ms() - t0;
	TAP_OK(took >= 3 * STANDIN_SLOW_STEP_MS - 50 && took < 6 * STANDIN_SLOW_STEP_MS,
	       "slow: 4 bytes took %lld ms, one per %d ms", (long long)took, STANDIN_SLOW_STEP_MS);
	TAP_OK(hdr[0] == 0 && hdr[1] == 0, "slow: and they are a real size");
	cli_close(&c);
	free(a);
}

static void test_sasl(void)
{
	const struct fp_row *r = row("3.7", FP_MODE_KRAFT);
	uint16_t port = add(&(struct standin_opts){
		.row = r, .sasl = true, .sasl_mechanisms = "SCRAM-SHA-256,SCRAM-SHA-512" });
	struct mp_apiv *a = malloc(sizeof(*a));
	struct cli c;
	uint8_t b[64];

	TAP_OK(port && cli_open(&c, port, NULL) == 0, "SASL stand-in accepts");
	TAP_EQ_INT(apiv_ask(&c, 4, a), 0, "SASL: v4 answered before authentication");
	TAP_EQ_INT(a->error_code, 35, "with UNSUPPORTED_VERSION");
	TAP_EQ_INT(apiv_ask(&c, 3, a), 0, "SASL: stepping down on the same connection works");
	TAP_OK(a->error_code == 0 && same_table(&a->table, &r->table), "the full table");
	TAP_EQ_INT(apiv_ask(&c, 3, a), -100 - RD_EOF, "SASL: a second ApiVersions closes");
	cli_close(&c);

	/* Metadata v0 (key 3) before authentication: closed */
	static const uint8_t md[] = { 0, 0, 0, 14, 0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	TAP_OK(cli_open(&c, port, NULL) == 0 && cli_write(&c, md, sizeof(md)) == 0,
	       "Metadata sent unauthenticated");
	TAP_EQ_INT(cli_read(&c, b, 4), RD_EOF, "SASL: Metadata before authentication closes");
	cli_close(&c);

	/* ApiVersions, then SaslHandshake v1 SCRAM-SHA-512 */
	static const uint8_t hs[] = { 0,   0,	0,   25,  0,   17,  0,	 1,   0,   0,
				      0,   9,	0,   0,	  0,   13,  'S', 'C', 'R', 'A',
				      'M', '-', 'S', 'H', 'A', '-', '5', '1', '2' };
	TAP_OK(cli_open(&c, port, NULL) == 0 && apiv_ask(&c, 3, a) == 0, "ApiVersions first");
	TAP_OK(cli_write(&c, hs, sizeof(hs)) == 0 && cli_read(&c, b, 4) == RD_OK && b[3] == 40,
	       "SaslHandshake answered (%u bytes)", b[3]);
	TAP_OK(cli_read(&c, b, 40) == RD_OK && b[3] == 9 && b[4] == 0 && b[5] == 0 && b[9] == 2 &&
		       memcmp(b + 12, "SCRAM-SHA-256", 13) == 0,
	       "error 0, both mechanisms listed");
	TAP_EQ_INT(apiv_ask(&c, 3, a), -100 - RD_EOF, "after the handshake, ApiVersions closes");
	cli_close(&c);

	/* a mechanism not enabled: UNSUPPORTED_SASL_MECHANISM, then closed */
	uint8_t plain[] = { 0, 0, 0, 17, 0, 17,	 0,   1,   0,	0,  0,
			    9, 0, 0, 0,	 5, 'P', 'L', 'A', 'I', 'N' };
	TAP_OK(cli_open(&c, port, NULL) == 0 && cli_write(&c, plain, sizeof(plain)) == 0 &&
		       cli_read(&c, b, 10) == RD_OK && b[8] == 0 && b[9] == 33,
	       "PLAIN refused with error 33");
	TAP_OK(cli_read(&c, b, b[3] - 6) == RD_OK && cli_read(&c, b, 1) == RD_EOF,
	       "and the connection closes");
	cli_close(&c);
	free(a);
}

static void test_tls(void)
{
	char dir[] = "/tmp/mskprobe-pki-XXXXXX", err[512];
	const char *dns[] = { "localhost" }, *ips[] = { "127.0.0.1", "::1" };
	struct pki_paths p;
	SSL_CTX *sctx = NULL, *mctx = NULL, *cctx = NULL, *ccert = NULL;
	struct mp_apiv *a = malloc(sizeof(*a));
	struct cli c;
	struct stat st;

	TAP_OK(mkdtemp(dir) != NULL, "temp dir for the PKI");
	int rc = pki_generate(&(struct pki_opts){ .dir = dir,
						  .dns = dns,
						  .n_dns = 1,
						  .ips = ips,
						  .n_ips = 2,
						  .client_cert = true },
			      &p, err, sizeof(err));
	TAP_EQ_INT(rc, 0, "PKI generated: %s", rc ? err : "ok");
	TAP_OK(stat(p.server_key, &st) == 0 && (st.st_mode & 0777) == 0600, "server key is 0600");
	TAP_OK(stat(p.client_key, &st) == 0 && (st.st_mode & 0777) == 0600, "client key is 0600");
	TAP_EQ_INT(pki_server_ctx(&sctx, &p, false, err, sizeof(err)), 0, "server ctx");
	TAP_EQ_INT(pki_server_ctx(&mctx, &p, true, err, sizeof(err)), 0, "mTLS server ctx");
	TAP_EQ_INT(pki_client_ctx(&cctx, &p, false, err, sizeof(err)), 0, "client ctx");
	TAP_EQ_INT(pki_client_ctx(&ccert, &p, true, err, sizeof(err)), 0, "client ctx with cert");
	if (!sctx || !mctx || !cctx || !ccert)
		goto out;

	const struct fp_row *r = row("2.2", FP_MODE_ZK);
	uint16_t port = add(&(struct standin_opts){ .row = r, .tls = sctx });
	TAP_OK(port && cli_open(&c, port, cctx) == 0, "TLS handshake verified (CA, localhost)");
	TAP_OK(c.ssl && SSL_get_verify_result(c.ssl) == X509_V_OK, "verify result ok");
	TAP_EQ_INT(apiv_ask(&c, 2, a), 0, "ApiVersions over TLS");
	TAP_OK(same_table(&a->table, &r->table), "TLS answer is the row's table");
	TAP_EQ_INT(apiv_ask(&c, 3, a), 0, "a second exchange over TLS");
	cli_close(&c);
	TAP_OK(cli_open(&c, port, NULL) == 0 && apiv_ask(&c, 0, a) < -100,
	       "plain Kafka on the TLS port gets no answer");
	cli_close(&c);

	/* mutual TLS: no certificate fails (at the handshake or on the first read, TLS 1.3) */
	port = add(&(struct standin_opts){ .row = r, .tls = mctx });
	rc = cli_open(&c, port, cctx);
	TAP_OK(rc != 0 || apiv_ask(&c, 0, a) != 0, "mTLS without a client certificate fails");
	cli_close(&c);
	TAP_OK(cli_open(&c, port, ccert) == 0 && apiv_ask(&c, 1, a) == 0 && a->error_code == 0,
	       "mTLS with the client certificate answers");
	cli_close(&c);

	/* an expired certificate, from a second PKI */
	char dir2[] = "/tmp/mskprobe-pki-XXXXXX";
	struct pki_paths p2;
	SSL_CTX *x = NULL;
	time_t now = time(NULL);
	TAP_OK(mkdtemp(dir2) != NULL, "temp dir for an expired PKI");
	TAP_EQ_INT(pki_generate(&(struct pki_opts){ .dir = dir2,
						    .dns = dns,
						    .n_dns = 1,
						    .not_before = now - 10 * 86400,
						    .not_after = now - 86400 },
				&p2, err, sizeof(err)),
		   0, "expired PKI generated");
	TAP_EQ_INT(pki_server_ctx(&x, &p2, false, err, sizeof(err)), 0, "expired server ctx");
	SSL_CTX *c2 = NULL;
	pki_client_ctx(&c2, &p2, false, err, sizeof(err));
	port = add(&(struct standin_opts){ .row = r, .tls = x });
	SSL_CTX_free(x); /* the stand-in holds its own reference */
	TAP_OK(c2 && cli_open(&c, port, c2) != 0, "an expired certificate fails verification");
	SSL_CTX_set_verify(c2, SSL_VERIFY_NONE, NULL);
	TAP_OK(cli_open(&c, port, c2) == 0 &&
		       SSL_get_verify_result(c.ssl) == X509_V_ERR_CERT_HAS_EXPIRED,
	       "with verification off the reason is CERT_HAS_EXPIRED");
	cli_close(&c);
	SSL_CTX_free(c2);

	/* bad options */
	const char *bad_dns[] = { "a,DNS:evil" };
	TAP_EQ_INT(pki_generate(&(struct pki_opts){ .dir = dir2, .dns = bad_dns, .n_dns = 1 }, &p2,
				err, sizeof(err)),
		   -EINVAL, "a DNS name with a comma is refused: %s", err);
	const char *bad_ip[] = { "300.1.1.1" };
	TAP_EQ_INT(pki_generate(&(struct pki_opts){ .dir = dir2, .ips = bad_ip, .n_ips = 1 }, &p2,
				err, sizeof(err)),
		   -EINVAL, "a bad IP is refused: %s", err);
	TAP_OK(pki_generate(&(struct pki_opts){ .dir = "/nonexistent/x" }, &p2, err, sizeof(err)) <
			       0 &&
		       err[0],
	       "a missing directory is an error: %s", err);
	struct pki_paths none = { .ca_cert = "/nonexistent.pem",
				  .server_cert = "/nonexistent",
				  .server_key = "/nonexistent" };
	TAP_EQ_INT(pki_server_ctx(&x, &none, false, err, sizeof(err)), -EIO, "missing files: %s",
		   err);
	TAP_OK(ERR_peek_error() == 0, "the OpenSSL error queue is left empty");
out:
	SSL_CTX_free(sctx);
	SSL_CTX_free(mctx);
	SSL_CTX_free(cctx);
	SSL_CTX_free(ccert);
	free(a);
}

static void test_hostile(void)
{
	const struct fp_row *r = row("2.5", FP_MODE_ZK);
	uint16_t port = add(&(struct standin_opts){ .row = r, .idle_timeout_ms = 300 });
	struct mp_apiv *a = malloc(sizeof(*a));
	struct cli c;
	uint8_t b[8];
	struct standin_stats before, after;

	standin_stats(srv, &before);
	static const struct {
		const char *what;
		size_t len;
		uint8_t b[32];
	} bad[] = {
		{ "an HTTP request (frame size too large)", 27,
		  "GET / HTTP/1.1\r\nHost: x\r\n\r\n" },
		{ "a negative frame size", 8, { 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0 } },
		{ "a frame too short for a header", 6, { 0, 0, 0, 2, 0, 18 } },
		{ "a client id longer than the frame",
		  14,
		  { 0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 9 } },
		{ "a v3 body that does not parse",
		  17,
		  { 0, 0, 0, 13, 0, 18, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0x05, 'a' } },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TAP_OK(cli_open(&c, port, NULL) == 0 && cli_write(&c, bad[i].b, bad[i].len) == 0 &&
			       cli_read(&c, b, 1) == RD_EOF,
		       "%s is closed", bad[i].what);
		cli_close(&c);
	}
	int64_t t0 = mp_now_ms();
	TAP_OK(cli_open(&c, port, NULL) == 0 && cli_read(&c, b, 1) == RD_EOF,
	       "an idle connection is closed");
	int64_t took = mp_now_ms() - t0;
	TAP_OK(took >= 250 && took < 2500, "after the idle timeout (%lld ms)", (long long)took);
	cli_close(&c);
	/* pipelined requests are answered in order */
	uint8_t *r0, *r1;
	size_t l0, l1;
	kafka_apiv_encode_request(0, 1, "t", "a", "b", &r0, &l0);
	kafka_apiv_encode_request(1, 2, "t", "a", "b", &r1, &l1);
	uint8_t both[128];
	memcpy(both, r0, l0);
	memcpy(both + l0, r1, l1);
	TAP_OK(cli_open(&c, port, NULL) == 0 && cli_write(&c, both, l0 + l1) == 0,
	       "two pipelined requests sent");
	uint8_t h[8];
	TAP_OK(cli_read(&c, h, 8) == RD_OK && h[7] == 1, "first answer first");
	uint32_t sz = (uint32_t)h[2] << 8 | h[3];
	uint8_t *rest = malloc(sz);
	TAP_OK(cli_read(&c, rest, sz - 4) == RD_OK && cli_read(&c, h, 8) == RD_OK && h[7] == 2,
	       "second answer second");
	free(rest);
	free(r0);
	free(r1);
	cli_close(&c);
	standin_stats(srv, &after);
	TAP_OK(after.dropped >= before.dropped + 6, "misbehaving clients counted (%llu)",
	       (unsigned long long)(after.dropped - before.dropped));
	TAP_OK(cli_open(&c, port, NULL) == 0 && apiv_ask(&c, 0, a) == 0 && a->error_code == 0,
	       "the server still answers after all that");
	cli_close(&c);
	free(a);
}

/* Many listeners on one thread, many clients at once. */
static void test_many(void)
{
	enum { N = 64 };
	const struct fp_row *r = row("3.5", FP_MODE_KRAFT);
	uint16_t ports[N];
	struct cli c[N];
	int ok = 0, opened = 0;
	uint8_t *req;
	size_t len;

	for (int i = 0; i < N; i++) {
		ports[i] = add(&(struct standin_opts){ .row = r });
		c[i].fd = -1;
		c[i].ssl = NULL;
	}
	kafka_apiv_encode_request(3, CORR, "t", "a", "b", &req, &len);
	for (int i = 0; i < N; i++)
		if (ports[i] && cli_open(&c[i], ports[i], NULL) == 0 &&
		    cli_write(&c[i], req, len) == 0)
			opened++;
	for (int i = 0; i < N; i++) {
		uint8_t h[10];
		if (c[i].fd >= 0 && cli_read(&c[i], h, 10) == RD_OK && h[7] == CORR && h[9] == 0)
			ok++;
		cli_close(&c[i]);
	}
	free(req);
	TAP_EQ_INT(opened, N, "%d listeners, %d concurrent clients", N, N);
	TAP_EQ_INT(ok, N, "every client answered");
}

static void test_bad_opts(void)
{
	char err[256] = "";
	uint16_t port = 0;
	TAP_EQ_INT(standin_add(srv, &(struct standin_opts){ .behaviour = STANDIN_RELEASE }, &port,
			       err, sizeof(err)),
		   -EINVAL, "a release stand-in without a row is refused: %s", err);
	TAP_EQ_INT(standin_add(srv,
			       &(struct standin_opts){ .behaviour = (enum standin_behaviour)99 },
			       &port, err, sizeof(err)),
		   -EINVAL, "an unknown behaviour is refused");
	TAP_EQ_INT(standin_server_start(srv, err, sizeof(err)), -EALREADY,
		   "a second start is refused");
	TAP_EQ_INT(standin_metadata_level("3.7"), 19, "3.7 metadata.version level");
	TAP_EQ_INT(standin_metadata_level("2.8"), 0, "no level before 3.3");
}

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	mp_fmt(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n)
		printf("# cannot write %s\n", path);
	if (f)
		fclose(f);
}

/*
 * Replay listeners (lab/standin_replay.c): recorded answers go out with the
 * request's correlation id; a request without a file closes; a SASL replay
 * keeps the SASL order; a directory without answers is refused.
 */
static void test_replay(void)
{
	/* recorded with correlation id 1: error 0, key 18 v0-3, throttle 0 */
	static const uint8_t ok_v2[] = { 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0,
					 0, 1, 0, 18, 0, 0, 0, 3, 0, 0, 0, 0 };
	char dir[] = "/tmp/test-standin-replay-XXXXXX", err[256] = "";
	struct standin_opts o = { .behaviour = STANDIN_REPLAY, .idle_timeout_ms = 2000 };
	struct cli c;
	struct mp_apiv a;
	uint8_t *buf = NULL;
	size_t len = 0;
	uint16_t port = 0, sasl_port = 0;

	if (!mkdtemp(dir)) {
		TAP_OK(false, "mkdtemp");
		return;
	}
	o.replay_dir = dir;
	TAP_EQ_INT(standin_add(srv, &o, &port, err, sizeof(err)), -EINVAL,
		   "a replay directory without answers is refused: %s", err);
	write_file(dir, "18-v2.bin", ok_v2, sizeof(ok_v2));
	TAP_EQ_INT(standin_add(srv, &o, &port, err, sizeof(err)), 0, "replay listener added");
	o.sasl = true;
	TAP_EQ_INT(standin_add(srv, &o, &sasl_port, err, sizeof(err)), 0, "SASL replay added");

	TAP_OK(cli_open(&c, port, NULL) == 0 && apiv_ask(&c, 2, &a) == 0 && a.table.n == 1 &&
		       a.table.r[0].key == 18 && a.table.r[0].max == 3,
	       "the recorded answer, with the request's correlation id");
	TAP_OK(apiv_ask(&c, 2, &a) == 0, "served again on the same connection");
	TAP_EQ_INT(apiv_xchg(&c, 1, "x", &buf, &len), RD_EOF, "no recording for v1: closed");
	free(buf);
	cli_close(&c);

	TAP_OK(cli_open(&c, sasl_port, NULL) == 0 && apiv_ask(&c, 2, &a) == 0,
	       "SASL replay: ApiVersions served");
	TAP_EQ_INT(apiv_xchg(&c, 2, "x", &buf, &len), RD_EOF,
		   "SASL replay: a second ApiVersions closes");
	free(buf);
	cli_close(&c);

	o.replay_dir = "/nonexistent/replay";
	TAP_OK(standin_add(srv, &o, &port, err, sizeof(err)) < 0, "a missing directory: %s", err);
	o.replay_dir = NULL;
	TAP_EQ_INT(standin_add(srv, &o, &port, err, sizeof(err)), -EINVAL,
		   "a replay listener without a directory: %s", err);
	char path[512];
	mp_fmt(path, sizeof(path), "%s/18-v2.bin", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	char err[256];

	if (fp_table_builtin(&table, err, sizeof(err)) ||
	    standin_server_new(&srv, err, sizeof(err)) ||
	    standin_server_start(srv, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	test_release_zk22();
	test_release_kraft37();
	test_behaviours();
	test_sasl();
	test_tls();
	test_hostile();
	test_many();
	test_bad_opts();
	test_replay();
	standin_server_free(srv);
	fp_table_free(table);
	return tap_done();
}
