// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus_sim: debugfs, netdevsim style.  Layout and meaning of every
 * file: Documentation/networking/hv-vmbus-sim.rst.
 */
#include <linux/debugfs.h>
#include <linux/netdevice.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vsim.h"

static struct dentry *vsim_dir;

const char * const vsim_corrupt_names[VSIM_CORRUPT_MAX] = {
	[VSIM_CORRUPT_NONE] = "none",
	[VSIM_CORRUPT_XFER_OFFSET] = "xfer_offset",
	[VSIM_CORRUPT_XFER_COUNT] = "xfer_count",
	[VSIM_CORRUPT_RANGE_COUNT] = "range_count",
	[VSIM_CORRUPT_RNDIS_LEN] = "rndis_len",
	[VSIM_CORRUPT_DATA_OFFSET] = "data_offset",
	[VSIM_CORRUPT_DATA_LEN] = "data_len",
	[VSIM_CORRUPT_PPI_SIZE] = "ppi_size",
	[VSIM_CORRUPT_PPI_OFFSET] = "ppi_offset",
	[VSIM_CORRUPT_NVSP_TYPE] = "nvsp_type",
	[VSIM_CORRUPT_TRANS_ID] = "trans_id",
	[VSIM_CORRUPT_CSUM_FAIL] = "csum_fail",
};

const char * const vsim_step_names[VSIM_STEP_MAX] = {
	[VSIM_STEP_NONE] = "none",
	[VSIM_STEP_NVSP_INIT] = "nvsp_init",
	[VSIM_STEP_RECV_BUF] = "recv_buf",
	[VSIM_STEP_SEND_BUF] = "send_buf",
	[VSIM_STEP_RNDIS_INIT] = "rndis_init",
	[VSIM_STEP_QUERY] = "query",
	[VSIM_STEP_SET] = "set",
};

#define STAT(name) { #name, offsetof(struct vsim_nic_stats, name) }
static const struct {
	const char *name;
	size_t off;
} vsim_nic_stat_desc[] = {
	STAT(tx_packets), STAT(tx_bytes), STAT(rx_packets), STAT(rx_bytes),
	STAT(lso_packets), STAT(lso_segments), STAT(csum_computed),
	STAT(thoff_bad), STAT(csum_verified), STAT(vlan_tx), STAT(vlan_rx),
	STAT(hash_rx),
	STAT(rx_drop_filter), STAT(rx_drop_no_buffer), STAT(rx_drop_too_big),
	STAT(ring_full), STAT(guest_eagain), STAT(completions),
	STAT(completions_delayed), STAT(completions_dropped), STAT(corrupted),
	STAT(refused_sets), STAT(early_xfers), STAT(refused_subchannels),
	STAT(burst_frames),
	STAT(failed_steps), STAT(completions_crossed), STAT(offers_skipped),
	STAT(offers_repeated), STAT(offers_late), STAT(closed_reads),
	STAT(vf_tx_packets), STAT(vf_tx_bytes), STAT(vf_tx_dropped),
	STAT(vf_rx_packets), STAT(vf_rx_bytes), STAT(vf_rx_dropped),
	STAT(vf_assocs), STAT(vf_switches), STAT(vf_switch_delayed),
	STAT(vf_switch_dropped), STAT(vf_left_early), STAT(vf_removed),
	STAT(vf_added),
};

#undef STAT

#define STAT(name) { #name, offsetof(struct vsim_chan_stats, name) }
static const struct {
	const char *name;
	size_t off;
} vsim_chan_stat_desc[] = {
	STAT(tx_packets), STAT(tx_bytes), STAT(rx_packets), STAT(rx_bytes),
	STAT(ring_full), STAT(guest_eagain),
};

#undef STAT

static int vsim_nic_stats_show(struct seq_file *s, void *unused)
{
	struct vsim_nic *nic = s->private;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vsim_nic_stat_desc); i++)
		seq_printf(s, "%s %lld\n", vsim_nic_stat_desc[i].name,
			   atomic64_read((atomic64_t *)((u8 *)&nic->stats +
					 vsim_nic_stat_desc[i].off)));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vsim_nic_stats);

/* One ring as its header holds it: read, write, interrupt mask, pending */
static void vsim_ring_show(struct seq_file *s, const char *name,
			   const struct hv_ring_buffer *rb)
{
	seq_printf(s, "%s %u %u %u %u\n", name, READ_ONCE(rb->read_index),
		   READ_ONCE(rb->write_index), READ_ONCE(rb->interrupt_mask),
		   READ_ONCE(rb->pending_send_sz));
}

static int vsim_chan_stats_show(struct seq_file *s, void *unused)
{
	struct vsim_chan *vc = s->private;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vsim_chan_stat_desc); i++)
		seq_printf(s, "%s %lld\n", vsim_chan_stat_desc[i].name,
			   atomic64_read((atomic64_t *)((u8 *)&vc->stats +
					 vsim_chan_stat_desc[i].off)));
	/* The rings are freed only after @open is cleared under in_lock */
	spin_lock_irqsave(&vc->in_lock, flags);
	seq_printf(s, "backlog %u\n", vc->backlog_len);
	if (vc->open) {
		vsim_ring_show(s, "in_ring", vc->ch->inbound.ring_buffer);
		vsim_ring_show(s, "out_ring", vc->ch->outbound.ring_buffer);
	}
	spin_unlock_irqrestore(&vc->in_lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vsim_chan_stats);

/* Read-only state files, one show function keyed by the file name */
static int vsim_state_show(struct seq_file *s, void *unused)
{
	const char *name = file_dentry(s->file)->d_name.name;
	struct vsim_nic *nic = s->private;
	struct vsim_rss *rss;
	unsigned long flags;
	u32 i;

	if (!strcmp(name, "device")) {
		seq_printf(s, "%s\n", dev_name(&nic->hdev.device));
	} else if (!strcmp(name, "mac")) {
		seq_printf(s, "%pM\n", nic->perm_mac);
	} else if (!strcmp(name, "config")) {
		seq_printf(s, "mac=%pM queues=%u nvsp=%#x offloads=%#x mtu=%u speed=%u\n",
			   nic->perm_mac, nic->max_queues, nic->nvsp_max,
			   nic->offloads, nic->max_mtu, nic->speed_mbps);
	} else if (!strcmp(name, "nvsp_version")) {
		seq_printf(s, "%#x\n", nic->nvsp_ver);
	} else if (!strcmp(name, "ndis_mtu")) {
		seq_printf(s, "%u\n", nic->ndis_mtu);
	} else if (!strcmp(name, "recv_sections")) {
		seq_printf(s, "%u %u\n", nic->rsec_size, nic->rsec_count);
	} else if (!strcmp(name, "send_sections")) {
		seq_printf(s, "%u %u\n", VSIM_SEND_SECTION, nic->ssec_count);
	} else if (!strcmp(name, "filter")) {
		seq_printf(s, "%#x\n", READ_ONCE(nic->filter));
	} else if (!strcmp(name, "offload_params")) {
		seq_printf(s, "ip4csum=%u tcp4=%u udp4=%u tcp6=%u udp6=%u lsov2_4=%u lsov2_6=%u\n",
			   nic->offl.ip4_csum, nic->offl.tcp4_csum,
			   nic->offl.udp4_csum, nic->offl.tcp6_csum,
			   nic->offl.udp6_csum, nic->offl.lso4, nic->offl.lso6);
	} else if (!strcmp(name, "open_channels")) {
		seq_printf(s, "%d\n", atomic_read(&nic->open_chans));
	} else if (!strcmp(name, "data_path")) {
		seq_printf(s, "%s\n", READ_ONCE(nic->data_path) ==
			   NVSP_DATA_PATH_VF ? "vf" : "synthetic");
	} else if (!strcmp(name, "vf_serial")) {
		seq_printf(s, "%u\n", nic->vf_serial);
	} else if (!strcmp(name, "vf_representor")) {
		struct net_device *rep;

		rcu_read_lock();
		rep = rcu_dereference(nic->vf_rep);
		seq_printf(s, "%s\n", rep ? rep->name : "none");
		rcu_read_unlock();
	} else if (!strcmp(name, "violations")) {
		seq_printf(s, "%lld\n", atomic64_read(&nic->violations));
	} else if (!strcmp(name, "last_violation")) {
		spin_lock_irqsave(&nic->viol_lock, flags);
		seq_printf(s, "%s\n", nic->last_violation);
		spin_unlock_irqrestore(&nic->viol_lock, flags);
	} else {
		rcu_read_lock();
		rss = rcu_dereference(nic->rss);
		if (!strcmp(name, "rss_enabled")) {
			seq_printf(s, "%d\n", rss ? rss->enabled : 0);
		} else if (!strcmp(name, "rss_hash")) {
			seq_printf(s, "%#x\n", rss ? rss->hash_info : 0);
		} else if (!strcmp(name, "rss_key")) {
			static const u8 zero_key[RSS_KEY_LEN];

			seq_printf(s, "%*phN\n", RSS_KEY_LEN,
				   rss ? rss->key : zero_key);
		} else if (!strcmp(name, "rss_table")) {
			for (i = 0; rss && i < rss->table_len; i++)
				seq_printf(s, "%s%u", i ? " " : "",
					   rss->table[i]);
			seq_putc(s, '\n');
		}
		rcu_read_unlock();
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vsim_state);

static const char * const vsim_state_files[] = {
	"device", "mac", "config", "nvsp_version", "ndis_mtu",
	"recv_sections", "send_sections", "filter", "offload_params",
	"open_channels", "data_path", "vf_serial", "vf_representor",
	"violations", "last_violation",
	"rss_enabled", "rss_hash", "rss_key", "rss_table",
};

static ssize_t vsim_get_user(const char __user *ubuf, size_t count, char *buf,
			     size_t size)
{
	if (count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return count;
}

static int vsim_link_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct vsim_nic *)data)->link_up);
	return 0;
}

static int vsim_link_set(void *data, u64 val)
{
	struct vsim_nic *nic = data;

	if (val > 1)
		return -EINVAL;
	if (READ_ONCE(nic->link_up) == !!val)
		return 0;
	WRITE_ONCE(nic->link_up, !!val);
	vsim_rndis_indicate(nic, val ? RNDIS_ST_MEDIA_CONNECT :
			    RNDIS_ST_MEDIA_DISCONNECT, NULL, 0);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vsim_link_fops, vsim_link_get, vsim_link_set,
			 "%llu\n");

static int vsim_speed_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct vsim_nic *)data)->speed_mbps);
	return 0;
}

static int vsim_speed_set(void *data, u64 val)
{
	struct vsim_nic *nic = data;
	__le32 units;

	if (val > 400000)
		return -EINVAL;
	WRITE_ONCE(nic->speed_mbps, val);
	/* The indication carries the speed in units of 100 bit/s */
	units = cpu_to_le32(val * 10000);
	vsim_rndis_indicate(nic, RNDIS_ST_LINK_SPEED, &units, sizeof(units));
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vsim_speed_fops, vsim_speed_get, vsim_speed_set,
			 "%llu\n");

static int vsim_vf_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct vsim_nic *)data)->vf_offered);
	return 0;
}

static int vsim_vf_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	return vsim_vf_assoc(data, val);
}
DEFINE_DEBUGFS_ATTRIBUTE(vsim_vf_fops, vsim_vf_get, vsim_vf_set, "%llu\n");

/* vf_revoke, vf_offer, vf_remove: write 1; done when the write returns */
static ssize_t vsim_vf_cmd_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos, int cmd)
{
	struct vsim_nic *nic = file->private_data;
	char buf[8];
	ssize_t ret;
	int err;

	ret = vsim_get_user(ubuf, count, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (strcmp(strim(buf), "1"))
		return -EINVAL;
	err = vsim_vf_command(nic, cmd);
	return err ? err : count;
}

#define VSIM_VF_CMD(name, cmd)						\
static ssize_t vsim_##name##_write(struct file *file,			\
				   const char __user *ubuf,		\
				   size_t count, loff_t *ppos)		\
{									\
	return vsim_vf_cmd_write(file, ubuf, count, ppos, cmd);		\
}									\
static const struct file_operations vsim_##name##_fops = {		\
	.open = simple_open,						\
	.write = vsim_##name##_write,					\
	.llseek = no_llseek,						\
}

VSIM_VF_CMD(vf_revoke, VSIM_VF_REVOKE);
VSIM_VF_CMD(vf_offer, VSIM_VF_OFFER);
VSIM_VF_CMD(vf_remove, VSIM_VF_REMOVE);

static ssize_t vsim_netchange_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct vsim_nic *nic = file->private_data;
	int err;

	err = vsim_rndis_indicate(nic, RNDIS_ST_NETWORK_CHANGE, NULL, 0);
	return err ? err : count;
}

static const struct file_operations vsim_netchange_fops = {
	.open = simple_open,
	.write = vsim_netchange_write,
	.llseek = no_llseek,
};

/* send_table: 16 channel numbers, sent to the guest as a new table */
static ssize_t vsim_send_table_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	struct vsim_nic *nic = file->private_data;
	u32 table[NVSP_SEND_TABLE_SIZE];
	char buf[256], *p, *tok;
	unsigned int i = 0;
	ssize_t ret;
	int err;

	ret = vsim_get_user(ubuf, count, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	p = strim(buf);
	while ((tok = strsep(&p, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		if (i == NVSP_SEND_TABLE_SIZE || kstrtou32(tok, 0, &table[i]))
			return -EINVAL;
		i++;
	}
	if (i != NVSP_SEND_TABLE_SIZE)
		return -EINVAL;
	err = vsim_send_table(nic, table);
	return err ? err : count;
}

static const struct file_operations vsim_send_table_fops = {
	.open = simple_open,
	.write = vsim_send_table_write,
	.llseek = no_llseek,
};

static ssize_t vsim_rescind_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct vsim_nic *nic = file->private_data;

	/* Removing the NIC removes this file: do it from a worker */
	if (!READ_ONCE(nic->gone))
		schedule_work(&nic->rescind_work);
	return count;
}

static const struct file_operations vsim_rescind_fops = {
	.open = simple_open,
	.write = vsim_rescind_write,
	.llseek = no_llseek,
};

static int vsim_hold_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct vsim_nic *)data)->fault_hold);
	return 0;
}

static int vsim_hold_set(void *data, u64 val)
{
	struct vsim_nic *nic = data;
	u32 i;

	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(nic->fault_hold, !!val);
	if (!val) {
		/* Resume reading whatever the guest queued meanwhile */
		rcu_read_lock();
		for (i = 0; i <= VSIM_MAX_QUEUES; i++) {
			struct vsim_chan *vc = rcu_dereference(nic->chans[i]);

			if (vc)
				vsim_chan_kick(vc);
		}
		rcu_read_unlock();
	}
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vsim_hold_fops, vsim_hold_get, vsim_hold_set,
			 "%llu\n");

/*
 * A fault knob that takes one of a list of names (corrupt_field, fail_step):
 * the file's private data is the u32 that holds the index of the name.
 */
static ssize_t vsim_choice_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos,
				const char * const *names)
{
	u32 *val = file->private_data;
	char buf[32];
	int n;

	n = scnprintf(buf, sizeof(buf), "%s\n", names[READ_ONCE(*val)]);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static ssize_t vsim_choice_write(struct file *file, const char __user *ubuf,
				 size_t count, const char * const *names,
				 unsigned int nr)
{
	u32 *val = file->private_data;
	char buf[32];
	ssize_t ret;
	int i;

	ret = vsim_get_user(ubuf, count, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	i = match_string(names, nr, strim(buf));
	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(*val, i);
	return count;
}

#define VSIM_CHOICE_FOPS(name, names, nr)				\
static const char * const *const name##_list = names;			\
static ssize_t name##_read(struct file *file, char __user *ubuf,	\
			   size_t count, loff_t *ppos)			\
{									\
	return vsim_choice_read(file, ubuf, count, ppos, name##_list);	\
}									\
static ssize_t name##_write(struct file *file, const char __user *ubuf,\
			    size_t count, loff_t *ppos)			\
{									\
	return vsim_choice_write(file, ubuf, count, name##_list, nr);	\
}									\
static const struct file_operations name##_fops = {			\
	.open = simple_open,						\
	.read = name##_read,						\
	.write = name##_write,						\
	.llseek = no_llseek,						\
}

VSIM_CHOICE_FOPS(vsim_corrupt, vsim_corrupt_names, VSIM_CORRUPT_MAX);
VSIM_CHOICE_FOPS(vsim_step, vsim_step_names, VSIM_STEP_MAX);

/* fuzz/: the seeded fuzzer of host messages (vsim_fuzz.c) */

static int vsim_fuzz_seed_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct vsim_nic *)data)->fuzz.seed);
	return 0;
}

static int vsim_fuzz_seed_set(void *data, u64 val)
{
	vsim_fuzz_reset(data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vsim_fuzz_seed_fops, vsim_fuzz_seed_get,
			 vsim_fuzz_seed_set, "%llu\n");

static ssize_t vsim_fuzz_classes_read(struct file *file, char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	struct vsim_nic *nic = file->private_data;
	u32 mask = READ_ONCE(nic->fuzz.classes);
	char buf[160];
	int i, n;

	n = scnprintf(buf, sizeof(buf), "%#x", mask);
	for (i = 0; i < VSIM_FC_MAX; i++)
		if (mask & BIT(i))
			n += scnprintf(buf + n, sizeof(buf) - n, " %s",
				       vsim_fuzz_class_names[i]);
	n += scnprintf(buf + n, sizeof(buf) - n, "\n");
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

/* A number (bit mask), "all", or class names separated by spaces or commas */
static ssize_t vsim_fuzz_classes_write(struct file *file,
				       const char __user *ubuf, size_t count,
				       loff_t *ppos)
{
	struct vsim_nic *nic = file->private_data;
	char buf[160], *p, *tok;
	u32 mask = 0;
	ssize_t ret;
	int i;

	ret = vsim_get_user(ubuf, count, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	p = strim(buf);
	if (!kstrtou32(p, 0, &mask)) {
		if (mask >= BIT(VSIM_FC_MAX))
			return -EINVAL;
		goto set;
	}
	while ((tok = strsep(&p, " ,\t\n")) != NULL) {
		if (!*tok)
			continue;
		if (!strcmp(tok, "all")) {
			mask |= BIT(VSIM_FC_MAX) - 1;
			continue;
		}
		i = match_string(vsim_fuzz_class_names, VSIM_FC_MAX, tok);
		if (i < 0)
			return -EINVAL;
		mask |= BIT(i);
	}
set:
	WRITE_ONCE(nic->fuzz.classes, mask);
	return count;
}

static const struct file_operations vsim_fuzz_classes_fops = {
	.open = simple_open,
	.read = vsim_fuzz_classes_read,
	.write = vsim_fuzz_classes_write,
	.llseek = no_llseek,
};

/* The text of the log is made at open, so that one reader sees one log */
struct vsim_fuzz_text {
	size_t len;
	char *buf;
};

static int vsim_fuzz_log_open(struct inode *inode, struct file *file)
{
	struct vsim_fuzz_text *t = kzalloc(sizeof(*t), GFP_KERNEL);
	int err;

	if (!t)
		return -ENOMEM;
	err = vsim_fuzz_log_text(inode->i_private, &t->buf, &t->len);
	if (err) {
		kfree(t);
		return err;
	}
	file->private_data = t;
	return 0;
}

static ssize_t vsim_fuzz_log_read(struct file *file, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct vsim_fuzz_text *t = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, t->buf, t->len);
}

static int vsim_fuzz_log_release(struct inode *inode, struct file *file)
{
	struct vsim_fuzz_text *t = file->private_data;

	kvfree(t->buf);
	kfree(t);
	return 0;
}

static const struct file_operations vsim_fuzz_log_fops = {
	.open = vsim_fuzz_log_open,
	.read = vsim_fuzz_log_read,
	.release = vsim_fuzz_log_release,
	.llseek = default_llseek,
};

static int vsim_fuzz_stats_show(struct seq_file *s, void *unused)
{
	struct vsim_fuzz *fz = &((struct vsim_nic *)s->private)->fuzz;
	s64 seen = 0, mutated = 0, a, b;
	int i;

	for (i = 0; i < VSIM_FC_MAX; i++) {
		a = atomic64_read(&fz->seen[i]);
		b = atomic64_read(&fz->mutated[i]);
		seq_printf(s, "%s %lld %lld\n", vsim_fuzz_class_names[i], a, b);
		seen += a;
		mutated += b;
	}
	seq_printf(s, "total %lld %lld\n", seen, mutated);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vsim_fuzz_stats);

static void vsim_debugfs_fuzz_add(struct vsim_nic *nic)
{
	struct dentry *d = debugfs_create_dir("fuzz", nic->dir);

	debugfs_create_file_unsafe("seed", 0600, d, nic, &vsim_fuzz_seed_fops);
	debugfs_create_u32("rate", 0600, d, &nic->fuzz.rate);
	debugfs_create_file("classes", 0600, d, nic, &vsim_fuzz_classes_fops);
	debugfs_create_file("log", 0400, d, nic, &vsim_fuzz_log_fops);
	debugfs_create_file("stats", 0444, d, nic, &vsim_fuzz_stats_fops);
}

static ssize_t vsim_add_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct vsim_nic *nic;
	char buf[256];
	ssize_t ret;

	ret = vsim_get_user(ubuf, count, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	nic = vsim_nic_add(buf);
	return IS_ERR(nic) ? PTR_ERR(nic) : count;
}

static const struct file_operations vsim_add_fops = {
	.open = simple_open,
	.write = vsim_add_write,
	.llseek = no_llseek,
};

void vsim_debugfs_chan_add(struct vsim_chan *vc)
{
	char name[8];

	if (!vc->nic->chans_dir)
		return;
	snprintf(name, sizeof(name), "%u", vc->index);
	vc->dir = debugfs_create_dir(name, vc->nic->chans_dir);
	debugfs_create_file("stats", 0444, vc->dir, vc,
			    &vsim_chan_stats_fops);
}

void vsim_debugfs_nic_add(struct vsim_nic *nic)
{
	struct dentry *faults;
	char name[16];
	unsigned int i;

	snprintf(name, sizeof(name), "nic%d", nic->id);
	nic->dir = debugfs_create_dir(name, vsim_dir);
	for (i = 0; i < ARRAY_SIZE(vsim_state_files); i++)
		debugfs_create_file(vsim_state_files[i], 0444, nic->dir, nic,
				    &vsim_state_fops);
	debugfs_create_file("stats", 0444, nic->dir, nic,
			    &vsim_nic_stats_fops);
	debugfs_create_file_unsafe("link", 0600, nic->dir, nic,
				   &vsim_link_fops);
	debugfs_create_file_unsafe("link_speed", 0600, nic->dir, nic,
				   &vsim_speed_fops);
	debugfs_create_file_unsafe("vf", 0600, nic->dir, nic, &vsim_vf_fops);
	debugfs_create_file("vf_revoke", 0200, nic->dir, nic,
			    &vsim_vf_revoke_fops);
	debugfs_create_file("vf_offer", 0200, nic->dir, nic,
			    &vsim_vf_offer_fops);
	debugfs_create_file("vf_remove", 0200, nic->dir, nic,
			    &vsim_vf_remove_fops);
	debugfs_create_bool("vf_mcast", 0600, nic->dir, &nic->vf_mcast);
	debugfs_create_file("network_change", 0200, nic->dir, nic,
			    &vsim_netchange_fops);
	debugfs_create_file("rescind", 0200, nic->dir, nic,
			    &vsim_rescind_fops);
	debugfs_create_file("send_table", 0200, nic->dir, nic,
			    &vsim_send_table_fops);
	nic->chans_dir = debugfs_create_dir("channels", nic->dir);
	for (i = 0; i <= VSIM_MAX_QUEUES; i++)
		if (nic->vcs[i] && !nic->vcs[i]->dir)
			vsim_debugfs_chan_add(nic->vcs[i]);

	faults = debugfs_create_dir("faults", nic->dir);
	debugfs_create_u32("completion_delay_ms", 0600, faults,
			   &nic->fault_delay_ms);
	debugfs_create_atomic_t("drop_completions", 0600, faults,
				&nic->fault_drop);
	debugfs_create_file_unsafe("hold_ring_full", 0600, faults, nic,
				   &vsim_hold_fops);
	debugfs_create_x32("refuse_set_oid", 0600, faults,
			   &nic->fault_refuse_oid);
	debugfs_create_file("corrupt_field", 0600, faults,
			    &nic->fault_corrupt, &vsim_corrupt_fops);
	debugfs_create_atomic_t("corrupt_count", 0600, faults,
				&nic->fault_corrupt_count);
	debugfs_create_atomic_t("early_xfer", 0600, faults,
				&nic->fault_early_xfer);
	debugfs_create_atomic_t("refuse_subchannels", 0600, faults,
				&nic->fault_refuse_subchannels);
	debugfs_create_u32("burst_at_init", 0600, faults,
			   &nic->fault_burst_at_init);
	debugfs_create_u32("burst_at_halt", 0600, faults,
			   &nic->fault_burst_at_halt);
	debugfs_create_file("fail_step", 0600, faults, &nic->fault_step,
			    &vsim_step_fops);
	debugfs_create_u32("cross_completions", 0600, faults,
			   &nic->fault_cross);
	debugfs_create_u32("subchan_skip", 0600, faults, &nic->fault_sc_skip);
	debugfs_create_u32("subchan_dup", 0600, faults, &nic->fault_sc_dup);
	debugfs_create_u32("subchan_late", 0600, faults, &nic->fault_sc_late);
	debugfs_create_u32("subchan_late_ms", 0600, faults,
			   &nic->fault_sc_late_ms);
	debugfs_create_atomic_t("fail_skip", 0600, faults,
				&nic->fault_step_skip);
	debugfs_create_atomic_t("fail_count", 0600, faults,
				&nic->fault_step_count);
	debugfs_create_u32("vf_assoc_delay_ms", 0600, faults,
			   &nic->vf_assoc_delay_ms);
	debugfs_create_u32("vf_switch_delay_ms", 0600, faults,
			   &nic->vf_switch_delay_ms);
	debugfs_create_atomic_t("vf_switch_drop", 0600, faults,
				&nic->vf_switch_drop);
	vsim_debugfs_fuzz_add(nic);
}

void vsim_debugfs_nic_del(struct vsim_nic *nic)
{
	debugfs_remove_recursive(nic->dir);
	nic->dir = NULL;
	nic->chans_dir = NULL;
}

static int vsim_gpadls_show(struct seq_file *s, void *unused)
{
	seq_printf(s, "%u\n", vsim_gpadl_count());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vsim_gpadls);

int vsim_debugfs_init(void)
{
	vsim_dir = debugfs_create_dir("hv_vmbus_sim", NULL);
	debugfs_create_file("add_nic", 0200, vsim_dir, NULL, &vsim_add_fops);
	debugfs_create_file("gpadls", 0444, vsim_dir, NULL, &vsim_gpadls_fops);
	return 0;
}

void vsim_debugfs_exit(void)
{
	debugfs_remove_recursive(vsim_dir);
}
