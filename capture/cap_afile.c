/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output files written atomically: a temp file in the target's directory
 * (mode 0600), fsync, rename over the target, fsync the directory. A reader
 * sees the old file or the whole new one, never half a report.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cap-internal.h"
#include "util.h"

int cap_afile_open(struct cap_afile *f, const char *path, char *errbuf, size_t errlen)
{
	char *d = NULL, *b = NULL, *dir, *base;
	size_t n;
	int r = -ENOMEM;

	f->fd = -1;
	f->tmp = NULL;
	f->path = strdup(path);
	d = strdup(path);
	b = strdup(path);
	if (!f->path || !d || !b)
		goto out;
	dir = dirname(d);
	base = basename(b);
	n = strlen(dir) + strlen(base) + 16;
	f->tmp = malloc(n);
	if (!f->tmp)
		goto out;
	mp_fmt(f->tmp, n, "%s/.%s.XXXXXX", dir, base);
	f->fd = mkstemp(f->tmp);
	if (f->fd < 0) {
		r = -errno;
		mp_fmt(errbuf, errlen, "can not create a file beside '%s': %s", path,
		       strerror(errno));
		free(f->tmp);
		f->tmp = NULL;
		goto out;
	}
	(void)fchmod(f->fd, 0600);
	r = 0;
out:
	free(d);
	free(b);
	if (r < 0) {
		free(f->path);
		f->path = NULL;
	}
	return r;
}

int cap_afile_chown(struct cap_afile *f, uid_t uid, gid_t gid)
{
	if (f->fd < 0)
		return -EBADF;
	return fchown(f->fd, uid, gid) < 0 ? -errno : 0;
}

int cap_afile_write(struct cap_afile *f, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t w = write(f->fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void fsync_dir(const char *path)
{
	char *d = strdup(path);
	if (!d)
		return;
	int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd); /* best effort: the rename itself is done */
		close(fd);
	}
	free(d);
}

int cap_afile_commit(struct cap_afile *f, char *errbuf, size_t errlen)
{
	int r = 0;
	if (fsync(f->fd) < 0) {
		r = -errno;
		mp_fmt(errbuf, errlen, "fsync '%s': %s", f->path, strerror(errno));
	}
	if (close(f->fd) < 0 && r == 0) {
		r = -errno;
		mp_fmt(errbuf, errlen, "close '%s': %s", f->path, strerror(errno));
	}
	f->fd = -1;
	if (r == 0 && rename(f->tmp, f->path) < 0) {
		r = -errno;
		mp_fmt(errbuf, errlen, "rename to '%s': %s", f->path, strerror(errno));
	}
	if (r < 0)
		return r;
	fsync_dir(f->path);
	free(f->tmp);
	f->tmp = NULL;
	return 0;
}

void cap_afile_abort(struct cap_afile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp)
		(void)unlink(f->tmp);
	free(f->tmp);
	free(f->path);
	f->tmp = NULL;
	f->path = NULL;
}

int cap_sha256_file(const char *path, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	FILE *fp = NULL;
	int r = -ENOMEM;
	size_t n;

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		goto out;
	fp = fopen(path, "rb");
	if (!fp) {
		r = -errno;
		goto out;
	}
	r = -EIO;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (EVP_DigestUpdate(ctx, buf, n) != 1)
			goto out;
	if (ferror(fp) || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
		goto out;
	for (unsigned i = 0; i < 32; i++)
		mp_fmt(out + 2 * i, 3, "%02x", md[i]);
	r = 0;
out:
	if (fp)
		fclose(fp);
	EVP_MD_CTX_free(ctx);
	return r;
}
