// Tarballs in an S3-compatible bucket (AWS S3, R2, B2, MinIO, Supabase Storage). A single PutObject
// is atomic (the object appears whole or not at all); streamed copies go up as a multipart upload,
// which is equally invisible until completed. Reads stream, or hand the client a presigned URL.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { StorageConfig } from '../config/index.ts'
import { assertSafeKey, type BlobInfo, type BlobStore, type StoredBlob } from './blob-store.ts'

export type S3StorageConfig = Extract<StorageConfig, { kind: 's3' }>

/** Served with every presigned download: a key names one content forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable'

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const
  private readonly client: S3Client

  constructor(private readonly config: S3StorageConfig) {
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      forcePathStyle: config.forcePathStyle,
      // The SDK's default trailing CRC checksums are not understood by many S3-compatible servers;
      // uploads carry Content-MD5 instead, which every one of them checks.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
  }

  private encryption(): Pick<PutObjectCommandInput, 'ServerSideEncryption' | 'SSEKMSKeyId'> {
    const sse = this.config.sse
    if (!sse) return {}
    return sse.kind === 'AES256' ? { ServerSideEncryption: 'AES256' } : { ServerSideEncryption: 'aws:kms', ...(sse.kmsKeyId ? { SSEKMSKeyId: sse.kmsKeyId } : {}) }
  }

  async put(key: string, data: Uint8Array | ReadableStream<Uint8Array>): Promise<void> {
    assertSafeKey(key)
    const common = { Bucket: this.config.bucket, Key: key, ContentType: 'application/octet-stream', ...this.encryption() }
    if (data instanceof Uint8Array) {
      const md5 = new Bun.CryptoHasher('md5').update(data).digest('base64')
      await this.client.send(new PutObjectCommand({ ...common, Body: data, ContentLength: data.byteLength, ContentMD5: md5 }))
      return
    }
    await new Upload({ client: this.client, params: { ...common, Body: data }, leavePartsOnError: false }).done()
  }

  async get(key: string): Promise<StoredBlob | null> {
    assertSafeKey(key)
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }))
      if (!response.Body) return null
      return { size: response.ContentLength ?? 0, body: response.Body.transformToWebStream() as ReadableStream<Uint8Array> }
    } catch (error) {
      if (isMissing(error)) return null
      throw error
    }
  }

  async downloadUrl(key: string): Promise<string | null> {
    if (!this.config.redirect) return null
    assertSafeKey(key)
    const command = new GetObjectCommand({
      Bucket: this.config.bucket,
      Key: key,
      ResponseCacheControl: IMMUTABLE,
      ResponseContentType: 'application/octet-stream',
    })
    return getSignedUrl(this.client, command, { expiresIn: this.config.presignTtlSeconds })
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key)
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: key }))
  }

  async *list(): AsyncIterable<BlobInfo> {
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.config.bucket })) {
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue
        yield { key: object.Key, size: object.Size ?? 0, modifiedAt: object.LastModified?.getTime() ?? 0 }
      }
    }
  }

  /**
   * Nothing to do: a failed PutObject leaves no object, and an abandoned multipart upload (only
   * `storage:migrate` streams) is invisible; the bucket's AbortIncompleteMultipartUpload lifecycle
   * rule reclaims its parts (docs/scale-out.md).
   */
  async cleanup(): Promise<void> {}

  close(): void {
    this.client.destroy()
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)
}
