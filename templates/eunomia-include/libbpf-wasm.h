/* libbpf-wasm.h: libbpf's user-space API for a WebAssembly guest, over the
 * six wasm_bpf host functions (ecc's docs/ecc.md, docs/wasm-host-abi.md). Part of the ecc guest SDK
 * (eunomia-include/), written for ecc.
 *
 * With a `<name>.skel.h` from `ecc gen-wasm-skel` an app written for libbpf
 * or wasm-bpf builds with `ecc build-wasm`:
 *
 *	struct x_bpf *skel = x_bpf__open();          opens the embedded ELF (a copy)
 *	skel->rodata->filter = 1;                    patches the copy before load
 *	bpf_program__set_autoload(skel->progs.p, false);
 *	x_bpf__load(skel);                           wasm_load_bpf_object
 *	x_bpf__attach(skel);                         wasm_attach_bpf_program each
 *	rb = bpf_buffer__open(skel->maps.rb, cb, ctx); bpf_buffer__poll(rb, 100);
 *	x_bpf__destroy(skel);                        wasm_close_bpf_object
 *
 * Conventions are libbpf's: functions return 0 or a negative errno (and set
 * errno), constructors return NULL and set errno. Where the host ABI cannot
 * do what libbpf does, the comment of the function says so.
 *
 * State shared between translation units (the list of loaded objects, which
 * ring_buffer__new() needs to find an fd's object) is a weak definition, so
 * an app of several .c files has one copy of it. */
#ifndef EWASM_LIBBPF_WASM_H
#define EWASM_LIBBPF_WASM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_bpf.h"

typedef uint8_t __u8;
typedef int8_t __s8;
typedef uint16_t __u16;
typedef int16_t __s16;
typedef uint32_t __u32;
typedef int32_t __s32;
typedef uint64_t __u64;
typedef int64_t __s64;

/* flags of bpf_map_update_elem */
enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
	BPF_F_LOCK = 4,
};

/* The kernel's map type numbers (uapi/linux/bpf.h). */
enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC,
	BPF_MAP_TYPE_HASH,
	BPF_MAP_TYPE_ARRAY,
	BPF_MAP_TYPE_PROG_ARRAY,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	BPF_MAP_TYPE_PERCPU_HASH,
	BPF_MAP_TYPE_PERCPU_ARRAY,
	BPF_MAP_TYPE_STACK_TRACE,
	BPF_MAP_TYPE_CGROUP_ARRAY,
	BPF_MAP_TYPE_LRU_HASH,
	BPF_MAP_TYPE_LRU_PERCPU_HASH,
	BPF_MAP_TYPE_LPM_TRIE,
	BPF_MAP_TYPE_ARRAY_OF_MAPS,
	BPF_MAP_TYPE_HASH_OF_MAPS,
	BPF_MAP_TYPE_DEVMAP,
	BPF_MAP_TYPE_SOCKMAP,
	BPF_MAP_TYPE_CPUMAP,
	BPF_MAP_TYPE_XSKMAP,
	BPF_MAP_TYPE_SOCKHASH,
	BPF_MAP_TYPE_CGROUP_STORAGE,
	BPF_MAP_TYPE_REUSEPORT_SOCKARRAY,
	BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE,
	BPF_MAP_TYPE_QUEUE,
	BPF_MAP_TYPE_STACK,
	BPF_MAP_TYPE_SK_STORAGE,
	BPF_MAP_TYPE_DEVMAP_HASH,
	BPF_MAP_TYPE_STRUCT_OPS,
	BPF_MAP_TYPE_RINGBUF,
	BPF_MAP_TYPE_INODE_STORAGE,
	BPF_MAP_TYPE_TASK_STORAGE,
	BPF_MAP_TYPE_BLOOM_FILTER,
	BPF_MAP_TYPE_USER_RINGBUF,
	BPF_MAP_TYPE_CGRP_STORAGE,
};

#ifndef EWASM_POLL_BUF_MIN
#define EWASM_POLL_BUF_MIN 4096
#endif

/* ---- objects, maps, programs ---- */

struct bpf_object_skeleton;

struct bpf_object {
	uint64_t handle;                  /* from wasm_load_bpf_object(); 0 until loaded */
	const char *name;
	unsigned char *image;             /* the writable copy of the ELF that load passes */
	size_t image_sz;
	size_t record_max;                /* the largest event record: buffer size */
	struct bpf_object_skeleton *skel;
	struct bpf_object *next_loaded;
};

struct bpf_map {
	struct bpf_object *obj;
	const char *name;                 /* as the host finds it: "events", ".bss" */
	enum bpf_map_type type;
	int fd;                           /* -1 until loaded */
	bool required;                    /* load fails without it */
	void *local;                      /* a view kept here, written to the map by load */
	size_t local_sz;
};

struct bpf_program {
	struct bpf_object *obj;
	const char *name;
	const char *sec;
	bool autoload;
	bool autoattach;                  /* attachable from its section alone */
	char attach_target[128];          /* bpf_set_prog_attach_target() */
};

struct bpf_link {
	struct bpf_program *prog;
};

/* Accepted for libbpf's signatures; nothing in it applies to the host. */
struct bpf_object_open_opts {
	size_t sz;
};

/* The skeleton tables a generated <name>.skel.h fills (libbpf's shape plus
 * what the guest needs to know about the object image). */
struct bpf_map_skeleton {
	const char *name;
	struct bpf_map **map;
	void **mmaped;                    /* the data-section view, or NULL */
	long image_offset;                /* >= 0: the view is these bytes of the image */
	size_t mmap_sz;                   /* the view's size */
	bool required;
	enum bpf_map_type type;
};

struct bpf_prog_skeleton {
	const char *name;
	struct bpf_program **prog;
	struct bpf_link **link;
	const char *sec;
	bool autoattach;
};

struct bpf_object_skeleton {
	size_t sz;
	const char *name;
	const void *data;
	size_t data_sz;
	struct bpf_object **obj;
	int map_cnt;
	int map_skel_sz;
	struct bpf_map_skeleton *maps;
	int prog_cnt;
	int prog_skel_sz;
	struct bpf_prog_skeleton *progs;
	size_t record_max;
};

/* Loaded objects of the module, one list for all translation units. */
__attribute__((weak)) struct bpf_object *ewasm_loaded_objects;

static inline int ewasm_err(int err)
{
	if (err < 0)
		errno = -err;
	return err;
}

/* The host returns Linux's errno numbers; a wasm32-wasi guest's <errno.h>
 * has WASI's. This gives the guest's -E... for the host's -errno, so that
 * `err == -EINTR` and strerror(-err) mean what they say (natively compiled
 * the two agree). */
static inline int ewasm_host_err(int ret)
{
	static const struct {
		short linux_no;
		short guest_no;
	} table[] = {
		{1, EPERM},   {2, ENOENT},   {3, ESRCH},   {4, EINTR},    {5, EIO},        {6, ENXIO},
		{7, E2BIG},   {8, ENOEXEC},  {9, EBADF},   {11, EAGAIN},  {12, ENOMEM},    {13, EACCES},
		{14, EFAULT}, {16, EBUSY},   {17, EEXIST}, {19, ENODEV},  {22, EINVAL},    {24, EMFILE},
		{27, EFBIG},  {28, ENOSPC},  {34, ERANGE}, {38, ENOSYS},  {75, EOVERFLOW},
		{90, EMSGSIZE}, {95, EOPNOTSUPP}, {110, ETIMEDOUT}, {125, ECANCELED},
	};

	if (ret >= 0)
		return ret;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); ++i)
		if (-ret == table[i].linux_no) {
			errno = table[i].guest_no;
			return -table[i].guest_no;
		}
	errno = EIO;
	return -EIO;
}

static inline void *ewasm_null(int err)
{
	errno = err;
	return NULL;
}

static inline struct bpf_map_skeleton *ewasm_map_skel(const struct bpf_object_skeleton *s, int i)
{
	return (struct bpf_map_skeleton *)((char *)s->maps + (size_t)i * (size_t)s->map_skel_sz);
}

static inline struct bpf_prog_skeleton *ewasm_prog_skel(const struct bpf_object_skeleton *s, int i)
{
	return (struct bpf_prog_skeleton *)((char *)s->progs + (size_t)i * (size_t)s->prog_skel_sz);
}

static inline const char *bpf_object__name(const struct bpf_object *obj)
{
	return obj ? obj->name : NULL;
}

static inline int bpf_map__fd(const struct bpf_map *map)
{
	if (!map || map->fd < 0)
		return ewasm_err(-EINVAL);
	return map->fd;
}

static inline enum bpf_map_type bpf_map__type(const struct bpf_map *map)
{
	return map ? map->type : BPF_MAP_TYPE_UNSPEC;
}

/* The name the host finds the map by: a user map's name, an internal map's
 * section (".rodata"; libbpf would say "<obj>.rodata"). */
static inline const char *bpf_map__name(const struct bpf_map *map)
{
	return map ? map->name : NULL;
}

static inline const char *bpf_program__name(const struct bpf_program *prog)
{
	return prog ? prog->name : NULL;
}

static inline const char *bpf_program__section_name(const struct bpf_program *prog)
{
	return prog ? prog->sec : NULL;
}

/* Before load only, as in libbpf. A program that is not autoloaded is
 * neither loaded nor attached: load hands the host an image where its
 * section is named "?<sec>", libbpf's own spelling of "not autoloaded". */
static inline int bpf_program__set_autoload(struct bpf_program *prog, bool autoload)
{
	if (!prog || prog->obj->handle)
		return ewasm_err(-EINVAL);
	prog->autoload = autoload;
	return 0;
}

static inline bool bpf_program__autoload(const struct bpf_program *prog)
{
	return prog && prog->autoload;
}

static inline int bpf_program__set_autoattach(struct bpf_program *prog, bool autoattach)
{
	if (!prog)
		return ewasm_err(-EINVAL);
	prog->autoattach = autoattach;
	return 0;
}

/* wasm-bpf's: what __attach attaches the program to (an interface name for
 * xdp, "category:name" for a tracepoint, a function for a kprobe). A program
 * with a target is attached even when its section alone would not do. */
static inline int bpf_set_prog_attach_target(struct bpf_program *prog, const char *target)
{
	if (!prog || !target)
		return ewasm_err(-EINVAL);
	if (strlen(target) >= sizeof(prog->attach_target))
		return ewasm_err(-E2BIG);
	strcpy(prog->attach_target, target);
	return 0;
}

/* ---- map operations (libbpf's low-level API over wasm_bpf_map_operate) ---- */

static inline int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	return ewasm_host_err(wasm_bpf_map_operate(fd, EWASM_MAP_LOOKUP, key, value, NULL, 0));
}

static inline int bpf_map_lookup_elem_flags(int fd, const void *key, void *value, __u64 flags)
{
	return ewasm_host_err(wasm_bpf_map_operate(fd, EWASM_MAP_LOOKUP, key, value, NULL, flags));
}

static inline int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	return ewasm_host_err(wasm_bpf_map_operate(fd, EWASM_MAP_UPDATE, key, (void *)value, NULL, flags));
}

static inline int bpf_map_delete_elem(int fd, const void *key)
{
	return ewasm_host_err(wasm_bpf_map_operate(fd, EWASM_MAP_DELETE, key, NULL, NULL, 0));
}

static inline int bpf_map_delete_elem_flags(int fd, const void *key, __u64 flags)
{
	return ewasm_host_err(wasm_bpf_map_operate(fd, EWASM_MAP_DELETE, key, NULL, NULL, flags));
}

/* key NULL: the first key. -ENOENT after the last. */
static inline int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	return ewasm_host_err(wasm_bpf_map_operate(fd, EWASM_MAP_NEXT_KEY, key, NULL, next_key, 0));
}

/* ---- the ELF image: "?<sec>" for programs that are not autoloaded ---- */

static inline uint64_t ewasm_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static inline void ewasm_put_le(unsigned char *p, int n, uint64_t v)
{
	for (int i = 0; i < n; ++i, v >>= 8)
		p[i] = (unsigned char)v;
}

/* A new image (malloc'd, *out_sz bytes) where the sections of the programs
 * with autoload off are renamed "?<sec>": the names are appended to a copy
 * of the section-name table placed after the old image, whose header then
 * points at the copy. Offsets of every other name stay valid. */
static inline int ewasm_image_without_autoload(const struct bpf_object *obj, struct bpf_program *const *progs,
					       int prog_cnt, unsigned char **out, size_t *out_sz)
{
	const unsigned char *img = obj->image;
	size_t sz = obj->image_sz, extra = 0, strtab_off, strtab_sz, base;
	uint64_t shoff;
	unsigned shentsize, shnum, shstrndx;
	unsigned char *n, *sh_str;

	if (sz < 64 || memcmp(img, "\x7f" "ELF", 4) || img[4] != 2 || img[5] != 1)
		return -ENOEXEC;
	shoff = ewasm_le(img + 0x28, 8);
	shentsize = (unsigned)ewasm_le(img + 0x3a, 2);
	shnum = (unsigned)ewasm_le(img + 0x3c, 2);
	shstrndx = (unsigned)ewasm_le(img + 0x3e, 2);
	if (shentsize < 64 || shstrndx >= shnum || shoff > sz || (uint64_t)shnum * shentsize > sz - shoff)
		return -ENOEXEC;
	sh_str = (unsigned char *)img + shoff + (size_t)shstrndx * shentsize;
	strtab_off = (size_t)ewasm_le(sh_str + 0x18, 8);
	strtab_sz = (size_t)ewasm_le(sh_str + 0x20, 8);
	if (strtab_off > sz || strtab_sz > sz - strtab_off)
		return -ENOEXEC;
	for (int i = 0; i < prog_cnt; ++i)
		if (!progs[i]->autoload)
			extra += strlen(progs[i]->sec) + 2;
	base = (sz + 7) / 8 * 8;
	n = (unsigned char *)calloc(1, base + strtab_sz + extra);
	if (!n)
		return -ENOMEM;
	memcpy(n, img, sz);
	memcpy(n + base, img + strtab_off, strtab_sz);
	size_t end = strtab_sz;
	for (int i = 0; i < prog_cnt; ++i) {
		const struct bpf_program *p = progs[i];
		size_t len = strlen(p->sec);
		int found = 0;

		if (p->autoload)
			continue;
		for (unsigned s = 0; s < shnum; ++s) {
			unsigned char *sh = n + shoff + (size_t)s * shentsize;
			size_t name = (size_t)ewasm_le(sh + 0, 4);
			uint64_t flags = ewasm_le(sh + 0x08, 8);

			if (ewasm_le(sh + 4, 4) != 1 /* PROGBITS */ || !(flags & 4) /* EXECINSTR */ || name >= strtab_sz ||
			    strcmp((const char *)img + strtab_off + name, p->sec))
				continue;
			n[base + end] = '?';
			memcpy(n + base + end + 1, p->sec, len + 1);
			ewasm_put_le(sh + 0, 4, end);
			end += len + 2;
			found = 1;
			break;
		}
		if (!found) {
			free(n);
			return -ENOENT;
		}
	}
	sh_str = n + shoff + (size_t)shstrndx * shentsize;
	ewasm_put_le(sh_str + 0x18, 8, base);
	ewasm_put_le(sh_str + 0x20, 8, end);
	*out = n;
	*out_sz = base + end;
	return 0;
}

/* ---- the skeleton functions ---- */

static inline void bpf_object__destroy_skeleton(struct bpf_object_skeleton *s);

/* Makes the guest-side object: a writable copy of the ELF with the
 * data-section views pointing into it (.rodata, .data: set before load) or
 * at local copies (.bss: written to the map by load). */
static inline int bpf_object__open_skeleton(struct bpf_object_skeleton *s, const struct bpf_object_open_opts *opts)
{
	struct bpf_object *obj;

	(void)opts;
	if (!s || !s->data || !s->data_sz)
		return ewasm_err(-EINVAL);
	obj = (struct bpf_object *)calloc(1, sizeof(*obj));
	if (!obj)
		return ewasm_err(-ENOMEM);
	*s->obj = obj;
	obj->skel = s;
	obj->name = s->name;
	obj->record_max = s->record_max > EWASM_POLL_BUF_MIN ? s->record_max : EWASM_POLL_BUF_MIN;
	obj->image_sz = s->data_sz;
	obj->image = (unsigned char *)malloc(s->data_sz);
	if (!obj->image)
		return ewasm_err(-ENOMEM);
	memcpy(obj->image, s->data, s->data_sz);
	for (int i = 0; i < s->map_cnt; ++i) {
		struct bpf_map_skeleton *ms = ewasm_map_skel(s, i);
		struct bpf_map *m = (struct bpf_map *)calloc(1, sizeof(*m));

		if (!m)
			return ewasm_err(-ENOMEM);
		*ms->map = m;
		m->obj = obj;
		m->name = ms->name;
		m->type = ms->type;
		m->fd = -1;
		m->required = ms->required;
		if (!ms->mmaped)
			continue;
		if (ms->image_offset >= 0) {
			if ((size_t)ms->image_offset + ms->mmap_sz > s->data_sz)
				return ewasm_err(-EINVAL);
			*ms->mmaped = obj->image + ms->image_offset;
		} else {
			m->local = calloc(1, ms->mmap_sz ? ms->mmap_sz : 1);
			if (!m->local)
				return ewasm_err(-ENOMEM);
			m->local_sz = ms->mmap_sz;
			*ms->mmaped = m->local;
		}
	}
	for (int i = 0; i < s->prog_cnt; ++i) {
		struct bpf_prog_skeleton *ps = ewasm_prog_skel(s, i);
		struct bpf_program *p = (struct bpf_program *)calloc(1, sizeof(*p));

		if (!p)
			return ewasm_err(-ENOMEM);
		*ps->prog = p;
		p->obj = obj;
		p->name = ps->name;
		p->sec = ps->sec ? ps->sec : "";
		p->autoload = true;
		p->autoattach = ps->autoattach;
	}
	return 0;
}

/* Loads the (patched) image on the host and finds every map's fd. Returns
 * -EINVAL when the host could not load it (it wrote libbpf's reasons to
 * stderr), or the negative errno of a map lookup or a view's write. */
static inline int bpf_object__load_skeleton(struct bpf_object_skeleton *s)
{
	struct bpf_object *obj = s && s->obj ? *s->obj : NULL;
	struct bpf_program **progs;
	unsigned char *image;
	size_t image_sz;
	bool all_load = true;
	int err = 0;

	if (!obj)
		return ewasm_err(-EINVAL);
	if (obj->handle)
		return ewasm_err(-EBUSY);
	progs = (struct bpf_program **)calloc((size_t)s->prog_cnt + 1, sizeof(*progs));
	if (!progs)
		return ewasm_err(-ENOMEM);
	for (int i = 0; i < s->prog_cnt; ++i) {
		progs[i] = *ewasm_prog_skel(s, i)->prog;
		all_load = all_load && progs[i]->autoload;
	}
	/* libbpf's "?" is per section: programs sharing one agree or fail */
	for (int i = 0; i < s->prog_cnt; ++i)
		for (int j = 0; j < i; ++j)
			if (!strcmp(progs[i]->sec, progs[j]->sec) && progs[i]->autoload != progs[j]->autoload)
				err = -EOPNOTSUPP;
	image = obj->image;
	image_sz = obj->image_sz;
	if (!err && !all_load)
		err = ewasm_image_without_autoload(obj, progs, s->prog_cnt, &image, &image_sz);
	free(progs);
	if (err)
		return ewasm_err(err);
	obj->handle = wasm_load_bpf_object(image, (int)image_sz);
	if (image != obj->image)
		free(image);
	if (!obj->handle)
		return ewasm_err(-EINVAL);
	obj->next_loaded = ewasm_loaded_objects;
	ewasm_loaded_objects = obj;
	for (int i = 0; i < s->map_cnt; ++i) {
		struct bpf_map *m = *ewasm_map_skel(s, i)->map;
		int fd = wasm_bpf_map_fd_by_name(obj->handle, m->name);

		if (fd < 0 && m->required)
			return ewasm_host_err(fd);
		m->fd = fd < 0 ? -1 : fd;
		if (m->local && m->fd >= 0) {
			uint32_t key = 0;

			err = wasm_bpf_map_operate(m->fd, EWASM_MAP_UPDATE, &key, m->local, NULL, 0);
			if (err < 0)
				return ewasm_host_err(err);
		}
	}
	return 0;
}

/* Attaches every autoloaded program that has a target or can attach from its
 * section alone (libbpf skips the others too); stops at the first error. */
static inline int bpf_object__attach_skeleton(struct bpf_object_skeleton *s)
{
	struct bpf_object *obj = s && s->obj ? *s->obj : NULL;

	if (!obj || !obj->handle)
		return ewasm_err(-EINVAL);
	for (int i = 0; i < s->prog_cnt; ++i) {
		struct bpf_prog_skeleton *ps = ewasm_prog_skel(s, i);
		struct bpf_program *p = *ps->prog;
		int err;

		if (!p->autoload || (ps->link && *ps->link))
			continue;
		if (!p->attach_target[0] && !p->autoattach)
			continue;
		err = wasm_attach_bpf_program(obj->handle, p->name, p->attach_target);
		if (err < 0)
			return ewasm_host_err(err);
		if (ps->link) {
			*ps->link = (struct bpf_link *)calloc(1, sizeof(struct bpf_link));
			if (!*ps->link)
				return ewasm_err(-ENOMEM);
			(*ps->link)->prog = p;
		}
	}
	return 0;
}

/* Forgets the links. The host has no per-program detach: the programs stay
 * attached until the object is destroyed (wasm_close_bpf_object). */
static inline void bpf_object__detach_skeleton(struct bpf_object_skeleton *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->prog_cnt; ++i) {
		struct bpf_prog_skeleton *ps = ewasm_prog_skel(s, i);

		if (ps->link && *ps->link) {
			free(*ps->link);
			*ps->link = NULL;
		}
	}
}

/* Closes the object on the host (detaching everything) and frees the
 * guest-side object and the skeleton. */
static inline void bpf_object__destroy_skeleton(struct bpf_object_skeleton *s)
{
	struct bpf_object *obj;

	if (!s)
		return;
	bpf_object__detach_skeleton(s);
	obj = s->obj ? *s->obj : NULL;
	if (obj) {
		if (obj->handle) {
			struct bpf_object **p = &ewasm_loaded_objects;

			while (*p && *p != obj)
				p = &(*p)->next_loaded;
			if (*p)
				*p = obj->next_loaded;
			wasm_close_bpf_object(obj->handle);
		}
		for (int i = 0; i < s->map_cnt; ++i) {
			struct bpf_map **m = ewasm_map_skel(s, i)->map;

			if (*m)
				free((*m)->local);
			free(*m);
			*m = NULL;
		}
		for (int i = 0; i < s->prog_cnt; ++i) {
			struct bpf_program **p = ewasm_prog_skel(s, i)->prog;

			free(*p);
			*p = NULL;
		}
		free(obj->image);
		free(obj);
		*s->obj = NULL;
	}
	free(s->maps);
	free(s->progs);
	free(s);
}

/* ---- polling: wasm-bpf's bpf_buffer, libbpf's ring_buffer and perf_buffer ---- */

/* The map of a loaded object with this fd (the host polls by object and fd). */
static inline struct bpf_map *ewasm_map_of_fd(int fd)
{
	for (struct bpf_object *o = ewasm_loaded_objects; o; o = o->next_loaded)
		for (int i = 0; i < o->skel->map_cnt; ++i)
			if ((*ewasm_map_skel(o->skel, i)->map)->fd == fd)
				return *ewasm_map_skel(o->skel, i)->map;
	return NULL;
}

static inline int ewasm_ignore_sample(void *ctx, void *data, int size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

/* One map fd, its object and a record buffer: what every poller polls. */
struct ewasm_poller {
	struct bpf_object *obj;
	int fd;
	void *data;
	size_t data_sz;
};

/* The host opens its reader of a map at the first poll. libbpf's perf buffer
 * opens the per-CPU events when it is made, and the kernel drops what a
 * perf event array gets before: so a perf poller polls once right away (no
 * record can be waiting for a reader that did not exist). A ring buffer
 * keeps its records until read: nothing to do for it. */
static inline int ewasm_poller_init(struct ewasm_poller *p, int fd)
{
	struct bpf_map *m = ewasm_map_of_fd(fd);

	p->fd = fd;
	p->obj = m ? m->obj : NULL;
	if (!p->obj)
		return -EBADF;
	p->data_sz = p->obj->record_max;
	p->data = malloc(p->data_sz);
	if (!p->data)
		return -ENOMEM;
	if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		int err = ewasm_host_err(
			wasm_bpf_buffer_poll(p->obj->handle, fd, ewasm_ignore_sample, NULL, p->data, (int)p->data_sz, 0));

		if (err < 0)
			return err;
	}
	return 0;
}

static inline int ewasm_poller_poll(struct ewasm_poller *p, ewasm_sample_fn fn, void *ctx, int timeout_ms)
{
	return ewasm_host_err(wasm_bpf_buffer_poll(p->obj->handle, p->fd, fn, ctx, p->data, (int)p->data_sz, timeout_ms));
}

/* A poller-headed struct of `size` bytes for map_fd; NULL and errno on
 * failure. */
static inline void *ewasm_poller_new(size_t size, int map_fd)
{
	struct ewasm_poller *p = (struct ewasm_poller *)calloc(1, size);
	int err;

	if (!p)
		return ewasm_null(ENOMEM);
	err = ewasm_poller_init(p, map_fd);
	if (err) {
		free(p->data);
		free(p);
		return ewasm_null(-err);
	}
	return p;
}

static inline void ewasm_poller_free(void *poller_headed)
{
	struct ewasm_poller *p = (struct ewasm_poller *)poller_headed;

	if (!p)
		return;
	free(p->data);
	free(p);
}

/* One poll counting the records `fn` sees in *count: the count or an error. */
static inline int ewasm_poller_count(struct ewasm_poller *p, ewasm_sample_fn fn, void *ctx, int *count, int timeout_ms)
{
	int err;

	*count = 0;
	err = ewasm_poller_poll(p, fn, ctx, timeout_ms < 0 ? 0 : timeout_ms);
	return err < 0 ? ewasm_err(err) : *count;
}

/* wasm-bpf's buffer over a ring buffer or perf event array map. */
typedef int (*bpf_buffer_sample_fn)(void *ctx, void *data, size_t size);

struct bpf_buffer {
	struct bpf_map *events;
	struct ewasm_poller poller;
	bpf_buffer_sample_fn sample_fn;
	void *ctx;
};

/* Takes the map only (or libbpf-tools' (events, heap); the heap is not
 * needed): the callback comes with bpf_buffer__open. Before or after load. */
static inline struct bpf_buffer *ewasm_bpf_buffer__new(struct bpf_map *events, struct bpf_map *heap)
{
	struct bpf_buffer *b;

	(void)heap;
	if (!events)
		return (struct bpf_buffer *)ewasm_null(EINVAL);
	b = (struct bpf_buffer *)calloc(1, sizeof(*b));
	if (!b)
		return (struct bpf_buffer *)ewasm_null(ENOMEM);
	b->events = events;
	b->poller.fd = -1;
	return b;
}

static inline void bpf_buffer__free(struct bpf_buffer *b)
{
	if (!b)
		return;
	free(b->poller.data);
	free(b);
}

/* wasm-bpf's form: (map, sample_cb, ctx) after load; a new buffer. */
static inline struct bpf_buffer *ewasm_bpf_buffer__open3(struct bpf_map *events, bpf_buffer_sample_fn sample_cb,
							  void *ctx)
{
	struct bpf_buffer *b = ewasm_bpf_buffer__new(events, NULL);
	int err;

	if (!b)
		return NULL;
	b->sample_fn = sample_cb;
	b->ctx = ctx;
	err = ewasm_poller_init(&b->poller, bpf_map__fd(events));
	if (err) {
		bpf_buffer__free(b);
		return (struct bpf_buffer *)ewasm_null(-err);
	}
	return b;
}

/* libbpf-tools' form: (buffer from __new, sample_cb, lost_cb, ctx) after
 * load. lost_cb is never called: the wasm_bpf ABI has no call for lost
 * records, so the host reports them on stderr ("ecli: lost N events of 'MAP'
 * on CPU C", and the total when the object closes), as ecli does for a
 * package. */
static inline int ewasm_bpf_buffer__open4(struct bpf_buffer *b, bpf_buffer_sample_fn sample_cb, void *lost_cb,
					  void *ctx)
{
	(void)lost_cb;
	if (!b)
		return ewasm_err(-EINVAL);
	b->sample_fn = sample_cb;
	b->ctx = ctx;
	free(b->poller.data);
	b->poller.data = NULL;
	return ewasm_err(ewasm_poller_init(&b->poller, bpf_map__fd(b->events)));
}

#define EWASM_PICK2(_1, _2, NAME, ...) NAME
#define EWASM_PICK4(_1, _2, _3, _4, NAME, ...) NAME
#define bpf_buffer__new(...) EWASM_PICK2(__VA_ARGS__, ewasm_bpf_buffer__new, ewasm_bpf_buffer__new1, )(__VA_ARGS__)
#define ewasm_bpf_buffer__new1(events) ewasm_bpf_buffer__new(events, NULL)
#define bpf_buffer__open(...) \
	EWASM_PICK4(__VA_ARGS__, ewasm_bpf_buffer__open4, ewasm_bpf_buffer__open3, , )(__VA_ARGS__)

/* Calls sample_cb(ctx, data, size) for every record, waiting up to
 * timeout_ms (<= 0: 100 ms, as wasm-bpf). 0, the callback's non-zero
 * return, or a negative errno (-EINTR when the runner is stopping). */
static inline int bpf_buffer__poll(struct bpf_buffer *b, int timeout_ms)
{
	if (!b || !b->sample_fn || !b->poller.obj)
		return ewasm_err(-EINVAL);
	if (timeout_ms <= 0)
		timeout_ms = 100;
	return ewasm_err(ewasm_poller_poll(&b->poller, (ewasm_sample_fn)b->sample_fn, b->ctx, timeout_ms));
}

/* libbpf's ring buffer manager (one ring per manager). */
typedef int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size);

struct ring_buffer_opts {
	size_t sz;
};

struct ring_buffer {
	struct ewasm_poller poller;
	ring_buffer_sample_fn sample_cb;
	void *ctx;
	int count;                        /* records of the current poll */
};

static inline int ewasm_ring_sample(void *ctx, void *data, int size)
{
	struct ring_buffer *rb = (struct ring_buffer *)ctx;

	rb->count++;
	return rb->sample_cb(rb->ctx, data, (size_t)size);
}

static inline void ring_buffer__free(struct ring_buffer *rb)
{
	ewasm_poller_free(rb);
}

static inline struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx,
						   const struct ring_buffer_opts *opts)
{
	struct ring_buffer *rb;

	(void)opts;
	if (!sample_cb)
		return (struct ring_buffer *)ewasm_null(EINVAL);
	rb = (struct ring_buffer *)ewasm_poller_new(sizeof(*rb), map_fd);
	if (rb) {
		rb->sample_cb = sample_cb;
		rb->ctx = ctx;
	}
	return rb;
}

/* The number of records consumed, or a negative errno (or the callback's
 * negative return). */
static inline int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms)
{
	return rb ? ewasm_poller_count(&rb->poller, ewasm_ring_sample, rb, &rb->count, timeout_ms) : ewasm_err(-EINVAL);
}

static inline int ring_buffer__consume(struct ring_buffer *rb)
{
	return ring_buffer__poll(rb, 0);
}

/* libbpf's perf buffer. The host hands records over without their CPU:
 * sample_cb sees cpu 0; lost_cb is never called (the host reports lost
 * records on stderr, see bpf_buffer__open). */
typedef void (*perf_buffer_sample_fn)(void *ctx, int cpu, void *data, __u32 size);
typedef void (*perf_buffer_lost_fn)(void *ctx, int cpu, __u64 cnt);

struct perf_buffer_opts {
	size_t sz;
};

struct perf_buffer {
	struct ewasm_poller poller;
	perf_buffer_sample_fn sample_cb;
	void *ctx;
	int count;
};

static inline int ewasm_perf_sample(void *ctx, void *data, int size)
{
	struct perf_buffer *pb = (struct perf_buffer *)ctx;

	pb->count++;
	pb->sample_cb(pb->ctx, 0, data, (__u32)size);
	return 0;
}

static inline void perf_buffer__free(struct perf_buffer *pb)
{
	ewasm_poller_free(pb);
}

static inline struct perf_buffer *perf_buffer__new(int map_fd, size_t page_cnt, perf_buffer_sample_fn sample_cb,
						   perf_buffer_lost_fn lost_cb, void *ctx,
						   const struct perf_buffer_opts *opts)
{
	struct perf_buffer *pb;

	(void)page_cnt;
	(void)lost_cb;
	(void)opts;
	if (!sample_cb)
		return (struct perf_buffer *)ewasm_null(EINVAL);
	pb = (struct perf_buffer *)ewasm_poller_new(sizeof(*pb), map_fd);
	if (pb) {
		pb->sample_cb = sample_cb;
		pb->ctx = ctx;
	}
	return pb;
}

/* The number of records handled, or a negative errno. */
static inline int perf_buffer__poll(struct perf_buffer *pb, int timeout_ms)
{
	return pb ? ewasm_poller_count(&pb->poller, ewasm_perf_sample, pb, &pb->count, timeout_ms) : ewasm_err(-EINVAL);
}

#endif /* EWASM_LIBBPF_WASM_H */
