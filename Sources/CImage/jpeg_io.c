// JPEG decode to 8-bit RGB through libjpeg-turbo; its error_exit longjmps back here and warnings
// (corrupt or truncated data) are turned into errors.
#include "CImage.h"
#include <stdio.h>  /* jpeglib.h uses FILE without including it */
#include <jpeglib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    struct jpeg_error_mgr base;   // first member: libjpeg hands us a pointer to it
    jmp_buf jump;
    int warnings;
    char first_warning[JMSG_LENGTH_MAX];
} jpeg_context;

static void on_jpeg_error(j_common_ptr info) {
    jpeg_context *context = (jpeg_context *)info->err;
    longjmp(context->jump, 1);
}

// Level -1 is a warning about corrupt data; higher levels are trace messages we ignore.
static void on_jpeg_message(j_common_ptr info, int level) {
    jpeg_context *context = (jpeg_context *)info->err;
    if (level >= 0) return;
    if (context->warnings++ == 0) info->err->format_message(info, context->first_warning);
}

int ximg_jpeg_read(const char *path, ximg_limits limits, ximg_image *out, char *message, size_t message_size) {
    memset(out, 0, sizeof *out);
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(message, message_size, "cannot open file");
        return XIMG_ERR_OPEN;
    }
    struct jpeg_decompress_struct info;
    jpeg_context context;
    memset(&context, 0, sizeof context);
    info.err = jpeg_std_error(&context.base);
    context.base.error_exit = on_jpeg_error;
    context.base.emit_message = on_jpeg_message;
    uint8_t *volatile pixels = NULL;
    volatile int status = XIMG_ERR_FORMAT;
    if (setjmp(context.jump)) {
        if (status == XIMG_ERR_FORMAT) {
            char text[JMSG_LENGTH_MAX];
            context.base.format_message((j_common_ptr)&info, text);
            snprintf(message, message_size, "libjpeg: %s", text);
        }
        free(pixels);
        jpeg_destroy_decompress(&info);
        fclose(file);
        return status;
    }
    jpeg_create_decompress(&info);
    jpeg_stdio_src(&info, file);
    jpeg_read_header(&info, TRUE);
    if (info.image_width > limits.max_side || info.image_height > limits.max_side ||
        (uint64_t)info.image_width * info.image_height > limits.max_pixels) {
        snprintf(message, message_size, "header claims %ux%u pixels, beyond the limit of %u per side and %llu in all",
                 info.image_width, info.image_height, limits.max_side, (unsigned long long)limits.max_pixels);
        out->width = info.image_width;   // no pixels: the caller words the message from the header's size
        out->height = info.image_height;
        status = XIMG_ERR_TOO_LARGE;
        longjmp(context.jump, 1);
    }
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        snprintf(message, message_size, "CMYK/YCCK JPEG is not supported (convert it to RGB)");
        status = XIMG_ERR_UNSUPPORTED;
        longjmp(context.jump, 1);
    }
    info.out_color_space = JCS_RGB;
    // The library's defaults (islow DCT, fancy upsampling) fixed explicitly: the decoded pixels
    // must be the same on every rank.
    info.dct_method = JDCT_ISLOW;
    info.do_fancy_upsampling = TRUE;
    jpeg_start_decompress(&info);
    if (info.output_components != 3) {
        snprintf(message, message_size, "decoder produced %d components, expected 3", info.output_components);
        status = XIMG_ERR_UNSUPPORTED;
        longjmp(context.jump, 1);
    }
    size_t stride = (size_t)info.output_width * 3;
    pixels = malloc(stride * info.output_height);
    if (!pixels) {
        snprintf(message, message_size, "out of memory for %ux%u pixels", info.output_width, info.output_height);
        status = XIMG_ERR_MEMORY;
        longjmp(context.jump, 1);
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    if (context.warnings > 0) {
        snprintf(message, message_size, "libjpeg: corrupt or truncated data (%s)", context.first_warning);
        status = XIMG_ERR_FORMAT;
        free(pixels);
        jpeg_destroy_decompress(&info);
        fclose(file);
        return status;
    }
    out->width = info.output_width;
    out->height = info.output_height;
    out->rgb = pixels;
    jpeg_destroy_decompress(&info);
    fclose(file);
    return XIMG_OK;
}
