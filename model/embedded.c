/* embedded: the data files compiled into the binary, found by name. Contracts in embedded.h. */
#include <string.h>
#include "model/embedded.h"

const struct embedded_file *embedded_find(const char *name)
{
	for (const struct embedded_file *f = embedded_files; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}
