// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus_sim: a seeded fuzzer of what the host sends the guest.
 *
 * Every host-to-guest VMBus packet passes vsim_fuzz_send(), and every
 * receive section passes vsim_fuzz_rx() before its transfer-page packet is
 * posted.  Each message is put in a class and numbered within it.  Whether
 * and how it is mutated depends only on the NIC's seed, the NIC number, the
 * class and that number: the same seed and the same messages give the same
 * mutations.  Only copies are changed, or the simulator's own receive
 * section within the message's length; the simulator never reads back what
 * it mutated, so no mutated length can make it overrun a buffer.
 */
#include <linux/bitops.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vsim.h"

/* Fields a message may offer for mutation */
#define VSIM_FF_MAX		32
/* Largest packet mutated: the biggest the simulator builds */
#define VSIM_FUZZ_PKT_MAX	160
/* How long a message held back for reordering may wait for the next */
#define VSIM_FUZZ_HOLD_MS	20
/* How late a delayed subchannel offer comes */
#define VSIM_FUZZ_OFFER_MS	500

enum vsim_fuzz_kind {
	VSIM_FK_FLIP,		/* one bit flipped */
	VSIM_FK_ZERO,
	VSIM_FK_ONE,
	VSIM_FK_MAX,		/* the largest valid value */
	VSIM_FK_MAX1,		/* one past it */
	VSIM_FK_ONES,		/* every bit of the field set */
	VSIM_FK_INC,		/* off by one, either way */
	VSIM_FK_DEC,
	VSIM_FK_HALF,		/* truncated */
	VSIM_FK_RANDOM,
	VSIM_FK_VALUES,		/* the kinds above rewrite one field */
	VSIM_FK_SWAP = VSIM_FK_VALUES,	/* sent after the next message */
	VSIM_FK_DUP,		/* sent twice */
	VSIM_FK_OTHERQ,		/* sent on another channel */
	VSIM_FK_LATE,		/* a value kind written after posting */
	VSIM_FK_SKIP,		/* a subchannel never offered */
	VSIM_FK_DELAY,		/* a subchannel offered late */
	VSIM_FK_NR,
};

static const char * const vsim_fuzz_kind_names[VSIM_FK_NR] = {
	[VSIM_FK_FLIP] = "flip", [VSIM_FK_ZERO] = "zero",
	[VSIM_FK_ONE] = "one", [VSIM_FK_MAX] = "max",
	[VSIM_FK_MAX1] = "max+1", [VSIM_FK_ONES] = "ones",
	[VSIM_FK_INC] = "+1", [VSIM_FK_DEC] = "-1",
	[VSIM_FK_HALF] = "half", [VSIM_FK_RANDOM] = "random",
	[VSIM_FK_SWAP] = "swap-next", [VSIM_FK_DUP] = "dup",
	[VSIM_FK_OTHERQ] = "other-queue", [VSIM_FK_LATE] = "late",
	[VSIM_FK_SKIP] = "skip", [VSIM_FK_DELAY] = "delay",
};

const char * const vsim_fuzz_class_names[VSIM_FC_MAX] = {
	[VSIM_FC_NVSP] = "nvsp", [VSIM_FC_TXCOMP] = "txcomp",
	[VSIM_FC_XFER] = "xfer", [VSIM_FC_RNDIS] = "rndis",
	[VSIM_FC_INDICATE] = "indicate", [VSIM_FC_TABLE] = "send_table",
	[VSIM_FC_VF] = "vf", [VSIM_FC_PPI] = "ppi",
	[VSIM_FC_OFFER] = "offer",
};

/* One field of a message: where it is and what its largest valid value is */
struct vsim_ff {
	const char *name;
	u32 bound;		/* 0: the largest value the field holds */
	u16 off;
	u8 size;		/* 1, 2, 4 or 8 bytes, little-endian */
	s8 idx;			/* array index, -1 if none */
};

struct vsim_ffs {
	struct vsim_ff f[VSIM_FF_MAX];
	u32 n;
	u32 len;		/* bytes of the message the fields lie in */
};

struct vsim_fuzz_plan {
	const struct vsim_ff *f;	/* NULL for an action */
	u64 seq;
	u64 old;
	u64 val;
	u64 r;			/* spare randomness for an action */
	u32 kind;
	bool late;
};

/* splitmix64: the finaliser, then the stepping generator built on it */
static u64 vsim_mix(u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 vsim_next(u64 *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return vsim_mix(*state);
}

static u64 vsim_get(const u8 *p, u32 size)
{
	switch (size) {
	case 1:
		return *p;
	case 2:
		return get_unaligned_le16(p);
	case 4:
		return get_unaligned_le32(p);
	default:
		return get_unaligned_le64(p);
	}
}

static void vsim_put(u8 *p, u32 size, u64 v)
{
	switch (size) {
	case 1:
		*p = v;
		break;
	case 2:
		put_unaligned_le16(v, p);
		break;
	case 4:
		put_unaligned_le32(v, p);
		break;
	default:
		put_unaligned_le64(v, p);
	}
}

/* Offer a field; one that does not lie wholly in the message is left out */
static void ff_add(struct vsim_ffs *s, const char *name, u32 off, u32 size,
		   u32 bound, int idx)
{
	struct vsim_ff *f;

	if (s->n == VSIM_FF_MAX || off > s->len || size > s->len - off)
		return;
	f = &s->f[s->n++];
	f->name = name;
	f->off = off;
	f->size = size;
	f->bound = bound;
	f->idx = idx;
}

/* Fields of a packet the simulator builds: descriptor, then NVSP */
static void vsim_fuzz_pkt_fields(struct vsim_chan *vc, u32 class,
				 const u8 *pkt, struct vsim_ffs *s)
{
	struct vsim_nic *nic = vc->nic;
	u32 type = s->len >= 20 ? get_unaligned_le32(pkt + 16) : 0, i;

	ff_add(s, "trans_id", 8, 8, 0, -1);
	ff_add(s, "desc.offset8", 2, 2, s->len >> 3, -1);
	switch (class) {
	case VSIM_FC_XFER:
		ff_add(s, "pageset_id", 16, 2, 0, -1);
		ff_add(s, "sender_owns", 18, 1, 1, -1);
		ff_add(s, "range_count", 20, 4, 1, -1);
		ff_add(s, "range.count", 24, 4, nic->rsec_size, 0);
		ff_add(s, "range.offset", 28, 4, nic->rbuf_size, 0);
		ff_add(s, "nvsp.type", 32, 4, 0, -1);
		return;
	case VSIM_FC_TXCOMP:
		ff_add(s, "nvsp.type", 16, 4, 0, -1);
		ff_add(s, "status", 20, 4, NVSP_ST_FAIL, -1);
		return;
	case VSIM_FC_TABLE:
		ff_add(s, "nvsp.type", 16, 4, 0, -1);
		ff_add(s, "count", 20, 4, NVSP_SEND_TABLE_SIZE, -1);
		ff_add(s, "offset", 24, 4, s->len - 16, -1);
		for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
			ff_add(s, "entry", 28 + 4 * i, 4, nic->subchans, i);
		return;
	case VSIM_FC_VF:
		ff_add(s, "nvsp.type", 16, 4, 0, -1);
		ff_add(s, "allocated", 20, 4, 1, -1);
		ff_add(s, "serial", 24, 4, 0, -1);
		return;
	}
	/* NVSP control completions */
	ff_add(s, "nvsp.type", 16, 4, 0, -1);
	switch (type) {
	case NVSP_INIT_DONE:
		ff_add(s, "negotiated", 20, 4, NVSP_V61, -1);
		ff_add(s, "max_mdl_chain", 24, 4, 0, -1);
		ff_add(s, "status", 28, 4, NVSP_ST_FAIL, -1);
		break;
	case NVSP_RECV_BUF_DONE:
		ff_add(s, "status", 20, 4, NVSP_ST_FAIL, -1);
		ff_add(s, "num_sections", 24, 4, 1, -1);
		ff_add(s, "section.offset", 28, 4, nic->rbuf_size, -1);
		ff_add(s, "sub_alloc_size", 32, 4, nic->rbuf_size, -1);
		ff_add(s, "num_sub_allocs", 36, 4, nic->rsec_count, -1);
		ff_add(s, "end_offset", 40, 4, nic->rbuf_size, -1);
		break;
	case NVSP_SEND_BUF_DONE:
		ff_add(s, "status", 20, 4, NVSP_ST_FAIL, -1);
		ff_add(s, "section_size", 24, 4, nic->sbuf_size, -1);
		break;
	case NVSP_SUBCHANNEL:
		ff_add(s, "status", 20, 4, NVSP_ST_FAIL, -1);
		ff_add(s, "num", 24, 4, nic->max_queues - 1, -1);
		break;
	}
}

/* Fields of an RNDIS message in a receive section (offsets from its start) */
static void vsim_fuzz_rx_fields(u32 class, const u8 *msg, struct vsim_ffs *s)
{
	u32 len = s->len, type = get_unaligned_le32(msg), n, o, end, i;

	ff_add(s, "rndis.type", 0, 4, 0, -1);
	ff_add(s, "rndis.len", 4, 4, len, -1);
	if (class == VSIM_FC_PPI) {
		ff_add(s, "data_offset", 8, 4, len - 8, -1);
		ff_add(s, "data_len", 12, 4, len - 8, -1);
		ff_add(s, "oob_offset", 16, 4, len - 8, -1);
		ff_add(s, "oob_len", 20, 4, len - 8, -1);
		ff_add(s, "oob_count", 24, 4, 0, -1);
		ff_add(s, "ppi_offset", 28, 4, len - 8, -1);
		ff_add(s, "ppi_len", 32, 4, len - 8, -1);
		/* Walk the simulator's own PPIs, bounded by the message */
		o = 8 + get_unaligned_le32(msg + 28);
		n = get_unaligned_le32(msg + 32);
		if (!n || o > len || n > len - o)
			return;
		end = o + n;
		for (i = 0; o + sizeof(struct rndis_ppi) <= end; i++) {
			u32 size = get_unaligned_le32(msg + o);

			ff_add(s, "ppi.size", o, 4, end - o, i);
			ff_add(s, "ppi.type", o + 4, 4, 0, i);
			ff_add(s, "ppi.offset", o + 8, 4, size, i);
			ff_add(s, "ppi.value", o + 12, 4, 0, i);
			if (size < sizeof(struct rndis_ppi))
				break;
			o += size;
		}
		return;
	}
	if (class == VSIM_FC_INDICATE) {
		ff_add(s, "status", 8, 4, 0, -1);
		ff_add(s, "buf_len", 12, 4, len - 8, -1);
		ff_add(s, "buf_offset", 16, 4, len - 8, -1);
		if (get_unaligned_le32(msg + 12) == 4)
			ff_add(s, "link_speed", 20, 4, 0, -1);
		return;
	}
	ff_add(s, "req_id", 8, 4, 0, -1);
	ff_add(s, "status", 12, 4, 0, -1);
	if (type == (RNDIS_INIT | RNDIS_DONE)) {
		ff_add(s, "major", 16, 4, 1, -1);
		ff_add(s, "minor", 20, 4, 0, -1);
		ff_add(s, "dev_flags", 24, 4, 1, -1);
		ff_add(s, "medium", 28, 4, 0, -1);
		ff_add(s, "max_pkts", 32, 4, 0, -1);
		ff_add(s, "max_xfer", 36, 4, 0, -1);
		ff_add(s, "align_shift", 40, 4, 0, -1);
		ff_add(s, "af_list_offset", 44, 4, len, -1);
		ff_add(s, "af_list_size", 48, 4, len, -1);
		return;
	}
	if (type != (RNDIS_QUERY | RNDIS_DONE))
		return;
	n = get_unaligned_le32(msg + 16);
	ff_add(s, "buf_len", 16, 4, len - 8, -1);
	ff_add(s, "buf_offset", 20, 4, len - 8, -1);
	/* The answer does not name its OID: tell them apart by shape */
	o = 8 + get_unaligned_le32(msg + 20);
	if (!n || o > len || n > len - o)
		return;
	if (n == ETH_ALEN) {
		for (i = 0; i < ETH_ALEN; i++)
			ff_add(s, "mac", o + i, 1, 0, i);
	} else if (n == sizeof(u32)) {
		ff_add(s, "value", o, 4, 0, -1);
	} else if (msg[o] == NDIS_OBJ_OFFLOAD) {
		ff_add(s, "offload.type", o, 1, 0, -1);
		ff_add(s, "offload.revision", o + 1, 1, 3, -1);
		ff_add(s, "offload.size", o + 2, 2, n, -1);
		ff_add(s, "offload.v4_tx_csum", o + 8, 4, 0, -1);
		ff_add(s, "offload.v4_rx_csum", o + 16, 4, 0, -1);
		ff_add(s, "offload.v6_tx_csum", o + 24, 4, 0, -1);
		ff_add(s, "offload.lso4_encap", o + 80, 4, 0, -1);
		ff_add(s, "offload.lso4_max", o + 84, 4, 0, -1);
		ff_add(s, "offload.lso4_min_segs", o + 88, 4, 0, -1);
		ff_add(s, "offload.lso6_max", o + 96, 4, 0, -1);
		ff_add(s, "offload.lso6_min_segs", o + 100, 4, 0, -1);
		ff_add(s, "offload.lso6_opts", o + 104, 4, 0, -1);
	} else if (msg[o] == NDIS_OBJ_RSS_CAPS) {
		ff_add(s, "rss.type", o, 1, 0, -1);
		ff_add(s, "rss.revision", o + 1, 1, 2, -1);
		ff_add(s, "rss.size", o + 2, 2, n, -1);
		ff_add(s, "rss.cap_flags", o + 4, 4, 0, -1);
		ff_add(s, "rss.num_int_msg", o + 8, 4, 0, -1);
		ff_add(s, "rss.num_queues", o + 12, 4, VSIM_MAX_QUEUES, -1);
		ff_add(s, "rss.table_entries", o + 16, 2, RSS_TABLE_MAX, -1);
	} else if (n >= 2) {
		/* The friendly name: a character and the terminating NUL */
		ff_add(s, "name", o, 2, 0, 0);
		ff_add(s, "name.nul", o + n - 2, 2, 0, -1);
	}
}

static u64 vsim_fuzz_value(u32 kind, u64 old, const struct vsim_ff *f, u64 r)
{
	u64 mask = f->size == 8 ? U64_MAX : BIT_ULL(8 * f->size) - 1;
	u64 max = f->bound ? f->bound : mask, v;

	switch (kind) {
	case VSIM_FK_FLIP:
		v = old ^ BIT_ULL(r % (8 * f->size));
		break;
	case VSIM_FK_ZERO:
		v = 0;
		break;
	case VSIM_FK_ONE:
		v = 1;
		break;
	case VSIM_FK_MAX:
		v = max;
		break;
	case VSIM_FK_MAX1:
		v = max + 1;
		break;
	case VSIM_FK_ONES:
		v = mask;
		break;
	case VSIM_FK_INC:
		v = old + 1;
		break;
	case VSIM_FK_DEC:
		v = old - 1;
		break;
	case VSIM_FK_HALF:
		v = old / 2;
		break;
	default:
		v = r;
	}
	v &= mask;
	/* A mutation always changes the message */
	return v == old ? old ^ 1 : v;
}

/*
 * Number this message in its class and say whether it is to be mutated;
 * when it is, @state is the generator for the choices that follow.
 */
static bool vsim_fuzz_roll(struct vsim_nic *nic, u32 class,
			   struct vsim_fuzz_plan *p, u64 *state)
{
	struct vsim_fuzz *fz = &nic->fuzz;
	u32 rate = READ_ONCE(fz->rate);

	/* Only what the fuzzer saw is counted and numbered */
	if (!rate)
		return false;
	p->seq = atomic64_inc_return(&fz->seen[class]) - 1;
	if (!(READ_ONCE(fz->classes) & BIT(class)))
		return false;
	*state = vsim_mix(READ_ONCE(fz->seed)) ^
		 vsim_mix((u64)nic->id << 56 | (u64)class << 48 | p->seq);
	return vsim_next(state) % rate == 0;
}

/* Choose the mutation: a value for one of @s's fields, or an action */
static bool vsim_fuzz_pick(u64 *state, const u8 *msg,
			   const struct vsim_ffs *s, u32 actions,
			   struct vsim_fuzz_plan *p)
{
	u32 values = s->n ? VSIM_FK_VALUES : 0, k, kind = 0;
	unsigned long acts = actions;

	if (!s->n)
		acts &= ~BIT(VSIM_FK_LATE);
	if (!values && !acts)
		return false;
	k = vsim_next(state) % (values + hweight_long(acts));
	p->late = false;
	p->f = NULL;
	if (k >= values) {
		k -= values;
		for_each_set_bit(kind, &acts, VSIM_FK_NR)
			if (!k--)
				break;
		p->r = vsim_next(state);
		if (kind != VSIM_FK_LATE) {
			p->kind = kind;
			return true;
		}
		p->late = true;
		k = vsim_next(state) % VSIM_FK_VALUES;
	}
	p->kind = k;
	p->f = &s->f[vsim_next(state) % s->n];
	p->old = vsim_get(msg + p->f->off, p->f->size);
	p->val = vsim_fuzz_value(k, p->old, p->f, vsim_next(state));
	return true;
}

static int vsim_fuzz_fmt(char *buf, size_t size, int nic,
			 const struct vsim_fuzz_rec *r)
{
	int n;

	n = scnprintf(buf, size, "nic%d %s #%llu q%u ", nic,
		      vsim_fuzz_class_names[r->class], r->seq, r->queue);
	if (r->kind == VSIM_FK_OTHERQ)
		return n + scnprintf(buf + n, size - n, "%s -> q%llu\n",
				     vsim_fuzz_kind_names[r->kind], r->val);
	if (!r->field)
		return n + scnprintf(buf + n, size - n, "%s\n",
				     vsim_fuzz_kind_names[r->kind]);
	n += scnprintf(buf + n, size - n, "%s", r->field);
	if (r->idx >= 0)
		n += scnprintf(buf + n, size - n, "[%d]", r->idx);
	return n + scnprintf(buf + n, size - n, " %s%s %#llx -> %#llx\n",
			     r->late ? "late " : "",
			     vsim_fuzz_kind_names[r->kind], r->old, r->val);
}

/* Count and log one mutation that was made */
static void vsim_fuzz_note(struct vsim_nic *nic, u32 class, u16 queue,
			   const struct vsim_fuzz_plan *p)
{
	struct vsim_fuzz *fz = &nic->fuzz;
	struct vsim_fuzz_rec rec = {
		.seq = p->seq, .old = p->old, .val = p->val,
		.field = p->f ? p->f->name : NULL, .idx = p->f ? p->f->idx : -1,
		.class = class, .kind = p->kind, .late = p->late,
		.queue = queue,
	};
	unsigned long flags;
	char line[160];

	atomic64_inc(&fz->mutated[class]);
	spin_lock_irqsave(&fz->log_lock, flags);
	if (fz->log)
		fz->log[fz->log_total % VSIM_FUZZ_LOG_LEN] = rec;
	fz->log_total++;
	spin_unlock_irqrestore(&fz->log_lock, flags);
	if (__ratelimit(&fz->rs)) {
		vsim_fuzz_fmt(line, sizeof(line), nic->id, &rec);
		pr_info("hv_vmbus_sim: fuzz %s", line);
	}
}

/* Keep @pkt back until the next message on @vc has gone, or a moment */
static bool vsim_fuzz_hold(struct vsim_chan *vc, const void *pkt, u32 len)
{
	struct vsim_msg *m = kmalloc(sizeof(*m) + len, GFP_ATOMIC);
	unsigned long flags;
	bool held = false;

	if (!m)
		return false;
	m->len = len;
	memcpy(m->data, pkt, len);
	spin_lock_irqsave(&vc->in_lock, flags);
	if (vc->open && !vc->fuzz_held) {
		vc->fuzz_held = m;
		held = true;
		/* Under in_lock: a closed channel is never rearmed */
		mod_delayed_work(vsim_wq, &vc->delay_work,
				 msecs_to_jiffies(VSIM_FUZZ_HOLD_MS));
	}
	spin_unlock_irqrestore(&vc->in_lock, flags);
	if (!held)
		kfree(m);
	return held;
}

/**
 * vsim_fuzz_release() - send the message held back for reordering, if any
 * @vc: the channel
 */
void vsim_fuzz_release(struct vsim_chan *vc)
{
	struct vsim_msg *m;
	unsigned long flags;

	if (!READ_ONCE(vc->fuzz_held))
		return;
	spin_lock_irqsave(&vc->in_lock, flags);
	m = vc->fuzz_held;
	vc->fuzz_held = NULL;
	spin_unlock_irqrestore(&vc->in_lock, flags);
	if (m) {
		vsim_host_write(vc, m->data, m->len);
		kfree(m);
	}
}

/* Send on another open channel of the NIC; returns its index, or -1 */
static int vsim_fuzz_otherq(struct vsim_chan *vc, const void *pkt, u32 len,
			    u64 r)
{
	struct vsim_nic *nic = vc->nic;
	struct vsim_chan *o = NULL;
	u32 i, q = 0;

	rcu_read_lock();
	for (i = 0; i <= VSIM_MAX_QUEUES && !o; i++) {
		q = (r + i) % (VSIM_MAX_QUEUES + 1);
		o = q == vc->index ? NULL : rcu_dereference(nic->chans[q]);
	}
	if (o)
		vsim_host_write(o, pkt, len);
	rcu_read_unlock();
	return o ? q : -1;
}

static u32 vsim_fuzz_classify(const u8 *pkt, u32 len)
{
	u16 type = get_unaligned_le16(pkt);
	u32 nvsp = len >= 20 ? get_unaligned_le32(pkt + 16) : 0;

	if (type == VSIM_PKT_XFER_PAGES)
		return VSIM_FC_XFER;
	if (type == VSIM_PKT_COMP)
		return nvsp == NVSP_RNDIS_PKT_DONE ? VSIM_FC_TXCOMP :
						     VSIM_FC_NVSP;
	if (nvsp == NVSP_SEND_TABLE)
		return VSIM_FC_TABLE;
	return nvsp == NVSP_VF_ASSOC ? VSIM_FC_VF : VSIM_FC_NVSP;
}

/**
 * vsim_fuzz_send() - send one host-to-guest packet through the fuzzer
 * @vc: the channel
 * @pkt: descriptor and body, as vsim_host_write() takes them
 * @len: bytes, 8-byte aligned
 *
 * Return: what writing the packet returned; 0 when it was held back.
 */
int vsim_fuzz_send(struct vsim_chan *vc, const void *pkt, u32 len)
{
	struct vsim_nic *nic = vc->nic;
	u8 copy[VSIM_FUZZ_PKT_MAX];
	struct vsim_fuzz_plan p;
	u32 class, actions;
	struct vsim_ffs s;
	u64 state;
	int err, q;

	if (len < sizeof(struct vsim_desc)) {
		err = vsim_host_write(vc, pkt, len);
		goto release;
	}
	class = vsim_fuzz_classify(pkt, len);
	if (!vsim_fuzz_roll(nic, class, &p, &state) || len > sizeof(copy)) {
		err = vsim_host_write(vc, pkt, len);
		goto release;
	}
	s.n = 0;
	s.len = len;
	vsim_fuzz_pkt_fields(vc, class, pkt, &s);
	actions = BIT(VSIM_FK_SWAP) | BIT(VSIM_FK_DUP);
	if (class == VSIM_FC_TXCOMP && atomic_read(&nic->open_chans) > 1)
		actions |= BIT(VSIM_FK_OTHERQ);
	vsim_fuzz_pick(&state, pkt, &s, actions, &p);
	p.old = p.f ? p.old : vc->index;

	switch (p.kind) {
	case VSIM_FK_SWAP:
		/* Whatever was held goes first: only one waits at a time */
		vsim_fuzz_release(vc);
		if (!vsim_fuzz_hold(vc, pkt, len))
			return vsim_host_write(vc, pkt, len);
		vsim_fuzz_note(nic, class, vc->index, &p);
		return 0;
	case VSIM_FK_DUP:
		err = vsim_host_write(vc, pkt, len);
		if (!err)
			err = vsim_host_write(vc, pkt, len);
		break;
	case VSIM_FK_OTHERQ:
		q = vsim_fuzz_otherq(vc, pkt, len, p.r);
		if (q >= 0) {
			p.val = q;
			vsim_fuzz_note(nic, class, vc->index, &p);
			err = 0;
			goto release;
		}
		err = vsim_host_write(vc, pkt, len);
		goto release;
	default:
		memcpy(copy, pkt, len);
		vsim_put(copy + p.f->off, p.f->size, p.val);
		err = vsim_host_write(vc, copy, len);
	}
	vsim_fuzz_note(nic, class, vc->index, &p);
release:
	vsim_fuzz_release(vc);
	return err;
}

/**
 * vsim_fuzz_offer() - decide what becomes of one subchannel offer
 * @nic: the NIC
 * @index: the subchannel's number
 *
 * Process context: a late offer waits here.
 *
 * Return: 0 to offer it, -ENODEV to skip it.
 */
int vsim_fuzz_offer(struct vsim_nic *nic, u32 index)
{
	struct vsim_fuzz_plan p = {};
	u64 state;

	if (!vsim_fuzz_roll(nic, VSIM_FC_OFFER, &p, &state))
		return 0;
	p.kind = vsim_next(&state) & 1 ? VSIM_FK_SKIP : VSIM_FK_DELAY;
	p.old = index;
	vsim_fuzz_note(nic, VSIM_FC_OFFER, index, &p);
	if (p.kind == VSIM_FK_SKIP)
		return -ENODEV;
	msleep(VSIM_FUZZ_OFFER_MS);
	return 0;
}

/**
 * vsim_fuzz_rx() - mutate an RNDIS message in its receive section
 * @vc: the channel its transfer-page packet goes out on
 * @cookie: the section, as vsim_rx_alloc() gave it
 * @len: bytes of the message
 * @late: set to a write to make once the packet is posted, if any
 */
void vsim_fuzz_rx(struct vsim_chan *vc, u64 cookie, u32 len,
		  struct vsim_fuzz_late *late)
{
	struct vsim_nic *nic = vc->nic;
	struct vsim_fuzz_plan p;
	bool picked = false;
	unsigned long flags;
	struct vsim_ffs s;
	u32 class, off;
	u64 state;
	u8 *msg;

	late->size = 0;
	spin_lock_irqsave(&nic->rbuf_lock, flags);
	msg = vsim_rx_section(nic, cookie, &off);
	if (!msg || len < sizeof(struct rndis_hdr) || len > nic->rsec_size)
		goto unlock;
	switch (get_unaligned_le32(msg)) {
	case RNDIS_PACKET:
		class = VSIM_FC_PPI;
		break;
	case RNDIS_INDICATE:
		class = VSIM_FC_INDICATE;
		break;
	default:
		class = VSIM_FC_RNDIS;
	}
	if (!vsim_fuzz_roll(nic, class, &p, &state))
		goto unlock;
	s.n = 0;
	s.len = len;
	vsim_fuzz_rx_fields(class, msg, &s);
	picked = vsim_fuzz_pick(&state, msg, &s, BIT(VSIM_FK_LATE), &p);
	if (!picked)
		goto unlock;
	if (p.late) {
		late->off = p.f->off;
		late->size = p.f->size;
		late->val = p.val;
	} else {
		vsim_put(msg + p.f->off, p.f->size, p.val);
	}
unlock:
	spin_unlock_irqrestore(&nic->rbuf_lock, flags);
	if (picked)
		vsim_fuzz_note(nic, class, vc->index, &p);
}

/**
 * vsim_fuzz_rx_late() - rewrite a field of a section the guest was given
 * @nic: the NIC
 * @cookie: the section
 * @late: what vsim_fuzz_rx() asked for
 *
 * Only while the section is still the guest's: once completed it may hold
 * another message, or belong to a buffer the guest has taken back.
 */
void vsim_fuzz_rx_late(struct vsim_nic *nic, u64 cookie,
		       const struct vsim_fuzz_late *late)
{
	unsigned long flags;
	u32 off;
	u8 *msg;

	if (!late->size)
		return;
	spin_lock_irqsave(&nic->rbuf_lock, flags);
	msg = vsim_rx_section(nic, cookie, &off);
	if (msg && late->off + late->size <= nic->rsec_size)
		vsim_put(msg + late->off, late->size, late->val);
	spin_unlock_irqrestore(&nic->rbuf_lock, flags);
}

/**
 * vsim_fuzz_reset() - start over with a seed: numbering, counters, log
 * @nic: the NIC
 * @seed: the new seed
 */
void vsim_fuzz_reset(struct vsim_nic *nic, u64 seed)
{
	struct vsim_fuzz *fz = &nic->fuzz;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&fz->log_lock, flags);
	WRITE_ONCE(fz->seed, seed);
	for (i = 0; i < VSIM_FC_MAX; i++) {
		atomic64_set(&fz->seen[i], 0);
		atomic64_set(&fz->mutated[i], 0);
	}
	fz->log_total = 0;
	spin_unlock_irqrestore(&fz->log_lock, flags);
}

/**
 * vsim_fuzz_log_text() - the log as text, oldest mutation first
 * @nic: the NIC
 * @text: set to a kvmalloc'ed buffer the caller frees
 * @len: set to its length
 *
 * Return: 0 or -ENOMEM.
 */
int vsim_fuzz_log_text(struct vsim_nic *nic, char **text, size_t *len)
{
	struct vsim_fuzz *fz = &nic->fuzz;
	struct vsim_fuzz_rec *recs;
	u64 total, first, i;
	unsigned long flags;
	size_t size, n = 0;
	char *buf;

	recs = kvmalloc_array(VSIM_FUZZ_LOG_LEN, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	spin_lock_irqsave(&fz->log_lock, flags);
	total = fz->log_total;
	if (fz->log)
		memcpy(recs, fz->log, VSIM_FUZZ_LOG_LEN * sizeof(*recs));
	spin_unlock_irqrestore(&fz->log_lock, flags);

	first = total > VSIM_FUZZ_LOG_LEN ? total - VSIM_FUZZ_LOG_LEN : 0;
	size = 64 + (total - first) * 160;
	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf) {
		kvfree(recs);
		return -ENOMEM;
	}
	n = scnprintf(buf, size, "# %llu mutations, seed %#llx%s\n", total,
		      READ_ONCE(fz->seed),
		      first ? ", the oldest dropped" : "");
	for (i = first; i < total && fz->log; i++)
		n += vsim_fuzz_fmt(buf + n, size - n, nic->id,
				   &recs[i % VSIM_FUZZ_LOG_LEN]);
	kvfree(recs);
	*text = buf;
	*len = n;
	return 0;
}

int vsim_fuzz_init(struct vsim_nic *nic)
{
	struct vsim_fuzz *fz = &nic->fuzz;

	spin_lock_init(&fz->log_lock);
	ratelimit_state_init(&fz->rs, 5 * HZ, 20);
	ratelimit_set_flags(&fz->rs, RATELIMIT_MSG_ON_RELEASE);
	fz->classes = BIT(VSIM_FC_MAX) - 1;
	fz->log = kvcalloc(VSIM_FUZZ_LOG_LEN, sizeof(*fz->log), GFP_KERNEL);
	return fz->log ? 0 : -ENOMEM;
}

void vsim_fuzz_fini(struct vsim_nic *nic)
{
	kvfree(nic->fuzz.log);
	nic->fuzz.log = NULL;
}
