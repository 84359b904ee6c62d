/* SPDX-License-Identifier: Apache-2.0 */
/* Unpacking one layer (tar; gzip, zstd, xz...) into a directory, with
 * libarchive, loaded with dlopen() only here: `podrt run` of a rootfs pod
 * never maps it.  The uncompressed stream is hashed as it is read and must
 * be the diff_id.  OCI whiteouts become overlayfs ones; entries that climb
 * out of the layer are refused, device nodes skipped. */
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image-internal.h"
#include "sha256.h"

#define FN(name) __typeof__(name) *name
static struct {
        void *handle;
        FN(archive_read_new);
        FN(archive_read_support_filter_all);
        FN(archive_read_support_format_raw);
        FN(archive_read_support_format_tar);
        FN(archive_read_open_fd);
        FN(archive_read_open);
        FN(archive_read_next_header);
        FN(archive_read_data);
        FN(archive_read_data_block);
        FN(archive_read_free);
        FN(archive_error_string);
        FN(archive_write_disk_new);
        FN(archive_write_disk_set_options);
        FN(archive_write_header);
        FN(archive_write_data_block);
        FN(archive_write_finish_entry);
        FN(archive_write_free);
        FN(archive_entry_pathname);
        FN(archive_entry_set_pathname);
        FN(archive_entry_hardlink);
        FN(archive_entry_set_hardlink);
        FN(archive_entry_filetype);
} la;
#undef FN

static int libarchive_load(struct podrt_error **err) {
        if (la.handle)
                return 0;
        void *h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return podrt_error_set(err, ENOENT, "images: libarchive: %s (install libarchive13)",
                                       dlerror());
#define LOAD(name)                                                                              \
        if (!(*(void **)&la.name = dlsym(h, #name))) {                                          \
                dlclose(h);                                                                     \
                return podrt_error_set(err, ENOSYS, "images: libarchive: no %s", #name);        \
        }
        LOAD(archive_read_new) LOAD(archive_read_support_filter_all)
        LOAD(archive_read_support_format_raw) LOAD(archive_read_support_format_tar)
        LOAD(archive_read_open_fd) LOAD(archive_read_open) LOAD(archive_read_next_header)
        LOAD(archive_read_data) LOAD(archive_read_data_block) LOAD(archive_read_free)
        LOAD(archive_error_string) LOAD(archive_write_disk_new) LOAD(archive_write_disk_set_options)
        LOAD(archive_write_header) LOAD(archive_write_data_block) LOAD(archive_write_finish_entry)
        LOAD(archive_write_free) LOAD(archive_entry_pathname) LOAD(archive_entry_set_pathname)
        LOAD(archive_entry_hardlink) LOAD(archive_entry_set_hardlink) LOAD(archive_entry_filetype)
#undef LOAD
        la.handle = h;
        return 0;
}

/* The decompressed stream: the tar reader reads it through here, hashing. */
struct stream {
        struct archive *raw;
        struct sha256 hash;
        char buf[65536];
        int failed;
};

static la_ssize_t stream_read(struct archive *a, void *userdata, const void **ret) {
        struct stream *s = userdata;
        la_ssize_t n = la.archive_read_data(s->raw, s->buf, sizeof(s->buf));
        if (n < 0) {
                s->failed = 1;
                return -1;
        }
        sha256_update(&s->hash, s->buf, (size_t)n);
        *ret = s->buf;
        return n;
}

/* A tar name made relative ("./a/b" is "a/b"); NULL when it is absolute or
 * has a ".." component. */
static const char *clean_name(const char *name) {
        if (!name || name[0] == '/')
                return NULL;
        while (name[0] == '.' && name[1] == '/')
                name += 2;
        for (const char *p = name; *p;) {
                size_t l = strcspn(p, "/");
                if (l == 2 && p[0] == '.' && p[1] == '.')
                        return NULL;
                p += l;
                p += *p == '/';
        }
        return name;
}

/* The directory that holds path's last component, opened under root
 * without following a symlink; *ret_leaf the last component. */
static int open_parent(int root, const char *path, char *leaf, size_t leaf_size) {
        int fd = dup(root);
        if (fd < 0)
                return -errno;
        char comp[256];
        const char *p = path;
        for (;;) {
                size_t l = strcspn(p, "/");
                if (l >= sizeof(comp)) {
                        close(fd);
                        return -ENAMETOOLONG;
                }
                memcpy(comp, p, l);
                comp[l] = 0;
                p += l;
                while (*p == '/')
                        p++;
                if (!*p) {
                        if (l + 1 > leaf_size) {
                                close(fd);
                                return -ENAMETOOLONG;
                        }
                        memcpy(leaf, comp, l + 1);
                        return fd;
                }
                if (l == 0 || strcmp(comp, ".") == 0)
                        continue;
                int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0 && errno == ENOENT && mkdirat(fd, comp, 0755) == 0)
                        next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int e = errno;
                close(fd);
                if (next < 0)
                        return e == ELOOP ? -ELOOP : -e;
                fd = next;
        }
}

/* .wh.NAME and .wh..wh..opq: 1 when name was a whiteout, made here. */
static int whiteout(int root, const char *name, struct podrt_error **err) {
        const char *base = strrchr(name, '/');
        base = base ? base + 1 : name;
        if (strncmp(base, ".wh.", 4) != 0)
                return 0;
        char leaf[256];
        int dfd = open_parent(root, name, leaf, sizeof(leaf));
        if (dfd < 0)
                return podrt_error_set(err, -dfd, "layer entry %s: %s", name,
                                       dfd == -ELOOP || dfd == -ENOTDIR ? "leads through a symlink or a file, refused"
                                                                        : strerror(-dfd));
        int r = 0;
        if (strcmp(leaf, ".wh..wh..opq") == 0) {
                if (fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
                        r = podrt_error_set(err, errno, "layer entry %s: opaque dir: %m", name);
        } else if (strncmp(leaf, ".wh..wh.", 8) == 0) {
                /* aufs' own metadata (.wh..wh.plnk): nothing for overlayfs. */
        } else if (mknodat(dfd, leaf + 4, S_IFCHR | 0, makedev(0, 0)) < 0 && errno != EEXIST) {
                r = podrt_error_set(err, errno, "layer entry %s: whiteout: %m", name);
        }
        close(dfd);
        return r < 0 ? r : 1;
}

static int extract(struct archive *tar, struct archive *disk, int root, bool whiteouts,
                   unsigned *skipped, struct podrt_error **err) {
        struct archive_entry *e;
        int r;
        while ((r = la.archive_read_next_header(tar, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
                const char *raw = la.archive_entry_pathname(e);
                const char *name = clean_name(raw);
                if (!name)
                        return podrt_error_set(err, EPERM, "layer entry %s: climbs out of the layer, refused",
                                               raw ? raw : "(no name)");
                if (!*name || strcmp(name, ".") == 0)
                        continue;
                const char *link = la.archive_entry_hardlink(e);
                if (link) {
                        const char *clean = clean_name(link);
                        if (!clean || !*clean)
                                return podrt_error_set(err, EPERM,
                                                       "layer entry %s: hard link to %s outside the layer, refused",
                                                       name, link);
                        /* Its target reached with no symlink on the way: a
                         * link through one would be to a file outside. */
                        char leaf[256];
                        int dfd = open_parent(root, clean, leaf, sizeof(leaf));
                        if (dfd < 0)
                                return podrt_error_set(err, EPERM,
                                                       "layer entry %s: hard link to %s through a symlink or a file, refused",
                                                       name, link);
                        close(dfd);
                        if (clean != link)
                                la.archive_entry_set_hardlink(e, clean);
                }
                if (name != raw)
                        la.archive_entry_set_pathname(e, name);
                name = la.archive_entry_pathname(e);
                int w = whiteouts ? whiteout(root, name, err) : 0;
                if (w < 0)
                        return w;
                if (w > 0)
                        continue;
                mode_t type = la.archive_entry_filetype(e);
                if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFSOCK) {
                        (*skipped)++;
                        continue;
                }
                if (la.archive_write_header(disk, e) != ARCHIVE_OK)
                        return podrt_error_set(err, EPERM, "layer entry %s: %s, refused", name,
                                               la.archive_error_string(disk));
                const void *buf;
                size_t size;
                la_int64_t off;
                int d;
                while ((d = la.archive_read_data_block(tar, &buf, &size, &off)) == ARCHIVE_OK)
                        if (la.archive_write_data_block(disk, buf, size, off) < ARCHIVE_OK)
                                return podrt_error_set(err, EIO, "layer entry %s: %s", name,
                                                       la.archive_error_string(disk));
                if (d != ARCHIVE_EOF)
                        return podrt_error_set(err, EBADMSG, "layer entry %s: %s", name,
                                               la.archive_error_string(tar));
                if (la.archive_write_finish_entry(disk) < ARCHIVE_OK)
                        return podrt_error_set(err, EIO, "layer entry %s: %s", name,
                                               la.archive_error_string(disk));
        }
        if (r != ARCHIVE_EOF)
                return podrt_error_set(err, EBADMSG, "layer: %s", la.archive_error_string(tar));
        return 0;
}

static void disk_options(struct archive *disk) {
        la.archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
                                                        ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
                                                        ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                        ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                        ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
}

int image_extract_tar(const char *file, const char *dest, struct podrt_error **err) {
        int r = libarchive_load(err);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int root = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %m", file);
        if (root < 0 || cwd < 0)
                return podrt_error_set(err, errno, "images: %s: %m", dest);
        struct archive *tar = la.archive_read_new(), *disk = la.archive_write_disk_new();
        unsigned skipped = 0;
        if (!tar || !disk) {
                r = podrt_error_set(err, ENOMEM, "images: out of memory");
                goto out;
        }
        la.archive_read_support_filter_all(tar);
        la.archive_read_support_format_tar(tar);
        disk_options(disk);
        if (la.archive_read_open_fd(tar, fd, 65536) != ARCHIVE_OK) {
                r = podrt_error_set(err, EBADMSG, "%s: %s", file, la.archive_error_string(tar));
                goto out;
        }
        if (fchdir(root) < 0) {
                r = podrt_error_set(err, errno, "images: %s: %m", dest);
                goto out;
        }
        r = extract(tar, disk, root, false, &skipped, err);
        if (fchdir(cwd) < 0 && r == 0)
                r = podrt_error_set(err, errno, "images: back to the working directory: %m");
        if (r < 0)
                podrt_error_set(err, -r, "%s", file);
out:
        if (disk)
                la.archive_write_free(disk);
        if (tar)
                la.archive_read_free(tar);
        return r;
}

int image_unpack_layer(int blob_fd, const char *dest, const char *diff_id_hex, unsigned *ret_skipped,
                       struct podrt_error **err) {
        int r = libarchive_load(err);
        if (r < 0)
                return r;
        /* dest NULL: the stream only hashed (a layer the store has). */
        _cleanup_close_ int root = dest ? open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        _cleanup_close_ int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if ((dest && root < 0) || cwd < 0)
                return podrt_error_set(err, errno, "images: %s: %m", dest ? dest : ".");
        struct stream *s = calloc(1, sizeof(*s));
        struct archive *tar = NULL, *disk = NULL;
        if (!s)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        sha256_init(&s->hash);
        s->raw = la.archive_read_new();
        tar = la.archive_read_new();
        disk = la.archive_write_disk_new();
        if (!s->raw || !tar || !disk) {
                r = podrt_error_set(err, ENOMEM, "images: out of memory");
                goto out;
        }
        struct archive_entry *e;
        la.archive_read_support_filter_all(s->raw);
        la.archive_read_support_format_raw(s->raw);
        la.archive_read_support_format_tar(tar);
        disk_options(disk);
        if (la.archive_read_open_fd(s->raw, blob_fd, 65536) != ARCHIVE_OK ||
            la.archive_read_next_header(s->raw, &e) != ARCHIVE_OK) {
                r = podrt_error_set(err, EBADMSG, "layer: %s", la.archive_error_string(s->raw));
                goto out;
        }
        if (!dest)
                goto drain;
        if (la.archive_read_open(tar, s, NULL, stream_read, NULL) != ARCHIVE_OK) {
                r = podrt_error_set(err, EBADMSG, "layer: %s", la.archive_error_string(tar));
                goto out;
        }
        /* libarchive's disk writer works from the working directory. */
        if (fchdir(root) < 0) {
                r = podrt_error_set(err, errno, "images: %s: %m", dest);
                goto out;
        }
        *ret_skipped = 0;
        r = extract(tar, disk, root, true, ret_skipped, err);
        if (fchdir(cwd) < 0 && r == 0)
                r = podrt_error_set(err, errno, "images: back to the working directory: %m");
        if (r < 0)
                goto out;
        /* What the tar reader left (its end blocks, padding) counts too. */
drain:;
        const void *p;
        while (!s->failed && stream_read(tar, s, &p) > 0)
                ;
        if (s->failed) {
                r = podrt_error_set(err, EBADMSG, "layer: %s", la.archive_error_string(s->raw));
                goto out;
        }
        char hex[65];
        sha256_hex(&s->hash, hex);
        if (strcmp(hex, diff_id_hex) != 0)
                r = podrt_error_set(err, EBADMSG,
                                    "layer sha256:%s: its content is sha256:%s, not the diff_id the config names",
                                    diff_id_hex, hex);
out:
        if (disk)
                la.archive_write_free(disk);
        if (tar)
                la.archive_read_free(tar);
        if (s->raw)
                la.archive_read_free(s->raw);
        free(s);
        return r;
}
