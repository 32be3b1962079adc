/** GenQ's programmatic API: start and follow pipeline runs from TypeScript. */
export { connectClient } from './connect';
export { startPipeline, withConfiguredQueues, type StartPipelineOptions } from './startPipeline';
export type { PipelineInput } from '../workflows/settings/pipeline';
export type { PipelineSummary } from '../workflows/genqPipeline';
export type { PipelineProgress } from '../workflows/progress';
