// OpenBLAS's CBLAS interface plus its runtime queries (openblas_get_corename and friends),
// which its cblas.h declares.
#ifndef XCNN_CBLAS_SHIM_H
#define XCNN_CBLAS_SHIM_H
#include <cblas.h>
#endif
