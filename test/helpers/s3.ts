// A real S3-protocol server (s3rver) on loopback for tests, with its own temporary directory. It is
// reached as `localhost` while registries listen on `127.0.0.1`: npm keeps its Authorization header
// on a redirect to the same host, and an S3 server refuses a presigned URL that also carries one.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import S3rver from 's3rver'

export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export interface TestS3 {
  endpoint: string
  bucket: string
  /** Registry environment for STORAGE=s3 on this server. */
  env(extra?: Record<string, string>): Record<string, string>
  close(): Promise<void>
}

export async function startS3(bucket = 'packr-tarballs'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'packr-s3-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] })
  const address = (await server.run()) as AddressInfo
  const endpoint = `http://localhost:${address.port}`
  return {
    endpoint,
    bucket,
    env: (extra = {}) => ({
      STORAGE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      ...extra,
    }),
    async close() {
      await server.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
