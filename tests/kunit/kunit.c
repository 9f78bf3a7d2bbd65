// SPDX-License-Identifier: GPL-2.0
/*
 * maglev_kunit.ko: the suites live in the *_kunit.c files beside this one.
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for maglev");
