/*
 * fuzz: what the libFuzzer targets of this folder share (docs/development.md, "Fuzzing").
 *
 * Each fuzz_<name>.c feeds libFuzzer's bytes to one parser the way the command line does.
 * Parsers that only read a path get the bytes through a scratch file: a private directory
 * made on first use and removed at exit, so that concurrent targets never share files.
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include "trace/trace.h"

/* libFuzzer's entry point, defined once per target. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of data; the caller frees it. Aborts when out of memory. */
char *fuzz_text(const uint8_t *data, size_t size);

/*
 * Writes data to the scratch file name and returns its path, valid until the next call.
 * Aborts when the file cannot be written: that is the machine failing, not the parser.
 */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/* Opens w on a trace in the scratch directory; the target calls trace_writer_abort after. */
void fuzz_trace_writer(struct trace_writer *w);

#endif
