/**
 * The trainer bridge's wire format: the Python trainer prints one JSON object per line on stdout.
 * Exit codes say how it ended; see trainer/README.md.
 */
import { z } from 'zod';

export const trainerExitCodes = { done: 0, failure: 1, badConfigOrData: 64, outOfMemory: 70, preempted: 75 } as const;

const progressEvent = z.looseObject({
  type: z.literal('progress'),
  step: z.number(),
  total_steps: z.number().optional(),
  loss: z.number().nullable().optional(),
  elapsed_s: z.number().optional(),
});
const checkpointEvent = z.looseObject({ type: z.literal('checkpoint'), step: z.number(), path: z.string() });
const evalEvent = z.looseObject({ type: z.literal('eval'), step: z.number(), metrics: z.record(z.string(), z.number()) });
const doneEvent = z.looseObject({ type: z.literal('done'), output: z.string().optional() });
const errorEvent = z.looseObject({
  type: z.literal('error'),
  kind: z.string(),
  message: z.string(),
  advice: z.string().nullable().optional(),
});

export const trainerEventSchema = z.discriminatedUnion('type', [progressEvent, checkpointEvent, evalEvent, doneEvent, errorEvent]);
export type TrainerEvent = z.infer<typeof trainerEventSchema>;
export type ProgressEvent = z.infer<typeof progressEvent>;
export type CheckpointEvent = z.infer<typeof checkpointEvent>;
export type ErrorEvent = z.infer<typeof errorEvent>;

/** A stdout line as an event, or null for lines that are not protocol (they are logged, not fatal). */
export function parseTrainerLine(line: string): TrainerEvent | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const parsed = trainerEventSchema.safeParse(JSON.parse(trimmed));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
