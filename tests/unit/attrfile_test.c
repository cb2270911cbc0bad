/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attrfile_test.c: attr_file.c keeps a sysfs attribute open and re-reads
 * it from offset 0 (the kernel renders it afresh), and opens any other
 * file at every read, so that a file replaced by rename is seen.
 */
#include "attr_file.h"
#include "testing.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Sends n UDP datagrams to 127.0.0.1:9 (discard), counted by lo. */
static void loopback_traffic(int n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(9)};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; s >= 0 && i < n; i++)
		sendto(s, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa));
	if (s >= 0)
		close(s);
}

static void sysfs_kept(void)
{
	const char *path = "/sys/class/net/lo/statistics/tx_packets";
	struct attr_file f = ATTR_FILE_INIT;
	char *a, *b;

	if (access(path, R_OK) != 0) {
		T_SKIP(
		    "no readable /sys/class/net/lo/statistics/tx_packets (no "
		    "sysfs here)");
		return;
	}
	a = attr_file_read(&f, path, 4096);
	T_OK(a != NULL && f.fd >= 0, "a sysfs attribute is read and kept open");
	loopback_traffic(5);
	b = attr_file_read(&f, path, 4096);
	T_OK(a != NULL && b != NULL &&
		 strtoull(b, NULL, 10) >= strtoull(a, NULL, 10) + 5,
	     "read again through the kept descriptor, it shows the new count "
	     "(%s -> %s)",
	     a ? strtok(a, "\n") : "?", b ? strtok(b, "\n") : "?");
	free(a);
	free(b);
	attr_file_close(&f);
	T_EQ_INT(f.fd, -1, "closed");
	attr_file_close(&f); /* twice is harmless */
}

static void regular_reopened(void)
{
	char dir[] = "/tmp/attrfile_test.XXXXXX", path[64], tmp[64];
	struct attr_file f = ATTR_FILE_INIT;
	FILE *fp;
	char *t;

	if (!T_OK(mkdtemp(dir) != NULL, "scratch directory"))
		return;
	snprintf(path, sizeof(path), "%s/run", dir);
	snprintf(tmp, sizeof(tmp), "%s/run.new", dir);
	fp = fopen(path, "w");
	fputs("0\n", fp);
	fclose(fp);
	t = attr_file_read(&f, path, 4096);
	T_OK(t != NULL && strcmp(t, "0\n") == 0 && f.fd == -1,
	     "a regular file is read and not kept open");
	free(t);
	fp = fopen(tmp, "w");
	fputs("1\n", fp);
	fclose(fp);
	rename(tmp, path);
	t = attr_file_read(&f, path, 4096);
	T_OK(t != NULL && strcmp(t, "1\n") == 0,
	     "a file replaced by rename is read anew");
	free(t);
	t = attr_file_read(&f, path, 1);
	T_OK(t == NULL && errno == EFBIG, "over max: NULL, EFBIG");
	unlink(path);
	errno = 0;
	t = attr_file_read(&f, path, 4096);
	T_OK(t == NULL && errno == ENOENT, "missing: NULL, ENOENT");
	rmdir(dir);
}

int main(void)
{
	sysfs_kept();
	regular_reopened();
	return t_done();
}
