// The Helm chart renders with the real helm binary, passes `helm lint`, and describes what a
// multi-instance deployment needs: non-root pods probed on /health, configuration from values,
// secrets from a Secret, a Service and (when enabled) an Ingress. No cluster runs here, so the
// rendered objects are checked by reading them, not by applying them.
import { beforeAll, describe, expect, test } from 'bun:test'
import { resolve } from 'node:path'
import { run } from '../helpers/clients.ts'
import { ensureHelm } from '../helpers/helm.ts'

const CHART = resolve(import.meta.dir, '../../helm/packr')
const SECRETS = ['--set', 'secrets.DATABASE_URL=postgres://packr:pw@db/packr', '--set', 'secrets.JWT_SECRET=jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj']

type K8sObject = { kind: string; metadata: { name: string }; spec?: Record<string, unknown>; stringData?: Record<string, string> }

let helm: string
const helmRun = (args: string[]) => run([helm, ...args], { cwd: CHART, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } })

async function render(args: string[]): Promise<K8sObject[]> {
  const result = await helmRun(['template', 'registry', CHART, ...args])
  if (result.exitCode !== 0) throw new Error(result.stderr)
  return result.stdout
    .split(/^---$/m)
    .map((document) => Bun.YAML.parse(document) as K8sObject | null)
    .filter((document): document is K8sObject => document !== null && typeof document === 'object')
}

beforeAll(async () => {
  helm = await ensureHelm()
}, 300_000)

describe('helm chart', () => {
  test('helm lint passes', async () => {
    const result = await helmRun(['lint', CHART, ...SECRETS])
    expect(result.stderr).not.toContain('[ERROR]')
    expect(result.exitCode).toBe(0)
  })

  test('renders a Deployment of non-root pods probed on /health, with a Secret and a Service', async () => {
    const objects = await render(SECRETS)
    expect(objects.map((object) => object.kind).sort()).toEqual(['Deployment', 'Secret', 'Service'])
    const deployment = objects.find((object) => object.kind === 'Deployment') as K8sObject
    const pod = (deployment.spec as { replicas: number; template: { spec: Record<string, any> } }).template.spec
    expect((deployment.spec as { replicas: number }).replicas).toBe(2)
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 })
    const container = pod.containers[0]
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' })
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' })
    expect(container.envFrom).toEqual([{ secretRef: { name: 'registry-packr' } }])
    const env = Object.fromEntries(container.env.map((entry: { name: string; value: string }) => [entry.name, entry.value]))
    expect(env).toMatchObject({ STORAGE: 's3', S3_BUCKET: 'packr-tarballs', DATA_DIR: '/data', PORT: '4873' })
    expect(env).not.toHaveProperty('S3_ENDPOINT')
    const secret = objects.find((object) => object.kind === 'Secret') as K8sObject
    expect(secret.stringData).toEqual({ DATABASE_URL: 'postgres://packr:pw@db/packr', JWT_SECRET: 'jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj' })
  })

  test('an existing Secret replaces the generated one', async () => {
    const objects = await render(['--set', 'existingSecret=packr-prod'])
    expect(objects.some((object) => object.kind === 'Secret')).toBe(false)
    const deployment = objects.find((object) => object.kind === 'Deployment') as K8sObject
    expect((deployment.spec as any).template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: 'packr-prod' } }])
  })

  test('the Ingress routes the host to the Service, with TLS and room for publish bodies', async () => {
    const objects = await render([...SECRETS, '--set', 'ingress.enabled=true', '--set', 'ingress.host=npm.acme.test', '--set', 'ingress.tls.enabled=true'])
    const ingress = objects.find((object) => object.kind === 'Ingress') as K8sObject & { metadata: { annotations: Record<string, string> } }
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('100m')
    const spec = ingress.spec as any
    expect(spec.tls).toEqual([{ hosts: ['npm.acme.test'], secretName: 'registry-packr-tls' }])
    expect(spec.rules[0].host).toBe('npm.acme.test')
    expect(spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'registry-packr', port: { name: 'http' } })
  })

  test('rendering without a database refuses with a clear message', async () => {
    const result = await helmRun(['template', 'registry', CHART])
    expect(result.exitCode).not.toBe(0)
    expect(result.stderr).toContain('secrets.DATABASE_URL (or existingSecret) is required')
  })
})
