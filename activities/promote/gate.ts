/**
 * The champion/challenger gate, pure so the workflow and the promote activity decide the same way: the
 * challenger must beat the champion's nDCG@10 on the same held-out queries by the margin; an index's first
 * model must beat the base model by it.
 */
export interface GateInput {
  candidateNdcgAt10: number;
  /** The current champion's nDCG@10 on this run's held-out queries; null when the index has no champion. */
  championNdcgAt10: number | null;
  baseNdcgAt10: number;
  margin: number;
  queries: number;
  /** The candidate is the champion's own model (a re-run that changed nothing it was trained on). */
  candidateIsChampion?: boolean;
}

export interface GateDecision {
  promote: boolean;
  /** What the candidate was measured against. */
  opponent: 'champion' | 'base';
  candidateNdcgAt10: number;
  opponentNdcgAt10: number;
  margin: number;
  /** One sentence a person can act on, with both numbers. */
  reason: string;
}

const fmt = (x: number): string => x.toFixed(4);

export function decidePromotion(input: GateInput): GateDecision {
  const opponent = input.championNdcgAt10 === null ? 'base' : 'champion';
  const opponentNdcgAt10 = input.championNdcgAt10 ?? input.baseNdcgAt10;
  const common = { opponent, candidateNdcgAt10: input.candidateNdcgAt10, opponentNdcgAt10, margin: input.margin } as const;
  if (input.candidateIsChampion) {
    return { ...common, promote: false, reason: 'not promoted: this model is already the champion' };
  }
  if (input.queries === 0) {
    return { ...common, promote: false, reason: 'not promoted: the run has no held-out queries to compare on (raise queries.heldOutShare or give evaluate.queriesFile)' };
  }
  const needed = opponentNdcgAt10 + input.margin;
  const promote = input.candidateNdcgAt10 > needed;
  const versus = `nDCG@10 ${fmt(input.candidateNdcgAt10)} against the ${opponent}'s ${fmt(opponentNdcgAt10)} (margin ${input.margin})`;
  return { ...common, promote, reason: promote ? `promoted: ${versus}` : `not promoted: ${versus}` };
}
