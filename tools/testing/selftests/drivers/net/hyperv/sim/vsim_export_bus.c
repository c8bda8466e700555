// SPDX-License-Identifier: GPL-2.0
/*
 * Exported driver registration.  The include list is that of
 * drivers/hv/vmbus_drv.c, so that the symbols' CRCs match; see
 * vsim_export_channel.c.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/sysctl.h>
#include <linux/slab.h>
#include <linux/acpi.h>
#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/kernel_stat.h>
#include <linux/clockchips.h>
#include <linux/cpu.h>
#include <linux/sched/isolation.h>
#include <linux/sched/task_stack.h>

#include <linux/delay.h>
#include <linux/panic_notifier.h>
#include <linux/ptrace.h>
#include <linux/screen_info.h>
#include <linux/efi.h>
#include <linux/random.h>
#include <linux/kernel.h>
#include <linux/syscore_ops.h>
#include <linux/dma-map-ops.h>
#include <linux/pci.h>
#include <clocksource/hyperv_timer.h>
#include "hyperv_vmbus.h"
#include "vsim_api.h"

/**
 * __vmbus_driver_register() - register a driver on the simulated VMBus
 * @hv_driver: the driver
 * @owner: its module
 * @mod_name: its module's name
 *
 * Return: 0, or a negative errno (-ENODEV when the bus is not up).
 */
int __vmbus_driver_register(struct hv_driver *hv_driver, struct module *owner,
			    const char *mod_name)
{
	return vsim_api_driver_register(hv_driver, owner, mod_name);
}
EXPORT_SYMBOL_GPL(__vmbus_driver_register);

/**
 * vmbus_driver_unregister() - unregister a driver from the simulated VMBus
 * @hv_driver: the driver
 */
void vmbus_driver_unregister(struct hv_driver *hv_driver)
{
	vsim_api_driver_unregister(hv_driver);
}
EXPORT_SYMBOL_GPL(vmbus_driver_unregister);
