// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus_sim: VMBus ring buffers, both directions.
 *
 * A ring is a header page followed by the data area.  The data area is
 * mapped twice in a row, so a packet that wraps around the end is written
 * and read as one block; only the indices wrap.
 */
#include <linux/mm.h>
#include <linux/reciprocal_div.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vsim.h"

int vsim_ring_alloc(struct hv_ring_buffer_info *rbi, u32 size,
		    struct page ***pages_out, unsigned int *npages_out)
{
	unsigned int npages = size >> PAGE_SHIFT, ndata = npages - 1, i;
	struct page **pages, **map;
	void *va;

	pages = kcalloc(npages, sizeof(*pages), GFP_KERNEL);
	map = kcalloc(1 + 2 * ndata, sizeof(*map), GFP_KERNEL);
	if (!pages || !map)
		goto free_arrays;
	for (i = 0; i < npages; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i])
			goto free_pages;
	}
	map[0] = pages[0];
	for (i = 0; i < ndata; i++) {
		map[1 + i] = pages[1 + i];
		map[1 + ndata + i] = pages[1 + i];
	}
	va = vmap(map, 1 + 2 * ndata, VM_MAP, PAGE_KERNEL);
	if (!va)
		goto free_pages;
	kfree(map);

	rbi->ring_buffer = va;
	rbi->ring_buffer->feature_bits.value = 1;
	rbi->ring_size = size;
	rbi->ring_size_div10_reciprocal = reciprocal_value(size / 10);
	rbi->ring_datasize = size - PAGE_SIZE;
	rbi->priv_read_index = 0;
	*pages_out = pages;
	*npages_out = npages;
	return 0;

free_pages:
	for (i = 0; i < npages; i++)
		if (pages[i])
			__free_page(pages[i]);
free_arrays:
	kfree(map);
	kfree(pages);
	return -ENOMEM;
}

void vsim_ring_free(struct hv_ring_buffer_info *rbi, struct page **pages,
		    unsigned int npages)
{
	unsigned int i;

	if (!rbi->ring_buffer)
		return;
	vunmap(rbi->ring_buffer);
	rbi->ring_buffer = NULL;
	for (i = 0; i < npages; i++)
		__free_page(pages[i]);
	kfree(pages);
}

/*
 * Write one packet: @a then @b, zero padding up to @total (8-byte aligned)
 * and the trailer.  @tid, when not zero, replaces the transaction ID in
 * the written descriptor.  The caller serialises writers of @rbi.
 */
int vsim_ring_write_tid(struct hv_ring_buffer_info *rbi, const void *a,
			u32 alen, const void *b, u32 blen, u32 total, u64 tid)
{
	struct hv_ring_buffer *rb = rbi->ring_buffer;
	u32 dsize = rbi->ring_datasize;
	u32 wr = rb->write_index;
	u64 trailer = (u64)wr << 32;
	u32 rd, avail;
	u8 *p;

	/* Pairs with the reader's release of read_index: it is done reading */
	rd = smp_load_acquire(&rb->read_index);
	if (wr >= dsize || rd >= dsize)
		return -EIO;
	avail = wr >= rd ? dsize - (wr - rd) : rd - wr;
	/* An empty ring is read == write, so a full one must never be */
	if (avail <= total + sizeof(trailer))
		return -EAGAIN;

	p = rb->buffer + wr;
	memcpy(p, a, alen);
	if (blen)
		memcpy(p + alen, b, blen);
	memset(p + alen + blen, 0, total - alen - blen);
	if (tid)
		memcpy(p + offsetof(struct vsim_desc, trans_id), &tid,
		       sizeof(tid));
	memcpy(p + total, &trailer, sizeof(trailer));

	wr += total + sizeof(trailer);
	if (wr >= dsize)
		wr -= dsize;
	/* Publish the packet data before the new write index */
	smp_store_release(&rb->write_index, wr);
	return 0;
}

/* Call the guest's channel callback as the VMBus interrupt handler does */
static void vsim_interrupt(struct vmbus_channel *ch)
{
	/* Order the write index store before the interrupt mask load */
	smp_mb();
	if (READ_ONCE(ch->inbound.ring_buffer->interrupt_mask))
		return;
	spin_lock(&ch->sched_lock);
	if (ch->onchannel_callback)
		ch->onchannel_callback(ch->channel_callback_context);
	spin_unlock(&ch->sched_lock);
}

/* Write as much of the backlog as fits; in_lock held */
static bool vsim_backlog_write(struct vsim_chan *vc)
{
	struct hv_ring_buffer_info *rbi = &vc->ch->inbound;
	struct vsim_msg *m;
	bool wrote = false;

	for (;;) {
		while ((m = list_first_entry_or_null(&vc->backlog,
						     struct vsim_msg, node))) {
			if (vsim_ring_write_tid(rbi, m->data, m->len, NULL, 0,
						m->len, 0))
				break;
			list_del(&m->node);
			vc->backlog_len--;
			kfree(m);
			wrote = true;
		}
		if (!m) {
			WRITE_ONCE(rbi->ring_buffer->pending_send_sz, 0);
			break;
		}
		/*
		 * Ask the guest to tell us when it has read enough, then look
		 * again in case it read everything before seeing the request.
		 */
		WRITE_ONCE(rbi->ring_buffer->pending_send_sz,
			   m->len + sizeof(u64));
		/* Order the request before the read index load below */
		smp_mb();
		if (hv_get_bytes_to_write(rbi) <= m->len + sizeof(u64))
			break;
	}
	return wrote;
}

/*
 * Write one host-to-guest packet (@len bytes, 8-byte aligned, descriptor
 * included) on @vc.  When the ring is full the packet waits on the
 * backlog: the host never waits for the guest.
 */
int vsim_host_write(struct vsim_chan *vc, const void *pkt, u32 len)
{
	struct vmbus_channel *ch = vc->ch;
	struct vsim_msg *m = NULL;
	unsigned long flags;
	bool wrote = false;
	int err = 0;

	local_bh_disable();
	spin_lock_irqsave(&vc->in_lock, flags);
	if (!vc->open) {
		err = -ENODEV;
		goto unlock;
	}
	if (list_empty(&vc->backlog) &&
	    !vsim_ring_write_tid(&ch->inbound, pkt, len, NULL, 0, len, 0)) {
		wrote = true;
	} else {
		m = kmalloc(sizeof(*m) + len, GFP_ATOMIC);
		if (!m) {
			err = -ENOMEM;
			goto unlock;
		}
		m->len = len;
		memcpy(m->data, pkt, len);
		list_add_tail(&m->node, &vc->backlog);
		vc->backlog_len++;
		atomic64_inc(&vc->stats.ring_full);
		atomic64_inc(&vc->nic->stats.ring_full);
		wrote = vsim_backlog_write(vc);
	}
	if (wrote)
		vsim_interrupt(ch);
unlock:
	spin_unlock_irqrestore(&vc->in_lock, flags);
	local_bh_enable();
	return err;
}

/* Send one host-to-guest packet: through the fuzzer, then the ring */
int vsim_host_send(struct vsim_chan *vc, const void *pkt, u32 len)
{
	return vsim_fuzz_send(vc, pkt, len);
}

/* Write what waits on the backlog, now that the guest has read some */
void vsim_chan_flush(struct vsim_chan *vc)
{
	unsigned long flags;

	if (list_empty(&vc->backlog))
		return;
	local_bh_disable();
	spin_lock_irqsave(&vc->in_lock, flags);
	if (vc->open && vsim_backlog_write(vc))
		vsim_interrupt(vc->ch);
	spin_unlock_irqrestore(&vc->in_lock, flags);
	local_bh_enable();
}

void vsim_chan_kick(struct vsim_chan *vc)
{
	queue_work(vsim_wq, &vc->work);
}
