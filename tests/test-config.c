/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration: embedded defaults, a file over them, validation errors
 * naming file and line, $PODRT_CONFIG and $PODRT_PLUGIN_PATH. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "cunit-main.h"
#include "errors.h"
#include "loader.h"
#include "strv.h"
#include "podrt-build.h"

static char tmpdir[] = "/tmp/podrt-test-config.XXXXXX";
static int nfiles;

/* Writes text to a new file in the test's folder; returns its path (static
 * storage, valid until the next call). */
static const char *write_conf(const char *text) {
        static char path[256];
        snprintf(path, sizeof(path), "%s/podrt-%d.conf", tmpdir, ++nfiles);
        FILE *f = fopen(path, "we");
        CU_ASSERT_FATAL(f != NULL);
        fputs(text, f);
        fclose(f);
        return path;
}

/* Loads text as a file; expects success. */
static struct podrt_config *load_ok(const char *text) {
        struct podrt_error *err = NULL;
        struct podrt_config *cfg = NULL;
        int r = config_load(write_conf(text), &cfg, &err);
        if (r < 0)
                fprintf(stderr, "unexpected error: %s\n", podrt_error_message(err));
        CU_ASSERT_EQUAL(r, 0);
        CU_ASSERT_PTR_NULL(err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
        podrt_error_free(err);
        return cfg;
}

/* Loads text as a file; expects failure with exactly "<file>:<expected>"
 * and nothing returned. */
static void load_fails(const char *text, const char *expected) {
        struct podrt_error *err = NULL;
        struct podrt_config *cfg = (struct podrt_config *)&nfiles; /* sentinel */
        const char *path = write_conf(text);
        int r = config_load(path, &cfg, &err);
        CU_ASSERT_EQUAL(r, -EINVAL);
        CU_ASSERT_PTR_EQUAL(cfg, (struct podrt_config *)&nfiles);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        char want[512];
        snprintf(want, sizeof(want), "%s:%s", path, expected);
        if (strcmp(podrt_error_message(err), want) != 0)
                fprintf(stderr, "expected \"%s\"\n     got \"%s\"\n", want,
                        podrt_error_message(err));
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), want);
        podrt_error_free(err);
}

static int strv_equal(const char *const *v, const char *const *want) {
        if (!v)
                return 0;
        size_t i = 0;
        for (; want[i]; i++)
                if (!v[i] || strcmp(v[i], want[i]) != 0)
                        return 0;
        return v[i] == NULL;
}

static void test_defaults(void) {
        struct podrt_error *err = NULL;
        struct podrt_config *cfg = NULL;
        CU_ASSERT_EQUAL_FATAL(config_defaults(&cfg, &err), 0);
        CU_ASSERT_STRING_EQUAL(podrt_config_source(cfg), "(defaults)");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "backend", "x"), "oci");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "state_dir", "x"), "/run/podrt");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "network", "x"), "none");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "storage", "x"), "dir");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "log_level", "x"), "warning");
        const char *const plugins[] = { PODRT_PLUGINDIR, NULL };
        CU_ASSERT(strv_equal(podrt_config_strings(cfg, "plugin_path"), plugins));
        /* A plugin's section has its defaults in the plugin, which reads
         * each setting with its own fallback: the core has none. */
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "oci.runtime", "x"), "x");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "nspawn.binary", "x"), "x");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "kvm.hypervisor", "x"), "x");
        CU_ASSERT_EQUAL(podrt_config_bool(cfg, "kvm.load_modules", true), true);
        CU_ASSERT_EQUAL(podrt_config_int(cfg, "kvm.memory_mib", -1), -1);
        CU_ASSERT_PTR_NULL(podrt_config_strings(cfg, "hooks.dirs"));
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "oci"), PODRT_CONFIG_ABSENT);
        /* Absent and mistyped lookups give the fallback. */
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "nope", "fb"), "fb");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "plugins", "fb"), "fb");
        CU_ASSERT_EQUAL(podrt_config_int(cfg, "backend", 42), 42);
        CU_ASSERT_PTR_NULL(podrt_config_strings(cfg, "plugins.foo.names"));
        CU_ASSERT_EQUAL(podrt_config_is_set(cfg, "backend"), 0);
        config_free(cfg);

        /* NULL config: every accessor gives its fallback. */
        CU_ASSERT_STRING_EQUAL(podrt_config_string(NULL, "backend", "fb"), "fb");
        CU_ASSERT_EQUAL(podrt_config_int(NULL, "kvm.vcpus", 3), 3);
        CU_ASSERT_STRING_EQUAL(podrt_config_source(NULL), "(defaults)");
}

static void test_default_path(void) {
        /* Without an argument or $PODRT_CONFIG: /etc/podrt/podrt.conf, or the
         * defaults when it does not exist. */
        unsetenv("PODRT_CONFIG");
        struct podrt_error *err = NULL;
        struct podrt_config *cfg = NULL;
        CU_ASSERT_EQUAL_FATAL(config_load(NULL, &cfg, &err), 0);
        if (access(PODRT_CONFIG_FILE, F_OK) < 0) {
                CU_ASSERT_STRING_EQUAL(podrt_config_source(cfg), "(defaults)");
        } else {
                CU_ASSERT_STRING_EQUAL(podrt_config_source(cfg), PODRT_CONFIG_FILE);
        }
        config_free(cfg);
}

static void test_file_over_defaults(void) {
        struct podrt_config *cfg = load_ok("# a comment\n"
                                           "backend = \"kvm\";\n"
                                           "kvm = { accel = \"tcg\"; memory_mib = 512;\n"
                                           "        vcpus = 2; load_modules = true; };\n"
                                           "oci = { runtime = \"/usr/sbin/runc\"; };\n");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "backend", "x"), "kvm");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "kvm.accel", "x"), "tcg");
        CU_ASSERT_EQUAL(podrt_config_int(cfg, "kvm.memory_mib", -1), 512);
        CU_ASSERT_EQUAL(podrt_config_int(cfg, "kvm.vcpus", -1), 2);
        CU_ASSERT_EQUAL(podrt_config_bool(cfg, "kvm.load_modules", false), true);
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "oci.runtime", "x"), "/usr/sbin/runc");
        /* What the file does not say comes from the defaults; inside a
         * plugin's group, from the plugin's fallback. */
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "state_dir", "x"), "/run/podrt");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "kvm.hypervisor", "x"), "x");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "nspawn.binary", "x"), "x");
        char want[256];
        snprintf(want, sizeof(want), "%s/podrt-%d.conf", tmpdir, nfiles);
        CU_ASSERT_STRING_EQUAL(podrt_config_source(cfg), want);
        config_free(cfg);

        /* An empty file is the defaults. */
        cfg = load_ok("");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "backend", "x"), "oci");
        config_free(cfg);
}

static void test_syntax_error(void) {
        load_fails("backend = \"oci\";\nstate_dir = ;\n", "2: syntax error");
        load_fails("backend = \"oci\";\n\nkvm = { accel = \"tcg\";\n", "4: syntax error");
}

static void test_unknown_key(void) {
        load_fails("\nbakend = \"oci\";\n", "2: unknown setting 'bakend'");
        /* A top-level setting the core does not own must be a group: a
         * plugin's section.  (Unknown keys inside a plugin's section are
         * that plugin's config_check's: test_plugin_config_checks.) */
        load_fails("backend = \"oci\";\nkvm = \"qemu\";\n", "2: unknown setting 'kvm'");
        load_fails("acme = [ 1 ];\n", "1: unknown setting 'acme'");
}

static void test_wrong_type(void) {
        load_fails("backend = 3;\n", "1: backend: must be a string");
        load_fails("plugin_path = 5;\n", "1: plugin_path: must be a list of strings");
        load_fails("plugin_path = ( \"/a\",\n 7 );\n", "2: plugin_path[1]: must be a string");
        load_fails("plugins = { foo = 1; };\n", "1: plugins.foo: must be a group ({ ... })");
        load_fails("plugins = 1;\n", "1: plugins: must be a group ({ ... })");
}

static void test_bad_values(void) {
        load_fails("log_level = \"loud\";\n",
                   "1: log_level: must be one of err, warning, notice, info, debug, not 'loud'");
        load_fails("state_dir = \"run/podrt\";\n",
                   "1: state_dir: must be an absolute path, not 'run/podrt'");
        load_fails("plugin_path = [ \"/ok\", \"lib/podrt\" ];\n",
                   "1: plugin_path[1]: must be an absolute path, not 'lib/podrt'");
        load_fails("backend = \"../evil\";\n",
                   "1: backend: '../evil' is not a plugin name ([a-z0-9][a-z0-9_-]*)");

        /* Every valid enumerated value loads. */
        struct podrt_config *cfg = load_ok("log_level = \"debug\";\n"
                                           "backend = \"my-plugin_2\";\n");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "log_level", "x"), "debug");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "backend", "x"), "my-plugin_2");
        config_free(cfg);
}

static void test_missing_file(void) {
        struct podrt_error *err = NULL;
        struct podrt_config *cfg = (struct podrt_config *)&nfiles;
        char path[256];
        snprintf(path, sizeof(path), "%s/absent.conf", tmpdir);
        CU_ASSERT_EQUAL(config_load(path, &cfg, &err), -ENOENT);
        CU_ASSERT_PTR_EQUAL(cfg, (struct podrt_config *)&nfiles);
        char want[400];
        snprintf(want, sizeof(want), "%s: No such file or directory", path);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), want);
        err = podrt_error_free(err);

        /* A folder is not a configuration file. */
        CU_ASSERT_EQUAL(config_load(tmpdir, &cfg, &err), -EISDIR);
        ASSERT_CONTAINS(podrt_error_message(err), tmpdir);
        err = podrt_error_free(err);

        /* Neither is a FIFO: refused at once, never waited on. */
        snprintf(path, sizeof(path), "%s/fifo.conf", tmpdir);
        CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
        time_t t0 = time(NULL);
        CU_ASSERT_EQUAL(config_load(path, &cfg, &err), -EINVAL);
        CU_ASSERT(time(NULL) - t0 <= 1);
        snprintf(want, sizeof(want), "%s: not a regular file", path);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), want);
        err = podrt_error_free(err);
        unlink(path);

        /* Nor 10 MB of anything: refused before libconfig reads it. */
        snprintf(path, sizeof(path), "%s/big.conf", tmpdir);
        FILE *f = fopen(path, "we");
        CU_ASSERT_FATAL(f != NULL);
        for (int i = 0; i < 10 * 1024; i++)
                fprintf(f, "%01023d\n", 0);
        fclose(f);
        t0 = time(NULL);
        CU_ASSERT_EQUAL(config_load(path, &cfg, &err), -EFBIG);
        CU_ASSERT(time(NULL) - t0 <= 1);
        snprintf(want, sizeof(want), "%s: larger than 256 KiB, not a configuration file", path);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), want);
        podrt_error_free(err);
        unlink(path);
}

static void test_env_config(void) {
        const char *path = write_conf("backend = \"nspawn\";\n");
        char copy[256];
        snprintf(copy, sizeof(copy), "%s", path);
        setenv("PODRT_CONFIG", copy, 1);
        struct podrt_error *err = NULL;
        struct podrt_config *cfg = NULL;
        CU_ASSERT_EQUAL_FATAL(config_load(NULL, &cfg, &err), 0);
        CU_ASSERT_STRING_EQUAL(podrt_config_source(cfg), copy);
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "backend", "x"), "nspawn");
        config_free(cfg);
        cfg = NULL;

        /* An explicit path beats $PODRT_CONFIG. */
        const char *other = write_conf("backend = \"kvm\";\n");
        CU_ASSERT_EQUAL_FATAL(config_load(other, &cfg, &err), 0);
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "backend", "x"), "kvm");
        config_free(cfg);
        cfg = NULL;

        /* $PODRT_CONFIG naming a missing file is an error naming it. */
        snprintf(copy, sizeof(copy), "%s/gone.conf", tmpdir);
        setenv("PODRT_CONFIG", copy, 1);
        CU_ASSERT_EQUAL(config_load(NULL, &cfg, &err), -ENOENT);
        CU_ASSERT_PTR_NULL(cfg);
        ASSERT_CONTAINS(podrt_error_message(err), copy);
        podrt_error_free(err);
        unsetenv("PODRT_CONFIG");
}

static void test_plugin_path_env(void) {
        char *saved = getenv("PODRT_PLUGIN_PATH") ? strdup(getenv("PODRT_PLUGIN_PATH")) : NULL;
        setenv("PODRT_PLUGIN_PATH", "/first::/second:", 1);

        struct podrt_error *err = NULL;
        struct podrt_config *cfg = NULL;
        CU_ASSERT_EQUAL_FATAL(config_defaults(&cfg, &err), 0);
        const char *const want1[] = { "/first", "/second", PODRT_PLUGINDIR, NULL };
        CU_ASSERT(strv_equal(config_plugin_path(cfg), want1));
        config_free(cfg);

        cfg = load_ok("plugin_path = ( \"/opt/a\", \"/opt/b\" );\n");
        const char *const want2[] = { "/first", "/second", "/opt/a", "/opt/b", NULL };
        CU_ASSERT(strv_equal(config_plugin_path(cfg), want2));
        /* The setting itself is untouched by the environment. */
        const char *const want3[] = { "/opt/a", "/opt/b", NULL };
        CU_ASSERT(strv_equal(podrt_config_strings(cfg, "plugin_path"), want3));
        config_free(cfg);

        unsetenv("PODRT_PLUGIN_PATH");
        cfg = load_ok("plugin_path = \"/only\";\n");
        const char *const want4[] = { "/only", NULL };
        CU_ASSERT(strv_equal(config_plugin_path(cfg), want4));
        config_free(cfg);

        if (saved)
                setenv("PODRT_PLUGIN_PATH", saved, 1);
        free(saved);
}

static void test_is_set(void) {
        struct podrt_config *cfg = load_ok("kvm = { accel = \"tcg\"; };\nnetwork = \"host\";\n");
        CU_ASSERT_EQUAL(podrt_config_is_set(cfg, "kvm.accel"), 1);
        CU_ASSERT_EQUAL(podrt_config_is_set(cfg, "network"), 1);
        CU_ASSERT_EQUAL(podrt_config_is_set(cfg, "kvm"), 1);
        CU_ASSERT_EQUAL(podrt_config_is_set(cfg, "kvm.hypervisor"), 0);
        CU_ASSERT_EQUAL(podrt_config_is_set(cfg, "backend"), 0);
        CU_ASSERT_EQUAL(podrt_config_is_set(cfg, "nope"), 0);
        config_free(cfg);
}

static void test_strings_forms(void) {
        struct podrt_config *cfg = load_ok("hooks = { dirs = ( \"/l1\", \"/l2\" ); };\n");
        const char *const list[] = { "/l1", "/l2", NULL };
        const char *const *v = podrt_config_strings(cfg, "hooks.dirs");
        CU_ASSERT(strv_equal(v, list));
        /* The same vector again: owned by the config. */
        CU_ASSERT_PTR_EQUAL(podrt_config_strings(cfg, "hooks.dirs"), v);
        config_free(cfg);

        cfg = load_ok("hooks = { dirs = [ \"/a1\", \"/a2\", \"/a3\" ]; };\n");
        const char *const array[] = { "/a1", "/a2", "/a3", NULL };
        CU_ASSERT(strv_equal(podrt_config_strings(cfg, "hooks.dirs"), array));
        config_free(cfg);

        cfg = load_ok("hooks = { dirs = \"/one\"; };\n");
        const char *const one[] = { "/one", NULL };
        CU_ASSERT(strv_equal(podrt_config_strings(cfg, "hooks.dirs"), one));
        config_free(cfg);

        /* An empty list is no hook folders at all, not the defaults. */
        cfg = load_ok("hooks = { dirs = [ ]; };\n");
        const char *const none[] = { NULL };
        CU_ASSERT(strv_equal(podrt_config_strings(cfg, "hooks.dirs"), none));
        config_free(cfg);
}

static void test_plugins_free_form(void) {
        struct podrt_config *cfg = load_ok("plugins = {\n"
                                           "  acme-net = { bridge = \"br0\"; mtu = 1400;\n"
                                           "               verbose = true; peers = [ \"a\", \"b\" ];\n"
                                           "               nested = { deep = \"yes\"; }; };\n"
                                           "  other = { };\n"
                                           "};\n");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "plugins.acme-net.bridge", "x"), "br0");
        CU_ASSERT_EQUAL(podrt_config_int(cfg, "plugins.acme-net.mtu", 0), 1400);
        CU_ASSERT_EQUAL(podrt_config_bool(cfg, "plugins.acme-net.verbose", false), true);
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "plugins.acme-net.nested.deep", "x"), "yes");
        const char *const peers[] = { "a", "b", NULL };
        CU_ASSERT(strv_equal(podrt_config_strings(cfg, "plugins.acme-net.peers"), peers));
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "plugins.other.bridge", "fb"), "fb");
        CU_ASSERT_EQUAL(podrt_config_is_set(cfg, "plugins.acme-net.mtu"), 1);
        config_free(cfg);
}

static void test_plugin_sections(void) {
        /* Any group the core does not own loads: it is a plugin's section,
         * which that plugin's config_check validates when it is loaded. */
        struct podrt_config *cfg = load_ok("oci = { runtime = \"bin/runc\"; };\n"
                                           "acme = { anything = 1; deep = { x = true; }; };\n"
                                           "plugins = { thing = { a = 1; }; };\n");
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "oci.runtime", "x"), "bin/runc");
        CU_ASSERT_EQUAL(podrt_config_int(cfg, "acme.anything", 0), 1);
        char **sections = config_plugin_sections(cfg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sections);
        const char *const want[] = { "oci", "acme", "plugins.thing", NULL };
        CU_ASSERT(strv_equal((const char *const *)sections, want));
        strv_free(sections);
        config_free(cfg);

        /* Without a file: none. */
        CU_ASSERT_EQUAL_FATAL(config_defaults(&cfg, NULL), 0);
        sections = config_plugin_sections(cfg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sections);
        CU_ASSERT_PTR_NULL(sections[0]);
        strv_free(sections);
        config_free(cfg);
}

/* The accessors a plugin's config_check uses (ABI 1.1). */
static void test_config_check_accessors(void) {
        struct podrt_config *cfg = load_ok("acme = {\n"
                                           "  name = \"x\";\n"
                                           "  count = 3;\n"
                                           "  big = 10000000000L;\n"
                                           "  on = true;\n"
                                           "  ratio = 0.5;\n"
                                           "  list = ( \"a\",\n"
                                           "           7 );\n"
                                           "  array = [ 1, 2 ];\n"
                                           "  sub = { };\n"
                                           "};\n");
        const char *path = podrt_config_source(cfg);
        const char *const keys[] = { "name", "count", "big", "on", "ratio", "list", "array", "sub", NULL };
        const char *const *k = podrt_config_keys(cfg, "acme");
        CU_ASSERT(strv_equal(k, keys));
        CU_ASSERT_PTR_EQUAL(podrt_config_keys(cfg, "acme"), k);   /* owned by cfg */
        const char *const none[] = { NULL };
        CU_ASSERT(strv_equal(podrt_config_keys(cfg, "acme.sub"), none));
        CU_ASSERT_PTR_NULL(podrt_config_keys(cfg, "nope"));
        CU_ASSERT_PTR_NULL(podrt_config_keys(cfg, "acme.name"));   /* not a group */
        const char *const top[] = { "acme", NULL };
        CU_ASSERT(strv_equal(podrt_config_keys(cfg, ""), top));

        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme"), PODRT_CONFIG_GROUP);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.name"), PODRT_CONFIG_STRING);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.count"), PODRT_CONFIG_INT);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.big"), PODRT_CONFIG_INT);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.on"), PODRT_CONFIG_BOOL);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.ratio"), PODRT_CONFIG_FLOAT);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.list"), PODRT_CONFIG_LIST);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.array"), PODRT_CONFIG_LIST);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.sub"), PODRT_CONFIG_GROUP);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.gone"), PODRT_CONFIG_ABSENT);
        /* A list's elements, as "list[N]" (libconfig's own "list.[N]" too). */
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.list[0]"), PODRT_CONFIG_STRING);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.list[1]"), PODRT_CONFIG_INT);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.list.[1]"), PODRT_CONFIG_INT);
        CU_ASSERT_EQUAL(podrt_config_kind(cfg, "acme.list[2]"), PODRT_CONFIG_ABSENT);
        CU_ASSERT_STRING_EQUAL(podrt_config_string(cfg, "acme.list[0]", "x"), "a");
        CU_ASSERT_EQUAL(podrt_config_int(cfg, "acme.array[1]", 0), 2);

        /* "FILE:LINE: PATH: message", at the setting's own line... */
        struct podrt_error *err = NULL;
        char want[512];
        CU_ASSERT_EQUAL(podrt_config_error(cfg, "acme.count", &err, "must be %s", "odd"), -EINVAL);
        snprintf(want, sizeof(want), "%s:3: acme.count: must be odd", path);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), want);
        CU_ASSERT_EQUAL(podrt_error_code(err), EINVAL);
        err = podrt_error_free(err);
        /* ...a list element's... */
        podrt_config_error(cfg, "acme.list[1]", &err, "must be a string");
        snprintf(want, sizeof(want), "%s:8: acme.list[1]: must be a string", path);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), want);
        err = podrt_error_free(err);
        /* ...its group's, when the file does not set it... */
        podrt_config_error(cfg, "acme.gone", &err, "is required");
        snprintf(want, sizeof(want), "%s:1: acme.gone: is required", path);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), want);
        err = podrt_error_free(err);
        podrt_config_error(cfg, "acme.list[5]", &err, "is missing");
        snprintf(want, sizeof(want), "%s:7: acme.list[5]: is missing", path);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), want);
        err = podrt_error_free(err);
        /* ...the file alone, when not even the group is there. */
        podrt_config_error(cfg, "other.key", &err, "is required");
        snprintf(want, sizeof(want), "%s: other.key: is required", path);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), want);
        err = podrt_error_free(err);
        config_free(cfg);

        CU_ASSERT_EQUAL_FATAL(config_defaults(&cfg, NULL), 0);
        CU_ASSERT_PTR_NULL(podrt_config_keys(cfg, "plugins"));   /* the file's keys only */
        podrt_config_error(cfg, "acme.key", &err, "is required");
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), "(defaults): acme.key: is required");
        err = podrt_error_free(err);
        config_free(cfg);
}

/* Loads the plugin name (from the build tree) with the configuration text:
 * NULL when it loads, else its error message (static storage). */
static const char *plugin_load_error(const char *name, const char *text) {
        static char msg[1024];
        struct podrt_config *cfg = load_ok(text);
        const char *build = getenv("PODRT_BUILD_DIR");
        CU_ASSERT_PTR_NOT_NULL_FATAL(build);
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/plugins/%s", build, name);
        const char *const dirs[] = { dir, NULL };
        struct loader *l = NULL;
        struct podrt_error *err = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_new(dirs, cfg, tmpdir, tmpdir, PODRT_LOG_ERR, &l, &err), 0);
        struct plugin *p = NULL;
        int r = loader_load(l, name, &p, &err);
        const char *result = NULL;
        if (r < 0) {
                snprintf(msg, sizeof(msg), "%s", podrt_error_message(err));
                result = msg;
        }
        podrt_error_free(err);
        loader_free(l);
        config_free(cfg);
        return result;
}

/* Expects the plugin's config_check to refuse text with exactly
 * "<file>:<expected>". */
static void plugin_refuses(const char *name, const char *text, const char *expected) {
        const char *msg = plugin_load_error(name, text);
        char want[1024];
        snprintf(want, sizeof(want), "%s/podrt-%d.conf:%s", tmpdir, nfiles, expected);
        if (!msg || strcmp(msg, want) != 0)
                fprintf(stderr, "expected \"%s\"\n     got \"%s\"\n", want, msg ? msg : "(loaded)");
        CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
        CU_ASSERT_STRING_EQUAL(msg, want);
}

static void plugin_accepts(const char *name, const char *text) {
        const char *msg = plugin_load_error(name, text);
        if (msg)
                fprintf(stderr, "unexpected error: %s\n", msg);
        CU_ASSERT_PTR_NULL(msg);
}

/* The sections of the plugins in this tree, each checked by its plugin's
 * config_check when the loader loads it (the messages the core gave
 * before the sections moved). */
static void test_plugin_config_checks(void) {
        plugin_refuses("oci", "oci = { runtime = \"bin/runc\"; };\n",
                       "1: oci.runtime: must be auto, crun, runc or an absolute path, not 'bin/runc'");
        plugin_refuses("oci", "oci = {\n runtime = 5;\n};\n", "2: oci.runtime: must be a string");
        plugin_refuses("oci", "oci = { runtime = \"\"; };\n",
                       "1: oci.runtime: must be auto, crun, runc or an absolute path, not ''");
        plugin_refuses("oci", "oci = {\n  runtime = \"runc\";\n  runtim = \"crun\";\n};\n",
                       "3: oci.runtim: unknown setting (oci knows: runtime)");
        plugin_accepts("oci", "oci = { runtime = \"crun\"; };\n");
        plugin_accepts("oci", "oci = { runtime = \"/usr/sbin/runc\"; };\n");
        plugin_accepts("oci", "oci = { runtime = \"auto\"; };\n");
        plugin_accepts("oci", "oci = { };\n");
        plugin_accepts("oci", "");

        plugin_refuses("nspawn", "nspawn = { binary = \"\"; };\n", "1: nspawn.binary: must not be empty");
        plugin_refuses("nspawn", "nspawn = { binary = true; };\n", "1: nspawn.binary: must be a string");
        plugin_refuses("nspawn", "nspawn = { bin = \"x\"; };\n",
                       "1: nspawn.bin: unknown setting (nspawn knows: binary)");
        plugin_accepts("nspawn", "nspawn = { binary = \"/usr/bin/systemd-nspawn\"; };\n");

        plugin_refuses("hooks", "hooks = { dir = [ \"/x\" ]; };\n",
                       "1: hooks.dir: unknown setting (hooks knows: dirs)");
        plugin_refuses("hooks", "hooks = { dirs = ( \"/a\",\n 7 ); };\n",
                       "2: hooks.dirs[1]: must be a string");
        plugin_refuses("hooks", "hooks = { dirs = 5; };\n", "1: hooks.dirs: must be a list of strings");
        plugin_refuses("hooks", "hooks = { dirs = [ \"\" ]; };\n", "1: hooks.dirs[0]: must not be empty");
        plugin_refuses("hooks", "hooks = { dirs = \"\"; };\n", "1: hooks.dirs: must not be empty");
        char text[512];
        snprintf(text, sizeof(text), "hooks = { dirs = [ \"%s\" ]; };\n", tmpdir);
        plugin_accepts("hooks", text);
        snprintf(text, sizeof(text), "hooks = { dirs = \"%s\"; };\n", tmpdir);
        plugin_accepts("hooks", text);
        plugin_accepts("hooks", "hooks = { dirs = [ ]; };\n");
}

static int suite_init(void) {
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_cleanup(void) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        return system(cmd) == 0 ? 0 : -1;
}

void register_tests(void) {
        CU_pSuite s = add_suite("config", suite_init, suite_cleanup);
        ADD_TEST(s, test_defaults);
        ADD_TEST(s, test_default_path);
        ADD_TEST(s, test_file_over_defaults);
        ADD_TEST(s, test_syntax_error);
        ADD_TEST(s, test_unknown_key);
        ADD_TEST(s, test_wrong_type);
        ADD_TEST(s, test_bad_values);
        ADD_TEST(s, test_missing_file);
        ADD_TEST(s, test_env_config);
        ADD_TEST(s, test_plugin_path_env);
        ADD_TEST(s, test_is_set);
        ADD_TEST(s, test_strings_forms);
        ADD_TEST(s, test_plugins_free_form);
        ADD_TEST(s, test_plugin_sections);
        ADD_TEST(s, test_config_check_accessors);
        ADD_TEST(s, test_plugin_config_checks);
}
