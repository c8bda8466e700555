/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_vmbus_sim: the seeded fuzzer of host-to-guest messages.
 */
#ifndef _VSIM_FUZZ_H
#define _VSIM_FUZZ_H

#include <linux/atomic.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/* Message classes, one bit each in fuzz/classes */
enum vsim_fuzz_class {
	VSIM_FC_NVSP,		/* NVSP control completions */
	VSIM_FC_TXCOMP,		/* send completions */
	VSIM_FC_XFER,		/* transfer-page packet headers */
	VSIM_FC_RNDIS,		/* RNDIS control replies */
	VSIM_FC_INDICATE,	/* RNDIS status indications */
	VSIM_FC_TABLE,		/* send indirection tables */
	VSIM_FC_VF,		/* VF association */
	VSIM_FC_PPI,		/* data frames: RNDIS packet header, PPIs */
	VSIM_FC_OFFER,		/* subchannel offers */
	VSIM_FC_MAX,
};

#define VSIM_FUZZ_LOG_LEN	4096

/* One mutation, as fuzz/log shows it */
struct vsim_fuzz_rec {
	u64 seq;		/* the message's number in its class */
	u64 old;
	u64 val;
	const char *field;	/* a string literal, or NULL for an action */
	s8 idx;			/* array index of the field, -1 if none */
	u8 class;
	u8 kind;
	u8 late;		/* written after the packet was posted */
	u16 queue;
};

struct vsim_fuzz {
	/* Knobs; read with READ_ONCE by the senders */
	u64 seed;
	u32 rate;		/* one message in @rate; 0 is off */
	u32 classes;		/* BIT(enum vsim_fuzz_class) */

	atomic64_t seen[VSIM_FC_MAX];
	atomic64_t mutated[VSIM_FC_MAX];

	/* Guards @log, @log_total; taken with interrupts off */
	spinlock_t log_lock;
	struct vsim_fuzz_rec *log;	/* VSIM_FUZZ_LOG_LEN entries */
	u64 log_total;
	struct ratelimit_state rs;	/* of the kernel log lines */
};

struct vsim_nic;
struct vsim_chan;

/* What to write into a receive section once its packet is posted */
struct vsim_fuzz_late {
	u32 off;		/* 0 size means nothing to do */
	u32 size;
	u64 val;
};

int vsim_fuzz_init(struct vsim_nic *nic);
void vsim_fuzz_fini(struct vsim_nic *nic);
void vsim_fuzz_reset(struct vsim_nic *nic, u64 seed);
int vsim_fuzz_send(struct vsim_chan *vc, const void *pkt, u32 len);
int vsim_fuzz_offer(struct vsim_nic *nic, u32 index);
void vsim_fuzz_release(struct vsim_chan *vc);
void vsim_fuzz_rx(struct vsim_chan *vc, u64 cookie, u32 len,
		  struct vsim_fuzz_late *late);
void vsim_fuzz_rx_late(struct vsim_nic *nic, u64 cookie,
		       const struct vsim_fuzz_late *late);
extern const char * const vsim_fuzz_class_names[VSIM_FC_MAX];
int vsim_fuzz_log_text(struct vsim_nic *nic, char **text, size_t *len);

#endif /* _VSIM_FUZZ_H */
