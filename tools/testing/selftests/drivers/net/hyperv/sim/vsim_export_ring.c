// SPDX-License-Identifier: GPL-2.0
/*
 * Exported inbound-ring iterator.  The include list is that of
 * drivers/hv/ring_buffer.c, so that the symbols' CRCs match; see
 * vsim_export_channel.c.
 *
 * The data area of every ring is mapped twice in a row, so a packet that
 * wraps around the end of the ring reads as one contiguous block.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/hyperv.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/prefetch.h>
#include <linux/io.h>
#include <asm/mshyperv.h>

#include "hyperv_vmbus.h"
#include "vsim_api.h"

/* Bytes the host has written that the iterator has not yet passed */
static u32 vsim_iter_avail(const struct hv_ring_buffer_info *rbi)
{
	u32 rd = rbi->priv_read_index;
	u32 wr;

	/* Pairs with the host's release of write_index: packet data first */
	wr = smp_load_acquire(&rbi->ring_buffer->write_index);
	return wr >= rd ? wr - rd : rbi->ring_datasize - rd + wr;
}

/**
 * hv_pkt_iter_first() - copy out the next inbound packet
 * @ch: the channel
 *
 * Return: a copy of the packet in the channel's packet buffer, with its
 * length and data offset made consistent with the copy, or NULL when the
 * ring holds no packet.
 */
struct vmpacket_descriptor *hv_pkt_iter_first(struct vmbus_channel *ch)
{
	struct hv_ring_buffer_info *rbi = &ch->inbound;
	struct vmpacket_descriptor *src, *copy;
	u32 avail, len, off;

	if (!rbi->ring_buffer || !rbi->pkt_buffer) {
		vsim_api_read_closed(ch);
		return NULL;
	}
	avail = vsim_iter_avail(rbi);
	if (avail < sizeof(*src))
		return NULL;
	avail = min(avail, rbi->pkt_buffer_size);

	src = (void *)rbi->ring_buffer->buffer + rbi->priv_read_index;
	len = READ_ONCE(src->len8) << 3;
	off = READ_ONCE(src->offset8) << 3;
	if (len < sizeof(*src) || len > avail)
		len = avail;
	if (off < sizeof(*src) || off > len)
		off = sizeof(*src);

	copy = rbi->pkt_buffer;
	memcpy(copy, src, len);
	copy->len8 = len >> 3;
	copy->offset8 = off >> 3;
	return copy;
}
EXPORT_SYMBOL_GPL(hv_pkt_iter_first);

/**
 * __hv_pkt_iter_next() - step past a packet and copy out the next one
 * @ch: the channel
 * @desc: the packet returned last
 *
 * Return: the next packet, as hv_pkt_iter_first() returns it, or NULL.
 */
struct vmpacket_descriptor *
__hv_pkt_iter_next(struct vmbus_channel *ch,
		   const struct vmpacket_descriptor *desc)
{
	struct hv_ring_buffer_info *rbi = &ch->inbound;
	u32 next;

	/* Each packet is followed by an 8-byte trailer */
	next = rbi->priv_read_index + (desc->len8 << 3) + sizeof(u64);
	if (next >= rbi->ring_datasize)
		next -= rbi->ring_datasize;
	rbi->priv_read_index = next;
	return hv_pkt_iter_first(ch);
}
EXPORT_SYMBOL_GPL(__hv_pkt_iter_next);

/**
 * hv_pkt_iter_close() - give the packets passed so far back to the host
 * @ch: the channel
 */
void hv_pkt_iter_close(struct vmbus_channel *ch)
{
	struct hv_ring_buffer_info *rbi = &ch->inbound;

	if (!rbi->ring_buffer) {
		vsim_api_read_closed(ch);
		return;
	}
	/* Finish reading the packets before the host may overwrite them */
	smp_store_release(&rbi->ring_buffer->read_index,
			  rbi->priv_read_index);
	/* Order the index store before the pending-size load */
	smp_mb();
	if (READ_ONCE(rbi->ring_buffer->pending_send_sz))
		vsim_api_read_done(ch);
}
EXPORT_SYMBOL_GPL(hv_pkt_iter_close);
