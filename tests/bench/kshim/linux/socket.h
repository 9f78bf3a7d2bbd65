/* SPDX-License-Identifier: GPL-2.0 */
#include_next <linux/socket.h>	/* the uapi one */
#include "../../kshim.h"
