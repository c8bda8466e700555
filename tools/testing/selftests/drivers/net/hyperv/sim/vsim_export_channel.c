// SPDX-License-Identifier: GPL-2.0
/*
 * Exported channel calls: open, close, send, GPADLs and the request-ID
 * table.
 *
 * The include list below is the one of the kernel file that defines these
 * symbols in hv_vmbus (drivers/hv/channel.c), in the same order, so that
 * genksyms sees the same types and the CRCs match Debian's Module.symvers.
 * Do not add includes here; put the logic in other files.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/module.h>
#include <linux/hyperv.h>
#include <linux/uio.h>
#include <linux/interrupt.h>
#include <linux/set_memory.h>
#include <asm/page.h>
#include <asm/mshyperv.h>

#include "hyperv_vmbus.h"
#include "vsim_api.h"

/* The host claims the Windows Server 2019 (5.2) VMBus protocol */
__u32 vmbus_proto_version = VERSION_WIN10_V5_2;
EXPORT_SYMBOL_GPL(vmbus_proto_version);

/**
 * vmbus_open() - open a channel's ring buffers
 * @ch: the channel, in the offered state
 * @send_size: bytes of the guest-to-host ring, header page included
 * @recv_size: bytes of the host-to-guest ring, header page included
 * @userdata: opaque open data (unused by the simulated host)
 * @userdatalen: length of @userdata
 * @cb: called when the host has written to the inbound ring
 * @ctx: argument of @cb
 *
 * Return: 0, or a negative errno.
 */
int vmbus_open(struct vmbus_channel *ch, u32 send_size, u32 recv_size,
	       void *userdata, u32 userdatalen, void (*cb)(void *), void *ctx)
{
	return vsim_api_open(ch, send_size, recv_size, cb, ctx);
}
EXPORT_SYMBOL_GPL(vmbus_open);

/**
 * vmbus_close() - close a channel and, for a primary, its subchannels
 * @ch: the channel
 *
 * No callback of @ch runs after this returns.
 */
void vmbus_close(struct vmbus_channel *ch)
{
	vsim_api_close(ch);
}
EXPORT_SYMBOL_GPL(vmbus_close);

/**
 * vmbus_sendpacket() - write one packet into the guest-to-host ring
 * @ch: the channel
 * @buffer: the payload
 * @bufferlen: its length in bytes
 * @requestid: the guest's cookie (the request table maps it when
 *	completion is requested)
 * @type: VMBus packet type
 * @flags: VMBus packet flags
 *
 * Return: 0, -EAGAIN when the ring is full, -ENODEV after a rescind.
 */
int vmbus_sendpacket(struct vmbus_channel *ch, void *buffer, u32 bufferlen,
		     u64 requestid, enum vmbus_packet_type type, u32 flags)
{
	struct vmpacket_descriptor desc = {
		.type = type,
		.offset8 = sizeof(desc) >> 3,
		.len8 = (u16)(ALIGN(sizeof(desc) + bufferlen, 8) >> 3),
		.flags = flags,
		.trans_id = requestid,
	};

	return vsim_api_send(ch, &desc, sizeof(desc), buffer, bufferlen,
			     requestid);
}
EXPORT_SYMBOL(vmbus_sendpacket);

/**
 * vmbus_sendpacket_mpb_desc() - send a packet that names guest pages
 * @ch: the channel
 * @desc: the multi-page-buffer descriptor, ranges already filled in
 * @desc_size: its size in bytes
 * @buffer: the inline payload
 * @bufferlen: its length in bytes
 * @requestid: the guest's cookie
 *
 * Return: 0, -EAGAIN when the ring is full, -ENODEV after a rescind.
 */
int vmbus_sendpacket_mpb_desc(struct vmbus_channel *ch,
			      struct vmbus_packet_mpb_array *desc,
			      u32 desc_size, void *buffer, u32 bufferlen,
			      u64 requestid)
{
	desc->type = VM_PKT_DATA_USING_GPA_DIRECT;
	desc->flags = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	desc->dataoffset8 = desc_size >> 3;
	desc->length8 = (u16)(ALIGN(desc_size + bufferlen, 8) >> 3);
	desc->reserved = 0;
	desc->transactionid = requestid;

	return vsim_api_send(ch, desc, desc_size, buffer, bufferlen,
			     requestid);
}
EXPORT_SYMBOL_GPL(vmbus_sendpacket_mpb_desc);

/**
 * vmbus_establish_gpadl() - share a guest buffer with the host
 * @ch: the channel the buffer belongs to
 * @kbuffer: the buffer (virtually contiguous)
 * @size: its size in bytes, a multiple of the page size
 * @gpadl: filled in with the handle the guest names the buffer by
 *
 * Return: 0, or a negative errno.
 */
int vmbus_establish_gpadl(struct vmbus_channel *ch, void *kbuffer, u32 size,
			  struct vmbus_gpadl *gpadl)
{
	return vsim_api_gpadl(ch, kbuffer, size, gpadl);
}
EXPORT_SYMBOL_GPL(vmbus_establish_gpadl);

/**
 * vmbus_teardown_gpadl() - withdraw a buffer shared with the host
 * @ch: the channel the buffer belongs to
 * @gpadl: the handle from vmbus_establish_gpadl()
 *
 * Return: 0, or a negative errno.
 */
int vmbus_teardown_gpadl(struct vmbus_channel *ch, struct vmbus_gpadl *gpadl)
{
	return vsim_api_gpadl_teardown(ch, gpadl);
}
EXPORT_SYMBOL_GPL(vmbus_teardown_gpadl);

/**
 * vmbus_next_request_id() - store a guest address, get a transaction ID
 * @ch: the channel whose request table is used
 * @rqst_addr: the address to remember
 *
 * Return: an ID from 1 to the table size, VMBUS_NO_RQSTOR when the channel
 * has no table, VMBUS_RQST_ERROR when the table is full.
 */
u64 vmbus_next_request_id(struct vmbus_channel *ch, u64 rqst_addr)
{
	struct vmbus_requestor *rq = &ch->requestor;
	unsigned long flags;
	unsigned long slot;

	if (!ch->rqstor_size)
		return VMBUS_NO_RQSTOR;

	spin_lock_irqsave(&rq->req_lock, flags);
	if (!rq->req_arr) {
		spin_unlock_irqrestore(&rq->req_lock, flags);
		return VMBUS_RQST_ERROR;
	}
	slot = find_next_zero_bit(rq->req_bitmap, rq->size,
				  rq->next_request_id);
	if (slot >= rq->size)
		slot = find_first_zero_bit(rq->req_bitmap, rq->size);
	if (slot >= rq->size) {
		spin_unlock_irqrestore(&rq->req_lock, flags);
		return VMBUS_RQST_ERROR;
	}
	__set_bit(slot, rq->req_bitmap);
	rq->req_arr[slot] = rqst_addr;
	rq->next_request_id = slot + 1 < rq->size ? slot + 1 : 0;
	spin_unlock_irqrestore(&rq->req_lock, flags);

	/* ID 0 is never handed out: slot n is ID n + 1 */
	return slot + 1;
}
EXPORT_SYMBOL_GPL(vmbus_next_request_id);

/**
 * vmbus_request_addr() - take back the address stored under an ID
 * @ch: the channel whose request table is used
 * @trans_id: an ID from vmbus_next_request_id()
 *
 * Return: the address, @trans_id itself when the channel has no table, or
 * VMBUS_RQST_ERROR for an ID that is not outstanding.
 */
u64 vmbus_request_addr(struct vmbus_channel *ch, u64 trans_id)
{
	struct vmbus_requestor *rq = &ch->requestor;
	unsigned long flags;
	u64 addr;

	if (!ch->rqstor_size)
		return trans_id;
	if (!trans_id || trans_id > rq->size)
		return VMBUS_RQST_ERROR;

	spin_lock_irqsave(&rq->req_lock, flags);
	if (!rq->req_arr || !test_bit(trans_id - 1, rq->req_bitmap)) {
		spin_unlock_irqrestore(&rq->req_lock, flags);
		return VMBUS_RQST_ERROR;
	}
	__clear_bit(trans_id - 1, rq->req_bitmap);
	addr = rq->req_arr[trans_id - 1];
	spin_unlock_irqrestore(&rq->req_lock, flags);

	return addr;
}
EXPORT_SYMBOL_GPL(vmbus_request_addr);
