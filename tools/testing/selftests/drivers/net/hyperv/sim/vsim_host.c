// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus_sim: the host half of NVSP.  One worker per channel drains the
 * guest's outbound ring, checks every packet and answers it.
 */
#include <linux/bitmap.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vsim.h"

/* Packets handled per worker run before it yields */
#define VSIM_BUDGET	64

static const u32 vsim_versions[] = {
	NVSP_V1, NVSP_V2, NVSP_V4, NVSP_V5, NVSP_V6, NVSP_V61,
};

/* Forget the guest's session: called when the primary channel opens */
void vsim_nic_reset(struct vsim_nic *nic)
{
	nic->nvsp_ver = 0;
	nic->ndis_mtu = 0;
	nic->rndis_up = false;
	nic->filter = 0;
	WRITE_ONCE(nic->data_path, NVSP_DATA_PATH_SYNTHETIC);
	WRITE_ONCE(nic->vf_offered, false);
	nic->init_refused = false;
	memset(&nic->offl, 0, sizeof(nic->offl));
}

/**
 * vsim_step_fails() - whether the fail_step fault refuses this step now
 * @nic: the NIC
 * @step: the step the host is about to answer (VSIM_STEP_*)
 *
 * The first fail_skip matching steps pass, then the next fail_count ones
 * fail.  Called from the primary channel's worker only.
 *
 * Return: true if the host must refuse the step.
 */
bool vsim_step_fails(struct vsim_nic *nic, u32 step)
{
	if (READ_ONCE(nic->fault_step) != step ||
	    atomic_read(&nic->fault_step_count) <= 0)
		return false;
	if (atomic_dec_if_positive(&nic->fault_step_skip) >= 0)
		return false;
	if (atomic_dec_if_positive(&nic->fault_step_count) < 0)
		return false;
	atomic64_inc(&nic->stats.failed_steps);
	return true;
}

static int vsim_send_desc(struct vsim_chan *vc, u16 type, u16 flags,
			  u64 trans_id, const void *body, u32 len)
{
	u8 buf[sizeof(struct vsim_desc) + 128];
	struct vsim_desc *d = (void *)buf;
	u32 total = ALIGN(sizeof(*d) + len, 8);

	if (WARN_ON_ONCE(total > sizeof(buf)))
		return -EINVAL;
	d->type = cpu_to_le16(type);
	d->offset8 = cpu_to_le16(sizeof(*d) >> 3);
	d->len8 = cpu_to_le16(total >> 3);
	d->flags = cpu_to_le16(flags);
	d->trans_id = cpu_to_le64(trans_id);
	memcpy(d + 1, body, len);
	memset(buf + sizeof(*d) + len, 0, total - sizeof(*d) - len);
	return vsim_host_send(vc, buf, total);
}

int vsim_send_comp(struct vsim_chan *vc, u64 trans_id, const void *body,
		   u32 len)
{
	return vsim_send_desc(vc, VSIM_PKT_COMP, 0, trans_id, body, len);
}

int vsim_send_inband(struct vsim_chan *vc, const void *body, u32 len)
{
	return vsim_send_desc(vc, VSIM_PKT_INBAND, 0, 0, body, len);
}

static void vsim_nvsp_reply(struct vsim_chan *vc, u64 trans_id,
			    struct nvsp_msg *msg)
{
	/* Always the full 40-byte body: guests check the largest size */
	vsim_send_comp(vc, trans_id, msg, sizeof(*msg));
}

/* Receive sections */

int vsim_rx_alloc(struct vsim_nic *nic, u32 len, bool ctl, u64 *cookie)
{
	unsigned long flags, idx, limit;
	int err = 0;
	u32 seq;

	spin_lock_irqsave(&nic->rbuf_lock, flags);
	if (!nic->rbuf) {
		err = -ENODEV;
		goto unlock;
	}
	if (len > nic->rsec_size) {
		err = -EMSGSIZE;
		goto unlock;
	}
	limit = ctl ? nic->rsec_count : nic->rsec_count - VSIM_CTL_SECTIONS;
	idx = find_next_zero_bit(nic->rsec_map, limit, nic->rsec_hint);
	if (idx >= limit)
		idx = find_first_zero_bit(nic->rsec_map, limit);
	if (idx >= limit) {
		err = -ENOBUFS;
		goto unlock;
	}
	__set_bit(idx, nic->rsec_map);
	seq = ++nic->rsec_next_seq;
	if (!seq)
		seq = ++nic->rsec_next_seq;
	nic->rsec_seq[idx] = seq;
	nic->rsec_hint = idx + 1;
	*cookie = (u64)seq << 32 | idx;
unlock:
	spin_unlock_irqrestore(&nic->rbuf_lock, flags);
	return err;
}

/**
 * vsim_rx_section() - find a section allocated in the receive buffer
 * @nic: the NIC
 * @cookie: what vsim_rx_alloc() gave for the section
 * @offset: set to the section's offset in the buffer
 *
 * The guest may revoke the buffer, free it and give a new one with
 * sections of another size at any time: a section is only written with
 * rbuf_lock held, and only while it is still the one allocated.
 *
 * Return: the section's address, or NULL when the buffer it was cut from
 * is gone.
 */
void *vsim_rx_section(struct vsim_nic *nic, u64 cookie, u32 *offset)
	__must_hold(&nic->rbuf_lock)
{
	u32 idx = lower_32_bits(cookie), seq = upper_32_bits(cookie);

	lockdep_assert_held(&nic->rbuf_lock);
	if (!nic->rbuf || idx >= nic->rsec_count || nic->rsec_seq[idx] != seq)
		return NULL;
	*offset = idx * nic->rsec_size;
	return nic->rbuf + *offset;
}

/* Give back a section that was never posted to the guest */
void vsim_rx_free(struct vsim_nic *nic, u64 cookie)
{
	u32 idx = lower_32_bits(cookie), seq = upper_32_bits(cookie);
	unsigned long flags;

	spin_lock_irqsave(&nic->rbuf_lock, flags);
	if (nic->rsec_map && idx < nic->rsec_count &&
	    nic->rsec_seq[idx] == seq) {
		__clear_bit(idx, nic->rsec_map);
		nic->rsec_seq[idx] = 0;
	}
	spin_unlock_irqrestore(&nic->rbuf_lock, flags);
}

/* The guest completed a transfer-page packet: its section is free again */
static void vsim_rx_complete(struct vsim_chan *vc, u64 cookie,
			     const struct nvsp_msg *msg, u32 len)
{
	struct vsim_nic *nic = vc->nic;
	u32 idx = lower_32_bits(cookie), seq = upper_32_bits(cookie);
	unsigned long flags;
	bool ok = false;

	if (len < 8 || le32_to_cpu(msg->type) != NVSP_RNDIS_PKT_DONE) {
		vsim_violation(nic, "completion of type %u, length %u",
			       len >= 4 ? le32_to_cpu(msg->type) : 0, len);
		return;
	}
	/* The early transfer fault's packet named no section */
	if (cookie == VSIM_EARLY_XFER_COOKIE)
		return;
	spin_lock_irqsave(&nic->rbuf_lock, flags);
	if (nic->rsec_map && idx < nic->rsec_count &&
	    test_bit(idx, nic->rsec_map) && nic->rsec_seq[idx] == seq) {
		__clear_bit(idx, nic->rsec_map);
		nic->rsec_seq[idx] = 0;
		ok = true;
	}
	spin_unlock_irqrestore(&nic->rbuf_lock, flags);
	if (!ok && nic->rsec_map)
		vsim_violation(nic, "completion for unknown transfer %#llx",
			       cookie);
}

/* A transfer-page packet of one range: the RNDIS message at @offset of
 * the receive buffer, @len bytes long
 */
struct vsim_xfer1 {
	struct vsim_xfer_hdr h;
	struct vsim_xfer_range r;
	__le32 nvsp[4];
} __packed;

static void vsim_xfer1_fill(struct vsim_xfer1 *pkt, u32 offset, u32 len,
			    u64 cookie)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->h.d.type = cpu_to_le16(VSIM_PKT_XFER_PAGES);
	pkt->h.d.offset8 = cpu_to_le16((sizeof(pkt->h) + sizeof(pkt->r)) >> 3);
	pkt->h.d.len8 = cpu_to_le16(sizeof(*pkt) >> 3);
	pkt->h.d.flags = cpu_to_le16(VSIM_PKT_FLAG_COMP_REQ);
	pkt->h.d.trans_id = cpu_to_le64(cookie);
	pkt->h.pageset_id = cpu_to_le16(VSIM_RECV_PAGESET);
	pkt->h.range_cnt = cpu_to_le32(1);
	pkt->r.count = cpu_to_le32(len);
	pkt->r.offset = cpu_to_le32(offset);
	pkt->nvsp[0] = cpu_to_le32(NVSP_RNDIS_PKT);
}

/* Send a transfer-page packet naming one section holding @len bytes */
int vsim_rx_post(struct vsim_chan *vc, u32 offset, u32 len, u64 cookie)
{
	struct vsim_nic *nic = vc->nic;
	struct vsim_fuzz_late late;
	struct vsim_xfer1 pkt;
	unsigned int field;
	bool hit = false;
	int err;

	vsim_fuzz_rx(vc, cookie, len, &late);
	vsim_xfer1_fill(&pkt, offset, len, cookie);

	field = READ_ONCE(nic->fault_corrupt);
	switch (field) {
	case VSIM_CORRUPT_XFER_OFFSET:
	case VSIM_CORRUPT_XFER_COUNT:
	case VSIM_CORRUPT_RANGE_COUNT:
	case VSIM_CORRUPT_NVSP_TYPE:
		hit = atomic_dec_if_positive(&nic->fault_corrupt_count) >= 0;
		break;
	}
	if (hit) {
		if (field == VSIM_CORRUPT_XFER_OFFSET)
			pkt.r.offset = cpu_to_le32(nic->rbuf_size + PAGE_SIZE);
		else if (field == VSIM_CORRUPT_XFER_COUNT)
			pkt.r.count = cpu_to_le32(nic->rbuf_size);
		else if (field == VSIM_CORRUPT_RANGE_COUNT)
			pkt.h.range_cnt = cpu_to_le32(1000);
		else
			pkt.nvsp[0] = cpu_to_le32(0xdead);
	}

	err = vsim_host_send(vc, &pkt, sizeof(pkt));
	/* Only a corruption the guest receives counts; else it is still owed */
	if (hit && err)
		atomic_inc(&nic->fault_corrupt_count);
	else if (hit)
		atomic64_inc(&nic->stats.corrupted);
	if (err)
		vsim_rx_free(nic, cookie);
	else
		vsim_fuzz_rx_late(nic, cookie, &late);
	return err;
}

/* The early transfer fault: a transfer-page packet sent while the guest
 * has given no receive buffer yet (before the reply to its NVSP init), as
 * a confused or hostile host may.  It names 64 bytes at offset 0 of the
 * receive buffer page set.
 */
static void vsim_early_xfer(struct vsim_chan *vc)
{
	struct vsim_xfer1 pkt;

	vsim_xfer1_fill(&pkt, 0, 64, VSIM_EARLY_XFER_COOKIE);
	if (!vsim_host_send(vc, &pkt, sizeof(pkt)))
		atomic64_inc(&vc->nic->stats.early_xfers);
}

/* Buffers */

static void vsim_rbuf_detach(struct vsim_nic *nic)
{
	unsigned long *map;
	unsigned long flags;
	u32 *seq;

	spin_lock_irqsave(&nic->rbuf_lock, flags);
	map = nic->rsec_map;
	seq = nic->rsec_seq;
	nic->rbuf = NULL;
	nic->rbuf_size = 0;
	nic->rbuf_gpadl = 0;
	nic->rsec_map = NULL;
	nic->rsec_seq = NULL;
	nic->rsec_count = 0;
	spin_unlock_irqrestore(&nic->rbuf_lock, flags);
	bitmap_free(map);
	kvfree(seq);
}

/* A GPADL is going away: stop using whatever buffer it backed */
void vsim_buffers_forget(struct vsim_nic *nic, u32 gpadl)
{
	/* After a rescind the guest cannot send the revoke messages */
	bool rescinded = READ_ONCE(nic->gone);

	if (nic->rbuf && nic->rbuf_gpadl == gpadl) {
		if (!rescinded)
			vsim_violation(nic, "receive buffer GPADL torn down in use");
		vsim_rbuf_detach(nic);
	}
	if (nic->sbuf && nic->sbuf_gpadl == gpadl) {
		if (!rescinded)
			vsim_violation(nic, "send buffer GPADL torn down in use");
		nic->sbuf = NULL;
		nic->ssec_count = 0;
		nic->sbuf_gone_why = VSIM_SBUF_TORN_DOWN;
		nic->sbuf_gone_at = jiffies;
	}
}

static u32 vsim_recv_buf(struct vsim_nic *nic, const struct nvsp_msg *msg,
			 struct nvsp_msg *reply)
{
	u32 gpadl = le32_to_cpu(msg->buf.gpadl);
	u32 mtu, size, sec, count;
	unsigned long *map;
	unsigned long flags;
	void *buf;
	u32 *seq;

	reply->type = cpu_to_le32(NVSP_RECV_BUF_DONE);
	if (vsim_step_fails(nic, VSIM_STEP_RECV_BUF))
		return NVSP_ST_FAIL;
	if (nic->rbuf) {
		vsim_violation(nic, "second receive buffer");
		return NVSP_ST_FAIL;
	}
	if (!vsim_gpadl_find(gpadl, &buf, &size)) {
		vsim_violation(nic, "receive buffer with unknown GPADL %#x",
			       gpadl);
		return NVSP_ST_FAIL;
	}
	if (le16_to_cpu(msg->buf.id) != VSIM_RECV_PAGESET)
		vsim_violation(nic, "receive buffer ID %#x",
			       le16_to_cpu(msg->buf.id));

	/* Sections hold one MTU-sized frame with its RNDIS header */
	mtu = max_t(u32, nic->ndis_mtu, ETH_FRAME_LEN);
	sec = ALIGN(mtu + VSIM_RX_OVERHEAD, 8);
	count = size / sec;
	if (count <= VSIM_CTL_SECTIONS) {
		vsim_violation(nic, "receive buffer of %u bytes too small",
			       size);
		return NVSP_ST_FAIL;
	}
	map = bitmap_zalloc(count, GFP_KERNEL);
	seq = kvcalloc(count, sizeof(u32), GFP_KERNEL);
	if (!map || !seq) {
		bitmap_free(map);
		kvfree(seq);
		return NVSP_ST_FAIL;
	}

	spin_lock_irqsave(&nic->rbuf_lock, flags);
	nic->rbuf = buf;
	nic->rbuf_size = size;
	nic->rbuf_gpadl = gpadl;
	nic->rsec_size = sec;
	nic->rsec_count = count;
	nic->rsec_map = map;
	nic->rsec_seq = seq;
	nic->rsec_hint = 0;
	spin_unlock_irqrestore(&nic->rbuf_lock, flags);

	reply->recv_done.num_sections = cpu_to_le32(1);
	reply->recv_done.offset = 0;
	reply->recv_done.sub_alloc_size = cpu_to_le32(sec);
	reply->recv_done.num_sub_allocs = cpu_to_le32(count);
	reply->recv_done.end_offset = cpu_to_le32(sec * count);
	return NVSP_ST_SUCCESS;
}

static u32 vsim_send_buf(struct vsim_nic *nic, const struct nvsp_msg *msg,
			 struct nvsp_msg *reply)
{
	u32 gpadl = le32_to_cpu(msg->buf.gpadl);
	void *buf;
	u32 size;

	reply->type = cpu_to_le32(NVSP_SEND_BUF_DONE);
	if (vsim_step_fails(nic, VSIM_STEP_SEND_BUF))
		return NVSP_ST_FAIL;
	if (nic->sbuf) {
		vsim_violation(nic, "second send buffer");
		return NVSP_ST_FAIL;
	}
	if (!vsim_gpadl_find(gpadl, &buf, &size)) {
		vsim_violation(nic, "send buffer with unknown GPADL %#x",
			       gpadl);
		return NVSP_ST_FAIL;
	}
	if (size < VSIM_SEND_SECTION)
		return NVSP_ST_FAIL;
	nic->sbuf = buf;
	nic->sbuf_size = size;
	nic->sbuf_gpadl = gpadl;
	nic->ssec_count = size / VSIM_SEND_SECTION;
	reply->send_done.section_size = cpu_to_le32(VSIM_SEND_SECTION);
	return NVSP_ST_SUCCESS;
}

/* A send names a section the host does not have: say where and why */
static void vsim_bad_section(struct vsim_chan *vc, const struct nvsp_msg *msg,
			     u64 tid, u32 idx, u32 used)
{
	static const char * const why[] = {
		[VSIM_SBUF_NEVER] = "buffer never given",
		[VSIM_SBUF_REVOKED] = "revoked",
		[VSIM_SBUF_TORN_DOWN] = "torn down",
	};
	struct vsim_nic *nic = vc->nic;
	u8 gone = READ_ONCE(nic->sbuf_gone_why);

	if (nic->sbuf) {
		vsim_violation(nic, "send section %u (size %u) of %u on channel %u",
			       idx, used, nic->ssec_count, vc->index);
		return;
	}
	vsim_violation(nic, "send section %u (size %u) of 0: ch %u, %s, tid %#llx, %s %u ms ago",
		       idx, used, vc->index,
		       le32_to_cpu(msg->rndis.channel_type) == 1 ?
		       "control" : "data", tid,
		       gone < ARRAY_SIZE(why) ? why[gone] : "?",
		       gone == VSIM_SBUF_NEVER ? 0 :
		       jiffies_to_msecs(jiffies - READ_ONCE(nic->sbuf_gone_at)));
}

/*
 * Linearise what a SEND_RNDIS_PKT carries: the used part of the named send
 * section, then every page range.  Returns the length or -errno.
 */
static int vsim_gather(struct vsim_chan *vc, const struct nvsp_msg *msg,
		       const u8 *pkt, u32 pkt_len, bool gpa)
{
	u32 idx = le32_to_cpu(msg->rndis.section_index);
	u32 used = le32_to_cpu(msg->rndis.section_size);
	struct vsim_nic *nic = vc->nic;
	u32 len = 0, off, nranges, r;

	if (idx != NVSP_NO_SECTION) {
		if (!nic->sbuf || idx >= nic->ssec_count ||
		    used > VSIM_SEND_SECTION) {
			vsim_bad_section(vc, msg,
					 le64_to_cpu(((const struct vsim_desc *)pkt)->trans_id),
					 idx, used);
			return -EINVAL;
		}
		memcpy(vc->scratch, nic->sbuf + idx * VSIM_SEND_SECTION, used);
		len = used;
	}
	if (!gpa)
		return len;

	nranges = le32_to_cpu(((const struct vsim_gpa_hdr *)pkt)->range_cnt);
	off = sizeof(struct vsim_gpa_hdr);
	for (r = 0; r < nranges; r++) {
		const struct vsim_gpa_range *gr = (const void *)(pkt + off);
		u32 rlen, roff, npfn, i;

		if (off + sizeof(*gr) > pkt_len)
			goto bad;
		rlen = le32_to_cpu(gr->len);
		roff = le32_to_cpu(gr->offset);
		if (roff >= PAGE_SIZE || !rlen)
			goto bad;
		npfn = DIV_ROUND_UP(roff + rlen, PAGE_SIZE);
		off += sizeof(*gr) + npfn * sizeof(u64);
		if (off > pkt_len || len + rlen > VSIM_STREAM_MAX)
			goto bad;
		for (i = 0; i < npfn && rlen; i++) {
			u64 pfn = le64_to_cpu(gr->pfn[i]);
			u32 n = min_t(u32, rlen, PAGE_SIZE - roff);
			void *va;

			if (!pfn_valid(pfn))
				goto bad;
			va = kmap_local_page(pfn_to_page(pfn));
			memcpy(vc->scratch + len, va + roff, n);
			kunmap_local(va);
			len += n;
			rlen -= n;
			roff = 0;
		}
	}
	return len;
bad:
	vsim_violation(nic, "bad page range %u of %u in a send", r, nranges);
	return -EINVAL;
}

/*
 * The cross_completions fault: every n-th send completion goes to the next
 * open channel instead of the one the send came on.  The caller holds the
 * RCU read lock (channel workers run with BHs off).
 */
static struct vsim_chan *vsim_comp_chan(struct vsim_chan *vc)
{
	struct vsim_nic *nic = vc->nic;
	u32 every = READ_ONCE(nic->fault_cross), n, i, idx;
	struct vsim_chan *to;

	if (!every || (u32)atomic_inc_return(&nic->cross_seq) % every)
		return vc;
	n = READ_ONCE(nic->subchans) + 1;
	for (i = 1; i < n; i++) {
		idx = (vc->index + i) % n;
		to = rcu_dereference(nic->chans[idx]);
		if (to && READ_ONCE(to->open)) {
			atomic64_inc(&nic->stats.completions_crossed);
			return to;
		}
	}
	return vc;
}

static void vsim_send_done(struct vsim_chan *vc, u64 trans_id, u32 status)
{
	struct vsim_nic *nic = vc->nic;
	struct nvsp_msg reply = {};
	u32 delay;

	if (atomic_dec_if_positive(&nic->fault_drop) >= 0) {
		atomic64_inc(&nic->stats.completions_dropped);
		return;
	}
	delay = READ_ONCE(nic->fault_delay_ms);
	if (delay) {
		struct vsim_delayed *d = kmalloc(sizeof(*d), GFP_ATOMIC);
		unsigned long flags;

		if (d) {
			d->due = jiffies + msecs_to_jiffies(delay);
			d->trans_id = trans_id;
			spin_lock_irqsave(&vc->in_lock, flags);
			list_add_tail(&d->node, &vc->delayed);
			spin_unlock_irqrestore(&vc->in_lock, flags);
			atomic64_inc(&nic->stats.completions_delayed);
			mod_delayed_work(vsim_wq, &vc->delay_work,
					 msecs_to_jiffies(delay));
			return;
		}
	}
	if (READ_ONCE(nic->fault_corrupt) == VSIM_CORRUPT_TRANS_ID &&
	    atomic_dec_if_positive(&nic->fault_corrupt_count) >= 0) {
		/* A completion for a transaction the guest never started */
		reply.type = cpu_to_le32(NVSP_RNDIS_PKT_DONE);
		reply.rndis_done.status = cpu_to_le32(NVSP_ST_SUCCESS);
		vsim_nvsp_reply(vc, 0x7ffffff0ULL, &reply);
		atomic64_inc(&nic->stats.corrupted);
	}
	reply.type = cpu_to_le32(NVSP_RNDIS_PKT_DONE);
	reply.rndis_done.status = cpu_to_le32(status);
	rcu_read_lock();
	vsim_nvsp_reply(vsim_comp_chan(vc), trans_id, &reply);
	rcu_read_unlock();
	atomic64_inc(&nic->stats.completions);
}

void vsim_delay_work(struct work_struct *work)
{
	struct vsim_chan *vc = container_of(to_delayed_work(work),
					    struct vsim_chan, delay_work);
	struct vsim_delayed *d, *dn;
	struct nvsp_msg reply = {};
	unsigned long flags, next = 0;
	LIST_HEAD(due);

	/* A message the fuzzer held back waits no longer than this */
	vsim_fuzz_release(vc);
	spin_lock_irqsave(&vc->in_lock, flags);
	list_for_each_entry_safe(d, dn, &vc->delayed, node) {
		if (time_after_eq(jiffies, d->due))
			list_move_tail(&d->node, &due);
		else if (!next || time_before(d->due, next))
			next = d->due;
	}
	spin_unlock_irqrestore(&vc->in_lock, flags);

	reply.type = cpu_to_le32(NVSP_RNDIS_PKT_DONE);
	reply.rndis_done.status = cpu_to_le32(NVSP_ST_SUCCESS);
	list_for_each_entry_safe(d, dn, &due, node) {
		vsim_nvsp_reply(vc, d->trans_id, &reply);
		atomic64_inc(&vc->nic->stats.completions);
		list_del(&d->node);
		kfree(d);
	}
	if (next)
		mod_delayed_work(vsim_wq, &vc->delay_work,
				 time_after(next, jiffies) ? next - jiffies : 0);
}

static void vsim_rndis_pkt(struct vsim_chan *vc, const struct vsim_desc *d,
			   const u8 *pkt, u32 pkt_len,
			   const struct nvsp_msg *msg, u32 msg_len)
{
	bool gpa = le16_to_cpu(d->type) == VSIM_PKT_GPA_DIRECT;
	struct vsim_nic *nic = vc->nic;
	u32 status = NVSP_ST_SUCCESS;
	int len;

	if (msg_len < 16) {
		vsim_violation(nic, "short RNDIS packet message");
		status = NVSP_ST_FAIL;
		goto done;
	}
	len = vsim_gather(vc, msg, pkt, pkt_len, gpa);
	if (len < 0) {
		status = NVSP_ST_FAIL;
		goto done;
	}
	if (le32_to_cpu(msg->rndis.channel_type) == 1) {
		if (vc->index)
			vsim_violation(nic, "RNDIS control on subchannel %u",
				       vc->index);
		vsim_rndis_control(vc, vc->scratch, len);
	} else {
		vsim_rndis_data(vc, vc->scratch, len);
	}
done:
	if (le16_to_cpu(d->flags) & VSIM_PKT_FLAG_COMP_REQ)
		vsim_send_done(vc, le64_to_cpu(d->trans_id), status);
	else
		vsim_violation(nic, "RNDIS packet without completion request");
}

static void vsim_nvsp(struct vsim_chan *vc, const struct vsim_desc *d,
		      const u8 *pkt, u32 pkt_len, const struct nvsp_msg *msg,
		      u32 msg_len)
{
	bool want_reply = le16_to_cpu(d->flags) & VSIM_PKT_FLAG_COMP_REQ;
	u64 tid = le64_to_cpu(d->trans_id);
	struct vsim_nic *nic = vc->nic;
	struct nvsp_msg reply = {};
	u32 type, ver, i, n;
	struct nvsp_msg m = {};

	/* Work on a zero-padded copy: short messages read as zeros */
	memcpy(&m, msg, min_t(u32, msg_len, sizeof(m)));
	type = le32_to_cpu(m.type);

	if (type != NVSP_RNDIS_PKT && type != NVSP_SUBCHANNEL &&
	    type != NVSP_SWITCH_PATH && vc->index) {
		vsim_violation(nic, "NVSP type %u on subchannel %u", type,
			       vc->index);
		goto reply_fail;
	}

	switch (type) {
	case NVSP_INIT:
		if (atomic_dec_if_positive(&nic->fault_early_xfer) >= 0)
			vsim_early_xfer(vc);
		ver = le32_to_cpu(m.init.max_ver);
		reply.type = cpu_to_le32(NVSP_INIT_DONE);
		reply.init_done.max_mdl_chain = cpu_to_le32(34);
		reply.init_done.status = cpu_to_le32(NVSP_ST_FAIL);
		if (!nic->init_refused)
			nic->init_refused = vsim_step_fails(nic,
							    VSIM_STEP_NVSP_INIT);
		for (i = 0; !nic->init_refused &&
		     i < ARRAY_SIZE(vsim_versions); i++) {
			if (vsim_versions[i] == ver && ver <= nic->nvsp_max) {
				nic->nvsp_ver = ver;
				reply.init_done.negotiated = cpu_to_le32(ver);
				reply.init_done.status =
					cpu_to_le32(NVSP_ST_SUCCESS);
			}
		}
		break;
	case NVSP_NDIS_CONFIG:
		if (nic->nvsp_ver < NVSP_V2)
			vsim_violation(nic, "NDIS config before NVSP 2");
		nic->ndis_mtu = le32_to_cpu(m.ndis_config.mtu);
		if (nic->ndis_mtu < ETH_ZLEN || nic->ndis_mtu > 65535 + 14)
			vsim_violation(nic, "NDIS config MTU %u",
				       nic->ndis_mtu);
		vsim_vf_ndis_config(nic, le64_to_cpu(m.ndis_config.caps));
		break;
	case NVSP_NDIS_VER:
		if (!nic->nvsp_ver)
			vsim_violation(nic, "NDIS version before NVSP init");
		break;
	case NVSP_RECV_BUF:
		/*
		 * The channel work runs the ring with bottom halves off (see
		 * vsim_chan_work()); the section map is allocated with
		 * GFP_KERNEL and may sleep, so they come back on for it.
		 */
		local_bh_enable();
		reply.recv_done.status = cpu_to_le32(vsim_recv_buf(nic, &m,
								   &reply));
		local_bh_disable();
		break;
	case NVSP_SEND_BUF:
		reply.send_done.status = cpu_to_le32(vsim_send_buf(nic, &m,
								   &reply));
		break;
	case NVSP_REVOKE_RECV_BUF:
		vsim_rbuf_detach(nic);
		break;
	case NVSP_REVOKE_SEND_BUF:
		nic->sbuf = NULL;
		nic->ssec_count = 0;
		nic->sbuf_gone_why = VSIM_SBUF_REVOKED;
		nic->sbuf_gone_at = jiffies;
		break;
	case NVSP_RNDIS_PKT:
		vsim_rndis_pkt(vc, d, pkt, pkt_len, msg, msg_len);
		return;
	case NVSP_SUBCHANNEL:
		reply.type = cpu_to_le32(NVSP_SUBCHANNEL);
		reply.subchan_done.status = cpu_to_le32(NVSP_ST_FAIL);
		if (vc->index || nic->nvsp_ver < NVSP_V5 ||
		    le32_to_cpu(m.subchan.op) != 1) {
			vsim_violation(nic, "subchannel request op %u at NVSP %#x",
				       le32_to_cpu(m.subchan.op),
				       nic->nvsp_ver);
			break;
		}
		n = min3(le32_to_cpu(m.subchan.num), nic->max_queues - 1,
			 (u32)VSIM_MAX_QUEUES);
		if (nic->subchans) {
			vsim_violation(nic, "subchannels requested twice");
			break;
		}
		if (atomic_dec_if_positive(&nic->fault_refuse_subchannels) >= 0) {
			atomic64_inc(&nic->stats.refused_subchannels);
			break;
		}
		reply.subchan_done.status = cpu_to_le32(NVSP_ST_SUCCESS);
		reply.subchan_done.num = cpu_to_le32(n);
		nic->offer_count = n;
		vsim_nvsp_reply(vc, tid, &reply);
		queue_work(vsim_wq, &nic->offer_work);
		return;
	case NVSP_SWITCH_PATH:
		vsim_vf_switch(vc, le32_to_cpu(m.path.path), want_reply, tid);
		return;
	default:
		vsim_violation(nic, "unknown NVSP message type %u", type);
		goto reply_fail;
	}

	if (!want_reply)
		return;
	if (!reply.type) {
		vsim_violation(nic, "completion requested for NVSP type %u",
			       type);
		reply.type = m.type;
	}
	vsim_nvsp_reply(vc, tid, &reply);
	return;

reply_fail:
	if (want_reply) {
		reply.type = m.type;
		reply.raw[0] = NVSP_ST_FAIL;
		vsim_nvsp_reply(vc, tid, &reply);
	}
}

/* One packet from the guest; @len and @off were checked by the caller */
static void vsim_packet(struct vsim_chan *vc, const u8 *pkt, u32 len, u32 off)
{
	const struct vsim_desc *d = (const void *)pkt;
	const struct nvsp_msg *msg = (const void *)(pkt + off);
	u32 msg_len = len - off;

	switch (le16_to_cpu(d->type)) {
	case VSIM_PKT_COMP:
		vsim_rx_complete(vc, le64_to_cpu(d->trans_id), msg, msg_len);
		break;
	case VSIM_PKT_INBAND:
	case VSIM_PKT_GPA_DIRECT:
		if (msg_len < NVSP_MIN_LEN) {
			vsim_violation(vc->nic, "NVSP message of %u bytes",
				       msg_len);
			break;
		}
		if (le16_to_cpu(d->type) == VSIM_PKT_GPA_DIRECT &&
		    (off < sizeof(struct vsim_gpa_hdr) ||
		     le32_to_cpu(msg->type) != NVSP_RNDIS_PKT)) {
			vsim_violation(vc->nic, "page-range packet of NVSP type %u",
				       le32_to_cpu(msg->type));
			break;
		}
		vsim_nvsp(vc, d, pkt, off, msg, msg_len);
		break;
	default:
		vsim_violation(vc->nic, "VMBus packet type %u",
			       le16_to_cpu(d->type));
	}
}

void vsim_chan_work(struct work_struct *work)
{
	struct vsim_chan *vc = container_of(work, struct vsim_chan, work);
	struct vsim_nic *nic = vc->nic;
	struct hv_ring_buffer *rb;
	int budget = VSIM_BUDGET;
	u32 dsize, rd, wr;

	if (!READ_ONCE(vc->open))
		return;
	vsim_chan_flush(vc);
	if (READ_ONCE(nic->fault_hold))
		return;

	rb = vc->ch->outbound.ring_buffer;
	dsize = vc->ch->outbound.ring_datasize;

	/* Let the guest's NAPI run once per batch, not once per packet */
	local_bh_disable();
	while (budget--) {
		u32 avail, len, off;
		const u8 *pkt;

		rd = rb->read_index;
		/* Pairs with the guest's release: the packet is written */
		wr = smp_load_acquire(&rb->write_index);
		if (rd == wr)
			break;
		if (wr >= dsize || rd >= dsize) {
			vsim_violation(nic, "outbound write index %u", wr);
			break;
		}
		avail = wr > rd ? wr - rd : dsize - rd + wr;
		pkt = rb->buffer + rd;
		len = le16_to_cpu(((const struct vsim_desc *)pkt)->len8) << 3;
		off = le16_to_cpu(((const struct vsim_desc *)pkt)->offset8) << 3;
		if (avail < sizeof(struct vsim_desc) + 8 ||
		    len < sizeof(struct vsim_desc) || len + 8 > avail ||
		    off < sizeof(struct vsim_desc) || off > len) {
			vsim_violation(nic, "malformed descriptor len %u off %u",
				       len, off);
			/* Lost sync with the guest: skip what is there */
			smp_store_release(&rb->read_index, wr);
			break;
		}
		vsim_packet(vc, pkt, len, off);
		rd += len + 8;
		if (rd >= dsize)
			rd -= dsize;
		/* The packet is consumed: the guest may reuse the space */
		smp_store_release(&rb->read_index, rd);
	}
	local_bh_enable();
	if (budget < 0)
		vsim_chan_kick(vc);
}
