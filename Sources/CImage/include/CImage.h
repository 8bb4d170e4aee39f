// C side of image I/O: libpng and libjpeg report errors by longjmp, which Swift cannot catch,
// so every call into them happens here and comes back as a status code.
#ifndef XCNN_CIMAGE_H
#define XCNN_CIMAGE_H

#include <stddef.h>
#include <stdint.h>

/// Version string of the libpng the binary runs against.
const char *ximg_libpng_version(void);
/// Version number of the libjpeg API in use (62 for libjpeg62-turbo).
int ximg_libjpeg_version(void);

/// Status codes shared by every call below; the message buffer says more.
enum {
    XIMG_OK = 0,
    XIMG_ERR_OPEN = 1,     ///< the file could not be opened or read
    XIMG_ERR_FORMAT = 2,   ///< not a PNG/JPEG, or the library rejected its contents
    XIMG_ERR_TOO_LARGE = 3,///< header dimensions beyond the caller's limits (checked before allocating);
                           ///< out->width/height then hold the header's size, out->rgb stays NULL
    XIMG_ERR_UNSUPPORTED = 4, ///< a valid file in a form we do not convert (e.g. CMYK JPEG)
    XIMG_ERR_MEMORY = 5,
    XIMG_ERR_WRITE = 6
};

/// A decoded image: 8-bit RGB, rows top to bottom, interleaved (H, W, 3). Free with ximg_image_free.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint8_t *rgb;
} ximg_image;

/// Limits checked against the header before any pixel buffer is allocated.
typedef struct {
    uint32_t max_side;
    uint64_t max_pixels;
} ximg_limits;

/// Decodes a PNG (any bit depth, gray, palette, alpha, 16-bit) to 8-bit RGB; alpha is dropped.
int ximg_png_read(const char *path, ximg_limits limits, ximg_image *out, char *message, size_t message_size);

/// Decodes a baseline or progressive JPEG (gray or YCbCr) to RGB. Warnings such as a premature
/// end of data are errors: libjpeg would otherwise fill the rest with gray and carry on.
int ximg_jpeg_read(const char *path, ximg_limits limits, ximg_image *out, char *message, size_t message_size);

/// Releases the pixels of a decoded image (safe on a zeroed struct).
void ximg_image_free(ximg_image *image);

/// zlib strategies and libpng filter masks, with the values of zlib.h and png.h (png_io.c checks
/// that they agree), so Swift sees them without importing either header.
enum {
    XIMG_ZLIB_DEFAULT_STRATEGY = 0,
    XIMG_ZLIB_FILTERED = 1,
    XIMG_ZLIB_HUFFMAN_ONLY = 2,
    XIMG_ZLIB_RLE = 3,
    XIMG_ZLIB_FIXED = 4,
    XIMG_PNG_FILTER_NONE = 0x08,
    XIMG_PNG_FILTER_SUB = 0x10,
    XIMG_PNG_FILTER_UP = 0x20,
    XIMG_PNG_FILTER_AVG = 0x40,
    XIMG_PNG_FILTER_PAETH = 0x80,
    XIMG_PNG_ALL_FILTERS = 0xF8
};

/// What ximg_png_write and ximg_png_encode write: size, layout and compression. No time or text
/// chunks, so equal pixels and equal settings give equal bytes (for one zlib version).
typedef struct {
    uint32_t width;
    uint32_t height;
    int channels;  ///< 1 (gray) or 3 (RGB), one byte per sample in the caller's rows
    int bit_depth; ///< 8, or 1 for one channel: then any nonzero byte is a white pixel
    int level;     ///< zlib level 0-9
    int strategy;  ///< XIMG_ZLIB_*
    int filters;   ///< XIMG_PNG_FILTER_* or several of them ORed: libpng picks one per row
} ximg_png_format;

/// Writes a PNG to `path`; rows of `pixels` are interleaved, (height, width, channels) bytes.
int ximg_png_write(const char *path, ximg_png_format format, const uint8_t *pixels, char *message,
                   size_t message_size);

/// The same PNG as ximg_png_write, in memory: *out (free with ximg_buffer_free) holds *out_size bytes.
int ximg_png_encode(ximg_png_format format, const uint8_t *pixels, uint8_t **out, size_t *out_size, char *message,
                    size_t message_size);

/// Releases a buffer returned by ximg_png_encode (safe on NULL).
void ximg_buffer_free(uint8_t *buffer);

#endif
