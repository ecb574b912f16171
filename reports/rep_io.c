/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "util.h"

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int rep_write_file(const char *path, const char *data, size_t len, char *errbuf, size_t errlen)
{
	char tmp[4096], dir[4096];
	int fd = -1, rc;

	if (strcmp(path, "-") == 0) {
		rc = write_all(STDOUT_FILENO, data, len);
		if (rc < 0)
			mp_fmt(errbuf, errlen, "stdout: %s", strerror(-rc));
		return rc;
	}
	if (strlen(path) + 16 >= sizeof(tmp)) {
		mp_fmt(errbuf, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	mp_strlcpy(dir, path, sizeof(dir));
	mp_fmt(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dir), basename((char *)path));
	fd = mkstemp(tmp); /* mode 0600 */
	if (fd < 0) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "%s: cannot create a temporary file: %s", path,
		       strerror(errno));
		return rc;
	}
	rc = write_all(fd, data, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		mp_fmt(errbuf, errlen, "%s: %s (nothing written)", path, strerror(-rc));
		unlink(tmp);
		return rc;
	}
	/* make the rename itself durable */
	mp_strlcpy(dir, path, sizeof(dir));
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}
