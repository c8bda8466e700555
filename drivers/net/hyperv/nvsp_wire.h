/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVSP: the messages a Hyper-V synthetic NIC exchanges with its host over
 * the VMBus channel.  Protocol facts only; no driver state.  Every
 * multi-byte field is little-endian on the wire, and every message is
 * carried in a fixed 40-byte body.
 */
#ifndef _NVSP_WIRE_H
#define _NVSP_WIRE_H

#include <linux/build_bug.h>
#include <linux/types.h>

/* Protocol versions, newest first in the order the guest offers them */
#define NVSP_VER_1		0x00002
#define NVSP_VER_2		0x30002
#define NVSP_VER_4		0x40000
#define NVSP_VER_5		0x50000
#define NVSP_VER_6		0x60000
#define NVSP_VER_61		0x60001

/* Message types */
enum nvsp_type {
	NVSP_T_INIT			= 1,
	NVSP_T_INIT_DONE		= 2,
	NVSP_T_NDIS_VERSION		= 100,
	NVSP_T_RECV_BUF			= 101,
	NVSP_T_RECV_BUF_DONE		= 102,
	NVSP_T_REVOKE_RECV_BUF		= 103,
	NVSP_T_SEND_BUF			= 104,
	NVSP_T_SEND_BUF_DONE		= 105,
	NVSP_T_REVOKE_SEND_BUF		= 106,
	NVSP_T_RNDIS_PKT		= 107,
	NVSP_T_RNDIS_PKT_DONE		= 108,
	NVSP_T_NDIS_CONFIG		= 125,
	NVSP_T_VF_ASSOCIATION		= 128,
	NVSP_T_SWITCH_DATA_PATH		= 129,
	NVSP_T_SUBCHANNEL		= 133,
	NVSP_T_SEND_TABLE		= 134,
};

/* Status values in completions */
enum nvsp_status {
	NVSP_S_NONE		= 0,
	NVSP_S_SUCCESS		= 1,
	NVSP_S_FAILURE		= 2,
};

/* NDIS_CONFIG capability bits */
#define NVSP_CAP_SRIOV		BIT_ULL(2)
#define NVSP_CAP_IEEE8021Q	BIT_ULL(3)
#define NVSP_CAP_TEAMING	BIT_ULL(5)

/* IDs the guest gives its two shared buffers */
#define NVSP_RECV_BUF_ID	0xcafe
#define NVSP_SEND_BUF_ID	0

/* Channel type of an RNDIS message, and "no send section" */
#define NVSP_CHAN_DATA		0
#define NVSP_CHAN_CONTROL	1
#define NVSP_NO_SECTION		0xffffffff

/* NDIS version the guest announces: 6.1 up to NVSP 4, 6.30 from NVSP 5 */
#define NVSP_NDIS_MAJOR		6
#define NVSP_NDIS_MINOR_OLD	1
#define NVSP_NDIS_MINOR_NEW	30

struct nvsp_init {
	__le32 min_ver;
	__le32 max_ver;
} __packed;
static_assert(sizeof(struct nvsp_init) == 8);

struct nvsp_init_done {
	__le32 negotiated_ver;
	__le32 max_mdl_chain_len;
	__le32 status;
} __packed;
static_assert(sizeof(struct nvsp_init_done) == 12);

struct nvsp_ndis_version {
	__le32 major;
	__le32 minor;
} __packed;
static_assert(sizeof(struct nvsp_ndis_version) == 8);

struct nvsp_ndis_config {
	__le32 mtu;
	__le32 reserved;
	__le64 caps;
} __packed;
static_assert(sizeof(struct nvsp_ndis_config) == 16);

/* Receive or send buffer announcement */
struct nvsp_buf {
	__le32 gpadl;
	__le16 id;
} __packed;
static_assert(sizeof(struct nvsp_buf) == 6);

struct nvsp_recv_section {
	__le32 offset;
	__le32 sub_alloc_size;
	__le32 num_sub_allocs;
	__le32 end_offset;
} __packed;
static_assert(sizeof(struct nvsp_recv_section) == 16);

struct nvsp_recv_buf_done {
	__le32 status;
	__le32 num_sections;
	struct nvsp_recv_section sec;
} __packed;
static_assert(sizeof(struct nvsp_recv_buf_done) == 24);

struct nvsp_send_buf_done {
	__le32 status;
	__le32 section_size;
} __packed;
static_assert(sizeof(struct nvsp_send_buf_done) == 8);

struct nvsp_revoke {
	__le16 id;
} __packed;
static_assert(sizeof(struct nvsp_revoke) == 2);

struct nvsp_rndis_pkt {
	__le32 channel_type;
	__le32 section_index;
	__le32 section_size;
} __packed;
static_assert(sizeof(struct nvsp_rndis_pkt) == 12);

struct nvsp_rndis_pkt_done {
	__le32 status;
} __packed;
static_assert(sizeof(struct nvsp_rndis_pkt_done) == 4);

struct nvsp_send_table {
	__le32 count;
	__le32 offset;
} __packed;
static_assert(sizeof(struct nvsp_send_table) == 8);

/* SUBCHANNEL request and its completion */
#define NVSP_SUBCHANNEL_ALLOCATE	1
struct nvsp_subchannel {
	__le32 op;		/* completion: status */
	__le32 num;
} __packed;
static_assert(sizeof(struct nvsp_subchannel) == 8);

/* VF_ASSOCIATION, from the host: whether a VF is there, and its serial
 * (the name of its PCI slot)
 */
struct nvsp_vf_assoc {
	__le32 allocated;
	__le32 serial;
} __packed;
static_assert(sizeof(struct nvsp_vf_assoc) == 8);

/* SWITCH_DATA_PATH: where the host sends our frames; its completion is
 * empty
 */
#define NVSP_DATA_PATH_SYNTHETIC	0
#define NVSP_DATA_PATH_VF		1
struct nvsp_switch_path {
	__le32 path;
} __packed;
static_assert(sizeof(struct nvsp_switch_path) == 4);

#define NVSP_MSG_SIZE		40

/* One NVSP message: a type word and a body, 40 bytes in all */
struct nvsp_msg {
	__le32 type;
	union {
		struct nvsp_init init;
		struct nvsp_init_done init_done;
		struct nvsp_ndis_version ndis_ver;
		struct nvsp_ndis_config ndis_config;
		struct nvsp_buf buf;
		struct nvsp_recv_buf_done recv_done;
		struct nvsp_send_buf_done send_done;
		struct nvsp_revoke revoke;
		struct nvsp_rndis_pkt rndis;
		struct nvsp_rndis_pkt_done rndis_done;
		struct nvsp_send_table send_table;
		struct nvsp_subchannel subchan;
		struct nvsp_vf_assoc vf;
		struct nvsp_switch_path path;
		u8 raw[NVSP_MSG_SIZE - 4];
	} __packed;
} __packed;
static_assert(sizeof(struct nvsp_msg) == NVSP_MSG_SIZE);

/* The shortest completion a host may send for a message of ours */
#define NVSP_MIN_COMP_SIZE	8

#endif /* _NVSP_WIRE_H */
