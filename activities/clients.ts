/** Clients for the services activities talk to, built from the stack settings (never from workflow input). */
import { S3Client } from '@aws-sdk/client-s3';
import { Ollama } from 'ollama';
import { loadStackSettings } from '../infra/stackSettings';

export function makeS3Client(settings = loadStackSettings()): S3Client {
  const fromProfile = process.env.AWS_PROFILE !== undefined && process.env.GENQ_S3_ENDPOINT === undefined;
  return new S3Client({
    region: settings.s3.region,
    ...(fromProfile
      ? {}
      : {
          endpoint: settings.s3.endpoint,
          forcePathStyle: true,
          credentials: { accessKeyId: settings.s3.accessKeyId, secretAccessKey: settings.s3.secretAccessKey },
        }),
    // Third-party S3 servers (versitygw, MinIO...) mishandle the SDK's default checksum trailers on streamed
    // uploads; only send checksums when an operation requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function makeOllamaClient(settings = loadStackSettings()): Ollama {
  return new Ollama({ host: settings.ollama.host });
}
