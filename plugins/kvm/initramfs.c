/* SPDX-License-Identifier: Apache-2.0 */
/* The guest's initramfs, written in C (newc cpio, no cpio program at run
 * time).  The base image (podrt-init as /init, /dev/console, the modules) is
 * cached, named by the CRC-64 of its inputs' contents; each pod's initrd is
 * the base followed by a small second archive holding its description
 * (/podrt/pod.conf): the kernel unpacks concatenated archives in order.
 * A module's appended signature is cut off into a file of its own beside it
 * (module_signed_length()). */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "initspec.h"
#include "kvm.h"
#include "strv.h"

struct cpio {
        int fd;
        uint64_t offset;
        uint32_t ino;
        char **dirs;        /* directories written so far */
        int error;          /* the first write error (-errno) */
};

struct cpio *cpio_new(int fd) {
        struct cpio *c = calloc(1, sizeof(*c));
        if (c) {
                c->fd = fd;
                c->ino = 1;
        }
        return c;
}

void cpio_free(struct cpio *c) {
        if (!c)
                return;
        strv_free(c->dirs);
        free(c);
}

static void cpio_write(struct cpio *c, const void *data, size_t n) {
        const char *p = data;
        while (c->error == 0 && n > 0) {
                ssize_t k = write(c->fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        c->error = -errno;
                        return;
                }
                p += k, n -= (size_t)k;
                c->offset += (uint64_t)k;
        }
}

static void cpio_pad(struct cpio *c, unsigned align) {
        static const char zeros[512];
        size_t n = (size_t)((align - c->offset % align) % align);
        cpio_write(c, zeros, n);
}

static int cpio_header(struct cpio *c, const char *name, mode_t mode, size_t size, unsigned rmaj,
                       unsigned rmin) {
        char hdr[111];
        size_t namesize = strlen(name) + 1;
        snprintf(hdr, sizeof(hdr),
                 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                 c->ino++, (unsigned)mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u, (unsigned)size,
                 0u, 0u, rmaj, rmin, (unsigned)namesize, 0u);
        cpio_write(c, hdr, 110);
        cpio_write(c, name, namesize);
        cpio_pad(c, 4);
        return c->error;
}

/* Names in the archive are relative ("init", "lib/modules/..."). */
static const char *rel(const char *path) {
        while (*path == '/')
                path++;
        return path;
}

static int cpio_parents(struct cpio *c, const char *path) {
        _cleanup_free_ char *p = strdup(rel(path));
        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                if (!strv_contains(c->dirs, p)) {
                        if (strv_push(&c->dirs, p) < 0)
                                return -ENOMEM;
                        cpio_header(c, p, S_IFDIR | 0755, 0, 0, 0);
                }
                *s = '/';
        }
        return c->error;
}

int cpio_add_dir(struct cpio *c, const char *path, mode_t mode) {
        int r = cpio_parents(c, path);
        if (r < 0 || strv_contains(c->dirs, rel(path)))
                return r;
        if (strv_push(&c->dirs, rel(path)) < 0)
                return -ENOMEM;
        return cpio_header(c, rel(path), S_IFDIR | (mode & 07777), 0, 0, 0);
}

int cpio_add_data(struct cpio *c, const char *path, mode_t mode, const void *data, size_t size) {
        int r = cpio_parents(c, path);
        if (r < 0)
                return r;
        cpio_header(c, rel(path), S_IFREG | (mode & 07777), size, 0, 0);
        cpio_write(c, data, size);
        cpio_pad(c, 4);
        return c->error;
}

int cpio_add_file(struct cpio *c, const char *path, mode_t mode, const char *host_path) {
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r = read_file(host_path, (size_t)1 << 30, &data, &size);
        if (r < 0)
                return r;
        return cpio_add_data(c, path, mode, data, size);
}

int cpio_add_chardev(struct cpio *c, const char *path, mode_t mode, unsigned maj, unsigned min) {
        int r = cpio_parents(c, path);
        if (r < 0)
                return r;
        return cpio_header(c, rel(path), S_IFCHR | (mode & 07777), 0, maj, min);
}

int cpio_finish(struct cpio *c) {
        cpio_header(c, "TRAILER!!!", 0, 0, 0, 0);
        cpio_pad(c, 512);
        int r = c->error;
        cpio_free(c);
        return r;
}

/* ---- the modules' signatures ---- */

/* The kernel's scripts/sign-file appends to a module its signature (a
 * PKCS#7 blob), then struct module_signature (12 bytes, the blob's length
 * big-endian last), then this marker. */
#define MODULE_SIG_STRING "~Module signature appended~\n"
#define MODULE_SIG_INFO_SIZE 12

size_t module_signed_length(const void *data, size_t size) {
        const size_t marker = sizeof(MODULE_SIG_STRING) - 1;
        const unsigned char *p = data;
        if (size < marker + MODULE_SIG_INFO_SIZE || memcmp(p + size - marker, MODULE_SIG_STRING, marker) != 0)
                return size;
        const unsigned char *info = p + size - marker - MODULE_SIG_INFO_SIZE;
        /* signer_len and key_id_len: 0 for PKCS#7; the old format's parts. */
        uint64_t sig = (uint64_t)info[3] + info[4] +
                       ((uint64_t)info[8] << 24 | (uint64_t)info[9] << 16 | (uint64_t)info[10] << 8 | info[11]);
        if (sig >= size - marker - MODULE_SIG_INFO_SIZE)
                return size;   /* not a trailer the kernel would take either */
        return size - marker - MODULE_SIG_INFO_SIZE - (size_t)sig;
}

/* A module, without its signature, at guest; the signature (all after
 * the module) at guest + INITSPEC_MODULE_SIG_SUFFIX.  A kernel that does not
 * enforce signatures then checks none: no SHA and RSA over every module
 * (~30 ms of the ~90 ms the nine of a pod take under TCG); it marks itself
 * tainted "E" (an unsigned module) instead.  One that enforces them refuses
 * the module, and podrt-init loads it again with the signature put back
 * (core/init/modules.c): the bytes the kernel checks are the signed file's. */
static int cpio_add_module(struct cpio *c, const char *guest, const char *host_path) {
        _cleanup_free_ char *data = NULL, *sig_path = NULL;
        size_t size = 0;
        int r = read_file(host_path, (size_t)1 << 30, &data, &size);
        if (r < 0)
                return r;
        size_t len = module_signed_length(data, size);
        if ((r = cpio_add_data(c, guest, 0644, data, len)) < 0 || len == size)
                return r;
        if (asprintf(&sig_path, "%s%s", guest, INITSPEC_MODULE_SIG_SUFFIX) < 0)
                return -ENOMEM;
        return cpio_add_data(c, sig_path, 0644, data + len, size - len);
}

/* ---- the cached base ---- */

static int hash_file(const char *path, uint64_t *crc) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        static uint8_t buf[1 << 16];
        for (;;) {
                ssize_t k = read(fd, buf, sizeof(buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return 0;
                *crc = lzma_crc64(buf, (size_t)k, *crc);
        }
}

static void hash_string(const char *s, uint64_t *crc) {
        *crc = lzma_crc64((const uint8_t *)s, strlen(s) + 1, *crc);
}

int initramfs_base(const char *cache_dir, const char *init_path, const char *moddir,
                   const char *guest_moddir, char *const *modules, char **ret_path,
                   struct podrt_error **err) {
        uint64_t crc = 0;
        int r;
        /* 2: the modules' signatures apart. */
        hash_string("podrt-initramfs 2", &crc);
        if ((r = hash_file(init_path, &crc)) < 0)
                return podrt_error_set(err, -r, "podrt-init %s: %s", init_path, strerror(-r));
        for (size_t i = 0; modules && modules[i]; i++) {
                _cleanup_free_ char *host = path_join(moddir, modules[i]);
                if (!host)
                        return -ENOMEM;
                hash_string(guest_moddir, &crc);
                hash_string(modules[i], &crc);
                if ((r = hash_file(host, &crc)) < 0)
                        return podrt_error_set(err, -r, "guest module %s: %s", host, strerror(-r));
        }

        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/initramfs-%016llx.cpio", cache_dir, (unsigned long long)crc) < 0)
                return -ENOMEM;
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
                *ret_path = TAKE_PTR(path);
                return 0;
        }
        if ((r = mkdir_p(cache_dir, 0755)) < 0)
                return podrt_error_set(err, -r, "%s: %s", cache_dir, strerror(-r));
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
                return -ENOMEM;
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %m", tmp);
        struct cpio *c = cpio_new(fd);
        if (!c) {
                close(fd);
                unlink(tmp);
                return -ENOMEM;
        }
        const char *what = "/dev";
        r = cpio_add_dir(c, "/dev", 0755);
        if (r >= 0)
                what = "/dev/console", r = cpio_add_chardev(c, "/dev/console", 0600, 5, 1);
        if (r >= 0)
                what = "/podrt", r = cpio_add_dir(c, "/podrt", 0755);
        if (r >= 0)
                what = init_path, r = cpio_add_file(c, "/init", 0755, init_path);
        _cleanup_free_ char *host = NULL;
        for (size_t i = 0; r >= 0 && modules && modules[i]; i++) {
                _cleanup_free_ char *guest = path_join(guest_moddir, modules[i]);
                free(host);
                host = path_join(moddir, modules[i]);
                what = host;
                r = guest && host ? cpio_add_module(c, guest, host) : -ENOMEM;
        }
        if (r >= 0)
                what = tmp, r = cpio_finish(c);
        else
                cpio_free(c);
        if (r >= 0 && fchmod(fd, 0644) < 0)
                r = -errno;
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                what = path, r = -errno;
        if (r < 0) {
                unlink(tmp);
                return podrt_error_set(err, -r, "initramfs: %s: %s", what, strerror(-r));
        }
        *ret_path = TAKE_PTR(path);
        return 0;
}

int initramfs_pod(const char *base, const char *description, const char *out,
                  struct podrt_error **err) {
        _cleanup_close_ int in = open(base, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return podrt_error_set(err, errno, "initramfs %s: %m", base);
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp.XXXXXX", out) < 0)
                return -ENOMEM;
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %m", tmp);
        int r = 0;
        for (;;) {
                ssize_t k = copy_file_range(in, NULL, fd, NULL, 1 << 30, 0);
                if (k < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
                        /* Old kernels: copy by hand. */
                        char buf[65536];
                        k = read(in, buf, sizeof(buf));
                        if (k > 0 && write(fd, buf, (size_t)k) != k)
                                k = -1;
                }
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = -errno;
                        break;
                }
                if (k == 0)
                        break;
        }
        if (r >= 0) {
                struct cpio *c = cpio_new(fd);
                if (!c)
                        r = -ENOMEM;
                else if ((r = cpio_add_file(c, "/podrt/pod.conf", 0644, description)) < 0)
                        cpio_free(c);
                else
                        r = cpio_finish(c);
        }
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && rename(tmp, out) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return podrt_error_set(err, -r, "initramfs %s: %s", out, strerror(-r));
        }
        return 0;
}
