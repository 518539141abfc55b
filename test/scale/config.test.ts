// Scale-out configuration: which database and store the environment selects, and the clear,
// secret-free one-line errors for settings that cannot work.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig, loadStorageConfig } from '../../registry/src/config/index.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'packr-config-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const SECRETS = { JWT_SECRET: 'j'.repeat(32), SESSION_SECRET: 's'.repeat(32), INTERNAL_API_SECRET: 'i'.repeat(32) }
const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env })
const failure = (env: Record<string, string>) => {
  try {
    load(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('configuration was accepted')
}

describe('database selection', () => {
  test('no DATABASE_URL keeps SQLite in DATA_DIR', () => {
    expect(load({}).database).toEqual({ kind: 'sqlite', path: join(dataDir, 'packr.db') })
  })

  test('DATABASE_URL selects PostgreSQL, with an optional replica and pool size', () => {
    const config = load({ DATABASE_URL: 'postgres://packr@db:5432/packr', REPLICA_DATABASE_URL: 'postgresql://packr@replica/packr', DATABASE_POOL_SIZE: '20', ...SECRETS })
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://packr@db:5432/packr', replicaUrl: 'postgresql://packr@replica/packr', poolSize: 20 })
  })

  test('a URL that is not PostgreSQL is refused without echoing it (it may hold a password)', () => {
    const message = failure({ DATABASE_URL: 'mysql://root:hunter2@db/packr', ...SECRETS })
    expect(message).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL')
    expect(message).not.toContain('hunter2')
  })

  test('a replica needs a primary', () => {
    expect(failure({ REPLICA_DATABASE_URL: 'postgres://replica/packr' })).toContain('REPLICA_DATABASE_URL needs DATABASE_URL (the primary) as well')
  })

  test('PostgreSQL needs the shared secrets from the environment', () => {
    const message = failure({ DATABASE_URL: 'postgres://db/packr', JWT_SECRET: SECRETS.JWT_SECRET })
    expect(message).toContain('SESSION_SECRET is required with DATABASE_URL')
    expect(message).toContain('INTERNAL_API_SECRET is required with DATABASE_URL')
    expect(message).not.toContain('JWT_SECRET is required')
  })

  test('regions: this instance and the primary', () => {
    expect(load({ FLY_REGION: 'sjc', PRIMARY_REGION: 'ams' })).toMatchObject({ region: 'sjc', primaryRegion: 'ams' })
    expect(load({ PRIMARY_REGION: 'ams' })).toMatchObject({ region: 'ams', primaryRegion: 'ams' })
  })
})

describe('storage selection', () => {
  test('fs by default, under DATA_DIR/tarballs', () => {
    expect(load({}).storage).toEqual({ kind: 'fs', root: join(dataDir, 'tarballs') })
  })

  test('STORAGE=s3 with every setting', () => {
    const config = load({
      STORAGE: 's3',
      S3_BUCKET: 'tarballs',
      S3_ENDPOINT: 'https://account.r2.cloudflarestorage.com',
      S3_REGION: 'auto',
      S3_ACCESS_KEY_ID: 'AKIA',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
      S3_REDIRECT: 'false',
      S3_PRESIGN_TTL_SECONDS: '600',
      S3_SSE: 'aws:kms',
      S3_SSE_KMS_KEY_ID: 'alias/packr',
    })
    expect(config.storage).toEqual({
      kind: 's3',
      bucket: 'tarballs',
      endpoint: 'https://account.r2.cloudflarestorage.com',
      region: 'auto',
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
      forcePathStyle: true,
      redirect: false,
      presignTtlSeconds: 600,
      sse: { kind: 'aws:kms', kmsKeyId: 'alias/packr' },
    })
  })

  test('S3 defaults: AWS endpoint and credential chain, redirects on, five-minute URLs, no SSE', () => {
    expect(load({ STORAGE: 's3', S3_BUCKET: 'b' }).storage).toEqual({
      kind: 's3',
      bucket: 'b',
      endpoint: undefined,
      region: 'us-east-1',
      credentials: undefined,
      forcePathStyle: false,
      redirect: true,
      presignTtlSeconds: 300,
      sse: undefined,
    })
  })

  test('bad S3 settings each get one clear sentence, and the secret key is never echoed', () => {
    expect(failure({ STORAGE: 's3' })).toContain('S3_BUCKET is required when STORAGE=s3')
    expect(failure({ STORAGE: 'gcs' })).toContain('STORAGE must be fs or s3 (got "gcs")')
    const keys = failure({ STORAGE: 's3', S3_BUCKET: 'b', S3_SECRET_ACCESS_KEY: 'very-secret-key' })
    expect(keys).toContain('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together')
    expect(keys).not.toContain('very-secret-key')
    expect(failure({ STORAGE: 's3', S3_BUCKET: 'b', S3_SSE: 'AES256', S3_SSE_KMS_KEY_ID: 'k' })).toContain('S3_SSE_KMS_KEY_ID needs S3_SSE=aws:kms')
    expect(failure({ STORAGE: 's3', S3_BUCKET: 'b', S3_SSE: 'des' })).toContain('S3_SSE must be AES256 or aws:kms')
    expect(failure({ STORAGE: 's3', S3_BUCKET: 'b', S3_PRESIGN_TTL_SECONDS: '30' })).toContain('S3_PRESIGN_TTL_SECONDS must be at least 120')
    expect(failure({ STORAGE: 's3', S3_BUCKET: 'b', S3_ENDPOINT: 'minio:9000' })).toContain('S3_ENDPOINT must be an absolute http(s) URL')
  })

  test('a prefixed store for storage:migrate, with errors naming the prefixed variable', () => {
    expect(loadStorageConfig({ SOURCE_STORAGE: 'fs', SOURCE_DATA_DIR: dataDir, STORAGE: 's3' }, 'SOURCE_')).toEqual({ kind: 'fs', root: join(dataDir, 'tarballs') })
    expect(() => loadStorageConfig({ SOURCE_STORAGE: 's3' }, 'SOURCE_')).toThrow('SOURCE_S3_BUCKET is required when STORAGE=s3')
  })
})
