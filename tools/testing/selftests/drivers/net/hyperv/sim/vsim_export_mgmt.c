// SPDX-License-Identifier: GPL-2.0
/*
 * Exported channel-management call.  The include list is that of
 * drivers/hv/channel_mgmt.c, so that the symbol's CRC matches; see
 * vsim_export_channel.c.
 */
#include <linux/kernel.h>
#include <linux/interrupt.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/cpu.h>
#include <linux/hyperv.h>
#include <asm/mshyperv.h>
#include <linux/sched/isolation.h>

#include "hyperv_vmbus.h"
#include "vsim_api.h"

/**
 * vmbus_set_sc_create_callback() - say what to call for each new subchannel
 * @primary: the primary channel
 * @cb: called, in process context, once per subchannel the host offers
 */
void vmbus_set_sc_create_callback(struct vmbus_channel *primary,
				  void (*cb)(struct vmbus_channel *))
{
	primary->sc_creation_callback = cb;
}
EXPORT_SYMBOL_GPL(vmbus_set_sc_create_callback);
