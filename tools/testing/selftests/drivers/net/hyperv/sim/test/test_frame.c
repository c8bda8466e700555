// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ../vsim_frame.c: frame parsing, the Toeplitz RSS hash,
 * checksum fill and check, and LSO segmentation, as the simulated vSwitch
 * does them.  Built together with ../vsim_frame.c as an ordinary program
 * (under ASan and UBSan); prints TAP and exits 1 if any test failed.
 *
 * Frames handed to the code under test sit in heap buffers of exactly
 * their length, so a read past the end is caught by the sanitizer.
 */
#include <stdio.h>
#include <stdlib.h>

#include "vsim_frame.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define FRAME_MAX	16384

#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_CWR		0x80

#define NEXTHDR_HOP	0
#define NEXTHDR_FRAG	44
#define NEXTHDR_DEST	60

#define RX_IP_OK	VSIM_RXCSUM_IP_SUCCEEDED
#define RX_IP_BAD	VSIM_RXCSUM_IP_FAILED
#define RX_TCP_OK	VSIM_RXCSUM_TCP_SUCCEEDED
#define RX_TCP_BAD	VSIM_RXCSUM_TCP_FAILED
#define RX_UDP_OK	VSIM_RXCSUM_UDP_SUCCEEDED
#define RX_UDP_BAD	VSIM_RXCSUM_UDP_FAILED

/* ---------------------------------------------------------------------
 * Reporting: a test is a run of EXPECT*()s closed by test_done()
 */

static int tests_run;
static int tests_failed;
static int cur_fails;
static char where[128];

static void set_where(const char *what, long long n)
{
	snprintf(where, sizeof(where), "%s %lld", what, n);
}

static void fail_line(int line, const char *what)
{
	cur_fails++;
	/* a broken loop need not flood the output */
	if (cur_fails > 20)
		return;
	if (where[0])
		printf("#   line %d (%s): %s\n", line, where, what);
	else
		printf("#   line %d: %s\n", line, what);
}

static void expect_true(int line, const char *expr, bool ok)
{
	if (!ok)
		fail_line(line, expr);
}

static void expect_eq(int line, const char *a, long long va,
		      const char *b, long long vb)
{
	char msg[320];

	if (va == vb)
		return;
	snprintf(msg, sizeof(msg), "%s == %s: %lld (0x%llx) != %lld (0x%llx)",
		 a, b, va, va, vb, vb);
	fail_line(line, msg);
}

#define EXPECT(c)	expect_true(__LINE__, #c, !!(c))
#define EXPECT_EQ(a, b)	expect_eq(__LINE__, #a, (long long)(a), \
				  #b, (long long)(b))

static void test_done(const char *desc)
{
	tests_run++;
	if (cur_fails) {
		if (cur_fails > 20)
			printf("#   (%d failures in all)\n", cur_fails);
		tests_failed++;
		printf("not ok %d - %s\n", tests_run, desc);
	} else {
		printf("ok %d - %s\n", tests_run, desc);
	}
	fflush(stdout);
	cur_fails = 0;
	where[0] = '\0';
}

/* ---------------------------------------------------------------------
 * Byte helpers, a reference checksum and frame builders
 */

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 get32(const u8 *p)
{
	return (u32)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071 the plain way: add 16-bit words, pad an odd byte with zero */
static u32 ref_add(const u8 *p, u32 len, u32 sum)
{
	while (len > 1) {
		sum += (u32)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (u32)p[0] << 8;
	return sum;
}

/* fold the carries back in and take the complement */
static u16 ref_fin(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static u16 ref_ip4_csum(const u8 *ip)
{
	u8 hdr[60];
	u32 ihl = (ip[0] & 0xf) * 4;

	memcpy(hdr, ip, ihl);
	hdr[10] = 0;
	hdr[11] = 0;
	return ref_fin(ref_add(hdr, ihl, 0));
}

/*
 * The folded ones' complement sum of an explicit pseudo-header (RFC 793
 * and 768, RFC 8200 8.1) and the segment from @l4 to @end, its checksum
 * field taken as zero with @zero_field
 */
static u16 ref_l4_fold(const u8 *f, u32 l3, u32 l4, u32 end, u8 proto,
		       bool zero_field)
{
	static u8 seg[FRAME_MAX];
	u32 n = end - l4, field = proto == IPPROTO_TCP ? 16 : 6, phl;
	u8 ph[40];

	memset(ph, 0, sizeof(ph));
	if (f[l3] >> 4 == 6) {
		memcpy(ph, f + l3 + 8, 32);
		put32(ph + 32, n);
		ph[39] = proto;
		phl = 40;
	} else {
		memcpy(ph, f + l3 + 12, 8);
		ph[9] = proto;
		put16(ph + 10, n);
		phl = 12;
	}
	memcpy(seg, f + l4, n);
	if (zero_field) {
		seg[field] = 0;
		seg[field + 1] = 0;
	}
	return ~ref_fin(ref_add(seg, n, ref_add(ph, phl, 0))) & 0xffff;
}

/* The checksum a TCP or UDP segment should carry */
static u16 ref_l4_csum(const u8 *f, u32 l3, u32 l4, u32 end, u8 proto)
{
	u16 c = ~ref_l4_fold(f, l3, l4, end, proto, true) & 0xffff;

	/* UDP sends a computed 0 as 0xffff: 0 means "no checksum" */
	if (!c && proto == IPPROTO_UDP)
		c = 0xffff;
	return c;
}

/* What a receiver sums a segment to (0xffff when it is intact) */
static u16 ref_l4_sum(const u8 *f, u32 l3, u32 l4, u32 end, u8 proto)
{
	return ref_l4_fold(f, l3, l4, end, proto, false);
}

struct frame {
	u8 b[FRAME_MAX];
	u32 len;	/* bytes built */
	u32 l3;		/* the IP header */
	u32 l4;		/* the transport header */
	bool v6;
};

static const u8 ip4_a[4] = { 192, 0, 2, 1 };
static const u8 ip4_b[4] = { 198, 51, 100, 7 };
static const u8 ip6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			      0, 0, 0, 0, 0, 0, 0, 0x01 };
static const u8 ip6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x42, 0, 0,
			      0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc };

static void build_eth(struct frame *fr, u16 tpid, u16 type)
{
	static const u8 macs[12] = { 0x02, 0x15, 0x5d, 0x00, 0x00, 0x01,
				     0x02, 0x15, 0x5d, 0x00, 0x00, 0x02 };

	memset(fr, 0, sizeof(*fr));
	memcpy(fr->b, macs, sizeof(macs));
	fr->l3 = 12;
	if (tpid) {
		put16(fr->b + 12, tpid);
		put16(fr->b + 14, 0x0064);
		fr->l3 += 4;
	}
	put16(fr->b + fr->l3, type);
	fr->l3 += 2;
	fr->len = fr->l3;
}

/* @optlen bytes of IPv4 options (a multiple of 4); the lengths come later */
static void build_ip4(struct frame *fr, u16 tpid, const u8 *src,
		      const u8 *dst, u8 proto, u32 optlen)
{
	u8 *ip;

	build_eth(fr, tpid, ETH_P_IP);
	ip = fr->b + fr->l3;
	ip[0] = 0x40 | (20 + optlen) / 4;
	put16(ip + 4, 0x1234);
	put16(ip + 6, 0x4000);		/* DF: not a fragment */
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0xbad0);		/* fixed up by finish() */
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	memset(ip + 20, 1, optlen);	/* NOPs */
	if (optlen)
		ip[20 + optlen - 1] = 0;
	fr->l4 = fr->l3 + 20 + optlen;
	fr->len = fr->l4;
}

/* @hbh bytes (0 or a multiple of 8) of hop-by-hop options first */
static void build_ip6(struct frame *fr, u16 tpid, const u8 *src,
		      const u8 *dst, u8 proto, u32 hbh)
{
	u8 *ip;

	build_eth(fr, tpid, ETH_P_IPV6);
	fr->v6 = true;
	ip = fr->b + fr->l3;
	ip[0] = 0x60;
	ip[1] = 0x0a;
	ip[3] = 0x5e;
	ip[6] = hbh ? NEXTHDR_HOP : proto;
	ip[7] = 64;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	if (hbh) {
		ip[40] = proto;
		ip[41] = hbh / 8 - 1;
		ip[42] = 1;		/* PadN over the rest */
		ip[43] = hbh - 4;
	}
	fr->l4 = fr->l3 + 40 + hbh;
	fr->len = fr->l4;
}

static void fill_pattern(u8 *p, u32 len, u32 seed)
{
	for (u32 i = 0; i < len; i++)
		p[i] = (u8)((i + seed) * 167 + (i >> 8) * 13 + 1);
}

/* @optlen bytes (a multiple of 4) of TCP options; @plen payload bytes */
static void build_tcp(struct frame *fr, u16 sport, u16 dport, u32 seq,
		      u8 flags, u32 optlen, u32 plen)
{
	u8 *th = fr->b + fr->l4;

	put16(th, sport);
	put16(th + 2, dport);
	put32(th + 4, seq);
	put32(th + 8, 0xa0b0c0d0);
	th[12] = ((20 + optlen) / 4) << 4;
	th[13] = flags;
	put16(th + 14, 0xfaf0);
	put16(th + 16, 0xdead);		/* what a guest leaves there */
	put16(th + 18, 0);
	if (optlen >= 12) {
		th[20] = 1;
		th[21] = 1;
		th[22] = 8;		/* timestamps */
		th[23] = 10;
		put32(th + 24, 0x01020304);
		put32(th + 28, 0x0a0b0c0d);
		memset(th + 32, 1, optlen - 12);
	} else {
		memset(th + 20, 1, optlen);
	}
	fill_pattern(th + 20 + optlen, plen, seq);
	fr->len = fr->l4 + 20 + optlen + plen;
}

static void build_udp(struct frame *fr, u16 sport, u16 dport, u32 plen)
{
	u8 *uh = fr->b + fr->l4;

	put16(uh, sport);
	put16(uh + 2, dport);
	put16(uh + 4, 8 + plen);
	put16(uh + 6, 0xbeef);
	fill_pattern(uh + 8, plen, sport);
	fr->len = fr->l4 + 8 + plen;
}

/* A transport header of @n bytes that is neither TCP nor UDP */
static void build_raw_l4(struct frame *fr, u32 n)
{
	fill_pattern(fr->b + fr->l4, n, 99);
	fr->len = fr->l4 + n;
}

/* Set the IP length fields to what was built and the IPv4 checksum */
static void finish(struct frame *fr)
{
	u8 *ip = fr->b + fr->l3;

	if (fr->v6) {
		put16(ip + 4, fr->len - fr->l3 - 40);
		return;
	}
	put16(ip + 2, fr->len - fr->l3);
	put16(ip + 10, ref_ip4_csum(ip));
}

/* A heap copy of exactly @len bytes (the sanitizer sees any overrun) */
static u8 *dup_exact(const u8 *p, u32 len)
{
	u8 *d = malloc(len);

	if (!d && len) {
		perror("malloc");
		exit(2);
	}
	if (len)
		memcpy(d, p, len);
	return d;
}

static int parse(const struct frame *fr, u32 len, struct vsim_frame_info *fi)
{
	u8 *d = dup_exact(fr->b, len);
	int ret = vsim_frame_parse(d, len, fi);

	free(d);
	return ret;
}

/* ---------------------------------------------------------------------
 * vsim_frame_parse()
 */

static void test_parse_ip4(void)
{
	struct vsim_frame_info fi;
	struct frame fr;

	build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_TCP, 0);
	build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 10);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT_EQ(fi.l3_proto, ETH_P_IP);
	EXPECT_EQ(fi.l3_off, 14);
	EXPECT_EQ(fi.l4_off, 34);
	EXPECT_EQ(fi.l4_proto, IPPROTO_TCP);
	EXPECT(!fi.frag);
	EXPECT_EQ(fi.len, 64);
	EXPECT_EQ(fr.len, 64);

	build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_UDP, 0);
	build_udp(&fr, 53, 53, 0);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT_EQ(fi.l4_off, 34);
	EXPECT_EQ(fi.l4_proto, IPPROTO_UDP);
	EXPECT_EQ(fi.len, 42);
	test_done("parse: IPv4 TCP and UDP");
}

static void test_parse_ip4_options(void)
{
	static const u32 opts[] = { 4, 12, 40 };
	struct vsim_frame_info fi;
	struct frame fr;

	for (u32 i = 0; i < ARRAY_SIZE(opts); i++) {
		set_where("options", opts[i]);
		build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_TCP, opts[i]);
		build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 3);
		finish(&fr);
		EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
		EXPECT_EQ(fi.l3_off, 14);
		EXPECT_EQ(fi.l4_off, 34 + opts[i]);
		EXPECT_EQ(fi.l4_proto, IPPROTO_TCP);
		EXPECT_EQ(fi.len, fr.len);
	}
	test_done("parse: IPv4 with 4, 12 and 40 bytes of options");
}

static void test_parse_ip6_ext(void)
{
	struct vsim_frame_info fi;
	struct frame fr;
	u8 *x;

	build_ip6(&fr, 0, ip6_a, ip6_b, IPPROTO_TCP, 0);
	build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 5);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT_EQ(fi.l3_proto, ETH_P_IPV6);
	EXPECT_EQ(fi.l3_off, 14);
	EXPECT_EQ(fi.l4_off, 54);
	EXPECT_EQ(fi.l4_proto, IPPROTO_TCP);
	EXPECT(!fi.frag);
	EXPECT_EQ(fi.len, fr.len);

	/* hop-by-hop options, 8 and then 16 bytes */
	build_ip6(&fr, 0, ip6_a, ip6_b, IPPROTO_TCP, 8);
	build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 5);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT_EQ(fi.l4_off, 62);
	EXPECT_EQ(fi.l4_proto, IPPROTO_TCP);
	EXPECT(!fi.frag);
	EXPECT_EQ(fi.len, fr.len);

	build_ip6(&fr, 0, ip6_a, ip6_b, IPPROTO_UDP, 16);
	build_udp(&fr, 1, 2, 5);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT_EQ(fi.l4_off, 70);
	EXPECT_EQ(fi.l4_proto, IPPROTO_UDP);

	/* hop-by-hop (8) then destination options (16), then UDP */
	build_ip6(&fr, 0, ip6_a, ip6_b, IPPROTO_UDP, 24);
	x = fr.b + 54;
	x[0] = NEXTHDR_DEST;
	x[1] = 0;
	x[2] = 1;
	x[3] = 4;
	x[8] = IPPROTO_UDP;
	x[9] = 1;
	x[10] = 1;
	x[11] = 12;
	build_udp(&fr, 1, 2, 5);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT_EQ(fi.l4_off, 78);
	EXPECT_EQ(fi.l4_proto, IPPROTO_UDP);
	EXPECT_EQ(fi.len, fr.len);
	test_done("parse: IPv6 plain, with hop-by-hop and with two extension headers");
}

/* vsim_frame_l4_off(): the header offset a host checks requests against */
static void test_l4_off(void)
{
	struct frame fr;
	u8 *d;

	build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_TCP, 0);
	build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 10);
	finish(&fr);
	EXPECT_EQ(vsim_frame_l4_off(fr.b, fr.len), 34);

	/* hop-by-hop options of 16 bytes; a large send's zero IP length */
	build_ip6(&fr, 0, ip6_a, ip6_b, IPPROTO_TCP, 16);
	build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 5);
	finish(&fr);
	EXPECT_EQ(vsim_frame_l4_off(fr.b, fr.len), 70);
	fr.b[18] = 0;
	fr.b[19] = 0;
	EXPECT_EQ(vsim_frame_l4_off(fr.b, fr.len), 70);

	/* an extension header running past the frame */
	d = dup_exact(fr.b, 60);
	EXPECT_EQ(vsim_frame_l4_off(d, 60), -EINVAL);
	free(d);
	test_done("l4_off: IPv4, IPv6 with options, zero IP length, cut short");
}

static void test_parse_vlan(void)
{
	struct vsim_frame_info fi;
	struct frame fr;

	build_ip4(&fr, ETH_P_8021Q, ip4_a, ip4_b, IPPROTO_TCP, 0);
	build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 10);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT_EQ(fi.l3_proto, ETH_P_IP);
	EXPECT_EQ(fi.l3_off, 18);
	EXPECT_EQ(fi.l4_off, 38);
	EXPECT_EQ(fi.l4_proto, IPPROTO_TCP);
	EXPECT_EQ(fi.len, fr.len);

	build_ip6(&fr, ETH_P_8021AD, ip6_a, ip6_b, IPPROTO_UDP, 8);
	build_udp(&fr, 1, 2, 5);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT_EQ(fi.l3_proto, ETH_P_IPV6);
	EXPECT_EQ(fi.l3_off, 18);
	EXPECT_EQ(fi.l4_off, 66);
	EXPECT_EQ(fi.l4_proto, IPPROTO_UDP);
	EXPECT_EQ(fi.len, fr.len);
	test_done("parse: 802.1Q-tagged IPv4 and 802.1ad-tagged IPv6");
}

static void test_parse_padding(void)
{
	struct vsim_frame_info fi;
	struct frame fr;
	u32 real;

	build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_UDP, 0);
	build_udp(&fr, 1, 2, 2);
	finish(&fr);
	real = fr.len;
	memset(fr.b + fr.len, 0xa5, 60 - fr.len);
	fr.len = 60;
	EXPECT_EQ(real, 44);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT_EQ(fi.len, real);

	build_ip6(&fr, 0, ip6_a, ip6_b, IPPROTO_UDP, 0);
	build_udp(&fr, 1, 2, 0);
	finish(&fr);
	real = fr.len;
	memset(fr.b + fr.len, 0x5a, 6);
	fr.len += 6;
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT_EQ(fi.len, real);
	test_done("parse: Ethernet padding left out of fi.len");
}

static void test_parse_frag(void)
{
	static const u16 frag_fields[] = { 0x2000, 0x00b9, 0x20b9, 0x6000,
					   0x0001 };
	struct vsim_frame_info fi;
	struct frame fr;
	u8 *x;

	for (u32 i = 0; i < ARRAY_SIZE(frag_fields); i++) {
		set_where("flags/offset", frag_fields[i]);
		build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_UDP, 0);
		build_udp(&fr, 1, 2, 16);
		put16(fr.b + 14 + 6, frag_fields[i]);
		finish(&fr);
		EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
		EXPECT(fi.frag);
	}
	where[0] = '\0';
	/* DF alone, or nothing, is no fragment */
	build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_UDP, 0);
	build_udp(&fr, 1, 2, 16);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT(!fi.frag);
	put16(fr.b + 14 + 6, 0);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT(!fi.frag);

	/* IPv6 fragment header */
	build_ip6(&fr, 0, ip6_a, ip6_b, NEXTHDR_FRAG, 0);
	x = fr.b + fr.l4;
	x[0] = IPPROTO_UDP;
	put16(x + 2, 0x0001);		/* offset 0, more fragments */
	put32(x + 4, 0xcafe);
	fr.l4 += 8;
	build_udp(&fr, 1, 2, 16);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	EXPECT(fi.frag);
	EXPECT_EQ(fi.l4_off, 62);
	EXPECT_EQ(fi.l4_proto, IPPROTO_UDP);
	test_done("parse: IPv4 and IPv6 fragments flagged, DF alone is not");
}

static void test_parse_malformed(void)
{
	struct vsim_frame_info fi;
	struct frame fr, good;
	u8 *ip;

	build_ip4(&good, 0, ip4_a, ip4_b, IPPROTO_TCP, 0);
	build_tcp(&good, 1000, 80, 1, TCP_ACK, 0, 10);
	finish(&good);
	EXPECT_EQ(parse(&good, good.len, &fi), 0);

	/* truncated: one byte short of what tot_len says */
	EXPECT_EQ(parse(&good, good.len - 1, &fi), -EINVAL);
	/* tot_len larger than the frame */
	fr = good;
	ip = fr.b + 14;
	put16(ip + 2, fr.len - 14 + 1);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	put16(ip + 2, 0xffff);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	/* tot_len shorter than the header */
	put16(ip + 2, 19);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	put16(ip + 2, 0);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	/* ihl below 5 */
	fr = good;
	ip = fr.b + 14;
	ip[0] = 0x44;
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	ip[0] = 0x40;
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	/* ihl running past tot_len */
	ip[0] = 0x4f;
	put16(ip + 2, 40);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	/* wrong IP version under ETH_P_IP */
	fr = good;
	fr.b[14] = 0x65;
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	fr.b[14] = 0x05;
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	/* not IP at all */
	fr = good;
	put16(fr.b + 12, 0x0806);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	/* a tag, then not IP; or a second tag */
	build_ip4(&fr, ETH_P_8021Q, ip4_a, ip4_b, IPPROTO_TCP, 0);
	build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 10);
	finish(&fr);
	EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
	put16(fr.b + 16, 0x88cc);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	put16(fr.b + 16, ETH_P_8021Q);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);

	/* IPv6: wrong version, payload length past the frame */
	build_ip6(&good, 0, ip6_a, ip6_b, IPPROTO_TCP, 8);
	build_tcp(&good, 1000, 80, 1, TCP_ACK, 0, 10);
	finish(&good);
	EXPECT_EQ(parse(&good, good.len, &fi), 0);
	fr = good;
	fr.b[14] = 0x40;
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	EXPECT_EQ(parse(&good, good.len - 1, &fi), -EINVAL);
	fr = good;
	put16(fr.b + 18, 0xffff);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	/* hop-by-hop header claiming 48 bytes of the 38 there are */
	fr = good;
	fr.b[55] = 5;
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	fr.b[55] = 255;
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	/* the payload length leaves under 8 bytes for the header */
	fr = good;
	put16(fr.b + 18, 4);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	put16(fr.b + 18, 0);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	/* the payload length ends inside the header's 16 bytes */
	fr = good;
	fr.b[55] = 1;
	put16(fr.b + 18, 12);
	EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
	test_done("parse: malformed IPv4 and IPv6 frames rejected");
}

static void test_parse_ext_chain(void)
{
	struct vsim_frame_info fi;
	struct frame fr;
	u32 n;

	/* a chain of destination options headers, 8 bytes each */
	for (n = 1; n <= 64; n++) {
		u8 *x;

		build_ip6(&fr, 0, ip6_a, ip6_b, NEXTHDR_DEST, 0);
		for (u32 i = 0; i < n; i++) {
			x = fr.b + fr.l4 + 8 * i;
			x[0] = i + 1 < n ? NEXTHDR_DEST : IPPROTO_TCP;
			x[1] = 0;
			x[2] = 1;
			x[3] = 4;
		}
		fr.l4 += 8 * n;
		build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 10);
		finish(&fr);
		set_where("headers", n);
		if (n <= 3) {
			EXPECT_EQ(parse(&fr, fr.len, &fi), 0);
			EXPECT_EQ(fi.l4_off, 54 + 8 * n);
			EXPECT_EQ(fi.l4_proto, IPPROTO_TCP);
		} else if (n == 64) {
			EXPECT_EQ(parse(&fr, fr.len, &fi), -EINVAL);
		} else {
			/* wherever the limit is, a success must be right */
			if (!parse(&fr, fr.len, &fi)) {
				EXPECT_EQ(fi.l4_off, 54 + 8 * n);
				EXPECT_EQ(fi.l4_proto, IPPROTO_TCP);
			}
		}
	}
	test_done("parse: IPv6 extension chains walked, an endless one given up");
}

static int count_emit(void *ctx, const u8 *seg, u32 len)
{
	u32 *count = ctx;

	(void)seg;
	(void)len;
	(*count)++;
	return 0;
}

/* Every function on each prefix of @fr from 0 to 60 bytes */
static void short_prefixes(const struct frame *fr)
{
	static const u8 key[40] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct vsim_frame_info fi;
	u8 *seg = malloc(1600);

	for (u32 len = 0; len <= 60; len++) {
		u8 *d = dup_exact(fr->b, len);
		u32 hash = 0, used = 0, count = 0;

		set_where("length", len);
		EXPECT_EQ(vsim_frame_parse(d, len, &fi), -EINVAL);
		EXPECT(!vsim_rss_hash(key, sizeof(key), 0xffffffff, d, len,
				      &hash, &used));
		EXPECT_EQ(vsim_csum_check(d, len), 0);
		EXPECT_EQ(vsim_csum_fill(d, len, true), -EINVAL);
		EXPECT(!memcmp(d, fr->b, len));
		/* a prefix may hold a whole LSO frame; just no overrun */
		vsim_lso_segment(d, len, 100, fr->l4, seg, 1600, count_emit,
				 &count);
		free(d);
	}
	free(seg);
}

static void test_parse_short(void)
{
	struct frame fr;

	build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_TCP, 0);
	build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 10);
	finish(&fr);
	short_prefixes(&fr);
	build_ip4(&fr, ETH_P_8021Q, ip4_a, ip4_b, IPPROTO_UDP, 0);
	build_udp(&fr, 1, 2, 20);
	finish(&fr);
	short_prefixes(&fr);
	build_ip6(&fr, 0, ip6_a, ip6_b, IPPROTO_TCP, 8);
	build_tcp(&fr, 1000, 80, 1, TCP_ACK, 0, 10);
	finish(&fr);
	short_prefixes(&fr);
	build_ip6(&fr, ETH_P_8021Q, ip6_a, ip6_b, IPPROTO_UDP, 0);
	build_udp(&fr, 1, 2, 0);
	finish(&fr);
	short_prefixes(&fr);
	test_done("parse: frames of 0..60 bytes rejected, no out-of-bounds read");
}

/* ---------------------------------------------------------------------
 * vsim_toeplitz() and vsim_rss_hash()
 */

/* the verification key of Microsoft's "Verifying the RSS Hash Calculation" */
static const u8 ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct rss_vec {
	const char *name;
	bool v6;
	u8 src[16];
	u8 dst[16];
	u16 sport;
	u16 dport;
	u32 hash2;	/* addresses only */
	u32 hash4;	/* addresses and ports */
};

static const struct rss_vec rss_vecs[] = {
	{ "IPv4 66.9.149.187:2794 -> 161.142.100.80:1766", false,
	  { 66, 9, 149, 187 }, { 161, 142, 100, 80 }, 2794, 1766,
	  0x323e8fc2, 0x51ccc178 },
	{ "IPv4 199.92.111.2:14230 -> 65.69.140.83:4739", false,
	  { 199, 92, 111, 2 }, { 65, 69, 140, 83 }, 14230, 4739,
	  0xd718262a, 0xc626b0ea },
	{ "IPv4 24.19.198.95:12898 -> 12.22.207.184:38024", false,
	  { 24, 19, 198, 95 }, { 12, 22, 207, 184 }, 12898, 38024,
	  0xd2d0a5de, 0x5c2b394a },
	{ "IPv6 [3ffe:2501:200:1fff::7]:2794 -> [3ffe:2501:200:3::1]:1766",
	  true,
	  { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff,
	    0, 0, 0, 0, 0, 0, 0, 0x07 },
	  { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03,
	    0, 0, 0, 0, 0, 0, 0, 0x01 }, 2794, 1766,
	  0x2cc18cd5, 0x40207d3d },
	{ "IPv6 [3ffe:501:8::260:97ff:fe40:efab]:14230 -> [ff02::1]:4739",
	  true,
	  { 0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0x00, 0x00,
	    0x02, 0x60, 0x97, 0xff, 0xfe, 0x40, 0xef, 0xab },
	  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 },
	  14230, 4739, 0x0f0c461c, 0xdde51bbf },
	{ "IPv6 [3ffe:1900:4545:3:200:f8ff:fe21:67cf]:44251 -> [fe80::200:f8ff:fe21:67cf]:38024",
	  true,
	  { 0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03,
	    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
	    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  44251, 38024, 0x4b61e985, 0x02d1feef },
};

static u32 rss_input(const struct rss_vec *v, u8 *in, bool ports)
{
	u32 alen = v->v6 ? 16 : 4;

	memcpy(in, v->src, alen);
	memcpy(in + alen, v->dst, alen);
	if (!ports)
		return 2 * alen;
	put16(in + 2 * alen, v->sport);
	put16(in + 2 * alen + 2, v->dport);
	return 2 * alen + 4;
}

static void build_vec(struct frame *fr, const struct rss_vec *v, u8 proto,
		      u16 tpid, u32 ext)
{
	if (v->v6)
		build_ip6(fr, tpid, v->src, v->dst, proto, ext);
	else
		build_ip4(fr, tpid, v->src, v->dst, proto, ext);
	if (proto == IPPROTO_TCP)
		build_tcp(fr, v->sport, v->dport, 7, TCP_ACK, 0, 33);
	else if (proto == IPPROTO_UDP)
		build_udp(fr, v->sport, v->dport, 33);
	else
		build_raw_l4(fr, 24);
	finish(fr);
}

/* vsim_rss_hash() on an exact heap copy of @fr; false if not hashed */
static bool rss(const struct frame *fr, u32 key_len, u32 types, u32 *hash,
		u32 *used)
{
	u8 *d = dup_exact(fr->b, fr->len);
	bool ret;

	*hash = 0xdeadbeef;
	*used = 0xdeadbeef;
	ret = vsim_rss_hash(ms_key, key_len, types, d, fr->len, hash, used);
	free(d);
	return ret;
}

static void test_toeplitz_raw(void)
{
	u8 in[36];

	for (u32 i = 0; i < ARRAY_SIZE(rss_vecs); i++) {
		const struct rss_vec *v = &rss_vecs[i];
		u32 n;

		set_where("vector", i);
		n = rss_input(v, in, false);
		EXPECT_EQ(vsim_toeplitz(ms_key, 40, in, n), v->hash2);
		n = rss_input(v, in, true);
		EXPECT_EQ(vsim_toeplitz(ms_key, 40, in, n), v->hash4);
		/* the hash reads only in_len + 4 bytes of key */
		EXPECT_EQ(vsim_toeplitz(ms_key, n + 4, in, n), v->hash4);
		EXPECT_EQ(vsim_toeplitz(ms_key, n + 3, in, n), 0);
	}
	where[0] = '\0';
	/* one set bit picks the 32 key bits starting at its position */
	memset(in, 0, sizeof(in));
	in[0] = 0x80;
	EXPECT_EQ(vsim_toeplitz(ms_key, 40, in, 1), 0x6d5a56da);
	in[0] = 0x01;
	EXPECT_EQ(vsim_toeplitz(ms_key, 40, in, 1),
		  (u32)(0x6d5a56da25ULL >> 1));
	in[0] = 0;
	in[1] = 0x80;
	EXPECT_EQ(vsim_toeplitz(ms_key, 40, in, 2), 0x5a56da25);
	in[1] = 0;
	in[0] = 0x08;
	EXPECT_EQ(vsim_toeplitz(ms_key, 40, in, 1),
		  (u32)(0x6d5a56da255bULL >> 12));
	EXPECT_EQ(vsim_toeplitz(ms_key, 40, in, 0), 0);
	test_done("toeplitz: Microsoft verification vectors on raw input");
}

static void test_rss_vector(const struct rss_vec *v)
{
	u32 l3 = v->v6 ? VSIM_HASH_IPV6 : VSIM_HASH_IPV4;
	u32 tcp = v->v6 ? VSIM_HASH_TCP_IPV6 : VSIM_HASH_TCP_IPV4;
	u32 udp = v->v6 ? VSIM_HASH_UDP_IPV6 : VSIM_HASH_UDP_IPV4;
	struct frame fr;
	u32 hash, used;
	char desc[160];

	build_vec(&fr, v, IPPROTO_TCP, 0, 0);
	EXPECT(rss(&fr, 40, l3 | tcp, &hash, &used));
	EXPECT_EQ(hash, v->hash4);
	EXPECT_EQ(used, tcp);
	EXPECT(rss(&fr, 40, l3 | tcp | udp, &hash, &used));
	EXPECT_EQ(hash, v->hash4);
	EXPECT_EQ(used, tcp);
	EXPECT(rss(&fr, 40, l3, &hash, &used));
	EXPECT_EQ(hash, v->hash2);
	EXPECT_EQ(used, l3);
	EXPECT(rss(&fr, 40, l3 | udp, &hash, &used));
	EXPECT_EQ(hash, v->hash2);
	EXPECT_EQ(used, l3);
	EXPECT(rss(&fr, 40, tcp, &hash, &used));
	EXPECT_EQ(hash, v->hash4);
	EXPECT_EQ(used, tcp);

	build_vec(&fr, v, IPPROTO_UDP, 0, 0);
	EXPECT(rss(&fr, 40, l3 | udp, &hash, &used));
	EXPECT_EQ(hash, v->hash4);
	EXPECT_EQ(used, udp);
	/* UDP with only the IP type (or only TCP's) hashes addresses */
	EXPECT(rss(&fr, 40, l3, &hash, &used));
	EXPECT_EQ(hash, v->hash2);
	EXPECT_EQ(used, l3);
	EXPECT(rss(&fr, 40, l3 | tcp, &hash, &used));
	EXPECT_EQ(hash, v->hash2);
	EXPECT_EQ(used, l3);

	/* a tag and extension headers or options change nothing */
	build_vec(&fr, v, IPPROTO_TCP, ETH_P_8021Q, 8);
	EXPECT(rss(&fr, 40, l3 | tcp, &hash, &used));
	EXPECT_EQ(hash, v->hash4);
	EXPECT_EQ(used, tcp);
	EXPECT(rss(&fr, 40, l3, &hash, &used));
	EXPECT_EQ(hash, v->hash2);

	/* neither TCP nor UDP: addresses only */
	build_vec(&fr, v, v->v6 ? 58 : IPPROTO_ICMP, 0, 0);
	EXPECT(rss(&fr, 40, 0xffffffff, &hash, &used));
	EXPECT_EQ(hash, v->hash2);
	EXPECT_EQ(used, l3);
	snprintf(desc, sizeof(desc), "rss: %s", v->name);
	test_done(desc);
}

static void test_rss_not_hashed(void)
{
	const struct rss_vec *v4 = &rss_vecs[0], *v6 = &rss_vecs[3];
	struct frame fr;
	u32 hash, used;

	build_vec(&fr, v4, IPPROTO_TCP, 0, 0);
	EXPECT(!rss(&fr, 40, 0, &hash, &used));
	EXPECT(!rss(&fr, 40, VSIM_HASH_IPV6 | VSIM_HASH_TCP_IPV6 |
		    VSIM_HASH_UDP_IPV6 | VSIM_HASH_UDP_IPV4, &hash, &used));
	build_vec(&fr, v4, IPPROTO_UDP, 0, 0);
	EXPECT(!rss(&fr, 40, VSIM_HASH_TCP_IPV4, &hash, &used));
	EXPECT(!rss(&fr, 40, 0, &hash, &used));
	build_vec(&fr, v6, IPPROTO_TCP, 0, 0);
	EXPECT(!rss(&fr, 40, 0, &hash, &used));
	EXPECT(!rss(&fr, 40, VSIM_HASH_IPV4 | VSIM_HASH_TCP_IPV4 |
		    VSIM_HASH_UDP_IPV4 | VSIM_HASH_UDP_IPV6, &hash, &used));
	build_vec(&fr, v6, IPPROTO_UDP, 0, 0);
	EXPECT(!rss(&fr, 40, VSIM_HASH_TCP_IPV6, &hash, &used));
	/* not IP */
	build_vec(&fr, v4, IPPROTO_TCP, 0, 0);
	put16(fr.b + 12, 0x0806);
	EXPECT(!rss(&fr, 40, 0xffffffff, &hash, &used));
	/* a key too short for the input */
	build_vec(&fr, v4, IPPROTO_TCP, 0, 0);
	EXPECT(!rss(&fr, 15, 0xffffffff, &hash, &used));
	EXPECT(rss(&fr, 16, 0xffffffff, &hash, &used));
	EXPECT_EQ(hash, v4->hash4);
	EXPECT(!rss(&fr, 11, VSIM_HASH_IPV4, &hash, &used));
	EXPECT(rss(&fr, 12, VSIM_HASH_IPV4, &hash, &used));
	EXPECT_EQ(hash, v4->hash2);
	build_vec(&fr, v6, IPPROTO_TCP, 0, 0);
	EXPECT(!rss(&fr, 39, 0xffffffff, &hash, &used));
	EXPECT(rss(&fr, 40, 0xffffffff, &hash, &used));
	EXPECT(!rss(&fr, 35, VSIM_HASH_IPV6, &hash, &used));
	EXPECT(rss(&fr, 36, VSIM_HASH_IPV6, &hash, &used));
	EXPECT_EQ(hash, v6->hash2);
	test_done("rss: nothing enabled for the frame, non-IP or short key: not hashed");
}

static void test_rss_frag(void)
{
	static const u16 frag_fields[] = { 0x2000, 0x00b9, 0x0001 };
	const struct rss_vec *v4 = &rss_vecs[1], *v6 = &rss_vecs[5];
	struct frame fr;
	u32 hash, used;
	u8 *x;

	for (u32 i = 0; i < ARRAY_SIZE(frag_fields); i++) {
		set_where("flags/offset", frag_fields[i]);
		build_vec(&fr, v4, IPPROTO_TCP, 0, 0);
		put16(fr.b + 20, frag_fields[i]);
		finish(&fr);
		EXPECT(rss(&fr, 40, VSIM_HASH_IPV4 | VSIM_HASH_TCP_IPV4,
			   &hash, &used));
		EXPECT_EQ(hash, v4->hash2);
		EXPECT_EQ(used, VSIM_HASH_IPV4);
		EXPECT(!rss(&fr, 40, VSIM_HASH_TCP_IPV4, &hash, &used));
		build_vec(&fr, v4, IPPROTO_UDP, 0, 0);
		put16(fr.b + 20, frag_fields[i]);
		finish(&fr);
		EXPECT(rss(&fr, 40, VSIM_HASH_IPV4 | VSIM_HASH_UDP_IPV4,
			   &hash, &used));
		EXPECT_EQ(hash, v4->hash2);
		EXPECT_EQ(used, VSIM_HASH_IPV4);
	}
	where[0] = '\0';

	/* a first IPv6 fragment: the ports are there but not used */
	build_ip6(&fr, 0, v6->src, v6->dst, NEXTHDR_FRAG, 0);
	x = fr.b + fr.l4;
	x[0] = IPPROTO_TCP;
	put16(x + 2, 0x0001);
	put32(x + 4, 77);
	fr.l4 += 8;
	build_tcp(&fr, v6->sport, v6->dport, 1, TCP_ACK, 0, 40);
	finish(&fr);
	EXPECT(rss(&fr, 40, VSIM_HASH_IPV6 | VSIM_HASH_TCP_IPV6, &hash, &used));
	EXPECT_EQ(hash, v6->hash2);
	EXPECT_EQ(used, VSIM_HASH_IPV6);
	EXPECT(!rss(&fr, 40, VSIM_HASH_TCP_IPV6, &hash, &used));
	test_done("rss: IPv4 and IPv6 fragments hash addresses only");
}

static void test_rss_short_l4(void)
{
	const struct rss_vec *v = &rss_vecs[2];
	struct frame fr;
	u32 hash, used;

	/* three bytes of what should be a TCP header: no ports to hash */
	build_vec(&fr, v, IPPROTO_TCP, 0, 0);
	fr.len = fr.l4 + 3;
	finish(&fr);
	EXPECT(rss(&fr, 40, VSIM_HASH_IPV4 | VSIM_HASH_TCP_IPV4, &hash, &used));
	EXPECT_EQ(hash, v->hash2);
	EXPECT_EQ(used, VSIM_HASH_IPV4);
	/* four bytes hold the ports */
	fr.len = fr.l4 + 4;
	finish(&fr);
	EXPECT(rss(&fr, 40, VSIM_HASH_IPV4 | VSIM_HASH_TCP_IPV4, &hash, &used));
	EXPECT_EQ(hash, v->hash4);
	EXPECT_EQ(used, VSIM_HASH_TCP_IPV4);
	/* padding does not count as transport bytes */
	fr.len = fr.l4 + 2;
	finish(&fr);
	memset(fr.b + fr.len, 0, 60 - fr.len);
	fr.len = 60;
	EXPECT(rss(&fr, 40, VSIM_HASH_IPV4 | VSIM_HASH_TCP_IPV4, &hash, &used));
	EXPECT_EQ(hash, v->hash2);
	EXPECT_EQ(used, VSIM_HASH_IPV4);
	test_done("rss: a transport header too short for ports hashes addresses");
}

/* ---------------------------------------------------------------------
 * vsim_csum_fill() and vsim_csum_check()
 */

static u32 check(const struct frame *fr)
{
	u8 *d = dup_exact(fr->b, fr->len);
	u32 ret = vsim_csum_check(d, fr->len);

	free(d);
	return ret;
}

/* vsim_csum_fill() on an exact heap copy, copied back into @fr */
static int fill(struct frame *fr, bool ip_csum)
{
	u8 *d = dup_exact(fr->b, fr->len);
	int ret = vsim_csum_fill(d, fr->len, ip_csum);

	memcpy(fr->b, d, fr->len);
	free(d);
	return ret;
}

static u32 csum_field(const struct frame *fr, u8 proto)
{
	return fr->l4 + (proto == IPPROTO_TCP ? 16 : 6);
}

/* end of the IP packet (not of the frame, which may be padded) */
static u32 ip_end(const struct frame *fr)
{
	const u8 *ip = fr->b + fr->l3;

	if (fr->v6)
		return fr->l3 + 40 + get16(ip + 4);
	return fr->l3 + get16(ip + 2);
}

/*
 * Fill @fr's checksums, compare them with the reference and check them;
 * then spoil one payload byte and see the check fail.
 */
static void fill_and_check(struct frame *fr, u8 proto)
{
	u32 ok = proto == IPPROTO_TCP ? RX_TCP_OK : RX_UDP_OK;
	u32 bad = proto == IPPROTO_TCP ? RX_TCP_BAD : RX_UDP_BAD;
	u32 ip_ok = fr->v6 ? 0 : RX_IP_OK;
	u32 field = csum_field(fr, proto), end = ip_end(fr);
	u32 hdr = proto == IPPROTO_TCP ? (fr->b[fr->l4 + 12] >> 4) * 4 : 8;

	if (!fr->v6)
		put16(fr->b + fr->l3 + 10, 0x5555);
	EXPECT_EQ(fill(fr, true), 0);
	EXPECT_EQ(get16(fr->b + field),
		  ref_l4_csum(fr->b, fr->l3, fr->l4, end, proto));
	if (!fr->v6)
		EXPECT_EQ(get16(fr->b + fr->l3 + 10),
			  ref_ip4_csum(fr->b + fr->l3));
	EXPECT_EQ(check(fr), ip_ok | ok);
	/* with the checksum in, everything sums to 0xffff */
	EXPECT_EQ(ref_l4_sum(fr->b, fr->l3, fr->l4, end, proto), 0xffff);

	if (end - fr->l4 > hdr) {
		/* the first and the last payload byte */
		fr->b[fr->l4 + hdr] ^= 0x01;
		EXPECT_EQ(check(fr), ip_ok | bad);
		fr->b[fr->l4 + hdr] ^= 0x01;
		fr->b[end - 1] ^= 0x80;
		EXPECT_EQ(check(fr), ip_ok | bad);
		fr->b[end - 1] ^= 0x80;
	}
	/* a transport header byte, and an address in the pseudo-header */
	fr->b[fr->l4 + 1] ^= 0x10;
	EXPECT_EQ(check(fr), ip_ok | bad);
	fr->b[fr->l4 + 1] ^= 0x10;
	if (fr->v6) {
		fr->b[fr->l3 + 39] ^= 0x04;
		EXPECT_EQ(check(fr), bad);
		fr->b[fr->l3 + 39] ^= 0x04;
	}
	EXPECT_EQ(check(fr), ip_ok | ok);
}

static void build_l4(struct frame *fr, bool v6, u8 proto, u32 ext,
		     u32 plen)
{
	if (v6)
		build_ip6(fr, 0, ip6_a, ip6_b, proto, ext);
	else
		build_ip4(fr, 0, ip4_a, ip4_b, proto, ext);
	if (proto == IPPROTO_TCP)
		build_tcp(fr, 40000, 443, 0x11223344, TCP_ACK | TCP_PSH, 12,
			  plen);
	else
		build_udp(fr, 40000, 4789, plen);
	finish(fr);
}

static void test_csum_kind(bool v6, u8 proto, const char *desc)
{
	static const u32 sizes[] = { 0, 1, 2, 3, 100, 1400, 8999 };
	struct frame fr;

	for (u32 i = 0; i < ARRAY_SIZE(sizes); i++) {
		set_where("payload", sizes[i]);
		build_l4(&fr, v6, proto, 0, sizes[i]);
		fill_and_check(&fr, proto);
		/* with IPv4 options or a hop-by-hop header */
		build_l4(&fr, v6, proto, 8, sizes[i]);
		fill_and_check(&fr, proto);
	}
	test_done(desc);
}

static void test_csum_sizes(void)
{
	struct frame fr;

	/* every payload length from 0 to 300 in all four kinds */
	for (u32 n = 0; n <= 300; n++) {
		for (u32 k = 0; k < 4; k++) {
			bool v6 = k & 1;
			u8 proto = k & 2 ? IPPROTO_UDP : IPPROTO_TCP;

			set_where("kind*1000 + payload", k * 1000 + n);
			build_l4(&fr, v6, proto, 0, n);
			fr.b[fr.l4 + 2] = n;
			EXPECT_EQ(fill(&fr, true), 0);
			EXPECT_EQ(get16(fr.b + csum_field(&fr, proto)),
				  ref_l4_csum(fr.b, fr.l3, fr.l4, fr.len,
					      proto));
			EXPECT_EQ(check(&fr), (v6 ? 0 : RX_IP_OK) |
				  (proto == IPPROTO_TCP ? RX_TCP_OK :
				   RX_UDP_OK));
		}
	}
	test_done("csum: fill matches RFC 1071 for payloads of 0..300 bytes, odd lengths too");
}

static void test_csum_ip4_header(void)
{
	struct frame fr;

	/* a spoiled IPv4 header checksum: IP fails, TCP still holds */
	build_l4(&fr, false, IPPROTO_TCP, 0, 50);
	EXPECT_EQ(fill(&fr, true), 0);
	EXPECT_EQ(check(&fr), RX_IP_OK | RX_TCP_OK);
	fr.b[fr.l3 + 11] ^= 0x01;
	EXPECT_EQ(check(&fr), RX_IP_BAD | RX_TCP_OK);
	fr.b[fr.l3 + 11] ^= 0x01;
	/* or a spoiled TTL */
	fr.b[fr.l3 + 8]--;
	EXPECT_EQ(check(&fr), RX_IP_BAD | RX_TCP_OK);
	fr.b[fr.l3 + 8]++;
	/* an option byte is covered too */
	build_l4(&fr, false, IPPROTO_UDP, 12, 50);
	EXPECT_EQ(fill(&fr, true), 0);
	EXPECT_EQ(get16(fr.b + fr.l3 + 10), ref_ip4_csum(fr.b + fr.l3));
	EXPECT_EQ(check(&fr), RX_IP_OK | RX_UDP_OK);
	fr.b[fr.l3 + 25] ^= 0x40;
	EXPECT_EQ(check(&fr), RX_IP_BAD | RX_UDP_OK);

	/* without ip_csum the IPv4 header checksum is left alone */
	build_l4(&fr, false, IPPROTO_TCP, 0, 50);
	put16(fr.b + fr.l3 + 10, 0x1357);
	EXPECT_EQ(fill(&fr, false), 0);
	EXPECT_EQ(get16(fr.b + fr.l3 + 10), 0x1357);
	EXPECT_EQ(check(&fr), RX_IP_BAD | RX_TCP_OK);
	build_l4(&fr, false, IPPROTO_TCP, 0, 50);
	EXPECT_EQ(fill(&fr, false), 0);
	EXPECT_EQ(check(&fr), RX_IP_OK | RX_TCP_OK);
	test_done("csum: IPv4 header checksum filled, checked, left alone without ip_csum");
}

static void test_csum_udp_zero(void)
{
	struct frame fr;
	u32 field, sum;
	u16 c;

	/* IPv4 UDP without a checksum: an IP verdict only */
	build_l4(&fr, false, IPPROTO_UDP, 0, 31);
	EXPECT_EQ(fill(&fr, true), 0);
	field = csum_field(&fr, IPPROTO_UDP);
	put16(fr.b + field, 0);
	EXPECT_EQ(check(&fr), RX_IP_OK);
	fr.b[fr.len - 1] ^= 0xff;
	EXPECT_EQ(check(&fr), RX_IP_OK);
	fr.b[fr.l3 + 10] ^= 0xff;
	EXPECT_EQ(check(&fr), RX_IP_BAD);

	/* IPv6 UDP has no such exemption */
	build_l4(&fr, true, IPPROTO_UDP, 0, 31);
	field = csum_field(&fr, IPPROTO_UDP);
	EXPECT(ref_l4_csum(fr.b, fr.l3, fr.l4, fr.len, IPPROTO_UDP) !=
	       0xffff);
	put16(fr.b + field, 0);
	EXPECT_EQ(check(&fr), RX_UDP_BAD);

	/*
	 * A datagram whose checksum comes to 0 must carry 0xffff: make the
	 * data sum cancel by putting the complement of the rest in payload.
	 */
	for (u32 k = 0; k < 2; k++) {
		set_where("ipv6", k);
		build_l4(&fr, k, IPPROTO_UDP, 0, 20);
		field = csum_field(&fr, IPPROTO_UDP);
		put16(fr.b + fr.l4 + 8, 0);
		c = ref_l4_csum(fr.b, fr.l3, fr.l4, fr.len, IPPROTO_UDP);
		put16(fr.b + fr.l4 + 8, c);
		sum = ref_l4_csum(fr.b, fr.l3, fr.l4, fr.len, IPPROTO_UDP);
		EXPECT_EQ(sum, 0xffff);
		EXPECT_EQ(fill(&fr, true), 0);
		EXPECT_EQ(get16(fr.b + field), 0xffff);
		EXPECT_EQ(check(&fr), (k ? 0 : RX_IP_OK) | RX_UDP_OK);
		/* the same data as TCP keeps a checksum of 0 */
		if (k)
			build_ip6(&fr, 0, ip6_a, ip6_b, IPPROTO_TCP, 0);
		else
			build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_TCP, 0);
		build_tcp(&fr, 1, 2, 3, TCP_ACK, 0, 20);
		finish(&fr);
		field = csum_field(&fr, IPPROTO_TCP);
		put16(fr.b + fr.l4 + 20, 0);
		c = ref_l4_csum(fr.b, fr.l3, fr.l4, fr.len, IPPROTO_TCP);
		put16(fr.b + fr.l4 + 20, c);
		EXPECT_EQ(fill(&fr, true), 0);
		EXPECT_EQ(get16(fr.b + field), 0);
		EXPECT_EQ(check(&fr), (k ? 0 : RX_IP_OK) | RX_TCP_OK);
	}
	test_done("csum: UDP checksum 0 means none on IPv4, is sent as 0xffff");
}

static void test_csum_padding_vlan(void)
{
	struct frame fr;
	u32 end;

	build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_UDP, 0);
	build_udp(&fr, 1, 2, 3);
	finish(&fr);
	end = fr.len;
	for (u32 i = end; i < 60; i++)
		fr.b[i] = i;
	fr.len = 60;
	EXPECT_EQ(fill(&fr, true), 0);
	EXPECT_EQ(get16(fr.b + csum_field(&fr, IPPROTO_UDP)),
		  ref_l4_csum(fr.b, fr.l3, fr.l4, end, IPPROTO_UDP));
	for (u32 i = end; i < 60; i++)
		EXPECT_EQ(fr.b[i], i);
	EXPECT_EQ(check(&fr), RX_IP_OK | RX_UDP_OK);
	memset(fr.b + end, 0xa5, 60 - end);
	EXPECT_EQ(check(&fr), RX_IP_OK | RX_UDP_OK);

	build_ip6(&fr, ETH_P_8021Q, ip6_a, ip6_b, IPPROTO_TCP, 0);
	build_tcp(&fr, 1, 2, 3, TCP_ACK, 0, 5);
	finish(&fr);
	end = fr.len;
	fr.len += 7;
	fr.b[end] = 0xff;
	EXPECT_EQ(fill(&fr, true), 0);
	EXPECT_EQ(get16(fr.b + csum_field(&fr, IPPROTO_TCP)),
		  ref_l4_csum(fr.b, fr.l3, fr.l4, end, IPPROTO_TCP));
	EXPECT_EQ(check(&fr), RX_TCP_OK);

	build_ip4(&fr, ETH_P_8021AD, ip4_a, ip4_b, IPPROTO_TCP, 4);
	build_tcp(&fr, 1, 2, 3, TCP_ACK, 8, 77);
	finish(&fr);
	fill_and_check(&fr, IPPROTO_TCP);
	test_done("csum: padding not summed or touched; tagged frames");
}

static void test_csum_unsupported(void)
{
	struct frame fr, orig;
	u8 *x;

	/* neither TCP nor UDP */
	build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_ICMP, 0);
	build_raw_l4(&fr, 40);
	finish(&fr);
	orig = fr;
	EXPECT_EQ(fill(&fr, true), -EINVAL);
	EXPECT(!memcmp(fr.b, orig.b, fr.len));
	EXPECT_EQ(check(&fr), 0);
	/* IPv4 fragments, first or not */
	build_l4(&fr, false, IPPROTO_UDP, 0, 40);
	put16(fr.b + fr.l3 + 6, 0x2000);
	finish(&fr);
	orig = fr;
	EXPECT_EQ(fill(&fr, true), -EINVAL);
	EXPECT(!memcmp(fr.b, orig.b, fr.len));
	EXPECT_EQ(check(&fr), 0);
	put16(fr.b + fr.l3 + 6, 0x0010);
	finish(&fr);
	EXPECT_EQ(fill(&fr, true), -EINVAL);
	EXPECT_EQ(check(&fr), 0);
	/* IPv6 fragment */
	build_ip6(&fr, 0, ip6_a, ip6_b, NEXTHDR_FRAG, 0);
	x = fr.b + fr.l4;
	x[0] = IPPROTO_TCP;
	put16(x + 2, 0x0001);
	fr.l4 += 8;
	build_tcp(&fr, 1, 2, 3, TCP_ACK, 0, 10);
	finish(&fr);
	EXPECT_EQ(fill(&fr, true), -EINVAL);
	EXPECT_EQ(check(&fr), 0);
	/* transport headers cut short by the IP length */
	build_l4(&fr, false, IPPROTO_TCP, 0, 0);
	fr.len = fr.l4 + 19;
	finish(&fr);
	EXPECT_EQ(fill(&fr, true), -EINVAL);
	EXPECT_EQ(check(&fr), 0);
	build_l4(&fr, true, IPPROTO_UDP, 0, 0);
	fr.len = fr.l4 + 7;
	finish(&fr);
	EXPECT_EQ(fill(&fr, true), -EINVAL);
	EXPECT_EQ(check(&fr), 0);
	/* a bare UDP header and a bare TCP header are fine */
	build_l4(&fr, true, IPPROTO_UDP, 0, 0);
	fill_and_check(&fr, IPPROTO_UDP);
	build_ip4(&fr, 0, ip4_a, ip4_b, IPPROTO_TCP, 0);
	build_tcp(&fr, 1, 2, 3, TCP_SYN, 0, 0);
	finish(&fr);
	fill_and_check(&fr, IPPROTO_TCP);
	/* not IP */
	build_l4(&fr, false, IPPROTO_TCP, 0, 10);
	put16(fr.b + 12, 0x88b5);
	EXPECT_EQ(fill(&fr, true), -EINVAL);
	EXPECT_EQ(check(&fr), 0);
	test_done("csum: no TCP or UDP checksum to fill or check: -EINVAL and 0");
}

/* ---------------------------------------------------------------------
 * vsim_lso_segment()
 */

#define LSO_MAX_SEGS	512

struct seg_log {
	u32 n;
	u32 len[LSO_MAX_SEGS];
	u8 *seg[LSO_MAX_SEGS];
	u32 stop_at;	/* fail this call (1-based); 0: never */
	int err;
};

static int collect(void *ctx, const u8 *seg, u32 len)
{
	struct seg_log *log = ctx;

	if (log->n < LSO_MAX_SEGS) {
		log->seg[log->n] = dup_exact(seg, len);
		log->len[log->n] = len;
	}
	log->n++;
	if (log->stop_at && log->n == log->stop_at)
		return log->err;
	return 0;
}

static void log_free(struct seg_log *log)
{
	for (u32 i = 0; i < log->n && i < LSO_MAX_SEGS; i++)
		free(log->seg[i]);
	memset(log, 0, sizeof(*log));
}

/* vsim_lso_segment() with @f and the segment buffer in exact heap copies */
static int lso(const struct frame *fr, u32 mss, u32 thoff, u32 seg_size,
	       struct seg_log *log)
{
	u8 *d = dup_exact(fr->b, fr->len);
	u8 *seg = malloc(seg_size);
	int ret;

	ret = vsim_lso_segment(d, fr->len, mss, thoff, seg, seg_size,
			       collect, log);
	free(seg);
	free(d);
	return ret;
}

/*
 * Segment @fr (built with IP length fields zero) at @mss and check every
 * segment against the original.
 */
static void lso_verify(const struct frame *fr, u32 mss)
{
	const u8 *ip = fr->b + fr->l3, *th = fr->b + fr->l4;
	u32 hlen = fr->l4 + (th[12] >> 4) * 4;
	u32 plen = fr->len - hlen;
	u32 want = plen ? (plen + mss - 1) / mss : 1;
	static u8 joined[FRAME_MAX];
	struct seg_log log;
	u32 done = 0;
	int ret;

	memset(&log, 0, sizeof(log));
	ret = lso(fr, mss, fr->l4, hlen + mss, &log);
	EXPECT_EQ(ret, want);
	EXPECT_EQ(log.n, want);
	if (ret < 0 || (u32)ret != want || log.n != want)
		goto out;

	for (u32 i = 0; i < log.n; i++) {
		const u8 *s = log.seg[i], *sip = s + fr->l3;
		const u8 *sth = s + fr->l4;
		u32 chunk = plen - done < mss ? plen - done : mss;
		u8 flags = th[13];

		set_where("segment", i);
		EXPECT_EQ(log.len[i], hlen + chunk);
		if (log.len[i] != hlen + chunk)
			break;
		/* link and IP headers: only length, ID and checksum change */
		EXPECT(!memcmp(s, fr->b, fr->l3));
		if (fr->v6) {
			EXPECT_EQ(get16(sip + 4), log.len[i] - fr->l3 - 40);
			EXPECT(!memcmp(sip, ip, 4));
			EXPECT(!memcmp(sip + 6, ip + 6, fr->l4 - fr->l3 - 6));
		} else {
			EXPECT_EQ(get16(sip + 2), log.len[i] - fr->l3);
			EXPECT_EQ(get16(sip + 4),
				  (u16)(get16(ip + 4) + i));
			EXPECT(!memcmp(sip, ip, 2));
			EXPECT(!memcmp(sip + 6, ip + 6, 4));
			EXPECT(!memcmp(sip + 12, ip + 12,
				       fr->l4 - fr->l3 - 12));
			EXPECT_EQ(get16(sip + 10), ref_ip4_csum(sip));
		}
		/* TCP: sequence, flags and checksum change */
		EXPECT(!memcmp(sth, th, 4));
		EXPECT_EQ(get32(sth + 4), (u32)(get32(th + 4) + done));
		EXPECT(!memcmp(sth + 8, th + 8, 5));
		if (i + 1 < log.n)
			flags &= ~(TCP_FIN | TCP_PSH);
		if (i)
			flags &= ~TCP_CWR;
		EXPECT_EQ(sth[13], flags);
		EXPECT(!memcmp(sth + 14, th + 14, 2));
		EXPECT(!memcmp(sth + 18, th + 18, hlen - fr->l4 - 18));
		EXPECT_EQ(get16(sth + 16),
			  ref_l4_csum(s, fr->l3, fr->l4, log.len[i],
				      IPPROTO_TCP));
		EXPECT_EQ(vsim_csum_check(s, log.len[i]),
			  (fr->v6 ? 0 : RX_IP_OK) | RX_TCP_OK);
		memcpy(joined + done, s + hlen, chunk);
		done += chunk;
	}
	where[0] = '\0';
	EXPECT_EQ(done, plen);
	EXPECT(!memcmp(joined, fr->b + hlen, plen));
out:
	log_free(&log);
}

static void build_lso(struct frame *fr, bool v6, u16 tpid, u32 ext,
		      u32 plen, u8 flags)
{
	if (v6)
		build_ip6(fr, tpid, ip6_a, ip6_b, IPPROTO_TCP, ext);
	else
		build_ip4(fr, tpid, ip4_a, ip4_b, IPPROTO_TCP, ext);
	build_tcp(fr, 50000, 5201, 0xfffff000, flags, 12, plen);
	if (v6) {
		put16(fr->b + fr->l3 + 4, 0);
	} else {
		put16(fr->b + fr->l3 + 4, 0xfffd);	/* the ID wraps */
		put16(fr->b + fr->l3 + 2, 0);
	}
}

static void test_lso_basic(bool v6)
{
	u8 all = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR;
	struct seg_log log;
	struct frame fr;

	build_lso(&fr, v6, 0, 0, 10000, all);
	memset(&log, 0, sizeof(log));
	EXPECT_EQ(lso(&fr, 1448, fr.l4, 2000, &log), 7);
	EXPECT_EQ(log.n, 7);
	EXPECT_EQ(log.len[0], fr.l4 + 32 + 1448);
	EXPECT_EQ(log.len[6], fr.l4 + 32 + 10000 - 6 * 1448);
	log_free(&log);
	lso_verify(&fr, 1448);
	test_done(v6 ? "lso: 10000 bytes over IPv6 at MSS 1448" :
		  "lso: 10000 bytes over IPv4 at MSS 1448");
}

static void test_lso_variants(void)
{
	u8 all = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR;
	struct frame fr;

	/* a tag, IPv4 options, a hop-by-hop header */
	build_lso(&fr, false, ETH_P_8021Q, 8, 10000, all);
	lso_verify(&fr, 1448);
	build_lso(&fr, true, ETH_P_8021Q, 16, 10000, all);
	lso_verify(&fr, 1448);
	/* exact multiples of the MSS, a short tail, one segment */
	build_lso(&fr, false, 0, 0, 3 * 1448, all);
	lso_verify(&fr, 1448);
	build_lso(&fr, true, 0, 0, 3 * 1448 + 1, all);
	lso_verify(&fr, 1448);
	build_lso(&fr, false, 0, 0, 1000, all);
	lso_verify(&fr, 1448);
	build_lso(&fr, true, 0, 0, 1448, TCP_ACK);
	lso_verify(&fr, 1448);
	/* odd MSS, tiny MSS */
	build_lso(&fr, false, 0, 0, 5000, all);
	lso_verify(&fr, 1001);
	build_lso(&fr, true, 0, 0, 300, all);
	lso_verify(&fr, 1);
	/* a big MSS */
	build_lso(&fr, false, 0, 0, 10000, all);
	lso_verify(&fr, 9000);
	/* headers only: one segment */
	build_lso(&fr, true, 0, 0, 0, all);
	lso_verify(&fr, 1448);
	/* IP length fields that are not zero are ignored too */
	build_lso(&fr, false, 0, 0, 10000, all);
	put16(fr.b + fr.l3 + 2, 0xffff);
	lso_verify(&fr, 1448);
	build_lso(&fr, false, 0, 0, 10000, all);
	put16(fr.b + fr.l3 + 2, 40);
	lso_verify(&fr, 1448);
	build_lso(&fr, true, 0, 0, 10000, all);
	put16(fr.b + fr.l3 + 4, 12);
	lso_verify(&fr, 1448);
	test_done("lso: tags, options, extension headers, MSS edge cases, stale IP lengths");
}

static void test_lso_invalid(void)
{
	u8 all = TCP_ACK | TCP_PSH | TCP_FIN;
	struct frame fr, bad;
	struct seg_log log;
	u32 hlen;
	u8 *x;

	memset(&log, 0, sizeof(log));
	for (u32 k = 0; k < 2; k++) {
		set_where("ipv6", k);
		build_lso(&fr, k, 0, 0, 10000, all);
		hlen = fr.l4 + 32;
		/* wrong thoff */
		EXPECT_EQ(lso(&fr, 1448, fr.l4 - 1, 2000, &log), -EINVAL);
		EXPECT_EQ(lso(&fr, 1448, fr.l4 + 1, 2000, &log), -EINVAL);
		EXPECT_EQ(lso(&fr, 1448, fr.l4 + 4, 2000, &log), -EINVAL);
		EXPECT_EQ(lso(&fr, 1448, 0, 2000, &log), -EINVAL);
		EXPECT_EQ(lso(&fr, 1448, fr.l3, 2000, &log), -EINVAL);
		/* mss 0 */
		EXPECT_EQ(lso(&fr, 0, fr.l4, 2000, &log), -EINVAL);
		/* seg_size too small by one; exact is fine */
		EXPECT_EQ(lso(&fr, 1448, fr.l4, hlen + 1447, &log), -EINVAL);
		EXPECT_EQ(lso(&fr, 1448, fr.l4, 0, &log), -EINVAL);
		EXPECT_EQ(lso(&fr, 0xffffffff, fr.l4, 2000, &log), -EINVAL);
		EXPECT_EQ(log.n, 0);
		EXPECT_EQ(lso(&fr, 1448, fr.l4, hlen + 1448, &log), 7);
		log_free(&log);
		/* segments whose IP length would not fit 16 bits */
		EXPECT_EQ(lso(&fr, 0x10000 - (hlen - fr.l3) + 40 * k,
			      fr.l4, 0x20000, &log), -EINVAL);
		EXPECT_EQ(log.n, 0);
		EXPECT_EQ(lso(&fr, 0xffff - (hlen - fr.l3) + 40 * k,
			      fr.l4, 0x20000, &log), 1);
		log_free(&log);
		/* a data offset under 5 words, or past the frame */
		bad = fr;
		bad.b[bad.l4 + 12] = 0x40;
		EXPECT_EQ(lso(&bad, 1448, bad.l4, 2000, &log), -EINVAL);
		bad.b[bad.l4 + 12] = 0x00;
		EXPECT_EQ(lso(&bad, 1448, bad.l4, 2000, &log), -EINVAL);
		bad.len = hlen;
		EXPECT_EQ(lso(&bad, 1448, bad.l4, 2000, &log), -EINVAL);
		bad = fr;
		bad.len = hlen - 1;
		EXPECT_EQ(lso(&bad, 1448, bad.l4, 2000, &log), -EINVAL);
		bad.len = fr.l4 + 19;
		EXPECT_EQ(lso(&bad, 1448, bad.l4, 2000, &log), -EINVAL);
		/* UDP */
		build_l4(&bad, k, IPPROTO_UDP, 0, 5000);
		EXPECT_EQ(lso(&bad, 1448, bad.l4, 2000, &log), -EINVAL);
		/* not IP */
		bad = fr;
		put16(bad.b + 12, 0x0806);
		EXPECT_EQ(lso(&bad, 1448, bad.l4, 2000, &log), -EINVAL);
		EXPECT_EQ(log.n, 0);
	}
	where[0] = '\0';
	/* fragments */
	build_lso(&fr, false, 0, 0, 5000, all);
	put16(fr.b + fr.l3 + 6, 0x2000);
	EXPECT_EQ(lso(&fr, 1448, fr.l4, 2000, &log), -EINVAL);
	build_ip6(&fr, 0, ip6_a, ip6_b, NEXTHDR_FRAG, 0);
	x = fr.b + fr.l4;
	x[0] = IPPROTO_TCP;
	fr.l4 += 8;
	build_tcp(&fr, 1, 2, 3, TCP_ACK, 0, 5000);
	EXPECT_EQ(lso(&fr, 1448, fr.l4, 2000, &log), -EINVAL);
	/* a bad IP header */
	build_lso(&fr, false, 0, 0, 5000, all);
	fr.b[fr.l3] = 0x44;
	EXPECT_EQ(lso(&fr, 1448, fr.l4, 2000, &log), -EINVAL);
	EXPECT_EQ(log.n, 0);
	test_done("lso: bad thoff, mss 0, small seg_size, non-TCP and bad frames give -EINVAL");
}

static void test_lso_emit_error(void)
{
	struct seg_log log;
	struct frame fr;

	build_lso(&fr, false, 0, 0, 10000, TCP_ACK | TCP_FIN);
	memset(&log, 0, sizeof(log));
	log.stop_at = 3;
	log.err = -EIO;
	EXPECT_EQ(lso(&fr, 1448, fr.l4, 2000, &log), -EIO);
	EXPECT_EQ(log.n, 3);
	log_free(&log);
	log.stop_at = 1;
	log.err = -ENOBUFS;
	EXPECT_EQ(lso(&fr, 1448, fr.l4, 2000, &log), -ENOBUFS);
	EXPECT_EQ(log.n, 1);
	log_free(&log);
	/* failing on the last call still reports the failure */
	build_lso(&fr, true, 0, 0, 10000, TCP_ACK | TCP_FIN);
	log.stop_at = 7;
	log.err = -EAGAIN;
	EXPECT_EQ(lso(&fr, 1448, fr.l4, 2000, &log), -EAGAIN);
	EXPECT_EQ(log.n, 7);
	log_free(&log);
	test_done("lso: an emit error stops segmentation and is returned");
}

/* ---------------------------------------------------------------------
 * Robustness: random and damaged frames through everything
 */

static u32 rng = 0x2545f491;

static u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void random_template(struct frame *fr)
{
	static const u16 tpids[] = { 0, 0, ETH_P_8021Q, ETH_P_8021AD };
	u16 tpid = tpids[rnd() % 4];
	u32 plen = rnd() % 4 ? rnd() % 200 : rnd() % 3000;
	bool v6 = rnd() & 1;
	u32 ext = v6 ? (rnd() % 3) * 8 : (rnd() % 4) * 4;
	u8 proto = rnd() % 5 ? (rnd() & 1 ? IPPROTO_TCP : IPPROTO_UDP) :
		   IPPROTO_ICMP;

	if (v6)
		build_ip6(fr, tpid, ip6_a, ip6_b, proto, ext);
	else
		build_ip4(fr, tpid, ip4_a, ip4_b, proto, ext);
	if (proto == IPPROTO_TCP)
		build_tcp(fr, rnd(), rnd(), rnd(), rnd(), (rnd() % 4) * 4,
			  plen);
	else if (proto == IPPROTO_UDP)
		build_udp(fr, rnd(), rnd(), plen);
	else
		build_raw_l4(fr, plen);
	finish(fr);
}

static u32 fuzz_lso_ip4;

static int fuzz_emit(void *ctx, const u8 *seg, u32 len)
{
	u32 *count = ctx;
	u32 want = RX_TCP_OK | (fuzz_lso_ip4 ? RX_IP_OK : 0);
	u8 *d = dup_exact(seg, len);

	EXPECT_EQ(vsim_csum_check(d, len), want);
	free(d);
	(*count)++;
	return 0;
}

static void fuzz_one(const u8 *f, u32 len)
{
	static const u32 types[] = { VSIM_HASH_IPV4, VSIM_HASH_TCP_IPV4,
				     VSIM_HASH_IPV6, VSIM_HASH_TCP_IPV6,
				     VSIM_HASH_UDP_IPV4, VSIM_HASH_UDP_IPV6 };
	struct vsim_frame_info fi;
	u8 *d = dup_exact(f, len), *seg;
	u32 hash, used, t = 0, flags, count = 0;
	u32 mss, thoff, seg_size;
	bool ip_csum = rnd() & 1;
	int parsed, ret;

	for (u32 i = 0; i < ARRAY_SIZE(types); i++)
		if (rnd() & 1)
			t |= types[i];

	parsed = vsim_frame_parse(d, len, &fi);
	EXPECT(parsed == 0 || parsed == -EINVAL);
	if (!parsed) {
		EXPECT(fi.l3_proto == ETH_P_IP || fi.l3_proto == ETH_P_IPV6);
		EXPECT(fi.l3_off == 14 || fi.l3_off == 18);
		EXPECT(fi.l3_off < fi.l4_off);
		EXPECT(fi.l4_off <= fi.len);
		EXPECT(fi.len <= len);
	}
	ret = vsim_frame_l4_off(d, len);
	EXPECT(ret == -EINVAL || (ret >= 34 && (u32)ret <= len));

	if (vsim_rss_hash(ms_key, rnd() % 41, t, d, len, &hash, &used)) {
		EXPECT(!parsed);
		EXPECT(used & t);
		EXPECT(!(used & (used - 1)));
	}
	vsim_toeplitz(ms_key, 40, d, len < 36 ? len : 36);

	flags = vsim_csum_check(d, len);
	EXPECT(!(flags & RX_IP_OK && flags & RX_IP_BAD));
	EXPECT(!(flags & (RX_TCP_OK | RX_TCP_BAD) &&
		 flags & (RX_UDP_OK | RX_UDP_BAD)));
	EXPECT(!flags || !parsed);

	ret = vsim_csum_fill(d, len, ip_csum);
	if (ret) {
		EXPECT_EQ(ret, -EINVAL);
		EXPECT(!memcmp(d, f, len));
	} else {
		flags = vsim_csum_check(d, len);
		EXPECT(flags & (RX_TCP_OK | RX_UDP_OK));
		if (ip_csum && fi.l3_proto == ETH_P_IP)
			EXPECT(flags & RX_IP_OK);
		/* only checksum fields changed: the frame still parses alike */
		EXPECT(!vsim_frame_parse(d, len, &fi));
	}

	mss = rnd() % 8 ? 1 + rnd() % 2000 : rnd() % 3;
	thoff = !parsed && rnd() % 8 ? fi.l4_off : rnd() % 100;
	seg_size = rnd() % 8 ? 64 + rnd() % 2200 : rnd() % 100;
	seg = malloc(seg_size);
	fuzz_lso_ip4 = len >= 14 && get16(d + 12) == ETH_P_IP;
	if (len >= 18 && (get16(d + 12) == ETH_P_8021Q ||
			  get16(d + 12) == ETH_P_8021AD))
		fuzz_lso_ip4 = get16(d + 16) == ETH_P_IP;
	ret = vsim_lso_segment(d, len, mss, thoff, seg, seg_size, fuzz_emit,
			       &count);
	EXPECT(ret == -EINVAL || ret > 0);
	if (ret > 0)
		EXPECT_EQ(count, ret);
	else
		EXPECT_EQ(count, 0);
	free(seg);
	free(d);
}

static void test_fuzz(void)
{
	struct frame fr;
	u32 len;

	for (u32 iter = 0; iter < 6000; iter++) {
		set_where("iteration", iter);
		switch (iter % 4) {
		case 0:
			/* random bytes, sometimes behind a good Ethernet type */
			len = rnd() % 160;
			for (u32 i = 0; i < len; i++)
				fr.b[i] = rnd();
			if (len >= 14 && rnd() & 1)
				put16(fr.b + 12, rnd() & 1 ? ETH_P_IP :
				      ETH_P_IPV6);
			if (len >= 15 && rnd() & 1)
				fr.b[14] = rnd() & 1 ? 0x45 : 0x60;
			break;
		case 1:
			/* a good frame with a few header bytes changed */
			random_template(&fr);
			len = fr.len;
			for (u32 i = 1 + rnd() % 4; i; i--)
				fr.b[rnd() % (len < 100 ? len : 100)] = rnd();
			break;
		case 2:
			/* a good frame cut short anywhere */
			random_template(&fr);
			len = rnd() % (fr.len + 1);
			break;
		default:
			/* a good frame, padded or as it is */
			random_template(&fr);
			len = fr.len;
			if (rnd() & 1) {
				u32 pad = rnd() % 64;

				memset(fr.b + len, rnd(), pad);
				len += pad;
			}
			break;
		}
		fuzz_one(fr.b, len);
	}
	test_done("fuzz: 6000 random, damaged and truncated frames through every function");
}

/* the tests main() runs besides one per RSS vector; keep it in step */
#define TESTS_FIXED	29

int main(void)
{
	int plan = TESTS_FIXED + ARRAY_SIZE(rss_vecs);

	printf("TAP version 13\n");
	printf("1..%d\n", plan);

	test_parse_ip4();
	test_parse_ip4_options();
	test_parse_ip6_ext();
	test_l4_off();
	test_parse_vlan();
	test_parse_padding();
	test_parse_frag();
	test_parse_malformed();
	test_parse_ext_chain();
	test_parse_short();

	test_toeplitz_raw();
	for (u32 i = 0; i < ARRAY_SIZE(rss_vecs); i++)
		test_rss_vector(&rss_vecs[i]);
	test_rss_not_hashed();
	test_rss_frag();
	test_rss_short_l4();

	test_csum_kind(false, IPPROTO_TCP, "csum: TCP over IPv4");
	test_csum_kind(false, IPPROTO_UDP, "csum: UDP over IPv4");
	test_csum_kind(true, IPPROTO_TCP, "csum: TCP over IPv6");
	test_csum_kind(true, IPPROTO_UDP, "csum: UDP over IPv6");
	test_csum_sizes();
	test_csum_ip4_header();
	test_csum_udp_zero();
	test_csum_padding_vlan();
	test_csum_unsupported();

	test_lso_basic(false);
	test_lso_basic(true);
	test_lso_variants();
	test_lso_invalid();
	test_lso_emit_error();

	test_fuzz();

	printf("# %d of %d tests failed\n", tests_failed, tests_run);
	if (tests_run != plan) {
		printf("# ran %d tests but planned %d\n", tests_run, plan);
		return 1;
	}
	return tests_failed ? 1 : 0;
}
