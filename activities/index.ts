/** Every activity a GenQ worker can host; each worker registers the ones its task queue serves. */
export * from './smoke/checkServices';
export { extractListings } from './extract';
export { chunkListings } from './chunk';
export { planQueryShards } from './queries/planQueryShards';
export { generateQueriesShard } from './queries/generateQueriesShard';
export { assembleLabeled } from './queries/assembleLabeled';
export { importLabeledCsv } from './queries/importLabeledCsv';
export { trainTsdae, trainMnrl, exportModel } from './training/trainingActivities';
export { currentChampion, promoteModel } from './promote/promoteActivities';
export { evaluateModels } from './evaluate/evaluateModels';
export { buildListingIndex } from './index/buildListingIndex';
