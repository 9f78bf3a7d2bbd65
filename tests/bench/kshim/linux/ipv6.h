/* SPDX-License-Identifier: GPL-2.0 */
#include_next <linux/ipv6.h>	/* the uapi one */
#include "../../kshim.h"
