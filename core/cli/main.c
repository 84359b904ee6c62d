/* SPDX-License-Identifier: Apache-2.0 */
/* placeholder: the CLI is being written (core/cli). */
#include <stdio.h>
int main(void) { fputs("podrt: not built yet\n", stderr); return 125; }
