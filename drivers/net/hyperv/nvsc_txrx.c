// SPDX-License-Identifier: GPL-2.0
/*
 * hv_netvsc data path: transmit (RNDIS packets with per-packet info, copied
 * into send sections and aggregated, or sent as page ranges), receive
 * (NAPI, GRO) and send completions.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>
#include <asm/unaligned.h>

#include "nvsc.h"

/* Per-packet info the transmit path may add: checksum, LSO, VLAN, hash */
#define NVSC_TX_PPI_MAX		4
#define NVSC_PPI_ENTRY		(sizeof(struct rndis_ppi) + sizeof(__le32))
#define NVSC_TX_HDR_MAX		(sizeof(struct rndis_hdr) + \
				 sizeof(struct rndis_packet) + \
				 NVSC_TX_PPI_MAX * NVSC_PPI_ENTRY)
static_assert(NVSC_TX_HDR_MAX <= NVSC_TX_HDR_SIZE);

/* What the transmit path tells the host about one packet */
struct nvsc_tx_meta {
	u32 ppi_type[NVSC_TX_PPI_MAX];
	u32 ppi_val[NVSC_TX_PPI_MAX];
	u32 nppi;
};

static void nvsc_meta_add(struct nvsc_tx_meta *m, u32 type, u32 val)
{
	m->ppi_type[m->nppi] = type;
	m->ppi_val[m->nppi] = val;
	m->nppi++;
}

/* Length of the RNDIS header nvsc_put_header() writes */
static u32 nvsc_header_len(const struct nvsc_tx_meta *m)
{
	return sizeof(struct rndis_hdr) + sizeof(struct rndis_packet) +
	       m->nppi * NVSC_PPI_ENTRY;
}

/* Write the RNDIS packet header for @data_len bytes of frame at @p */
static void nvsc_put_header(u8 *p, const struct nvsc_tx_meta *m, u32 data_len)
{
	struct rndis_hdr *h = (struct rndis_hdr *)p;
	struct rndis_packet *rp = (struct rndis_packet *)(h + 1);
	u8 *pp = (u8 *)(rp + 1);
	u32 ppi_len = m->nppi * NVSC_PPI_ENTRY, i;

	h->type = cpu_to_le32(RNDIS_T_PACKET);
	h->len = cpu_to_le32(nvsc_header_len(m) + data_len);
	memset(rp, 0, sizeof(*rp));
	rp->data_offset = cpu_to_le32(sizeof(*rp) + ppi_len);
	rp->data_len = cpu_to_le32(data_len);
	if (ppi_len) {
		rp->ppi_offset = cpu_to_le32(sizeof(*rp));
		rp->ppi_len = cpu_to_le32(ppi_len);
	}
	for (i = 0; i < m->nppi; i++) {
		struct rndis_ppi *ppi = (struct rndis_ppi *)pp;

		ppi->size = cpu_to_le32(NVSC_PPI_ENTRY);
		ppi->type = cpu_to_le32(m->ppi_type[i]);
		ppi->offset = cpu_to_le32(sizeof(*ppi));
		put_unaligned_le32(m->ppi_val[i], pp + sizeof(*ppi));
		pp += NVSC_PPI_ENTRY;
	}
}

/* LSOv2: the host wants zero IP lengths and a length-less pseudo header */
static int nvsc_tx_lso(struct sk_buff *skb, struct nvsc_tx_meta *m)
{
	u32 thoff = skb_transport_offset(skb);
	u32 val = skb_shinfo(skb)->gso_size & RNDIS_LSO_MSS_MASK;
	int ret;

	/* nvsc_features_check() sends such frames through software GSO */
	if (!(skb_shinfo(skb)->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) ||
	    thoff > RNDIS_THOFF_MAX)
		return -EPROTONOSUPPORT;
	ret = skb_cow_head(skb, 0);
	if (ret)
		return ret;

	val |= thoff << RNDIS_LSO_THOFF_SHIFT | RNDIS_LSO_V2;
	if (skb_shinfo(skb)->gso_type & SKB_GSO_TCPV4) {
		struct iphdr *iph = ip_hdr(skb);

		iph->tot_len = 0;
		iph->check = 0;
		tcp_hdr(skb)->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr,
							 0, IPPROTO_TCP, 0);
	} else {
		struct ipv6hdr *ip6 = ipv6_hdr(skb);

		val |= RNDIS_LSO_IPV6;
		ip6->payload_len = 0;
		tcp_hdr(skb)->check = ~tcp_v6_check(0, &ip6->saddr,
						    &ip6->daddr, 0);
	}
	nvsc_meta_add(m, RNDIS_PPI_LSO, val);
	return 0;
}

/* A checksum the stack left to us: ask the host, or do it here */
static int nvsc_tx_csum(struct nvsc_priv *priv, struct sk_buff *skb,
			struct nvsc_tx_meta *m)
{
	u32 thoff = skb_transport_offset(skb);
	u32 val = thoff << RNDIS_TXCSUM_THOFF_SHIFT;
	bool udp_ok;
	u8 proto;

	/* Past what the info can say: the bits would spill into the flags */
	if (thoff > RNDIS_THOFF_MAX)
		return skb_checksum_help(skb);

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		proto = ip_hdr(skb)->protocol;
		val |= RNDIS_TXCSUM_IPV4;
		udp_ok = priv->udp4_csum;
		break;
	case htons(ETH_P_IPV6):
		proto = ipv6_hdr(skb)->nexthdr;
		val |= RNDIS_TXCSUM_IPV6;
		udp_ok = priv->udp6_csum;
		break;
	default:
		return skb_checksum_help(skb);
	}

	if (proto == IPPROTO_TCP)
		val |= RNDIS_TXCSUM_TCP;
	else if (proto == IPPROTO_UDP && udp_ok)
		val |= RNDIS_TXCSUM_UDP;
	else
		return skb_checksum_help(skb);
	nvsc_meta_add(m, RNDIS_PPI_CSUM, val);
	return 0;
}

static int nvsc_tx_meta(struct nvsc_priv *priv, struct sk_buff *skb,
			struct nvsc_tx_meta *m)
{
	m->nppi = 0;
	/* With several queues the host wants the flow hash select_queue used */
	if (priv->ndev->real_num_tx_queues > 1 && skb->hash)
		nvsc_meta_add(m, RNDIS_PPI_HASH, skb->hash);
	if (skb_vlan_tag_present(skb)) {
		u16 tci = skb_vlan_tag_get(skb);
		u32 val;

		val = (tci >> VLAN_PRIO_SHIFT) & RNDIS_VLAN_PRIO_MASK;
		if (tci & VLAN_CFI_MASK)
			val |= RNDIS_VLAN_CFI;
		val |= (tci & VLAN_VID_MASK) << RNDIS_VLAN_VID_SHIFT;
		nvsc_meta_add(m, RNDIS_PPI_VLAN, val);
	}
	if (skb_is_gso(skb))
		return nvsc_tx_lso(skb, m);
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return nvsc_tx_csum(priv, skb, m);
	return 0;
}

/* Count one transmit event of @pq; under the tx queue lock */
static void nvsc_tx_inc(struct nvsc_pq *pq, u64 *counter)
{
	u64_stats_update_begin(&pq->tx.syncp);
	(*counter)++;
	u64_stats_update_end(&pq->tx.syncp);
}

/* Send the open aggregate; false if the ring had no room (dropped) */
static bool nvsc_agg_flush(struct nvsc_pq *pq, struct nvsc_chan *ch)
{
	struct nvsc_agg *a = &pq->agg;
	int ret;

	if (!a->open)
		return true;
	a->open = false;
	ret = nvsc_chan_tx_post(ch, pq->idx, &a->txd, NVSP_CHAN_DATA, a->used,
				NULL, 0, NULL, a->pkts, a->bytes);
	if (likely(!ret))
		return true;

	nvsc_chan_tx_put(ch, &a->txd);
	u64_stats_update_begin(&pq->tx.syncp);
	if (ret == -EAGAIN)
		pq->tx.ring_full++;
	pq->tx.send_full++;
	pq->tx.dropped += a->pkts;
	u64_stats_update_end(&pq->tx.syncp);
	net_warn_ratelimited("%s: send failed (%d), %u packets dropped\n",
			     pq->priv->ndev->name, ret, a->pkts);
	return false;
}

/**
 * nvsc_agg_drop() - forget the aggregates that will never be sent
 * @priv: the device, its queues stopped
 */
void nvsc_agg_drop(struct nvsc_priv *priv)
{
	u32 i;

	for (i = 0; priv->chan && i < priv->num_queues; i++) {
		struct nvsc_agg *a = &priv->pq[i].agg;

		if (!a->open)
			continue;
		a->open = false;
		nvsc_chan_tx_put(priv->chan, &a->txd);
	}
}

/* Copy a packet into the open aggregate, opening one if needed */
static int nvsc_tx_copy(struct nvsc_pq *pq, struct nvsc_chan *ch,
			struct sk_buff *skb, const struct nvsc_tx_meta *m,
			u32 total)
{
	struct nvsc_agg *a = &pq->agg;
	u32 start, pad = 0;
	int ret;

	if (a->open) {
		start = ALIGN(a->used, ch->rndis_align);
		if (start + total > a->txd.room || a->msgs >= ch->rndis_max_pkts)
			nvsc_agg_flush(pq, ch);
		else
			pad = start - a->used;
	}
	if (!a->open) {
		ret = nvsc_chan_tx_get(ch, pq->idx, true, &a->txd);
		if (ret) {
			if (ret == -ENOSPC)
				nvsc_tx_inc(pq, &pq->tx.no_section);
			return ret;
		}
		a->open = true;
		a->used = 0;
		a->msgs = 0;
		a->pkts = 0;
		a->bytes = 0;
	}

	/* The previous message grows by the padding that aligns this one */
	if (pad) {
		struct rndis_hdr *prev = (void *)(a->txd.buf + a->last);

		memset(a->txd.buf + a->used, 0, pad);
		le32_add_cpu(&prev->len, pad);
		a->used += pad;
	}
	a->last = a->used;
	nvsc_put_header(a->txd.buf + a->used, m, skb->len);
	a->used += nvsc_header_len(m);
	skb_copy_bits(skb, 0, a->txd.buf + a->used, skb->len);
	a->used += skb->len;
	a->msgs++;
	a->pkts++;
	a->bytes += skb->len;
	return 0;
}

/* Send a packet as page ranges, its RNDIS header in the slot's room */
static int nvsc_tx_pages(struct nvsc_pq *pq, struct nvsc_chan *ch,
			 struct sk_buff *skb, const struct nvsc_tx_meta *m)
{
	struct nvsc_range r[NVSC_MAX_RANGES];
	u32 nr = 0, i, len = skb->len;
	struct nvsc_txd t;
	int ret;

	ret = nvsc_chan_tx_get(ch, pq->idx, false, &t);
	if (ret)
		return ret;

	if (skb_headlen(skb)) {
		r[nr].addr = virt_to_phys(skb->data);
		r[nr].len = skb_headlen(skb);
		nr++;
	}
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		if (!skb_frag_size(frag))
			continue;
		r[nr].addr = page_to_phys(skb_frag_page(frag)) +
			     skb_frag_off(frag);
		r[nr].len = skb_frag_size(frag);
		nr++;
	}
	nvsc_put_header(t.buf, m, len);

	ret = nvsc_chan_tx_post(ch, pq->idx, &t, NVSP_CHAN_DATA,
				nvsc_header_len(m), r, nr, skb, 1, len);
	if (ret) {
		nvsc_chan_tx_put(ch, &t);
		if (ret == -EAGAIN)
			nvsc_tx_inc(pq, &pq->tx.ring_full);
		return ret;
	}
	nvsc_tx_inc(pq, &pq->tx.scattered);
	return 0;
}

static bool nvsc_tx_low(struct nvsc_chan *ch, u32 q)
{
	return nvsc_chan_ring_free_pct(ch, q) < NVSC_RING_STOP_PCT ||
	       nvsc_chan_tx_free_slots(ch) < NVSC_SLOTS_STOP;
}

static bool nvsc_tx_can_wake(struct nvsc_chan *ch, u32 q)
{
	return nvsc_chan_ring_free_pct(ch, q) >= NVSC_RING_WAKE_PCT &&
	       nvsc_chan_tx_free_slots(ch) >= NVSC_SLOTS_WAKE;
}

/* Stop the queue before the ring or the slots run out */
static void nvsc_maybe_stop(struct nvsc_pq *pq, struct nvsc_chan *ch,
			    struct netdev_queue *txq)
{
	if (likely(!nvsc_tx_low(ch, pq->idx)))
		return;
	netif_tx_stop_queue(txq);
	u64_stats_update_begin(&pq->tx.syncp);
	pq->tx.stop_queue++;
	/* The ring, not the slots, is what ran short */
	if (nvsc_chan_ring_free_pct(ch, pq->idx) < NVSC_RING_STOP_PCT)
		pq->tx.ring_full++;
	u64_stats_update_end(&pq->tx.syncp);
	/* Pairs with the barrier in nvsc_tx_done(): either it sees the queue
	 * stopped, or we see the room it made and restart the queue here.
	 */
	smp_mb();
	if (nvsc_tx_can_wake(ch, pq->idx) || !nvsc_chan_in_flight(ch, pq->idx))
		netif_tx_start_queue(txq);
}

static void nvsc_tx_drop(struct nvsc_pq *pq, struct sk_buff *skb, u64 *why)
{
	u64_stats_update_begin(&pq->tx.syncp);
	if (why)
		(*why)++;
	pq->tx.dropped++;
	u64_stats_update_end(&pq->tx.syncp);
	dev_kfree_skb_any(skb);
}

/* The flow hash that picks the transmit queue: ports count only for the
 * flow types set to L4 with ethtool -N rx-flow-hash
 */
static u32 nvsc_flow_hash(struct nvsc_priv *priv, struct sk_buff *skb)
{
	u32 l4 = READ_ONCE(priv->l4_hash), bit = 0;
	struct flow_keys k;

	if (!skb_flow_dissect_flow_keys(skb, &k, 0))
		return skb_get_hash(skb);
	if (k.basic.n_proto == htons(ETH_P_IP))
		bit = k.basic.ip_proto == IPPROTO_TCP ? NVSC_L4_TCP4 :
		      k.basic.ip_proto == IPPROTO_UDP ? NVSC_L4_UDP4 : 0;
	else if (k.basic.n_proto == htons(ETH_P_IPV6))
		bit = k.basic.ip_proto == IPPROTO_TCP ? NVSC_L4_TCP6 :
		      k.basic.ip_proto == IPPROTO_UDP ? NVSC_L4_UDP6 : 0;
	if (bit && (l4 & bit)) {
		skb_set_hash(skb, flow_hash_from_keys(&k), PKT_HASH_TYPE_L4);
	} else {
		k.ports.ports = 0;
		skb_set_hash(skb, flow_hash_from_keys(&k), PKT_HASH_TYPE_L3);
	}
	return skb->hash;
}

/**
 * nvsc_select_queue() - ndo_select_queue: the host's send table
 * @ndev: our device
 * @skb: the frame
 * @sb_dev: subordinate device (unused)
 *
 * One flow stays on one queue: the flow hash picks one of the 16 entries
 * of the host's send indirection table, which names the queue.
 *
 * Return: the transmit queue.
 */
u16 nvsc_select_queue(struct net_device *ndev, struct sk_buff *skb,
		      struct net_device *sb_dev)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 n = ndev->real_num_tx_queues, q;
	struct sock *sk = skb->sk;
	int cached;

	if (n <= 1)
		return 0;

	/* A connected socket keeps the queue its flow hashed to, as with the
	 * stack's own queue selection: dissecting every frame again costs
	 * more than the rest of the transmit path does for small frames.
	 * The stack sets ooo_okay when the flow has nothing in flight; the
	 * queue may then change (new send table, new hash level) without
	 * reordering anything.
	 */
	if (sk && !sk_fullsock(sk))
		sk = NULL;	/* request and timewait socks have no queue */
	cached = sk_tx_queue_get(sk);
	if (cached >= 0 && cached < n && !skb->ooo_okay) {
		/* The host still wants a flow hash with several queues */
		if (!skb->hash)
			skb_set_hash_from_sk(skb, sk);
		return cached;
	}

	q = READ_ONCE(priv->send_table[nvsc_flow_hash(priv, skb) %
				       NVSC_SEND_TABLE_SIZE]);
	if (q >= n)
		q %= n;
	if (sk && rcu_access_pointer(sk->sk_dst_cache))
		sk_tx_queue_set(sk, q);
	return q;
}

/**
 * nvsc_send_table() - the channel has the host's send indirection table
 * @ctx: our device
 * @table: NVSC_SEND_TABLE_SIZE queue numbers
 */
void nvsc_send_table(void *ctx, const u32 *table)
{
	struct nvsc_priv *priv = ctx;
	u32 i;

	/* Read locklessly by nvsc_select_queue(); each entry is a u32 */
	for (i = 0; i < NVSC_SEND_TABLE_SIZE; i++)
		WRITE_ONCE(priv->send_table[i], table[i]);
}

/**
 * nvsc_features_check() - ndo_features_check
 * @skb: a frame about to be sent
 * @ndev: our device
 * @features: the offloads the stack would use for it
 *
 * The checksum and LSOv2 per-packet info carry the transport header
 * offset in 10 bits: a frame whose transport header lies further in
 * (IPv6 extension headers) is segmented and checksummed in software.
 *
 * Return: the offloads the frame may use.
 */
netdev_features_t nvsc_features_check(struct sk_buff *skb,
				      struct net_device *ndev,
				      netdev_features_t features)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL &&
	    skb_transport_offset(skb) > RNDIS_THOFF_MAX)
		features &= ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK);
	return vlan_features_check(skb, features);
}

/**
 * nvsc_start_xmit() - ndo_start_xmit
 * @skb: the frame
 * @ndev: our device
 *
 * Return: NETDEV_TX_OK, or NETDEV_TX_BUSY only when the ring is full in
 * spite of the queue stop thresholds.
 */
netdev_tx_t nvsc_start_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct nvsc_priv *priv = netdev_priv(ndev);
	u32 qi = skb_get_queue_mapping(skb);
	struct nvsc_chan *ch = priv->chan;
	struct netdev_queue *txq;
	struct nvsc_tx_meta m;
	struct nvsc_pq *pq;
	bool lso, csum;
	u32 total;
	int ret;

	/* While the VF is up with carrier, it carries our frames */
	if (READ_ONCE(priv->vf_tx)) {
		struct net_device *vf = rcu_dereference_bh(priv->vf);

		if (vf && netif_carrier_ok(vf))
			return nvsc_vf_xmit(priv, vf, skb);
	}

	txq = netdev_get_tx_queue(ndev, qi);
	pq = &priv->pq[qi];
	/* The stack holds queue qi's lock only: a queue that is not open
	 * (the channel is being replaced) has no ring to send on, and
	 * another queue's aggregate and scratch are not ours to use
	 */
	if (unlikely(!ch || qi >= READ_ONCE(priv->num_queues))) {
		nvsc_tx_drop(pq, skb, NULL);
		return NETDEV_TX_OK;
	}

	/* A tag written into the frame (AF_PACKET) travels as metadata */
	if (unlikely(!skb_vlan_tag_present(skb) &&
		     skb->protocol == htons(ETH_P_8021Q))) {
		u16 tci;

		if (__skb_vlan_pop(skb, &tci)) {
			nvsc_tx_drop(pq, skb, &pq->tx.vlan_error);
			return NETDEV_TX_OK;
		}
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), tci);
	}

	ret = nvsc_tx_meta(priv, skb, &m);
	if (unlikely(ret)) {
		nvsc_tx_drop(pq, skb, &pq->tx.no_memory);
		return NETDEV_TX_OK;
	}
	if (unlikely(skb->len > NVSC_MAX_FRAME)) {
		nvsc_tx_drop(pq, skb, &pq->tx.too_big);
		return NETDEV_TX_OK;
	}

	/* Read now: a copied skb is freed before the counters are written */
	lso = skb_is_gso(skb);
	csum = !lso && skb->ip_summed == CHECKSUM_PARTIAL;
	total = nvsc_header_len(&m) + skb->len;
	ret = -ENOSPC;
	if (total <= ch->ssec_size && skb->len <= READ_ONCE(priv->tx_copybreak))
		ret = nvsc_tx_copy(pq, ch, skb, &m, total);
	if (!ret) {
		dev_consume_skb_any(skb);
	} else {
		/* Above copybreak, too large to copy, or no section free */
		nvsc_agg_flush(pq, ch);
		ret = nvsc_tx_pages(pq, ch, skb, &m);
		if (ret == -EAGAIN && nvsc_chan_in_flight(ch, qi)) {
			netif_tx_stop_queue(txq);
			u64_stats_update_begin(&pq->tx.syncp);
			pq->tx.busy++;
			pq->tx.stop_queue++;
			u64_stats_update_end(&pq->tx.syncp);
			/* Pairs with nvsc_tx_done() as in nvsc_maybe_stop() */
			smp_mb();
			if (nvsc_tx_can_wake(ch, qi))
				netif_tx_start_queue(txq);
			return NETDEV_TX_BUSY;
		}
		if (ret) {
			nvsc_tx_drop(pq, skb, ret == -EBUSY ?
				     &pq->tx.no_space : &pq->tx.send_full);
			return NETDEV_TX_OK;
		}
	}

	if (lso || csum)
		nvsc_tx_inc(pq, lso ? &pq->tx.lso : &pq->tx.csum);

	if (pq->agg.open &&
	    (!netdev_xmit_more() || netif_xmit_stopped(txq) ||
	     nvsc_tx_low(ch, qi)))
		nvsc_agg_flush(pq, ch);
	nvsc_maybe_stop(pq, ch, txq);
	return NETDEV_TX_OK;
}

/* Wake a stopped queue unless transmission is off; true if woken */
static void nvsc_tx_wake(struct nvsc_priv *priv, struct nvsc_pq *pq,
			 struct netdev_queue *txq)
{
	/* The lock netif_tx_disable() takes in nvsc_tx_off() after setting
	 * tx_off: a queue woken here is stopped again there, or tx_off is
	 * seen here and the queue stays stopped while the channel changes.
	 * It is also the lock that the queue's tx counters are written under.
	 */
	__netif_tx_lock_bh(txq);
	if (!READ_ONCE(priv->tx_off) && netif_tx_queue_stopped(txq)) {
		netif_tx_wake_queue(txq);
		u64_stats_update_begin(&pq->tx.syncp);
		pq->tx.wake_queue++;
		u64_stats_update_end(&pq->tx.syncp);
	}
	__netif_tx_unlock_bh(txq);
}

/**
 * nvsc_tx_done() - the host completed a send
 * @ctx: our device
 * @q: the queue it was posted on
 * @rq: the queue the completion arrived on, whose NAPI runs this
 * @cookie: the skb of a page-range send, NULL for copied packets
 * @pkts: packets in the send
 * @bytes: their bytes
 *
 * No byte queue limits: a host completes a send when it has taken the
 * data, not when a wire has sent it, and it does so in a round trip
 * through another CPU.  The limit BQL learnt from that was a few small
 * packets, so that a stream of them stopped the queue every dozen or so
 * and waited on the round trip (see the commit that removed it).  The
 * ring and slot thresholds stop the queue, as in the reference driver.
 *
 * The completion counts on @rq, whose counters only its NAPI writes: a
 * host may complete a send on another queue than the one it went out on,
 * and two NAPIs must not write one queue's counters.
 *
 * Context: NAPI of @rq, or process context with NAPI disabled (close).
 */
void nvsc_tx_done(void *ctx, u32 q, u32 rq, void *cookie, u32 pkts,
		  u32 bytes)
{
	struct nvsc_priv *priv = ctx;
	struct netdev_queue *txq = netdev_get_tx_queue(priv->ndev, q);
	struct nvsc_pq *rpq = &priv->pq[rq];
	struct nvsc_chan *ch = priv->chan;

	if (cookie)
		napi_consume_skb(cookie, in_softirq() ? 1 : 0);
	/* Control messages, and sends given up on earlier, count nothing */
	if (pkts) {
		u64_stats_update_begin(&rpq->rx.syncp);
		rpq->rx.tx_packets += pkts;
		rpq->rx.tx_bytes += bytes;
		if (rq != q)
			rpq->rx.tx_comp_other++;
		u64_stats_update_end(&rpq->rx.syncp);
	}

	/* Pairs with the barrier in nvsc_maybe_stop() */
	smp_mb();
	/* A closed queue's ring is gone: only an open one can wake */
	if (unlikely(netif_tx_queue_stopped(txq)) && ch &&
	    READ_ONCE(ch->q[q].open) && netif_carrier_ok(priv->ndev) &&
	    (nvsc_tx_can_wake(ch, q) || !nvsc_chan_in_flight(ch, q)))
		nvsc_tx_wake(priv, &priv->pq[q], txq);
}

/**
 * nvsc_rx() - a frame arrived: hand it to the stack
 * @ctx: our device
 * @q: the queue it arrived on
 * @f: the frame and what the host told about it
 *
 * Context: NAPI.
 */
void nvsc_rx(void *ctx, u32 q, const struct nvsc_rx_frame *f)
{
	struct nvsc_priv *priv = ctx;
	struct nvsc_pq *pq = &priv->pq[q];
	struct net_device *ndev = priv->ndev;
	struct sk_buff *skb;
	bool csum_bad;

	/* Not registered yet (probe brings the NIC up first) or any more
	 * (remove takes it down after unregister_netdev()): no frame for
	 * the stack then.  reg_state changes under RTNL; a bitfield, so a
	 * plain read, and a stale one is only one frame either way.
	 */
	if (unlikely(ndev->reg_state != NETREG_REGISTERED)) {
		u64_stats_update_begin(&pq->rx.syncp);
		pq->rx.dropped++;
		u64_stats_update_end(&pq->rx.syncp);
		return;
	}
	skb = napi_alloc_skb(&pq->napi, f->len);
	if (unlikely(!skb)) {
		u64_stats_update_begin(&pq->rx.syncp);
		pq->rx.no_memory++;
		pq->rx.dropped++;
		u64_stats_update_end(&pq->rx.syncp);
		return;
	}
	/* Copied out of the shared buffer before anything looks at it */
	skb_put_data(skb, f->data, f->len);
	skb->protocol = eth_type_trans(skb, ndev);

	csum_bad = f->has_csum &&
		   (f->csum & (RNDIS_RXCSUM_TCP_FAIL | RNDIS_RXCSUM_UDP_FAIL |
			       RNDIS_RXCSUM_IP_FAIL));
	/* A frame the host found bad goes up unverified: the stack decides */
	if ((ndev->features & NETIF_F_RXCSUM) && f->has_csum && !csum_bad &&
	    (f->csum & (RNDIS_RXCSUM_TCP_OK | RNDIS_RXCSUM_UDP_OK)))
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	if ((ndev->features & NETIF_F_RXHASH) && f->has_hash)
		skb_set_hash(skb, f->hash, PKT_HASH_TYPE_L4);
	if (f->has_vlan)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), f->vlan_tci);
	skb_record_rx_queue(skb, q);

	u64_stats_update_begin(&pq->rx.syncp);
	pq->rx.packets++;
	pq->rx.bytes += f->len;
	if (skb->ip_summed == CHECKSUM_UNNECESSARY)
		pq->rx.csum_ok++;
	if (csum_bad)
		pq->rx.csum_bad++;
	if (skb->pkt_type == PACKET_MULTICAST)
		pq->rx.multicast++;
	else if (skb->pkt_type == PACKET_BROADCAST)
		pq->rx.broadcast++;
	u64_stats_update_end(&pq->rx.syncp);

	napi_gro_receive(&pq->napi, skb);
}

/**
 * nvsc_tx_timer() - once a second while up: is the queue stuck?
 * @t: our timer
 *
 * A host that never completes some sends keeps their slots and sections.
 * When the queue is stopped, NAPI looks for sends older than
 * NVSC_TX_LOST_AGE: they are counted (send_timeout), and the stopped queue
 * is looked at again.
 */
void nvsc_tx_timer(struct timer_list *t)
{
	struct nvsc_priv *priv = from_timer(priv, t, tx_timer);
	u32 i, n = READ_ONCE(priv->num_queues);

	for (i = 0; i < n; i++) {
		if (!netif_xmit_stopped(netdev_get_tx_queue(priv->ndev, i)))
			continue;
		set_bit(i, priv->reap);
		napi_schedule(&priv->pq[i].napi);
	}
	mod_timer(&priv->tx_timer, jiffies + HZ);
}

/**
 * nvsc_kick() - the host signalled a queue
 * @ctx: our device
 * @q: the queue
 *
 * Context: hard interrupt.
 */
void nvsc_kick(void *ctx, u32 q)
{
	struct nvsc_priv *priv = ctx;
	struct napi_struct *napi = &priv->pq[q].napi;

	if (napi_schedule_prep(napi)) {
		nvsc_chan_irq_mask(priv->chan, q);
		__napi_schedule(napi);
	}
}

/**
 * nvsc_poll() - NAPI poll: completions, receives, host messages
 * @napi: our NAPI context
 * @budget: frames we may hand to the stack
 *
 * Return: work done, @budget to be polled again.
 */
int nvsc_poll(struct napi_struct *napi, int budget)
{
	struct nvsc_pq *pq = container_of(napi, struct nvsc_pq, napi);
	struct nvsc_priv *priv = pq->priv;
	struct nvsc_chan *ch = priv->chan;
	u32 q = pq->idx;
	bool more = false;
	int work;

	if (test_and_clear_bit(q, priv->reap))
		nvsc_chan_tx_reap(ch, q, NVSC_TX_LOST_AGE);
	work = nvsc_chan_poll(ch, q, budget, &more);
	if (work >= budget)
		return budget;
	/* Receive completions waiting for ring room: poll again soon */
	if (more)
		return budget;
	if (napi_complete_done(napi, work) && nvsc_chan_irq_unmask(ch, q) &&
	    napi_schedule_prep(napi)) {
		nvsc_chan_irq_mask(ch, q);
		__napi_schedule(napi);
	}
	return work;
}
