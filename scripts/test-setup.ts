// Prepares a fresh machine for the test suite and reports what the tests will run against. The
// package-manager clients come from devDependencies (installed by `bun install`); npm is the machine's;
// Chromium (for the browser test) comes from Debian's packages, installed here when missing.
import { existsSync } from 'node:fs'
import { clientCommand, run, type Client } from '../test/helpers/clients.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log('test-setup: installing chromium from Debian packages (apt-get)')
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } as Record<string, string>
    for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
      const result = await run(['apt-get', ...args], { cwd: process.cwd(), env, timeoutMs: 600_000 })
      if (result.exitCode !== 0) console.error(`test-setup: apt-get ${args.join(' ')} failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`)
    }
  } else {
    console.error(`test-setup: ${CHROMIUM} is missing and this process cannot apt-get install chromium; the browser test will fail`)
  }
}
console.log(existsSync(CHROMIUM) ? `test-setup: chromium at ${CHROMIUM}` : `test-setup: chromium NOT available at ${CHROMIUM}`)

const clients: Client[] = ['npm', 'pnpm', 'yarn', 'bun']
for (const client of clients) {
  const result = await run([...clientCommand(client), '--version'], { cwd: process.cwd(), env: { ...process.env } as Record<string, string> })
  if (result.exitCode !== 0) {
    console.error(`test-setup: ${client} --version failed: ${result.stderr.trim()}`)
    process.exit(1)
  }
  console.log(`test-setup: ${client} ${result.stdout.trim()}`)
}
