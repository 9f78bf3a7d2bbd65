// SPDX-License-Identifier: GPL-2.0
/*
 * maglevd: VIP announcement.  Each announced VIP has a tun device that
 * maglevd opens without TUNSETPERSIST: BIRD has a static route to the VIP
 * through it (bird/maglevd-bird.conf), active while the device is up.
 * Link up = announce, link down = withdraw.  If maglevd dies, the kernel
 * closes the fd and deletes the device, and BIRD withdraws the route: the
 * fail-safe needs no code of ours.  The device carries no address and no
 * route in the forwarder's own tables, so no traffic goes to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_tun.h>

#include "maglevd.h"

int vip_open(struct vip *v)
{
	struct ifreq ifr;
	char path[96];
	int fd;

	v->up = false;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		logmsg(LOG_ERR, "cannot open /dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", v->dev);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		logmsg(LOG_ERR, "cannot create tun device %s: %s", v->dev,
		       strerror(errno));
		close(fd);
		return -1;
	}
	v->fd = fd;
	/* no IPv6 link-local address, no router solicitations */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 v->dev);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			(void)0;
		close(fd);
	}
	vip_set(v, false);
	return 0;
}

void vip_set(struct vip *v, bool up)
{
	struct ifreq ifr;
	int s;

	if (v->fd < 0)
		return;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", v->dev);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		if (up)
			ifr.ifr_flags |= IFF_UP;
		else
			ifr.ifr_flags &= ~IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			logmsg(LOG_ERR, "cannot set %s %s: %s", v->dev,
			       up ? "up" : "down", strerror(errno));
		else
			v->up = up;
	}
	close(s);
}

void vip_close(struct vip *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	v->up = false;
}
