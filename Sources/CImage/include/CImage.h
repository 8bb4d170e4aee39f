// C side of image I/O: libpng and libjpeg report errors by longjmp, which Swift cannot catch,
// so every call into them happens here and comes back as a status code.
#ifndef XCNN_CIMAGE_H
#define XCNN_CIMAGE_H

/// Version string of the libpng the binary runs against.
const char *ximg_libpng_version(void);
/// Version number of the libjpeg API in use (62 for libjpeg62-turbo).
int ximg_libjpeg_version(void);

#endif
