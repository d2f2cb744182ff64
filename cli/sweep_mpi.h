/*
 * sweep_mpi: how the processes of a sweep share its grid points.
 *
 * Built with -DHYPERCAP_MPI=ON and started under mpirun, rank r of K computes the points
 * r, r + K, r + 2K, ... and rank 0 gathers every point's row, in point order, and writes the
 * results. Otherwise (or under no launcher) there is one process, rank 0 of 1, and gathering
 * does nothing. sweep_mpi.c is the only file that knows MPI.
 */
#ifndef CLI_SWEEP_MPI_H
#define CLI_SWEEP_MPI_H

#include <stddef.h>

struct sweep_mpi {
	int rank, size;
};

/* A point's outcome: code 0 and its CSV row, or a negative HC_E* code and the message. */
struct sweep_mpi_slot {
	int code;
	char *text; /* malloc'd */
};

/* Starts MPI when built with it; 0, or -1 when MPI cannot start. */
int sweep_mpi_init(struct sweep_mpi *p);

/*
 * Every process passes its own code (0 or an HC_E* code); all get the same answer: the
 * most severe code any process had. *print is set on the lowest-ranked process that failed,
 * the one whose message to show.
 */
int sweep_mpi_agree(const struct sweep_mpi *p, int code, int *print);

/*
 * Each process has filled the slots of its own points; afterwards rank 0 holds all n. Returns
 * 0, or HC_ERUNTIME when a message could not be received.
 */
int sweep_mpi_gather(const struct sweep_mpi *p, struct sweep_mpi_slot *slots, size_t n);

/* Gives every process rank 0's exit status, stops MPI and returns that status. */
int sweep_mpi_finish(const struct sweep_mpi *p, int status);

#endif
