/** Stage 3, generateQueries: the activities (helpers stay unexported so workers register only these). */
export { generateQueriesShard, type GenerateQueriesShardInput } from './generateQueriesShard';
export { planQueryShards, type QueryShardPlan } from './planQueryShards';
export { assembleLabeled, type AssembleLabeledInput } from './assembleLabeled';
export { importLabeledCsv, type ImportLabeledCsvInput } from './importLabeledCsv';
export type { ImportSummary, LabeledSummary, ShardRange, ShardSummary } from './types';
