/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe/om_parse.c and the om view/HTTP reader of probe/om.c: the text
 * format, hostile inputs (a huge line, no newline, NaN/Inf, escapes,
 * duplicate labels, a million series), the HTTP answer (length, chunked,
 * close, 404, caps), and the golden vector: a real Kafka 3.7.2 broker's
 * scrape by jmx_prometheus_javaagent 0.20.0 (argv[1]).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "om.h"
#include "tap.h"

struct rec {
	int n;
	char name[64], l0[64], v0[64];
	size_t n_labels;
	double value;
};

static int rec_fn(const struct om_sample *s, void *ud)
{
	struct rec *r = ud;
	r->n++;
	snprintf(r->name, sizeof(r->name), "%s", s->name);
	r->n_labels = s->n_labels;
	r->value = s->value;
	snprintf(r->l0, sizeof(r->l0), "%s", s->n_labels ? s->labels[0].name : "");
	snprintf(r->v0, sizeof(r->v0), "%s", s->n_labels ? s->labels[0].value : "");
	return 0;
}

static int parse(const char *text, struct rec *r, char *err, size_t el)
{
	struct om_parser *p = NULL;
	memset(r, 0, sizeof(*r));
	if (om_parser_new(&p, rec_fn, r) < 0)
		abort();
	int rc = om_parser_feed(p, (const uint8_t *)text, strlen(text), err, el);
	if (!rc)
		rc = om_parser_end(p, err, el);
	om_parser_free(p);
	return rc;
}

static void test_lines(void)
{
	struct rec r;
	char err[MP_ERR_MAX] = "";
	TAP_EQ_INT(parse("# HELP x y\n# TYPE x untyped\nx 1.0\n", &r, err, sizeof(err)), 0,
		   "plain sample");
	TAP_EQ_INT(r.n, 1, "one sample");
	TAP_OK(r.value == 1.0 && r.n_labels == 0, "value 1.0, no labels");
	TAP_EQ_INT(parse("a_b:c{l=\"v\",} 3 1700000000000", &r, err, sizeof(err)), 0,
		   "trailing comma, timestamp, no final newline");
	TAP_EQ_STR(r.name, "a_b:c", "name");
	TAP_EQ_STR(r.v0, "v", "label value");
	TAP_EQ_INT(parse("x NaN\n", &r, err, sizeof(err)), 0, "NaN");
	TAP_OK(isnan(r.value), "NaN value");
	TAP_EQ_INT(parse("x +Inf\n", &r, err, sizeof(err)), 0, "+Inf");
	TAP_OK(isinf(r.value) && r.value > 0, "+Inf value");
	TAP_EQ_INT(parse("x -Inf\n", &r, err, sizeof(err)), 0, "-Inf");
	TAP_EQ_INT(parse("x{a=\"q\\\"u\\\\o\\nte\"} 1\n", &r, err, sizeof(err)), 0, "escapes");
	TAP_EQ_STR(r.v0, "q\"u\\o\nte", "escapes unescaped");
	TAP_EQ_INT(parse("x{a=\"1\",a=\"2\"} 1\n", &r, err, sizeof(err)), OM_BAD,
		   "duplicate label");
	TAP_OK(strstr(err, "line 1") && strstr(err, "duplicate"), "reason names line and fault: %s",
	       err);
	TAP_EQ_INT(parse("\n\nx{a=\"1} 1\n", &r, err, sizeof(err)), OM_BAD, "unterminated value");
	TAP_OK(strstr(err, "line 3") != NULL, "line counted: %s", err);
	TAP_EQ_INT(parse("x 0x10\n", &r, err, sizeof(err)), OM_BAD, "hex float refused");
	TAP_EQ_INT(parse("x inf\n", &r, err, sizeof(err)), OM_BAD, "lowercase inf refused");
	TAP_EQ_INT(parse("x\n", &r, err, sizeof(err)), OM_BAD, "no value");
	TAP_EQ_INT(parse("x 1 2 3\n", &r, err, sizeof(err)), OM_BAD, "text after the timestamp");
	TAP_EQ_INT(parse("9x 1\n", &r, err, sizeof(err)), OM_BAD, "bad metric name");
	TAP_EQ_INT(parse("x{9=\"1\"} 1\n", &r, err, sizeof(err)), OM_BAD, "bad label name");
	char nul[] = "x{a=\"1\0\"} 1\n";
	struct om_parser *p = NULL;
	om_parser_new(&p, rec_fn, &r);
	TAP_EQ_INT(om_parser_feed(p, (const uint8_t *)nul, sizeof(nul) - 1, err, sizeof(err)),
		   OM_BAD, "NUL byte refused");
	TAP_EQ_INT(om_parser_feed(p, (const uint8_t *)"x 1\n", 4, err, sizeof(err)), OM_BAD,
		   "the error is sticky");
	om_parser_free(p);
	/* more labels than the cap */
	char many[4096];
	size_t o = (size_t)snprintf(many, sizeof(many), "x{");
	for (unsigned i = 0; i <= MP_OM_LABELS_MAX; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "l%u=\"v\",", i);
	snprintf(many + o, sizeof(many) - o, "} 1\n");
	TAP_EQ_INT(parse(many, &r, err, sizeof(err)), OM_BAD, "more labels than MP_OM_LABELS_MAX");
}

static void test_huge(void)
{
	char err[MP_ERR_MAX];
	struct rec r = { 0 };
	struct om_parser *p = NULL;
	om_parser_new(&p, rec_fn, &r);
	/* a line past the cap, fed in pieces, never a newline */
	uint8_t chunk[4096];
	memset(chunk, 'a', sizeof(chunk));
	int rc = 0;
	for (int i = 0; i < 64 && rc == 0; i++)
		rc = om_parser_feed(p, chunk, sizeof(chunk), err, sizeof(err));
	TAP_EQ_INT(rc, OM_BAD, "a line over MP_OM_LINE_MAX without newline is refused");
	TAP_OK(strstr(err, "longer") != NULL, "reason: %s", err);
	om_parser_free(p);

	/* a million connection series: the view keeps at most MP_OM_SERIES_MAX */
	size_t n = 1000000, cap = n * 160;
	char *body = malloc(cap);
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(body + o, cap - o,
				      "kafka_server_socket_server_metrics_connections{"
				      "clientSoftwareName=\"c%zu\","
				      "clientSoftwareVersion=\"1\",listener=\"L\",} 1.0\n",
				      i);
	struct om_view v = { 0 };
	TAP_EQ_INT(om_parse_body((uint8_t *)body, o, &v, err, sizeof(err)), 0, "1e6 series parse");
	TAP_OK(v.n_clients + v.n_listeners + v.n_deprecated <= MP_OM_SERIES_MAX,
	       "series kept capped (%zu)", v.n_clients + v.n_listeners);
	TAP_OK(v.dropped >= n - MP_OM_SERIES_MAX, "the rest counted as dropped (%llu)",
	       (unsigned long long)v.dropped);
	TAP_EQ_INT(v.samples, n, "every sample seen");
	om_view_clear(&v);
	free(body);
}

static void test_view(void)
{
	char err[MP_ERR_MAX];
	struct om_view v = { 0 };
	const char *t = "kafka_server_socket_server_metrics_connections{clientSoftwareName=\"bad "
			"name\",clientSoftwareVersion=\"1\",listener=\"P\",} 1.0\n"
			"kafka_server_socket_server_metrics_connections{clientSoftwareName="
			"\"\xc3\xa9\",clientSoftwareVersion=\"1\",listener=\"P\",} 1.0\n"
			"kafka_server_socket_server_metrics_connections{clientSoftwareName=\"ok\","
			"clientSoftwareVersion=\"1\",listener=\"P\",} NaN\n"
			"kafka_server_socket_server_metrics_connections{clientSoftwareName=\"ok\","
			"clientSoftwareVersion=\"1\",listener=\"P\",networkProcessor=\"1\",} 2.0\n";
	TAP_EQ_INT(om_parse_body((const uint8_t *)t, strlen(t), &v, err, sizeof(err)), 0,
		   "view body");
	TAP_EQ_INT(v.n_clients, 1, "names out of the KIP-511 alphabet dropped");
	TAP_EQ_INT(v.dropped, 2, "two dropped");
	TAP_OK(v.n_clients == 1 && v.clients[0].connections == 2.0,
	       "NaN counts as 0, processors summed");
	TAP_OK(om_view_plaintext(&v, "P"), "no cipher series: plaintext");
	om_view_clear(&v);
}

static int http(const char *ans, size_t len, size_t step, struct om_view *v, char *err, size_t el)
{
	struct om_http *h = NULL;
	om_http_new(&h, v);
	int rc = 0;
	for (size_t o = 0; o < len && rc == 0; o += step)
		rc = om_http_feed(h, (const uint8_t *)ans + o, len - o < step ? len - o : step, err,
				  el);
	if (rc == 0)
		rc = om_http_eof(h, err, el);
	om_http_free(h);
	return rc;
}

static void test_http(void)
{
	char err[MP_ERR_MAX];
	struct om_view v = { 0 };
	const char *body =
		"kafka_server_socket_server_metrics_connection_count{listener=\"P\",} 3.0\n";
	char a[1024];
	snprintf(a, sizeof(a), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(body),
		 body);
	for (size_t step = 1; step <= 7; step += 3) {
		TAP_EQ_INT(http(a, strlen(a), step, &v, err, sizeof(err)), 1,
			   "Content-Length, step %zu", step);
		TAP_OK(v.n_listeners == 1 && v.listeners[0].connection_count == 3.0, "body parsed");
		om_view_clear(&v);
	}
	const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			 "a;ext=1\r\nkafka_serv\r\n3e\r\ner_socket_server_metrics_connection_count{"
			 "listener=\"P\",} 3.0\n\r\n"
			 "0\r\nX-Trailer: 1\r\n\r\n";
	TAP_EQ_INT(http(ch, strlen(ch), 5, &v, err, sizeof(err)), 1, "chunked");
	TAP_OK(v.n_listeners == 1 && v.listeners[0].connection_count == 3.0, "chunked body parsed");
	om_view_clear(&v);
	const char *cl = "HTTP/1.0 200 OK\r\n\r\nx 1\n";
	TAP_EQ_INT(http(cl, strlen(cl), 100, &v, err, sizeof(err)), 1, "until the close");
	const char *nf = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	TAP_EQ_INT(http(nf, strlen(nf), 100, &v, err, sizeof(err)), OM_E_STATUS, "404");
	const char *g = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
	TAP_EQ_INT(http(g, strlen(g), 100, &v, err, sizeof(err)), OM_E_HTTP, "not HTTP");
	const char *bc = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
	TAP_EQ_INT(http(bc, strlen(bc), 100, &v, err, sizeof(err)), OM_E_HTTP, "bad chunk size");
	const char *big = "HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n";
	TAP_EQ_INT(http(big, strlen(big), 100, &v, err, sizeof(err)), OM_E_TOO_BIG,
		   "Content-Length over the cap");
	const char *bigc = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffff\r\n";
	TAP_EQ_INT(http(bigc, strlen(bigc), 100, &v, err, sizeof(err)), OM_E_TOO_BIG,
		   "chunk over the cap");
	const char *gz = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n";
	TAP_EQ_INT(http(gz, strlen(gz), 100, &v, err, sizeof(err)), OM_E_HTTP,
		   "gzip not asked for");
	const char *sh = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nx 1\n";
	TAP_EQ_INT(http(sh, strlen(sh), 100, &v, err, sizeof(err)), OM_E_HTTP, "short body");
	const char *bb = "HTTP/1.1 200 OK\r\n\r\nx{ 1\n";
	TAP_EQ_INT(http(bb, strlen(bb), 100, &v, err, sizeof(err)), OM_E_BODY, "malformed body");
	TAP_OK(strstr(err, "malformed") && strstr(err, "line 1"), "reason: %s", err);
	/* headers over the cap */
	size_t n = MP_OM_HEAD_MAX + 100;
	char *hh = malloc(n);
	memcpy(hh, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(hh + 20, 'a', n - 20);
	TAP_EQ_INT(http(hh, n, 4096, &v, err, sizeof(err)), OM_E_HTTP,
		   "headers over MP_OM_HEAD_MAX");
	free(hh);
	om_view_clear(&v);
}

static void test_golden(const char *path)
{
	FILE *f = fopen(path, "rb");
	TAP_OK(f != NULL, "golden vector %s", path);
	if (!f)
		return;
	static uint8_t buf[1 << 20];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	char err[MP_ERR_MAX] = "";
	struct om_view v = { 0 };
	TAP_EQ_INT(om_parse_body(buf, len, &v, err, sizeof(err)), 0, "the real scrape parses: %s",
		   err);
	TAP_OK(v.socket_metrics, "socket-server-metrics present");
	double rdk_ssl = 0, rdk_plain = 0, unknown_plain = 0;
	for (size_t i = 0; i < v.n_clients; i++) {
		const struct om_client *c = &v.clients[i];
		if (!strcmp(c->sw_name, "librdkafka") && !strcmp(c->sw_version, "2.0.2"))
			*(strcmp(c->listener, "SSL") == 0 ? &rdk_ssl : &rdk_plain) +=
				c->connections;
		if (!c->sw_name[0] && !strcmp(c->listener, "PLAINTEXT"))
			unknown_plain += c->connections;
	}
	TAP_OK(rdk_ssl == 1 && rdk_plain == 1, "kcat (librdkafka 2.0.2) on SSL and PLAINTEXT");
	TAP_OK(unknown_plain == 1, "kafka-python 2.0.2: unknown, on PLAINTEXT");
	TAP_OK(om_view_plaintext(&v, "PLAINTEXT"), "PLAINTEXT has no cipher series");
	TAP_OK(!om_view_plaintext(&v, "SSL"), "SSL has cipher series");
	bool md0 = false;
	for (size_t i = 0; i < v.n_deprecated; i++)
		md0 |= !strcmp(v.deprecated[i].request, "Metadata") &&
		       v.deprecated[i].version == 0 && !v.deprecated[i].sw_name[0] &&
		       v.deprecated[i].count >= 1;
	TAP_OK(md0, "DeprecatedRequestsPerSec: Metadata v0 from an unknown client");
	om_view_clear(&v);
}

int main(int argc, char **argv)
{
	test_lines();
	test_huge();
	test_view();
	test_http();
	if (argc > 1)
		test_golden(argv[1]);
	return tap_done();
}
