/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_netvsc tracepoints: NVSP messages and RNDIS messages, both ways.
 * Enable with: echo 1 > /sys/kernel/tracing/events/netvsc/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM netvsc

#if !defined(_NVSC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NVSC_TRACE_H

#include <linux/hyperv.h>
#include <linux/tracepoint.h>

/* An NVSP message to the host; section fields only for RNDIS packets */
TRACE_EVENT(nvsp_send,
	    TP_PROTO(const struct hv_device *hdev, u32 type, u32 chan_type,
		     u32 section, u32 used),
	    TP_ARGS(hdev, type, chan_type, section, used),
	    TP_STRUCT__entry(__string(dev, dev_name(&hdev->device))
			     __field(u32, type)
			     __field(u32, chan_type)
			     __field(u32, section)
			     __field(u32, used)),
	    TP_fast_assign(__assign_str(dev, dev_name(&hdev->device));
			   __entry->type = type;
			   __entry->chan_type = chan_type;
			   __entry->section = section;
			   __entry->used = used;),
	    TP_printk("%s: type %u channel %u section %#x used %u",
		      __get_str(dev), __entry->type, __entry->chan_type,
		      __entry->section, __entry->used)
);

/* A VMBus packet from the host */
TRACE_EVENT(nvsp_recv,
	    TP_PROTO(const struct hv_device *hdev, u16 pkt_type, u32 len,
		     u64 trans_id),
	    TP_ARGS(hdev, pkt_type, len, trans_id),
	    TP_STRUCT__entry(__string(dev, dev_name(&hdev->device))
			     __field(u16, pkt_type)
			     __field(u32, len)
			     __field(u64, trans_id)),
	    TP_fast_assign(__assign_str(dev, dev_name(&hdev->device));
			   __entry->pkt_type = pkt_type;
			   __entry->len = len;
			   __entry->trans_id = trans_id;),
	    TP_printk("%s: packet type %u length %u id %#llx",
		      __get_str(dev), __entry->pkt_type, __entry->len,
		      __entry->trans_id)
);

DECLARE_EVENT_CLASS(nvsc_rndis_class,
		    TP_PROTO(const struct hv_device *hdev, u32 type, u32 len),
		    TP_ARGS(hdev, type, len),
		    TP_STRUCT__entry(__string(dev, dev_name(&hdev->device))
				     __field(u32, type)
				     __field(u32, len)),
		    TP_fast_assign(__assign_str(dev, dev_name(&hdev->device));
				   __entry->type = type;
				   __entry->len = len;),
		    TP_printk("%s: RNDIS type %#x length %u", __get_str(dev),
			      __entry->type, __entry->len)
);

/* An RNDIS control message to the host */
DEFINE_EVENT(nvsc_rndis_class, rndis_send,
	     TP_PROTO(const struct hv_device *hdev, u32 type, u32 len),
	     TP_ARGS(hdev, type, len)
);

/* An RNDIS message from the host */
DEFINE_EVENT(nvsc_rndis_class, rndis_recv,
	     TP_PROTO(const struct hv_device *hdev, u32 type, u32 len),
	     TP_ARGS(hdev, type, len)
);

#endif /* _NVSC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE nvsc_trace
#include <trace/define_trace.h>
