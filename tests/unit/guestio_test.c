/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guestio_test.c: parsing vdsm's ioTune metadata (guest_io.h): devices by
 * their target name, the two groups of six limits, what is skipped
 * (names that are not devices, duplicates, over GUEST_IO_MAX_DISKS) and
 * what is left absent (missing or malformed values, over libvirt's 1e15).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "domxml.h"
#include "guest_io.h"
#include "testing.h"

static int slot(enum guest_io_group g, enum guest_io_limit l)
{
	return (int)g * GUEST_IO_LIMITS + (int)l;
}

int main(void)
{
	struct guest_io io;
	char big[8192];
	size_t n;

	domxml_init();
	T_EQ_INT(guest_io_parse("<qos><vcpuLimit>50</vcpuLimit></qos>", &io), 0,
		 "metadata without ioTune parses");
	T_EQ_INT(io.n, 0, "  ... and names no disk");
	T_EQ_INT(guest_io_parse("<qos", &io), -EINVAL, "not XML is refused");
	T_EQ_INT(
	    guest_io_parse(
		"<qos><ioTune><device name='vda' path='/a'><maximum>"
		"<read_bytes_sec>1048576</read_bytes_sec>"
		"<total_iops_sec>1000000000000001</total_iops_sec>"
		"<write_iops_sec> 5 </write_iops_sec></maximum><guaranteed>"
		"<read_iops_sec>-1</read_iops_sec><write_bytes_sec>0"
		"</write_bytes_sec></guaranteed></device>"
		"<device name='vda'/><device name='a/b'/><device path='/c'/>"
		"<device name='sdb'><maximum><total_bytes_sec>7"
		"</total_bytes_sec></maximum></device></ioTune></qos>",
		&io),
	    0, "a vdsm-shaped ioTune parses");
	T_EQ_INT(io.n, 2, "two disks: vda and sdb");
	T_OK(strcmp(io.disk[0].dev, "vda") == 0 &&
		 strcmp(io.disk[1].dev, "sdb") == 0,
	     "named by their target device, in document order");
	T_OK(io.disk[0].present[slot(GUEST_IO_MAX, GUEST_IO_READ_BYTES)] &&
		 io.disk[0].value[slot(GUEST_IO_MAX, GUEST_IO_READ_BYTES)] ==
		     1048576,
	     "maximum/read_bytes_sec");
	T_OK(io.disk[0].present[slot(GUEST_IO_MAX, GUEST_IO_WRITE_IOPS)] &&
		 io.disk[0].value[slot(GUEST_IO_MAX, GUEST_IO_WRITE_IOPS)] == 5,
	     "surrounding white space is trimmed");
	T_OK(!io.disk[0].present[slot(GUEST_IO_MAX, GUEST_IO_TOTAL_IOPS)],
	     "over 1e15 is left absent");
	T_OK(!io.disk[0].present[slot(GUEST_IO_GUAR, GUEST_IO_READ_IOPS)],
	     "a negative value is left absent");
	T_OK(io.disk[0].present[slot(GUEST_IO_GUAR, GUEST_IO_WRITE_BYTES)] &&
		 io.disk[0].value[slot(GUEST_IO_GUAR, GUEST_IO_WRITE_BYTES)] ==
		     0,
	     "guaranteed/write_bytes_sec 0");
	T_OK(!io.disk[0].present[slot(GUEST_IO_MAX, GUEST_IO_TOTAL_BYTES)],
	     "a key the metadata lacks is absent");
	T_EQ_INT(io.malformed, 2, "two malformed values counted");
	T_EQ_INT(io.skipped, 3,
		 "a duplicate, a slash name and a nameless device skipped");
	for (int s = GUEST_IO_CUR * GUEST_IO_LIMITS; s < GUEST_IO_NR; s++)
		T_OK(!io.disk[0].present[s], "no live value from parsing (%d)",
		     s);
	n = (size_t)snprintf(big, sizeof(big), "<qos><ioTune>");
	for (int i = 0; i < GUEST_IO_MAX_DISKS + 2; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      "<device name='vd%c'/>", 'a' + i);
	snprintf(big + n, sizeof(big) - n, "</ioTune></qos>");
	T_EQ_INT(guest_io_parse(big, &io), 0, "many devices parse");
	T_OK(io.n == GUEST_IO_MAX_DISKS && io.skipped == 2,
	     "at most %d disks, the rest skipped (%u, %u)", GUEST_IO_MAX_DISKS,
	     io.n, io.skipped);
	return t_done();
}
