/* SPDX-License-Identifier: Apache-2.0 */
/* Matching a hook's "when" against an app.
 *
 * 1.0.0: every condition given must match.
 *   always          true matches; false never does.
 *   hasBindMounts   true matches an app with at least one mount; false never
 *                   matches (podman: the condition only ever says "yes").
 *   annotations     each (key regex, value regex) pair must match one
 *                   annotation of the pod, key and value alike.
 *   commands        one of the regexes must match the app's command[0].
 * 0.1.0 files: one matching condition suffices.
 * Regexes are POSIX extended and, as in podman (Go's regexp.MatchString),
 * unanchored: "sh" matches "/bin/bash"; write "^/bin/sh$" for an exact match. */
#include <regex.h>
#include <stddef.h>

#include "match.h"

static bool regex_finds(const regex_t *re, const char *s) {
        return regexec(re, s ? s : "", 0, NULL, 0) == 0;
}

static bool annotation_pair_matches(const struct hook_when *w, size_t i,
                                    const struct match_target *t) {
        for (size_t j = 0; j < t->n_annotations; j++)
                if (regex_finds(&w->annotation_key_re[i], t->annotation_keys[j]) &&
                    regex_finds(&w->annotation_value_re[i], t->annotation_values[j]))
                        return true;
        return false;
}

int hook_match(const struct hook *h, const struct match_target *t, const char **ret_why) {
        const struct hook_when *w = &h->when;
        const char *why = NULL;
        int matched = 0;

        /* Each condition present is checked; in any-of mode (0.1.0) the
         * first one that matches decides, otherwise the first that fails. */
#define CONDITION(ok, text)                                     \
        do {                                                    \
                if (ok) {                                       \
                        if (w->any)                             \
                                return 1;                       \
                        matched++;                              \
                } else {                                        \
                        if (!w->any) {                          \
                                if (ret_why)                    \
                                        *ret_why = (text);      \
                                return 0;                       \
                        }                                       \
                        if (!why)                               \
                                why = (text);                   \
                }                                               \
        } while (0)

        if (w->always >= 0)
                CONDITION(w->always == 1, "always is false");
        if (w->has_bind_mounts >= 0)
                CONDITION(w->has_bind_mounts == 1 && t->has_bind_mounts,
                          w->has_bind_mounts == 1 ? "hasBindMounts did not match (no mounts)"
                                                  : "hasBindMounts is false");
        for (size_t i = 0; i < w->n_annotations; i++)
                CONDITION(annotation_pair_matches(w, i, t), "annotations did not match");
        if (w->n_commands > 0) {
                bool any = false;
                for (size_t i = 0; i < w->n_commands && !any; i++)
                        any = t->command && regex_finds(&w->command_re[i], t->command);
                CONDITION(any, "commands did not match");
        }
#undef CONDITION

        if (matched > 0 && !w->any)
                return 1;
        if (ret_why)
                *ret_why = why ? why : "no condition given";
        return 0;
}
