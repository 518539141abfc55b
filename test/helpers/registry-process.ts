// A registry in its own process (`bun registry/src/main.ts`), as deployments run it: for tests and
// benchmarks that need several instances to share nothing but the database and the bucket.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Subprocess } from 'bun'
import { requester, type RegistryRequest } from './registry.ts'

const MAIN = resolve(import.meta.dir, '../../registry/src/main.ts')

export interface RegistryProcess {
  url: string
  /** Everything the process wrote to stderr so far (its JSON log lines). */
  logs(): string
  request: RegistryRequest
  stop(): Promise<void>
}

export async function spawnRegistry(env: Record<string, string>): Promise<RegistryProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'packr-instance-'))
  const proc: Subprocess<'ignore', 'pipe', 'pipe'> = Bun.spawn([process.execPath, MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let output = ''
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry did not start within 30 s:\n${output}`)), 30_000)
    void (async () => {
      const decoder = new TextDecoder()
      for await (const chunk of proc.stderr) {
        output += decoder.decode(chunk, { stream: true })
        const listening = /"message":"packr registry listening".*?"url":"([^"]+)"/.exec(output)
        if (listening) {
          clearTimeout(timer)
          resolveUrl(listening[1] as string)
        }
      }
      clearTimeout(timer)
      reject(new Error(`registry exited before listening (code ${await proc.exited}):\n${output}`))
    })()
  })
  return {
    url,
    logs: () => output,
    request: requester(url),
    async stop() {
      proc.kill('SIGTERM')
      const exited = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => null)])
      if (exited === null) proc.kill('SIGKILL')
      await proc.exited
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
