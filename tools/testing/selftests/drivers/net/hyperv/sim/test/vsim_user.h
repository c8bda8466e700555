/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vsim_frame.c takes from kernel headers, supplied from the C library
 * so that test/ can build it as an ordinary program.  vsim_frame.h
 * includes this file when __KERNEL__ is not defined.
 */
#ifndef _VSIM_USER_H
#define _VSIM_USER_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#endif /* _VSIM_USER_H */
