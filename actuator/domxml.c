/* SPDX-License-Identifier: Apache-2.0 */
/*
 * domxml.c: libvirt XML read with libxml2 and XPath (see domxml.h).  A
 * document keeps its XPath context, so a caller pays the parse once and
 * each lookup is one XPath evaluation.
 */
#include "domxml.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* No network, no entity substitution (no XXE), nothing printed: errors
   are returned to the caller instead of going to stderr. */
#define PARSE_OPTIONS                                                          \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |           \
	 XML_PARSE_NOCDATA)

struct domxml {
	xmlDocPtr doc;
	xmlXPathContextPtr xpath;
};

void domxml_init(void)
{
	xmlInitParser();
}

/* XPath errors (only a malformed path, a caller's bug) are returned as
   -EINVAL, never printed through libxml2's generic handler. */
static void xpath_quiet(void *opaque, xmlErrorPtr e)
{
	(void)opaque;
	(void)e;
}

/* Some libxml2 errors (a broken encoding) bypass the parser context and go
   to the thread's generic handler, stderr by default: silenced during a
   parse, then the caller's handler is put back. */
static void generic_quiet(void *opaque, const char *fmt, ...)
{
	(void)opaque;
	(void)fmt;
}

struct domxml *domxml_parse(const char *text, size_t len, char *err,
			    size_t errlen)
{
	xmlGenericErrorFunc old_fn = xmlGenericError;
	void *old_ctx = xmlGenericErrorContext;
	xmlParserCtxtPtr ctxt;
	struct domxml *d;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > INT_MAX) {
		if (err != NULL)
			snprintf(err, errlen, "XML text too large (%zu bytes)",
				 len);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	ctxt = xmlNewParserCtxt();
	if (d == NULL || ctxt == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "out of memory");
		goto fail;
	}
	xmlSetGenericErrorFunc(NULL, generic_quiet);
	d->doc = xmlCtxtReadMemory(ctxt, text, (int)len, "libvirt.xml", NULL,
				   PARSE_OPTIONS);
	xmlSetGenericErrorFunc(old_ctx, old_fn);
	if (d->doc == NULL || !ctxt->wellFormed) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);

		if (err != NULL)
			snprintf(err, errlen, "line %d column %d: %.*s",
				 e ? e->line : 0, e ? e->int2 : 0,
				 /* libxml2's messages end in a newline */
				 e && e->message
				     ? (int)strcspn(e->message, "\n")
				     : 11,
				 e && e->message ? e->message : "not XML");
		goto fail;
	}
	d->xpath = xmlXPathNewContext(d->doc);
	if (d->xpath == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "out of memory");
		goto fail;
	}
	d->xpath->error = xpath_quiet;
	xmlFreeParserCtxt(ctxt);
	return d;
fail:
	xmlFreeParserCtxt(ctxt);
	domxml_free(d);
	return NULL;
}

void domxml_free(struct domxml *d)
{
	if (d == NULL)
		return;
	xmlXPathFreeContext(d->xpath);
	xmlFreeDoc(d->doc);
	free(d);
}

int domxml_ns(struct domxml *d, const char *prefix, const char *uri)
{
	return xmlXPathRegisterNs(d->xpath, (const xmlChar *)prefix,
				  (const xmlChar *)uri) == 0
		   ? 0
		   : -ENOMEM;
}

/* Evaluates path; the caller frees the result.  NULL for a bad path. */
static xmlXPathObjectPtr eval(const struct domxml *d, const char *path)
{
	/* The context is per document; the node is reset for absolute and
	   relative paths alike. */
	d->xpath->node = xmlDocGetRootElement(d->doc);
	return xmlXPathEvalExpression((const xmlChar *)path, d->xpath);
}

/* The first node of a node-set result, or NULL. */
static xmlNodePtr first_node(xmlXPathObjectPtr o)
{
	if (o == NULL || o->type != XPATH_NODESET || o->nodesetval == NULL ||
	    o->nodesetval->nodeNr == 0)
		return NULL;
	return o->nodesetval->nodeTab[0];
}

/* Copies s trimmed into buf: 0 or -ERANGE. */
static int copy_trimmed(const char *s, char *buf, size_t len)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (len == 0 || n >= len)
		return -ERANGE;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

/* The string value of node n copied into buf. */
static int node_text(xmlNodePtr n, char *buf, size_t len)
{
	xmlChar *s = xmlNodeGetContent(n);
	int rc;

	if (s == NULL)
		return copy_trimmed("", buf, len);
	rc = copy_trimmed((const char *)s, buf, len);
	xmlFree(s);
	return rc;
}

int domxml_text(const struct domxml *d, const char *path, char *buf, size_t len)
{
	xmlXPathObjectPtr o = eval(d, path);
	xmlNodePtr n = first_node(o);
	int rc;

	if (o == NULL)
		rc = -EINVAL;
	else if (n == NULL)
		rc = -ENOENT;
	else
		rc = node_text(n, buf, len);
	xmlXPathFreeObject(o);
	return rc;
}

int domxml_count(const struct domxml *d, const char *path)
{
	xmlXPathObjectPtr o = eval(d, path);
	int n;

	if (o == NULL || o->type != XPATH_NODESET)
		n = -EINVAL;
	else
		n = o->nodesetval ? o->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(o);
	return n;
}

/* Parses num (digits only, no sign) into *n: 0 or -EINVAL. */
static int parse_u64(const char *num, uint64_t *n)
{
	char *stop = NULL;
	unsigned long long v;

	if (!isdigit((unsigned char)num[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(num, &stop, 10);
	if (errno != 0 || *stop != '\0')
		return -EINVAL;
	*n = v;
	return 0;
}

int domxml_uint(const struct domxml *d, const char *path, uint64_t min,
		uint64_t max, uint64_t *out)
{
	char num[32];
	uint64_t v;
	int rc = domxml_text(d, path, num, sizeof(num));

	if (rc == -ENOENT)
		return rc;
	if (rc < 0 || parse_u64(num, &v) < 0 || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int domxml_size_kib(const struct domxml *d, const char *path,
		    const char *default_unit, uint64_t *kib)
{
	xmlXPathObjectPtr o = eval(d, path);
	xmlNodePtr n = first_node(o);
	xmlChar *unit = NULL;
	char num[32];
	uint64_t v;
	int rc;

	if (o == NULL) {
		rc = -EINVAL;
		goto out;
	}
	if (n == NULL) {
		rc = -ENOENT;
		goto out;
	}
	if (n->type == XML_ELEMENT_NODE)
		unit = xmlGetNoNsProp(n, (const xmlChar *)"unit");
	if (unit != NULL && unit[0] == '\0') {
		rc = -EINVAL;
		goto out;
	}
	if (node_text(n, num, sizeof(num)) < 0 || parse_u64(num, &v) < 0 ||
	    domxml_unit_kib(v, (const char *)unit, default_unit, kib) < 0)
		rc = -EINVAL;
	else
		rc = 0;
out:
	xmlFree(unit);
	xmlXPathFreeObject(o);
	return rc;
}

/* Bytes per unit of a libvirt size unit, matched without regard to case
   as libvirt matches it: b, byte, bytes; or one of k m g t p e alone or
   followed by "iB" (powers of 1024) or by "B" (SI, powers of 1000).  0 for
   anything else. */
static uint64_t unit_bytes(const char *unit)
{
	static const char prefixes[] = "kmgtpe";
	const char *at;
	uint64_t base, bytes = 1;

	if (strcasecmp(unit, "b") == 0 || strcasecmp(unit, "byte") == 0 ||
	    strcasecmp(unit, "bytes") == 0)
		return 1;
	at = unit[0] ? strchr(prefixes, tolower((unsigned char)unit[0])) : NULL;
	if (at == NULL)
		return 0;
	if (unit[1] == '\0' || strcasecmp(unit + 1, "ib") == 0)
		base = 1024;
	else if (strcasecmp(unit + 1, "b") == 0)
		base = 1000;
	else
		return 0;
	/* k is the first power, e the sixth: 2^60 and 10^18 fit. */
	for (const char *p = prefixes; p <= at; p++)
		bytes *= base;
	return bytes;
}

int domxml_unit_kib(uint64_t n, const char *unit, const char *default_unit,
		    uint64_t *kib)
{
	uint64_t bytes;

	if (unit == NULL || *unit == '\0')
		unit = default_unit;
	bytes = unit_bytes(unit);
	if (bytes == 0)
		return -EINVAL;
	/* What libvirt itself could not hold in bytes is refused, as
	   libvirt refuses it. */
	if (n != 0 && bytes > UINT64_MAX / n)
		return -ERANGE;
	/* Rounded up: a guaranteed minimum is never made smaller. */
	*kib = n * bytes / 1024 + (n * bytes % 1024 != 0);
	return 0;
}
