/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vdsm_dom.h: what a domain's XML and vdsm's metadata say about whether it
 * may be ballooned, as vdsm's VM.setBalloonTarget decided for MOM: never a
 * domain whose memballoon model is "none", never one whose vdsm metadata
 * (namespace VDSM_DOM_NS) has ballooningEnabled false.
 *
 * Pure and reentrant: the caller fetches the texts from libvirt
 * (virDomainGetXMLDesc, and virDomainGetMetadata with VDSM_DOM_NS, which
 * selects vdsm's element by namespace URI whatever its prefix and returns
 * it without the namespace).  Both are parsed with libxml2 (domxml.h); text
 * that is not XML reads as "nothing said", so ballooning stays allowed.
 */
#ifndef MOM_VDSM_DOM_H
#define MOM_VDSM_DOM_H

#include <stdbool.h>

/* vdsm's metadata namespace (lib/vdsm/virt/metadata.py). */
#define VDSM_DOM_NS "http://ovirt.org/vm/1.0"

/* True when the domain XML has <memballoon model='none'>. */
bool vdsm_dom_balloon_none(const char *domxml);

/* True when vdsm's metadata element (as virDomainGetMetadata returns it,
   <vm>...</vm>) disables ballooning: its
   ballooningEnabled text is false, False, 0 or no (the engine writes
   "false", vdsm rewrites "False").  Absent means enabled, as in vdsm. */
bool vdsm_dom_ballooning_disabled(const char *metadata);

#endif /* MOM_VDSM_DOM_H */
