/* SPDX-License-Identifier: GPL-2.0 */
#include_next <linux/errno.h>	/* the real one: glibc includes it too */
#include "../../kshim.h"
