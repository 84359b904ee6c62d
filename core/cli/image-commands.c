/* SPDX-License-Identifier: Apache-2.0 */
/* podrt image import|list|inspect|rm|prune: a command whose first operand
 * names a subcommand, each declared as the top-level commands are and run
 * through the same path (command_run). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "image-runtime.h"
#include "strv.h"

static int image_open(struct cli_args *a, struct image_store **ret, struct podrt_error **err) {
        return runtime_images(a->rt, ret, err);
}

static int one_operand(struct cli *cli, struct cli_args *a, const char *what) {
        if (a->argc == 0)
                return cli_usage_error(cli, "missing %s", what);
        if (a->argc > 1)
                return cli_usage_error(cli, "too many arguments (one %s expected)", what);
        if (!*a->argv[0])
                return cli_usage_error(cli, "empty %s", what);
        a->operand = a->argv[0];
        return 0;
}

static int cmd_image_import(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        int r = one_operand(cli, a, "SOURCE");
        if (r)
                return r;
        if ((r = cli_runtime(cli, a->operand, &a->rt)) != 0)
                return r;
        _cleanup_(image_store_freep) struct image_store *s = NULL;
        struct json_object *rec = NULL;
        if ((r = image_open(a, &s, err)) < 0 || (r = image_import(s, a->operand, a->name, &rec, err)) < 0)
                return r;
        printf("%s\n", json_get_string(rec, "id"));
        json_object_put(rec);
        return cli_finish_output(cli, 0);
}

static int fetch_image_list(struct cli_args *a, struct json_object **ret, struct podrt_error **err) {
        _cleanup_(image_store_freep) struct image_store *s = NULL;
        int r = image_open(a, &s, err);
        return r < 0 ? r : image_list(s, ret, err);
}

static int print_image_list(struct json_object *images, FILE *f) {
        static const char *const header[] = { "NAME", "ID", "LAYERS", "SIZE", "IMPORTED" };
        _cleanup_(table_freep) struct table *t = table_new(5, header);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(images); i++) {
                struct json_object *rec = json_object_array_get_idx(images, i), *names, *layers, *size;
                char id[13], nlayers[16], bytes[32];
                snprintf(id, sizeof(id), "%.12s", json_get_string(rec, "id") ? json_get_string(rec, "id") : "?");
                json_object_object_get_ex(rec, "layers", &layers);
                json_object_object_get_ex(rec, "size", &size);
                snprintf(nlayers, sizeof(nlayers), "%zu", layers ? json_object_array_length(layers) : 0);
                snprintf(bytes, sizeof(bytes), "%lld", (long long)json_object_get_int64(size));
                const char *imported = json_get_string(rec, "imported");
                size_t n = json_object_object_get_ex(rec, "names", &names) ? json_object_array_length(names) : 0;
                for (size_t j = 0; j < (n ? n : 1); j++) {
                        const char *cells[] = { n ? json_object_get_string(json_object_array_get_idx(names, j)) : "<none>",
                                                id, nlayers, bytes, imported ? imported : "-" };
                        if (table_add(t, cells) < 0)
                                return -ENOMEM;
                }
        }
        table_print(t, f);
        return ferror(f) ? -EIO : 0;
}

static int fetch_image_inspect(struct cli_args *a, struct json_object **ret, struct podrt_error **err) {
        if (a->argc != 1 || !*a->argv[0])
                return podrt_error_set(err, EINVAL, "one NAME expected");
        a->operand = a->argv[0];
        _cleanup_(image_store_freep) struct image_store *s = NULL;
        struct json_object *rec, *cfg, *layers;
        _cleanup_strv_free_ char **dirs = NULL;
        int r = image_open(a, &s, err);
        if (r < 0 || (r = image_find(s, a->operand, &rec, err)) < 0)
                return r;
        if ((r = image_config(s, rec, &cfg, err)) < 0 || (r = image_layer_dirs(s, rec, &dirs, err)) < 0) {
                json_object_put(rec);
                return r;
        }
        json_object_object_add(rec, "imageConfig", cfg);
        layers = json_object_new_array();
        for (size_t i = 0; dirs[i]; i++)
                json_object_array_add(layers, json_object_new_string(dirs[i]));
        json_object_object_add(rec, "layerDirs", layers);
        *ret = rec;
        return 0;
}

static int print_image_inspect(struct json_object *rec, FILE *f) {
        print_json(rec, f);
        return ferror(f) ? -EIO : 0;
}

static int cmd_image_rm(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        int r = one_operand(cli, a, "NAME");
        if (r)
                return r;
        if ((r = cli_runtime(cli, a->operand, &a->rt)) != 0)
                return r;
        _cleanup_(image_store_freep) struct image_store *s = NULL;
        struct json_object *rec;
        if ((r = image_open(a, &s, err)) < 0 || (r = image_find(s, a->operand, &rec, err)) < 0)
                return r;
        _cleanup_strv_free_ char **users = NULL;
        r = runtime_image_users(a->rt, json_get_string(rec, "id"), &users, err);
        json_object_put(rec);
        if (r < 0)
                return r;
        if (users[0] && !(a->flags & CLI_FORCE)) {
                _cleanup_free_ char *list = strv_join(users, ", ");
                return podrt_error_set(err, EBUSY, "in use by pod%s %s (delete %s first, or --force)",
                                       users[1] ? "s" : "", list ? list : "?", users[1] ? "them" : "it");
        }
        /* Forced while pods use it: the name goes, the image stays (its
         * layers are their roots) until prune finds it unused. */
        if ((r = image_remove(s, a->operand, users[0] ? IMAGE_REMOVE_KEEP : 0, err)) < 0)
                return r;
        return 0;
}

static int cmd_image_prune(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        _cleanup_(image_store_freep) struct image_store *s = NULL;
        _cleanup_strv_free_ char **in_use = NULL;
        int r = image_open(a, &s, err);
        if (r < 0 || (r = runtime_images_in_use(a->rt, &in_use, err)) < 0 ||
            (r = image_prune(s, in_use, err)) < 0)
                return r;
        printf("%d\n", r);
        return cli_finish_output(cli, 0);
}

static const struct cli_option import_options[] = {
        { "name", 'n', CLI_NAME, 0 },
        { NULL },
};
static const struct cli_option list_options[] = {
        { "json", 'j', CLI_FLAG, CLI_JSON },
        { NULL },
};
static const struct cli_option rm_options[] = {
        { "force", 'f', CLI_FLAG, CLI_FORCE },
        { NULL },
};

static const struct command image_commands[] = {
        { .name = "image import", .run = cmd_image_import, .synopsis = "[--name NAME[:TAG]] SOURCE",
          .summary = "import an image into the store",
          .options_help = "      --name NAME  the image's name (default: the layout's folder; tag latest)\n",
          .notes = "SOURCE: oci:DIR[:TAG] (an OCI image layout), oci-archive:FILE[:TAG],\n"
                   "docker-archive:FILE (docker save, podman save).\n"
                   "Every blob is verified against its digest; prints the image's ID.\n",
          .shortopts = "", .options = import_options, .operands = CLI_ANY_OPERANDS },
        { .name = "image list", .alias = "ls", .fetch = fetch_image_list, .print = print_image_list,
          .synopsis = "[--json]", .summary = "list the images in the store",
          .options_help = "      --json  print them as a JSON array\n",
          .shortopts = "", .options = list_options, .flags = CMD_SIGPIPE },
        { .name = "image inspect", .fetch = fetch_image_inspect, .print = print_image_inspect,
          .synopsis = "NAME", .summary = "print an image's record and config as JSON",
          .shortopts = "", .operands = CLI_ONE_POD, .flags = CMD_SIGPIPE },
        { .name = "image rm", .run = cmd_image_rm, .synopsis = "[--force] NAME",
          .summary = "remove an image's name (the image with its last)",
          .options_help = "  -f, --force  even when pods use it\n",
          .notes = "Blobs and layers stay until `podrt image prune`.\n",
          .shortopts = "f", .options = rm_options, .operands = CLI_ANY_OPERANDS },
        { .name = "image prune", .run = cmd_image_prune, .synopsis = "",
          .summary = "remove blobs and layers no image uses, and unnamed images no pod uses; prints how many",
          .shortopts = "" },
        { NULL },
};

int cmd_image(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        return command_run_sub(cli, a, image_commands, "import, list, inspect, rm, prune");
}
