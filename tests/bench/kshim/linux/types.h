/* SPDX-License-Identifier: GPL-2.0 */
#include_next <linux/types.h>	/* the real one: glibc includes it too */
#include "../../kshim.h"
