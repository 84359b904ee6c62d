/* SPDX-License-Identifier: Apache-2.0 */
/* The plugin loader, through libpodrt: the mock plugin (build/tests/mock),
 * the broken ones (build/tests/broken), builtins, and every refusal with its
 * errno and its message.  Also the mock backend itself, on a real pod. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit-main.h"
#include "errors.h"
#include "loader.h"
#include "manifest.h"
#include "pod.h"

static char mock_dir[PATH_MAX];
static char broken_dir[PATH_MAX];

/* ---- helpers ------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void rm_rf(const char *path) {
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *make_tmpdir(void) {
        char *t = strdup("/tmp/podrt-test-loader-XXXXXX");
        CU_ASSERT_FATAL(t && mkdtemp(t));
        return t;
}

static char *path_join(const char *a, const char *b) {
        char *p = NULL;
        CU_ASSERT_FATAL(asprintf(&p, "%s/%s", a, b) >= 0);
        return p;
}

static void copy_file(const char *from, const char *to, mode_t mode) {
        int in = open(from, O_RDONLY | O_CLOEXEC);
        CU_ASSERT_FATAL(in >= 0);
        int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        CU_ASSERT_FATAL(out >= 0);
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                CU_ASSERT_FATAL(write(out, buf, (size_t)n) == n);
        close(in);
        close(out);
        CU_ASSERT_FATAL(chmod(to, mode) == 0);
}

static void write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
        close(fd);
}

/* The file's text ("" when missing), malloc'd. */
static char *read_text(const char *path) {
        FILE *f = fopen(path, "re");
        char *s = calloc(1, 65536);
        CU_ASSERT_FATAL(s != NULL);
        if (f) {
                size_t n = fread(s, 1, 65535, f);
                s[n] = '\0';
                fclose(f);
        }
        return s;
}

static struct loader *new_loader(const char *d1, const char *d2) {
        const char *dirs[] = { d1, d2, NULL };
        struct loader *l = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_FATAL(loader_new(dirs, NULL, "/run/podrt-test", "/usr/lib/podrt-test",
                                   PODRT_LOG_WARNING, &l, &e) == 0);
        CU_ASSERT_FATAL(l != NULL);
        return l;
}

/* Loads name from dir and expects errnum and the exact message. */
static void expect_refusal(const char *dir, const char *name, int errnum, const char *message) {
        _cleanup_(loader_freep) struct loader *l = new_loader(dir, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = (struct plugin *)0x1;
        int r = loader_load(l, name, &p, &e);
        CU_ASSERT_EQUAL(r, -errnum);
        CU_ASSERT_PTR_EQUAL(p, (struct plugin *)0x1);   /* untouched */
        CU_ASSERT_PTR_NOT_NULL(e);
        if (!e)
                return;         /* not fatal: the caller removes its files */
        CU_ASSERT_EQUAL(podrt_error_code(e), errnum);
        if (strcmp(podrt_error_message(e), message) != 0)
                fprintf(stderr, "\nexpected: %s\n     got: %s\n", message,
                        podrt_error_message(e));
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), message);
}

static void expect_broken(const char *name, int errnum, const char *reason) {
        char message[PATH_MAX + 256];
        snprintf(message, sizeof(message), "%s/%s.so: %s", broken_dir, name, reason);
        expect_refusal(broken_dir, name, errnum, message);
}

/* ---- loading the mock --------------------------------------------------- */

static void test_load_mock(void) {
        _cleanup_(loader_freep) struct loader *l = new_loader("/nonexistent-podrt-dir", mock_dir);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL, *again = NULL;

        CU_ASSERT_EQUAL_FATAL(loader_load(l, "mock", &p, &e), 0);
        CU_ASSERT_PTR_NULL(e);
        CU_ASSERT_STRING_EQUAL(plugin_name(p), "mock");
        char *expected = path_join(mock_dir, "mock.so");
        CU_ASSERT_STRING_EQUAL(plugin_path(p), expected);
        free(expected);
        CU_ASSERT_STRING_EQUAL(plugin_desc(p)->version, "1.0");
        CU_ASSERT_PTR_NOT_NULL(plugin_pod_ops(p));
        CU_ASSERT_PTR_NOT_NULL(plugin_container_ops(p));
        CU_ASSERT_PTR_NULL(plugin_hypervisor_ops(p));
        CU_ASSERT_PTR_NULL(plugin_network_ops(p));
        CU_ASSERT_PTR_NULL(plugin_storage_ops(p));
        CU_ASSERT_PTR_NULL(plugin_hook_ops(p));
        CU_ASSERT_PTR_NULL(plugin_pod_ops(p)->stop);   /* documented: absent */

        /* Loading twice returns the same plugin. */
        CU_ASSERT_EQUAL(loader_load(l, "mock", &again, &e), 0);
        CU_ASSERT_PTR_EQUAL(again, p);
}

static void test_plugin_path_env(void) {
        /* meson's test environment points PODRT_PLUGIN_PATH at the mock. */
        const char *env = getenv("PODRT_PLUGIN_PATH");
        CU_ASSERT_PTR_NOT_NULL_FATAL(env);
        ASSERT_CONTAINS(env, "tests/mock");
}

static void test_fini_reverse_order(void) {
        char *tmp = make_tmpdir();
        char *log = path_join(tmp, "plugins.log");
        setenv("PODRT_MOCK_PLUGIN_LOG", log, 1);

        struct loader *l = new_loader(mock_dir, broken_dir);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL(loader_load(l, "mock", &p, &e), 0);
        CU_ASSERT_EQUAL(loader_load(l, "null-ops", &p, &e), 0);
        CU_ASSERT_EQUAL(loader_load(l, "mock", &p, &e), 0);   /* no second init */
        CU_ASSERT_PTR_NULL(loader_free(l));
        CU_ASSERT_PTR_NULL(loader_free(NULL));
        unsetenv("PODRT_MOCK_PLUGIN_LOG");

        char *text = read_text(log);
        CU_ASSERT_STRING_EQUAL(text, "init mock\ninit null-ops\nfini null-ops\nfini mock\n");
        free(text);
        free(log);
        rm_rf(tmp);
        free(tmp);
}

/* ---- refusals ----------------------------------------------------------- */

static void test_not_found(void) {
        char message[2 * PATH_MAX];
        snprintf(message, sizeof(message),
                 "plugin 'nope' not found (searched: /nonexistent-podrt-dir, %s)", mock_dir);
        _cleanup_(loader_freep) struct loader *l = new_loader("/nonexistent-podrt-dir", mock_dir);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL(loader_load(l, "nope", &p, &e), -ENOENT);
        CU_ASSERT_PTR_NULL(p);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), message);
}

static void test_not_found_one_dir(void) {
        expect_refusal("/nonexistent-podrt-dir", "nope", ENOENT,
                       "plugin 'nope' not found (searched: /nonexistent-podrt-dir)");
}

static void test_not_found_no_dirs(void) {
        expect_refusal(NULL, "nope", ENOENT,
                       "plugin 'nope' not found (searched: no plugin directories)");
}

static void test_bad_names(void) {
        expect_refusal(mock_dir, "", EINVAL, "invalid plugin name '': the name is empty");
        expect_refusal(mock_dir, "../mock/mock", EINVAL,
                       "invalid plugin name '../mock/mock': a name cannot contain '/'");
        expect_refusal(mock_dir, "/tmp/x", EINVAL,
                       "invalid plugin name '/tmp/x': a name cannot contain '/'");
}

static void test_not_regular(void) {
        char *tmp = make_tmpdir();
        char *dir = path_join(tmp, "x.so");
        char *fifo = path_join(tmp, "y.so");
        CU_ASSERT_FATAL(mkdir(dir, 0755) == 0);
        CU_ASSERT_FATAL(mkfifo(fifo, 0644) == 0);

        char message[PATH_MAX + 64];
        snprintf(message, sizeof(message), "%s: not a regular file", dir);
        expect_refusal(tmp, "x", EBADF, message);
        snprintf(message, sizeof(message), "%s: not a regular file", fifo);
        expect_refusal(tmp, "y", EBADF, message);

        free(dir);
        free(fifo);
        rm_rf(tmp);
        free(tmp);
}

static void test_world_writable_file(void) {
        char *tmp = make_tmpdir();
        char *src = path_join(mock_dir, "mock.so");
        char *dst = path_join(tmp, "mock.so");
        copy_file(src, dst, 0666);

        char message[PATH_MAX + 64];
        snprintf(message, sizeof(message), "%s: world-writable, refusing to load it", dst);
        expect_refusal(tmp, "mock", EPERM, message);

        /* The same file, no longer world-writable, loads. */
        CU_ASSERT_FATAL(chmod(dst, 0644) == 0);
        _cleanup_(loader_freep) struct loader *l = new_loader(tmp, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL(loader_load(l, "mock", &p, &e), 0);
        CU_ASSERT_STRING_EQUAL(plugin_path(p), dst);

        free(src);
        free(dst);
        rm_rf(tmp);
        free(tmp);
}

static void test_world_writable_dir(void) {
        char *tmp = make_tmpdir();
        char *src = path_join(mock_dir, "mock.so");
        char *dst = path_join(tmp, "mock.so");
        copy_file(src, dst, 0644);
        CU_ASSERT_FATAL(chmod(tmp, 0777) == 0);

        char message[2 * PATH_MAX];
        snprintf(message, sizeof(message),
                 "%s: its directory %s is world-writable, refusing to load it", dst, tmp);
        expect_refusal(tmp, "mock", EPERM, message);

        free(src);
        free(dst);
        rm_rf(tmp);
        free(tmp);
}

static void test_not_elf(void) {
        char *tmp = make_tmpdir();
        char *f = path_join(tmp, "garbage.so");
        write_file(f, "this is not a shared object, only text that is long enough\n"
                      "to be more than an ELF header's worth of bytes, surely, yes.\n");

        _cleanup_(loader_freep) struct loader *l = new_loader(tmp, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL(loader_load(l, "garbage", &p, &e), -ELIBBAD);
        char prefix[PATH_MAX + 32];
        snprintf(prefix, sizeof(prefix), "%s: cannot load: ", f);
        ASSERT_CONTAINS(podrt_error_message(e), prefix);
        ASSERT_CONTAINS(podrt_error_message(e), "invalid ELF header");

        free(f);
        rm_rf(tmp);
        free(tmp);
}

static void test_no_entry(void) {
        expect_broken("no-entry", ENOSYS, "no podrt_plugin_entry symbol: not a podrt plugin");
}

static void test_null_descriptor(void) {
        expect_broken("null-desc", ENOSYS, "podrt_plugin_entry() returned no descriptor");
}

static void test_abi_major(void) {
        expect_broken("abi-major", EPROTO, "built for ABI 2.x, podrt has 1.2");
}

static void test_abi_minor(void) {
        expect_broken("abi-minor", EPROTONOSUPPORT, "built for ABI 1.3, newer than podrt's 1.2");
}

static void test_short_descriptor(void) {
        expect_broken("short-desc", EMSGSIZE, "descriptor too small (96 bytes, ABI 1.0 needs 104)");
}

static void test_tiny_ops(void) {
        expect_broken("tiny-ops", EMSGSIZE,
                      "pod ops table too small (4 bytes, its header needs 8)");
}

static void test_name_mismatch(void) {
        expect_broken("misnamed", EEXIST, "the plugin calls itself 'other', not 'misnamed' as its file does");
}

static void test_init_failure(void) {
        /* init-fail's fini aborts: it must not be called for a failed init. */
        expect_refusal(broken_dir, "init-fail", EHOSTDOWN,
                       "plugin 'init-fail': cannot reach the frobnicator");
}

static void test_refusal_not_cached(void) {
        _cleanup_(loader_freep) struct loader *l = new_loader(broken_dir, NULL);
        for (int i = 0; i < 2; i++) {
                _cleanup_error_ struct podrt_error *e = NULL;
                struct plugin *p = NULL;
                CU_ASSERT_EQUAL(loader_load(l, "abi-major", &p, &e), -EPROTO);
                CU_ASSERT_PTR_NULL(p);
        }
}

/* ---- absent means unsupported ------------------------------------------- */

static void test_null_ops(void) {
        _cleanup_(loader_freep) struct loader *l = new_loader(broken_dir, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_load(l, "null-ops", &p, &e), 0);
        CU_ASSERT_PTR_NULL(plugin_pod_ops(p));
        CU_ASSERT_PTR_NULL(plugin_container_ops(p));
        CU_ASSERT_PTR_NULL(plugin_hypervisor_ops(p));
        CU_ASSERT_PTR_NULL(plugin_network_ops(p));
        CU_ASSERT_PTR_NULL(plugin_storage_ops(p));
        CU_ASSERT_PTR_NULL(plugin_hook_ops(p));

        int r = PLUGIN_CALL(p, plugin_pod_ops(p), "pod", start, &e, NULL, 0);
        CU_ASSERT_EQUAL(r, -EOPNOTSUPP);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "plugin 'null-ops' does not support pod.start");
        e = podrt_error_free(e);

        char **argv = NULL;
        r = PLUGIN_CALL(p, plugin_hypervisor_ops(p), "hypervisor", build_argv, &e, NULL, &argv);
        CU_ASSERT_EQUAL(r, -EOPNOTSUPP);
        CU_ASSERT_PTR_NULL(argv);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e),
                               "plugin 'null-ops' does not support hypervisor.build_argv");
        e = podrt_error_free(e);

        r = plugin_unsupported(p, "hooks", "run", &e);
        CU_ASSERT_EQUAL(r, -EOPNOTSUPP);
        CU_ASSERT_EQUAL(podrt_error_code(e), EOPNOTSUPP);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "plugin 'null-ops' does not support hooks.run");
}

static void test_short_ops(void) {
        _cleanup_(loader_freep) struct loader *l = new_loader(broken_dir, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_load(l, "short-ops", &p, &e), 0);
        const struct podrt_pod_ops *ops = plugin_pod_ops(p);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
        CU_ASSERT_PTR_NOT_NULL(ops->start);     /* set, but beyond the size */

        /* create is covered by the size: it is called. */
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", create, &e, NULL, 0), 0);
        CU_ASSERT_PTR_NULL(e);

        int r = PLUGIN_CALL(p, ops, "pod", start, &e, NULL, 0);
        CU_ASSERT_EQUAL(r, -EOPNOTSUPP);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "plugin 'short-ops' does not support pod.start");
}

/* ---- builtins and the host ---------------------------------------------- */

static int testnet_inits;
static int testnet_finis;
static int testnet_setups;
static int testnet_cookie;
static const struct podrt_host *testnet_host;

static int testnet_init(const struct podrt_host *host, void **ret_data, struct podrt_error **err) {
        testnet_inits++;
        testnet_host = host;
        *ret_data = &testnet_cookie;
        return 0;
}

static void testnet_fini(void *data) {
        CU_ASSERT_PTR_EQUAL(data, &testnet_cookie);
        testnet_finis++;
}

static int testnet_setup(void *data, struct podrt_pod *pod, uint64_t flags,
                         struct podrt_error **err) {
        CU_ASSERT_PTR_EQUAL(data, &testnet_cookie);
        testnet_setups++;
        return 0;
}

static const struct podrt_network_ops testnet_ops = {
        .version = PODRT_NETWORK_OPS_VERSION,
        .size = sizeof(struct podrt_network_ops),
        .setup = testnet_setup,
};

static const struct podrt_plugin testnet = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "testnet",
        .version = "0.1",
        .init = testnet_init,
        .fini = testnet_fini,
        .network = &testnet_ops,
};

static void test_builtin(void) {
        testnet_inits = testnet_finis = testnet_setups = 0;
        struct loader *l = new_loader(mock_dir, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_add_builtin(l, &testnet, &e), 0);
        CU_ASSERT_EQUAL(testnet_inits, 0);      /* not until it is used */

        struct plugin *p = NULL, *again = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_load(l, "testnet", &p, &e), 0);
        CU_ASSERT_STRING_EQUAL(plugin_name(p), "testnet");
        CU_ASSERT_STRING_EQUAL(plugin_path(p), "(builtin)");
        CU_ASSERT_PTR_EQUAL(plugin_data(p), &testnet_cookie);
        CU_ASSERT_PTR_EQUAL(plugin_network_ops(p), &testnet_ops);
        CU_ASSERT_EQUAL(loader_load(l, "testnet", &again, &e), 0);
        CU_ASSERT_PTR_EQUAL(again, p);
        CU_ASSERT_EQUAL(testnet_inits, 1);

        CU_ASSERT_EQUAL(PLUGIN_CALL(p, plugin_network_ops(p), "network", setup, &e, NULL, 0), 0);
        CU_ASSERT_EQUAL(testnet_setups, 1);
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, plugin_network_ops(p), "network", teardown, &e, NULL, 0),
                        -EOPNOTSUPP);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e),
                               "plugin 'testnet' does not support network.teardown");
        e = podrt_error_free(e);

        /* A second builtin of the same name is refused. */
        CU_ASSERT_EQUAL(loader_add_builtin(l, &testnet, &e), -EEXIST);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e),
                               "builtin plugin 'testnet': a plugin of that name is already registered");

        loader_free(l);
        CU_ASSERT_EQUAL(testnet_finis, 1);
}

static void test_builtin_before_path(void) {
        /* A builtin named like a file on the path wins; the file is then a
         * duplicate. */
        static const struct podrt_plugin fake_mock = {
                .abi_major = PODRT_ABI_MAJOR,
                .abi_minor = PODRT_ABI_MINOR,
                .size = sizeof(struct podrt_plugin),
                .name = "mock",
                .version = "builtin",
        };
        _cleanup_(loader_freep) struct loader *l = new_loader(mock_dir, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_add_builtin(l, &fake_mock, &e), 0);
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_load(l, "mock", &p, &e), 0);
        CU_ASSERT_STRING_EQUAL(plugin_desc(p)->version, "builtin");
        CU_ASSERT_STRING_EQUAL(plugin_path(p), "(builtin)");
}

static void test_builtin_refusals(void) {
        static const struct podrt_plugin major2 = {
                .abi_major = 2, .size = sizeof(struct podrt_plugin), .name = "major2",
        };
        static const struct podrt_plugin noname = {
                .abi_major = PODRT_ABI_MAJOR, .size = sizeof(struct podrt_plugin),
        };
        _cleanup_(loader_freep) struct loader *l = new_loader(NULL, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL(loader_add_builtin(l, &major2, &e), -EPROTO);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e),
                               "builtin plugin 'major2': built for ABI 2.x, podrt has 1.2");
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(loader_add_builtin(l, &noname, &e), -EINVAL);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "builtin plugin '?': descriptor has no name");
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(loader_add_builtin(l, NULL, &e), -EINVAL);
}

static int silent_fail_init(const struct podrt_host *host, void **ret_data,
                            struct podrt_error **err) {
        return -EIO;    /* and no message */
}

static void test_init_failure_without_message(void) {
        static const struct podrt_plugin silent = {
                .abi_major = PODRT_ABI_MAJOR,
                .abi_minor = PODRT_ABI_MINOR,
                .size = sizeof(struct podrt_plugin),
                .name = "silent",
                .init = silent_fail_init,
        };
        _cleanup_(loader_freep) struct loader *l = new_loader(NULL, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_add_builtin(l, &silent, &e), 0);
        CU_ASSERT_EQUAL(loader_load(l, "silent", &p, &e), -EIO);
        CU_ASSERT_PTR_NULL(p);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "plugin 'silent': init failed: Input/output error");
}

/* Runs fn with stderr going to a file; returns what it wrote. */
static char *capture_stderr(void (*fn)(const struct podrt_host *), const struct podrt_host *h) {
        char *tmp = make_tmpdir();
        char *f = path_join(tmp, "stderr");
        fflush(stderr);
        int saved = dup(STDERR_FILENO);
        int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CU_ASSERT_FATAL(saved >= 0 && fd >= 0);
        dup2(fd, STDERR_FILENO);
        close(fd);
        fn(h);
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
        char *text = read_text(f);
        free(f);
        rm_rf(tmp);
        free(tmp);
        return text;
}

static void log_some(const struct podrt_host *h) {
        h->log(h, PODRT_LOG_WARNING, "disk %d%% full", 93);
        h->log(h, PODRT_LOG_INFO, "an info line\n");
        h->log(h, PODRT_LOG_DEBUG, "a debug line, dropped");
}

static void test_host(void) {
        static const char *dirs[] = { NULL };
        struct loader *l = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        const struct podrt_config *cfg = (const struct podrt_config *)&testnet_cookie;
        CU_ASSERT_EQUAL_FATAL(loader_new(dirs, cfg, "/run/podrt-x", "/usr/lib/podrt-x",
                                         PODRT_LOG_INFO, &l, &e), 0);
        CU_ASSERT_EQUAL_FATAL(loader_add_builtin(l, &testnet, &e), 0);
        struct plugin *p = NULL;
        testnet_host = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_load(l, "testnet", &p, &e), 0);

        const struct podrt_host *h = testnet_host;
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        CU_ASSERT_EQUAL(h->version, PODRT_HOST_VERSION);
        CU_ASSERT_EQUAL(h->size, sizeof(struct podrt_host));
        CU_ASSERT_STRING_EQUAL(h->plugin_name, "testnet");
        CU_ASSERT_PTR_EQUAL(h->config, cfg);
        CU_ASSERT_STRING_EQUAL(h->state_dir, "/run/podrt-x");
        CU_ASSERT_STRING_EQUAL(h->libexec_dir, "/usr/lib/podrt-x");
        CU_ASSERT_EQUAL(h->log_level, PODRT_LOG_INFO);
        CU_ASSERT_PTR_NOT_NULL_FATAL(h->log);

        char *text = capture_stderr(log_some, h);
        CU_ASSERT_STRING_EQUAL(text, "podrt: testnet: disk 93% full\npodrt: testnet: an info line\n");
        free(text);
        loader_free(l);
}

/* ---- loader_scan -------------------------------------------------------- */

struct scan_result {
        char lines[32][PATH_MAX + 256];
        size_t n;
};

static void scan_collect(const char *path, const struct plugin *p, const struct podrt_error *error,
                         void *userdata) {
        struct scan_result *s = userdata;
        if (s->n >= 32)
                return;
        if (p)
                snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%s: ok %s", path, plugin_name(p));
        else
                snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%s: error %d %s", path,
                         podrt_error_code(error), podrt_error_message(error));
}

static void test_scan_duplicates(void) {
        char *a = make_tmpdir(), *b = make_tmpdir();
        char *src = path_join(mock_dir, "mock.so");
        char *fa = path_join(a, "mock.so"), *fb = path_join(b, "mock.so");
        copy_file(src, fa, 0644);
        copy_file(src, fb, 0644);

        _cleanup_(loader_freep) struct loader *l = new_loader(a, b);
        _cleanup_error_ struct podrt_error *e = NULL;
        static struct scan_result s;
        s.n = 0;
        CU_ASSERT_EQUAL(loader_scan(l, scan_collect, &s, &e), 2);
        CU_ASSERT_EQUAL_FATAL(s.n, 2);
        char expected[3 * PATH_MAX];
        snprintf(expected, sizeof(expected), "%s: ok mock", fa);
        CU_ASSERT_STRING_EQUAL(s.lines[0], expected);
        snprintf(expected, sizeof(expected),
                 "%s: error %d %s: a plugin named 'mock' is already loaded from %s", fb, EEXIST,
                 fb, fa);
        CU_ASSERT_STRING_EQUAL(s.lines[1], expected);

        /* loader_load finds the first, loaded already. */
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL(loader_load(l, "mock", &p, &e), 0);
        CU_ASSERT_STRING_EQUAL(plugin_path(p), fa);

        free(src);
        free(fa);
        free(fb);
        rm_rf(a);
        rm_rf(b);
        free(a);
        free(b);
}

/* A refused file first on the path shadows a good one later: `podrt plugins`
 * says so instead of listing the later one as loaded (it never is). */
static void test_scan_shadowed(void) {
        char *a = make_tmpdir(), *b = make_tmpdir();
        char *broken = path_join(broken_dir, "abi-major.so"), *src = path_join(mock_dir, "mock.so");
        char *fa = path_join(a, "mock.so"), *fb = path_join(b, "mock.so");
        copy_file(broken, fa, 0644);
        copy_file(src, fb, 0644);

        _cleanup_(loader_freep) struct loader *l = new_loader(a, b);
        _cleanup_error_ struct podrt_error *e = NULL;
        static struct scan_result s;
        s.n = 0;
        CU_ASSERT_EQUAL(loader_scan(l, scan_collect, &s, &e), 2);
        CU_ASSERT_EQUAL_FATAL(s.n, 2);
        char expected[3 * PATH_MAX];
        snprintf(expected, sizeof(expected), "%s: error %d ", fa, EPROTO);
        ASSERT_CONTAINS(s.lines[0], expected);
        snprintf(expected, sizeof(expected),
                 "%s: error %d %s: shadowed by %s, which comes first on the plugin path and is refused",
                 fb, EEXIST, fb, fa);
        CU_ASSERT_STRING_EQUAL(s.lines[1], expected);

        free(broken);
        free(src);
        free(fa);
        free(fb);
        rm_rf(a);
        rm_rf(b);
        free(a);
        free(b);
}

/* A directory on the path that loops or cannot be read is reported and
 * skipped; the rest of the path still loads. */
static void test_scan_bad_dir(void) {
        char *a = make_tmpdir();
        char *loop = path_join(a, "loop");
        CU_ASSERT_EQUAL_FATAL(symlink(loop, loop), 0);
        _cleanup_(loader_freep) struct loader *l = new_loader(loop, mock_dir);
        _cleanup_error_ struct podrt_error *e = NULL;
        static struct scan_result s;
        s.n = 0;
        int r = loader_scan(l, scan_collect, &s, &e);
        CU_ASSERT(r >= 2);
        CU_ASSERT_FATAL(s.n >= 2);
        char expected[2 * PATH_MAX];
        snprintf(expected, sizeof(expected), "%s: error %d plugin directory %s: %s (skipped)", loop,
                 ELOOP, loop, strerror(ELOOP));
        CU_ASSERT_STRING_EQUAL(s.lines[0], expected);
        char *mock = path_join(mock_dir, "mock.so");
        snprintf(expected, sizeof(expected), "%s: ok mock", mock);
        int found = 0;
        for (size_t i = 1; i < s.n; i++)
                found |= strcmp(s.lines[i], expected) == 0;
        CU_ASSERT(found);
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL(loader_load(l, "mock", &p, &e), 0);
        free(mock);
        rm_rf(a);
        free(loop);
        free(a);
}

static void test_scan_broken(void) {
        _cleanup_(loader_freep) struct loader *l = new_loader(broken_dir, "/nonexistent-podrt-dir");
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_add_builtin(l, &testnet, &e), 0);
        static struct scan_result s;
        s.n = 0;
        int r = loader_scan(l, scan_collect, &s, &e);
        CU_ASSERT_EQUAL(r, 11);        /* the builtin and the ten broken plugins */
        CU_ASSERT_EQUAL_FATAL(s.n, 11);
        CU_ASSERT_STRING_EQUAL(s.lines[0], "(builtin): ok testnet");

        /* In file-name order. */
        const char *expect[] = {
                "abi-major.so: error 71 ", "abi-minor.so: error 93 ", "init-fail.so: error 112 ",
                "misnamed.so: error 17 ", "no-entry.so: error 38 ", "null-desc.so: error 38 ",
                "null-ops.so: ok null-ops", "short-desc.so: error 90 ", "short-ops.so: ok short-ops",
                "tiny-ops.so: error 90 ",
        };
        for (size_t i = 0; i < ELEMENTSOF(expect); i++) {
                char line[PATH_MAX + 64];
                snprintf(line, sizeof(line), "%s/%s", broken_dir, expect[i]);
                ASSERT_CONTAINS(s.lines[i + 1], line);
        }
}

/* ---- the mock backend on a real pod ------------------------------------- */

static char *mock_tmp;
static char *mock_log;

static struct podrt_pod *mock_pod(const char *command_json) {
        char *rootfs = path_join(mock_tmp, "rootfs");
        mkdir(rootfs, 0755);
        free(rootfs);
        char *text = NULL;
        CU_ASSERT_FATAL(asprintf(&text,
                                 "{\"apiVersion\":\"podrt/v1\",\"kind\":\"Pod\",\"name\":\"hello\","
                                 "\"containers\":[{\"name\":\"app\",\"rootfs\":\"rootfs\","
                                 "\"command\":%s,\"env\":{\"GREETING\":\"mock\"}}]}",
                                 command_json) >= 0);
        struct pod_spec *spec = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = manifest_parse(text, strlen(text), "pod.json", mock_tmp, &spec, &e);
        if (r < 0)
                fprintf(stderr, "manifest: %s\n", podrt_error_message(e));
        CU_ASSERT_EQUAL_FATAL(r, 0);
        free(text);

        struct podrt_pod *pod = NULL;
        char *dir = path_join(mock_tmp, "pod");
        r = pod_new(spec, "0123456789abcdef0123456789abcdef", "hello", dir, "mock", "none", "dir",
                    &pod, &e);
        if (r < 0)
                fprintf(stderr, "pod_new: %s\n", podrt_error_message(e));
        CU_ASSERT_EQUAL_FATAL(r, 0);
        free(dir);
        return pod;
}

static int loader_suite_init(void);

static int mock_suite_init(void) {
        if (loader_suite_init() < 0)
                return -1;
        mock_tmp = strdup("/tmp/podrt-test-mock-XXXXXX");
        if (!mock_tmp || !mkdtemp(mock_tmp))
                return -1;
        if (asprintf(&mock_log, "%s/mock.log", mock_tmp) < 0)
                return -1;
        setenv("PODRT_MOCK_LOG", mock_log, 1);
        return 0;
}

static int mock_suite_cleanup(void) {
        unsetenv("PODRT_MOCK_LOG");
        unsetenv("PODRT_MOCK_FAIL");
        rm_rf(mock_tmp);
        free(mock_tmp);
        free(mock_log);
        return 0;
}

static int wait_exit_code(pid_t pid) {
        int status;
        if (waitpid(pid, &status, 0) != pid)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_mock_start(void) {
        _cleanup_(loader_freep) struct loader *l = new_loader(mock_dir, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_load(l, "mock", &p, &e), 0);
        unlink(mock_log);

        struct podrt_pod *pod = mock_pod("[\"/bin/sh\",\"-c\",\"echo hello from $GREETING; pwd; "
                                         "echo oops >&2; ls /proc/self/fd | wc -l; exit 3\"]");
        struct podrt_app *app = podrt_pod_app(pod, 0);
        char *out = path_join(mock_tmp, "out"), *errf = path_join(mock_tmp, "err");
        app->stdout_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        app->stderr_fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        CU_ASSERT_EQUAL_FATAL(PLUGIN_CALL(p, plugin_pod_ops(p), "pod", create, &e, pod, 0), 0);
        CU_ASSERT_EQUAL_FATAL(PLUGIN_CALL(p, plugin_pod_ops(p), "pod", start, &e, pod, 0), 0);
        close(app->stdout_fd);
        close(app->stderr_fd);
        app->stdout_fd = app->stderr_fd = -1;
        CU_ASSERT(podrt_app_pid(app) > 0);
        CU_ASSERT_EQUAL(podrt_app_state(app), PODRT_APP_RUNNING);
        CU_ASSERT_EQUAL(wait_exit_code(podrt_app_pid(app)), 3);

        char *rootfs = realpath(podrt_app_rootfs(app), NULL);
        char *expected = NULL;
        /* 0, 1, 2 and the fd ls opens to list them: a clean fd table. */
        CU_ASSERT_FATAL(asprintf(&expected, "hello from mock\n%s\n4\n", rootfs) >= 0);
        char *text = read_text(out);
        CU_ASSERT_STRING_EQUAL(text, expected);
        free(text);
        text = read_text(errf);
        CU_ASSERT_STRING_EQUAL(text, "oops\n");
        free(text);
        text = read_text(mock_log);
        CU_ASSERT_STRING_EQUAL(text, "create hello\nstart hello\n");
        free(text);

        free(expected);
        free(rootfs);
        free(out);
        free(errf);
        pod_unref(pod);
}

static void test_mock_kill_pause(void) {
        _cleanup_(loader_freep) struct loader *l = new_loader(mock_dir, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_load(l, "mock", &p, &e), 0);
        unlink(mock_log);

        struct podrt_pod *pod = mock_pod("[\"sleep\",\"30\"]");
        struct podrt_app *app = podrt_pod_app(pod, 0);
        const struct podrt_pod_ops *ops = plugin_pod_ops(p);
        CU_ASSERT_EQUAL_FATAL(PLUGIN_CALL(p, ops, "pod", start, &e, pod, 0), 0);
        pid_t pid = podrt_app_pid(app);
        CU_ASSERT_FATAL(pid > 0);

        int status = 0;
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", pause, &e, pod, 0), 0);
        CU_ASSERT_EQUAL(waitpid(pid, &status, WUNTRACED), pid);
        CU_ASSERT(WIFSTOPPED(status));
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", resume, &e, pod, 0), 0);
        CU_ASSERT_EQUAL(waitpid(pid, &status, WCONTINUED), pid);
        CU_ASSERT(WIFCONTINUED(status));
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", kill, &e, pod, SIGTERM, 0), 0);
        CU_ASSERT_EQUAL(wait_exit_code(pid), 128 + SIGTERM);

        /* stop is absent: the core falls back to kill. */
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", stop, &e, pod, 10, 0), -EOPNOTSUPP);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "plugin 'mock' does not support pod.stop");

        char *text = read_text(mock_log);
        CU_ASSERT_STRING_EQUAL(text, "start hello\npause hello\nresume hello\nkill hello\n");
        free(text);
        pod_unref(pod);
}

static void test_mock_exec(void) {
        _cleanup_(loader_freep) struct loader *l = new_loader(mock_dir, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_load(l, "mock", &p, &e), 0);
        unlink(mock_log);

        struct podrt_pod *pod = mock_pod("[\"true\"]");
        struct podrt_app *app = podrt_pod_app(pod, 0);
        const struct podrt_pod_ops *ops = plugin_pod_ops(p);
        char *marker = path_join(mock_tmp, "rootfs/marker");

        const char *const ok[] = { "/bin/sh", "-c", "echo $GREETING > marker; exit 5", NULL };
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", exec, &e, pod, app, ok, 0), 5);
        char *text = read_text(marker);
        CU_ASSERT_STRING_EQUAL(text, "mock\n");     /* app env, cwd the rootfs */
        free(text);

        const char *const missing[] = { "/nonexistent/podrt-cmd", NULL };
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", exec, &e, pod, app, missing, 0), 127);
        const char *const not_exec[] = { marker, NULL };
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", exec, &e, pod, app, not_exec, 0), 126);

        /* The same through the container ops. */
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, plugin_container_ops(p), "container", exec, &e, app, ok, 0),
                        5);

        text = read_text(mock_log);
        CU_ASSERT_STRING_EQUAL(text, "exec hello\nexec hello\nexec hello\ncontainer.exec hello\n");
        free(text);
        free(marker);
        pod_unref(pod);
}

static void test_mock_fail_on_request(void) {
        _cleanup_(loader_freep) struct loader *l = new_loader(mock_dir, NULL);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *p = NULL;
        CU_ASSERT_EQUAL_FATAL(loader_load(l, "mock", &p, &e), 0);
        unlink(mock_log);

        struct podrt_pod *pod = mock_pod("[\"true\"]");
        const struct podrt_pod_ops *ops = plugin_pod_ops(p);
        setenv("PODRT_MOCK_FAIL", "start:EIO,delete:2,state", 1);

        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", start, &e, pod, 0), -EIO);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "mock: start failed on request");
        CU_ASSERT_EQUAL(podrt_app_pid(podrt_pod_app(pod, 0)), 0);   /* nothing started */
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", delete, &e, pod, 0), -ENOENT);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "mock: delete failed on request");
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", state, &e, pod, 0), -EIO);
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", create, &e, pod, 0), 0);
        unsetenv("PODRT_MOCK_FAIL");
        CU_ASSERT_EQUAL(PLUGIN_CALL(p, ops, "pod", delete, &e, pod, 0), 0);

        char *text = read_text(mock_log);
        CU_ASSERT_STRING_EQUAL(text, "start hello\ndelete hello\nstate hello\ncreate hello\n"
                                     "delete hello\n");
        free(text);
        pod_unref(pod);
}

static void test_mock_init_failure(void) {
        setenv("PODRT_MOCK_FAIL", "init:EACCES", 1);
        expect_refusal(mock_dir, "mock", EACCES, "plugin 'mock': mock: init failed on request");
        unsetenv("PODRT_MOCK_FAIL");
}

/* ---- registration ------------------------------------------------------- */

static int loader_suite_init(void) {
        const char *build = getenv("PODRT_BUILD_DIR");
        if (!build)
                return -1;
        snprintf(mock_dir, sizeof(mock_dir), "%s/tests/mock", build);
        snprintf(broken_dir, sizeof(broken_dir), "%s/tests/broken", build);
        return 0;
}

void register_tests(void) {
        CU_pSuite s = add_suite("loader", loader_suite_init, NULL);
        ADD_TEST(s, test_plugin_path_env);
        ADD_TEST(s, test_load_mock);
        ADD_TEST(s, test_fini_reverse_order);
        ADD_TEST(s, test_not_found);
        ADD_TEST(s, test_not_found_one_dir);
        ADD_TEST(s, test_not_found_no_dirs);
        ADD_TEST(s, test_bad_names);
        ADD_TEST(s, test_not_regular);
        ADD_TEST(s, test_world_writable_file);
        ADD_TEST(s, test_world_writable_dir);
        ADD_TEST(s, test_not_elf);
        ADD_TEST(s, test_no_entry);
        ADD_TEST(s, test_null_descriptor);
        ADD_TEST(s, test_abi_major);
        ADD_TEST(s, test_abi_minor);
        ADD_TEST(s, test_short_descriptor);
        ADD_TEST(s, test_tiny_ops);
        ADD_TEST(s, test_name_mismatch);
        ADD_TEST(s, test_init_failure);
        ADD_TEST(s, test_refusal_not_cached);
        ADD_TEST(s, test_null_ops);
        ADD_TEST(s, test_short_ops);
        ADD_TEST(s, test_builtin);
        ADD_TEST(s, test_builtin_before_path);
        ADD_TEST(s, test_builtin_refusals);
        ADD_TEST(s, test_init_failure_without_message);
        ADD_TEST(s, test_host);
        ADD_TEST(s, test_scan_duplicates);
        ADD_TEST(s, test_scan_broken);
        ADD_TEST(s, test_scan_shadowed);
        ADD_TEST(s, test_scan_bad_dir);

        CU_pSuite m = add_suite("mock", mock_suite_init, mock_suite_cleanup);
        ADD_TEST(m, test_mock_start);
        ADD_TEST(m, test_mock_kill_pause);
        ADD_TEST(m, test_mock_exec);
        ADD_TEST(m, test_mock_fail_on_request);
        ADD_TEST(m, test_mock_init_failure);
}
