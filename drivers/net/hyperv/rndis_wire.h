/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RNDIS as a Hyper-V host speaks it to a synthetic NIC: message headers,
 * OIDs, status codes, per-packet information and the NDIS objects that
 * carry offload settings.  Protocol facts only; every multi-byte field is
 * little-endian on the wire.
 */
#ifndef _RNDIS_WIRE_H
#define _RNDIS_WIRE_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

/* Message types; a completion is the request type with bit 31 set */
#define RNDIS_T_PACKET		0x00000001
#define RNDIS_T_INIT		0x00000002
#define RNDIS_T_HALT		0x00000003
#define RNDIS_T_QUERY		0x00000004
#define RNDIS_T_SET		0x00000005
#define RNDIS_T_RESET		0x00000006
#define RNDIS_T_INDICATE	0x00000007
#define RNDIS_T_KEEPALIVE	0x00000008
#define RNDIS_T_DONE		0x80000000

/* Status codes */
#define RNDIS_S_SUCCESS			0x00000000
#define RNDIS_S_MEDIA_CONNECT		0x4001000b
#define RNDIS_S_MEDIA_DISCONNECT	0x4001000c
#define RNDIS_S_LINK_SPEED_CHANGE	0x40010013
#define RNDIS_S_NETWORK_CHANGE		0x40010018

/* Object identifiers */
#define RNDIS_OID_MAX_FRAME_SIZE	0x00010106
#define RNDIS_OID_LINK_SPEED		0x00010107
#define RNDIS_OID_PACKET_FILTER		0x0001010e
#define RNDIS_OID_MEDIA_STATUS		0x00010114
#define RNDIS_OID_CONFIG_PARAMETER	0x0001021b
#define RNDIS_OID_FRIENDLY_NAME		0x00020216
#define RNDIS_OID_PERMANENT_ADDRESS	0x01010101
#define RNDIS_OID_OFFLOAD_PARAMS	0xfc01020c
#define RNDIS_OID_OFFLOAD_CAPS		0xfc01020d
#define RNDIS_OID_RSS_CAPS		0x00010203
#define RNDIS_OID_RSS_PARAMS		0x00010204

/* Packet filter bits */
#define RNDIS_FILTER_DIRECTED	0x00000001
#define RNDIS_FILTER_ALLMULTI	0x00000004
#define RNDIS_FILTER_BROADCAST	0x00000008
#define RNDIS_FILTER_PROMISC	0x00000020

/* MEDIA_STATUS values */
#define RNDIS_MEDIA_CONNECTED	0

/* RNDIS version the guest asks for, and the largest transfer it takes */
#define RNDIS_MAJOR		1
#define RNDIS_MINOR		0
#define RNDIS_MAX_XFER		0x4000

struct rndis_hdr {
	__le32 type;
	__le32 len;		/* header included */
} __packed;
static_assert(sizeof(struct rndis_hdr) == 8);

struct rndis_init_req {
	__le32 req_id;
	__le32 major;
	__le32 minor;
	__le32 max_xfer;
} __packed;
static_assert(sizeof(struct rndis_init_req) == 16);

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

struct rndis_halt_req {
	__le32 req_id;
} __packed;
static_assert(sizeof(struct rndis_halt_req) == 4);

/* Query and set requests; the information buffer follows */
struct rndis_oid_req {
	__le32 req_id;
	__le32 oid;
	__le32 buf_len;
	__le32 buf_offset;	/* from the start of this structure */
	__le32 vc_handle;
} __packed;
static_assert(sizeof(struct rndis_oid_req) == 20);

struct rndis_query_done {
	__le32 req_id;
	__le32 status;
	__le32 buf_len;
	__le32 buf_offset;	/* from the start of this structure */
} __packed;
static_assert(sizeof(struct rndis_query_done) == 16);

struct rndis_set_done {
	__le32 req_id;
	__le32 status;
} __packed;
static_assert(sizeof(struct rndis_set_done) == 8);

struct rndis_indicate {
	__le32 status;
	__le32 buf_len;
	__le32 buf_offset;	/* from the start of this structure */
} __packed;
static_assert(sizeof(struct rndis_indicate) == 12);

/* A data packet: offsets count from the start of this structure */
struct rndis_packet {
	__le32 data_offset;
	__le32 data_len;
	__le32 oob_offset;
	__le32 oob_len;
	__le32 oob_count;
	__le32 ppi_offset;
	__le32 ppi_len;
	__le32 vc_handle;
	__le32 reserved;
} __packed;
static_assert(sizeof(struct rndis_packet) == 36);

/* Per-packet information: a header, then its value at @offset */
struct rndis_ppi {
	__le32 size;		/* header and value */
	__le32 type;		/* bit 31: internal */
	__le32 offset;		/* from the start of this structure */
} __packed;
static_assert(sizeof(struct rndis_ppi) == 12);

#define RNDIS_PPI_CSUM		0
#define RNDIS_PPI_LSO		2
#define RNDIS_PPI_VLAN		6
#define RNDIS_PPI_HASH		8
#define RNDIS_PPI_INTERNAL	BIT(31)

/* Transmit checksum request (RNDIS_PPI_CSUM, guest to host) */
#define RNDIS_TXCSUM_IPV4	BIT(0)
#define RNDIS_TXCSUM_IPV6	BIT(1)
#define RNDIS_TXCSUM_TCP	BIT(2)
#define RNDIS_TXCSUM_UDP	BIT(3)
#define RNDIS_TXCSUM_THOFF_SHIFT 16
/* Both the checksum and the LSOv2 info hold the transport offset in 10 bits */
#define RNDIS_THOFF_MAX		1023

/* Receive checksum result (RNDIS_PPI_CSUM, host to guest) */
#define RNDIS_RXCSUM_TCP_FAIL	BIT(0)
#define RNDIS_RXCSUM_UDP_FAIL	BIT(1)
#define RNDIS_RXCSUM_IP_FAIL	BIT(2)
#define RNDIS_RXCSUM_TCP_OK	BIT(3)
#define RNDIS_RXCSUM_UDP_OK	BIT(4)
#define RNDIS_RXCSUM_IP_OK	BIT(5)

/* Large send offload, version 2 (RNDIS_PPI_LSO) */
#define RNDIS_LSO_MSS_MASK	GENMASK(19, 0)
#define RNDIS_LSO_THOFF_SHIFT	20
#define RNDIS_LSO_V2		BIT(30)
#define RNDIS_LSO_IPV6		BIT(31)

/* IEEE 802.1Q tag (RNDIS_PPI_VLAN) */
#define RNDIS_VLAN_PRIO_MASK	GENMASK(2, 0)
#define RNDIS_VLAN_CFI		BIT(3)
#define RNDIS_VLAN_VID_SHIFT	4
#define RNDIS_VLAN_VID_MASK	GENMASK(15, 4)

/* NDIS object header in front of the offload and RSS structures */
struct ndis_obj_hdr {
	u8 type;
	u8 revision;
	__le16 size;
} __packed;
static_assert(sizeof(struct ndis_obj_hdr) == 4);

#define NDIS_OBJ_DEFAULT	0x80
#define NDIS_OBJ_OFFLOAD	0xa7
#define NDIS_OBJ_RSS_CAPS	0x88
#define NDIS_OBJ_RSS_PARAMS	0x89

/* RSS capabilities (RNDIS_OID_RSS_CAPS), revision 2 */
struct ndis_rss_caps {
	struct ndis_obj_hdr hdr;
	__le32 flags;
	__le32 num_int_msg;
	__le32 num_queues;
	__le16 table_entries;
} __packed;
static_assert(sizeof(struct ndis_rss_caps) == 18);

/* Hash types in ndis_rss_caps.flags */
#define NDIS_RSS_CAP_TCP4	0x00000100
#define NDIS_RSS_CAP_TCP6	0x00000200
#define NDIS_RSS_CAP_UDP4	0x00000800
#define NDIS_RSS_CAP_UDP6	0x00001000

/* RSS parameters (RNDIS_OID_RSS_PARAMS), revision 2; the table (u32 queue
 * numbers) and the key follow at the offsets given
 */
struct ndis_rss_params {
	struct ndis_obj_hdr hdr;
	__le16 flags;
	__le16 base_cpu;
	__le32 hash_info;
	__le16 table_size;	/* bytes */
	__le16 pad1;
	__le32 table_offset;
	__le16 key_size;
	__le16 pad2;
	__le32 key_offset;
	__le32 cpu_masks_offset;
	__le32 num_cpu_masks;
	__le32 cpu_mask_size;
} __packed;
static_assert(sizeof(struct ndis_rss_params) == 40);

#define NDIS_RSS_FLAG_DISABLE	0x0010

/* Hash information: function and types */
#define NDIS_HASH_TOEPLITZ	0x00000001
#define NDIS_HASH_IPV4		0x00000100
#define NDIS_HASH_TCP_IPV4	0x00000200
#define NDIS_HASH_IPV6		0x00000400
#define NDIS_HASH_TCP_IPV6	0x00001000
#define NDIS_HASH_UDP_IPV4	0x00004000
#define NDIS_HASH_UDP_IPV6	0x00008000

/* Offload capabilities (RNDIS_OID_OFFLOAD_CAPS) */
struct ndis_offload_caps {
	struct ndis_obj_hdr hdr;
	__le32 ip4_tx_encap;
	__le32 ip4_tx_csum;
	__le32 ip4_rx_encap;
	__le32 ip4_rx_csum;
	__le32 ip6_tx_encap;
	__le32 ip6_tx_csum;
	__le32 ip6_rx_encap;
	__le32 ip6_rx_csum;
	u8 lsov1[16];
	u8 ipsecv1[28];
	__le32 lso4_encap;
	__le32 lso4_max_size;
	__le32 lso4_min_segs;
	__le32 lso6_encap;
	__le32 lso6_max_size;
	__le32 lso6_min_segs;
	__le32 lso6_opts;
	__le32 flags;
	u8 ipsecv2[32];
	u8 rsc_ip4;
	u8 rsc_ip6;
	u8 rsc_pad[2];
	u8 encap_gre[8];
} __packed;
static_assert(sizeof(struct ndis_offload_caps) == 156);

/* Sizes and revisions of the capability structure by NVSP version */
#define NDIS_OFFLOAD_CAPS_SIZE_V1	112
#define NDIS_OFFLOAD_CAPS_SIZE_V2	144
#define NDIS_OFFLOAD_CAPS_SIZE_V3	156

#define NDIS_ENCAP_8023			0x2
#define NDIS_CSUM_TCP4_OPTS		0x004
#define NDIS_CSUM_TCP4			0x010
#define NDIS_CSUM_UDP4			0x040
#define NDIS_CSUM_IP6_EXT		0x001
#define NDIS_CSUM_TCP6_OPTS		0x004
#define NDIS_CSUM_TCP6			0x010
#define NDIS_CSUM_UDP6			0x040
#define NDIS_LSO6_EXT_HDRS		0x001
#define NDIS_LSO6_TCP_OPTS		0x004

/* Offload parameters (RNDIS_OID_OFFLOAD_PARAMS) */
struct ndis_offload_params {
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
	u8 tcp_conn4;
	u8 tcp_conn6;
	u8 pad;
	__le32 flags;
	u8 ipsecv2;
	u8 ipsecv2_ip4;
	u8 rsc_ip4;
	u8 rsc_ip6;
	u8 encap_offload;
	u8 encap_types;
	u8 pad2[2];
} __packed;
static_assert(sizeof(struct ndis_offload_params) == 28);

/* Size of the parameters up to NVSP 4 */
#define NDIS_OFFLOAD_PARAMS_SIZE_V4	22
#define NDIS_OFFLOAD_PARAMS_REV		3

#define NDIS_OFFLOAD_NO_CHANGE		0
#define NDIS_OFFLOAD_CSUM_OFF		1
#define NDIS_OFFLOAD_CSUM_TX		2
#define NDIS_OFFLOAD_CSUM_TXRX		4
#define NDIS_OFFLOAD_LSO_ON		2
#define NDIS_OFFLOAD_RSC_OFF		1

/* "NetworkAddress" configuration parameter, used to change the MAC */
struct rndis_config_param {
	__le32 name_offset;	/* from the start of this structure */
	__le32 name_len;	/* bytes */
	__le32 type;
	__le32 value_offset;
	__le32 value_len;
} __packed;
static_assert(sizeof(struct rndis_config_param) == 20);

#define RNDIS_CONFIG_PARAM_STRING	2

#endif /* _RNDIS_WIRE_H */
