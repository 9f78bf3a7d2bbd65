/* SPDX-License-Identifier: GPL-2.0 */
#include_next <linux/tcp.h>	/* the uapi one */
#include "../../kshim.h"
