/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, kept in one place.  The driver is written
 * against 6.1; the Makefile probes the kernel headers for what changed
 * later and defines NVSC_HAVE_* accordingly.
 */
#ifndef _NVSC_COMPAT_H
#define _NVSC_COMPAT_H

/* hv_driver.remove returns void from 6.3 on */
#ifdef NVSC_HAVE_VOID_REMOVE
#define nvsc_remove_ret_t	void
#define NVSC_REMOVE_RET
#else
#define nvsc_remove_ret_t	int
#define NVSC_REMOVE_RET		0
#endif

#endif /* _NVSC_COMPAT_H */
