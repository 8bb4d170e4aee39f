// A PNG writer for pictures made of long runs of one byte (outlines on a plain background): no
// filter, one zlib stream of one fixed-Huffman deflate block whose only matches repeat the previous
// byte (distance 1), as zlib's Z_RLE strategy finds them. zlib spends most of its time on such
// images sliding hash tables that RLE never reads and summing Adler-32 byte by byte; here runs
// are found eight bytes at a time and each run enters the checksum in one step.
#include "png_runs.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

// The bit writer and the eight-byte loads take the first byte in memory as the lowest.
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "png_runs.c assumes a little-endian CPU");

enum { ADLER_MOD = 65521, MIN_MATCH = 3, MAX_MATCH = 258 };

// Fixed literal/length code of RFC 1951 §3.2.6, bit-reversed for an LSB-first bit stream.
static uint16_t literal_code[288];
static uint8_t literal_bits[288];
// Per match length 3…258: length code and extra bits combined, and their total bit count
// (the 5-bit distance code 0 for distance 1 is all zeros, so it only adds to the count).
static uint32_t length_code[MAX_MATCH + 1];
static uint8_t length_bits[MAX_MATCH + 1];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static uint32_t reverse(uint32_t code, int bits) {
    uint32_t out = 0;
    for (int i = 0; i < bits; i++) out |= ((code >> i) & 1u) << (bits - 1 - i);
    return out;
}

static void build_tables(void) {
    for (int symbol = 0; symbol < 288; symbol++) {
        uint32_t code;
        int bits;
        if (symbol < 144) code = 0x30 + symbol, bits = 8;
        else if (symbol < 256) code = 0x190 + symbol - 144, bits = 9;
        else if (symbol < 280) code = symbol - 256, bits = 7;
        else code = 0xC0 + symbol - 280, bits = 8;
        literal_code[symbol] = (uint16_t)reverse(code, bits);
        literal_bits[symbol] = (uint8_t)bits;
    }
    // Length codes 257…284 cover 3…257 in groups of four with 0…5 extra bits; 285 is 258 alone.
    static const uint16_t base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const uint8_t extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    for (int code = 0; code < 29; code++) {
        int last = code == 28 ? 258 : base[code + 1] - 1;
        if (code == 27) last = 257;
        for (int length = base[code]; length <= last; length++) {
            int symbol = 257 + code;
            length_code[length] = literal_code[symbol] | (uint32_t)(length - base[code]) << literal_bits[symbol];
            length_bits[length] = (uint8_t)(literal_bits[symbol] + extra[code] + 5);
        }
    }
}

typedef struct {
    uint8_t *out;
    size_t size;
    uint64_t bits;  // pending bits, the oldest in the low end
    int count;
} bit_writer;

static inline void put_bits(bit_writer *w, uint64_t value, int count) {
    w->bits |= value << w->count;
    w->count += count;
    if (w->count >= 32) {
        memcpy(w->out + w->size, &w->bits, 4);  // little-endian: the oldest bits first
        w->size += 4;
        w->bits >>= 32;
        w->count -= 32;
    }
}

void ximg_pack_row(const uint8_t *values, uint32_t width, uint8_t *bits) {
    uint32_t x = 0;
    for (; x + 8 <= width; x += 8) {
        // Eight pixels at once: fold each byte onto its lowest bit (1 when nonzero), then one
        // multiplication gathers byte k's bit into bit 7 − k of the top byte (no carries: every
        // product term lands on its own bit).
        uint64_t word;
        memcpy(&word, values + x, 8);
        word |= word >> 4;
        word |= word >> 2;
        word |= word >> 1;
        word &= 0x0101010101010101ull;
        bits[x >> 3] = (uint8_t)((word * 0x8040201008040201ull) >> 56);
    }
    if (x < width) {
        uint8_t byte = 0;
        for (int k = 0; x + k < width; k++) byte |= (uint8_t)((values[x + k] != 0) << (7 - k));
        bits[x >> 3] = byte;
    }
}

// Length of the run of `value` starting at data[i] (at most `limit` bytes), eight bytes at a time.
static inline size_t run_length(const uint8_t *data, size_t i, size_t limit, uint8_t value) {
    uint64_t pattern = 0x0101010101010101ull * value;
    size_t n = 0;
    while (n + 8 <= limit) {
        uint64_t word;
        memcpy(&word, data + i + n, 8);
        uint64_t differ = word ^ pattern;
        if (differ) return n + (size_t)(__builtin_ctzll(differ) >> 3);
        n += 8;
    }
    while (n < limit && data[i + n] == value) n++;
    return n;
}

// Compresses `data` to a zlib stream in `out` (room for ximg_runs_bound(size) bytes); returns
// its length.
static size_t deflate_runs(const uint8_t *data, size_t size, uint8_t *out) {
    pthread_once(&tables_once, build_tables);
    out[0] = 0x78;  // deflate, 32 KB window
    out[1] = 0x01;  // fastest level; (0x78 · 256 + 0x01) is a multiple of 31 as the header requires
    bit_writer w = {.out = out, .size = 2};
    put_bits(&w, 1 | 1 << 1, 3);  // the final block, fixed Huffman codes
    // Adler-32 sums, reduced modulo 65521 every 4096 symbols: between reductions a stays below
    // 2^28 and b below 2^49, far inside 64 bits.
    uint64_t a = 1, b = 0;
    unsigned since_reduction = 0;
    size_t i = 0;
    while (i < size) {
        size_t run = i > 0 ? run_length(data, i, size - i < MAX_MATCH ? size - i : MAX_MATCH, data[i - 1]) : 0;
        if (run >= MIN_MATCH) {
            uint64_t value = data[i - 1];
            put_bits(&w, length_code[run], length_bits[run]);
            b += run * a + value * run * (run + 1) / 2;
            a += run * value;
            i += run;
        } else {
            put_bits(&w, literal_code[data[i]], literal_bits[data[i]]);
            a += data[i];
            b += a;
            i++;
        }
        if (++since_reduction == 4096) {
            a %= ADLER_MOD;
            b %= ADLER_MOD;
            since_reduction = 0;
        }
    }
    put_bits(&w, literal_code[256], literal_bits[256]);  // end of block
    while (w.count > 0) {
        w.out[w.size++] = (uint8_t)w.bits;
        w.bits >>= 8;
        w.count = w.count > 8 ? w.count - 8 : 0;
    }
    uint32_t adler = (uint32_t)((b % ADLER_MOD) << 16 | (a % ADLER_MOD));
    for (int k = 3; k >= 0; k--) w.out[w.size++] = (uint8_t)(adler >> (8 * k));
    return w.size;
}

// The most deflate_runs can write for `size` bytes: 9 bits per literal, plus header, end code,
// padding and checksum.
static size_t runs_bound(size_t size) { return size + size / 8 + 32; }

static void put32(uint8_t *p, uint32_t value) {
    p[0] = (uint8_t)(value >> 24);
    p[1] = (uint8_t)(value >> 16);
    p[2] = (uint8_t)(value >> 8);
    p[3] = (uint8_t)value;
}

// One chunk: length, type, data, CRC-32 of type and data.
static int write_chunk(FILE *file, const char *type, const uint8_t *data, size_t size) {
    uint8_t head[8], tail[4];
    put32(head, (uint32_t)size);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0, head + 4, 4);
    if (size) crc = crc32(crc, data, (uInt)size);
    put32(tail, (uint32_t)crc);
    return fwrite(head, 1, 8, file) == 8 && (size == 0 || fwrite(data, 1, size, file) == size) &&
           fwrite(tail, 1, 4, file) == 4;
}

int ximg_png_write_runs(FILE *file, const ximg_png_format *format, const uint8_t *pixels) {
    uint32_t width = format->width, height = format->height;
    int depth = format->bit_depth, channels = format->channels;
    size_t row = depth == 1 ? (width + 7) / 8 : (size_t)width * channels;
    size_t size = (row + 1) * height;
    if (size / (row + 1) != height || size > 0x7fffffffu / 2) return 0;
    // The scanlines as PNG stores them: filter byte 0, then the row (packed to bits for depth 1).
    uint8_t *lines = malloc(size);
    uint8_t *stream = malloc(runs_bound(size));
    int ok = lines && stream;
    if (ok) {
        for (uint32_t y = 0; y < height; y++) {
            uint8_t *line = lines + y * (row + 1);
            line[0] = 0;
            if (depth == 1) ximg_pack_row(pixels + (size_t)y * width, width, line + 1);
            else memcpy(line + 1, pixels + y * row, row);
        }
        size_t length = deflate_runs(lines, size, stream);
        static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        uint8_t header[13];
        put32(header, width);
        put32(header + 4, height);
        header[8] = (uint8_t)depth;
        header[9] = channels == 3 ? 2 : 0;  // RGB or greyscale
        header[10] = header[11] = header[12] = 0;  // deflate, adaptive filtering (all rows 0), no interlace
        ok = fwrite(signature, 1, 8, file) == 8 && write_chunk(file, "IHDR", header, 13) &&
             write_chunk(file, "IDAT", stream, length) && write_chunk(file, "IEND", NULL, 0);
    }
    free(lines);
    free(stream);
    return ok;
}
