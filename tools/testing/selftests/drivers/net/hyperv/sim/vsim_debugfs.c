// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus_sim: debugfs, netdevsim style.  Layout and meaning of every
 * file: Documentation/networking/hv-vmbus-sim.rst.
 */
#include <linux/debugfs.h>
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

#define STAT(name) { #name, offsetof(struct vsim_nic_stats, name) }
static const struct {
	const char *name;
	size_t off;
} vsim_nic_stat_desc[] = {
	STAT(tx_packets), STAT(tx_bytes), STAT(rx_packets), STAT(rx_bytes),
	STAT(lso_packets), STAT(lso_segments), STAT(csum_computed),
	STAT(csum_verified), STAT(vlan_tx), STAT(vlan_rx), STAT(hash_rx),
	STAT(rx_drop_filter), STAT(rx_drop_no_buffer), STAT(rx_drop_too_big),
	STAT(ring_full), STAT(guest_eagain), STAT(completions),
	STAT(completions_delayed), STAT(completions_dropped), STAT(corrupted),
	STAT(refused_sets),
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
		seq_printf(s, "%s\n", nic->data_path ? "vf" : "synthetic");
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
	"open_channels", "data_path", "violations", "last_violation",
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

	if (!val || val > 400000)
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
	struct vsim_nic *nic = data;
	struct nvsp_msg msg = {};
	struct vsim_chan *vc;
	int err = -ENOTCONN;

	if (val > 1)
		return -EINVAL;
	if (nic->nvsp_ver < NVSP_V4)
		return -EOPNOTSUPP;
	msg.type = cpu_to_le32(NVSP_VF_ASSOC);
	msg.vf.allocated = cpu_to_le32(val);
	msg.vf.serial = cpu_to_le32(nic->id + 1);
	rcu_read_lock();
	vc = rcu_dereference(nic->chans[0]);
	if (vc)
		err = vsim_send_inband(vc, &msg, sizeof(msg));
	rcu_read_unlock();
	if (!err)
		WRITE_ONCE(nic->vf_offered, !!val);
	return err;
}
DEFINE_DEBUGFS_ATTRIBUTE(vsim_vf_fops, vsim_vf_get, vsim_vf_set, "%llu\n");

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

static ssize_t vsim_corrupt_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct vsim_nic *nic = file->private_data;
	char buf[32];
	int n;

	n = scnprintf(buf, sizeof(buf), "%s\n",
		      vsim_corrupt_names[READ_ONCE(nic->fault_corrupt)]);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static ssize_t vsim_corrupt_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct vsim_nic *nic = file->private_data;
	char buf[32];
	ssize_t ret;
	int i;

	ret = vsim_get_user(ubuf, count, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	i = match_string(vsim_corrupt_names, VSIM_CORRUPT_MAX, strim(buf));
	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(nic->fault_corrupt, i);
	return count;
}

static const struct file_operations vsim_corrupt_fops = {
	.open = simple_open,
	.read = vsim_corrupt_read,
	.write = vsim_corrupt_write,
	.llseek = no_llseek,
};

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
	debugfs_create_file("corrupt_field", 0600, faults, nic,
			    &vsim_corrupt_fops);
	debugfs_create_atomic_t("corrupt_count", 0600, faults,
				&nic->fault_corrupt_count);
}

void vsim_debugfs_nic_del(struct vsim_nic *nic)
{
	debugfs_remove_recursive(nic->dir);
	nic->dir = NULL;
	nic->chans_dir = NULL;
}

int vsim_debugfs_init(void)
{
	vsim_dir = debugfs_create_dir("hv_vmbus_sim", NULL);
	debugfs_create_file("add_nic", 0200, vsim_dir, NULL, &vsim_add_fops);
	return 0;
}

void vsim_debugfs_exit(void)
{
	debugfs_remove_recursive(vsim_dir);
}
