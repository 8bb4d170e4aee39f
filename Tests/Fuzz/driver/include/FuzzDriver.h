// The entry of every fuzz target: hands the command line to libFuzzer with the target's callback.
#ifndef XCNN_FUZZ_DRIVER_H
#define XCNN_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

typedef int (*xcnn_fuzz_callback)(const uint8_t *data, size_t size);

/// Runs libFuzzer (LLVMFuzzerRunDriver) with `callback` as the target; returns its exit status.
int xcnn_fuzz_run(int argc, char **argv, xcnn_fuzz_callback callback);

#endif
