// SwiftPM links a Linux executable with `main` renamed to `<Module>_main` (so tests can link the
// executable's code), which hides libFuzzer's own main; each fuzz target therefore defines
// `<Module>_main` and calls libFuzzer's documented driver entry from here.
#include "FuzzDriver.h"

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int xcnn_fuzz_run(int argc, char **argv, xcnn_fuzz_callback callback) {
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
