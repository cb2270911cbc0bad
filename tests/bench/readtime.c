/* SPDX-License-Identifier: Apache-2.0 */
/*
 * readtime.c: LD_PRELOAD shim for collectd that measures the CPU time of
 * every complex read callback, per plugin, inside one collectd process.
 * Used by tests/bench/read_plugin.sh to put the stock virt plugin and our
 * mom plugin side by side in the same collectd run.
 *
 * How: collectd loads plugins with dlopen().  This shim interposes dlopen;
 * after the real dlopen has relocated a plugin, it rewrites the plugin's
 * GOT slots for plugin_register_complex_read (a symbol of the collectd
 * executable, which a preloaded library cannot interpose by name) to point
 * at a wrapper.  The wrapper registers the callback unchanged except that
 * it runs through a trampoline, which reads CLOCK_THREAD_CPUTIME_ID (the
 * calling read thread's own CPU time, so work of other threads, other
 * plugins and other processes is excluded) and CLOCK_MONOTONIC around the
 * real callback and appends one line per call to $READTIME_LOG:
 *
 *   <callback name> <thread CPU ns> <wall ns> <return code>
 *
 * Only plugins whose file name is listed in $READTIME_PLUGINS (space
 * separated, e.g. "virt.so mom.so"; default: every plugin) are wrapped.
 * Nothing else changes: same group, name, interval and user data.
 */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* The few collectd types the wrapper needs (collectd 5.x plugin.h). */
typedef uint64_t cdtime_t;
typedef struct user_data_s {
	void *data;
	void (*free_func)(void *);
} user_data_t;
typedef int (*plugin_read_cb)(user_data_t *);
typedef int (*register_fn)(const char *group, const char *name,
			   plugin_read_cb callback, cdtime_t interval,
			   user_data_t const *user_data);

#define TARGET_SYM   "plugin_register_complex_read"
#define NAME_MAX_LEN 128

struct wrapped {
	plugin_read_cb cb;
	user_data_t ud;
	char name[NAME_MAX_LEN];
};

static register_fn real_register;
static int log_fd = -1;

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int trampoline(user_data_t *ud)
{
	struct wrapped *w = ud->data;
	user_data_t inner = w->ud;
	int64_t c0, t0, c1, t1;
	char line[NAME_MAX_LEN + 80];
	int rc, len;

	c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	t0 = clock_ns(CLOCK_MONOTONIC);
	rc = w->cb(&inner);
	c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	t1 = clock_ns(CLOCK_MONOTONIC);
	if (log_fd >= 0) {
		len = snprintf(line, sizeof(line), "%s %lld %lld %d\n", w->name,
			       (long long)(c1 - c0), (long long)(t1 - t0), rc);
		/* O_APPEND: one write per line, so lines never interleave. */
		if (len > 0 && (size_t)len < sizeof(line) &&
		    write(log_fd, line, (size_t)len) < 0)
			log_fd = -1;
	}
	return rc;
}

static void wrapped_free(void *p)
{
	struct wrapped *w = p;

	if (w == NULL)
		return;
	if (w->ud.free_func != NULL)
		w->ud.free_func(w->ud.data);
	free(w);
}

static int wrap_register(const char *group, const char *name,
			 plugin_read_cb callback, cdtime_t interval,
			 user_data_t const *user_data)
{
	struct wrapped *w = calloc(1, sizeof(*w));

	if (w == NULL || real_register == NULL) {
		free(w);
		return real_register != NULL
			   ? real_register(group, name, callback, interval,
					   user_data)
			   : -1;
	}
	w->cb = callback;
	if (user_data != NULL)
		w->ud = *user_data;
	snprintf(w->name, sizeof(w->name), "%s", name != NULL ? name : "?");
	/* collectd frees the user data (ours, then theirs) on failure too. */
	return real_register(
	    group, name, trampoline, interval,
	    &(user_data_t){.data = w, .free_func = wrapped_free});
}

/* The address of a dynamic entry (glibc relocates these on x86_64). */
static uintptr_t dyn_ptr(const struct link_map *lm, ElfW(Addr) v)
{
	return v < lm->l_addr ? lm->l_addr + v : v;
}

struct relro {
	uintptr_t base, start, end;
};

/* The PT_GNU_RELRO range of the object loaded at r->base, if any. */
static int find_relro(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct relro *r = arg;

	(void)size;
	if (info->dlpi_addr != r->base)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_GNU_RELRO) {
			r->start = r->base + ph->p_vaddr;
			r->end = r->start + ph->p_memsz;
		}
	}
	return 1;
}

/* Patch every relocation of lm that targets TARGET_SYM. */
static void patch_object(const struct link_map *lm)
{
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	const ElfW(Rela) * tables[2] = {NULL, NULL};
	size_t sizes[2] = {0, 0};
	long page = sysconf(_SC_PAGESIZE);
	struct relro relro = {.base = lm->l_addr};

	for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB:
			symtab = (const void *)dyn_ptr(lm, d->d_un.d_ptr);
			break;
		case DT_STRTAB:
			strtab = (const void *)dyn_ptr(lm, d->d_un.d_ptr);
			break;
		case DT_JMPREL:
			tables[0] = (const void *)dyn_ptr(lm, d->d_un.d_ptr);
			break;
		case DT_PLTRELSZ:
			sizes[0] = d->d_un.d_val;
			break;
		case DT_RELA:
			tables[1] = (const void *)dyn_ptr(lm, d->d_un.d_ptr);
			break;
		case DT_RELASZ:
			sizes[1] = d->d_un.d_val;
			break;
		default:
			break;
		}
	}
	if (real_register == NULL)
		real_register =
		    (register_fn)(uintptr_t)dlsym(RTLD_DEFAULT, TARGET_SYM);
	if (symtab == NULL || strtab == NULL || page <= 0 ||
	    real_register == NULL)
		return;
	dl_iterate_phdr(find_relro, &relro);
	for (int t = 0; t < 2; t++) {
		size_t n = tables[t] ? sizes[t] / sizeof(ElfW(Rela)) : 0;

		for (size_t i = 0; i < n; i++) {
			const ElfW(Rela) *r = &tables[t][i];
			size_t si = ELF64_R_SYM(r->r_info);
			uintptr_t slot, base;

			if (si == 0 || strcmp(strtab + symtab[si].st_name,
					      TARGET_SYM) != 0)
				continue;
			slot = lm->l_addr + r->r_offset;
			base = slot & ~((uintptr_t)page - 1);
			if (slot < relro.start || slot >= relro.end) {
				/* A writable GOT (no RELRO over it). */
				*(register_fn *)slot = wrap_register;
				continue;
			}
			/* RELRO made this GOT page read-only after relocation.
			 */
			if (mprotect((void *)base, (size_t)page,
				     PROT_READ | PROT_WRITE) != 0)
				continue;
			*(register_fn *)slot = wrap_register;
			mprotect((void *)base, (size_t)page, PROT_READ);
		}
	}
}

static int wanted(const char *file)
{
	const char *list = getenv("READTIME_PLUGINS");
	const char *base = file ? strrchr(file, '/') : NULL;
	size_t len;

	if (list == NULL || *list == '\0')
		return 1;
	base = base ? base + 1 : file;
	if (base == NULL)
		return 0;
	len = strlen(base);
	for (const char *p = list; (p = strstr(p, base)) != NULL; p += len)
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return 1;
	return 0;
}

void *dlopen(const char *file, int mode)
{
	static void *(*real_dlopen)(const char *, int);
	void *h;
	struct link_map *lm = NULL;

	if (real_dlopen == NULL)
		real_dlopen =
		    (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	if (real_dlopen == NULL)
		return NULL;
	h = real_dlopen(file, mode);
	if (h == NULL || file == NULL || !wanted(file))
		return h;
	if (log_fd < 0) {
		const char *path = getenv("READTIME_LOG");

		if (path != NULL)
			log_fd = open(path,
				      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
				      0644);
	}
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm != NULL)
		patch_object(lm);
	return h;
}
