/*
 * score: how a child's chance to solve a domain's task follows from its parent's
 * (docs/model.md, "Evaluation and scores").
 *
 * A benchmark saturates: the closer an agent is to the best score the benchmark allows, the
 * less a change can add. A draw of the domain's `improvement` is the step at the initial
 * score; at any other score it is scaled by the headroom left:
 *
 *     child = parent + draw · (ceiling − parent) / (ceiling − initial), bounded to [0, ceiling]
 *
 * so the expected score approaches the ceiling geometrically and never passes it. A domain
 * that starts at its ceiling has no headroom: a child keeps its parent's chance.
 */
#ifndef MODEL_SCORE_H
#define MODEL_SCORE_H

/* The child's chance; requires initial <= ceiling (scenario.c checks it). */
double score_child(double parent, double draw, double initial, double ceiling);

#endif
