/* SPDX-License-Identifier: GPL-2.0 */
#include_next <linux/ip.h>	/* the uapi one */
#include "../../kshim.h"
