// Library versions, for `xcnn info`.
#include "CImage.h"
#include <png.h>
#include <stdio.h>
#include <jpeglib.h>

const char *ximg_libpng_version(void) { return png_get_libpng_ver(NULL); }
int ximg_libjpeg_version(void) { return JPEG_LIB_VERSION; }
