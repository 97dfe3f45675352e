/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the rules loader and compiler: rule files are
 * untrusted input (users bring Falco rule sets). Loads the input as one
 * rules file, compiles it, and frees everything; any crash, leak or UB
 * is a finding. Must never print on its own.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "common/diag.h"
#include "engine/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine *e = engine_new();
	struct diag d;

	if (!e)
		return 0;
	diag_init(&d);
	if (engine_load_buffer(e, "fuzz.yaml", (const char *)data, size, &d) ==
	    0)
		(void)engine_compile(e, &d);
	diag_free(&d);
	engine_free(e);
	return 0;
}
