// SPDX-License-Identifier: Apache-2.0
// The installed headers compile as C++ (g++ -Wall -Wextra -Werror
// -pedantic), and a plugin written in C++ gets the same ABI: sizes match
// what the C test (tests/test-abi.c) freezes.
#include <podrt/podrt.h>

#include <cstddef>
#include <cstdio>

namespace {

int cxx_create(void *, struct podrt_pod *, uint64_t, struct podrt_error **) { return 0; }
int cxx_start(void *, struct podrt_pod *, uint64_t, struct podrt_error **) { return 0; }
int cxx_delete(void *, struct podrt_pod *, uint64_t, struct podrt_error **) { return 0; }

struct podrt_pod_ops make_ops() {
        struct podrt_pod_ops ops = {};
        ops.version = PODRT_POD_OPS_VERSION;
        ops.size = sizeof(ops);
        ops.create = cxx_create;
        ops.start = cxx_start;
        ops.delete_ = cxx_delete;   // `delete` in C
        return ops;
}

const struct podrt_pod_ops pod_ops = make_ops();

}  // namespace

int main() {
        int bad = 0;
#define EXPECT(cond)                                                   \
        do {                                                           \
                if (!(cond)) {                                         \
                        std::fprintf(stderr, "FAILED: %s\n", #cond);   \
                        bad = 1;                                       \
                }                                                      \
        } while (0)
        EXPECT(sizeof(struct podrt_plugin) == 120);
        EXPECT(sizeof(struct podrt_host) == 72);
        EXPECT(sizeof(struct podrt_pod_ops) == 104);
        EXPECT(offsetof(struct podrt_pod_ops, delete_) == 64);
        EXPECT(sizeof(struct podrt_vm_config) == 128);
        EXPECT(sizeof(struct podrt_vm_net) == 32);
        EXPECT(pod_ops.delete_ != nullptr);
        EXPECT(PODRT_ABI_MAJOR == 1 && PODRT_ABI_MINOR == 2);
        // podrt_plugin_entry has a prototype: its type is the entry's.
        podrt_plugin_entry_fn fn = nullptr;
        EXPECT(fn == nullptr);
        EXPECT((sizeof(&podrt_plugin_entry) == sizeof(fn)));
        if (!bad)
                std::puts("1 passed, 0 failed: <podrt/podrt.h> is C++-clean");
        return bad;
}
