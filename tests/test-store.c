/* SPDX-License-Identifier: Apache-2.0 */
/* The state store: IDs, names, create/resolve/list, locks across processes,
 * atomic writes that survive SIGKILL, safe removal, the state machine. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <podrt/common.h>

#include "cunit-main.h"
#include "errors.h"
#include "store.h"

/* ---- fixtures --------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st;
        (void)ftw;
        if (type == FTW_DP)
                return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
        return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

static void rm_rf(const char *path) {
        nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Temporary folders still to remove: a fatal assertion leaves a test
 * before its teardown, the suite's cleanup removes what is left. */
static char pending[8][64];

static void pending_add(const char *path) {
        for (size_t i = 0; i < ELEMENTSOF(pending); i++)
                if (!pending[i][0]) {
                        snprintf(pending[i], sizeof(pending[i]), "%s", path);
                        return;
                }
}

static void pending_done(const char *path) {
        for (size_t i = 0; i < ELEMENTSOF(pending); i++)
                if (strcmp(pending[i], path) == 0)
                        pending[i][0] = '\0';
}

static int suite_cleanup(void) {
        for (size_t i = 0; i < ELEMENTSOF(pending); i++)
                if (pending[i][0]) {
                        rm_rf(pending[i]);
                        pending[i][0] = '\0';
                }
        return 0;
}

/* A fresh temporary root with a store opened on <tmp>/state. */
struct fixture {
        char tmp[64];
        char root[96];
        struct store *store;
};

static int fixture_setup(struct fixture *f) {
        memset(f, 0, sizeof(*f));
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/podrt-test-store-XXXXXX");
        if (!mkdtemp(f->tmp))
                return -errno;
        pending_add(f->tmp);
        snprintf(f->root, sizeof(f->root), "%s/state", f->tmp);
        _cleanup_error_ struct podrt_error *err = NULL;
        int r = store_open(f->root, &f->store, &err);
        if (r < 0)
                fprintf(stderr, "store_open: %s\n", podrt_error_message(err));
        return r;
}

static void fixture_teardown(struct fixture *f) {
        f->store = store_free(f->store);
        if (f->tmp[0]) {
                rm_rf(f->tmp);
                pending_done(f->tmp);
        }
        struct stat st;
        CU_ASSERT_EQUAL(stat(f->tmp, &st), -1);
}

#define FIXTURE(f)                                              \
        struct fixture f;                                       \
        if (fixture_setup(&f) < 0) {                            \
                CU_FAIL("cannot set up a temporary store");     \
                return;                                         \
        }

static int count_entries(const char *dir, const char *containing) {
        DIR *d = opendir(dir);
        if (!d)
                return -1;
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
                    (!containing || strstr(de->d_name, containing)))
                        n++;
        closedir(d);
        return n;
}

static int path_exists(const char *dir, const char *name) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return 0;
        struct stat st;
        return lstat(p, &st) == 0;
}

static int create_pod(struct fixture *f, const char *name, char id[POD_ID_LEN + 1]) {
        _cleanup_error_ struct podrt_error *err = NULL;
        int lock_fd = -1;
        int r = store_create(f->store, name, id, &lock_fd, &err);
        if (r < 0) {
                fprintf(stderr, "store_create(%s): %s\n", name ? name : "(null)",
                        podrt_error_message(err));
                return r;
        }
        close(lock_fd);
        return 0;
}

/* ---- IDs and names ---------------------------------------------------- */

static void test_ids(void) {
        char ids[64][POD_ID_LEN + 1];
        for (int i = 0; i < 64; i++) {
                memset(ids[i], 'X', sizeof(ids[i]));
                CU_ASSERT_EQUAL_FATAL(pod_id_new(ids[i]), 0);
                CU_ASSERT_EQUAL(strlen(ids[i]), POD_ID_LEN);
                CU_ASSERT_EQUAL(strspn(ids[i], "0123456789abcdef"), POD_ID_LEN);
                for (int j = 0; j < i; j++)
                        CU_ASSERT_STRING_NOT_EQUAL(ids[i], ids[j]);
        }
}

static void test_name_validation(void) {
        static const struct {
                const char *name;
                int valid;
        } table[] = {
                { "a", 1 },
                { "0", 1 },
                { "web", 1 },
                { "web-1", 1 },
                { "my.pod", 1 },
                { "a-", 1 },
                { "a.", 1 },
                { "1.2.3", 1 },
                { "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0", 1 }, /* 63 */
                { "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01", 0 }, /* 64 */
                { "", 0 },
                { "-a", 0 },
                { ".a", 0 },
                { ".", 0 },
                { "..", 0 },
                { "Web", 0 },
                { "we_b", 0 },
                { "a/b", 0 },
                { "a b", 0 },
                { "é", 0 },
                { "a\n", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                int got = name_is_valid(table[i].name) ? 1 : 0;
                if (got != table[i].valid)
                        fprintf(stderr, "name_is_valid(\"%s\") = %d, expected %d\n",
                                table[i].name, got, table[i].valid);
                CU_ASSERT_EQUAL(got, table[i].valid);
        }
        CU_ASSERT_FALSE(name_is_valid(NULL));
}

/* ---- create and resolve ----------------------------------------------- */

static void test_create_layout(void) {
        FIXTURE(f);
        _cleanup_error_ struct podrt_error *err = NULL;
        char id[POD_ID_LEN + 1];
        int lock_fd = -1;
        CU_ASSERT_EQUAL_FATAL(store_create(f.store, "web", id, &lock_fd, &err), 0);
        CU_ASSERT(lock_fd >= 0);
        CU_ASSERT(fcntl(lock_fd, F_GETFD) & FD_CLOEXEC);

        _cleanup_free_ char *dir = store_pod_dir(f.store, id);
        char expect[PATH_MAX];
        snprintf(expect, sizeof(expect), "%s/pods/%s", f.root, id);
        CU_ASSERT_STRING_EQUAL(dir, expect);
        CU_ASSERT_STRING_EQUAL(store_root(f.store), f.root);

        struct stat st;
        CU_ASSERT_EQUAL(stat(dir, &st), 0);
        CU_ASSERT(S_ISDIR(st.st_mode));
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0700);
        /* The pod's lock is its folder's: no file of its own. */
        CU_ASSERT(!path_exists(dir, "lock"));
        CU_ASSERT(path_exists(dir, "monitor.lock"));

        char link[PATH_MAX], target[PATH_MAX] = "";
        snprintf(link, sizeof(link), "%s/names/web", f.root);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        CU_ASSERT(n > 0);
        if (n > 0)
                target[n] = '\0';
        snprintf(expect, sizeof(expect), "../pods/%s", id);
        CU_ASSERT_STRING_EQUAL(target, expect);

        /* The returned lock is held exclusively. */
        int fd = -1;
        CU_ASSERT_EQUAL(store_lock(f.store, id, LOCK_SH | LOCK_NB, &fd, &err), -EWOULDBLOCK);
        CU_ASSERT_EQUAL(fd, -1);
        close(lock_fd);
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(store_lock(f.store, id, LOCK_SH | LOCK_NB, &fd, &err), 0);
        CU_ASSERT(fd >= 0);
        close(fd);

        /* An invalid name is refused and leaves nothing. */
        err = podrt_error_free(err);
        char id2[POD_ID_LEN + 1] = "untouched";
        lock_fd = -1;
        CU_ASSERT_EQUAL(store_create(f.store, "Bad_Name", id2, &lock_fd, &err), -EINVAL);
        ASSERT_CONTAINS(podrt_error_message(err), "invalid pod name 'Bad_Name'");
        CU_ASSERT_STRING_EQUAL(id2, "untouched");
        CU_ASSERT_EQUAL(lock_fd, -1);
        snprintf(link, sizeof(link), "%s/pods", f.root);
        CU_ASSERT_EQUAL(count_entries(link, NULL), 1);

        fixture_teardown(&f);
}

static void test_resolve(void) {
        FIXTURE(f);
        _cleanup_error_ struct podrt_error *err = NULL;
        char id[POD_ID_LEN + 1], got[POD_ID_LEN + 1];
        CU_ASSERT_EQUAL_FATAL(create_pod(&f, "web", id), 0);

        memset(got, 0, sizeof(got));
        CU_ASSERT_EQUAL(store_resolve(f.store, id, got, &err), 0);
        CU_ASSERT_STRING_EQUAL(got, id);

        memset(got, 0, sizeof(got));
        CU_ASSERT_EQUAL(store_resolve(f.store, "web", got, &err), 0);
        CU_ASSERT_STRING_EQUAL(got, id);

        char prefix[9];
        snprintf(prefix, sizeof(prefix), "%.8s", id);
        memset(got, 0, sizeof(got));
        CU_ASSERT_EQUAL(store_resolve(f.store, prefix, got, &err), 0);
        CU_ASSERT_STRING_EQUAL(got, id);
        CU_ASSERT_PTR_NULL(err);

        /* Not there. */
        strcpy(got, "untouched");
        CU_ASSERT_EQUAL(store_resolve(f.store, "nope", got, &err), -ENOENT);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), "no such pod: nope");
        CU_ASSERT_STRING_EQUAL(got, "untouched");
        err = podrt_error_free(err);

        /* A hex string that prefixes nothing. */
        char other[POD_ID_LEN + 1];
        snprintf(other, sizeof(other), "%s", id);
        other[0] = other[0] == '0' ? '1' : '0';
        CU_ASSERT_EQUAL(store_resolve(f.store, other, got, &err), -ENOENT);
        err = podrt_error_free(err);

        /* Refs with '/' are refused, even when they would lead somewhere. */
        char ref[64];
        snprintf(ref, sizeof(ref), "../pods/%s", id);
        CU_ASSERT_EQUAL(store_resolve(f.store, ref, got, &err), -EINVAL);
        ASSERT_CONTAINS(podrt_error_message(err), "contains '/'");
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(store_resolve(f.store, "", got, &err), -EINVAL);
        err = podrt_error_free(err);

        /* A name wins over a prefix: a pod named like another's prefix. */
        char id2[POD_ID_LEN + 1];
        char prefix2[5];
        snprintf(prefix2, sizeof(prefix2), "%.4s", id);
        CU_ASSERT_EQUAL_FATAL(create_pod(&f, prefix2, id2), 0);
        CU_ASSERT_EQUAL(store_resolve(f.store, prefix2, got, &err), 0);
        CU_ASSERT_STRING_EQUAL(got, id2);

        fixture_teardown(&f);
}

static void test_resolve_ambiguous(void) {
        FIXTURE(f);
        _cleanup_error_ struct podrt_error *err = NULL;
        char ids[17][POD_ID_LEN + 1];
        int count[16] = { 0 };
        int shared = -1;
        /* 17 pods: two must share a first hex digit. */
        for (int i = 0; i < 17 && shared < 0; i++) {
                CU_ASSERT_EQUAL_FATAL(create_pod(&f, NULL, ids[i]), 0);
                int digit = ids[i][0] <= '9' ? ids[i][0] - '0' : ids[i][0] - 'a' + 10;
                if (++count[digit] == 2)
                        shared = digit;
        }
        CU_ASSERT_FATAL(shared >= 0);
        char ref[2] = { "0123456789abcdef"[shared], '\0' };
        char got[POD_ID_LEN + 1] = "untouched";
        CU_ASSERT_EQUAL(store_resolve(f.store, ref, got, &err), -EINVAL);
        char expect[64];
        snprintf(expect, sizeof(expect), "pod ID prefix '%s' is ambiguous (2 pods)", ref);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), expect);
        CU_ASSERT_STRING_EQUAL(got, "untouched");
        fixture_teardown(&f);
}

static void test_duplicate_name(void) {
        FIXTURE(f);
        _cleanup_error_ struct podrt_error *err = NULL;
        char id[POD_ID_LEN + 1], id2[POD_ID_LEN + 1] = "untouched";
        CU_ASSERT_EQUAL_FATAL(create_pod(&f, "dup", id), 0);
        int lock_fd = -1;
        CU_ASSERT_EQUAL(store_create(f.store, "dup", id2, &lock_fd, &err), -EEXIST);
        char expect[128];
        snprintf(expect, sizeof(expect), "a pod named 'dup' exists already (%s)", id);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), expect);
        CU_ASSERT_STRING_EQUAL(id2, "untouched");
        CU_ASSERT_EQUAL(lock_fd, -1);

        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/pods", f.root);
        CU_ASSERT_EQUAL(count_entries(dir, NULL), 1);
        CU_ASSERT(path_exists(dir, id));
        snprintf(dir, sizeof(dir), "%s/names", f.root);
        CU_ASSERT_EQUAL(count_entries(dir, NULL), 1);
        char got[POD_ID_LEN + 1];
        CU_ASSERT_EQUAL(store_resolve(f.store, "dup", got, NULL), 0);
        CU_ASSERT_STRING_EQUAL(got, id);
        fixture_teardown(&f);
}

static void test_dangling_name_reclaimed(void) {
        FIXTURE(f);
        char id[POD_ID_LEN + 1], id2[POD_ID_LEN + 1], got[POD_ID_LEN + 1];
        CU_ASSERT_EQUAL_FATAL(create_pod(&f, "ghost", id), 0);
        /* A crash took the pod's directory but left its name. */
        _cleanup_free_ char *dir = store_pod_dir(f.store, id);
        rm_rf(dir);
        _cleanup_error_ struct podrt_error *err = NULL;
        CU_ASSERT_EQUAL(store_resolve(f.store, "ghost", got, &err), -ENOENT);
        err = podrt_error_free(err);

        CU_ASSERT_EQUAL_FATAL(create_pod(&f, "ghost", id2), 0);
        CU_ASSERT_STRING_NOT_EQUAL(id, id2);
        CU_ASSERT_EQUAL(store_resolve(f.store, "ghost", got, &err), 0);
        CU_ASSERT_STRING_EQUAL(got, id2);
        char names[PATH_MAX];
        snprintf(names, sizeof(names), "%s/names", f.root);
        CU_ASSERT_EQUAL(count_entries(names, NULL), 1);   /* no temp link left */
        fixture_teardown(&f);
}

/* Forks n children that create a pod called name at the same moment;
 * returns how many won, and counts EEXIST losers in *lost. */
static int race_create(struct fixture *f, const char *name, int n, int *lost) {
        int go[2];
        if (pipe2(go, O_CLOEXEC) < 0)
                return -1;
        pid_t pids[16];
        for (int i = 0; i < n; i++) {
                pids[i] = fork();
                if (pids[i] == 0) {
                        close(go[1]);
                        struct store *s = NULL;
                        if (store_open(f->root, &s, NULL) < 0)
                                _exit(3);
                        char c;
                        (void)!read(go[0], &c, 1);     /* wait for the start */
                        char id[POD_ID_LEN + 1];
                        int fd;
                        int r = store_create(s, name, id, &fd, NULL);
                        _exit(r == 0 ? 0 : r == -EEXIST ? 1 : 2);
                }
        }
        close(go[0]);
        usleep(20000);
        close(go[1]);
        int won = 0;
        *lost = 0;
        for (int i = 0; i < n; i++) {
                int status;
                if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status)) {
                        if (WEXITSTATUS(status) == 0)
                                won++;
                        else if (WEXITSTATUS(status) == 1)
                                (*lost)++;
                }
        }
        return won;
}

static void test_create_race(void) {
        FIXTURE(f);
        for (int round = 0; round < 10; round++) {
                char name[32];
                snprintf(name, sizeof(name), "race%d", round);
                int lost;
                int won = race_create(&f, name, 6, &lost);
                CU_ASSERT_EQUAL(won, 1);
                CU_ASSERT_EQUAL(lost, 5);

                /* The same race over a dangling link left by a crash. */
                char got[POD_ID_LEN + 1];
                CU_ASSERT_EQUAL_FATAL(store_resolve(f.store, name, got, NULL), 0);
                _cleanup_free_ char *dir = store_pod_dir(f.store, got);
                rm_rf(dir);
                won = race_create(&f, name, 6, &lost);
                CU_ASSERT_EQUAL(won, 1);
                CU_ASSERT_EQUAL(lost, 5);
        }
        /* Only the winners' pods are left: 10 rounds, each one winner left. */
        char pods[PATH_MAX];
        snprintf(pods, sizeof(pods), "%s/pods", f.root);
        CU_ASSERT_EQUAL(count_entries(pods, NULL), 10);
        snprintf(pods, sizeof(pods), "%s/names", f.root);
        CU_ASSERT_EQUAL(count_entries(pods, NULL), 10);
        fixture_teardown(&f);
}

static void test_list(void) {
        FIXTURE(f);
        _cleanup_error_ struct podrt_error *err = NULL;
        char (*ids)[POD_ID_LEN + 1] = NULL;
        size_t n = 99;
        CU_ASSERT_EQUAL(store_list(f.store, &ids, &n, &err), 0);
        CU_ASSERT_EQUAL(n, 0);
        free(ids);
        ids = NULL;

        char made[8][POD_ID_LEN + 1];
        for (int i = 0; i < 8; i++)
                CU_ASSERT_EQUAL_FATAL(create_pod(&f, NULL, made[i]), 0);

        /* Strays that are not pods: ignored. */
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/pods/not-a-pod", f.root);
        mkdir(p, 0700);
        snprintf(p, sizeof(p), "%s/pods/0123456789abcdef0123456789abcdef", f.root);
        close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
        snprintf(p, sizeof(p), "%s/pods/0123456789ABCDEF0123456789ABCDEF", f.root);
        mkdir(p, 0700);

        CU_ASSERT_EQUAL_FATAL(store_list(f.store, &ids, &n, &err), 0);
        CU_ASSERT_EQUAL(n, 8);
        for (size_t i = 1; i < n; i++)
                CU_ASSERT(strcmp(ids[i - 1], ids[i]) < 0);
        for (int i = 0; i < 8; i++) {
                int found = 0;
                for (size_t j = 0; j < n; j++)
                        found += strcmp(ids[j], made[i]) == 0;
                CU_ASSERT_EQUAL(found, 1);
        }
        free(ids);
        fixture_teardown(&f);
}

/* ---- locks across processes ------------------------------------------- */

typedef int (*lock_fn)(struct store *, const char *, int, int *, struct podrt_error **);

/* A child takes the lock with operation, says so on a pipe, and holds it
 * until the parent closes the other pipe. */
static pid_t spawn_holder(struct fixture *f, lock_fn fn, const char *id, int operation,
                          int *ret_release) {
        int ready[2], release[2];
        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(release, O_CLOEXEC) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                close(ready[0]);
                close(release[1]);
                struct store *s = NULL;
                int fd;
                if (store_open(f->root, &s, NULL) < 0 || fn(s, id, operation, &fd, NULL) < 0)
                        _exit(1);
                (void)!write(ready[1], "x", 1);
                char c;
                (void)!read(release[0], &c, 1);
                _exit(0);
        }
        close(ready[1]);
        close(release[0]);
        char c;
        if (read(ready[0], &c, 1) != 1) {
                close(ready[0]);
                close(release[1]);
                waitpid(pid, NULL, 0);
                return -1;
        }
        close(ready[0]);
        *ret_release = release[1];
        return pid;
}

static int release_holder(pid_t pid, int release_fd) {
        close(release_fd);
        int status;
        if (waitpid(pid, &status, 0) != pid)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void check_locking(lock_fn fn, const char *file) {
        FIXTURE(f);
        _cleanup_error_ struct podrt_error *err = NULL;
        char id[POD_ID_LEN + 1];
        CU_ASSERT_EQUAL_FATAL(create_pod(&f, "locky", id), 0);

        /* A child holds it exclusively: shared and exclusive both refused. */
        int release;
        pid_t pid = spawn_holder(&f, fn, id, LOCK_EX, &release);
        CU_ASSERT_FATAL(pid > 0);
        int fd = -1;
        CU_ASSERT_EQUAL(fn(f.store, id, LOCK_SH | LOCK_NB, &fd, &err), -EWOULDBLOCK);
        ASSERT_CONTAINS(podrt_error_message(err), id);
        ASSERT_CONTAINS(podrt_error_message(err), file);
        ASSERT_CONTAINS(podrt_error_message(err), "held by another process");
        CU_ASSERT_EQUAL(fd, -1);
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(fn(f.store, id, LOCK_EX | LOCK_NB, &fd, &err), -EWOULDBLOCK);
        err = podrt_error_free(err);

        /* Released when the child exits. */
        CU_ASSERT_EQUAL(release_holder(pid, release), 0);
        CU_ASSERT_EQUAL(fn(f.store, id, LOCK_SH | LOCK_NB, &fd, &err), 0);
        CU_ASSERT(fd >= 0);
        CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);

        /* Two shared locks coexist: one here, one in a child. */
        pid = spawn_holder(&f, fn, id, LOCK_SH | LOCK_NB, &release);
        CU_ASSERT(pid > 0);
        if (pid > 0) {
                int fd2 = -1;
                /* ... and an exclusive one waits for both. */
                CU_ASSERT_EQUAL(fn(f.store, id, LOCK_EX | LOCK_NB, &fd2, &err), -EWOULDBLOCK);
                err = podrt_error_free(err);
                CU_ASSERT_EQUAL(release_holder(pid, release), 0);
                close(fd);
                fd = -1;
                CU_ASSERT_EQUAL(fn(f.store, id, LOCK_EX | LOCK_NB, &fd2, &err), 0);
                if (fd2 >= 0)
                        close(fd2);
        }
        if (fd >= 0)
                close(fd);

        /* A blocking exclusive lock waits for the holder's exit. */
        pid = spawn_holder(&f, fn, id, LOCK_EX, &release);
        CU_ASSERT_FATAL(pid > 0);
        pid_t killer = fork();
        if (killer == 0) {
                usleep(100000);
                kill(pid, SIGKILL);
                _exit(0);
        }
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        fd = -1;
        CU_ASSERT_EQUAL(fn(f.store, id, LOCK_EX, &fd, &err), 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        CU_ASSERT((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) >= 80000000L);
        if (fd >= 0)
                close(fd);
        close(release);
        waitpid(pid, NULL, 0);
        waitpid(killer, NULL, 0);

        /* A pod that is gone, a bad ID, a bad operation. */
        char gone[POD_ID_LEN + 1];
        CU_ASSERT_EQUAL(pod_id_new(gone), 0);
        fd = -1;
        CU_ASSERT_EQUAL(fn(f.store, gone, LOCK_SH, &fd, &err), -ENOENT);
        char expect[64];
        snprintf(expect, sizeof(expect), "no such pod: %s", gone);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), expect);
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(fn(f.store, "../../etc", LOCK_SH, &fd, &err), -EINVAL);
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(fn(f.store, id, LOCK_UN, &fd, &err), -EINVAL);
        CU_ASSERT_EQUAL(fd, -1);
        fixture_teardown(&f);
}

static void test_lock(void) {
        check_locking(store_lock, "its lock");
}

static void test_monitor_lock(void) {
        check_locking(store_monitor_lock, "monitor.lock");
}

static void test_locks_independent(void) {
        FIXTURE(f);
        char id[POD_ID_LEN + 1];
        CU_ASSERT_EQUAL_FATAL(create_pod(&f, NULL, id), 0);
        int release;
        pid_t pid = spawn_holder(&f, store_monitor_lock, id, LOCK_EX, &release);
        CU_ASSERT_FATAL(pid > 0);
        int fd = -1;
        CU_ASSERT_EQUAL(store_lock(f.store, id, LOCK_EX | LOCK_NB, &fd, NULL), 0);
        if (fd >= 0)
                close(fd);
        CU_ASSERT_EQUAL(release_holder(pid, release), 0);
        fixture_teardown(&f);
}

/* ---- files ------------------------------------------------------------ */

static void test_write_atomic(void) {
        FIXTURE(f);
        _cleanup_error_ struct podrt_error *err = NULL;
        int dfd = open(f.tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CU_ASSERT_FATAL(dfd >= 0);

        CU_ASSERT_EQUAL(store_write_file(dfd, "state.json", "{\"v\":1}", 7, 0600, &err), 0);
        CU_ASSERT_EQUAL(store_write_file(dfd, "state.json", "{\"v\":22}\n", 9, 0644, &err), 0);
        CU_ASSERT_PTR_NULL(err);
        char *data = NULL;
        size_t len = 0;
        CU_ASSERT_EQUAL(store_read_file(dfd, "state.json", &data, &len, &err), 0);
        CU_ASSERT_EQUAL(len, 9);
        CU_ASSERT_STRING_EQUAL(data, "{\"v\":22}\n");
        free(data);
        struct stat st;
        CU_ASSERT_EQUAL(fstatat(dfd, "state.json", &st, 0), 0);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0644);
        CU_ASSERT_EQUAL(count_entries(f.tmp, ".tmp-"), 0);

        /* Empty content, a path with a folder, ret_len NULL. */
        mkdirat(dfd, "sub", 0700);
        CU_ASSERT_EQUAL(store_write_file(dfd, "sub/empty", "", 0, 0400, &err), 0);
        data = NULL;
        CU_ASSERT_EQUAL(store_read_file(dfd, "sub/empty", &data, NULL, &err), 0);
        CU_ASSERT_STRING_EQUAL(data, "");
        free(data);
        CU_ASSERT_EQUAL(fstatat(dfd, "sub/empty", &st, 0), 0);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0400);

        /* A failing rename (a folder in the way) leaves no temp file. */
        CU_ASSERT(store_write_file(dfd, "sub", "x", 1, 0600, &err) < 0);
        ASSERT_CONTAINS(podrt_error_message(err), "write sub");
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(count_entries(f.tmp, ".tmp-"), 0);
        CU_ASSERT(store_write_file(dfd, "missing/x", "x", 1, 0600, &err) < 0);
        err = podrt_error_free(err);

        /* read_file_at refuses what is not a regular file, and huge files. */
        data = (char *)"untouched";
        CU_ASSERT_EQUAL(store_read_file(dfd, "sub", &data, &len, &err), -EINVAL);
        ASSERT_CONTAINS(podrt_error_message(err), "sub: not a regular file");
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(mkfifoat(dfd, "fifo", 0600), 0);
        CU_ASSERT_EQUAL(store_read_file(dfd, "fifo", &data, &len, &err), -EINVAL);
        err = podrt_error_free(err);
        int big = openat(dfd, "big", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        CU_ASSERT(big >= 0 && ftruncate(big, 17 * 1024 * 1024) == 0);
        close(big);
        CU_ASSERT_EQUAL(store_read_file(dfd, "big", &data, &len, &err), -EFBIG);
        ASSERT_CONTAINS(podrt_error_message(err), "big");
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(store_read_file(dfd, "nothing", &data, &len, &err), -ENOENT);
        ASSERT_CONTAINS(podrt_error_message(err), "nothing");
        CU_ASSERT_STRING_EQUAL(data, "untouched");

        close(dfd);
        fixture_teardown(&f);
}

/* Version v of the crash-test file: a header with its length, a body of one
 * byte repeated, a trailer.  Sizes vary so a torn file shows. */
static char *make_version(unsigned v, size_t *ret_len) {
        size_t body = 64 * 1024 + (v % 7) * 37 * 1024;
        char head[64];
        int hl = snprintf(head, sizeof(head), "v=%08u len=%08zu\n", v, body);
        size_t len = (size_t)hl + body + 4;
        char *buf = malloc(len);
        if (!buf)
                return NULL;
        memcpy(buf, head, (size_t)hl);
        memset(buf + hl, 'a' + (int)(v % 26), body);
        memcpy(buf + hl + body, "END\n", 4);
        *ret_len = len;
        return buf;
}

/* Returns the version in data, or -1 when it is not exactly a version. */
static long check_version(const char *data, size_t len) {
        unsigned v;
        size_t body;
        if (sscanf(data, "v=%08u len=%08zu\n", &v, &body) != 2)
                return -1;
        size_t want;
        char *expect = make_version(v, &want);
        long r = expect && want == len && memcmp(expect, data, len) == 0 ? (long)v : -1;
        free(expect);
        return r;
}

static void test_write_atomic_sigkill(void) {
        FIXTURE(f);
        int dfd = open(f.tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CU_ASSERT_FATAL(dfd >= 0);
        size_t len;
        char *first = make_version(0, &len);
        CU_ASSERT_FATAL(store_write_file(dfd, "data", first, len, 0644, NULL) == 0);
        free(first);

        unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
        unsigned start = 1;
        long highest = 0;
        int torn = 0;
        for (int round = 0; round < 50; round++) {
                pid_t pid = fork();
                if (pid == 0) {
                        for (unsigned v = start;; v++) {
                                size_t l;
                                char *buf = make_version(v, &l);
                                if (!buf || store_write_file(dfd, "data", buf, l, 0644, NULL) < 0)
                                        _exit(1);
                                free(buf);
                        }
                }
                CU_ASSERT_FATAL(pid > 0);
                usleep(1000 + rand_r(&seed) % 20000);
                kill(pid, SIGKILL);
                int status;
                waitpid(pid, &status, 0);
                CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

                char *data = NULL;
                size_t dl = 0;
                CU_ASSERT_EQUAL_FATAL(store_read_file(dfd, "data", &data, &dl, NULL), 0);
                long v = check_version(data, dl);
                if (v < 0)
                        torn++;
                else if (v > highest)
                        highest = v;
                free(data);
                start += 100000;
        }
        CU_ASSERT_EQUAL(torn, 0);
        /* The writer made progress: later versions replaced the first one. */
        CU_ASSERT(highest > 0);
        close(dfd);
        fixture_teardown(&f);
}

/* ---- removal ---------------------------------------------------------- */

static void test_remove(void) {
        FIXTURE(f);
        _cleanup_error_ struct podrt_error *err = NULL;
        char id[POD_ID_LEN + 1], got[POD_ID_LEN + 1];
        CU_ASSERT_EQUAL_FATAL(create_pod(&f, "gone", id), 0);
        _cleanup_free_ char *dir = store_pod_dir(f.store, id);

        /* Outside the pod: must survive its removal. */
        char outside[PATH_MAX], keep[2 * PATH_MAX], p[2 * PATH_MAX];
        snprintf(outside, sizeof(outside), "%s/outside", f.tmp);
        snprintf(keep, sizeof(keep), "%s/keep.txt", outside);
        CU_ASSERT_EQUAL(mkdir(outside, 0755), 0);
        close(open(keep, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));

        snprintf(p, sizeof(p), "%s/apps", dir);
        CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/apps/web", dir);
        CU_ASSERT_EQUAL(mkdir(p, 0000), 0);   /* mode does not stop root */
        snprintf(p, sizeof(p), "%s/apps/web/output.log", dir);
        close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        snprintf(p, sizeof(p), "%s/apps/link-dir", dir);
        CU_ASSERT_EQUAL(symlink(outside, p), 0);
        snprintf(p, sizeof(p), "%s/apps/link-file", dir);
        CU_ASSERT_EQUAL(symlink(keep, p), 0);
        snprintf(p, sizeof(p), "%s/state.json.tmp-abcdef", dir);
        close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));

        CU_ASSERT_EQUAL(store_remove(f.store, id, "gone", &err), 0);
        CU_ASSERT_PTR_NULL(err);
        struct stat st;
        CU_ASSERT_EQUAL(lstat(dir, &st), -1);
        CU_ASSERT_EQUAL(stat(keep, &st), 0);
        CU_ASSERT(path_exists(f.tmp, "outside"));
        snprintf(p, sizeof(p), "%s/names", f.root);
        CU_ASSERT_EQUAL(count_entries(p, NULL), 0);
        CU_ASSERT_EQUAL(store_resolve(f.store, "gone", got, &err), -ENOENT);
        err = podrt_error_free(err);

        /* Missing is fine. */
        CU_ASSERT_EQUAL(store_remove(f.store, id, "gone", &err), 0);

        /* A name that points at another pod is left alone. */
        char a[POD_ID_LEN + 1], b[POD_ID_LEN + 1];
        CU_ASSERT_EQUAL_FATAL(create_pod(&f, "alpha", a), 0);
        CU_ASSERT_EQUAL_FATAL(create_pod(&f, NULL, b), 0);
        CU_ASSERT_EQUAL(store_remove(f.store, b, "alpha", &err), 0);
        CU_ASSERT_EQUAL(store_resolve(f.store, "alpha", got, &err), 0);
        CU_ASSERT_STRING_EQUAL(got, a);
        CU_ASSERT_EQUAL(store_resolve(f.store, b, got, &err), -ENOENT);
        err = podrt_error_free(err);

        /* Bad IDs never reach the file system. */
        CU_ASSERT_EQUAL(store_remove(f.store, "..", NULL, &err), -EINVAL);
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(store_remove(f.store, a, "../pods", &err), -EINVAL);
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(store_resolve(f.store, "alpha", got, &err), 0);
        fixture_teardown(&f);
}

static void test_remove_refuses_mount(void) {
        /* Our own mount namespace: nothing leaks to the host, even on failure. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                fprintf(stderr, "unshare/mount: %m (this test needs root)\n");
                CU_FAIL("cannot make a private mount namespace");
                return;
        }
        FIXTURE(f);
        _cleanup_error_ struct podrt_error *err = NULL;
        char id[POD_ID_LEN + 1], got[POD_ID_LEN + 1];
        CU_ASSERT_EQUAL_FATAL(create_pod(&f, "mounted", id), 0);
        _cleanup_free_ char *dir = store_pod_dir(f.store, id);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CU_ASSERT_EQUAL(store_write_file(dfd, "state.json", "{}", 2, 0600, NULL), 0);
        close(dfd);

        char mnt[PATH_MAX], p[2 * PATH_MAX];
        snprintf(mnt, sizeof(mnt), "%s/apps", dir);
        CU_ASSERT_EQUAL(mkdir(mnt, 0755), 0);
        snprintf(p, sizeof(p), "%s/aaa-file", mnt);      /* before the mount in readdir order? either way */
        close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        snprintf(mnt, sizeof(mnt), "%s/apps/web", dir);
        CU_ASSERT_EQUAL(mkdir(mnt, 0755), 0);
        CU_ASSERT_EQUAL_FATAL(mount("tmpfs", mnt, "tmpfs", 0, "size=1m"), 0);
        snprintf(p, sizeof(p), "%s/precious", mnt);
        close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));

        CU_ASSERT_EQUAL(store_remove(f.store, id, "mounted", &err), -EBUSY);
        ASSERT_CONTAINS(podrt_error_message(err), mnt);
        ASSERT_CONTAINS(podrt_error_message(err), "mounted");
        err = podrt_error_free(err);
        /* Nothing deleted: not through the mount, not the pod, not its name. */
        struct stat st;
        CU_ASSERT_EQUAL(stat(p, &st), 0);
        CU_ASSERT(path_exists(dir, "state.json"));
        CU_ASSERT(path_exists(dir, "monitor.lock"));
        CU_ASSERT(path_exists(dir, "apps/aaa-file"));
        CU_ASSERT_EQUAL(store_resolve(f.store, "mounted", got, &err), 0);

        /* A bind mount of the same file system is a mount too. */
        CU_ASSERT_EQUAL(umount2(mnt, MNT_DETACH), 0);
        char src[PATH_MAX];
        snprintf(src, sizeof(src), "%s/bind-src", f.tmp);
        CU_ASSERT_EQUAL(mkdir(src, 0755), 0);
        snprintf(p, sizeof(p), "%s/precious", src);
        close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        CU_ASSERT_EQUAL_FATAL(mount(src, mnt, NULL, MS_BIND, NULL), 0);
        CU_ASSERT_EQUAL(store_remove(f.store, id, "mounted", &err), -EBUSY);
        ASSERT_CONTAINS(podrt_error_message(err), mnt);
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(stat(p, &st), 0);

        /* Once unmounted, it goes. */
        CU_ASSERT_EQUAL(umount2(mnt, MNT_DETACH), 0);
        CU_ASSERT_EQUAL(store_remove(f.store, id, "mounted", &err), 0);
        CU_ASSERT_EQUAL(lstat(dir, &st), -1);
        CU_ASSERT_EQUAL(stat(p, &st), 0);     /* the bind source, outside */
        CU_ASSERT_EQUAL(store_resolve(f.store, "mounted", got, &err), -ENOENT);
        fixture_teardown(&f);
}

/* ---- the state machine ------------------------------------------------ */

static void test_state_machine(void) {
        static const int expect[4][4] = {
                /*                 created running paused stopped */
                [PODRT_POD_CREATED] = { 0, 1, 0, 1 },
                [PODRT_POD_RUNNING] = { 0, 0, 1, 1 },
                [PODRT_POD_PAUSED] = { 0, 1, 0, 1 },
                [PODRT_POD_STOPPED] = { 0, 1, 0, 0 },
        };
        for (uint32_t from = 0; from < 4; from++)
                for (uint32_t to = 0; to < 4; to++) {
                        int got = pod_state_transition_ok(from, to) ? 1 : 0;
                        if (got != expect[from][to])
                                fprintf(stderr, "%s -> %s: %d, expected %d\n",
                                        pod_state_to_string(from), pod_state_to_string(to), got,
                                        expect[from][to]);
                        CU_ASSERT_EQUAL(got, expect[from][to]);
                }
        CU_ASSERT_FALSE(pod_state_transition_ok(4, PODRT_POD_RUNNING));
        CU_ASSERT_FALSE(pod_state_transition_ok(PODRT_POD_CREATED, 4));
        CU_ASSERT_FALSE(pod_state_transition_ok(UINT32_MAX, UINT32_MAX));
}

static void test_state_strings(void) {
        static const char *const pods[] = { "created", "running", "paused", "stopped" };
        for (uint32_t i = 0; i < 4; i++) {
                CU_ASSERT_STRING_EQUAL(pod_state_to_string(i), pods[i]);
                uint32_t v = 99;
                CU_ASSERT_EQUAL(pod_state_from_string(pods[i], &v), 0);
                CU_ASSERT_EQUAL(v, i);
        }
        CU_ASSERT_EQUAL(pod_state_to_string(PODRT_POD_PAUSED)[0], 'p');
        static const char *const apps[] = { "created", "running", "exited" };
        for (uint32_t i = 0; i < 3; i++) {
                CU_ASSERT_STRING_EQUAL(app_state_to_string(i), apps[i]);
                uint32_t v = 99;
                CU_ASSERT_EQUAL(app_state_from_string(apps[i], &v), 0);
                CU_ASSERT_EQUAL(v, i);
        }
        uint32_t v = 99;
        CU_ASSERT_EQUAL(pod_state_from_string("exited", &v), -EINVAL);
        CU_ASSERT_EQUAL(pod_state_from_string("Running", &v), -EINVAL);
        CU_ASSERT_EQUAL(pod_state_from_string(NULL, &v), -EINVAL);
        CU_ASSERT_EQUAL(app_state_from_string("paused", &v), -EINVAL);
        CU_ASSERT_EQUAL(v, 99);
        CU_ASSERT_PTR_NOT_NULL(pod_state_to_string(17));
        CU_ASSERT_PTR_NOT_NULL(app_state_to_string(17));
}

/* ---- store_open ------------------------------------------------------- */

static void test_open(void) {
        char tmp[] = "/tmp/podrt-test-store-XXXXXX";
        CU_ASSERT_FATAL(mkdtemp(tmp) != NULL);
        pending_add(tmp);
        char root[PATH_MAX];
        snprintf(root, sizeof(root), "%s/a/b/state", tmp);
        _cleanup_error_ struct podrt_error *err = NULL;
        struct store *s = NULL;
        CU_ASSERT_EQUAL(store_open(root, &s, &err), 0);
        struct stat st;
        CU_ASSERT_EQUAL(stat(root, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0700);
        CU_ASSERT(path_exists(root, "pods"));
        CU_ASSERT(path_exists(root, "names"));
        s = store_free(s);

        /* A file where the root should be. */
        char file[PATH_MAX];
        snprintf(file, sizeof(file), "%s/file", tmp);
        close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        CU_ASSERT(store_open(file, &s, &err) < 0);
        ASSERT_CONTAINS(podrt_error_message(err), file);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_PTR_NULL(store_free(NULL));
        rm_rf(tmp);
        pending_done(tmp);
        CU_ASSERT_FALSE(path_exists(tmp, "."));
}

void register_tests(void) {
        CU_pSuite s = add_suite("store", NULL, suite_cleanup);
        ADD_TEST(s, test_ids);
        ADD_TEST(s, test_name_validation);
        ADD_TEST(s, test_open);
        ADD_TEST(s, test_create_layout);
        ADD_TEST(s, test_resolve);
        ADD_TEST(s, test_resolve_ambiguous);
        ADD_TEST(s, test_duplicate_name);
        ADD_TEST(s, test_dangling_name_reclaimed);
        ADD_TEST(s, test_create_race);
        ADD_TEST(s, test_list);
        ADD_TEST(s, test_lock);
        ADD_TEST(s, test_monitor_lock);
        ADD_TEST(s, test_locks_independent);
        ADD_TEST(s, test_write_atomic);
        ADD_TEST(s, test_write_atomic_sigkill);
        ADD_TEST(s, test_remove);
        ADD_TEST(s, test_remove_refuses_mount);
        ADD_TEST(s, test_state_machine);
        ADD_TEST(s, test_state_strings);
}
