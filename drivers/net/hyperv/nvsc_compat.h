/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, kept in one place.  The driver is written
 * against 6.1; newer kernels are mapped onto it here.
 */
#ifndef _NVSC_COMPAT_H
#define _NVSC_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
#define nvsc_napi_add(dev, napi, poll)	netif_napi_add(dev, napi, poll)
#else
#define nvsc_napi_add(dev, napi, poll) \
	netif_napi_add(dev, napi, poll, NAPI_POLL_WEIGHT)
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define nvsc_remove_ret_t	void
#define NVSC_REMOVE_RET
#else
#define nvsc_remove_ret_t	int
#define NVSC_REMOVE_RET		0
#endif

#endif /* _NVSC_COMPAT_H */
