// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus_sim: frame work done by the simulated vSwitch.
 *
 * A Hyper-V host finishes what a guest offloads to it (transmit checksums,
 * large send), checks receive checksums and spreads receive traffic with
 * the Toeplitz hash.  The code here does the same on plain byte buffers.
 * It is written without kernel helpers so that test/ can build it as an
 * ordinary program; multi-byte fields are read byte by byte, so neither
 * alignment nor host byte order matters.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/string.h>
#endif

#include "vsim_frame.h"

#define VF_ETH_HLEN	14
#define VF_VLAN_HLEN	4
#define VF_IP4_MIN	20
#define VF_IP6_HLEN	40
#define VF_TCP_MIN	20
#define VF_UDP_HLEN	8
/* IPv6 extension headers walked before giving up */
#define VF_IP6_EXT_MAX	8

#define VF_TCP_FIN	0x01
#define VF_TCP_PSH	0x08
#define VF_TCP_CWR	0x80

static inline u16 vf_get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 vf_get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline void vf_put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void vf_put32(u8 *p, u32 v)
{
	vf_put16(p, v >> 16);
	vf_put16(p + 2, v & 0xffff);
}

static bool vf_ip6_ext(u8 nexthdr)
{
	return nexthdr == 0 || nexthdr == 43 || nexthdr == 60 ||
	       nexthdr == 44;
}

/*
 * Parse @f; with @whole the IP packet is taken to end where the frame
 * does and the IP length fields are not looked at (a large send's are
 * commonly zero).
 */
static int vf_parse(const u8 *f, u32 len, bool whole,
		    struct vsim_frame_info *fi)
{
	u32 off = VF_ETH_HLEN, end;
	u16 type;
	u8 next;

	if (len < VF_ETH_HLEN)
		return -EINVAL;
	type = vf_get16(f + 12);
	if (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (len < VF_ETH_HLEN + VF_VLAN_HLEN)
			return -EINVAL;
		type = vf_get16(f + 16);
		off += VF_VLAN_HLEN;
	}
	memset(fi, 0, sizeof(*fi));
	fi->l3_proto = type;
	fi->l3_off = off;

	if (type == ETH_P_IP) {
		const u8 *ip = f + off;
		u32 ihl, tot;

		if (len - off < VF_IP4_MIN || (ip[0] >> 4) != 4)
			return -EINVAL;
		ihl = (ip[0] & 0xf) * 4;
		tot = whole ? len - off : vf_get16(ip + 2);
		if (ihl < VF_IP4_MIN || tot < ihl || tot > len - off)
			return -EINVAL;
		fi->len = off + tot;
		fi->l4_off = off + ihl;
		fi->l4_proto = ip[9];
		/* more-fragments flag or a fragment offset */
		fi->frag = (vf_get16(ip + 6) & 0x3fff) != 0;
		return 0;
	}
	if (type != ETH_P_IPV6)
		return -EINVAL;

	if (len - off < VF_IP6_HLEN || (f[off] >> 4) != 6)
		return -EINVAL;
	end = whole ? len : off + VF_IP6_HLEN + vf_get16(f + off + 4);
	if (end > len)
		return -EINVAL;
	fi->len = end;
	next = f[off + 6];
	off += VF_IP6_HLEN;
	for (int i = 0; vf_ip6_ext(next); i++) {
		u32 hlen;

		if (i == VF_IP6_EXT_MAX || end - off < 8)
			return -EINVAL;
		if (next == 44) {
			fi->frag = true;
			/* past a later fragment's header comes payload */
			if (vf_get16(f + off + 2) & 0xfff8) {
				fi->l4_off = off + 8;
				fi->l4_proto = f[off];
				return 0;
			}
			hlen = 8;
		} else {
			hlen = (f[off + 1] + 1) * 8;
		}
		if (hlen > end - off)
			return -EINVAL;
		next = f[off];
		off += hlen;
	}
	fi->l4_off = off;
	fi->l4_proto = next;
	return 0;
}

/**
 * vsim_frame_parse() - locate the IP and transport headers of a frame
 * @f: the frame, from its Ethernet header
 * @len: bytes in @f
 * @fi: filled in on success
 *
 * One 802.1Q or 802.1ad tag is stepped over.  The IP lengths must fit in
 * @len; @fi->len then ends at the IP packet's end, so padding added to a
 * short frame is not summed into checksums.
 *
 * Return: 0, or -EINVAL when the frame is not well-formed IPv4 or IPv6.
 */
int vsim_frame_parse(const u8 *f, u32 len, struct vsim_frame_info *fi)
{
	return vf_parse(f, len, false, fi);
}

/**
 * vsim_frame_l4_off() - where the transport header of a frame starts
 * @f: the frame, from its Ethernet header
 * @len: bytes in @f
 *
 * The IP packet is taken to end where the frame does, as for a large
 * send, whose IP length fields are commonly zero.
 *
 * Return: the offset of the header after the IP header and its
 * extension headers, or -EINVAL when the frame is not well-formed IPv4 or
 * IPv6.
 */
int vsim_frame_l4_off(const u8 *f, u32 len)
{
	struct vsim_frame_info fi;

	if (vf_parse(f, len, true, &fi))
		return -EINVAL;
	return fi.l4_off;
}

/**
 * vsim_toeplitz() - the Toeplitz hash of @in under @key
 * @key: secret key; it must hold at least @in_len + 4 bytes
 * @key_len: bytes in @key
 * @in: the bytes hashed
 * @in_len: their number
 *
 * Return: the 32-bit hash, 0 when @key is too short for @in.
 */
u32 vsim_toeplitz(const u8 *key, u32 key_len, const u8 *in, u32 in_len)
{
	u32 hash = 0, window;

	if (key_len < 4 || in_len > key_len - 4)
		return 0;
	/* the 32 key bits lined up with the input bit being looked at */
	window = vf_get32(key);
	for (u32 i = 0; i < in_len; i++) {
		u8 next = key[i + 4];

		for (int b = 7; b >= 0; b--) {
			if (in[i] & (1u << b))
				hash ^= window;
			window = window << 1 | ((next >> b) & 1);
		}
	}
	return hash;
}

/**
 * vsim_rss_hash() - hash a frame the way the host's RSS does
 * @key: the guest's RSS key
 * @key_len: its length
 * @hash_types: VSIM_HASH_* the guest enabled
 * @f: the frame
 * @len: its length
 * @hash: the hash, on success
 * @used: the VSIM_HASH_* type the hash was computed as, on success
 *
 * TCP and UDP are hashed over addresses and ports when their type is
 * enabled, other IP traffic (and fragments) over addresses only.
 *
 * Return: true if the frame was hashed.
 */
bool vsim_rss_hash(const u8 *key, u32 key_len, u32 hash_types,
		   const u8 *f, u32 len, u32 *hash, u32 *used)
{
	struct vsim_frame_info fi;
	u32 l3_type, l4_type = 0, type, alen, n;
	const u8 *addrs;
	u8 in[36];

	if (vsim_frame_parse(f, len, &fi))
		return false;
	if (fi.l3_proto == ETH_P_IP) {
		l3_type = VSIM_HASH_IPV4;
		addrs = f + fi.l3_off + 12;
		alen = 8;
		if (fi.l4_proto == IPPROTO_TCP)
			l4_type = VSIM_HASH_TCP_IPV4;
		else if (fi.l4_proto == IPPROTO_UDP)
			l4_type = VSIM_HASH_UDP_IPV4;
	} else {
		l3_type = VSIM_HASH_IPV6;
		addrs = f + fi.l3_off + 8;
		alen = 32;
		if (fi.l4_proto == IPPROTO_TCP)
			l4_type = VSIM_HASH_TCP_IPV6;
		else if (fi.l4_proto == IPPROTO_UDP)
			l4_type = VSIM_HASH_UDP_IPV6;
	}
	memcpy(in, addrs, alen);
	n = alen;
	if (l4_type && (hash_types & l4_type) && !fi.frag &&
	    fi.len - fi.l4_off >= 4) {
		memcpy(in + n, f + fi.l4_off, 4);
		n += 4;
		type = l4_type;
	} else if (hash_types & l3_type) {
		type = l3_type;
	} else {
		return false;
	}
	if (key_len < n + 4)
		return false;
	*hash = vsim_toeplitz(key, key_len, in, n);
	*used = type;
	return true;
}

/* Ones' complement sum of @len bytes, added to @sum (not yet folded) */
static u64 vf_sum(const u8 *p, u32 len, u64 sum)
{
	u32 i = 0;

	/* 2^32 and 2^16 are both 1 modulo 0xffff: big words sum alike */
	for (; i + 4 <= len; i += 4)
		sum += vf_get32(p + i);
	if (i + 2 <= len) {
		sum += vf_get16(p + i);
		i += 2;
	}
	if (i < len)
		sum += (u32)p[i] << 8;
	return sum;
}

static u16 vf_fold(u64 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)sum;
}

/* Sum of the pseudo-header and the transport segment of @fi */
static u64 vf_l4_sum(const u8 *f, const struct vsim_frame_info *fi)
{
	u32 l4_len = fi->len - fi->l4_off;
	u64 sum;

	if (fi->l3_proto == ETH_P_IP)
		sum = vf_sum(f + fi->l3_off + 12, 8, 0);
	else
		sum = vf_sum(f + fi->l3_off + 8, 32, 0);
	sum += fi->l4_proto + l4_len;
	return vf_sum(f + fi->l4_off, l4_len, sum);
}

/* Where the transport checksum lives, or 0 if @fi has none to fill */
static u32 vf_csum_field(const struct vsim_frame_info *fi)
{
	u32 l4_len = fi->len - fi->l4_off;

	if (fi->frag)
		return 0;
	if (fi->l4_proto == IPPROTO_TCP && l4_len >= VF_TCP_MIN)
		return fi->l4_off + 16;
	if (fi->l4_proto == IPPROTO_UDP && l4_len >= VF_UDP_HLEN)
		return fi->l4_off + 6;
	return 0;
}

static void vf_ip4_csum(u8 *f, const struct vsim_frame_info *fi)
{
	u8 *ip = f + fi->l3_off;

	vf_put16(ip + 10, 0);
	vf_put16(ip + 10, ~vf_fold(vf_sum(ip, (ip[0] & 0xf) * 4, 0)));
}

static void vf_l4_csum(u8 *f, const struct vsim_frame_info *fi, u32 field)
{
	u16 csum;

	vf_put16(f + field, 0);
	csum = ~vf_fold(vf_l4_sum(f, fi));
	/* a UDP checksum of zero means "none"; send its other form */
	if (!csum && fi->l4_proto == IPPROTO_UDP)
		csum = 0xffff;
	vf_put16(f + field, csum);
}

/**
 * vsim_csum_fill() - compute the checksums a guest left to the host
 * @f: the frame, changed in place
 * @len: its length
 * @ip_csum: also compute the IPv4 header checksum
 *
 * Whatever the guest left in the checksum field (commonly the
 * pseudo-header sum) is ignored and overwritten.
 *
 * Return: 0, or -EINVAL when the frame holds no TCP or UDP header.
 */
int vsim_csum_fill(u8 *f, u32 len, bool ip_csum)
{
	struct vsim_frame_info fi;
	u32 field;

	if (vsim_frame_parse(f, len, &fi))
		return -EINVAL;
	field = vf_csum_field(&fi);
	if (!field)
		return -EINVAL;
	if (ip_csum && fi.l3_proto == ETH_P_IP)
		vf_ip4_csum(f, &fi);
	vf_l4_csum(f, &fi, field);
	return 0;
}

/**
 * vsim_csum_check() - verify the checksums of a received frame
 * @f: the frame
 * @len: its length
 *
 * Return: VSIM_RXCSUM_* verdicts for the IPv4 header and the TCP or UDP
 * checksum; 0 when there is nothing the host would vouch for.
 */
u32 vsim_csum_check(const u8 *f, u32 len)
{
	struct vsim_frame_info fi;
	bool tcp;
	u32 field, flags = 0;

	if (vsim_frame_parse(f, len, &fi))
		return 0;
	field = vf_csum_field(&fi);
	if (!field)
		return 0;
	tcp = fi.l4_proto == IPPROTO_TCP;
	if (fi.l3_proto == ETH_P_IP) {
		const u8 *ip = f + fi.l3_off;

		if (vf_fold(vf_sum(ip, (ip[0] & 0xf) * 4, 0)) == 0xffff)
			flags |= VSIM_RXCSUM_IP_SUCCEEDED;
		else
			flags |= VSIM_RXCSUM_IP_FAILED;
	}
	/* an IPv4 UDP datagram may carry no checksum at all */
	if (!tcp && fi.l3_proto == ETH_P_IP && !vf_get16(f + field))
		return flags;
	if (vf_fold(vf_l4_sum(f, &fi)) == 0xffff)
		flags |= tcp ? VSIM_RXCSUM_TCP_SUCCEEDED :
			       VSIM_RXCSUM_UDP_SUCCEEDED;
	else
		flags |= tcp ? VSIM_RXCSUM_TCP_FAILED :
			       VSIM_RXCSUM_UDP_FAILED;
	return flags;
}

/**
 * vsim_lso_segment() - cut a large TCP send into MSS-sized frames
 * @f: the frame the guest sent, headers and all
 * @len: its length
 * @mss: payload bytes per segment
 * @thoff: where the guest says the TCP header starts
 * @seg: room for one segment
 * @seg_size: its size
 * @emit: called with each finished segment; a non-zero return stops
 * @ctx: passed to @emit
 *
 * Each segment gets the headers of @f with the IP length, IPv4 ID and
 * checksum, TCP sequence number and checksum made right for it; FIN and
 * PSH stay on the last segment only, CWR on the first.  The IP length
 * fields of @f are not trusted (guests commonly zero them).
 *
 * Return: the number of segments emitted, -EINVAL for a frame that is
 * not TCP, whose header offset disagrees with @thoff, or whose segments
 * do not fit @seg, or what @emit returned if it stopped the work.
 */
int vsim_lso_segment(const u8 *f, u32 len, u32 mss, u32 thoff,
		     u8 *seg, u32 seg_size,
		     int (*emit)(void *ctx, const u8 *seg, u32 len),
		     void *ctx)
{
	u32 hlen, payload, done = 0, seq;
	struct vsim_frame_info fi;
	u8 *ip, *tcp;
	u16 id = 0;
	int n = 0;

	if (!mss || vf_parse(f, len, true, &fi) ||
	    fi.l4_proto != IPPROTO_TCP || fi.frag || fi.l4_off != thoff ||
	    fi.len - fi.l4_off < VF_TCP_MIN)
		return -EINVAL;
	hlen = fi.l4_off + (f[fi.l4_off + 12] >> 4) * 4;
	if (hlen < (u32)fi.l4_off + VF_TCP_MIN || hlen > fi.len ||
	    hlen + (u64)mss > seg_size)
		return -EINVAL;
	payload = fi.len - hlen;
	/* every segment's IP length must fit its 16-bit field */
	if (fi.l3_proto == ETH_P_IP ? hlen - fi.l3_off + mss > 0xffff :
	    hlen - fi.l3_off - VF_IP6_HLEN + mss > 0xffff)
		return -EINVAL;
	memcpy(seg, f, hlen);

	ip = seg + fi.l3_off;
	tcp = seg + fi.l4_off;
	seq = vf_get32(tcp + 4);
	if (fi.l3_proto == ETH_P_IP)
		id = vf_get16(ip + 4);

	do {
		u32 chunk = payload - done < mss ? payload - done : mss;
		bool last = done + chunk == payload;
		u8 flags = f[fi.l4_off + 13];
		int err;

		memcpy(seg + hlen, f + hlen + done, chunk);
		fi.len = hlen + chunk;
		if (fi.l3_proto == ETH_P_IP) {
			vf_put16(ip + 2, fi.len - fi.l3_off);
			vf_put16(ip + 4, id + n);
			vf_ip4_csum(seg, &fi);
		} else {
			vf_put16(ip + 4, fi.len - fi.l3_off - VF_IP6_HLEN);
		}
		vf_put32(tcp + 4, seq + done);
		if (!last)
			flags &= ~(VF_TCP_FIN | VF_TCP_PSH);
		if (n)
			flags &= ~VF_TCP_CWR;
		tcp[13] = flags;
		vf_l4_csum(seg, &fi, fi.l4_off + 16);
		n++;
		err = emit(ctx, seg, fi.len);
		if (err)
			return err;
		done += chunk;
	} while (done < payload);
	return n;
}
