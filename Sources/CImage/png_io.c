// PNG decode (to 8-bit RGB) and encode through libpng; libpng's longjmp stops here and comes back
// to Swift as a status code plus message.
#include "CImage.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

_Static_assert(XIMG_ZLIB_DEFAULT_STRATEGY == Z_DEFAULT_STRATEGY && XIMG_ZLIB_FILTERED == Z_FILTERED &&
                   XIMG_ZLIB_HUFFMAN_ONLY == Z_HUFFMAN_ONLY && XIMG_ZLIB_RLE == Z_RLE && XIMG_ZLIB_FIXED == Z_FIXED,
               "zlib strategies");
_Static_assert(XIMG_PNG_FILTER_NONE == PNG_FILTER_NONE && XIMG_PNG_FILTER_SUB == PNG_FILTER_SUB &&
                   XIMG_PNG_FILTER_UP == PNG_FILTER_UP && XIMG_PNG_FILTER_AVG == PNG_FILTER_AVG &&
                   XIMG_PNG_FILTER_PAETH == PNG_FILTER_PAETH && XIMG_PNG_ALL_FILTERS == PNG_ALL_FILTERS,
               "libpng filter masks");

typedef struct {
    jmp_buf jump;
    char *message;
    size_t message_size;
} png_context;

static void on_png_error(png_structp png, png_const_charp text) {
    png_context *context = (png_context *)png_get_error_ptr(png);
    snprintf(context->message, context->message_size, "libpng: %s", text);
    longjmp(context->jump, 1);
}

// Warnings (e.g. an unknown ancillary chunk) do not change the pixels; they stay silent so the
// library never prints.
static void on_png_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static int fail(char *message, size_t size, int status, const char *text) {
    snprintf(message, size, "%s", text);
    return status;
}

int ximg_png_read(const char *path, ximg_limits limits, ximg_image *out, char *message, size_t message_size) {
    memset(out, 0, sizeof *out);
    FILE *file = fopen(path, "rb");
    if (!file) return fail(message, message_size, XIMG_ERR_OPEN, "cannot open file");
    unsigned char signature[8];
    size_t got = fread(signature, 1, 8, file);
    if (got < 8 || png_sig_cmp(signature, 0, 8) != 0) {
        fclose(file);
        return fail(message, message_size, XIMG_ERR_FORMAT,
                    got == 0 ? "empty file" : "not a PNG file (bad signature)");
    }
    png_context context = {.message = message, .message_size = message_size};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        fclose(file);
        return fail(message, message_size, XIMG_ERR_MEMORY, "libpng: out of memory");
    }
    // Written between setjmp and a possible longjmp, read after it: must be volatile.
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    volatile int status = XIMG_ERR_FORMAT;
    if (setjmp(context.jump)) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        fclose(file);
        return status;
    }
    png_init_io(png, file);
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    uint32_t width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    if (width > limits.max_side || height > limits.max_side ||
        (uint64_t)width * height > limits.max_pixels) {
        snprintf(message, message_size, "header claims %ux%u pixels, beyond the limit of %u per side and %llu in all",
                 width, height, limits.max_side, (unsigned long long)limits.max_pixels);
        out->width = width;   // no pixels: the caller words the message from the header's size
        out->height = height;
        status = XIMG_ERR_TOO_LARGE;
        longjmp(context.jump, 1);
    }
    png_set_expand(png);        // palette -> RGB, gray < 8 bit -> 8 bit, tRNS -> alpha
    png_set_strip_16(png);
    png_set_strip_alpha(png);   // as torchvision's convert("RGB"): alpha is dropped, not blended
    png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 3) {
        snprintf(message, message_size, "unexpected row size after conversion to RGB");
        longjmp(context.jump, 1);
    }
    pixels = malloc((size_t)width * height * 3);
    rows = malloc(sizeof(png_bytep) * height);
    if (!pixels || !rows) {
        snprintf(message, message_size, "out of memory for %ux%u pixels", width, height);
        status = XIMG_ERR_MEMORY;
        longjmp(context.jump, 1);
    }
    for (uint32_t y = 0; y < height; y++) rows[y] = pixels + (size_t)y * width * 3;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(file);
    out->width = width;
    out->height = height;
    out->rgb = pixels;
    return XIMG_OK;
}

void ximg_image_free(ximg_image *image) {
    free(image->rgb);
    image->rgb = NULL;
}

// Encodes to an open stream; the caller opens and closes it (a file, or memory for ximg_png_encode).
static int png_write_stream(FILE *file, const ximg_png_format *format, const uint8_t *pixels, char *message,
                            size_t message_size) {
    uint32_t width = format->width, height = format->height;
    int channels = format->channels, depth = format->bit_depth;
    if (channels != 1 && channels != 3) return fail(message, message_size, XIMG_ERR_WRITE, "channels must be 1 or 3");
    if (depth != 8 && !(depth == 1 && channels == 1))
        return fail(message, message_size, XIMG_ERR_WRITE, "bit depth must be 8, or 1 for one channel");
    png_context context = {.message = message, .message_size = message_size};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return fail(message, message_size, XIMG_ERR_MEMORY, "libpng: out of memory");
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(context.jump)) {
        free(rows);
        png_destroy_write_struct(&png, &info);
        return XIMG_ERR_WRITE;
    }
    png_init_io(png, file);
    // Fixed settings so the bytes depend only on the pixels, the settings and zlib's version.
    png_set_compression_level(png, format->level);
    png_set_compression_strategy(png, format->strategy);
    png_set_filter(png, 0, format->filters);
    png_set_IHDR(png, info, width, height, depth, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    // 1-bit rows come one byte per pixel: libpng packs them eight to a byte, any nonzero byte a 1.
    if (depth == 1) png_set_packing(png);
    rows = malloc(sizeof(png_bytep) * height);
    if (!rows) {
        snprintf(message, message_size, "out of memory");
        longjmp(context.jump, 1);
    }
    for (uint32_t y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + (size_t)y * width * channels);
    png_write_image(png, rows);
    png_write_end(png, info);
    free(rows);
    png_destroy_write_struct(&png, &info);
    return XIMG_OK;
}

int ximg_png_write(const char *path, ximg_png_format format, const uint8_t *pixels, char *message,
                   size_t message_size) {
    FILE *file = fopen(path, "wb");
    if (!file) return fail(message, message_size, XIMG_ERR_OPEN, "cannot create file");
    // One write(2) for a file of up to 64 KB instead of one per 4 KB of stdio's default buffer.
    setvbuf(file, NULL, _IOFBF, 1 << 16);
    int status = png_write_stream(file, &format, pixels, message, message_size);
    if (fclose(file) != 0 && status == XIMG_OK) return fail(message, message_size, XIMG_ERR_WRITE, "cannot finish writing file");
    return status;
}

int ximg_png_encode(ximg_png_format format, const uint8_t *pixels, uint8_t **out, size_t *out_size, char *message,
                    size_t message_size) {
    *out = NULL;
    *out_size = 0;
    char *buffer = NULL;
    size_t size = 0;
    // POSIX 2008 memory stream: libpng writes through stdio as it does to a file.
    FILE *stream = open_memstream(&buffer, &size);
    if (!stream) return fail(message, message_size, XIMG_ERR_MEMORY, "cannot open a memory stream");
    int status = png_write_stream(stream, &format, pixels, message, message_size);
    if (fclose(stream) != 0 && status == XIMG_OK) status = fail(message, message_size, XIMG_ERR_MEMORY, "cannot finish the memory stream");
    if (status != XIMG_OK) {
        free(buffer);
        return status;
    }
    *out = (uint8_t *)buffer;
    *out_size = size;
    return XIMG_OK;
}

void ximg_buffer_free(uint8_t *buffer) { free(buffer); }
