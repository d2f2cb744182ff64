/*
 * sweep_mpi: the sweep's processes with Open MPI (HYPERCAP_MPI) or without (one process).
 * Rows travel as the text rank 0 writes, so sweep.csv is byte-identical for any number of
 * processes.
 */
#include <stdlib.h>
#include "base/hc_err.h"
#include "cli/sweep_mpi.h"

#ifdef HYPERCAP_MPI
#include <limits.h>
#include <string.h>
#include <mpi.h>

enum { TAG_HEADER = 1, TAG_TEXT = 2 };

int sweep_mpi_init(struct sweep_mpi *p)
{
	int ready = 0;
	MPI_Initialized(&ready);
	if (!ready && MPI_Init(NULL, NULL) != MPI_SUCCESS)
		return -1;
	MPI_Comm_rank(MPI_COMM_WORLD, &p->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &p->size);
	return 0;
}

int sweep_mpi_agree(const struct sweep_mpi *p, int code, int *print)
{
	int mine[2] = { code, code ? p->rank : INT_MAX }, all[2];
	MPI_Allreduce(mine, all, 2, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	*print = code && all[1] == p->rank;
	return all[0];
}

static int send_slot(const struct sweep_mpi_slot *s)
{
	const char *text = s->text ? s->text : "";
	int header[2] = { s->code, (int)strlen(text) };
	if (MPI_Send(header, 2, MPI_INT, 0, TAG_HEADER, MPI_COMM_WORLD) != MPI_SUCCESS ||
	    MPI_Send(text, header[1], MPI_CHAR, 0, TAG_TEXT, MPI_COMM_WORLD) != MPI_SUCCESS)
		return HC_ERUNTIME;
	return 0;
}

/* Messages from one sender arrive in the order sent, so point order is kept per rank. */
static int receive_slot(int from, struct sweep_mpi_slot *s)
{
	int header[2];
	if (MPI_Recv(header, 2, MPI_INT, from, TAG_HEADER, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
	    MPI_SUCCESS || header[1] < 0)
		return HC_ERUNTIME;
	s->code = header[0];
	s->text = malloc((size_t)header[1] + 1);
	if (!s->text)
		return HC_ERUNTIME;
	if (MPI_Recv(s->text, header[1], MPI_CHAR, from, TAG_TEXT, MPI_COMM_WORLD,
		     MPI_STATUS_IGNORE) != MPI_SUCCESS)
		return HC_ERUNTIME;
	s->text[header[1]] = '\0';
	return 0;
}

int sweep_mpi_gather(const struct sweep_mpi *p, struct sweep_mpi_slot *slots, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		int owner = (int)(i % (size_t)p->size);
		if (owner == 0 || (p->rank != 0 && p->rank != owner))
			continue;
		/* keep receiving after a failure: every sender must be able to finish */
		if (p->rank == 0)
			rc |= receive_slot(owner, &slots[i]);
		else
			rc |= send_slot(&slots[i]);
	}
	return rc ? HC_ERUNTIME : 0;
}

int sweep_mpi_finish(const struct sweep_mpi *p, int status)
{
	(void)p;
	MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
	MPI_Finalize();
	return status;
}

#else /* one process */

int sweep_mpi_init(struct sweep_mpi *p)
{
	p->rank = 0;
	p->size = 1;
	return 0;
}

int sweep_mpi_agree(const struct sweep_mpi *p, int code, int *print)
{
	(void)p;
	*print = code != 0;
	return code;
}

int sweep_mpi_gather(const struct sweep_mpi *p, struct sweep_mpi_slot *slots, size_t n)
{
	(void)p;
	(void)slots;
	(void)n;
	return 0;
}

int sweep_mpi_finish(const struct sweep_mpi *p, int status)
{
	(void)p;
	return status;
}

#endif
