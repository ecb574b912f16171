/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reports/ unit tests: the finding catalogue (every id the probes emit is in
 * it), escapers, the hostile-JSON loader, signing, the inventory and policy
 * loaders, and declared-vs-measured on a model built by hand.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tap.h"
#include "rep-internal.h"
#include "util.h"

static char *esc(void (*fn)(struct rep_buf *, const char *), const char *s)
{
	struct rep_buf b = { 0 };
	char *out = NULL;
	fn(&b, s);
	rb_take(&b, &out, NULL);
	return out;
}

static void test_catalog(void)
{
	static const char *const emitted[] = {
		"KAFKA_VERSION_BELOW_MINIMUM",
		"KAFKA_VERSION_END_OF_SUPPORT",
		"KAFKA_VERSION_END_OF_SUPPORT_SOON",
		"KAFKA_BROKERS_DISAGREE",
		"KAFKA_NOT_AN_MSK_VERSION",
		"KAFKA_PRE_0_10_SUSPECTED",
		"ZK_CLIENT_TLS_DISABLED",
		"ZK_PLAINTEXT_REACHABLE",
		"ZK_TLS_UNAVAILABLE",
		"TLS_HANDSHAKE_FAILED",
		"TLS_CLIENT_CERT_REQUIRED",
		"TLS_CERT_EXPIRED",
		"TLS_CERT_EXPIRES_SOON",
		"TLS_CERT_UNTRUSTED",
		"TLS_HOSTNAME_MISMATCH",
		"TLS_LEGACY_PROTOCOL",
		"ZK_ANONYMOUS_READ",
		"KAFKA_PLAINTEXT_LISTENER",
		"ZK_PLAINTEXT_TRAFFIC_OBSERVED",
		"KAFKA_PLAINTEXT_TRAFFIC_OBSERVED",
		"ZK_QUORUM_PLAINTEXT_TRAFFIC_OBSERVED",
		"CAPTURE_NO_PLAINTEXT_OBSERVED",
		"DECLARED_VERSION_MISMATCH",
		"DECLARED_TLS_ONLY_PLAINTEXT_OPEN",
		"DECLARED_CLIENT_PLAINTEXT_ALLOWED",
		"DECLARED_IN_CLUSTER_PLAINTEXT",
		"TAG_OWNER_MISSING",
		MP_VERDICT_CHECK,
		"CLIENT_INCOMPATIBLE_WITH_TARGET",
		"CLIENT_UNIDENTIFIED",
		"CLIENT_PLAINTEXT_IN_USE",
	};
	struct mp_catalog *c = NULL;
	char err[256] = "";
	TAP_EQ_INT(mp_catalog_builtin(&c, err, sizeof(err)), 0, "built-in catalogue parses: %s",
		   err);
	if (!c)
		return;
	for (size_t i = 0; i < sizeof(emitted) / sizeof(emitted[0]); i++) {
		const struct mp_check *k = mp_catalog_find(c, emitted[i]);
		TAP_OK(k && k->n_controls > 0, "%s is catalogued with controls", emitted[i]);
	}
	TAP_EQ_INT(mp_catalog_size(c), sizeof(emitted) / sizeof(emitted[0]),
		   "nothing in the catalogue that no probe emits");
	const struct mp_check *k = mp_catalog_find(c, "DECLARED_IN_CLUSTER_PLAINTEXT");
	bool msk1 = false;
	for (size_t i = 0; k && i < k->n_controls; i++)
		msk1 |= strcmp(k->control[i], "MSK.1") == 0;
	TAP_OK(msk1, "in-cluster encryption maps to Security Hub MSK.1");
	size_t n_obs = 0;
	for (size_t i = 0; i < mp_catalog_size(c); i++)
		n_obs += mp_catalog_at(c, i)->observation;
	k = mp_catalog_find(c, "CAPTURE_NO_PLAINTEXT_OBSERVED");
	const struct mp_check *k2 = mp_catalog_find(c, "CLIENT_UNIDENTIFIED");
	TAP_OK(n_obs == 2 && k && k->observation && k->sev == MP_SEV_INFO && k2 &&
		       k2->observation && k2->sev == MP_SEV_INFO,
	       "two observations, CAPTURE_NO_PLAINTEXT_OBSERVED and CLIENT_UNIDENTIFIED, info: not "
	       "checks");
	mp_catalog_free(c);
	static const char *const bad[] = {
		"X\tinfo\talways\tt\tr\n",
		"lower\tinfo\talways\tt\tr\tF|C\n",
		"X\tsevere\talways\tt\tr\tF|C\n",
		"X\tinfo\tsometimes\tt\tr\tF|C\n",
		"X\tinfo\talways\tt\tr\tnobar\n",
		"X\tinfo\talways\tt\tr\tF|C\nX\tinfo\talways\tt\tr\tF|C\n"
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = NULL;
		TAP_EQ_INT(mp_catalog_parse(&c, bad[i], strlen(bad[i]), err, sizeof(err)), -EINVAL,
			   "bad catalogue %zu refused: %s", i, err);
		mp_catalog_free(c);
	}
}

static void test_escape(void)
{
	char *s = esc(rb_html, "<a href=\"x\">'&'</a>");
	TAP_EQ_STR(s, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;", "html escaping");
	free(s);
	s = esc(rb_md, "[x](y) *b* `c` a|b <i>");
	TAP_EQ_STR(s, "\\[x\\](y) \\*b\\* \\`c\\` a\\|b &lt;i&gt;", "markdown escaping");
	free(s);
	s = esc(rb_xml, "a\x01<b>\x7f");
	TAP_EQ_STR(s, "a&lt;b&gt;\x7f", "xml drops forbidden control characters");
	free(s);
	TAP_OK(mp_utf8_valid("\xc3\xa9", 2) && !mp_utf8_valid("\xc3", 1) &&
		       !mp_utf8_valid("\xc0\xaf", 2) && !mp_utf8_valid("\xed\xa0\x80", 3),
	       "UTF-8 validation: overlongs, surrogates, truncation");
	char t[] = "ab\xc3\xa9";
	rep_utf8_trunc(t, 3);
	TAP_EQ_STR(t, "ab", "truncation never splits a sequence");
	TAP_EQ_INT(rep_time_parse("2025-03-01T10:00:00Z"), 1740823200, "RFC 3339 parse");
	TAP_EQ_INT(rep_time_parse("2025-03-01 10:00:00"), -1, "not RFC 3339");
}

static void test_loader(void)
{
	cJSON *j = NULL;
	char err[512] = "";
	const char *ok = "{\"a\":\"x\\u001b[31my\\u202ez\"}";
	TAP_EQ_INT(rep_json_parse(ok, strlen(ok), "t", &j, err, sizeof(err)), 0, "parse");
	TAP_EQ_STR(js_str(j, "a", ""), "x\\u001B[31my\\u202Ez",
		   "control and bidi characters defanged");
	cJSON_Delete(j);
	j = NULL;
	const char *bad = "{\"a\":\"\xff\"}";
	TAP_EQ_INT(rep_json_parse(bad, strlen(bad), "t", &j, err, sizeof(err)), -EINVAL,
		   "invalid UTF-8 refused: %s", err);
	const char *nul = "{\"a\":1}\0";
	TAP_EQ_INT(rep_json_parse(nul, 8, "t", &j, err, sizeof(err)), -EINVAL, "NUL byte refused");
	const char *trail = "{} {}";
	TAP_EQ_INT(rep_json_parse(trail, strlen(trail), "t", &j, err, sizeof(err)), -EINVAL,
		   "trailing text refused");
	const char *rep = "{\"schema\":\"mskprobe.report/1\",\"generated_at\":\"x\",\"clusters\":"
			  "[{\"name\":\"c\",\"verdict\":\"maybe\",\"findings\":[]}]}";
	TAP_EQ_INT(rep_json_parse(rep, strlen(rep), "t", &j, err, sizeof(err)), 0, "parse report");
	TAP_EQ_INT(rep_report_check(j, "t", err, sizeof(err)), -EINVAL, "bad verdict refused");
	TAP_OK(strstr(err, "clusters[0]: verdict") != NULL, "error names the field: %s", err);
	cJSON_Delete(j);
}

/* The pre-scan: RFC 8259 structure, every cap, and the counts it returns. */
static void test_scan(void)
{
	static const struct {
		const char *text;
		int rc;
		const char *says;
	} cases[] = {
		{ "{\"a\":[1,-2.5e+3,true,false,null,\"x\\u00e9\\ud83d\\ude00\"],\"b\":{}}", 0,
		  "" },
		{ " [ ] ", 0, "" },
		{ "", -EINVAL, "syntax error near line 1 column 1" },
		{ "[1,]", -EINVAL, "syntax error" },
		{ "{\"a\" 1}", -EINVAL, "syntax error" },
		{ "{\"a\":1,}", -EINVAL, "syntax error" },
		{ "{1:2}", -EINVAL, "syntax error" },
		{ "[01]", -EINVAL, "syntax error" },
		{ "[1.]", -EINVAL, "a bad number" },
		{ "[-]", -EINVAL, "a bad number" },
		{ "[1e]", -EINVAL, "a bad number" },
		{ "[tru]", -EINVAL, "syntax error" },
		{ "[\"a]", -EINVAL, "a string not closed" },
		{ "[\"\\x\"]", -EINVAL, "a bad escape" },
		{ "[\"\\u12\"]", -EINVAL, "a bad escape" },
		{ "[\"\\udc00\"]", -EINVAL, "a bad escape" },
		{ "[\"\\ud800x\"]", -EINVAL, "a bad escape" },
		{ "[1]\n [2]", -EINVAL, "text after the JSON value (line 2 column 2)" },
		{ "[1,\n\n  x]", -EINVAL, "near line 3 column 3" },
		{ "[\f1]", -EINVAL, "syntax error" },
		{ "[1234567890123456789012345678901234567890123456789012345678901234]", -E2BIG,
		  "longer than 63 characters (MP_JSON_NUMBER_MAX)" },
	};
	char err[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		int rc = rep_json_scan(cases[i].text, strlen(cases[i].text), "t", NULL, err,
				       sizeof(err));
		TAP_EQ_INT(rc, cases[i].rc, "scan case %zu: %s", i, err);
		TAP_OK(strstr(err, cases[i].says) != NULL, "case %zu says '%s': %s", i,
		       cases[i].says, err);
	}

	/* caps: depth, members, string length, values, estimated tree */
	size_t cap = 16u << 20;
	char *t = malloc(cap);
	struct rep_json_stats st;
	if (!t)
		return;
	size_t n = 0;
	for (unsigned k = 0; k < MP_JSON_DEPTH_MAX; k++)
		t[n++] = '[';
	for (unsigned k = 0; k < MP_JSON_DEPTH_MAX; k++)
		t[n++] = ']';
	TAP_EQ_INT(rep_json_scan(t, n, "t", &st, err, sizeof(err)), 0, "64 levels: %s", err);
	TAP_EQ_INT(st.depth, MP_JSON_DEPTH_MAX, "depth counted");
	memmove(t + 1, t, n);
	t[0] = '[';
	t[++n] = ']';
	TAP_EQ_INT(rep_json_scan(t, n + 1, "t", &st, err, sizeof(err)), -E2BIG, "65 levels");
	TAP_OK(strstr(err, "deeper than 64 levels (MP_JSON_DEPTH_MAX)") != NULL, "%s", err);

	n = 0;
	t[n++] = '{';
	for (unsigned k = 0; k <= MP_JSON_MEMBERS_MAX; k++)
		n += (size_t)snprintf(t + n, cap - n, "%s\"k%u\":%u", k ? "," : "", k, k);
	t[n++] = '}';
	TAP_EQ_INT(rep_json_scan(t, n, "t", &st, err, sizeof(err)), -E2BIG, "too many members");
	TAP_OK(strstr(err, "more than 4096 members (MP_JSON_MEMBERS_MAX)") != NULL, "%s", err);

	n = 0;
	t[n++] = '[';
	t[n++] = '"';
	memset(t + n, 'a', MP_JSON_STRING_MAX);
	n += MP_JSON_STRING_MAX;
	t[n++] = '"';
	t[n++] = ']';
	TAP_EQ_INT(rep_json_scan(t, n, "t", &st, err, sizeof(err)), 0, "a string at the cap");
	TAP_EQ_INT(st.longest_string, MP_JSON_STRING_MAX, "its length counted");
	memmove(t + 2, t + 1, n - 1);
	t[1] = '"';
	t[2] = 'b';
	TAP_EQ_INT(rep_json_scan(t, n + 1, "t", &st, err, sizeof(err)), -E2BIG,
		   "a string over the cap");
	TAP_OK(strstr(err, "longer than 262144 bytes (MP_JSON_STRING_MAX)") != NULL, "%s", err);

	/* values: a flat array of MP_JSON_VALUES_MAX numbers is one value too many */
	n = 0;
	t[n++] = '[';
	for (unsigned k = 0; k < MP_JSON_VALUES_MAX; k++) {
		t[n++] = '0';
		t[n++] = ',';
	}
	t[n - 1] = ']';
	TAP_EQ_INT(rep_json_scan(t, n, "t", &st, err, sizeof(err)), -E2BIG, "values cap");
	TAP_OK(strstr(err, "more than 1000000 JSON values (MP_JSON_VALUES_MAX)") != NULL, "%s",
	       err);
	t[n - 3] = ']'; /* one fewer element: exactly at the cap */
	TAP_EQ_INT(rep_json_scan(t, n - 2, "t", &st, err, sizeof(err)), 0, "at the values cap");
	TAP_EQ_INT(st.values, MP_JSON_VALUES_MAX, "values counted");

	/* the tree estimate: under the values cap, strings of six raw control
	 * bytes (each defanged into six bytes) cost 144 bytes a value: 137 MiB */
	n = 0;
	t[n++] = '[';
	for (unsigned k = 0; k + 1 < MP_JSON_VALUES_MAX; k++) {
		memcpy(t + n, "\"\x01\x01\x01\x01\x01\x01\",", 9);
		n += 9;
	}
	t[n - 1] = ']';
	TAP_EQ_INT(rep_json_scan(t, n, "t", &st, err, sizeof(err)), -E2BIG, "tree estimate cap");
	TAP_OK(strstr(err, "more than the 128 MiB allowed (MP_JSON_TREE_BYTES_MAX)") != NULL, "%s",
	       err);
	free(t);
}

/* A FIFO (or a device) named as a JSON file is refused at once, not waited on. */
static void test_read_fifo(void)
{
	char dir[] = "/tmp/mskprobe-fifo-XXXXXX", path[64], err[512] = "", *data = NULL;
	size_t len = 0;
	TAP_OK(mkdtemp(dir) != NULL, "temporary directory");
	mp_fmt(path, sizeof(path), "%s/report.json", dir);
	TAP_EQ_INT(mkfifo(path, 0600), 0, "mkfifo");
	alarm(10); /* before the fix open() waited for a writer forever */
	TAP_EQ_INT(rep_read_file(path, 1024, &data, &len, err, sizeof(err)), -EINVAL,
		   "a FIFO is refused: %s", err);
	alarm(0);
	TAP_OK(strstr(err, "not a regular file") != NULL, "the error says why: %s", err);
	TAP_OK(data == NULL, "nothing returned");
	unlink(path);
	rmdir(dir);
}

static int write_tmp(char *path, const char *text)
{
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, text, strlen(text));
	close(fd);
	return w == (ssize_t)strlen(text) ? 0 : -1;
}

static void test_sign(void)
{
	char key[] = "/tmp/rep-key-XXXXXX", pub[] = "/tmp/rep-pub-XXXXXX";
	char err[512] = "", cmd[256];
	unsigned char *sig = NULL;
	size_t n = 0;
	if (write_tmp(key, "") < 0 || write_tmp(pub, "") < 0)
		return;
	mp_fmt(cmd, sizeof(cmd),
	       "openssl genpkey -algorithm ed25519 -out %s 2>/dev/null && "
	       "openssl pkey -in %s -pubout -out %s 2>/dev/null",
	       key, key, pub);
	TAP_EQ_INT(system(cmd), 0, "test key made");
	TAP_EQ_INT(rep_sign(key, "hello", 5, &sig, &n, err, sizeof(err)), 0, "sign: %s", err);
	TAP_EQ_INT(rep_verify(pub, "hello", 5, sig, n, err, sizeof(err)), 0, "verifies");
	TAP_EQ_INT(rep_verify(pub, "hellp", 5, sig, n, err, sizeof(err)), 1,
		   "a changed byte fails");
	TAP_OK(rep_verify(key, "hello", 5, sig, n, err, sizeof(err)) < 0,
	       "private key as public: bad input");
	free(sig);
	char h[65];
	rep_sha256_hex("abc", 3, h);
	TAP_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		   "SHA-256");
	unlink(key);
	unlink(pub);
}

static void test_declared(const char *srcdir)
{
	char path[4096], err[512] = "";
	struct rep_inventory *inv = NULL;
	struct rep_policy pol = { 0 };
	mp_fmt(path, sizeof(path), "%s/tests/reports/data/inventory.json", srcdir);
	TAP_EQ_INT(rep_inventory_load(path, &inv, err, sizeof(err)), 0, "inventory loads: %s", err);
	if (!inv)
		return;
	TAP_EQ_INT(inv->n, 2, "two clusters");
	TAP_OK(mp_host_valid(inv->clusters[0].bootstrap[0]) ||
		       strchr(inv->clusters[0].bootstrap[0], ':'),
	       "endpoint kept");
	TAP_EQ_INT(inv->clusters[0].n_bootstrap, 1, "duplicate endpoints merged");
	TAP_EQ_INT(inv->clusters[0].n_zookeeper, 2, "both ZooKeeper strings");
	TAP_OK(!strchr(inv->clusters[0].name, '\xe2'), "name sanitised to ASCII: %s",
	       inv->clusters[0].name);
	TAP_EQ_INT(rep_policy_tags(&pol, "Owner,CostCenter", err, sizeof(err)), 0, "tags");

	struct mp_report *r = mp_report_new();
	struct mp_cluster *c = mp_report_add_cluster(r, "orders");
	struct mp_broker *b = mp_cluster_add_broker(c, "127.0.0.1", 9094);
	b->tls = true;
	b->answered = true;
	struct mp_broker *l = mp_cluster_add_listener(c, "127.0.0.1", 9092);
	l->answered = true; /* plaintext answers although TLS only is declared */
	c->n_releases = 1;
	mp_strlcpy(c->releases[0], "2.2", sizeof(c->releases[0]));
	TAP_EQ_INT(rep_declared_findings(c, &inv->clusters[0], &pol), 0, "declared findings");
	static const char *const want[] = { "DECLARED_VERSION_MISMATCH",
					    "DECLARED_TLS_ONLY_PLAINTEXT_OPEN",
					    "DECLARED_IN_CLUSTER_PLAINTEXT", "TAG_OWNER_MISSING" };
	TAP_EQ_INT(c->n_findings, 4, "four findings");
	for (size_t i = 0; i < 4 && i < c->n_findings; i++)
		TAP_EQ_STR(c->findings[i].id, want[i], "finding %zu", i);
	TAP_EQ_STR(js_str(js_obj(c->inventory, "owners"), "Owner", ""),
		   "team-orders <ops@example.com>", "owner beside the cluster");
	struct mp_cluster *c2 = mp_report_add_cluster(r, "no-inventory");
	TAP_EQ_INT(rep_declared_findings(c2, NULL, &pol), 0, "no inventory");
	TAP_OK(c2->n_findings == 1 && strcmp(c2->findings[0].id, "TAG_OWNER_MISSING") == 0,
	       "without an inventory the tags are unknown: missing");
	cJSON *j = rep_to_json(r);
	TAP_OK(j && js_obj(cJSON_GetArrayItem(js_arr(j, "clusters"), 0), "inventory"),
	       "the JSON report carries the inventory");
	cJSON_Delete(j);
	mp_report_free(r);
	rep_inventory_free(inv);

	mp_fmt(path, sizeof(path), "%s/tests/reports/data/policy.json", srcdir);
	struct rep_policy p2 = { 0 };
	TAP_EQ_INT(rep_policy_load(path, &p2, err, sizeof(err)), 0, "policy loads: %s", err);
	TAP_OK(p2.has_min_version && strcmp(p2.min_version, "2.8.1") == 0 &&
		       p2.n_required_tags == 2 && p2.n_severity == 2 && p2.cert_warn_days == 45,
	       "policy fields");

	/* the override: once, after every finding exists; the JSON keeps the catalogue's */
	r = mp_report_new();
	c = mp_report_add_cluster(r, "overridden");
	TAP_EQ_INT(mp_cluster_add_finding(c, "KAFKA_PLAINTEXT_LISTENER", NULL), 0,
		   "a probe finding");
	TAP_EQ_INT(rep_declared_findings(c, NULL, &p2), 0, "policy applied");
	TAP_OK(c->n_findings == 2 && c->findings[0].severity == MP_SEV_HIGH &&
		       !c->findings[0].severity_policy,
	       "a finding the policy does not name keeps the catalogue's severity");
	TAP_OK(c->n_findings == 2 && strcmp(c->findings[1].id, "TAG_OWNER_MISSING") == 0 &&
		       c->findings[1].severity == MP_SEV_MEDIUM &&
		       c->findings[1].severity_default == MP_SEV_LOW &&
		       c->findings[1].severity_policy,
	       "TAG_OWNER_MISSING: medium by policy, low by catalogue");
	j = rep_to_json(r);
	const cJSON *fs = js_arr(cJSON_GetArrayItem(js_arr(j, "clusters"), 0), "findings");
	const cJSON *f0 = cJSON_GetArrayItem(fs, 0), *f1 = cJSON_GetArrayItem(fs, 1);
	TAP_OK(f0 && strcmp(js_str(f0, "severity", ""), "high") == 0 &&
		       !js_get(f0, "severity_default") && !js_get(f0, "severity_source"),
	       "JSON: a catalogue severity stands alone");
	TAP_OK(f1 && strcmp(js_str(f1, "severity", ""), "medium") == 0 &&
		       strcmp(js_str(f1, "severity_default", ""), "low") == 0 &&
		       strcmp(js_str(f1, "severity_source", ""), "policy") == 0,
	       "JSON: an override records the catalogue's severity and its source");
	cJSON_Delete(j);
	mp_report_free(r);
}

/* Reports of a series share one budget for their trees: the next that does not fit is refused. */
static void test_series_budget(const char *srcdir)
{
	char path[4096], err[512] = "";
	struct rep_json_stats st;
	char *data = NULL;
	size_t len = 0;
	cJSON *a = NULL, *b = NULL;
	mp_fmt(path, sizeof(path), "%s/tests/reports/data/fleet.json", srcdir);
	TAP_EQ_INT(rep_read_file(path, REP_FILE_MAX, &data, &len, err, sizeof(err)), 0, "read");
	TAP_EQ_INT(rep_json_scan(data, len, path, &st, err, sizeof(err)), 0, "scan");
	free(data);
	uint64_t budget = st.tree_bytes + st.tree_bytes / 2; /* one and a half reports */
	TAP_EQ_INT(rep_report_load_within(path, &budget, &a, err, sizeof(err)), 0, "first fits");
	TAP_EQ_INT(budget, st.tree_bytes / 2, "its tree is charged");
	TAP_EQ_INT(rep_report_load_within(path, &budget, &b, err, sizeof(err)), -E2BIG,
		   "second does not fit");
	TAP_OK(strstr(err, "MP_JSON_SERIES_BYTES_MAX") && !b, "refused before parsing: %s", err);
	cJSON_Delete(a);
}

static void head_probe(struct rep_buf *b, const char *sev, const char *id, const char *title)
{
	rb_put(b, "H[%s|%s|%s]", sev, id, title);
}

static void evidence_probe(struct rep_buf *b, const cJSON *ev)
{
	rb_put(b, "V%d", cJSON_GetArraySize(ev));
}

/* The finding block HTML and Markdown share: its parts, in order, through the style. */
static void test_finding_block(void)
{
	static const struct rep_finding_style st = {
		.esc = rb_str,
		.head = head_probe,
		.remediation = "R:",
		.controls = "|C:",
		.controls_end = "|E",
		.uncatalogued = "U",
		.evidence = evidence_probe,
		.end = ".",
	};
	const struct mp_check *k = mp_catalog_find(mp_catalog(), "TLS_CERT_EXPIRED");
	cJSON *f = cJSON_Parse(
		"[{\"id\":\"TLS_CERT_EXPIRED\",\"severity\":\"high\",\"title\":\"t\","
		"\"evidence\":{\"endpoint\":\"h:1\",\"x\":1}},"
		"{\"id\":\"NOT_AN_ID\",\"severity\":\"bogus\",\"title\":\"u\",\"evidence\":{}}]");
	struct rep_ctx ctx = { .cat = mp_catalog() };
	struct rep_buf b = { 0 }, want = { 0 };
	char *got = NULL, *w = NULL;
	TAP_OK(k && k->n_controls >= 2, "the catalogue row has controls");
	rep_finding_block(&b, &ctx, cJSON_GetArrayItem(f, 0), &st);
	rb_put(&want, "H[high|TLS_CERT_EXPIRED|t]R:%s|C:", k ? k->remediation : "");
	for (size_t i = 0; k && i < k->n_controls; i++)
		rb_put(&want, "%s%s %s", i ? "; " : "", k->framework[i], k->control[i]);
	rb_str(&want, "|EV2.");
	rb_take(&b, &got, NULL);
	rb_take(&want, &w, NULL);
	TAP_EQ_STR(got, w, "head, remediation, controls, evidence, end");
	free(got);
	free(w);
	b = (struct rep_buf){ 0 };
	rep_finding_block(&b, &ctx, cJSON_GetArrayItem(f, 1), &st);
	rb_take(&b, &got, NULL);
	TAP_EQ_STR(got, "H[info|NOT_AN_ID|u]U.",
		   "not catalogued: no remediation; a bad severity shows as info; empty evidence "
		   "left out");
	free(got);
	cJSON_Delete(f);
}

/* One registry of (kind x format): what each kind renders, and one message for the rest. */
static void test_registry(void)
{
	static const struct {
		enum rep_doc kind;
		const char *names;
	} want[] = {
		{ REP_DOC_REPORT, "json, text, html, md, asff, ocsf, junit, prom" },
		{ REP_DOC_DIFF, "json, text, md" },
		{ REP_DOC_TREND, "json, text, html" },
	};
	static const char *const all[] = { "json", "text", "html",  "md",
					   "asff", "ocsf", "junit", "prom" };
	char names[REP_FORMAT_NAMES_MAX], err[256], *out = NULL;
	cJSON *d = cJSON_Parse("{\"schema\":\"mskprobe.diff/1\",\"clusters\":[],\"pass\":true}");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		TAP_EQ_STR(rep_format_names(want[i].kind, names, sizeof(names)), want[i].names,
			   "kind %d renders %s", (int)want[i].kind, want[i].names);
		for (size_t f = 0; f < sizeof(all) / sizeof(all[0]); f++) {
			char key[16];
			mp_fmt(key, sizeof(key), ", %s,", all[f]);
			mp_fmt(names, sizeof(names), ", %s,", want[i].names);
			TAP_EQ_INT(rep_format_known(want[i].kind, all[f]),
				   strstr(names, key) != NULL, "kind %d x %s agrees with its list",
				   (int)want[i].kind, all[f]);
		}
	}
	TAP_EQ_INT(rep_format_check(REP_DOC_DIFF, "html", err, sizeof(err)), -EINVAL,
		   "a diff has no html");
	TAP_EQ_STR(err, "--format 'html': a diff is written as json, text or md",
		   "one message naming what the kind has");
	TAP_EQ_INT(rep_format_check(REP_DOC_TREND, "pdf", err, sizeof(err)), -EINVAL, "no pdf");
	TAP_EQ_STR(err, "--format 'pdf': a trend is written as json, text or html",
		   "trend message");
	TAP_EQ_INT(rep_format_check(REP_DOC_REPORT, NULL, err, sizeof(err)), -EINVAL,
		   "NULL format");
	TAP_EQ_INT(rep_formats_check(REP_DOC_REPORT, "json,md", err, sizeof(err)), 0, "a list");
	TAP_EQ_INT(rep_formats_check(REP_DOC_REPORT, "json,trend", err, sizeof(err)), -EINVAL,
		   "a list with a bad name");
	TAP_OK(strstr(err, "'trend': a report is written as json, text, html, md, asff, ocsf, "
			   "junit or prom"),
	       "the list check gives the same message: %s", err);
	TAP_EQ_INT(rep_render_doc(REP_DOC_DIFF, "asff", d, NULL, &out, NULL, err, sizeof(err)),
		   -EINVAL, "rendering a diff as asff is refused");
	TAP_OK(!out && strstr(err, "a diff is written as"), "with the same message: %s", err);
	TAP_EQ_INT(rep_render_doc(REP_DOC_DIFF, "md", d, NULL, &out, NULL, err, sizeof(err)), 0,
		   "a diff as md");
	TAP_OK(out && strncmp(out, "## mskprobe diff: ", 18) == 0 && strstr(out, "**PASS"),
	       "through the md ops table");
	free(out);
	cJSON_Delete(d);
}

static cJSON *finding_ids(const cJSON *arr)
{
	cJSON *ids = cJSON_CreateArray();
	const cJSON *f;
	cJSON_ArrayForEach (f, arr)
		cJSON_AddItemToArray(ids, cJSON_CreateString(js_str(f, "id", "")));
	return ids;
}

static void expect_ids(const cJSON *arr, const char *want, const char *what)
{
	cJSON *ids = finding_ids(arr);
	char *s = cJSON_PrintUnformatted(ids);
	TAP_EQ_STR(s, want, "%s", what);
	free(s);
	cJSON_Delete(ids);
}

/* The sorted lookups of diff and trend give what the pairwise walks gave:
 * order of first appearance, each id once, the first cluster of a key. */
static void test_lookups(void)
{
	cJSON *a = cJSON_Parse(
		"{\"generated_at\":\"2025-03-01T00:00:00Z\",\"clusters\":["
		"{\"name\":\"c1\",\"verdict\":\"compliant\",\"findings\":[{\"id\":\"X\","
		"\"severity\":\"low\"},"
		"{\"id\":\"Y\",\"severity\":\"info\"},{\"id\":\"X\",\"severity\":\"low\"},"
		"{\"id\":\"A\",\"severity\":\"low\"}]},"
		"{\"name\":\"gone\",\"verdict\":\"compliant\",\"findings\":[]}]}");
	cJSON *b = cJSON_Parse(
		"{\"generated_at\":\"2025-03-08T00:00:00Z\",\"clusters\":["
		"{\"name\":\"new\",\"verdict\":\"compliant\",\"findings\":[]},"
		"{\"name\":\"c1\",\"verdict\":\"compliant\",\"findings\":[{\"id\":\"Z\","
		"\"severity\":\"low\"},"
		"{\"id\":\"Y\",\"severity\":\"info\"},{\"id\":\"W\",\"severity\":\"low\"},"
		"{\"id\":\"Z\",\"severity\":\"low\"}]},"
		"{\"name\":\"c1\",\"verdict\":\"compliant\",\"findings\":[{\"id\":\"X\","
		"\"severity\":\"low\"}]}]}");
	cJSON *c = cJSON_Parse("{\"generated_at\":\"2025-03-15T00:00:00Z\",\"clusters\":["
			       "{\"name\":\"c1\",\"verdict\":\"compliant\",\"findings\":[{\"id\":"
			       "\"X\",\"severity\":\"low\"},"
			       "{\"id\":\"Y\",\"severity\":\"info\"}]}]}");
	cJSON *d = NULL, *t = NULL;
	char err[256];
	TAP_EQ_INT(rep_diff(a, b, &d), 0, "diff");
	const cJSON *cl = js_arr(d, "clusters");
	TAP_EQ_INT(cJSON_GetArraySize(cl), 3, "c1, gone, and new (the second c1 is not added)");
	const cJSON *c1 = cJSON_GetArrayItem(cl, 0);
	TAP_EQ_STR(js_str(c1, "name", ""), "c1", "c1 first");
	expect_ids(js_arr(c1, "findings_opened"), "[\"Z\",\"W\"]",
		   "opened: in AFTER's order, each once (the second c1's X is not looked at)");
	expect_ids(js_arr(c1, "findings_closed"), "[\"X\",\"A\"]", "closed: each once");
	TAP_EQ_STR(js_str(cJSON_GetArrayItem(cl, 1), "status", ""), "removed", "gone removed");
	TAP_EQ_STR(js_str(cJSON_GetArrayItem(cl, 2), "name", ""), "new", "new last");
	TAP_EQ_STR(js_str(cJSON_GetArrayItem(cl, 2), "status", ""), "added", "new added");

	const cJSON *series[3] = { c, a, b };
	const char *names[3] = { "c", "a", "b" };
	TAP_EQ_INT(rep_trend(series, names, 3, &t, err, sizeof(err)), 0, "trend: %s", err);
	const cJSON *open = js_arr(js_obj(t, "open_findings"), "findings");
	TAP_EQ_INT(cJSON_GetArraySize(open), 2, "two findings open in the latest report");
	const cJSON *x = cJSON_GetArrayItem(open, 0), *y = cJSON_GetArrayItem(open, 1);
	TAP_EQ_STR(js_str(x, "id", ""), "X", "X first");
	TAP_EQ_STR(js_str(x, "first_seen", ""), "2025-03-15T00:00:00Z",
		   "X's run starts in the last report: the first c1 of the middle one lacks it");
	TAP_EQ_STR(js_str(y, "first_seen", ""), "2025-03-01T00:00:00Z", "Y open since the first");
	TAP_EQ_INT(cJSON_GetArraySize(js_arr(js_obj(t, "mttr"), "still_non_compliant")), 0,
		   "no cluster non-compliant");
	cJSON_Delete(t);
	cJSON_Delete(d);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}

int main(int argc, char **argv)
{
	const char *src = argc > 1 ? argv[1] : ".";
	test_catalog();
	test_escape();
	test_loader();
	test_scan();
	test_read_fifo();
	test_sign();
	test_declared(src);
	test_series_budget(src);
	test_registry();
	test_finding_block();
	test_lookups();
	return tap_done();
}
