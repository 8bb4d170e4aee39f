// Inside CImage only: the run-length PNG writer (png_runs.c) and the bit packing both writers use.
#ifndef XCNN_PNG_RUNS_H
#define XCNN_PNG_RUNS_H

#include "CImage.h"
#include <stdio.h>

/// Writes `pixels` as a PNG (no filter, fixed-Huffman run-length deflate) to an open stream;
/// returns 0 when the image is too large or memory or the stream fails.
int ximg_png_write_runs(FILE *file, const ximg_png_format *format, const uint8_t *pixels);

/// Packs one row of 8-bit values into 1-bit pixels, most significant bit first (PNG's order):
/// nonzero is 1 (white in a greyscale image).
void ximg_pack_row(const uint8_t *values, uint32_t width, uint8_t *bits);

#endif
