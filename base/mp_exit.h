/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exit codes: a documented contract (README "Exit codes") kept by every
 * subcommand; the layers below the command layer compute them from evidence.
 */
#ifndef MP_EXIT_H
#define MP_EXIT_H

/* Exit codes: a documented contract kept by every subcommand (README). */
enum mp_exit {
	MP_EXIT_PASS = 0,	/* every check passed */
	MP_EXIT_FINDING = 1,	/* at least one finding */
	MP_EXIT_USAGE = 2,	/* bad usage or bad input */
	MP_EXIT_UNVERIFIED = 3, /* some target could not be verified, and no finding */
};

#endif
