// SPDX-License-Identifier: GPL-2.0
/*
 * hv_netvsc RNDIS: control requests (init, query, set, halt) sent through
 * the send buffer, and the parsing of every RNDIS message the host puts in
 * the receive buffer.  The host is not trusted: each length and offset is
 * checked against what really arrived.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/nls.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "nvsc_chan.h"
#include "nvsc_trace.h"

/* Largest reply the driver reads: a query header and 512 bytes */
#define NVSC_RNDIS_REPLY_MAX	(sizeof(struct rndis_query_done) + 512)
/* Largest request: an OID header and the RSS parameters with a full
 * table and the key
 */
#define NVSC_RNDIS_REQ_MAX	1280
/* Largest information buffer a query sends */
#define NVSC_RNDIS_QUERY_IN_MAX	64

/* Reserve a send section for a control message, waiting a little */
static int nvsc_rndis_get_section(struct nvsc_chan *ch, struct nvsc_txd *t)
{
	int tries, ret = -EBUSY;

	for (tries = 0; tries < 1000; tries++) {
		ret = nvsc_chan_tx_get(ch, 0, true, t);
		if (ret != -EBUSY && ret != -ENOSPC)
			break;
		if (!READ_ONCE(ch->tx_ready) || ch->vmch->rescind)
			return -ENODEV;
		usleep_range(1000, 2000);
	}
	return ret;
}

/* Post a control message of @len bytes at @msg; retried while the ring is full */
static int nvsc_rndis_post(struct nvsc_chan *ch, const void *msg, u32 len)
{
	struct nvsc_txd t;
	int tries, ret;

	ret = nvsc_rndis_get_section(ch, &t);
	if (ret)
		return ret;
	if (len > t.room) {
		nvsc_chan_tx_put(ch, &t);
		return -EMSGSIZE;
	}
	memcpy(t.buf, msg, len);
	trace_rndis_send(ch->hdev, get_unaligned_le32(msg), len);
	for (tries = 0; tries < 1000; tries++) {
		ret = nvsc_chan_tx_post(ch, 0, &t, NVSP_CHAN_CONTROL, len,
					NULL, 0, NULL, 0, 0);
		if (ret != -EAGAIN)
			break;
		usleep_range(1000, 2000);
	}
	if (ret)
		nvsc_chan_tx_put(ch, &t);
	return ret;
}

/* Send RNDIS request @type whose body (after the 8-byte header, starting
 * with the request ID, which is filled in here) is @body.  Waits for the
 * completion and copies its body into @reply (at most @cap bytes).
 * Returns the number of bytes copied, or -errno.
 */
static int nvsc_rndis_request(struct nvsc_chan *ch, u32 type, void *body,
			      u32 body_len, void *reply, u32 cap)
{
	__le32 *req_id = body;
	struct rndis_hdr *h;
	u8 *msg;
	int ret;
	u32 id;

	if (body_len > NVSC_RNDIS_REQ_MAX || body_len < sizeof(*req_id))
		return -EINVAL;
	msg = kmalloc(sizeof(*h) + body_len, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	h = (struct rndis_hdr *)msg;

	mutex_lock(&ch->rndis_mutex);
	spin_lock_bh(&ch->rndis_lock);
	id = ++ch->rndis_next_id;
	if (!id)
		id = ++ch->rndis_next_id;
	ch->rndis_req_id = id;
	ch->rndis_reply_type = type | RNDIS_T_DONE;
	ch->rndis_reply = reply;
	ch->rndis_reply_len = cap;
	reinit_completion(&ch->rndis_done);
	spin_unlock_bh(&ch->rndis_lock);

	*req_id = cpu_to_le32(id);
	h->type = cpu_to_le32(type);
	h->len = cpu_to_le32(sizeof(*h) + body_len);
	memcpy(h + 1, body, body_len);

	ret = nvsc_rndis_post(ch, msg, sizeof(*h) + body_len);
	if (!ret && !wait_for_completion_timeout(&ch->rndis_done,
						 nvsc_ctl_wait(ch)))
		ret = -ETIMEDOUT;

	spin_lock_bh(&ch->rndis_lock);
	if (!ret)
		ret = ch->rndis_reply_len;
	ch->rndis_req_id = 0;
	ch->rndis_reply = NULL;
	spin_unlock_bh(&ch->rndis_lock);
	mutex_unlock(&ch->rndis_mutex);
	kfree(msg);

	if (ret == -ETIMEDOUT)
		dev_err(&ch->hdev->device, "RNDIS request %#x timed out\n",
			type);
	return ret;
}

/* A completion of a request of ours; NAPI context */
static void nvsc_rndis_reply(struct nvsc_chan *ch, u32 type, const u8 *body,
			     u32 len)
{
	bool ok = false;
	u32 id;

	if (len < sizeof(__le32)) {
		atomic64_inc(&ch->err->bad_rndis);
		return;
	}
	id = get_unaligned_le32(body);

	/* BHs are off in NAPI; process context takes rndis_lock with _bh */
	spin_lock(&ch->rndis_lock);
	if (id && id == ch->rndis_req_id && type == ch->rndis_reply_type &&
	    ch->rndis_reply) {
		len = min(len, ch->rndis_reply_len);
		memcpy(ch->rndis_reply, body, len);
		ch->rndis_reply_len = len;
		ch->rndis_req_id = 0;
		ch->rndis_reply = NULL;
		complete(&ch->rndis_done);
		ok = true;
	}
	spin_unlock(&ch->rndis_lock);
	if (!ok) {
		atomic64_inc(&ch->err->bad_reply);
		dev_warn_ratelimited(&ch->hdev->device,
				     "RNDIS reply %#x id %u matches no request\n",
				     type, id);
	}
}

/* Query @oid.  @in (may be NULL) is sent as the information buffer; the
 * answer is copied to @out, at most *@len bytes, and *@len set to its size.
 */
static int nvsc_rndis_query(struct nvsc_chan *ch, u32 oid, const void *in,
			    u32 in_len, void *out, u32 *len)
{
	struct {
		struct rndis_oid_req r;
		u8 in[NVSC_RNDIS_QUERY_IN_MAX];
	} __packed req = {};
	const struct rndis_query_done *d;
	u32 off, blen;
	u8 *reply;
	int ret;

	if (in_len > sizeof(req.in))
		return -EINVAL;
	reply = kzalloc(NVSC_RNDIS_REPLY_MAX, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;

	req.r.oid = cpu_to_le32(oid);
	req.r.buf_len = cpu_to_le32(in_len);
	req.r.buf_offset = cpu_to_le32(sizeof(req.r));
	if (in_len)
		memcpy(req.in, in, in_len);
	ret = nvsc_rndis_request(ch, RNDIS_T_QUERY, &req,
				 sizeof(req.r) + in_len, reply,
				 NVSC_RNDIS_REPLY_MAX);
	if (ret < 0)
		goto out_free;

	d = (const struct rndis_query_done *)reply;
	if (ret < sizeof(*d)) {
		ret = -EPROTO;
		goto out_free;
	}
	if (le32_to_cpu(d->status) != RNDIS_S_SUCCESS) {
		ret = -EIO;
		goto out_free;
	}
	off = le32_to_cpu(d->buf_offset);
	blen = le32_to_cpu(d->buf_len);
	if (blen && (off < sizeof(*d) || off > ret || blen > ret - off ||
		     blen > *len)) {
		atomic64_inc(&ch->err->bad_reply);
		dev_warn_ratelimited(&ch->hdev->device,
				     "query %#x: %u bytes at %u in a %d-byte reply\n",
				     oid, blen, off, ret);
		ret = -EPROTO;
		goto out_free;
	}
	if (blen)
		memcpy(out, reply + off, blen);
	*len = blen;
	ret = 0;
out_free:
	kfree(reply);
	return ret;
}

static int nvsc_rndis_query_u32(struct nvsc_chan *ch, u32 oid, u32 *val)
{
	__le32 v;
	u32 len = sizeof(v);
	int ret;

	ret = nvsc_rndis_query(ch, oid, NULL, 0, &v, &len);
	if (ret)
		return ret;
	if (len != sizeof(v))
		return -EPROTO;
	*val = le32_to_cpu(v);
	return 0;
}

static int nvsc_rndis_set(struct nvsc_chan *ch, u32 oid, const void *val,
			  u32 len)
{
	struct rndis_oid_req *req;
	struct rndis_set_done d;
	int ret;

	if (len > NVSC_RNDIS_REQ_MAX - sizeof(*req))
		return -EINVAL;
	req = kzalloc(sizeof(*req) + len, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->oid = cpu_to_le32(oid);
	req->buf_len = cpu_to_le32(len);
	req->buf_offset = cpu_to_le32(sizeof(*req));
	memcpy(req + 1, val, len);
	ret = nvsc_rndis_request(ch, RNDIS_T_SET, req, sizeof(*req) + len,
				 &d, sizeof(d));
	kfree(req);
	if (ret < 0)
		return ret;
	if (ret < sizeof(d))
		return -EPROTO;
	if (le32_to_cpu(d.status) != RNDIS_S_SUCCESS) {
		dev_dbg(&ch->hdev->device, "set %#x: status %#x\n", oid,
			le32_to_cpu(d.status));
		return -EIO;
	}
	return 0;
}

static int nvsc_rndis_init(struct nvsc_chan *ch)
{
	struct rndis_init_req req = {
		.major = cpu_to_le32(RNDIS_MAJOR),
		.minor = cpu_to_le32(RNDIS_MINOR),
		.max_xfer = cpu_to_le32(RNDIS_MAX_XFER),
	};
	struct rndis_init_done d;
	u32 shift;
	int ret;

	ret = nvsc_rndis_request(ch, RNDIS_T_INIT, &req, sizeof(req), &d,
				 sizeof(d));
	if (ret < 0)
		return ret;
	if (ret < sizeof(d) || le32_to_cpu(d.status) != RNDIS_S_SUCCESS) {
		dev_err(&ch->hdev->device, "RNDIS init refused\n");
		return -EPROTO;
	}
	shift = le32_to_cpu(d.align_shift);
	ch->rndis_max_pkts = clamp_t(u32, le32_to_cpu(d.max_pkts), 1, 64);
	ch->rndis_align = 1U << min_t(u32, shift, 8);
	if (ch->rndis_align < 8)
		ch->rndis_align = 8;
	ch->rndis_up = true;
	return 0;
}

static void nvsc_rndis_friendly_name(struct nvsc_chan *ch)
{
	u32 len = 512;
	u8 *buf;

	buf = kzalloc(len, GFP_KERNEL);
	if (!buf)
		return;
	if (!nvsc_rndis_query(ch, RNDIS_OID_FRIENDLY_NAME, NULL, 0, buf, &len))
		utf16s_to_utf8s((wchar_t *)buf, len / 2, UTF16_LITTLE_ENDIAN,
				ch->host.friendly_name,
				sizeof(ch->host.friendly_name) - 1);
	kfree(buf);
}

static int nvsc_rndis_offload_caps(struct nvsc_chan *ch)
{
	struct ndis_offload_caps *c = &ch->host.caps;
	struct ndis_obj_hdr in = { .type = NDIS_OBJ_OFFLOAD };
	u32 size, len = sizeof(*c);
	int ret;

	if (ch->host.nvsp_ver >= NVSP_VER_5) {
		in.revision = 3;
		size = NDIS_OFFLOAD_CAPS_SIZE_V3;
	} else if (ch->host.nvsp_ver >= NVSP_VER_4) {
		in.revision = 2;
		size = NDIS_OFFLOAD_CAPS_SIZE_V2;
	} else {
		in.revision = 1;
		size = NDIS_OFFLOAD_CAPS_SIZE_V1;
	}
	in.size = cpu_to_le16(size);

	memset(c, 0, sizeof(*c));
	ret = nvsc_rndis_query(ch, RNDIS_OID_OFFLOAD_CAPS, &in, sizeof(in), c,
			       &len);
	if (ret)
		return ret;
	size = le16_to_cpu(c->hdr.size);
	if (c->hdr.type != NDIS_OBJ_OFFLOAD ||
	    size < NDIS_OFFLOAD_CAPS_SIZE_V1 || size > len) {
		dev_err(&ch->hdev->device,
			"offload capabilities: type %#x size %u in %u bytes\n",
			c->hdr.type, size, len);
		return -EPROTO;
	}
	/* What the host did not send stays zero: no such offload */
	memset((u8 *)c + size, 0, sizeof(*c) - size);
	ch->host.caps_len = size;
	return 0;
}

/**
 * nvsc_rndis_start() - initialise RNDIS and learn the host's NIC
 * @ch: a channel whose buffers are shared already
 *
 * Fills @ch->host: MAC address, maximum frame, friendly name, offload
 * capabilities, link state and speed.
 *
 * Return: 0 or -errno.
 */
int nvsc_rndis_start(struct nvsc_chan *ch)
{
	struct nvsc_host_info *h = &ch->host;
	u32 v, len;
	int ret;

	ret = nvsc_rndis_init(ch);
	if (ret)
		return ret;

	h->max_frame = ETH_DATA_LEN;
	if (!nvsc_rndis_query_u32(ch, RNDIS_OID_MAX_FRAME_SIZE, &v) && v)
		h->max_frame = v;

	len = ETH_ALEN;
	ret = nvsc_rndis_query(ch, RNDIS_OID_PERMANENT_ADDRESS, NULL, 0,
			       h->mac, &len);
	if (ret || len != ETH_ALEN) {
		dev_err(&ch->hdev->device, "no MAC address from the host\n");
		return ret ? ret : -EPROTO;
	}

	nvsc_rndis_friendly_name(ch);

	ret = nvsc_rndis_offload_caps(ch);
	if (ret)
		return ret;

	h->link_up = true;
	if (!nvsc_rndis_query_u32(ch, RNDIS_OID_MEDIA_STATUS, &v))
		h->link_up = v == RNDIS_MEDIA_CONNECTED;

	h->link_speed = 0;
	if (h->nvsp_ver >= NVSP_VER_5 &&
	    !nvsc_rndis_query_u32(ch, RNDIS_OID_LINK_SPEED, &v))
		h->link_speed = v / 10000;	/* 100 b/s units to Mb/s */
	return 0;
}

/**
 * nvsc_rndis_halt() - tell the host to stop the NIC (no reply comes)
 * @ch: the channel
 */
void nvsc_rndis_halt(struct nvsc_chan *ch)
{
	struct {
		struct rndis_hdr h;
		struct rndis_halt_req r;
	} __packed m = {};

	if (!ch->rndis_up)
		return;
	ch->rndis_up = false;
	m.h.type = cpu_to_le32(RNDIS_T_HALT);
	m.h.len = cpu_to_le32(sizeof(m));
	mutex_lock(&ch->rndis_mutex);
	m.r.req_id = cpu_to_le32(++ch->rndis_next_id);
	nvsc_rndis_post(ch, &m, sizeof(m));
	mutex_unlock(&ch->rndis_mutex);
}

/**
 * nvsc_rndis_set_filter() - set the host's receive filter
 * @ch: the channel
 * @filter: RNDIS_FILTER_* bits, 0 to receive nothing
 *
 * Return: 0 or -errno.
 */
int nvsc_rndis_set_filter(struct nvsc_chan *ch, u32 filter)
{
	__le32 v = cpu_to_le32(filter);

	return nvsc_rndis_set(ch, RNDIS_OID_PACKET_FILTER, &v, sizeof(v));
}

/**
 * nvsc_rndis_set_offloads() - ask the host for checksum and LSO offloads
 * @ch: the channel
 * @p: the parameters; the header is filled in here
 *
 * Return: 0 or -errno.
 */
int nvsc_rndis_set_offloads(struct nvsc_chan *ch,
			    const struct ndis_offload_params *p)
{
	struct ndis_offload_params v = *p;
	u32 len = sizeof(v);

	if (ch->host.nvsp_ver <= NVSP_VER_4)
		len = NDIS_OFFLOAD_PARAMS_SIZE_V4;
	v.hdr.type = NDIS_OBJ_DEFAULT;
	v.hdr.revision = NDIS_OFFLOAD_PARAMS_REV;
	v.hdr.size = cpu_to_le16(len);
	return nvsc_rndis_set(ch, RNDIS_OID_OFFLOAD_PARAMS, &v, len);
}

/**
 * nvsc_rndis_set_mac() - ask the host to use another MAC address
 * @ch: the channel
 * @mac: the new address
 *
 * Return: 0, or -EIO when the host refuses, or another -errno.
 */
int nvsc_rndis_set_mac(struct nvsc_chan *ch, const u8 *mac)
{
	static const char name[] = "NetworkAddress";
	struct {
		struct rndis_config_param p;
		__le16 name[sizeof(name) - 1];
		__le16 value[2 * ETH_ALEN];
	} __packed v = {};
	char hex[2 * ETH_ALEN + 1];
	int i;

	snprintf(hex, sizeof(hex), "%pm", mac);
	for (i = 0; i < ARRAY_SIZE(v.name); i++)
		v.name[i] = cpu_to_le16(name[i]);
	for (i = 0; i < ARRAY_SIZE(v.value); i++)
		v.value[i] = cpu_to_le16(hex[i]);
	v.p.name_offset = cpu_to_le32(offsetof(typeof(v), name));
	v.p.name_len = cpu_to_le32(sizeof(v.name));
	v.p.type = cpu_to_le32(RNDIS_CONFIG_PARAM_STRING);
	v.p.value_offset = cpu_to_le32(offsetof(typeof(v), value));
	v.p.value_len = cpu_to_le32(sizeof(v.value));
	return nvsc_rndis_set(ch, RNDIS_OID_CONFIG_PARAMETER, &v, sizeof(v));
}

/**
 * nvsc_rndis_rss_caps() - learn how many receive queues the host offers
 * @ch: the channel, RNDIS initialised
 *
 * Sets host.rss_queues (1 when the host has no RSS), host.rss_table_size
 * and host.rss_caps.
 *
 * Return: 0; a host without RSS is not an error.
 */
int nvsc_rndis_rss_caps(struct nvsc_chan *ch)
{
	struct ndis_rss_caps c = {};
	struct ndis_obj_hdr in = {
		.type = NDIS_OBJ_RSS_CAPS,
		.revision = 2,
		.size = cpu_to_le16(sizeof(c)),
	};
	u32 len = sizeof(c), n, t;

	ch->host.rss_queues = 1;
	ch->host.rss_table_size = NVSC_RSS_TABLE_DEFAULT;
	ch->host.rss_caps = 0;
	if (ch->host.nvsp_ver < NVSP_VER_5)
		return 0;
	if (nvsc_rndis_query(ch, RNDIS_OID_RSS_CAPS, &in, sizeof(in), &c,
			     &len) || len < sizeof(c) - sizeof(c.table_entries))
		return 0;
	if (c.hdr.type != NDIS_OBJ_RSS_CAPS) {
		atomic64_inc(&ch->err->bad_reply);
		dev_warn_ratelimited(&ch->hdev->device,
				     "RSS capabilities of object type %#x\n",
				     c.hdr.type);
		return 0;
	}
	n = le32_to_cpu(c.num_queues);
	ch->host.rss_queues = clamp_t(u32, n, 1, NVSC_MAX_QUEUES);
	t = len >= sizeof(c) ? le16_to_cpu(c.table_entries) : 0;
	/* The host's table size, if it gives a usable one */
	if (t && t <= NVSC_RSS_TABLE_MAX)
		ch->host.rss_table_size = t;
	ch->host.rss_caps = le32_to_cpu(c.flags);
	return 0;
}

/* RSS parameters with room for the largest table and the key */
struct nvsc_rss_msg {
	struct ndis_rss_params p;
	__le32 table[NVSC_RSS_TABLE_MAX];
	u8 key[NVSC_RSS_KEY_LEN];
} __packed;

/**
 * nvsc_rndis_set_rss() - give the host the RSS key, table and hash types
 * @ch: the channel
 * @rss: what to program; table entries must be below the queues open
 *
 * Return: 0, -EIO when the host refuses, or another -errno.
 */
int nvsc_rndis_set_rss(struct nvsc_chan *ch, const struct nvsc_rss *rss)
{
	struct nvsc_rss_msg *v;
	u32 n = rss->table_size, i, len;
	int ret;

	if (!n || n > NVSC_RSS_TABLE_MAX)
		return -EINVAL;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	v->p.hdr.type = NDIS_OBJ_RSS_PARAMS;
	v->p.hdr.revision = 2;
	v->p.hdr.size = cpu_to_le16(sizeof(v->p));
	v->p.hash_info = cpu_to_le32(rss->hash_info);
	v->p.table_size = cpu_to_le16(n * sizeof(u32));
	v->p.table_offset = cpu_to_le32(sizeof(v->p));
	v->p.key_size = cpu_to_le16(NVSC_RSS_KEY_LEN);
	v->p.key_offset = cpu_to_le32(sizeof(v->p) + n * sizeof(u32));
	for (i = 0; i < n; i++)
		v->table[i] = cpu_to_le32(rss->table[i]);
	/* The key follows the table's n entries directly */
	memcpy((u8 *)v->table + n * sizeof(u32), rss->key, NVSC_RSS_KEY_LEN);
	len = sizeof(v->p) + n * sizeof(u32) + NVSC_RSS_KEY_LEN;
	ret = nvsc_rndis_set(ch, RNDIS_OID_RSS_PARAMS, v, len);
	kfree(v);
	return ret;
}

/* Per-packet information of a received packet; false if malformed */
static bool nvsc_rndis_ppis(struct nvsc_chan *ch, const u8 *p, u32 len,
			    struct nvsc_rx_frame *f)
{
	while (len >= sizeof(struct rndis_ppi)) {
		struct rndis_ppi ppi;
		u32 size, type, off;
		__le32 raw;
		u32 val;

		/* The host may rewrite the shared buffer at any time: check
		 * and use one copy of each field
		 */
		memcpy(&ppi, p, sizeof(ppi));
		size = le32_to_cpu(ppi.size);
		type = le32_to_cpu(ppi.type);
		off = le32_to_cpu(ppi.offset);

		if (size < sizeof(ppi) || size > len || off < sizeof(ppi) ||
		    off > size || size - off < sizeof(u32)) {
			atomic64_inc(&ch->err->bad_ppi);
			dev_warn_ratelimited(&ch->hdev->device,
					     "per-packet info: size %u offset %u in %u bytes\n",
					     size, off, len);
			return false;
		}
		memcpy(&raw, p + off, sizeof(raw));
		val = le32_to_cpu(raw);
		if (!(type & RNDIS_PPI_INTERNAL)) {
			switch (type) {
			case RNDIS_PPI_CSUM:
				f->csum = val;
				f->has_csum = true;
				break;
			case RNDIS_PPI_VLAN:
				f->vlan_tci = (val & RNDIS_VLAN_PRIO_MASK) <<
					      VLAN_PRIO_SHIFT;
				if (val & RNDIS_VLAN_CFI)
					f->vlan_tci |= VLAN_CFI_MASK;
				f->vlan_tci |= (val & RNDIS_VLAN_VID_MASK) >>
					       RNDIS_VLAN_VID_SHIFT;
				f->has_vlan = true;
				break;
			case RNDIS_PPI_HASH:
				f->hash = val;
				f->has_hash = true;
				break;
			}
		}
		p += size;
		len -= size;
	}
	return true;
}

static void nvsc_rndis_packet(struct nvsc_chan *ch, u32 q, const u8 *body,
			      u32 len)
{
	struct nvsc_rx_frame f = {};
	u32 doff, dlen, poff, plen;
	struct rndis_packet rp;

	if (len < sizeof(rp)) {
		atomic64_inc(&ch->err->bad_rndis);
		return;
	}
	/* One copy of the header, out of reach of the host, to check and use */
	memcpy(&rp, body, sizeof(rp));
	doff = le32_to_cpu(rp.data_offset);
	dlen = le32_to_cpu(rp.data_len);
	poff = le32_to_cpu(rp.ppi_offset);
	plen = le32_to_cpu(rp.ppi_len);

	if (doff < sizeof(rp) || doff > len || dlen > len - doff ||
	    dlen < ETH_HLEN || dlen > NVSC_MAX_FRAME) {
		atomic64_inc(&ch->err->bad_data);
		dev_warn_ratelimited(&ch->hdev->device,
				     "receive data %u@%u in a %u-byte packet\n",
				     dlen, doff, len);
		return;
	}
	if (plen) {
		if (poff < sizeof(rp) || poff > len || plen > len - poff) {
			atomic64_inc(&ch->err->bad_ppi);
			dev_warn_ratelimited(&ch->hdev->device,
					     "per-packet info %u@%u in a %u-byte packet\n",
					     plen, poff, len);
			return;
		}
		if (!nvsc_rndis_ppis(ch, body + poff, plen, &f))
			return;
	}
	f.data = body + doff;
	f.len = dlen;
	ch->ops->rx(ch->ctx, q, &f);
}

static void nvsc_rndis_indicate(struct nvsc_chan *ch, const u8 *body, u32 len)
{
	struct rndis_indicate ind;
	u32 off, blen;

	if (len < sizeof(ind)) {
		atomic64_inc(&ch->err->bad_rndis);
		return;
	}
	memcpy(&ind, body, sizeof(ind));	/* one copy to check and use */
	off = le32_to_cpu(ind.buf_offset);
	blen = le32_to_cpu(ind.buf_len);
	if (blen && (off < sizeof(ind) || off > len || blen > len - off)) {
		atomic64_inc(&ch->err->bad_rndis);
		dev_warn_ratelimited(&ch->hdev->device,
				     "indication buffer %u@%u in %u bytes\n",
				     blen, off, len);
		return;
	}
	ch->ops->status(ch->ctx, le32_to_cpu(ind.status),
			blen ? body + off : NULL, blen);
}

/**
 * nvsc_rndis_recv() - one RNDIS message from the receive buffer
 * @ch: the channel
 * @q: the queue it arrived on
 * @msg: the message, in memory the host shares with us
 * @len: bytes the host said the range holds
 *
 * Context: NAPI.
 */
void nvsc_rndis_recv(struct nvsc_chan *ch, u32 q, const u8 *msg, u32 len)
{
	struct rndis_hdr h;
	u32 type, mlen;

	if (len < sizeof(h)) {
		atomic64_inc(&ch->err->bad_rndis);
		return;
	}
	/* The host may rewrite the buffer after posting it: copy the header
	 * once, then check and use only the copy
	 */
	memcpy(&h, msg, sizeof(h));
	type = le32_to_cpu(h.type);
	mlen = le32_to_cpu(h.len);
	if (mlen < sizeof(h) || mlen > len) {
		atomic64_inc(&ch->err->bad_rndis);
		dev_warn_ratelimited(&ch->hdev->device,
				     "RNDIS message of %u bytes in a %u-byte range\n",
				     mlen, len);
		return;
	}
	trace_rndis_recv(ch->hdev, type, mlen);
	msg += sizeof(h);
	mlen -= sizeof(h);

	switch (type) {
	case RNDIS_T_PACKET:
		nvsc_rndis_packet(ch, q, msg, mlen);
		break;
	case RNDIS_T_INIT | RNDIS_T_DONE:
	case RNDIS_T_QUERY | RNDIS_T_DONE:
	case RNDIS_T_SET | RNDIS_T_DONE:
		nvsc_rndis_reply(ch, type, msg, mlen);
		break;
	case RNDIS_T_INDICATE:
		nvsc_rndis_indicate(ch, msg, mlen);
		break;
	default:
		atomic64_inc(&ch->err->bad_rndis);
		dev_warn_ratelimited(&ch->hdev->device,
				     "unexpected RNDIS message %#x\n", type);
	}
}
