/** What crosses activity boundaries: small references to artifacts, never the data itself. */

/** A committed file in the artifact store. */
export interface ArtifactRef {
  /** Where it lives: `file:///abs/path` or `s3://bucket/key`. */
  uri: string;
  sha256: string;
  bytes: number;
  /** Records in it (rows, lines), when that means something. */
  count?: number;
}

/** Written last into a stage's folder: its presence is what makes the stage finished. */
export interface StageManifest<Summary = Record<string, unknown>> {
  stage: string;
  stageVersion: number;
  key: string;
  settings: unknown;
  inputs: Record<string, ArtifactRef>;
  files: Record<string, ArtifactRef>;
  summary: Summary;
  createdAt: string;
  millis: number;
}

/** What a stage activity returns to the workflow. */
export interface StageResult<Summary = Record<string, unknown>> {
  stage: string;
  key: string;
  /** True when an earlier run's committed output was reused instead of recomputed. */
  reused: boolean;
  manifestUri: string;
  files: Record<string, ArtifactRef>;
  summary: Summary;
}
