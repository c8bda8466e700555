/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wire formats the simulated host speaks: VMBus packet descriptors, NVSP
 * and RNDIS.  Numbers are protocol facts; names and layout are ours.  All
 * multi-byte fields are little-endian on the wire.
 */
#ifndef _VSIM_PROTO_H
#define _VSIM_PROTO_H

#include <linux/types.h>
#include <linux/build_bug.h>

/* VMBus packet types and flags */
#define VSIM_PKT_INBAND		6
#define VSIM_PKT_XFER_PAGES	7
#define VSIM_PKT_GPA_DIRECT	9
#define VSIM_PKT_COMP		11
#define VSIM_PKT_FLAG_COMP_REQ	1

struct vsim_desc {
	__le16 type;
	__le16 offset8;
	__le16 len8;
	__le16 flags;
	__le64 trans_id;
} __packed;
static_assert(sizeof(struct vsim_desc) == 16);

struct vsim_xfer_range {
	__le32 count;
	__le32 offset;
} __packed;
static_assert(sizeof(struct vsim_xfer_range) == 8);

struct vsim_xfer_hdr {
	struct vsim_desc d;
	__le16 pageset_id;
	u8 sender_owns;
	u8 reserved;
	__le32 range_cnt;
	struct vsim_xfer_range ranges[];
} __packed;
static_assert(sizeof(struct vsim_xfer_hdr) == 24);

struct vsim_gpa_range {
	__le32 len;
	__le32 offset;
	__le64 pfn[];
} __packed;
static_assert(sizeof(struct vsim_gpa_range) == 8);

struct vsim_gpa_hdr {
	struct vsim_desc d;
	__le32 reserved;
	__le32 range_cnt;
} __packed;
static_assert(sizeof(struct vsim_gpa_hdr) == 24);

#define VSIM_RECV_PAGESET	0xcafe

/* NVSP message types */
enum {
	NVSP_INIT		= 1,
	NVSP_INIT_DONE		= 2,
	NVSP_NDIS_VER		= 100,
	NVSP_RECV_BUF		= 101,
	NVSP_RECV_BUF_DONE	= 102,
	NVSP_REVOKE_RECV_BUF	= 103,
	NVSP_SEND_BUF		= 104,
	NVSP_SEND_BUF_DONE	= 105,
	NVSP_REVOKE_SEND_BUF	= 106,
	NVSP_RNDIS_PKT		= 107,
	NVSP_RNDIS_PKT_DONE	= 108,
	NVSP_NDIS_CONFIG	= 125,
	NVSP_VF_ASSOC		= 128,
	NVSP_SWITCH_PATH	= 129,
	NVSP_SUBCHANNEL		= 133,
	NVSP_SEND_TABLE		= 134,
};

enum {
	NVSP_ST_SUCCESS = 1,
	NVSP_ST_FAIL = 2,
};

#define NVSP_V1		0x00002
#define NVSP_V2		0x30002
#define NVSP_V4		0x40000
#define NVSP_V5		0x50000
#define NVSP_V6		0x60000
#define NVSP_V61	0x60001

#define NVSP_NO_SECTION		0xffffffff
#define NVSP_SEND_TABLE_SIZE	16

/* Every NVSP message is carried in a fixed 40-byte body */
struct nvsp_msg {
	__le32 type;
	union {
		struct {
			__le32 min_ver;
			__le32 max_ver;
		} init;
		struct {
			__le32 negotiated;
			__le32 max_mdl_chain;
			__le32 status;
		} init_done;
		struct {
			__le32 major;
			__le32 minor;
		} ndis_ver;
		struct {
			__le32 mtu;
			__le32 reserved;
			__le64 caps;
		} __packed ndis_config;
		struct {
			__le32 gpadl;
			__le16 id;
		} __packed buf;
		struct {
			__le32 status;
			__le32 num_sections;
			__le32 offset;
			__le32 sub_alloc_size;
			__le32 num_sub_allocs;
			__le32 end_offset;
		} recv_done;
		struct {
			__le32 status;
			__le32 section_size;
		} send_done;
		struct {
			__le16 id;
		} revoke;
		struct {
			__le32 channel_type;
			__le32 section_index;
			__le32 section_size;
		} rndis;
		struct {
			__le32 status;
		} rndis_done;
		struct {
			__le32 op;
			__le32 num;
		} subchan;
		struct {
			__le32 status;
			__le32 num;
		} subchan_done;
		struct {
			__le32 count;
			__le32 offset;
		} table;
		struct {
			__le32 allocated;
			__le32 serial;
		} vf;
		struct {
			__le32 path;
		} path;
		u8 raw[36];
	} __packed;
} __packed;
static_assert(sizeof(struct nvsp_msg) == 40);

/* Shortest NVSP body a guest may send: the type word */
#define NVSP_MIN_LEN	4

/* RNDIS */
#define RNDIS_PACKET		0x00000001
#define RNDIS_INIT		0x00000002
#define RNDIS_HALT		0x00000003
#define RNDIS_QUERY		0x00000004
#define RNDIS_SET		0x00000005
#define RNDIS_RESET		0x00000006
#define RNDIS_INDICATE		0x00000007
#define RNDIS_KEEPALIVE		0x00000008
#define RNDIS_DONE		0x80000000

#define RNDIS_ST_SUCCESS		0x00000000
#define RNDIS_ST_FAILURE		0xc0000001
#define RNDIS_ST_NOT_SUPPORTED		0xc00000bb
#define RNDIS_ST_MEDIA_CONNECT		0x4001000b
#define RNDIS_ST_MEDIA_DISCONNECT	0x4001000c
#define RNDIS_ST_LINK_SPEED		0x40010013
#define RNDIS_ST_NETWORK_CHANGE		0x40010018

#define OID_MAX_FRAME_SIZE	0x00010106
#define OID_LINK_SPEED		0x00010107
#define OID_PACKET_FILTER	0x0001010e
#define OID_MEDIA_STATUS	0x00010114
#define OID_RSS_CAPS		0x00010203
#define OID_RSS_PARAMS		0x00010204
#define OID_CONFIG_PARAM	0x0001021b
#define OID_FRIENDLY_NAME	0x00020216
#define OID_PERMANENT_ADDR	0x01010101
#define OID_CURRENT_ADDR	0x01010102
#define OID_OFFLOAD_PARAMS	0xfc01020c
#define OID_OFFLOAD_CAPS	0xfc01020d

#define RNDIS_FILTER_DIRECTED	0x01
#define RNDIS_FILTER_MULTICAST	0x02
#define RNDIS_FILTER_ALLMULTI	0x04
#define RNDIS_FILTER_BROADCAST	0x08
#define RNDIS_FILTER_PROMISC	0x20

struct rndis_hdr {
	__le32 type;
	__le32 len;
} __packed;
static_assert(sizeof(struct rndis_hdr) == 8);

struct rndis_init_req {
	__le32 req_id;
	__le32 major;
	__le32 minor;
	__le32 max_xfer;
} __packed;

struct rndis_init_done {
	__le32 req_id;
	__le32 status;
	__le32 major;
	__le32 minor;
	__le32 dev_flags;
	__le32 medium;
	__le32 max_pkts;
	__le32 max_xfer;
	__le32 align_shift;
	__le32 af_list_offset;
	__le32 af_list_size;
} __packed;
static_assert(sizeof(struct rndis_init_done) == 44);

/* Query and set requests share this layout */
struct rndis_oid_req {
	__le32 req_id;
	__le32 oid;
	__le32 buf_len;
	__le32 buf_offset;	/* from the start of this struct */
	__le32 vc_handle;
} __packed;
static_assert(sizeof(struct rndis_oid_req) == 20);

struct rndis_query_done {
	__le32 req_id;
	__le32 status;
	__le32 buf_len;
	__le32 buf_offset;	/* from the start of this struct */
} __packed;
static_assert(sizeof(struct rndis_query_done) == 16);

struct rndis_status_done {
	__le32 req_id;
	__le32 status;
} __packed;

struct rndis_indicate {
	__le32 status;
	__le32 buf_len;
	__le32 buf_offset;	/* from the start of this struct */
} __packed;
static_assert(sizeof(struct rndis_indicate) == 12);

struct rndis_packet {
	__le32 data_offset;	/* from the start of this struct */
	__le32 data_len;
	__le32 oob_offset;
	__le32 oob_len;
	__le32 oob_count;
	__le32 ppi_offset;	/* from the start of this struct */
	__le32 ppi_len;
	__le32 vc_handle;
	__le32 reserved;
} __packed;
static_assert(sizeof(struct rndis_packet) == 36);

struct rndis_ppi {
	__le32 size;		/* header and data */
	__le32 type;		/* bit 31: internal */
	__le32 offset;		/* data, from the start of this struct */
} __packed;
static_assert(sizeof(struct rndis_ppi) == 12);

#define PPI_CSUM	0
#define PPI_LSO		2
#define PPI_VLAN	6
#define PPI_HASH	8
#define PPI_INTERNAL	0x80000000

/* Transmit checksum request (PPI_CSUM from the guest) */
#define TXCSUM_IPV4		BIT(0)
#define TXCSUM_IPV6		BIT(1)
#define TXCSUM_TCP		BIT(2)
#define TXCSUM_UDP		BIT(3)
#define TXCSUM_IP_HDR		BIT(4)
#define TXCSUM_THOFF(v)		(((v) >> 16) & 0x3ff)

/* LSOv2 request (PPI_LSO from the guest) */
#define LSO_MSS(v)		((v) & 0xfffff)
#define LSO_THOFF(v)		(((v) >> 20) & 0x3ff)
#define LSO_TYPE_V2		BIT(30)
#define LSO_IPV6		BIT(31)

struct ndis_obj_hdr {
	u8 type;
	u8 revision;
	__le16 size;
} __packed;

/* NDIS_OFFLOAD as returned for OID_OFFLOAD_CAPS (revision 3) */
/* NVSP_NDIS_CONFIG capabilities */
#define NDIS_CAP_SRIOV		BIT_ULL(2)

/* NVSP_SWITCH_PATH: where the guest wants its frames */
#define NVSP_DATA_PATH_SYNTHETIC	0
#define NVSP_DATA_PATH_VF		1

struct ndis_offload_caps {
	struct ndis_obj_hdr hdr;
	__le32 v4_tx_encap;
	__le32 v4_tx_csum;
	__le32 v4_rx_encap;
	__le32 v4_rx_csum;
	__le32 v6_tx_encap;
	__le32 v6_tx_csum;
	__le32 v6_rx_encap;
	__le32 v6_rx_csum;
	u8 lsov1[16];
	u8 ipsecv1[28];
	__le32 lso4_encap;
	__le32 lso4_max;
	__le32 lso4_min_segs;
	__le32 lso6_encap;
	__le32 lso6_max;
	__le32 lso6_min_segs;
	__le32 lso6_opts;
	__le32 flags;
	u8 ipsecv2[32];
	u8 rsc4;
	u8 rsc6;
	u8 rsc_pad[2];
	u8 gre[8];
} __packed;
static_assert(sizeof(struct ndis_offload_caps) == 156);

#define NDIS_OBJ_DEFAULT	0x80
#define NDIS_OBJ_RSS_CAPS	0x88
#define NDIS_OBJ_RSS_PARAMS	0x89
#define NDIS_OBJ_OFFLOAD	0xa7

#define CSUMCAP_IP4_OPTS	0x001
#define CSUMCAP_TCP4_OPTS	0x004
#define CSUMCAP_TCP4		0x010
#define CSUMCAP_UDP4		0x040
#define CSUMCAP_IP4		0x100
#define CSUMCAP_IP6_EXT		0x001
#define CSUMCAP_TCP6_OPTS	0x004
#define CSUMCAP_TCP6		0x010
#define CSUMCAP_UDP6		0x040
#define NDIS_ENCAP_8023		0x2

/* NDIS_OFFLOAD_PARAMETERS (set by the guest) */
struct ndis_offload_set {
	struct ndis_obj_hdr hdr;
	u8 ip4_csum;
	u8 tcp4_csum;
	u8 udp4_csum;
	u8 tcp6_csum;
	u8 udp6_csum;
	u8 lsov1;
	u8 ipsecv1;
	u8 lso4;
	u8 lso6;
} __packed;
static_assert(sizeof(struct ndis_offload_set) == 13);

#define OFFLOAD_CSUM_OFF	1
#define OFFLOAD_CSUM_TX		2
#define OFFLOAD_CSUM_RX		3
#define OFFLOAD_CSUM_TXRX	4
#define OFFLOAD_LSO_OFF		1
#define OFFLOAD_LSO_ON		2

struct ndis_rss_caps {
	struct ndis_obj_hdr hdr;
	__le32 cap_flags;
	__le32 num_int_msg;
	__le32 num_queues;
	__le16 table_entries;
} __packed;
static_assert(sizeof(struct ndis_rss_caps) == 18);

struct ndis_rss_params {
	struct ndis_obj_hdr hdr;
	__le16 flags;
	__le16 base_cpu;
	__le32 hash_info;
	__le16 table_size;	/* bytes */
	u8 pad1[2];
	__le32 table_offset;	/* from the start of this struct */
	__le16 key_size;
	u8 pad2[2];
	__le32 key_offset;	/* from the start of this struct */
	__le32 cpu_masks_offset;
	__le32 cpu_masks_count;
	__le32 cpu_masks_entry;
} __packed;
static_assert(sizeof(struct ndis_rss_params) == 40);

#define RSS_FLAG_DISABLE	0x0010
#define RSS_KEY_LEN		40
#define RSS_TABLE_MAX		128

/* RNDIS_CONFIG_PARAMETER_INFO, used to set the MAC address */
struct rndis_config_param {
	__le32 name_offset;
	__le32 name_len;
	__le32 type;
	__le32 value_offset;
	__le32 value_len;
} __packed;
static_assert(sizeof(struct rndis_config_param) == 20);

#endif /* _VSIM_PROTO_H */
