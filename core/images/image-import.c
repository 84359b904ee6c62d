/* SPDX-License-Identifier: Apache-2.0 */
/* image import: an OCI image layout (oci:DIR[:TAG]) into the store.  Every
 * blob is copied into the import's temp dir and hashed while it is read;
 * its size and sha256 must be its descriptor's.  Layers are unpacked there
 * too.  Only when all is verified do blobs and layers move into the store
 * (rename: each whole or not at all) and the image into index.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fileio.h"
#include "image-internal.h"
#include "random.h"
#include "runtime.h"
#include "sha256.h"
#include "strv.h"

struct import {
        struct image_store *s;
        char *src;              /* the layout's directory */
        char *tmp;              /* DIR/tmp/PID-XXXXXX */
        int64_t size;
};

/* Copies src/blobs/sha256/HEX of d into tmp/HEX, verifying it; with want_text
 * its content too (for JSON, at most IMAGE_JSON_MAX). */
static int copy_blob(struct import *im, const struct image_descriptor *d, char **ret_text,
                     struct podrt_error **err) {
        const char *hex = d->digest + 7;
        _cleanup_free_ char *from = NULL, *to = NULL, *text = NULL;
        if (asprintf(&from, "%s/blobs/sha256/%s", im->src, hex) < 0 ||
            asprintf(&to, "%s/%s", im->tmp, hex) < 0)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        if (ret_text && d->size > (int64_t)IMAGE_JSON_MAX)
                return podrt_error_set(err, EFBIG, "blob %s: %lld bytes, more than %u for JSON",
                                       d->digest, (long long)d->size, IMAGE_JSON_MAX);
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (in < 0)
                return podrt_error_set(err, errno, "blob %s: %s: %m", d->digest, from);
        _cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0)
                return podrt_error_set(err, errno, "blob %s: %s: %m", d->digest, to);
        if (ret_text && !(text = malloc((size_t)d->size + 1)))
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        struct sha256 h;
        sha256_init(&h);
        char buf[65536];
        int64_t total = 0;
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return podrt_error_set(err, errno, "blob %s: %s: %m", d->digest, from);
                if (n == 0)
                        break;
                if (total + n > d->size)
                        return podrt_error_set(err, EBADMSG,
                                               "blob %s: larger than the %lld bytes its descriptor gives, refused",
                                               d->digest, (long long)d->size);
                if (text)
                        memcpy(text + total, buf, (size_t)n);
                total += n;
                sha256_update(&h, buf, (size_t)n);
                int r = write_all(out, buf, (size_t)n);
                if (r < 0)
                        return podrt_error_set(err, -r, "blob %s: %s: %s", d->digest, to, strerror(-r));
        }
        if (total != d->size)
                return podrt_error_set(err, EBADMSG,
                                       "blob %s: %lld bytes, not the %lld its descriptor gives, refused",
                                       d->digest, (long long)total, (long long)d->size);
        char got[65];
        sha256_hex(&h, got);
        if (strcmp(got, hex) != 0)
                return podrt_error_set(err, EBADMSG, "blob %s: digest mismatch (its content is sha256:%s), refused",
                                       d->digest, got);
        if (fsync(out) < 0)
                return podrt_error_set(err, errno, "blob %s: %s: %m", d->digest, to);
        im->size += total;
        if (ret_text) {
                text[total] = 0;
                *ret_text = TAKE_PTR(text);
        }
        return 0;
}

enum source_kind { SOURCE_OCI, SOURCE_OCI_ARCHIVE, SOURCE_DOCKER_ARCHIVE };

/* "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE": the
 * kind, the path and the tag (NULL when none). */
static int parse_source(const char *source, enum source_kind *ret_kind, char **ret_path, char **ret_tag,
                        struct podrt_error **err) {
        static const struct { const char *prefix; enum source_kind kind; } kinds[] = {
                { "oci:", SOURCE_OCI },
                { "oci-archive:", SOURCE_OCI_ARCHIVE },
                { "docker-archive:", SOURCE_DOCKER_ARCHIVE },
        };
        const char *rest = NULL;
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (strncmp(source, kinds[i].prefix, strlen(kinds[i].prefix)) == 0) {
                        rest = source + strlen(kinds[i].prefix);
                        *ret_kind = kinds[i].kind;
                }
        if (!rest)
                return podrt_error_set(err, EINVAL,
                                       "%s: unknown source (oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE)",
                                       source);
        /* The tag: after the last ':' with no '/' after it.  A docker
         * archive names its own tags. */
        const char *colon = *ret_kind == SOURCE_DOCKER_ARCHIVE ? NULL : strrchr(rest, ':');
        if (colon && strchr(colon, '/'))
                colon = NULL;
        char *path = strndup(rest, colon ? (size_t)(colon - rest) : strlen(rest));
        char *tag = colon && colon[1] ? strdup(colon + 1) : NULL;
        if (!path || (colon && colon[1] && !tag)) {
                free(path);
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        }
        if (!*path) {
                free(path);
                free(tag);
                return podrt_error_set(err, EINVAL, "%s: no path", source);
        }
        *ret_path = path;
        *ret_tag = tag;
        return 0;
}

/* dir/name, which must stay inside dir (an archive's symlinks may not
 * lead out); malloc'd, or NULL with *err set. */
static char *inside(const char *dir, const char *name, struct podrt_error **err) {
        _cleanup_free_ char *joined = path_join(dir, name), *real = NULL, *rdir = realpath(dir, NULL);
        if (!joined || !rdir) {
                podrt_error_set(err, ENOMEM, "images: out of memory");
                return NULL;
        }
        real = realpath(joined, NULL);
        size_t l = strlen(rdir);
        if (!real || strncmp(real, rdir, l) != 0 || real[l] != '/') {
                podrt_error_set(err, real ? EPERM : errno, "archive entry %s: %s", name,
                                real ? "leads out of the archive, refused" : strerror(errno));
                return NULL;
        }
        return TAKE_PTR(real);
}

/* Copies from into dir/blobs/sha256/HEX of its content: digest and size. */
static int blob_add(const char *from, const char *layout, char ret_digest[72], int64_t *ret_size,
                    struct podrt_error **err) {
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s/blobs/sha256/.new", layout) < 0)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (in < 0 || out < 0)
                return podrt_error_set(err, errno, "%s: %m", in < 0 ? from : tmp);
        struct sha256 h;
        sha256_init(&h);
        char buf[65536], hex[65];
        int64_t total = 0;
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return podrt_error_set(err, errno, "%s: %m", from);
                if (n == 0)
                        break;
                sha256_update(&h, buf, (size_t)n);
                total += n;
                int r = write_all(out, buf, (size_t)n);
                if (r < 0)
                        return podrt_error_set(err, -r, "%s: %s", tmp, strerror(-r));
        }
        sha256_hex(&h, hex);
        _cleanup_free_ char *final = NULL;
        if (asprintf(&final, "%s/blobs/sha256/%s", layout, hex) < 0)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        if (rename(tmp, final) < 0)
                return podrt_error_set(err, errno, "%s: %m", final);
        snprintf(ret_digest, 72, "sha256:%s", hex);
        *ret_size = total;
        return 0;
}

static struct json_object *descriptor(const char *media_type, const char *digest, int64_t size) {
        struct json_object *d = json_object_new_object();
        json_object_object_add(d, "mediaType", json_object_new_string(media_type));
        json_object_object_add(d, "digest", json_object_new_string(digest));
        json_object_object_add(d, "size", json_object_new_int64(size));
        return d;
}

static int write_json(const char *dir, const char *name, struct json_object *o, struct podrt_error **err) {
        _cleanup_free_ char *path = path_join(dir, name);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        int r = path ? write_file_new(path, text, strlen(text), 0600) : -ENOMEM;
        return r < 0 ? podrt_error_set(err, -r, "%s/%s: %s", dir, name, strerror(-r)) : 0;
}

/* A docker save / podman save archive, unpacked in dir, as an OCI layout
 * in layout: its config and layers become blobs (their digests computed
 * here: the archive has no descriptors; each layer is verified against the
 * config's diff_ids when it is unpacked), a manifest made for them.
 * *ret_name: the archive's first RepoTag, or NULL. */
static int docker_to_oci(const char *dir, const char *layout, char **ret_name, struct podrt_error **err) {
        _cleanup_free_ char *mpath = path_join(dir, "manifest.json"), *text = NULL, *blobs = NULL,
                            *cfile = NULL, *mtmp = NULL;
        if (!mpath || asprintf(&blobs, "%s/blobs/sha256", layout) < 0)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        int r = read_file(mpath, IMAGE_JSON_MAX, &text, NULL);
        if (r < 0)
                return podrt_error_set(err, -r, "manifest.json of the archive: %s (not a docker archive)", strerror(-r));
        if ((r = mkdir_p(blobs, 0700)) < 0)
                return podrt_error_set(err, -r, "%s: %s", blobs, strerror(-r));
        struct json_object *m = json_tokener_parse(text), *e, *v, *layers, *tags;
        if (!m || !json_object_is_type(m, json_type_array) || json_object_array_length(m) != 1) {
                r = podrt_error_set(err, EBADMSG, "manifest.json of the archive: %s",
                                    m && json_object_is_type(m, json_type_array)
                                            ? "not exactly one image (podman save of one image at a time)"
                                            : "not an array");
                json_object_put(m);
                return r;
        }
        e = json_object_array_get_idx(m, 0);
        struct json_object *manifest = json_object_new_object(), *jl = json_object_new_array();
        char digest[72];
        int64_t size;
        if (!json_object_object_get_ex(e, "Config", &v) || !json_object_is_type(v, json_type_string) ||
            !json_object_object_get_ex(e, "Layers", &layers) || !json_object_is_type(layers, json_type_array)) {
                r = podrt_error_set(err, EBADMSG, "manifest.json of the archive: no Config or Layers");
                goto out;
        }
        cfile = inside(dir, json_object_get_string(v), err);
        if (!cfile || (r = blob_add(cfile, layout, digest, &size, err)) < 0) {
                r = r < 0 ? r : -EPERM;
                goto out;
        }
        json_object_object_add(manifest, "schemaVersion", json_object_new_int(2));
        json_object_object_add(manifest, "mediaType", json_object_new_string("application/vnd.oci.image.manifest.v1+json"));
        json_object_object_add(manifest, "config", descriptor("application/vnd.oci.image.config.v1+json", digest, size));
        for (size_t i = 0; i < json_object_array_length(layers); i++) {
                struct json_object *l = json_object_array_get_idx(layers, i);
                _cleanup_free_ char *lfile = json_object_is_type(l, json_type_string)
                                                     ? inside(dir, json_object_get_string(l), err) : NULL;
                if (!lfile) {
                        r = podrt_error_set(err, EBADMSG, "manifest.json of the archive: Layers[%zu]", i);
                        goto out;
                }
                if ((r = blob_add(lfile, layout, digest, &size, err)) < 0)
                        goto out;
                json_object_array_add(jl, descriptor("application/vnd.oci.image.layer.v1.tar", digest, size));
        }
        json_object_object_add(manifest, "layers", json_object_get(jl));
        const char *mtext = json_object_to_json_string_ext(manifest, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (asprintf(&mtmp, "%s/manifest.tmp", layout) < 0 ||
            (r = write_file_new(mtmp, mtext, strlen(mtext), 0600)) < 0) {
                r = podrt_error_set(err, r < 0 ? -r : ENOMEM, "%s: manifest", layout);
                goto out;
        }
        if ((r = blob_add(mtmp, layout, digest, &size, err)) < 0)
                goto out;
        unlink(mtmp);
        struct json_object *index = json_object_new_object(), *ms = json_object_new_array(), *lv;
        json_object_object_add(index, "schemaVersion", json_object_new_int(2));
        json_object_array_add(ms, descriptor("application/vnd.oci.image.manifest.v1+json", digest, size));
        json_object_object_add(index, "manifests", ms);
        lv = json_object_new_object();
        json_object_object_add(lv, "imageLayoutVersion", json_object_new_string("1.0.0"));
        r = write_json(layout, "index.json", index, err);
        if (r == 0)
                r = write_json(layout, "oci-layout", lv, err);
        json_object_put(index);
        json_object_put(lv);
        if (r == 0 && json_object_object_get_ex(e, "RepoTags", &tags) && json_object_is_type(tags, json_type_array) &&
            json_object_array_length(tags) > 0 &&
            json_object_is_type(json_object_array_get_idx(tags, 0), json_type_string)) {
                const char *t = json_object_get_string(json_object_array_get_idx(tags, 0));
                /* podman's "localhost/x:tag" is shown as such; docker's
                 * "docker.io/library/x" likewise. */
                *ret_name = strdup(t);
        }
out:
        json_object_put(jl);
        json_object_put(manifest);
        json_object_put(m);
        return r;
}

static int move_into(struct import *im, const char *name, const char *dest_dir,
                     struct podrt_error **err) {
        _cleanup_free_ char *from = NULL, *to = NULL;
        if (asprintf(&from, "%s/%s", im->tmp, name) < 0 ||
            asprintf(&to, "%s/%s/%s", im->s->dir, dest_dir, name) < 0)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        if (rename(from, to) == 0)
                return 0;
        /* A layer another import unpacked first: the same content. */
        if (errno == EEXIST || errno == ENOTEMPTY)
                return 0;
        return podrt_error_set(err, errno, "images: %s: %m", to);
}

static char *now_rfc3339(void) {
        char buf[32], *out;
        time_t t = time(NULL);
        struct tm tm;
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        out = strdup(buf);
        return out;
}

static int import_layout(struct import *im, const char *tag, const char *name, struct json_object **ret,
                         struct podrt_error **err) {
        _cleanup_free_ char *index_path = path_join(im->src, "index.json"), *text = NULL;
        _cleanup_free_ char *mtext = NULL, *ctext = NULL, *layout = NULL, *lpath = path_join(im->src, "oci-layout");
        if (!index_path || !lpath)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        int r = read_file(lpath, 4096, &layout, NULL);
        if (r < 0)
                return podrt_error_set(err, -r, "%s: %s (not an OCI image layout)", lpath, strerror(-r));
        if (!strstr(layout, "\"imageLayoutVersion\""))
                return podrt_error_set(err, EBADMSG, "%s: no imageLayoutVersion", lpath);
        if ((r = read_file(index_path, IMAGE_JSON_MAX, &text, NULL)) < 0)
                return podrt_error_set(err, -r, "%s: %s", index_path, strerror(-r));
        struct image_descriptor *ms = NULL, config = { 0 }, *layers = NULL;
        size_t n_ms = 0, n_layers = 0, pick = 0;
        _cleanup_strv_free_ char **diff_ids = NULL;
        struct json_object *rec = NULL;
        _cleanup_free_ char *now = NULL;
        if ((r = image_parse_index(text, strlen(text), index_path, &ms, &n_ms, err)) < 0)
                return r;
        if (tag) {
                for (pick = 0; pick < n_ms; pick++)
                        if (ms[pick].ref_name && strcmp(ms[pick].ref_name, tag) == 0)
                                break;
                if (pick == n_ms) {
                        r = podrt_error_set(err, ENOENT, "%s: no manifest tagged %s", index_path, tag);
                        goto out;
                }
        } else if (n_ms != 1) {
                r = podrt_error_set(err, EINVAL, "%s: %zu manifests: say which with oci:DIR:TAG", index_path, n_ms);
                goto out;
        }
        if ((r = copy_blob(im, &ms[pick], &mtext, err)) < 0 ||
            (r = image_parse_manifest(mtext, (size_t)ms[pick].size, ms[pick].digest, &config, &layers,
                                      &n_layers, err)) < 0 ||
            (r = copy_blob(im, &config, &ctext, err)) < 0 ||
            (r = image_parse_config(ctext, (size_t)config.size, config.digest, &diff_ids, err)) < 0)
                goto out;
        if (strv_length(diff_ids) != n_layers) {
                r = podrt_error_set(err, EBADMSG, "config %s: %zu diff_ids for %zu layers", config.digest,
                                    strv_length(diff_ids), n_layers);
                goto out;
        }
        for (size_t i = 0; i < n_layers; i++)
                if ((r = copy_blob(im, &layers[i], NULL, err)) < 0)
                        goto out;
        /* Every blob verified: unpack the layers not in the store yet. */
        for (size_t i = 0; i < n_layers; i++) {
                const char *hex = diff_ids[i] + 7;
                _cleanup_free_ char *have = NULL, *dest = NULL, *blob = NULL;
                if (asprintf(&have, "%s/layers/%s", im->s->dir, hex) < 0 ||
                    asprintf(&dest, "%s/layer-%s", im->tmp, hex) < 0 ||
                    asprintf(&blob, "%s/%s", im->tmp, layers[i].digest + 7) < 0) {
                        r = podrt_error_set(err, ENOMEM, "images: out of memory");
                        goto out;
                }
                _cleanup_close_ int fd = open(blob, O_RDONLY | O_CLOEXEC);
                unsigned skipped = 0;
                if (fd < 0) {
                        r = podrt_error_set(err, errno, "images: %s: %m", blob);
                        goto out;
                }
                /* Unpacked once per diff_id; a blob of a layer the store
                 * (or this import) has is still checked against it. */
                if (access(have, F_OK) == 0 || access(dest, F_OK) == 0) {
                        if ((r = image_unpack_layer(fd, NULL, hex, &skipped, err)) < 0) {
                                podrt_error_set(err, -r, "layer %s", layers[i].digest);
                                goto out;
                        }
                        continue;
                }
                if (mkdir(dest, 0755) < 0) {
                        r = podrt_error_set(err, errno, "images: %s: %m", dest);
                        goto out;
                }
                if ((r = image_unpack_layer(fd, dest, hex, &skipped, err)) < 0) {
                        podrt_error_set(err, -r, "layer %s", layers[i].digest);
                        goto out;
                }
                if (skipped)
                        log_msg(PODRT_LOG_WARNING, "image import: layer %s: %u device node(s) skipped",
                                layers[i].digest, skipped);
        }
        /* Into the store. */
        for (size_t i = 0; i < n_layers; i++) {
                _cleanup_free_ char *from = NULL, *to = NULL;
                const char *hex = diff_ids[i] + 7;
                if (asprintf(&from, "layer-%s", hex) < 0 || asprintf(&to, "%s/layer-%s", im->tmp, hex) < 0) {
                        r = podrt_error_set(err, ENOMEM, "images: out of memory");
                        goto out;
                }
                if (access(to, F_OK) < 0)
                        continue;
                _cleanup_free_ char *final = NULL;
                if (asprintf(&final, "%s/layers/%s", im->s->dir, hex) < 0) {
                        r = podrt_error_set(err, ENOMEM, "images: out of memory");
                        goto out;
                }
                if (rename(to, final) < 0 && errno != EEXIST && errno != ENOTEMPTY) {
                        r = podrt_error_set(err, errno, "images: %s: %m", final);
                        goto out;
                }
        }
        if ((r = move_into(im, ms[pick].digest + 7, "blobs/sha256", err)) < 0 ||
            (r = move_into(im, config.digest + 7, "blobs/sha256", err)) < 0)
                goto out;
        for (size_t i = 0; i < n_layers; i++)
                if ((r = move_into(im, layers[i].digest + 7, "blobs/sha256", err)) < 0)
                        goto out;

        /* The record. */
        rec = json_object_new_object();
        struct json_object *names = json_object_new_array(), *jl = json_object_new_array(),
                           *jb = json_object_new_array(), *cfg = json_tokener_parse(ctext), *created;
        json_object_object_add(rec, "id", json_object_new_string(ms[pick].digest + 7));
        json_object_array_add(names, json_object_new_string(name));
        json_object_object_add(rec, "names", names);
        json_object_object_add(rec, "manifest", json_object_new_string(ms[pick].digest));
        json_object_object_add(rec, "config", json_object_new_string(config.digest));
        json_object_array_add(jb, json_object_new_string(ms[pick].digest));
        json_object_array_add(jb, json_object_new_string(config.digest));
        for (size_t i = 0; i < n_layers; i++) {
                json_object_array_add(jl, json_object_new_string(diff_ids[i] + 7));
                json_object_array_add(jb, json_object_new_string(layers[i].digest));
        }
        json_object_object_add(rec, "layers", jl);
        json_object_object_add(rec, "blobs", jb);
        json_object_object_add(rec, "size", json_object_new_int64(im->size));
        if (cfg && json_object_object_get_ex(cfg, "created", &created) &&
            json_object_is_type(created, json_type_string))
                json_object_object_add(rec, "created", json_object_get(created));
        json_object_put(cfg);
        now = now_rfc3339();
        json_object_object_add(rec, "imported", now ? json_object_new_string(now) : NULL);

        {
                _cleanup_close_ int lock = image_lock(im->s, "index.lock", LOCK_EX, err);
                struct json_object *index;
                if (lock < 0 || (r = image_index_read(im->s, &index, err)) < 0) {
                        r = lock < 0 ? lock : r;
                        goto out;
                }
                struct json_object *images = image_index_images(index);
                /* The name moves to this image; the same image again is
                 * replaced with its names kept. */
                for (size_t i = json_object_array_length(images); i-- > 0;) {
                        struct json_object *other = json_object_array_get_idx(images, i), *on;
                        json_object_object_get_ex(other, "names", &on);
                        if (strcmp(image_record_string(other, "id"), ms[pick].digest + 7) == 0) {
                                for (size_t j = 0; j < json_object_array_length(on); j++) {
                                        const char *nm = json_object_get_string(json_object_array_get_idx(on, j));
                                        if (strcmp(nm, name) != 0)
                                                json_object_array_add(names, json_object_new_string(nm));
                                }
                                json_object_array_del_idx(images, i, 1);
                                continue;
                        }
                        for (size_t j = 0; j < json_object_array_length(on); j++)
                                if (strcmp(json_object_get_string(json_object_array_get_idx(on, j)), name) == 0) {
                                        json_object_array_del_idx(on, j, 1);
                                        break;
                                }
                }
                json_object_array_add(images, json_object_get(rec));
                r = image_index_write(im->s, index, err);
                json_object_put(index);
        }
        if (r == 0 && ret)
                *ret = json_object_get(rec);
out:
        json_object_put(rec);
        for (size_t i = 0; i < n_ms; i++)
                image_descriptor_clear(&ms[i]);
        free(ms);
        for (size_t i = 0; i < n_layers; i++)
                image_descriptor_clear(&layers[i]);
        free(layers);
        image_descriptor_clear(&config);
        return r;
}

int image_import(struct image_store *s, const char *source, const char *name, struct json_object **ret,
                 struct podrt_error **err) {
        struct import im = { .s = s };
        enum source_kind kind = SOURCE_OCI;
        _cleanup_free_ char *tag = NULL, *full = NULL, *path = NULL, *archive_name = NULL;
        int r = parse_source(source, &kind, &path, &tag, err);
        if (r < 0)
                return r;
        _cleanup_close_ int lock = image_lock(s, "lock", LOCK_SH, err);
        if (lock < 0)
                return lock;
        char suffix[7];
        if (random_suffix(suffix) < 0)
                snprintf(suffix, sizeof(suffix), "000000");
        if (asprintf(&im.tmp, "%s/tmp/%ld-%s", s->dir, (long)getpid(), suffix) < 0)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        if (mkdir(im.tmp, 0700) < 0) {
                r = podrt_error_set(err, errno, "images: %s: %m", im.tmp);
                goto out;
        }
        if (kind == SOURCE_OCI) {
                im.src = strdup(path);
        } else {
                /* An archive: unpacked (as securely as a layer) in the
                 * import's temp dir, then read as a layout. */
                _cleanup_free_ char *unpacked = path_join(im.tmp, "archive");
                if (!unpacked || mkdir(unpacked, 0700) < 0) {
                        r = podrt_error_set(err, errno ? errno : ENOMEM, "images: %s: %m", im.tmp);
                        goto out;
                }
                if ((r = image_extract_tar(path, unpacked, err)) < 0)
                        goto out;
                if (kind == SOURCE_DOCKER_ARCHIVE) {
                        im.src = path_join(im.tmp, "layout");
                        if (im.src && (r = docker_to_oci(unpacked, im.src, &archive_name, err)) < 0)
                                goto out;
                } else {
                        im.src = TAKE_PTR(unpacked);
                }
        }
        if (!im.src) {
                r = podrt_error_set(err, ENOMEM, "images: out of memory");
                goto out;
        }
        if (name)
                full = image_name_normalize(name);
        else if (archive_name)
                full = image_name_normalize(archive_name);
        else {
                /* Without --name: the layout's folder (or archive's file)
                 * name, and the tag given. */
                const char *base = strrchr(path, '/');
                _cleanup_free_ char *guess = NULL;
                base = base && base[1] ? base + 1 : path;
                size_t bl = strlen(base);
                if (bl > 4 && strcmp(base + bl - 4, ".tar") == 0)
                        bl -= 4;
                if (asprintf(&guess, "%.*s:%s", (int)bl, base, tag ? tag : "latest") >= 0)
                        full = image_name_normalize(guess);
        }
        if (!full) {
                r = podrt_error_set(err, EINVAL, "%s: not an image name ([a-z0-9._/-] and :TAG); give one with --name",
                                    name ? name : archive_name ? archive_name : path);
                goto out;
        }
        r = import_layout(&im, kind == SOURCE_DOCKER_ARCHIVE ? NULL : tag, full, ret, err);
out:
        rm_rf(im.tmp);
        free(im.tmp);
        free(im.src);
        return r;
}
