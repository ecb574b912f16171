/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Giving up privileges once the capture handle is open: a capture reads
 * hostile bytes for its whole run and needs no privilege after pcap_activate.
 * capabilities(7), prctl(2) (PR_CAPBSET_DROP, PR_CAP_AMBIENT,
 * PR_SET_NO_NEW_PRIVS), capset(2) through the raw syscall (no libcap: two
 * calls do not need a library).
 *
 * Capability sets, the bounding set and no_new_privs belong to a thread, not
 * to the process (only glibc's setuid/setgid/setgroups reach every thread),
 * so this refuses to run while other threads exist: they would keep theirs.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capture.h"
#include "util.h"

/* Threads of this process, or 0 when /proc can not tell. */
static unsigned thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	unsigned n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int caps_get(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	*prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	*inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

static int caps_clear(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	memset(d, 0, sizeof(d));
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* Empty the bounding set; needs CAP_SETPCAP (the caller checked). 0 or -errno. */
static int bounding_clear(void)
{
	for (unsigned long c = 0; c < 64; c++) {
		int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (r < 0)
			return errno == EINVAL ? 0 : -errno; /* EINVAL: past the last capability */
		if (r == 1 && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return -errno;
	}
	return 0;
}

int cap_privs_drop(const char *user, uid_t uid, gid_t gid, char *errbuf, size_t errlen)
{
	uint64_t eff = 0, prm = 0, inh = 0; /* caps_get() writes them on success only */
	const char *step;
	int r;

	if (thread_count() > 1) {
		mp_fmt(errbuf, errlen, "can not drop privileges: other threads would keep theirs");
		return -EBUSY;
	}
	step = "read the capabilities";
	if ((r = caps_get(&eff, &prm, &inh)) < 0)
		goto fail;
	step = "empty the bounding set";
	if ((eff >> CAP_SETPCAP & 1) && (r = bounding_clear()) < 0)
		goto fail;
	/* EINVAL: a kernel before 4.3 has no ambient set to clear */
	step = "clear the ambient capabilities";
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		r = -errno;
		goto fail;
	}
	if (user) {
		step = "change user";
		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
			r = -errno;
			goto fail;
		}
	}
	step = "clear the capabilities";
	if ((r = caps_clear()) < 0)
		goto fail;
	step = "set no_new_privs";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		r = -errno;
		goto fail;
	}
	step = "check the result";
	if ((r = caps_get(&eff, &prm, &inh)) < 0)
		goto fail;
	if (eff || prm || inh || (user && uid != 0 && setuid(0) == 0)) {
		r = -EPERM;
		goto fail;
	}
	return 0;
fail:
	mp_fmt(errbuf, errlen, "can not drop privileges%s%s: %s: %s", user ? " to " : "",
	       user ? user : "", step, strerror(-r));
	return r < 0 ? r : -EPERM;
}
