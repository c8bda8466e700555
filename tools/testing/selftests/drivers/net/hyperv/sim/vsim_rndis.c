// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus_sim: the host half of RNDIS control (init, queries, sets,
 * keepalive, halt) and the indications the host sends on its own.
 */
#include <linux/etherdevice.h>
#include <linux/slab.h>

#include "vsim.h"

/* Largest control reply: a query answer with the offload capabilities */
#define VSIM_CTL_MAX	512

/* Write one RNDIS message into a control section and post it */
static int vsim_rndis_post(struct vsim_nic *nic, u32 type, const void *a,
			   u32 alen, const void *b, u32 blen)
{
	struct vsim_chan *vc;
	struct rndis_hdr *h;
	u32 offset, len = sizeof(*h) + alen + blen;
	unsigned long flags;
	u64 cookie;
	int err;

	rcu_read_lock();
	vc = rcu_dereference(nic->chans[0]);
	if (!vc) {
		err = -ENODEV;
		goto unlock;
	}
	err = vsim_rx_alloc(nic, len, true, &cookie);
	if (err)
		goto unlock;
	spin_lock_irqsave(&nic->rbuf_lock, flags);
	h = vsim_rx_section(nic, cookie, &offset);
	if (h) {
		h->type = cpu_to_le32(type);
		h->len = cpu_to_le32(len);
		memcpy(h + 1, a, alen);
		if (blen)
			memcpy((u8 *)(h + 1) + alen, b, blen);
	}
	spin_unlock_irqrestore(&nic->rbuf_lock, flags);
	err = h ? vsim_rx_post(vc, offset, len, cookie) : -ENODEV;
unlock:
	rcu_read_unlock();
	return err;
}

int vsim_rndis_indicate(struct vsim_nic *nic, u32 status, const void *buf,
			u32 len)
{
	struct rndis_indicate ind = {
		.status = cpu_to_le32(status),
		.buf_len = cpu_to_le32(len),
		.buf_offset = cpu_to_le32(len ? sizeof(ind) : 0),
	};

	if (!READ_ONCE(nic->rndis_up))
		return -ENOTCONN;
	return vsim_rndis_post(nic, RNDIS_INDICATE, &ind, sizeof(ind), buf,
			       len);
}

static void vsim_fill_offload(struct vsim_nic *nic, struct ndis_offload_caps *c)
{
	u32 o = nic->offloads;

	if (o & 0x1) {
		c->v4_tx_encap = cpu_to_le32(NDIS_ENCAP_8023);
		c->v4_rx_encap = cpu_to_le32(NDIS_ENCAP_8023);
		c->v4_tx_csum = cpu_to_le32(CSUMCAP_IP4_OPTS | CSUMCAP_TCP4_OPTS |
					    CSUMCAP_TCP4 | CSUMCAP_IP4);
		c->v4_rx_csum = c->v4_tx_csum;
	}
	if (o & 0x2) {
		c->v4_tx_csum |= cpu_to_le32(CSUMCAP_UDP4);
		c->v4_rx_csum |= cpu_to_le32(CSUMCAP_UDP4);
	}
	if (o & 0x4) {
		c->v6_tx_encap = cpu_to_le32(NDIS_ENCAP_8023);
		c->v6_rx_encap = cpu_to_le32(NDIS_ENCAP_8023);
		c->v6_tx_csum = cpu_to_le32(CSUMCAP_IP6_EXT | CSUMCAP_TCP6_OPTS |
					    CSUMCAP_TCP6);
		c->v6_rx_csum = c->v6_tx_csum;
	}
	if (o & 0x8) {
		c->v6_tx_csum |= cpu_to_le32(CSUMCAP_UDP6);
		c->v6_rx_csum |= cpu_to_le32(CSUMCAP_UDP6);
	}
	if (o & 0x10) {
		c->lso4_encap = cpu_to_le32(NDIS_ENCAP_8023);
		c->lso4_max = cpu_to_le32(62768);
		c->lso4_min_segs = cpu_to_le32(2);
	}
	if (o & 0x20) {
		c->lso6_encap = cpu_to_le32(NDIS_ENCAP_8023);
		c->lso6_max = cpu_to_le32(62768);
		c->lso6_min_segs = cpu_to_le32(2);
		c->lso6_opts = cpu_to_le32(5);
	}
}

static void vsim_query(struct vsim_nic *nic, const struct rndis_oid_req *req,
		       const u8 *msg, u32 len)
{
	u8 buf[sizeof(struct rndis_query_done) + 256] = {};
	struct rndis_query_done *done = (void *)buf;
	u8 *info = buf + sizeof(*done);
	u32 oid = le32_to_cpu(req->oid), n = 0, v;

	done->req_id = req->req_id;
	done->status = cpu_to_le32(RNDIS_ST_SUCCESS);
	if (vsim_step_fails(nic, VSIM_STEP_QUERY)) {
		done->status = cpu_to_le32(RNDIS_ST_FAILURE);
		goto reply;
	}

	switch (oid) {
	case OID_MAX_FRAME_SIZE:
		v = nic->max_mtu;
		goto put_u32;
	case OID_LINK_SPEED:
		/* In units of 100 bit/s */
		v = nic->speed_mbps * 10000;
		goto put_u32;
	case OID_MEDIA_STATUS:
		v = READ_ONCE(nic->link_up) ? 0 : 1;
		goto put_u32;
	case OID_PERMANENT_ADDR:
		ether_addr_copy(info, nic->perm_mac);
		n = ETH_ALEN;
		break;
	case OID_CURRENT_ADDR:
		ether_addr_copy(info, nic->cur_mac);
		n = ETH_ALEN;
		break;
	case OID_FRIENDLY_NAME: {
		static const char name[] = "Simulated Network Adapter";
		u32 i;

		for (i = 0; i < sizeof(name); i++) {
			info[2 * i] = name[i];
			info[2 * i + 1] = 0;
		}
		n = 2 * sizeof(name);
		break;
	}
	case OID_OFFLOAD_CAPS: {
		struct ndis_offload_caps caps = {};
		u32 want = le32_to_cpu(req->buf_len);
		const struct ndis_obj_hdr *in;
		u32 in_off = le32_to_cpu(req->buf_offset);

		/* Answer in the revision and size the guest asked for */
		if (want < 112 || want > sizeof(caps) ||
		    in_off < sizeof(*req) || in_off + 4 > len) {
			want = sizeof(caps);
			caps.hdr.revision = 3;
		} else {
			in = (const void *)(msg + in_off);
			caps.hdr.revision = in->revision;
		}
		caps.hdr.type = NDIS_OBJ_OFFLOAD;
		caps.hdr.size = cpu_to_le16(want);
		vsim_fill_offload(nic, &caps);
		memcpy(info, &caps, want);
		n = want;
		break;
	}
	case OID_RSS_CAPS: {
		struct ndis_rss_caps caps = {
			.hdr = { NDIS_OBJ_RSS_CAPS, 2, cpu_to_le16(sizeof(caps)) },
			.cap_flags = cpu_to_le32(0x301),
			.num_int_msg = cpu_to_le32(1),
			.num_queues = cpu_to_le32(nic->max_queues),
			.table_entries = cpu_to_le16(RSS_TABLE_MAX),
		};

		if (nic->nvsp_ver < NVSP_V5)
			goto unsupported;
		memcpy(info, &caps, sizeof(caps));
		n = sizeof(caps);
		break;
	}
	default:
		goto unsupported;
	}
	goto reply;

put_u32:
	*(__le32 *)info = cpu_to_le32(v);
	n = sizeof(v);
	goto reply;
unsupported:
	done->status = cpu_to_le32(RNDIS_ST_NOT_SUPPORTED);
	n = 0;
reply:
	done->buf_len = cpu_to_le32(n);
	done->buf_offset = cpu_to_le32(n ? sizeof(*done) : 0);
	vsim_rndis_post(nic, RNDIS_QUERY | RNDIS_DONE, buf, sizeof(*done) + n,
			NULL, 0);
}

static u32 vsim_set_rss(struct vsim_nic *nic, const u8 *p, u32 n)
{
	const struct ndis_rss_params *rp = (const void *)p;
	u32 tab_off, tab_len, key_off, key_len, i;
	struct vsim_rss *rss, *old;

	if (n < sizeof(*rp) || rp->hdr.type != NDIS_OBJ_RSS_PARAMS)
		return RNDIS_ST_FAILURE;
	rss = kzalloc(sizeof(*rss), GFP_ATOMIC);
	if (!rss)
		return RNDIS_ST_FAILURE;
	if (le16_to_cpu(rp->flags) & RSS_FLAG_DISABLE) {
		old = rcu_dereference_protected(nic->rss, true);
		if (old)
			*rss = *old;
		rss->enabled = false;
		goto swap;
	}
	tab_off = le32_to_cpu(rp->table_offset);
	tab_len = le16_to_cpu(rp->table_size);
	key_off = le32_to_cpu(rp->key_offset);
	key_len = le16_to_cpu(rp->key_size);
	if (tab_len < 4 || tab_len > RSS_TABLE_MAX * 4 || tab_len % 4 ||
	    tab_off < sizeof(*rp) || tab_off > n || tab_len > n - tab_off ||
	    key_len != RSS_KEY_LEN || key_off < sizeof(*rp) || key_off > n ||
	    key_len > n - key_off) {
		vsim_violation(nic, "RSS parameters: table %u@%u key %u@%u in %u",
			       tab_len, tab_off, key_len, key_off, n);
		kfree(rss);
		return RNDIS_ST_FAILURE;
	}
	rss->enabled = true;
	rss->hash_info = le32_to_cpu(rp->hash_info);
	rss->table_len = tab_len / 4;
	for (i = 0; i < rss->table_len; i++) {
		rss->table[i] = get_unaligned_le32(p + tab_off + 4 * i);
		if (rss->table[i] > VSIM_MAX_QUEUES) {
			vsim_violation(nic, "RSS table entry %u is %u", i,
				       rss->table[i]);
			kfree(rss);
			return RNDIS_ST_FAILURE;
		}
	}
	memcpy(rss->key, p + key_off, RSS_KEY_LEN);
swap:
	old = rcu_replace_pointer(nic->rss, rss, true);
	if (old)
		kfree_rcu(old, rcu);
	return RNDIS_ST_SUCCESS;
}

static u32 vsim_set_mac(struct vsim_nic *nic, const u8 *p, u32 n)
{
	const struct rndis_config_param *cp = (const void *)p;
	static const char want[] = "NetworkAddress";
	u32 name_off, name_len, val_off, val_len, i;
	char hex[2 * ETH_ALEN + 1];
	u8 mac[ETH_ALEN];

	if (n < sizeof(*cp))
		return RNDIS_ST_FAILURE;
	name_off = le32_to_cpu(cp->name_offset);
	name_len = le32_to_cpu(cp->name_len);
	val_off = le32_to_cpu(cp->value_offset);
	val_len = le32_to_cpu(cp->value_len);
	if (name_off > n || name_len > n - name_off || val_off > n ||
	    val_len > n - val_off || name_len != 2 * (sizeof(want) - 1) ||
	    val_len != 4 * ETH_ALEN)
		return RNDIS_ST_FAILURE;
	for (i = 0; i < sizeof(want) - 1; i++)
		if (p[name_off + 2 * i] != want[i] ||
		    p[name_off + 2 * i + 1])
			return RNDIS_ST_FAILURE;
	for (i = 0; i < 2 * ETH_ALEN; i++)
		hex[i] = p[val_off + 2 * i];
	hex[2 * ETH_ALEN] = '\0';
	if (hex2bin(mac, hex, ETH_ALEN) || !is_valid_ether_addr(mac))
		return RNDIS_ST_FAILURE;
	ether_addr_copy(nic->cur_mac, mac);
	return RNDIS_ST_SUCCESS;
}

static void vsim_set(struct vsim_nic *nic, const struct rndis_oid_req *req,
		     const u8 *msg, u32 len)
{
	u32 oid = le32_to_cpu(req->oid), status = RNDIS_ST_SUCCESS;
	u32 off = le32_to_cpu(req->buf_offset), n = le32_to_cpu(req->buf_len);
	struct rndis_status_done done = { .req_id = req->req_id };
	const u8 *p = msg + off;

	if (n && (off < sizeof(*req) || off > len || n > len - off)) {
		vsim_violation(nic, "set %#x: buffer %u@%u in %u", oid, n, off,
			       len);
		status = RNDIS_ST_FAILURE;
		goto reply;
	}
	if (oid && oid == READ_ONCE(nic->fault_refuse_oid)) {
		atomic64_inc(&nic->stats.refused_sets);
		status = RNDIS_ST_FAILURE;
		goto reply;
	}
	if (vsim_step_fails(nic, VSIM_STEP_SET)) {
		status = RNDIS_ST_FAILURE;
		goto reply;
	}

	switch (oid) {
	case OID_PACKET_FILTER:
		if (n < 4) {
			status = RNDIS_ST_FAILURE;
			break;
		}
		WRITE_ONCE(nic->filter, get_unaligned_le32(p));
		break;
	case OID_OFFLOAD_PARAMS: {
		const struct ndis_offload_set *o = (const void *)p;
		u8 *cur = (u8 *)&nic->offl;
		u32 i;

		if (n < sizeof(*o) || o->hdr.type != NDIS_OBJ_DEFAULT) {
			status = RNDIS_ST_FAILURE;
			break;
		}
		/* Zero means "leave as it is" */
		for (i = offsetof(struct ndis_offload_set, ip4_csum);
		     i < sizeof(*o); i++)
			if (p[i])
				cur[i] = p[i];
		break;
	}
	case OID_RSS_PARAMS:
		status = vsim_set_rss(nic, p, n);
		break;
	case OID_CONFIG_PARAM:
		status = vsim_set_mac(nic, p, n);
		break;
	default:
		status = RNDIS_ST_NOT_SUPPORTED;
	}
reply:
	done.status = cpu_to_le32(status);
	vsim_rndis_post(nic, RNDIS_SET | RNDIS_DONE, &done, sizeof(done),
			NULL, 0);
}

static void vsim_init_done(struct vsim_nic *nic, const u8 *msg, u32 len)
{
	const struct rndis_init_req *req = (const void *)msg;
	struct rndis_init_done done = {
		.req_id = req->req_id,
		.status = cpu_to_le32(RNDIS_ST_SUCCESS),
		.major = cpu_to_le32(1),
		.minor = cpu_to_le32(0),
		.dev_flags = cpu_to_le32(1),
		.medium = cpu_to_le32(0),
		.max_pkts = cpu_to_le32(8),
		.max_xfer = cpu_to_le32(0xefffffff),
		.align_shift = cpu_to_le32(3),
	};

	if (len < sizeof(*req)) {
		vsim_violation(nic, "short RNDIS init");
		return;
	}
	if (vsim_step_fails(nic, VSIM_STEP_RNDIS_INIT)) {
		done.status = cpu_to_le32(RNDIS_ST_FAILURE);
		WRITE_ONCE(nic->rndis_up, false);
		vsim_rndis_post(nic, RNDIS_INIT | RNDIS_DONE, &done,
				sizeof(done), NULL, 0);
		return;
	}
	WRITE_ONCE(nic->rndis_up, true);
	vsim_rndis_post(nic, RNDIS_INIT | RNDIS_DONE, &done, sizeof(done),
			NULL, 0);
	/* The burst fault: frames while the guest is still bringing up */
	vsim_rx_burst(nic, xchg(&nic->fault_burst_at_init, 0));
}

/* One control message (a send on the control channel type) */
void vsim_rndis_control(struct vsim_chan *vc, const u8 *buf, u32 len)
{
	const struct rndis_hdr *h = (const void *)buf;
	struct vsim_nic *nic = vc->nic;
	const u8 *msg = buf + sizeof(*h);
	u32 type, mlen;

	if (len < sizeof(*h) + 4) {
		vsim_violation(nic, "RNDIS control message of %u bytes", len);
		return;
	}
	type = le32_to_cpu(h->type);
	mlen = le32_to_cpu(h->len);
	if (mlen < sizeof(*h) + 4 || mlen > len) {
		vsim_violation(nic, "RNDIS message length %u in %u", mlen, len);
		return;
	}
	mlen -= sizeof(*h);

	if (type != RNDIS_INIT && !READ_ONCE(nic->rndis_up)) {
		vsim_violation(nic, "RNDIS message %#x before init", type);
		return;
	}

	switch (type) {
	case RNDIS_INIT:
		vsim_init_done(nic, msg, mlen);
		break;
	case RNDIS_HALT:
		/* The burst fault: frames while the guest takes the NIC down */
		vsim_rx_burst(nic, xchg(&nic->fault_burst_at_halt, 0));
		WRITE_ONCE(nic->rndis_up, false);
		WRITE_ONCE(nic->filter, 0);
		break;
	case RNDIS_QUERY:
		if (mlen < sizeof(struct rndis_oid_req))
			goto short_msg;
		vsim_query(nic, (const void *)msg, msg, mlen);
		break;
	case RNDIS_SET:
		if (mlen < sizeof(struct rndis_oid_req))
			goto short_msg;
		vsim_set(nic, (const void *)msg, msg, mlen);
		break;
	case RNDIS_KEEPALIVE: {
		struct rndis_status_done done = {
			.req_id = *(const __le32 *)msg,
			.status = cpu_to_le32(RNDIS_ST_SUCCESS),
		};

		vsim_rndis_post(nic, RNDIS_KEEPALIVE | RNDIS_DONE, &done,
				sizeof(done), NULL, 0);
		break;
	}
	default:
		vsim_violation(nic, "RNDIS control message type %#x", type);
	}
	return;

short_msg:
	vsim_violation(nic, "RNDIS message %#x of %u bytes", type, mlen);
}
