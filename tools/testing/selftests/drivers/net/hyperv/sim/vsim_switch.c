// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus_sim: the vSwitch.  Frames the guests send are decoded from
 * RNDIS, given the host's share of the offloads (checksums, LSOv2
 * segmentation, VLAN tag) and delivered to the other NICs whose packet
 * filter accepts them, on the receive queue RSS chooses.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>

#include "vsim.h"
#include "vsim_frame.h"

/* What travels with a frame through the switch */
struct vsim_meta {
	u32 csum;		/* TXCSUM_* request from the guest */
	u32 lso;		/* LSOv2 request, 0 when none */
	u16 tci;
	bool vlan;
	bool host_csum;		/* checksums are known good */
};

struct vsim_emit_ctx {
	struct vsim_chan *vc;
	struct vsim_meta *meta;
};

#define VSIM_PPI_ROOM	(3 * (sizeof(struct rndis_ppi) + sizeof(u32)))

static u8 *vsim_put_ppi(u8 *p, u32 type, u32 val)
{
	struct rndis_ppi *ppi = (void *)p;

	ppi->size = cpu_to_le32(sizeof(*ppi) + sizeof(u32));
	ppi->type = cpu_to_le32(type);
	ppi->offset = cpu_to_le32(sizeof(*ppi));
	put_unaligned_le32(val, p + sizeof(*ppi));
	return p + sizeof(*ppi) + sizeof(u32);
}

static bool vsim_rx_csum_on(const struct vsim_nic *nic,
			    const struct vsim_frame_info *fi)
{
	u8 v;

	if (fi->l4_proto == IPPROTO_TCP)
		v = fi->l3_proto == ETH_P_IP ? nic->offl.tcp4_csum :
					       nic->offl.tcp6_csum;
	else if (fi->l4_proto == IPPROTO_UDP)
		v = fi->l3_proto == ETH_P_IP ? nic->offl.udp4_csum :
					       nic->offl.udp6_csum;
	else
		return false;
	return v == OFFLOAD_CSUM_RX || v == OFFLOAD_CSUM_TXRX;
}

static void vsim_corrupt_rx(struct vsim_nic *nic, struct rndis_hdr *h,
			    struct rndis_packet *rp, u32 ppi_len)
{
	u32 field = READ_ONCE(nic->fault_corrupt);

	if (field < VSIM_CORRUPT_RNDIS_LEN || field > VSIM_CORRUPT_PPI_OFFSET)
		return;
	if (field >= VSIM_CORRUPT_PPI_SIZE && !ppi_len)
		return;
	if (atomic_dec_if_positive(&nic->fault_corrupt_count) < 0)
		return;
	atomic64_inc(&nic->stats.corrupted);
	switch (field) {
	case VSIM_CORRUPT_RNDIS_LEN:
		h->len = cpu_to_le32(0x7fffffff);
		break;
	case VSIM_CORRUPT_DATA_OFFSET:
		rp->data_offset = cpu_to_le32(0x7fffff00);
		break;
	case VSIM_CORRUPT_DATA_LEN:
		rp->data_len = cpu_to_le32(0x7fffff00);
		break;
	case VSIM_CORRUPT_PPI_SIZE:
		((struct rndis_ppi *)(rp + 1))->size = cpu_to_le32(0x7fff0000);
		break;
	case VSIM_CORRUPT_PPI_OFFSET:
		((struct rndis_ppi *)(rp + 1))->offset = cpu_to_le32(0x7fff0000);
		break;
	}
}

/* Deliver one frame to NIC @n; called under rcu_read_lock() */
static void vsim_nic_rx(struct vsim_nic *n, const u8 *frame, u32 len,
			const struct vsim_meta *meta)
{
	u8 ppis[VSIM_PPI_ROOM], *pp = ppis;
	struct vsim_frame_info fi;
	struct rndis_packet *rp;
	struct vsim_chan *vc;
	struct rndis_hdr *h;
	u32 q = 0, hash, used, ppi_len, total, offset;
	struct vsim_rss *rss;
	unsigned long flags;
	u64 cookie;
	int err;

	rss = rcu_dereference(n->rss);
	if (rss && rss->enabled && rss->table_len &&
	    vsim_rss_hash(rss->key, RSS_KEY_LEN, rss->hash_info, frame, len,
			  &hash, &used)) {
		q = rss->table[hash % rss->table_len];
		pp = vsim_put_ppi(pp, PPI_HASH, hash);
		atomic64_inc(&n->stats.hash_rx);
	}
	vc = q <= VSIM_MAX_QUEUES ? rcu_dereference(n->chans[q]) : NULL;
	if (!vc)
		vc = rcu_dereference(n->chans[0]);
	if (!vc)
		return;

	if (!vsim_frame_parse(frame, len, &fi) && vsim_rx_csum_on(n, &fi) &&
	    !fi.frag) {
		u32 flags;

		if (meta->host_csum) {
			flags = fi.l4_proto == IPPROTO_TCP ?
				VSIM_RXCSUM_TCP_SUCCEEDED :
				VSIM_RXCSUM_UDP_SUCCEEDED;
			if (fi.l3_proto == ETH_P_IP)
				flags |= VSIM_RXCSUM_IP_SUCCEEDED;
		} else {
			flags = vsim_csum_check(frame, len);
			atomic64_inc(&n->stats.csum_verified);
		}
		/* The frame is intact: only the verdict is wrong */
		if (READ_ONCE(n->fault_corrupt) == VSIM_CORRUPT_CSUM_FAIL &&
		    atomic_dec_if_positive(&n->fault_corrupt_count) >= 0) {
			atomic64_inc(&n->stats.corrupted);
			flags = fi.l4_proto == IPPROTO_TCP ?
				VSIM_RXCSUM_TCP_FAILED : VSIM_RXCSUM_UDP_FAILED;
		}
		pp = vsim_put_ppi(pp, PPI_CSUM, flags);
	}
	if (meta->vlan) {
		/* priority in bits 0-2, CFI in bit 3, VLAN ID in bits 4-15 */
		u32 v = (meta->tci >> VLAN_PRIO_SHIFT) |
			((meta->tci & VLAN_CFI_MASK) ? BIT(3) : 0) |
			((meta->tci & VLAN_VID_MASK) << 4);

		pp = vsim_put_ppi(pp, PPI_VLAN, v);
		atomic64_inc(&n->stats.vlan_rx);
	}
	ppi_len = pp - ppis;
	total = sizeof(*h) + sizeof(*rp) + ppi_len + len;

	err = vsim_rx_alloc(n, total, false, &cookie);
	if (err) {
		if (err == -EMSGSIZE)
			atomic64_inc(&n->stats.rx_drop_too_big);
		else
			atomic64_inc(&n->stats.rx_drop_no_buffer);
		return;
	}
	spin_lock_irqsave(&n->rbuf_lock, flags);
	h = vsim_rx_section(n, cookie, &offset);
	if (h) {
		rp = (void *)(h + 1);
		h->type = cpu_to_le32(RNDIS_PACKET);
		h->len = cpu_to_le32(total);
		memset(rp, 0, sizeof(*rp));
		rp->data_offset = cpu_to_le32(sizeof(*rp) + ppi_len);
		rp->data_len = cpu_to_le32(len);
		if (ppi_len) {
			rp->ppi_offset = cpu_to_le32(sizeof(*rp));
			rp->ppi_len = cpu_to_le32(ppi_len);
			memcpy(rp + 1, ppis, ppi_len);
		}
		memcpy((u8 *)(rp + 1) + ppi_len, frame, len);
		vsim_corrupt_rx(n, h, rp, ppi_len);
	}
	spin_unlock_irqrestore(&n->rbuf_lock, flags);
	if (!h) {
		atomic64_inc(&n->stats.rx_drop_no_buffer);
		return;
	}

	if (vsim_rx_post(vc, offset, total, cookie))
		return;
	atomic64_inc(&n->stats.rx_packets);
	atomic64_add(len, &n->stats.rx_bytes);
	atomic64_inc(&vc->stats.rx_packets);
	atomic64_add(len, &vc->stats.rx_bytes);
}

static bool vsim_filter_accepts(const struct vsim_nic *n, const u8 *dst)
{
	u32 f = READ_ONCE(n->filter);

	if (f & RNDIS_FILTER_PROMISC)
		return true;
	if (is_broadcast_ether_addr(dst))
		return f & RNDIS_FILTER_BROADCAST;
	if (is_multicast_ether_addr(dst))
		return f & (RNDIS_FILTER_MULTICAST | RNDIS_FILTER_ALLMULTI);
	return (f & RNDIS_FILTER_DIRECTED) && ether_addr_equal(dst, n->cur_mac);
}

/**
 * vsim_rx_burst() - the burst fault: frames for a guest, whatever it asked
 * @nic: the NIC
 * @count: frames to send; 0 sends nothing
 *
 * Broadcast frames of the local experimental EtherType 0x88b5, from the
 * host itself, past the packet filter: a host may deliver them at any
 * time, also while the guest brings the NIC up or takes it down.
 */
void vsim_rx_burst(struct vsim_nic *nic, u32 count)
{
	static const struct vsim_meta meta = {};
	u8 frame[ETH_ZLEN] = {};
	struct ethhdr *eh = (void *)frame;
	u32 i;

	if (!count)
		return;
	eth_broadcast_addr(eh->h_dest);
	memcpy(eh->h_source, nic->perm_mac, ETH_ALEN);
	eh->h_source[0] |= 0x02;	/* locally administered: not the NIC's */
	eh->h_proto = htons(0x88b5);
	rcu_read_lock();
	for (i = 0; i < count; i++) {
		frame[ETH_HLEN] = i;
		vsim_nic_rx(nic, frame, sizeof(frame), &meta);
		atomic64_inc(&nic->stats.burst_frames);
	}
	rcu_read_unlock();
}

/*
 * Hand a finished frame from @src to every NIC that wants it: to a NIC's
 * VF when its data path is there, else down its synthetic channel if its
 * packet filter accepts the frame.  Called under rcu_read_lock().
 */
static void vsim_deliver(struct vsim_nic *src, const u8 *frame, u32 len,
			 const struct vsim_meta *meta)
{
	struct vsim_nic *n;

	list_for_each_entry_rcu(n, &vsim_nics, node) {
		if (n == src || n->gone)
			continue;
		if (vsim_vf_takes(n, frame)) {
			vsim_vf_xmit(n, frame, len, meta->vlan, meta->tci);
			continue;
		}
		if (!READ_ONCE(n->link_up) || !READ_ONCE(n->rndis_up))
			continue;
		if (!vsim_filter_accepts(n, frame)) {
			if (ether_addr_equal(frame, n->cur_mac) ||
			    is_multicast_ether_addr(frame))
				atomic64_inc(&n->stats.rx_drop_filter);
			continue;
		}
		vsim_nic_rx(n, frame, len, meta);
	}
}

/* A finished frame from @vc's guest, into the switch */
static void vsim_forward(struct vsim_chan *vc, const u8 *frame, u32 len,
			 const struct vsim_meta *meta)
{
	struct vsim_nic *src = vc->nic;

	atomic64_inc(&src->stats.tx_packets);
	atomic64_add(len, &src->stats.tx_bytes);
	atomic64_inc(&vc->stats.tx_packets);
	atomic64_add(len, &vc->stats.tx_bytes);
	rcu_read_lock();
	vsim_deliver(src, frame, len, meta);
	rcu_read_unlock();
}

/**
 * vsim_switch_vf_in() - a frame the guest sent through @src's VF
 * @src: the NIC whose VF sent it
 * @frame: the frame, its VLAN tag taken out
 * @len: its length
 * @vlan: whether it had a tag
 * @tci: the tag
 *
 * The checksums are the VF's own, so they are checked where a receiver
 * asks.  Called with bottom halves off.
 */
void vsim_switch_vf_in(struct vsim_nic *src, const u8 *frame, u32 len,
		       bool vlan, u16 tci)
{
	struct vsim_meta meta = { .vlan = vlan, .tci = tci };

	atomic64_inc(&src->stats.vf_tx_packets);
	atomic64_add(len, &src->stats.vf_tx_bytes);
	rcu_read_lock();
	vsim_deliver(src, frame, len, &meta);
	rcu_read_unlock();
}

static int vsim_emit(void *ctx, const u8 *seg, u32 len)
{
	struct vsim_emit_ctx *e = ctx;

	atomic64_inc(&e->vc->nic->stats.lso_segments);
	vsim_forward(e->vc, seg, len, e->meta);
	return 0;
}

/*
 * The checksum and LSOv2 requests say where the transport header starts,
 * in 10 bits; a host that trusted a wrong offset would checksum or cut
 * the wrong bytes.  A request whose offset is not the frame's own is
 * counted, reported and dropped.  A frame that does not parse is left to
 * the checks that follow.
 */
static bool vsim_thoff_ok(struct vsim_nic *nic, const u8 *frame, u32 len,
			  u32 thoff, const char *what)
{
	int real = vsim_frame_l4_off(frame, len);

	if (real < 0 || real == thoff)
		return true;
	atomic64_inc(&nic->stats.thoff_bad);
	vsim_violation(nic, "%s request with transport offset %u, the frame's is %d",
		       what, thoff, real);
	return false;
}

static void vsim_switch_xmit(struct vsim_chan *vc, u8 *frame, u32 len,
			     struct vsim_meta *meta)
{
	struct vsim_nic *nic = vc->nic;

	if (!READ_ONCE(nic->link_up))
		return;
	if (meta->vlan)
		atomic64_inc(&nic->stats.vlan_tx);

	/* The offsets count from the frame as the guest sent it */
	if (meta->lso) {
		if (!vsim_thoff_ok(nic, frame, len, LSO_THOFF(meta->lso), "LSO"))
			return;
	} else if (meta->csum & (TXCSUM_TCP | TXCSUM_UDP)) {
		if (!vsim_thoff_ok(nic, frame, len, TXCSUM_THOFF(meta->csum),
				   "checksum"))
			return;
	}

	/* A tag the guest wrote into the frame travels as metadata */
	if (len >= VLAN_ETH_HLEN &&
	    get_unaligned_be16(frame + 2 * ETH_ALEN) == ETH_P_8021Q) {
		meta->vlan = true;
		meta->tci = get_unaligned_be16(frame + 2 * ETH_ALEN + 2);
		memmove(frame + VLAN_HLEN, frame, 2 * ETH_ALEN);
		frame += VLAN_HLEN;
		len -= VLAN_HLEN;
	}

	if (meta->lso) {
		struct vsim_emit_ctx e = { .vc = vc, .meta = meta };
		int segs;

		atomic64_inc(&nic->stats.lso_packets);
		meta->host_csum = true;
		segs = vsim_lso_segment(frame, len, LSO_MSS(meta->lso),
					LSO_THOFF(meta->lso),
					vc->scratch + VSIM_STREAM_MAX,
					VSIM_SCRATCH_SIZE - VSIM_STREAM_MAX,
					vsim_emit, &e);
		if (segs < 0)
			vsim_violation(nic, "LSO packet of %u bytes, MSS %u: %d",
				       len, LSO_MSS(meta->lso), segs);
		return;
	}
	if (meta->csum & (TXCSUM_TCP | TXCSUM_UDP)) {
		if (vsim_csum_fill(frame, len, meta->csum & TXCSUM_IP_HDR)) {
			vsim_violation(nic, "checksum request %#x on a %u-byte frame",
				       meta->csum, len);
			return;
		}
		atomic64_inc(&nic->stats.csum_computed);
		meta->host_csum = true;
	}
	vsim_forward(vc, frame, len, meta);
}

/* One RNDIS_MSG_PACKET body (from the rndis_packet header on) */
static void vsim_packet_one(struct vsim_chan *vc, u8 *p, u32 n)
{
	const struct rndis_packet *rp = (const void *)p;
	struct vsim_nic *nic = vc->nic;
	u32 doff, dlen, poff, plen, pos;
	struct vsim_meta meta = {};

	if (n < sizeof(*rp))
		goto bad;
	doff = le32_to_cpu(rp->data_offset);
	dlen = le32_to_cpu(rp->data_len);
	poff = le32_to_cpu(rp->ppi_offset);
	plen = le32_to_cpu(rp->ppi_len);
	if (doff < sizeof(*rp) || doff > n || dlen > n - doff ||
	    dlen < ETH_HLEN)
		goto bad;
	if (plen && (poff < sizeof(*rp) || poff > n || plen > n - poff))
		goto bad;

	for (pos = poff; plen && pos + sizeof(struct rndis_ppi) <= poff + plen;) {
		const struct rndis_ppi *ppi = (const void *)(p + pos);
		u32 size = le32_to_cpu(ppi->size);
		u32 off = le32_to_cpu(ppi->offset);
		u32 val;

		if (size < sizeof(*ppi) || size > poff + plen - pos ||
		    off < sizeof(*ppi) || off + sizeof(u32) > size) {
			vsim_violation(nic, "per-packet info size %u offset %u",
				       size, off);
			return;
		}
		val = get_unaligned_le32(p + pos + off);
		switch (le32_to_cpu(ppi->type)) {
		case PPI_CSUM:
			meta.csum = val;
			break;
		case PPI_LSO:
			meta.lso = val;
			break;
		case PPI_VLAN:
			meta.vlan = true;
			meta.tci = ((val & 7) << VLAN_PRIO_SHIFT) |
				   ((val & BIT(3)) ? VLAN_CFI_MASK : 0) |
				   ((val >> 4) & VLAN_VID_MASK);
			break;
		}
		pos += size;
	}
	vsim_switch_xmit(vc, p + doff, dlen, &meta);
	return;
bad:
	vsim_violation(nic, "RNDIS packet: %u bytes, data %u@%u", n,
		       n >= sizeof(*rp) ? le32_to_cpu(rp->data_len) : 0,
		       n >= sizeof(*rp) ? le32_to_cpu(rp->data_offset) : 0);
}

/* A data send: one or more RNDIS packet messages back to back */
void vsim_rndis_data(struct vsim_chan *vc, const u8 *buf, u32 len)
{
	u8 *p = (u8 *)buf;	/* the scratch buffer is ours to change */
	u32 off = 0;

	while (off + sizeof(struct rndis_hdr) <= len) {
		struct rndis_hdr *h = (void *)(p + off);
		u32 type = le32_to_cpu(h->type), mlen = le32_to_cpu(h->len);

		if (mlen < sizeof(*h) || mlen > len - off) {
			vsim_violation(vc->nic, "RNDIS length %u at %u of %u",
				       mlen, off, len);
			return;
		}
		if (type != RNDIS_PACKET) {
			vsim_violation(vc->nic, "RNDIS type %#x on data path",
				       type);
			return;
		}
		vsim_packet_one(vc, p + off + sizeof(*h), mlen - sizeof(*h));
		off += mlen;
	}
}
