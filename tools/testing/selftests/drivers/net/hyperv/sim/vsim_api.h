/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's side of the exported VMBus calls.
 *
 * This header is included by the files that define the exported symbols.
 * It must include nothing and define no type: the symbols' CRCs are
 * computed from the types those files see, and they must stay equal to
 * the real hv_vmbus's.
 */
#ifndef _VSIM_API_H
#define _VSIM_API_H

struct vmbus_channel;
struct vmbus_gpadl;
struct vmbus_packet_mpb_array;
struct hv_driver;
struct module;
struct vmpacket_descriptor;

int vsim_api_open(struct vmbus_channel *ch, u32 send_size, u32 recv_size,
		  void (*cb)(void *), void *ctx);
void vsim_api_close(struct vmbus_channel *ch);
int vsim_api_send(struct vmbus_channel *ch, const void *hdr, u32 hdr_len,
		  const void *body, u32 body_len, u64 requestid);
int vsim_api_gpadl(struct vmbus_channel *ch, void *buf, u32 size,
		   struct vmbus_gpadl *gpadl);
int vsim_api_gpadl_teardown(struct vmbus_channel *ch,
			    struct vmbus_gpadl *gpadl);
void vsim_api_read_done(struct vmbus_channel *ch);
void vsim_api_read_closed(struct vmbus_channel *ch);
int vsim_api_driver_register(struct hv_driver *drv, struct module *owner,
			     const char *mod_name);
void vsim_api_driver_unregister(struct hv_driver *drv);

#endif /* _VSIM_API_H */
