/** The workflows a GenQ worker bundles. Deterministic code only: no Node built-ins, no I/O. */
export * from './smoke';
export * from './genqPipeline';
export * from './generateQueriesBatch';
export { progressQuery, shardDoneSignal } from './progress';
