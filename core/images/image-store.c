/* SPDX-License-Identifier: Apache-2.0 */
/* The image store: its index, names, lookups, rm and prune
 * (image-store.h).  Import is image-import.c, unpacking image-unpack.c. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fileio.h"
#include "image-internal.h"
#include "strv.h"

int image_store_open(const char *dir, unsigned flags, struct image_store **ret, struct podrt_error **err) {
        _cleanup_(image_store_freep) struct image_store *s = calloc(1, sizeof(*s));
        if (!s || !(s->dir = strdup(dir)))
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        s->dirfd = -1;
        static const char *const subdirs[] = { "blobs/sha256", "layers", "tmp", NULL };
        for (size_t i = 0; (flags & IMAGE_STORE_CREATE) && subdirs[i]; i++) {
                _cleanup_free_ char *p = path_join(dir, subdirs[i]);
                int r = p ? mkdir_p(p, 0700) : -ENOMEM;
                if (r < 0)
                        return podrt_error_set(err, -r, "images: %s: %s", p ? p : dir, strerror(-r));
        }
        s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->dirfd < 0)
                return podrt_error_set(err, errno, "images: %s: %m", dir);
        *ret = TAKE_PTR(s);
        return 0;
}

struct image_store *image_store_free(struct image_store *s) {
        if (!s)
                return NULL;
        if (s->dirfd >= 0)
                close(s->dirfd);
        free(s->dir);
        free(s);
        return NULL;
}

const char *image_store_dir(const struct image_store *s) { return s->dir; }

int image_lock(struct image_store *s, const char *name, int op, struct podrt_error **err) {
        int fd = openat(s->dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return podrt_error_set(err, errno, "images: %s/%s: %m", s->dir, name);
        while (flock(fd, op) < 0) {
                if (errno == EINTR)
                        continue;
                int e = errno;
                close(fd);
                return podrt_error_set(err, e, "images: lock %s/%s: %s", s->dir, name, strerror(e));
        }
        return fd;
}

/* ---- names ------------------------------------------------------------------ */

static bool repo_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-' || c == '/';
}

static bool tag_char(char c) {
        return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

char *image_name_normalize(const char *name) {
        const char *slash = strrchr(name, '/'), *colon = strrchr(name, ':');
        size_t repo_len = colon && (!slash || colon > slash) ? (size_t)(colon - name) : strlen(name);
        const char *tag = repo_len < strlen(name) ? name + repo_len + 1 : "latest";
        /* A registry's port ("localhost:5000/x") is a colon before a slash. */
        bool ok = repo_len > 0 && repo_len <= 255 && *tag && strlen(tag) <= 128 &&
                  name[0] != '/' && name[repo_len - 1] != '/' && !strstr(name, "//");
        for (size_t i = 0; ok && i < repo_len; i++)
                ok = repo_char(name[i]) || (name[i] == ':' && slash && name + i < slash);
        /* Each component starts and ends with a letter or digit (no ".."). */
        for (size_t i = 0; ok && i < repo_len; i++) {
                bool edge = i == 0 || name[i - 1] == '/' || i + 1 == repo_len || name[i + 1] == '/';
                if (edge && name[i] != '/' && !isalnum((unsigned char)name[i]))
                        ok = false;
        }
        for (const char *t = tag; ok && *t; t++)
                ok = tag_char(*t);
        if (!ok) {
                errno = EINVAL;
                return NULL;
        }
        char *out;
        if (asprintf(&out, "%.*s:%s", (int)repo_len, name, tag) < 0) {
                errno = ENOMEM;
                return NULL;
        }
        return out;
}

bool image_digest_valid(const char *digest) {
        if (!digest || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 71)
                return false;
        for (const char *p = digest + 7; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

/* ---- the index -------------------------------------------------------------- */

int image_index_read(struct image_store *s, struct json_object **ret, struct podrt_error **err) {
        _cleanup_free_ char *text = NULL;
        int r = read_file_at(s->dirfd, "index.json", 64u << 20, &text, NULL);
        if (r == -ENOENT) {
                struct json_object *o = json_object_new_object();
                if (!o)
                        return podrt_error_set(err, ENOMEM, "images: out of memory");
                json_object_object_add(o, "images", json_object_new_array());
                *ret = o;
                return 0;
        }
        if (r < 0)
                return podrt_error_set(err, -r, "images: %s/index.json: %s", s->dir, strerror(-r));
        struct json_object *o = json_tokener_parse(text), *a;
        if (!o || !json_object_object_get_ex(o, "images", &a) ||
            !json_object_is_type(a, json_type_array)) {
                json_object_put(o);
                return podrt_error_set(err, EBADMSG, "images: %s/index.json: not an image index",
                                       s->dir);
        }
        *ret = o;
        return 0;
}

int image_index_write(struct image_store *s, struct json_object *index, struct podrt_error **err) {
        const char *text = json_object_to_json_string_ext(index, JSON_C_TO_STRING_PRETTY |
                                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
        int r = write_file_atomic_at(s->dirfd, "index.json", text, strlen(text), 0600,
                                     WRITE_FILE_SYNC);
        if (r < 0)
                return podrt_error_set(err, -r, "images: %s/index.json: %s", s->dir, strerror(-r));
        return 0;
}

struct json_object *image_index_images(struct json_object *index) {
        struct json_object *a = NULL;
        json_object_object_get_ex(index, "images", &a);
        return a;
}

const char *image_record_string(struct json_object *record, const char *key) {
        struct json_object *v;
        if (!json_object_object_get_ex(record, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

bool image_record_names(struct json_object *record, const char *name) {
        return image_record_has_name(record, name);
}

bool image_record_has_name(struct json_object *record, const char *name) {
        struct json_object *names;
        if (!json_object_object_get_ex(record, "names", &names))
                return false;
        for (size_t i = 0; i < json_object_array_length(names); i++)
                if (strcmp(json_object_get_string(json_object_array_get_idx(names, i)), name) == 0)
                        return true;
        return false;
}

/* have is name, or name with localhost/, docker.io/ or docker.io/library/
 * before it (podman's short names among local images). */
static bool name_matches(const char *have, const char *name) {
        static const char *const prefixes[] = { "", "localhost/", "docker.io/", "docker.io/library/" };
        for (size_t k = 0; k < ELEMENTSOF(prefixes); k++) {
                size_t l = strlen(prefixes[k]);
                if (strncmp(have, prefixes[k], l) == 0 && strcmp(have + l, name) == 0)
                        return true;
        }
        return false;
}

/* The index of ref's record in images, -ENOENT when none, -EINVAL when an
 * id prefix is not unique; *ret_by_name whether ref was a name. */
static int index_find(struct json_object *images, const char *ref, bool *ret_by_name) {
        _cleanup_free_ char *name = image_name_normalize(ref);
        size_t n = json_object_array_length(images);
        for (size_t i = 0; name && i < n; i++)
                if (image_record_has_name(json_object_array_get_idx(images, i), name)) {
                        *ret_by_name = true;
                        return (int)i;
                }
        /* A short name, as podman resolves it among local images: with
         * localhost/, docker.io/ or docker.io/library/ before it. */
        static const char *const prefixes[] = { "localhost/", "docker.io/", "docker.io/library/" };
        for (size_t k = 0; name && k < ELEMENTSOF(prefixes); k++) {
                _cleanup_free_ char *longer = NULL;
                if (asprintf(&longer, "%s%s", prefixes[k], name) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++)
                        if (image_record_has_name(json_object_array_get_idx(images, i), longer)) {
                                *ret_by_name = true;
                                return (int)i;
                        }
        }
        const char *id = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
        size_t len = strlen(id);
        if (len < 12 || len > 64 || strspn(id, "0123456789abcdef") != len)
                return -ENOENT;
        int found = -ENOENT;
        for (size_t i = 0; i < n; i++)
                if (strncmp(image_record_string(json_object_array_get_idx(images, i), "id"), id, len) == 0) {
                        if (found >= 0)
                                return -EINVAL;
                        found = (int)i;
                }
        *ret_by_name = false;
        return found;
}

int image_list(struct image_store *s, struct json_object **ret, struct podrt_error **err) {
        struct json_object *index;
        int r = image_index_read(s, &index, err);
        if (r < 0)
                return r;
        *ret = json_object_get(image_index_images(index));
        json_object_put(index);
        return 0;
}

int image_find(struct image_store *s, const char *ref, struct json_object **ret,
               struct podrt_error **err) {
        struct json_object *index;
        bool by_name;
        int r = image_index_read(s, &index, err);
        if (r < 0)
                return r;
        int i = index_find(image_index_images(index), ref, &by_name);
        if (i < 0) {
                json_object_put(index);
                return podrt_error_set(err, -i, i == -EINVAL ? "image %s: more than one image has an id starting so"
                                                              : "image %s: no such image", ref);
        }
        *ret = json_object_get(json_object_array_get_idx(image_index_images(index), i));
        json_object_put(index);
        return 0;
}

int image_config(struct image_store *s, struct json_object *record, struct json_object **ret,
                 struct podrt_error **err) {
        const char *digest = image_record_string(record, "config");
        if (!image_digest_valid(digest))
                return podrt_error_set(err, EBADMSG, "images: a record without a config");
        _cleanup_free_ char *text = NULL, *path = NULL;
        if (asprintf(&path, "blobs/sha256/%s", digest + 7) < 0)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        int r = read_file_at(s->dirfd, path, IMAGE_JSON_MAX, &text, NULL);
        if (r < 0)
                return podrt_error_set(err, -r, "images: %s/%s: %s", s->dir, path, strerror(-r));
        struct json_object *o = json_tokener_parse(text);
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return podrt_error_set(err, EBADMSG, "images: config %s: not a JSON object", digest);
        }
        *ret = o;
        return 0;
}

int image_layer_dirs(struct image_store *s, struct json_object *record, char ***ret,
                     struct podrt_error **err) {
        struct json_object *layers;
        _cleanup_strv_free_ char **dirs = calloc(1, sizeof(char *));
        if (!dirs)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        if (!json_object_object_get_ex(record, "layers", &layers))
                return podrt_error_set(err, EBADMSG, "images: a record without layers");
        for (size_t i = json_object_array_length(layers); i-- > 0;) {
                char *p;
                if (asprintf(&p, "%s/layers/%s", s->dir,
                             json_object_get_string(json_object_array_get_idx(layers, i))) < 0 ||
                    strv_consume(&dirs, p) < 0)
                        return podrt_error_set(err, ENOMEM, "images: out of memory");
        }
        *ret = TAKE_PTR(dirs);
        return 0;
}

int image_remove(struct image_store *s, const char *ref, unsigned flags, struct podrt_error **err) {
        _cleanup_close_ int lock = image_lock(s, "index.lock", LOCK_EX, err);
        if (lock < 0)
                return lock;
        struct json_object *index;
        bool by_name;
        int r = image_index_read(s, &index, err);
        if (r < 0)
                return r;
        struct json_object *images = image_index_images(index);
        int i = index_find(images, ref, &by_name);
        if (i < 0) {
                json_object_put(index);
                return podrt_error_set(err, -i, i == -EINVAL ? "image %s: more than one image has an id starting so"
                                                              : "image %s: no such image", ref);
        }
        struct json_object *rec = json_object_array_get_idx(images, i), *names;
        json_object_object_get_ex(rec, "names", &names);
        if (by_name && json_object_array_length(names) > 1) {
                _cleanup_free_ char *name = image_name_normalize(ref);
                for (size_t j = 0; name && j < json_object_array_length(names); j++)
                        if (name_matches(json_object_get_string(json_object_array_get_idx(names, j)), name)) {
                                json_object_array_del_idx(names, j, 1);
                                break;
                        }
        } else if (flags & IMAGE_REMOVE_KEEP) {
                json_object_object_add(rec, "names", json_object_new_array());
        } else {
                json_object_array_del_idx(images, i, 1);
        }
        r = image_index_write(s, index, err);
        json_object_put(index);
        return r;
}

/* ---- prune ------------------------------------------------------------------ */

/* Removes the entries of dir (under the store) that keep does not hold. */
static int prune_dir(struct image_store *s, const char *dir, char *const *keep,
                     struct podrt_error **err) {
        _cleanup_close_ int fd = openat(s->dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : podrt_error_set(err, errno, "images: %s/%s: %m", s->dir, dir);
        DIR *d = fdopendir(fd);
        if (!d)
                return podrt_error_set(err, errno, "images: %s/%s: %m", s->dir, dir);
        fd = -1;
        int n = 0, r = 0;
        struct dirent *de;
        _cleanup_strv_free_ char **doomed = NULL;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
                    !strv_contains(keep, de->d_name) && strv_push(&doomed, de->d_name) < 0)
                        r = -ENOMEM;
        for (size_t i = 0; r == 0 && doomed && doomed[i]; i++) {
                /* A running import's temp dir: "PID-XXXXXX" of a live PID. */
                if (strcmp(dir, "tmp") == 0) {
                        long pid = strtol(doomed[i], NULL, 10);
                        if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
                                continue;
                }
                r = rm_rf_at(dirfd(d), doomed[i], 0, NULL);
                if (r < 0)
                        podrt_error_set(err, -r, "images: prune %s/%s/%s: %s", s->dir, dir, doomed[i],
                                        strerror(-r));
                else
                        n++;
        }
        closedir(d);
        return r < 0 ? r : n;
}

int image_prune(struct image_store *s, char *const *in_use, struct podrt_error **err) {
        /* Exclusive: no import is between writing its blobs and naming them. */
        _cleanup_close_ int lock = image_lock(s, "lock", LOCK_EX, err);
        if (lock < 0)
                return lock;
        _cleanup_close_ int ilock = image_lock(s, "index.lock", LOCK_EX, err);
        if (ilock < 0)
                return ilock;
        struct json_object *index;
        int r = image_index_read(s, &index, err);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **blobs = calloc(1, sizeof(char *)), **layers = calloc(1, sizeof(char *));
        struct json_object *images = image_index_images(index);
        /* Unnamed images (rm --force while in use) no pod uses any more. */
        int dropped = 0;
        for (size_t i = json_object_array_length(images); i-- > 0;) {
                struct json_object *rec = json_object_array_get_idx(images, i), *names;
                const char *id = image_record_string(rec, "id");
                if (json_object_object_get_ex(rec, "names", &names) && json_object_array_length(names) == 0 &&
                    !(id && strv_contains(in_use, id))) {
                        json_object_array_del_idx(images, i, 1);
                        dropped++;
                }
        }
        if (dropped && (r = image_index_write(s, index, err)) < 0) {
                json_object_put(index);
                return r;
        }
        for (size_t i = 0; blobs && layers && i < json_object_array_length(images); i++) {
                struct json_object *rec = json_object_array_get_idx(images, i), *a;
                if (json_object_object_get_ex(rec, "blobs", &a))
                        for (size_t j = 0; j < json_object_array_length(a); j++) {
                                const char *d = json_object_get_string(json_object_array_get_idx(a, j));
                                if (image_digest_valid(d) && strv_push(&blobs, d + 7) < 0)
                                        r = -ENOMEM;
                        }
                if (json_object_object_get_ex(rec, "layers", &a))
                        for (size_t j = 0; j < json_object_array_length(a); j++)
                                if (strv_push(&layers, json_object_get_string(json_object_array_get_idx(a, j))) < 0)
                                        r = -ENOMEM;
        }
        json_object_put(index);
        if (r < 0 || !blobs || !layers)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        int n1 = prune_dir(s, "blobs/sha256", blobs, err), n2, n3;
        if (n1 < 0)
                return n1;
        if ((n2 = prune_dir(s, "layers", layers, err)) < 0)
                return n2;
        if ((n3 = prune_dir(s, "tmp", NULL, err)) < 0)
                return n3;
        return dropped + n1 + n2 + n3;
}
