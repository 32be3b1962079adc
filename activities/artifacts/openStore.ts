/** Opens the artifact store a URI names: `s3://bucket/prefix` or a local folder (`file://` URI or path). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStackSettings } from '../../infra/stackSettings';
import { makeS3Client } from '../clients';
import { LocalArtifactStore } from './localStore';
import { S3ArtifactStore } from './s3Store';
import type { ArtifactStore } from './store';

/** The embedded default: a folder under GENQ_HOME. */
export function defaultArtifactsUri(): string {
  return process.env.GENQ_ARTIFACTS ?? path.join(loadStackSettings().genqHome, 'artifacts');
}

export function openArtifactStore(uri: string = defaultArtifactsUri()): ArtifactStore {
  const settings = loadStackSettings();
  if (uri.startsWith('s3://')) {
    const [bucket, ...rest] = uri.slice('s3://'.length).split('/');
    if (!bucket) throw new Error(`artifact store URI ${uri} names no bucket; use s3://<bucket>/<prefix>`);
    return new S3ArtifactStore(makeS3Client(settings), bucket, rest.join('/'), path.join(settings.genqHome, 'cache', 's3'));
  }
  if (uri.startsWith('file://')) return new LocalArtifactStore(fileURLToPath(uri));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new Error(`artifact store URI ${uri}: only s3:// and local folders are supported`);
  return new LocalArtifactStore(path.resolve(uri));
}
