/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_vmbus_sim: what the simulated vSwitch knows about Ethernet frames.
 *
 * Parsing, the Toeplitz RSS hash, checksums and LSO segmentation live here,
 * away from the VMBus code, so that the same file builds into the module
 * and into the userspace unit tests under test/.  Every function takes a
 * frame the guest wrote and so trusts none of its lengths.
 */
#ifndef _VSIM_FRAME_H
#define _VSIM_FRAME_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "vsim_user.h"
#endif

/* Receive checksum verdicts, as the NDIS checksum PPI carries them */
#define VSIM_RXCSUM_TCP_FAILED		0x01
#define VSIM_RXCSUM_UDP_FAILED		0x02
#define VSIM_RXCSUM_IP_FAILED		0x04
#define VSIM_RXCSUM_TCP_SUCCEEDED	0x08
#define VSIM_RXCSUM_UDP_SUCCEEDED	0x10
#define VSIM_RXCSUM_IP_SUCCEEDED	0x20

/* NDIS hash types a guest can enable (the hash_info of its RSS request) */
#define VSIM_HASH_IPV4		0x00000100
#define VSIM_HASH_TCP_IPV4	0x00000200
#define VSIM_HASH_IPV6		0x00000400
#define VSIM_HASH_TCP_IPV6	0x00001000
#define VSIM_HASH_UDP_IPV4	0x00004000
#define VSIM_HASH_UDP_IPV6	0x00008000

/**
 * struct vsim_frame_info - where the layers of a frame sit
 * @l3_proto: ETH_P_IP or ETH_P_IPV6 in host order
 * @l3_off: offset of the IP header
 * @l4_off: offset of the transport header (after any IPv6 extensions)
 * @l4_proto: IPPROTO_* of the transport header
 * @frag: the packet is a fragment, so its transport header is unusable
 *	  (or, for a first fragment, its checksum cannot be checked)
 * @len: bytes up to the end of the IP packet; Ethernet padding excluded
 */
struct vsim_frame_info {
	u16 l3_proto;
	u16 l3_off;
	u16 l4_off;
	u8 l4_proto;
	bool frag;
	u32 len;
};

int vsim_frame_parse(const u8 *f, u32 len, struct vsim_frame_info *fi);
bool vsim_rss_hash(const u8 *key, u32 key_len, u32 hash_types,
		   const u8 *f, u32 len, u32 *hash, u32 *used);
u32 vsim_toeplitz(const u8 *key, u32 key_len, const u8 *in, u32 in_len);
int vsim_frame_l4_off(const u8 *f, u32 len);
int vsim_csum_fill(u8 *f, u32 len, bool ip_csum);
u32 vsim_csum_check(const u8 *f, u32 len);
int vsim_lso_segment(const u8 *f, u32 len, u32 mss, u32 thoff,
		     u8 *seg, u32 seg_size,
		     int (*emit)(void *ctx, const u8 *seg, u32 len),
		     void *ctx);

#endif /* _VSIM_FRAME_H */
