/* score: a child's chance from its parent's. Contracts in score.h. */
#include "model/score.h"

double score_child(double parent, double draw, double initial, double ceiling)
{
	if (ceiling <= initial)
		return parent;
	double child = parent + draw * (ceiling - parent) / (ceiling - initial);
	return child < 0 ? 0 : child > ceiling ? ceiling : child;
}
