// Exposes OpenMPI's handle macros (casts of global symbols) as inline functions, since Swift
// cannot import cast macros.
#ifndef XCNN_CMPI_SHIM_H
#define XCNN_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm xcnn_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype xcnn_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype xcnn_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype xcnn_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype xcnn_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Op xcnn_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op xcnn_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op xcnn_mpi_min(void) { return MPI_MIN; }
static inline void *xcnn_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler xcnn_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int xcnn_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int xcnn_mpi_max_library_version_string(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }
#endif
