/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>

#include "tap.h"
#include "util.h"

static void test_versions(void)
{
	TAP_OK(mp_ver_cmp_str("2.5.1", "2.5.0") > 0, "2.5.1 > 2.5.0");
	TAP_OK(mp_ver_cmp_str("2.4.1.1", "2.5.1") < 0, "2.4.1.1 < 2.5.1");
	TAP_OK(mp_ver_cmp_str("2.10.0", "2.9.0") > 0, "numeric, not lexical");
	TAP_OK(mp_ver_cmp_str("3.7.x", "3.7.0") == 0, "x wildcard is the lowest patch");
	TAP_OK(mp_ver_cmp_str("3.7.x.kraft", "3.7.0") == 0, "kraft label ignored for order");
	TAP_OK(mp_ver_cmp_str("2.8.2.tiered", "2.8.2") == 0, "tiered label ignored for order");
	TAP_OK(mp_ver_cmp_str("0.10.2.0", "1.0") < 0, "0.10.2.0 < 1.0");
	struct mp_ver v;
	TAP_OK(mp_ver_parse("2", &v) < 0, "a single component is rejected");
	TAP_OK(mp_ver_parse("2.5.1;rm", &v) < 0, "junk is rejected");
	TAP_OK(mp_ver_parse("1.2.3.4.5", &v) < 0, "five components are rejected");
	TAP_OK(mp_ver_parse("9999999.1", &v) < 0, "absurd component is rejected");
}

static void test_hostport(void)
{
	char host[64], err[128];
	uint16_t port;
	TAP_OK(mp_hostport_parse("b-1.x.kafka.us-east-1.amazonaws.com:9094", host, sizeof(host),
				 &port, 0, false, err, sizeof(err)) == 0 &&
		       port == 9094,
	       "host:port");
	TAP_OK(mp_hostport_parse("[::1]:2182", host, sizeof(host), &port, 0, false, err,
				 sizeof(err)) == 0 &&
		       port == 2182 && strcmp(host, "::1") == 0,
	       "[v6]:port");
	TAP_OK(mp_hostport_parse("z-1.example:2181/kafka", host, sizeof(host), &port, 0, true, err,
				 sizeof(err)) == 0 &&
		       port == 2181,
	       "chroot suffix accepted and ignored");
	TAP_OK(mp_hostport_parse("zk", host, sizeof(host), &port, 0, true, err, sizeof(err)) == 0 &&
		       port == 0,
	       "host without a port");
	TAP_OK(mp_hostport_parse("h:0", host, sizeof(host), &port, 0, false, err, sizeof(err)) < 0,
	       "port 0 rejected");
	TAP_OK(mp_hostport_parse("h:99999", host, sizeof(host), &port, 0, false, err, sizeof(err)) <
			       0 &&
		       strstr(err, "bad port"),
	       "port out of range named in the error");
	TAP_OK(mp_hostport_parse("h<script>:1", host, sizeof(host), &port, 0, false, err,
				 sizeof(err)) < 0,
	       "markup in a host name rejected");
	TAP_OK(mp_hostport_parse("::1:80", host, sizeof(host), &port, 0, false, err, sizeof(err)) <
		       0,
	       "bare IPv6 with port rejected");
}

static void test_sanitize(void)
{
	char out[32];
	const uint8_t in[] = { 'o', 'k', '"', 0x00, 0xff, '\\' };
	mp_sanitize(out, sizeof(out), in, sizeof(in));
	TAP_EQ_STR(out, "ok\"\\x00\\xff\\x5c", "control and high bytes escaped");
	char small[6];
	mp_sanitize(small, sizeof(small), in + 3, 3);
	TAP_EQ_STR(small, "\\x00", "truncation never splits an escape");
}

int main(void)
{
	test_versions();
	test_hostport();
	test_sanitize();
	return tap_done();
}
