// SPDX-License-Identifier: GPL-2.0
/*
 * hv_netvsc channel layer: the VMBus channel, NVSP negotiation, the shared
 * receive and send buffers, sends and their completions, and the walk of
 * the inbound ring.  The host is not trusted: everything it writes is
 * checked before use, and a bad value is counted and dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/if_ether.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/unaligned.h>

#include "nvsc_chan.h"

#define CREATE_TRACE_POINTS
#include "nvsc_trace.h"

/* Transaction IDs: a kind in the top bits, then what the kind needs */
#define NVSC_TID_KIND_SHIFT	60
#define NVSC_TID_CTL		BIT_ULL(NVSC_TID_KIND_SHIFT)
#define NVSC_TID_TX		BIT_ULL(NVSC_TID_KIND_SHIFT + 1)
#define NVSC_TID_KIND_MASK	GENMASK_ULL(63, NVSC_TID_KIND_SHIFT)
#define NVSC_TID_NONE		0

/* A request on an open channel; the whole bring-up of a channel */
#define NVSC_CTL_TIMEOUT	(5 * HZ)
#define NVSC_OPEN_TIMEOUT	(10 * HZ)
#define NVSC_DRAIN_TIMEOUT_MS	5000

/* Largest inbound packet: a transfer-page header with 562 ranges */
#define NVSC_MAX_IN_PKT		4624

/* The newest protocol first */
static const u32 nvsc_nvsp_versions[] = {
	NVSP_VER_61, NVSP_VER_6, NVSP_VER_5, NVSP_VER_4, NVSP_VER_2, NVSP_VER_1,
};

static void nvsc_chan_isr(void *context)
{
	struct nvsc_queue *q = context;

	q->ch->ops->kick(q->ch->ctx, q->idx);
}

/**
 * nvsc_chan_irq_mask() - stop the host from signalling while we poll
 * @ch: the channel
 * @q: the queue
 */
void nvsc_chan_irq_mask(struct nvsc_chan *ch, u32 q)
{
	struct hv_ring_buffer *rb = ch->q[q].vmch->inbound.ring_buffer;

	/* What hv_begin_read() does, with a marked store: the host reads
	 * the mask while it writes the ring, from another CPU (KCSAN saw
	 * the plain store race with the simulator's read)
	 */
	WRITE_ONCE(rb->interrupt_mask, 1);
	/* The mask is set before we read the ring */
	virt_mb();
}

/**
 * nvsc_chan_irq_unmask() - let the host signal again
 * @ch: the channel
 * @q: the queue
 *
 * Return: true if packets arrived meanwhile and polling must go on.
 */
bool nvsc_chan_irq_unmask(struct nvsc_chan *ch, u32 q)
{
	struct hv_ring_buffer *rb = ch->q[q].vmch->inbound.ring_buffer;

	/* As hv_end_read(), with marked accesses */
	WRITE_ONCE(rb->interrupt_mask, 0);
	/* The unmask before the look at the host's write index: either the
	 * host sees the mask clear and signals, or we see what it wrote
	 */
	virt_mb();
	return READ_ONCE(rb->write_index) != READ_ONCE(rb->read_index);
}

static int nvsc_send_oneway(struct nvsc_chan *ch, const struct nvsp_msg *m)
{
	trace_nvsp_send(ch->hdev, le32_to_cpu(m->type), 0, 0, 0);
	return vmbus_sendpacket(ch->vmch, (void *)m, sizeof(*m), NVSC_TID_NONE,
				VM_PKT_DATA_INBAND, 0);
}

/* Send one NVSP control message and wait up to @wait for its completion,
 * which may be empty if @empty says so.  Returns 0 with the completion in
 * @reply (zeros for an empty one), or -errno.
 */
static int nvsc_nvsp_call(struct nvsc_chan *ch, const struct nvsp_msg *req,
			  bool empty, unsigned long wait,
			  struct nvsp_msg *reply)
{
	u64 tid;
	int ret;

	mutex_lock(&ch->ctl_mutex);
	spin_lock_bh(&ch->ctl_lock);
	ch->ctl_seq++;
	tid = NVSC_TID_CTL | (ch->ctl_seq & 0xffffffffULL);
	ch->ctl_tid = tid;
	ch->ctl_empty = empty;
	reinit_completion(&ch->ctl_done);
	spin_unlock_bh(&ch->ctl_lock);

	trace_nvsp_send(ch->hdev, le32_to_cpu(req->type), 0, 0, 0);
	ret = vmbus_sendpacket(ch->vmch, (void *)req, sizeof(*req), tid,
			       VM_PKT_DATA_INBAND,
			       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	if (!ret && !wait_for_completion_timeout(&ch->ctl_done, wait))
		ret = -ETIMEDOUT;

	spin_lock_bh(&ch->ctl_lock);
	ch->ctl_tid = 0;
	if (!ret)
		*reply = ch->ctl_reply;
	spin_unlock_bh(&ch->ctl_lock);
	mutex_unlock(&ch->ctl_mutex);
	return ret;
}

/* Send one NVSP control message and wait for its completion, which must be
 * of type @want.  Returns 0 with the completion in @reply, or -errno.
 */
static int nvsc_nvsp_request(struct nvsc_chan *ch, const struct nvsp_msg *req,
			     u32 want, struct nvsp_msg *reply)
{
	int ret = nvsc_nvsp_call(ch, req, false, nvsc_ctl_wait(ch), reply);

	if (!ret && le32_to_cpu(reply->type) != want) {
		dev_err(&ch->hdev->device, "NVSP reply type %u, want %u\n",
			le32_to_cpu(reply->type), want);
		ret = -EPROTO;
	}
	return ret;
}

/**
 * nvsc_chan_switch_path() - ask the host to send our frames to the VF or
 * down this channel
 * @ch: the channel, open
 * @vf: true for the VF
 *
 * The host's completion is waited for, but a second at most: a host that
 * does not answer costs a counter and a message, not a hung RTNL.  The
 * request was sent all the same, so the host is taken to have switched.
 *
 * Context: process, RTNL held.
 * Return: 0, -ETIMEDOUT when no completion came, or -errno if the request
 * could not be sent.
 */
int nvsc_chan_switch_path(struct nvsc_chan *ch, bool vf)
{
	struct nvsp_msg req = {}, reply;
	int ret;

	req.type = cpu_to_le32(NVSP_T_SWITCH_DATA_PATH);
	req.path.path = cpu_to_le32(vf ? NVSP_DATA_PATH_VF :
				    NVSP_DATA_PATH_SYNTHETIC);
	ret = nvsc_nvsp_call(ch, &req, true, NVSC_SWITCH_WAIT, &reply);
	if (ret == -ETIMEDOUT) {
		atomic64_inc(&ch->err->switch_timeout);
		dev_warn_ratelimited(&ch->hdev->device,
				     "the host did not complete the switch to the %s path\n",
				     vf ? "VF" : "synthetic");
	}
	return ret;
}

static void nvsc_ctl_complete(struct nvsc_chan *ch, u64 tid, const void *data,
			      u32 len)
{
	bool ok = false;

	/* NAPI context: ctl_lock is otherwise taken with BHs off */
	spin_lock(&ch->ctl_lock);
	if (tid && tid == ch->ctl_tid &&
	    (len >= NVSP_MIN_COMP_SIZE || ch->ctl_empty)) {
		memset(&ch->ctl_reply, 0, sizeof(ch->ctl_reply));
		memcpy(&ch->ctl_reply, data, min_t(u32, len, NVSP_MSG_SIZE));
		ch->ctl_tid = 0;
		complete(&ch->ctl_done);
		ok = true;
	}
	spin_unlock(&ch->ctl_lock);
	if (!ok) {
		atomic64_inc(&ch->err->bad_completion);
		dev_warn_ratelimited(&ch->hdev->device,
				     "completion %#llx matches no request\n",
				     tid);
	}
}

static int nvsc_negotiate(struct nvsc_chan *ch)
{
	struct nvsp_msg req, reply;
	int i, ret = -EPROTO;

	for (i = 0; i < ARRAY_SIZE(nvsc_nvsp_versions); i++) {
		memset(&req, 0, sizeof(req));
		req.type = cpu_to_le32(NVSP_T_INIT);
		req.init.min_ver = cpu_to_le32(nvsc_nvsp_versions[i]);
		req.init.max_ver = req.init.min_ver;
		ret = nvsc_nvsp_request(ch, &req, NVSP_T_INIT_DONE, &reply);
		if (ret)
			return ret;
		if (le32_to_cpu(reply.init_done.status) == NVSP_S_SUCCESS) {
			ch->host.nvsp_ver = nvsc_nvsp_versions[i];
			break;
		}
		ret = -EPROTO;
	}
	if (ret) {
		dev_err(&ch->hdev->device, "host accepts no NVSP version\n");
		return ret;
	}

	if (ch->host.nvsp_ver >= NVSP_VER_2) {
		memset(&req, 0, sizeof(req));
		req.type = cpu_to_le32(NVSP_T_NDIS_CONFIG);
		req.ndis_config.mtu = cpu_to_le32(ch->ndis_mtu);
		req.ndis_config.caps = cpu_to_le64(NVSP_CAP_IEEE8021Q);
		/* Hosts of NVSP 5 and later may give us a VF */
		if (ch->host.nvsp_ver >= NVSP_VER_5)
			req.ndis_config.caps |= cpu_to_le64(NVSP_CAP_SRIOV);
		ret = nvsc_send_oneway(ch, &req);
		if (ret)
			return ret;
	}

	memset(&req, 0, sizeof(req));
	req.type = cpu_to_le32(NVSP_T_NDIS_VERSION);
	req.ndis_ver.major = cpu_to_le32(NVSP_NDIS_MAJOR);
	req.ndis_ver.minor = cpu_to_le32(ch->host.nvsp_ver > NVSP_VER_4 ?
					 NVSP_NDIS_MINOR_NEW :
					 NVSP_NDIS_MINOR_OLD);
	return nvsc_send_oneway(ch, &req);
}

/* Per-queue memory, once the receive buffer's section count is known */
static int nvsc_queue_alloc(struct nvsc_queue *q)
{
	/* The host has at most one packet in flight per section */
	q->rcomp_size = q->ch->rsec_count + 1;
	q->rcomp_head = 0;
	q->rcomp_tail = 0;
	q->rcomp_fresh = 0;
	q->rcomp = kvcalloc(q->rcomp_size, sizeof(u64), GFP_KERNEL);
	q->mpb = kzalloc(PAGE_SIZE, GFP_KERNEL);
	q->in_flight = 0;
	if (!q->rcomp || !q->mpb)
		return -ENOMEM;
	return 0;
}

static void nvsc_queue_free(struct nvsc_queue *q)
{
	kvfree(q->rcomp);
	q->rcomp = NULL;
	kfree(q->mpb);
	q->mpb = NULL;
}

static int nvsc_recv_buf_setup(struct nvsc_chan *ch)
{
	const struct nvsp_recv_buf_done *d;
	struct nvsp_msg req, reply;
	u32 size, count;
	int ret;

	if (!ch->rbuf) {
		ch->rbuf_size = ch->want_rbuf ? ch->want_rbuf :
				NVSC_RECV_BUF_SIZE;
		ch->rbuf = vzalloc(ch->rbuf_size);
		if (!ch->rbuf)
			return -ENOMEM;
	}
	/* Old hosts take 15 MiB at most: share only that much */
	if (ch->host.nvsp_ver <= NVSP_VER_2)
		ch->rbuf_size = min_t(u32, ch->rbuf_size, 15 * 1024 * 1024);
	ret = vmbus_establish_gpadl(ch->vmch, ch->rbuf, ch->rbuf_size,
				    &ch->rbuf_gpadl);
	if (ret)
		return ret;

	memset(&req, 0, sizeof(req));
	req.type = cpu_to_le32(NVSP_T_RECV_BUF);
	req.buf.gpadl = cpu_to_le32(ch->rbuf_gpadl.gpadl_handle);
	req.buf.id = cpu_to_le16(NVSP_RECV_BUF_ID);
	ret = nvsc_nvsp_request(ch, &req, NVSP_T_RECV_BUF_DONE, &reply);
	if (ret)
		return ret;

	d = &reply.recv_done;
	size = le32_to_cpu(d->sec.sub_alloc_size);
	count = le32_to_cpu(d->sec.num_sub_allocs);
	if (le32_to_cpu(d->status) != NVSP_S_SUCCESS ||
	    le32_to_cpu(d->num_sections) != 1 || d->sec.offset ||
	    size < NVSC_MIN_SECTION || !count ||
	    (u64)size * count > ch->rbuf_size) {
		dev_err(&ch->hdev->device,
			"receive buffer refused or invalid: status %u, %u sections of %u\n",
			le32_to_cpu(d->status), count, size);
		return -EPROTO;
	}
	ch->rsec_size = size;
	ch->rsec_count = count;

	return nvsc_queue_alloc(&ch->q[0]);
}

static int nvsc_send_buf_setup(struct nvsc_chan *ch)
{
	struct nvsp_msg req, reply;
	u32 size, i;
	int ret;

	if (!ch->sbuf) {
		ch->sbuf_size = ch->want_sbuf ? ch->want_sbuf :
				NVSC_SEND_BUF_SIZE;
		ch->sbuf = vzalloc(ch->sbuf_size);
		if (!ch->sbuf)
			return -ENOMEM;
	}
	ret = vmbus_establish_gpadl(ch->vmch, ch->sbuf, ch->sbuf_size,
				    &ch->sbuf_gpadl);
	if (ret)
		return ret;

	memset(&req, 0, sizeof(req));
	req.type = cpu_to_le32(NVSP_T_SEND_BUF);
	req.buf.gpadl = cpu_to_le32(ch->sbuf_gpadl.gpadl_handle);
	req.buf.id = cpu_to_le16(NVSP_SEND_BUF_ID);
	ret = nvsc_nvsp_request(ch, &req, NVSP_T_SEND_BUF_DONE, &reply);
	if (ret)
		return ret;

	size = le32_to_cpu(reply.send_done.section_size);
	if (le32_to_cpu(reply.send_done.status) != NVSP_S_SUCCESS ||
	    size < NVSC_MIN_SECTION || size > ch->sbuf_size) {
		dev_err(&ch->hdev->device,
			"send buffer refused or invalid: status %u, section %u\n",
			le32_to_cpu(reply.send_done.status), size);
		return -EPROTO;
	}
	ch->ssec_size = size;
	ch->ssec_count = ch->sbuf_size / size;
	ch->ssec_free = ch->ssec_count;
	ch->ssec_map = bitmap_zalloc(ch->ssec_count, GFP_KERNEL);
	if (!ch->ssec_map)
		return -ENOMEM;

	ch->slots = kvcalloc(NVSC_TX_SLOTS, sizeof(*ch->slots), GFP_KERNEL);
	ch->slot_free = kvcalloc(NVSC_TX_SLOTS, sizeof(u32), GFP_KERNEL);
	ch->hdr_room = vzalloc(NVSC_TX_SLOTS * NVSC_TX_HDR_SIZE);
	if (!ch->slots || !ch->slot_free || !ch->hdr_room)
		return -ENOMEM;
	for (i = 0; i < NVSC_TX_SLOTS; i++)
		ch->slot_free[i] = NVSC_TX_SLOTS - 1 - i;
	ch->nslot_free = NVSC_TX_SLOTS;
	return 0;
}

/**
 * nvsc_chan_prealloc() - allocate the receive and send buffers ahead
 * @ch: a channel not open yet, want_rbuf and want_sbuf filled in
 *
 * Lets a reconfiguration fail for lack of memory before it closes the
 * channel in use.  nvsc_chan_open() uses these buffers and
 * nvsc_chan_close() frees them, also after a failed open;
 * nvsc_chan_unused() frees them if nvsc_chan_open() is never called.
 *
 * Return: 0 or -ENOMEM (nothing is then allocated).
 */
int nvsc_chan_prealloc(struct nvsc_chan *ch)
{
	ch->rbuf_size = ch->want_rbuf ? ch->want_rbuf : NVSC_RECV_BUF_SIZE;
	ch->sbuf_size = ch->want_sbuf ? ch->want_sbuf : NVSC_SEND_BUF_SIZE;
	ch->rbuf = vzalloc(ch->rbuf_size);
	ch->sbuf = vzalloc(ch->sbuf_size);
	if (ch->rbuf && ch->sbuf)
		return 0;
	nvsc_chan_unused(ch);
	return -ENOMEM;
}

/**
 * nvsc_chan_unused() - free what nvsc_chan_prealloc() allocated
 * @ch: a channel that was never opened
 */
void nvsc_chan_unused(struct nvsc_chan *ch)
{
	vfree(ch->rbuf);
	vfree(ch->sbuf);
	ch->rbuf = NULL;
	ch->sbuf = NULL;
}

static void nvsc_buffers_free(struct nvsc_chan *ch)
{
	u32 i;

	/* A GPADL the host may still map keeps its memory (decrypted) */
	if (ch->rbuf && !ch->rbuf_gpadl.decrypted)
		vfree(ch->rbuf);
	if (ch->sbuf && !ch->sbuf_gpadl.decrypted)
		vfree(ch->sbuf);
	ch->rbuf = NULL;
	ch->sbuf = NULL;
	for (i = 0; i < NVSC_MAX_QUEUES; i++)
		nvsc_queue_free(&ch->q[i]);
	bitmap_free(ch->ssec_map);
	ch->ssec_map = NULL;
	kvfree(ch->slots);
	ch->slots = NULL;
	kvfree(ch->slot_free);
	ch->slot_free = NULL;
	vfree(ch->hdr_room);
	ch->hdr_room = NULL;
}

static void nvsc_gpadls_teardown(struct nvsc_chan *ch)
{
	if (ch->rbuf_gpadl.gpadl_handle)
		vmbus_teardown_gpadl(ch->vmch, &ch->rbuf_gpadl);
	if (ch->sbuf_gpadl.gpadl_handle)
		vmbus_teardown_gpadl(ch->vmch, &ch->sbuf_gpadl);
}

/**
 * nvsc_chan_open() - open the VMBus channel and bring the host's NIC up
 * @ch: the channel, with hdev, vmch, ops, ctx and ring_bytes filled in
 * @mtu: the MTU to announce to the host
 *
 * Negotiates NVSP, shares the receive and send buffers and initialises
 * RNDIS.  The caller must be able to poll (NAPI enabled) before this,
 * because every reply arrives through nvsc_chan_poll().
 *
 * On error the channel stays as far as it got, because the poller may
 * still be running on it: the caller undoes it as it undoes an open
 * channel, nvsc_chan_quiesce(), then stops its poller, then
 * nvsc_chan_close().
 *
 * Return: 0 or -errno.
 */
int nvsc_chan_open(struct nvsc_chan *ch, u32 mtu)
{
	int ret;

	/* The caller clears it once the bring-up is done */
	ch->open_deadline = jiffies + NVSC_OPEN_TIMEOUT;
	mutex_init(&ch->ctl_mutex);
	spin_lock_init(&ch->ctl_lock);
	init_completion(&ch->ctl_done);
	mutex_init(&ch->rndis_mutex);
	spin_lock_init(&ch->rndis_lock);
	init_completion(&ch->rndis_done);
	spin_lock_init(&ch->tx_lock);
	init_waitqueue_head(&ch->sc_wait);
	INIT_LIST_HEAD(&ch->sc_node);
	ch->ndis_mtu = mtu + ETH_HLEN;
	ch->q[0].ch = ch;
	ch->q[0].vmch = ch->vmch;
	ch->q[0].idx = 0;
	ch->num_queues = 1;

	set_channel_read_mode(ch->vmch, HV_CALL_ISR);
	ch->vmch->max_pkt_size = NVSC_MAX_IN_PKT;
	ch->vmch->rqstor_size = 0;
	ch->vmch->next_request_id_callback = NULL;
	ch->vmch->request_addr_callback = NULL;

	ret = vmbus_open(ch->vmch, ch->ring_bytes, ch->ring_bytes, NULL, 0,
			 nvsc_chan_isr, &ch->q[0]);
	if (ret) {
		dev_err(&ch->hdev->device, "cannot open the channel: %d\n",
			ret);
		return ret;
	}
	ch->opened = true;

	ret = nvsc_negotiate(ch);
	if (ret)
		return ret;
	ret = nvsc_recv_buf_setup(ch);
	if (ret)
		return ret;
	/* Published to NAPI: the receive buffer may be read from now on */
	smp_store_release(&ch->rx_ready, true);
	ret = nvsc_send_buf_setup(ch);
	if (ret)
		return ret;
	/* Published to senders: the send buffer and slots are ready */
	smp_store_release(&ch->tx_ready, true);

	WRITE_ONCE(ch->q[0].open, true);

	return nvsc_rndis_start(ch);
}

/**
 * nvsc_ctl_wait() - how long to wait for the host's reply to a request
 * @ch: the channel
 *
 * Context: the opener's (RTNL or probe), or any on an open channel.
 * Return: a timeout in jiffies: what is left of the bring-up's budget
 * while the channel is being brought up (at least one jiffy), else the
 * timeout of one request.
 */
unsigned long nvsc_ctl_wait(const struct nvsc_chan *ch)
{
	long left;

	if (!ch->open_deadline)
		return NVSC_CTL_TIMEOUT;
	left = (long)(ch->open_deadline - jiffies);
	return left > 0 ? left : 1;
}

/* The channels that have asked the host for subchannels, from the request
 * until nvsc_chan_close().  The bus reads a primary's offer callback
 * before it calls it, and vmbus_close() does not wait for a callback
 * already read: an offer can reach nvsc_sc_open() after its channel was
 * closed and freed, when the primary's callback context points at freed
 * memory.  So the callback finds its channel in this list, never through
 * the primary.
 *
 * nvsc_sc_lock protects the list, and each listed channel's sc_want and
 * the open state of its subchannel queues: a channel leaves the list, and
 * nvsc_chan_open_queues() counts its queues, only while no offer is being
 * handled.
 */
static DEFINE_MUTEX(nvsc_sc_lock);
static LIST_HEAD(nvsc_sc_chans);

static struct nvsc_chan *nvsc_sc_owner(const struct vmbus_channel *primary)
{
	struct nvsc_chan *ch;

	lockdep_assert_held(&nvsc_sc_lock);
	list_for_each_entry(ch, &nvsc_sc_chans, sc_node)
		if (ch->vmch == primary)
			return ch;
	return NULL;
}

/* The host offers a subchannel: open it as queue sub_channel_index.
 * Process context (the bus's offer work), while nvsc_chan_open_queues()
 * waits for it, or later.
 */
static void nvsc_sc_open(struct vmbus_channel *sc)
{
	struct vmbus_channel *primary = sc->primary_channel;
	struct nvsc_queue *q;
	struct nvsc_chan *ch;
	u32 idx;
	int ret;

	if (!primary)
		return;
	idx = sc->offermsg.offer.sub_channel_index;
	mutex_lock(&nvsc_sc_lock);
	ch = nvsc_sc_owner(primary);
	if (!ch) {
		/* Its channel closed before the bus called us */
		mutex_unlock(&nvsc_sc_lock);
		pr_warn_ratelimited("subchannel %u offered after its channel closed: ignored\n",
				    idx);
		return;
	}
	if (!idx || idx > ch->sc_want || ch->q[idx].open) {
		/* Not one of those awaited: the wait for them goes on.
		 * @ch lives only while the lock is held.
		 */
		atomic64_inc(&ch->err->bad_subchannel);
		dev_warn_ratelimited(&ch->hdev->device,
				     "unexpected or repeated subchannel %u\n",
				     idx);
		mutex_unlock(&nvsc_sc_lock);
		return;
	}
	q = &ch->q[idx];
	q->ch = ch;
	q->vmch = sc;
	q->idx = idx;
	ret = nvsc_queue_alloc(q);
	if (ret)
		goto free_queue;
	set_channel_read_mode(sc, HV_CALL_ISR);
	sc->max_pkt_size = NVSC_MAX_IN_PKT;
	sc->rqstor_size = 0;
	sc->next_request_id_callback = NULL;
	sc->request_addr_callback = NULL;
	ret = vmbus_open(sc, ch->ring_bytes, ch->ring_bytes, NULL, 0,
			 nvsc_chan_isr, q);
	if (ret)
		goto free_queue;
	WRITE_ONCE(q->open, true);
	goto seen;

free_queue:
	dev_err(&ch->hdev->device, "cannot open subchannel %u: %d\n", idx,
		ret);
	nvsc_queue_free(q);
seen:
	/* Pairs with the wait in nvsc_chan_open_queues(); still under the
	 * lock, which keeps @ch from being freed
	 */
	atomic_inc(&ch->sc_seen);
	wake_up(&ch->sc_wait);
	mutex_unlock(&nvsc_sc_lock);
}

/**
 * nvsc_chan_open_queues() - ask the host for subchannels and open them
 * @ch: an open channel whose RSS capabilities are known
 *
 * Asks for want_queues - 1 subchannels when NVSP 5 or later and the host
 * offers at least two receive queues, and waits (bounded) until each one
 * the host grants is open.  The layer above must be able to poll queues
 * 1 to want_queues - 1 before this.  On return num_queues says how many
 * queues are usable; a failure leaves one queue, not an error.
 *
 * Context: process, may sleep.
 * Return: the number of queues open.
 */
u32 nvsc_chan_open_queues(struct nvsc_chan *ch)
{
	u32 table[NVSC_SEND_TABLE_SIZE];
	struct nvsp_msg req, reply;
	u32 want, got, i, n;
	int ret;

	want = min3(ch->want_queues, ch->host.rss_queues,
		    (u32)NVSC_MAX_QUEUES);
	if (ch->host.nvsp_ver < NVSP_VER_5 || want < 2)
		want = 1;
	/* Until the host sends its table; it may do so before we return */
	for (i = 0; i < NVSC_SEND_TABLE_SIZE; i++)
		table[i] = i % want;
	ch->ops->send_table(ch->ctx, table);
	if (want < 2)
		return 1;

	atomic_set(&ch->sc_seen, 0);
	mutex_lock(&nvsc_sc_lock);
	ch->sc_want = want - 1;
	if (list_empty(&ch->sc_node))
		list_add(&ch->sc_node, &nvsc_sc_chans);
	mutex_unlock(&nvsc_sc_lock);
	vmbus_set_sc_create_callback(ch->vmch, nvsc_sc_open);

	memset(&req, 0, sizeof(req));
	req.type = cpu_to_le32(NVSP_T_SUBCHANNEL);
	req.subchan.op = cpu_to_le32(NVSP_SUBCHANNEL_ALLOCATE);
	req.subchan.num = cpu_to_le32(want - 1);
	ret = nvsc_nvsp_request(ch, &req, NVSP_T_SUBCHANNEL, &reply);
	got = le32_to_cpu(reply.subchan.num);
	if (ret || le32_to_cpu(reply.subchan.op) != NVSP_S_SUCCESS ||
	    got > want - 1) {
		dev_warn(&ch->hdev->device,
			 "host refused subchannels (%d, status %u, %u of %u)\n",
			 ret, ret ? 0 : le32_to_cpu(reply.subchan.op),
			 ret ? 0 : got, want - 1);
		got = 0;
	}
	if (got && !wait_event_timeout(ch->sc_wait,
				       atomic_read(&ch->sc_seen) >= got,
				       nvsc_ctl_wait(ch)))
		dev_warn(&ch->hdev->device,
			 "host offered %d of %u subchannels in time\n",
			 atomic_read(&ch->sc_seen), got);

	/* An offer that comes after this is not ours to open any more */
	mutex_lock(&nvsc_sc_lock);
	ch->sc_want = 0;
	/* Queues 0..n-1 must all be open: stop at the first gap */
	for (n = 1; n <= got && ch->q[n].open; n++)
		;
	for (i = n + 1; i < NVSC_MAX_QUEUES; i++) {
		if (!ch->q[i].open)
			continue;
		atomic64_inc(&ch->err->bad_subchannel);
		dev_warn(&ch->hdev->device,
			 "subchannel %u is past a gap at %u: not used\n", i, n);
	}
	mutex_unlock(&nvsc_sc_lock);
	ch->num_queues = n;
	return n;
}

/**
 * nvsc_chan_close_queues() - close the subchannels no queue uses
 * @ch: the channel
 * @n: the queues in use, as nvsc_chan_open_queues() returned
 *
 * A gap in the host's numbering leaves subchannels open past the queues
 * in use.  Their pollers must be stopped before this: their rings and
 * completion queues go.
 *
 * Context: process, may sleep.
 */
void nvsc_chan_close_queues(struct nvsc_chan *ch, u32 n)
{
	struct nvsc_queue *q;
	u32 i;

	for (i = max(n, 1U); i < NVSC_MAX_QUEUES; i++) {
		q = &ch->q[i];
		if (!q->open)
			continue;
		/* Read by nvsc_tx_done() through the layer above */
		WRITE_ONCE(q->open, false);
		vmbus_close(q->vmch);
		nvsc_queue_free(q);
		q->rcomp_head = 0;
		q->rcomp_tail = 0;
	}
}

static bool nvsc_chan_busy(struct nvsc_chan *ch)
{
	bool busy;
	u32 i;

	spin_lock_bh(&ch->tx_lock);
	busy = ch->slots && ch->nslot_free != NVSC_TX_SLOTS;
	spin_unlock_bh(&ch->tx_lock);
	/* rcomp_head and rcomp_tail change in NAPI only */
	for (i = 0; i < NVSC_MAX_QUEUES && !busy; i++)
		busy = READ_ONCE(ch->q[i].rcomp_head) !=
		       READ_ONCE(ch->q[i].rcomp_tail);
	return busy;
}

/* The host has read everything we wrote to the outbound ring */
static bool nvsc_out_ring_empty(struct nvsc_chan *ch)
{
	const struct hv_ring_buffer *rb = ch->vmch->outbound.ring_buffer;

	return READ_ONCE(rb->read_index) == READ_ONCE(rb->write_index);
}

/**
 * nvsc_chan_quiesce() - stop the host's NIC before the channel closes
 * @ch: an open channel
 *
 * Halts RNDIS, waits (bounded) for the host to complete every send and for
 * every receive completion to reach it, then revokes both buffers.  NAPI
 * must still run, because that is where the completions arrive.  Also
 * for a channel nvsc_chan_open() failed on; nothing to do if it never
 * opened.
 */
void nvsc_chan_quiesce(struct nvsc_chan *ch)
{
	unsigned long deadline;
	struct nvsp_msg m;

	if (!ch->opened)
		return;
	nvsc_rndis_halt(ch);

	deadline = jiffies + msecs_to_jiffies(NVSC_DRAIN_TIMEOUT_MS);
	while (nvsc_chan_busy(ch) && !ch->vmch->rescind) {
		if (time_after(jiffies, deadline)) {
			dev_warn(&ch->hdev->device,
				 "host did not complete %u sends; closing anyway\n",
				 NVSC_TX_SLOTS - READ_ONCE(ch->nslot_free));
			break;
		}
		usleep_range(1000, 2000);
	}

	memset(&m, 0, sizeof(m));
	m.type = cpu_to_le32(NVSP_T_REVOKE_RECV_BUF);
	m.revoke.id = cpu_to_le16(NVSP_RECV_BUF_ID);
	nvsc_send_oneway(ch, &m);
	memset(&m, 0, sizeof(m));
	m.type = cpu_to_le32(NVSP_T_REVOKE_SEND_BUF);
	m.revoke.id = cpu_to_le16(NVSP_SEND_BUF_ID);
	nvsc_send_oneway(ch, &m);

	/* The revokes must reach the host before the channel closes */
	deadline = jiffies + msecs_to_jiffies(NVSC_DRAIN_TIMEOUT_MS);
	while (!nvsc_out_ring_empty(ch) && !ch->vmch->rescind &&
	       time_before(jiffies, deadline))
		usleep_range(500, 1000);
}

/**
 * nvsc_chan_close() - close the channel and free what it shared
 * @ch: a quiesced channel; its poller (NAPI) must be disabled already
 *
 * Sends still in flight are handed back through ops->tx_done so that the
 * layer above can free them.  Also for a channel nvsc_chan_open() failed
 * on, whether or not it got to open the VMBus channel.
 */
void nvsc_chan_close(struct nvsc_chan *ch)
{
	u32 i;

	WRITE_ONCE(ch->rx_ready, false);
	WRITE_ONCE(ch->tx_ready, false);
	/* An offer the bus delivers from now on finds no channel */
	mutex_lock(&nvsc_sc_lock);
	list_del_init(&ch->sc_node);
	mutex_unlock(&nvsc_sc_lock);
	/* Closes the subchannels too */
	if (ch->opened)
		vmbus_close(ch->vmch);
	ch->opened = false;
	/* Read by nvsc_tx_done() through the layer above */
	for (i = 0; i < NVSC_MAX_QUEUES; i++)
		WRITE_ONCE(ch->q[i].open, false);
	nvsc_gpadls_teardown(ch);

	/* No poller and no callback any more: nothing races with us */
	for (i = 0; ch->slots && i < NVSC_TX_SLOTS; i++) {
		struct nvsc_tx_slot *s = &ch->slots[i];

		if (s->busy) {
			s->busy = false;
			ch->ops->tx_done(ch->ctx, s->queue, s->queue,
					 s->cookie, s->pkts, s->bytes);
		}
	}
	nvsc_buffers_free(ch);
}

/**
 * nvsc_chan_tx_get() - reserve a send slot, and a send section if asked
 * @ch: the channel
 * @q: the queue the send will be posted on
 * @section: true to ask for a send section (copy path)
 * @t: filled with the slot, the section (or NVSP_NO_SECTION) and the room
 *
 * Return: 0, -EBUSY when no slot is free, -ENOSPC when a section was asked
 * for and none is free (no slot is then held either).
 */
int nvsc_chan_tx_get(struct nvsc_chan *ch, u32 q, bool section,
		     struct nvsc_txd *t)
{
	struct nvsc_tx_slot *s;
	int ret = 0;
	u32 sec;

	/* Pairs with the release in nvsc_chan_open(): once set, the send
	 * buffer, its bitmap and the slots are seen initialised
	 */
	if (!smp_load_acquire(&ch->tx_ready))
		return -EBUSY;

	spin_lock_bh(&ch->tx_lock);
	if (!ch->nslot_free) {
		ret = -EBUSY;
		goto unlock;
	}
	sec = NVSP_NO_SECTION;
	if (section) {
		sec = find_first_zero_bit(ch->ssec_map, ch->ssec_count);
		if (sec >= ch->ssec_count) {
			ret = -ENOSPC;
			goto unlock;
		}
		__set_bit(sec, ch->ssec_map);
		ch->ssec_free--;
	}
	/* nslot_free and in_flight change under tx_lock; the hints
	 * nvsc_chan_tx_free_slots() and nvsc_chan_in_flight() read them
	 * without it, so every store is marked
	 */
	WRITE_ONCE(ch->nslot_free, ch->nslot_free - 1);
	t->slot = ch->slot_free[ch->nslot_free];
	s = &ch->slots[t->slot];
	s->busy = true;
	s->lost = false;
	s->gen++;
	/* Not posted yet: new, for nvsc_chan_tx_lost() */
	WRITE_ONCE(s->posted, jiffies);
	s->section = sec;
	s->cookie = NULL;
	s->queue = q;
	WRITE_ONCE(ch->q[q].in_flight, ch->q[q].in_flight + 1);
	t->section = sec;
unlock:
	spin_unlock_bh(&ch->tx_lock);
	if (ret)
		return ret;

	if (t->section != NVSP_NO_SECTION) {
		t->buf = ch->sbuf + (size_t)t->section * ch->ssec_size;
		t->room = ch->ssec_size;
	} else {
		t->buf = ch->hdr_room + (size_t)t->slot * NVSC_TX_HDR_SIZE;
		t->room = NVSC_TX_HDR_SIZE;
	}
	return 0;
}

/* Give a slot and its section back; tx_lock held */
static void __nvsc_slot_put(struct nvsc_chan *ch, u32 slot)
{
	struct nvsc_tx_slot *s = &ch->slots[slot];

	if (s->section != NVSP_NO_SECTION) {
		__clear_bit(s->section, ch->ssec_map);
		ch->ssec_free++;
	}
	s->busy = false;
	s->cookie = NULL;
	/* Marked stores: see nvsc_chan_tx_get() */
	WRITE_ONCE(ch->q[s->queue].in_flight, ch->q[s->queue].in_flight - 1);
	ch->slot_free[ch->nslot_free] = slot;
	WRITE_ONCE(ch->nslot_free, ch->nslot_free + 1);
}

/**
 * nvsc_chan_tx_put() - give back a reservation that was never posted
 * @ch: the channel
 * @t: what nvsc_chan_tx_get() returned
 */
void nvsc_chan_tx_put(struct nvsc_chan *ch, struct nvsc_txd *t)
{
	spin_lock_bh(&ch->tx_lock);
	__nvsc_slot_put(ch, t->slot);
	spin_unlock_bh(&ch->tx_lock);
}

/* Describe @len bytes at physical @addr as one VMBus page range at @p.
 * Returns the bytes written, or 0 if it does not fit in @room.
 */
static u32 nvsc_put_range(u8 *p, u32 room, phys_addr_t addr, u32 len)
{
	struct hv_mpb_array *r = (struct hv_mpb_array *)p;
	u32 off = offset_in_hvpage(addr);
	u64 pfn = addr >> HV_HYP_PAGE_SHIFT;
	u32 n = HVPFN_UP(off + len), i, need;

	need = sizeof(*r) + n * sizeof(u64);
	if (need > room)
		return 0;
	r->len = len;
	r->offset = off;
	for (i = 0; i < n; i++)
		r->pfn_array[i] = pfn + i;
	return need;
}

/* Physical address of a slot's header room (vmalloc, never across pages) */
static phys_addr_t nvsc_hdr_phys(const void *p)
{
	return page_to_phys(vmalloc_to_page(p)) + offset_in_page(p);
}

/**
 * nvsc_chan_tx_post() - hand a prepared send to the host
 * @ch: the channel
 * @q: the queue, as given to nvsc_chan_tx_get()
 * @t: the reservation; @used bytes of its buffer are filled in
 * @type: NVSP_CHAN_DATA or NVSP_CHAN_CONTROL
 * @used: bytes of RNDIS messages in the section or header room
 * @r: page ranges that follow the header (page path only), or NULL
 * @nr: number of ranges in @r
 * @cookie: given back to ops->tx_done when the host completes the send
 * @pkts: packets in this send, for ops->tx_done
 * @bytes: bytes in this send, for ops->tx_done
 *
 * Context: process or softirq; the callers serialise their use of the
 * queue's descriptor scratch (the tx queue lock).
 * Return: 0, or -EAGAIN when the ring is full, -ENODEV after a rescind;
 * on error the reservation is still the caller's.
 */
int nvsc_chan_tx_post(struct nvsc_chan *ch, u32 q, struct nvsc_txd *t,
		      u32 type, u32 used, const struct nvsc_range *r, u32 nr,
		      void *cookie, u32 pkts, u32 bytes)
{
	struct vmbus_channel *vmch = ch->q[q].vmch;
	u8 *mpb = ch->q[q].mpb;
	struct vmbus_packet_mpb_array *d;
	struct nvsc_tx_slot *s;
	struct nvsp_msg m = {};
	u32 off, n, i;
	u64 tid;

	s = &ch->slots[t->slot];
	s->cookie = cookie;
	s->pkts = pkts;
	s->bytes = bytes;
	/* Read under tx_lock by nvsc_chan_tx_lost(), which we do not take */
	WRITE_ONCE(s->posted, jiffies);
	tid = NVSC_TID_TX | (u64)s->gen << 32 | t->slot;

	m.type = cpu_to_le32(NVSP_T_RNDIS_PKT);
	m.rndis.channel_type = cpu_to_le32(type);
	trace_nvsp_send(ch->hdev, NVSP_T_RNDIS_PKT, type, t->section, used);
	if (t->section != NVSP_NO_SECTION) {
		m.rndis.section_index = cpu_to_le32(t->section);
		m.rndis.section_size = cpu_to_le32(used);
		return vmbus_sendpacket(vmch, &m, sizeof(m), tid,
					VM_PKT_DATA_INBAND,
					VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	}

	m.rndis.section_index = cpu_to_le32(NVSP_NO_SECTION);
	d = (struct vmbus_packet_mpb_array *)mpb;
	off = offsetof(struct vmbus_packet_mpb_array, range);
	n = nvsc_put_range(mpb + off, PAGE_SIZE - off,
			   nvsc_hdr_phys(t->buf), used);
	if (!n)
		return -EINVAL;
	off += n;
	for (i = 0; i < nr; i++) {
		n = nvsc_put_range(mpb + off, PAGE_SIZE - off,
				   r[i].addr, r[i].len);
		if (!n)
			return -EINVAL;
		off += n;
	}
	d->rangecount = nr + 1;
	return vmbus_sendpacket_mpb_desc(vmch, d, off, &m, sizeof(m), tid);
}

/* A send completion, arriving on queue @rq (whose NAPI this is) */
static void nvsc_tx_complete(struct nvsc_chan *ch, u32 rq, u64 tid,
			     const u8 *data, u32 len)
{
	u32 slot = lower_32_bits(tid), gen = upper_32_bits(tid) & 0xffff;
	const struct nvsp_msg *m = (const void *)data;
	u32 pkts = 0, bytes = 0, q = 0;
	struct nvsc_tx_slot *s;
	void *cookie = NULL;
	bool ok = false;

	spin_lock(&ch->tx_lock);	/* NAPI: BHs are off already */
	if (ch->slots && slot < NVSC_TX_SLOTS) {
		s = &ch->slots[slot];
		if (s->busy && s->gen == gen) {
			cookie = s->cookie;
			pkts = s->pkts;
			bytes = s->bytes;
			q = s->queue;
			__nvsc_slot_put(ch, slot);
			ok = true;
		}
	}
	spin_unlock(&ch->tx_lock);

	if (!ok) {
		atomic64_inc(&ch->err->bad_completion);
		dev_warn_ratelimited(&ch->hdev->device,
				     "send completion %#llx matches no send\n",
				     tid);
		return;
	}
	if (len < NVSP_MIN_COMP_SIZE ||
	    le32_to_cpu(m->type) != NVSP_T_RNDIS_PKT_DONE ||
	    le32_to_cpu(m->rndis_done.status) != NVSP_S_SUCCESS) {
		atomic64_inc(&ch->err->send_failed);
		dev_warn_ratelimited(&ch->hdev->device,
				     "host failed a send: type %u status %u\n",
				     len >= 4 ? le32_to_cpu(m->type) : 0,
				     len >= 8 ? le32_to_cpu(m->rndis_done.status) : 0);
	}
	ch->ops->tx_done(ch->ctx, q, rq, cookie, pkts, bytes);
}

/**
 * nvsc_chan_tx_reap() - stop waiting for sends the host never completed
 * @ch: the channel
 * @q: the queue whose sends to look at
 * @age: how long a send may wait for its completion, in jiffies
 *
 * A send older than @age keeps its slot and section, which the host may
 * still read, but its packets and bytes are handed back through
 * ops->tx_done (without the cookie) so that the layer above stops counting
 * them in flight.  A completion that still comes frees the rest.
 *
 * Context: NAPI of queue @q, the only place that completes its sends.
 * Return: the number of sends given up on.
 */
u32 nvsc_chan_tx_reap(struct nvsc_chan *ch, u32 q, unsigned long age)
{
	u32 i, n = 0, pkts = 0, bytes = 0;

	spin_lock(&ch->tx_lock);	/* NAPI: BHs are off already */
	for (i = 0; ch->slots && i < NVSC_TX_SLOTS; i++) {
		struct nvsc_tx_slot *s = &ch->slots[i];

		if (!s->busy || s->lost || !s->pkts || s->queue != q ||
		    time_before(jiffies, READ_ONCE(s->posted) + age))
			continue;
		s->lost = true;
		pkts += s->pkts;
		bytes += s->bytes;
		s->pkts = 0;
		s->bytes = 0;
		n++;
	}
	spin_unlock(&ch->tx_lock);

	if (n) {
		atomic64_add(n, &ch->err->send_timeout);
		dev_warn_ratelimited(&ch->hdev->device,
				     "%u sends not completed by the host\n", n);
		ch->ops->tx_done(ch->ctx, q, q, NULL, pkts, bytes);
	}
	return n;
}

/**
 * nvsc_chan_tx_lost() - sends the host has held for longer than @age
 * @ch: the channel
 * @age: how long a send may wait for its completion, in jiffies
 *
 * A send the host never completes keeps its slot, and its section, until
 * the channel closes, since the host may still read them: a host that
 * loses many can leave no section for a control message.
 *
 * Each such send counts once in send_timeout, here or in
 * nvsc_chan_tx_reap().
 *
 * Context: process or BH.
 * Return: the number of sends, data and control, posted longer than @age
 * ago and not completed.
 */
u32 nvsc_chan_tx_lost(struct nvsc_chan *ch, unsigned long age)
{
	u32 i, n = 0, fresh = 0;

	spin_lock_bh(&ch->tx_lock);
	for (i = 0; ch->slots && i < NVSC_TX_SLOTS; i++) {
		struct nvsc_tx_slot *s = &ch->slots[i];

		if (!s->busy ||
		    !time_after(jiffies, READ_ONCE(s->posted) + age))
			continue;
		n++;
		if (!s->lost) {
			s->lost = true;
			fresh++;
		}
	}
	spin_unlock_bh(&ch->tx_lock);
	atomic64_add(fresh, &ch->err->send_timeout);
	return n;
}

/**
 * nvsc_chan_tx_free_slots() - send slots free now
 * @ch: the channel
 *
 * Return: the number of free slots; a hint, read without the lock.
 */
u32 nvsc_chan_tx_free_slots(struct nvsc_chan *ch)
{
	return READ_ONCE(ch->nslot_free);
}

/**
 * nvsc_chan_in_flight() - sends on a queue the host has not completed yet
 * @ch: the channel
 * @q: the queue
 *
 * Return: the number of busy slots; a hint, read without the lock.
 */
u32 nvsc_chan_in_flight(struct nvsc_chan *ch, u32 q)
{
	return READ_ONCE(ch->q[q].in_flight);
}

/**
 * nvsc_chan_ring_free_pct() - room left in a queue's ring towards the host
 * @ch: the channel
 * @q: the queue
 *
 * Return: the free part of the outbound ring, in percent.
 */
u32 nvsc_chan_ring_free_pct(struct nvsc_chan *ch, u32 q)
{
	const struct hv_ring_buffer_info *rbi = &ch->q[q].vmch->outbound;
	u32 size = rbi->ring_datasize, r, w, room;

	/* A hint read without the ring's lock, while another CPU's send
	 * moves the write index and the host the read index: marked loads
	 * (hv_get_avail_to_write_percent() reads the write index plainly).
	 * The host's index may be anything: the room is at most the ring.
	 */
	r = READ_ONCE(rbi->ring_buffer->read_index);
	w = READ_ONCE(rbi->ring_buffer->write_index);
	room = w >= r ? size - min(w - r, size) : min(r - w, size);
	return size ? (u32)div_u64((u64)room * 100, size) : 0;
}

/* Receive completions, in order; NAPI context only */

static int nvsc_rcomp_send(struct nvsc_queue *q, u64 tid)
{
	struct {
		__le32 type;
		__le32 status;
	} __packed m = {
		.type = cpu_to_le32(NVSP_T_RNDIS_PKT_DONE),
		.status = cpu_to_le32(NVSP_S_SUCCESS),
	};

	return vmbus_sendpacket(q->vmch, &m, sizeof(m), tid,
				VM_PKT_COMP, 0);
}

/* Send what waits; returns true if something still waits */
static bool nvsc_rcomp_flush(struct nvsc_queue *q)
{
	u32 left;

	while (q->rcomp_tail != q->rcomp_head) {
		if (nvsc_rcomp_send(q, q->rcomp[q->rcomp_tail]))
			break;
		WRITE_ONCE(q->rcomp_tail, (q->rcomp_tail + 1) % q->rcomp_size);
	}
	if (q->rcomp_tail == q->rcomp_head) {
		q->rcomp_fresh = 0;
		return false;
	}
	/* Count each completion once, the first time it finds no room */
	left = (q->rcomp_head + q->rcomp_size - q->rcomp_tail) % q->rcomp_size;
	atomic64_add(min(left, q->rcomp_fresh), &q->ch->err->comp_busy);
	q->rcomp_fresh = 0;
	return true;
}

/* Completions are only queued here, and sent together at the end of the
 * poll.  A message that finds the host idle wakes it (a VMBus signal on
 * Hyper-V, the channel's worker under the simulator): sent one at a time
 * between receives, nearly every completion did; sent together, only the
 * first of the batch does.  The queue always has room for them all: the
 * host has at most one transfer in flight per receive section.
 */
static void nvsc_rcomp_queue(struct nvsc_queue *q, u64 tid)
{
	struct nvsc_chan *ch = q->ch;
	u32 next;

	if (unlikely(!q->rcomp_size)) {
		/* No queue yet: nvsc_rx_xfer() answers such packets itself */
		atomic64_inc(&ch->err->comp_lost);
		return;
	}
	next = (q->rcomp_head + 1) % q->rcomp_size;
	if (next == q->rcomp_tail) {
		/* More transfers in flight than sections: the host's bug */
		atomic64_inc(&ch->err->comp_lost);
		dev_warn_ratelimited(&ch->hdev->device,
				     "receive completion queue overflow\n");
		return;
	}
	q->rcomp[q->rcomp_head] = tid;
	WRITE_ONCE(q->rcomp_head, next);
	q->rcomp_fresh++;
}

/* A transfer-page packet: RNDIS messages in the receive buffer */
static int nvsc_rx_xfer(struct nvsc_queue *q,
			const struct vmpacket_descriptor *desc)
{
	struct nvsc_chan *ch = q->ch;
	const struct vmtransfer_page_packet_header *x = (const void *)desc;
	u32 pkt_len = desc->len8 << 3, off = desc->offset8 << 3;
	u32 i, nr, work = 0;
	const struct nvsp_msg *m;

	/* Pairs with the release in nvsc_chan_open().  Before it, there is
	 * no receive buffer to read and no completion queue either (it is
	 * sized by the buffer's sections): answer the host at once.
	 */
	if (!smp_load_acquire(&ch->rx_ready)) {
		atomic64_inc(&ch->err->bad_early_xfer);
		dev_warn_ratelimited(&ch->hdev->device,
				     "received data before the receive buffer exists\n");
		if (nvsc_rcomp_send(q, desc->trans_id))
			atomic64_inc(&ch->err->comp_lost);
		return 0;
	}
	if (pkt_len < sizeof(*x) || off < sizeof(*x) || off > pkt_len ||
	    pkt_len - off < sizeof(m->type)) {
		atomic64_inc(&ch->err->bad_xfer);
		dev_warn_ratelimited(&ch->hdev->device,
				     "transfer packet of %u bytes, data at %u\n",
				     pkt_len, off);
		goto complete;
	}
	m = (const void *)((const u8 *)desc + off);
	nr = x->range_cnt;
	if (le32_to_cpu(m->type) != NVSP_T_RNDIS_PKT ||
	    x->xfer_pageset_id != NVSP_RECV_BUF_ID || !nr ||
	    nr > (off - offsetof(typeof(*x), ranges)) / sizeof(x->ranges[0])) {
		atomic64_inc(&ch->err->bad_xfer);
		dev_warn_ratelimited(&ch->hdev->device,
				     "transfer packet: type %u, page set %#x, %u ranges\n",
				     le32_to_cpu(m->type), x->xfer_pageset_id,
				     nr);
		goto complete;
	}

	for (i = 0; i < nr; i++) {
		u32 count = x->ranges[i].byte_count;
		u32 start = x->ranges[i].byte_offset;

		if ((u64)start + count > ch->rbuf_size) {
			atomic64_inc(&ch->err->bad_xfer);
			dev_warn_ratelimited(&ch->hdev->device,
					     "receive range %u@%u out of the buffer\n",
					     count, start);
			continue;
		}
		nvsc_rndis_recv(ch, q->idx, (const u8 *)ch->rbuf + start,
				count);
		work++;
	}

complete:
	nvsc_rcomp_queue(q, desc->trans_id);
	return work;
}

/* The host's send indirection table: which queue each hash picks */
static void nvsc_send_table(struct nvsc_chan *ch,
			    const struct vmpacket_descriptor *desc, u32 len)
{
	const struct nvsp_msg *m = hv_pkt_data(desc);
	u32 table[NVSC_SEND_TABLE_SIZE];
	u32 count, off, i, v;
	const u8 *p = (const u8 *)m;

	if (len < sizeof(m->type) + sizeof(m->send_table))
		goto bad;
	count = le32_to_cpu(m->send_table.count);
	off = le32_to_cpu(m->send_table.offset);
	/* Hosts of NVSP 6.0 and older give too small an offset: their table
	 * follows the whole NVSP message, when the packet holds it there
	 */
	if (ch->host.nvsp_ver <= NVSP_VER_6 &&
	    count == NVSC_SEND_TABLE_SIZE &&
	    len >= NVSP_MSG_SIZE + count * sizeof(u32))
		off = NVSP_MSG_SIZE;
	if (count != NVSC_SEND_TABLE_SIZE || off < sizeof(m->type) +
	    sizeof(m->send_table) || off > len ||
	    len - off < count * sizeof(u32))
		goto bad;
	for (i = 0; i < count; i++) {
		v = get_unaligned_le32(p + off + i * sizeof(u32));
		if (v >= NVSC_MAX_QUEUES)
			goto bad;
		table[i] = v;
	}
	/* Entries past the queues open wrap at use */
	ch->ops->send_table(ch->ctx, table);
	return;
bad:
	atomic64_inc(&ch->err->bad_table);
	dev_warn_ratelimited(&ch->hdev->device,
			     "malformed send indirection table (%u bytes)\n",
			     len);
}

static void nvsc_rx_inband(struct nvsc_chan *ch,
			   const struct vmpacket_descriptor *desc)
{
	u32 len = hv_pkt_datalen(desc);
	const struct nvsp_msg *m = hv_pkt_data(desc);

	if (len < sizeof(m->type)) {
		atomic64_inc(&ch->err->bad_packet);
		return;
	}
	switch (le32_to_cpu(m->type)) {
	case NVSP_T_SEND_TABLE:
		nvsc_send_table(ch, desc, len);
		break;
	case NVSP_T_VF_ASSOCIATION:
		if (len < offsetofend(struct nvsp_msg, vf)) {
			atomic64_inc(&ch->err->bad_vf);
			dev_warn_ratelimited(&ch->hdev->device,
					     "short VF association (%u bytes)\n",
					     len);
			break;
		}
		ch->ops->vf_assoc(ch->ctx, !!le32_to_cpu(m->vf.allocated),
				  le32_to_cpu(m->vf.serial));
		break;
	default:
		dev_dbg(&ch->hdev->device, "ignored host message %u\n",
			le32_to_cpu(m->type));
	}
}

static int nvsc_chan_packet(struct nvsc_queue *q,
			    const struct vmpacket_descriptor *desc)
{
	struct nvsc_chan *ch = q->ch;
	u32 len8 = desc->len8, off8 = desc->offset8;
	u64 tid = desc->trans_id;

	trace_nvsp_recv(ch->hdev, desc->type, len8 << 3, tid);
	if (off8 > len8 || off8 < sizeof(*desc) >> 3) {
		atomic64_inc(&ch->err->bad_packet);
		dev_warn_ratelimited(&ch->hdev->device,
				     "malformed packet: length %u offset %u\n",
				     len8 << 3, off8 << 3);
		return 0;
	}

	switch (desc->type) {
	case VM_PKT_COMP:
		if ((tid & NVSC_TID_KIND_MASK) == NVSC_TID_TX)
			nvsc_tx_complete(ch, q->idx, tid, hv_pkt_data(desc),
					 hv_pkt_datalen(desc));
		else
			nvsc_ctl_complete(ch, tid, hv_pkt_data(desc),
					  hv_pkt_datalen(desc));
		return 0;
	case VM_PKT_DATA_USING_XFER_PAGES:
		return nvsc_rx_xfer(q, desc);
	case VM_PKT_DATA_INBAND:
		nvsc_rx_inband(ch, desc);
		return 0;
	default:
		atomic64_inc(&ch->err->bad_packet);
		dev_warn_ratelimited(&ch->hdev->device,
				     "unknown packet type %u\n", desc->type);
		return 0;
	}
}

/**
 * nvsc_chan_poll() - handle what the host put in a queue's inbound ring
 * @ch: the channel
 * @qi: the queue
 * @budget: receive ranges to handle at most
 * @more: set when receive completions still wait for room in the ring
 *
 * Context: NAPI (softirq), one poller per queue.
 * Return: the number of receive ranges handled.
 */
int nvsc_chan_poll(struct nvsc_chan *ch, u32 qi, int budget, bool *more)
{
	const struct vmpacket_descriptor *desc;
	struct nvsc_queue *q = &ch->q[qi];
	int work = 0;

	nvsc_rcomp_flush(q);
	desc = hv_pkt_iter_first(q->vmch);
	while (desc) {
		work += nvsc_chan_packet(q, desc);
		desc = __hv_pkt_iter_next(q->vmch, desc);
		if (work >= budget)
			break;
	}
	hv_pkt_iter_close(q->vmch);
	*more = nvsc_rcomp_flush(q);
	return work;
}
