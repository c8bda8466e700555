// SPDX-License-Identifier: GPL-2.0
/*
 * hv_exthdr: TCP over IPv6 with a large destination options header, for
 * the selftests (exthdr.sh).  The header pushes the TCP header far into
 * each frame, past what the 10-bit transport offset of the checksum and
 * LSOv2 per-packet info can hold.
 *
 *   hv_exthdr listen PORT            accept one connection, copy it to stdout
 *   hv_exthdr send ADDR PORT [LEN]   connect with a LEN-byte (default 1000)
 *                                    destination options header, copy stdin
 *   hv_exthdr pkt IFNAME OFF [MSS]   one IPv4 TCP frame through a packet
 *                                    socket whose virtio-net header puts the
 *                                    checksum start at OFF (with MSS: a
 *                                    TCPv4 GSO packet of four MSS, which the
 *                                    stack segments: it is SKB_GSO_DODGY)
 *
 * Linux refuses PadN options of more than 7 bytes, so the header is filled
 * with options of an unknown type whose action bits say "skip it" (0x1e,
 * RFC 3692 experimental); the receiver walks past them.
 *
 * The kernel strips the checksum and TSO offloads from IPv6 frames with
 * extension headers before a driver with only NETIF_F_IPV6_CSUM sees them;
 * "pkt" is a way past that: the core checks no IPv4 checksum start, so the
 * driver is handed a transport offset of OFF.  The frame's own TCP header
 * is at 34; past the checksum start the stack, or the host, sums what it
 * is told to.  Built statically
 * by the top Makefile; scripts/vm-run puts it in the guest's /usr/bin.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OPT_SKIP_TYPE	0x1e
#define OPT_MAX_DATA	255

static int copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n, w, done;

	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			return 0;
		for (done = 0; done < n; done += w) {
			w = write(out, buf + done, n - done);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return -1;
		}
	}
}

/* A destination options header of @len bytes (a multiple of 8, 8..2048) */
static int build_dstopts(unsigned char *h, int len)
{
	int off = 2, left;

	if (len < 8 || len > 2048 || len % 8)
		return -1;
	memset(h, 0, len);
	h[1] = len / 8 - 1;	/* next header: filled in by the kernel */
	while ((left = len - off) > 0) {
		int data = left - 2;

		if (left == 1) {	/* cannot happen with len % 8 == 0 */
			h[off++] = 0;	/* Pad1 */
			break;
		}
		if (data > OPT_MAX_DATA)
			data = OPT_MAX_DATA;
		/* leave room for a whole option after this one */
		if (left - 2 - data == 1)
			data--;
		h[off] = OPT_SKIP_TYPE;
		h[off + 1] = data;
		memset(h + off + 2, 0xa5, data);
		off += 2 + data;
	}
	return 0;
}

static int do_listen(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int s, c, one = 1;

	a.sin6_port = htons(port);
	a.sin6_addr = in6addr_any;
	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
		perror("hv_exthdr: listen");
		return 1;
	}
	c = accept(s, NULL, NULL);
	if (c < 0) {
		perror("hv_exthdr: accept");
		return 1;
	}
	if (copy_fd(c, 1)) {
		perror("hv_exthdr: receive");
		return 1;
	}
	close(c);
	close(s);
	return 0;
}

static int do_send(const char *addr, int port, int len)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	unsigned char opts[2048];
	int s;

	a.sin6_port = htons(port);
	if (inet_pton(AF_INET6, addr, &a.sin6_addr) != 1) {
		fprintf(stderr, "hv_exthdr: bad IPv6 address %s\n", addr);
		return 2;
	}
	if (build_dstopts(opts, len)) {
		fprintf(stderr, "hv_exthdr: header length %d: 8..2048, a multiple of 8\n",
			len);
		return 2;
	}
	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, IPPROTO_IPV6, IPV6_DSTOPTS, opts, len)) {
		perror("hv_exthdr: IPV6_DSTOPTS");
		return 1;
	}
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("hv_exthdr: connect");
		return 1;
	}
	if (copy_fd(0, s) || shutdown(s, SHUT_WR)) {
		perror("hv_exthdr: send");
		return 1;
	}
	/* wait for the peer to close: everything was taken */
	while (read(s, opts, sizeof(opts)) > 0)
		;
	close(s);
	return 0;
}

static unsigned short ip_csum(const unsigned char *p, int len)
{
	unsigned int sum = 0;
	int i;

	for (i = 0; i < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void put16(unsigned char *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* A frame from 10.0.0.1:9 to 10.0.0.2:9, broadcast, with a TCP ACK */
static int do_pkt(const char *ifname, int off, int mss)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	static unsigned char buf[sizeof(struct virtio_net_hdr) + 8192];
	struct virtio_net_hdr *vh = (void *)buf;
	unsigned char *f = buf + sizeof(*vh), *ip = f + 14, *tcp = ip + 20;
	int len = mss ? off + 20 + 4 * mss : off + 400, one = 1, s, i;

	if (off < 34 || len > 8192 || (!mss && len > 1514)) {
		fprintf(stderr, "hv_exthdr: offset %d, mss %d do not fit\n",
			off, mss);
		return 2;
	}
	memset(buf, 0, sizeof(buf));
	memset(f, 0xff, 6);
	f[6] = 0x02;
	f[11] = 0x01;
	put16(f + 12, ETH_P_IP);
	ip[0] = 0x45;
	put16(ip + 2, len - 14);
	put16(ip + 6, 0x4000);	/* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	ip[12] = 10;
	ip[15] = 1;
	ip[16] = 10;
	ip[19] = 2;
	put16(ip + 10, ip_csum(ip, 20));
	put16(tcp, 9);
	put16(tcp + 2, 9);
	tcp[12] = 5 << 4;
	tcp[13] = 0x10;	/* ACK */
	put16(tcp + 14, 512);
	for (i = 54; i < len; i++)
		f[i] = i;

	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = off;
	vh->csum_offset = 16;
	if (mss) {
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh->gso_size = mss;
		vh->hdr_len = off + 20;
	}

	ll.sll_protocol = htons(ETH_P_IP);
	ll.sll_ifindex = if_nametoindex(ifname);
	if (!ll.sll_ifindex) {
		fprintf(stderr, "hv_exthdr: no interface %s\n", ifname);
		return 2;
	}
	s = socket(AF_PACKET, SOCK_RAW, 0);
	if (s < 0 || setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one,
				sizeof(one))) {
		perror("hv_exthdr: PACKET_VNET_HDR");
		return 1;
	}
	if (sendto(s, buf, sizeof(*vh) + len, 0, (struct sockaddr *)&ll,
		   sizeof(ll)) < 0) {
		perror("hv_exthdr: sendto");
		return 1;
	}
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "pkt"))
		return do_pkt(argv[2], atoi(argv[3]),
			      argc == 5 ? atoi(argv[4]) : 0);
	if (argc == 3 && !strcmp(argv[1], "listen"))
		return do_listen(atoi(argv[2]));
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]),
			       argc == 5 ? atoi(argv[4]) : 1000);
	fprintf(stderr, "usage: hv_exthdr listen PORT\n"
		"       hv_exthdr send ADDR PORT [LEN]\n"
		"       hv_exthdr pkt IFNAME OFF [MSS]\n");
	return 2;
}
