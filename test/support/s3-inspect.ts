import { Client } from 'minio';
import type { S3Settings } from './stack.ts';

/** A direct S3 client: tests look into the bucket itself, not through the service under test. */
export function s3Client(s3: S3Settings): Client {
  const url = new URL(s3.endpoint);
  return new Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    region: 'us-east-1',
    pathStyle: true,
  });
}

/** Every key in a bucket under a prefix. */
export async function listKeys(client: Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of client.listObjectsV2(bucket, prefix, true)) {
    if (item.name) keys.push(item.name);
  }
  return keys;
}
