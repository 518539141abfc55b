// The real npm CLI against orgs, teams, access and owners: `npm org`, `npm team`, `npm access`,
// `npm owner`, with an org admin and a member, each with their own HOME.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { npmrc, Workspace } from '../helpers/clients.ts'
import { publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

setDefaultTimeout(60_000)

let registry: TestRegistry
let owner: Workspace
let member: Workspace
let memberToken: string

const npm = (ws: Workspace, args: string[]) => ws.run('npm', [...args, '--registry', `${registry.url}/`], ws.root)

beforeAll(async () => {
  registry = await startTestRegistry()
  const ownerToken = await registry.createUser('olga')
  memberToken = await registry.createUser('mike')
  await registry.createUser('nina')
  owner = new Workspace('packr-npm-orgs-')
  member = new Workspace('packr-npm-orgs-member-')
  writeFileSync(join(owner.home, '.npmrc'), npmrc(registry.url, ownerToken))
  writeFileSync(join(member.home, '.npmrc'), npmrc(registry.url, memberToken))
  expect((await registry.request('/api/v1/admin/orgs', { method: 'POST', token: ownerToken, json: { slug: 'acme' } })).status).toBe(201)
  const doc = await publishDocument({ name: '@acme/widget', version: '1.0.0' })
  expect((await registry.request('/@acme%2fwidget', { method: 'PUT', token: ownerToken, json: doc })).status).toBe(201)
})

afterAll(async () => {
  await registry.close()
  owner.remove()
  member.remove()
})

describe('npm org, team, access and owner', () => {
  test('npm org set / ls / rm', async () => {
    const set = await npm(owner, ['org', 'set', 'acme', 'mike', 'developer'])
    expect(set.stderr).toBe('')
    expect(set.stdout).toContain('Added mike as maintainer to acme. You now have 2 members in this org.')
    expect((await npm(owner, ['org', 'set', 'acme', 'nina', 'developer'])).exitCode).toBe(0)
    const ls = await npm(owner, ['org', 'ls', 'acme', '--json'])
    expect(JSON.parse(ls.stdout)).toEqual({ mike: 'maintainer', nina: 'maintainer', olga: 'admin' })
    const rm = await npm(owner, ['org', 'rm', 'acme', 'nina'])
    expect(rm.stdout).toContain('Successfully removed nina from acme. You now have 2 members in this org.')
    const refused = await npm(member, ['org', 'set', 'acme', 'nina', 'admin'])
    expect(refused.exitCode).not.toBe(0)
    expect(refused.stderr).toContain('403')
  })

  test('npm team create / add / ls / rm / destroy', async () => {
    expect((await npm(owner, ['team', 'create', 'acme:devs'])).stdout).toContain('+@acme:devs')
    expect((await npm(owner, ['team', 'add', 'acme:devs', 'mike'])).stdout).toContain('mike added to @acme:devs')
    expect(JSON.parse((await npm(owner, ['team', 'ls', 'acme', '--json'])).stdout)).toEqual(['acme:devs'])
    expect(JSON.parse((await npm(member, ['team', 'ls', 'acme:devs', '--json'])).stdout)).toEqual(['mike'])
    const outsider = await npm(owner, ['team', 'add', 'acme:devs', 'nina'])
    expect(outsider.exitCode).not.toBe(0)
    expect(outsider.stderr).toContain('not a member of acme')
    expect((await npm(owner, ['team', 'create', 'acme:tmp'])).exitCode).toBe(0)
    expect((await npm(owner, ['team', 'destroy', 'acme:tmp'])).stdout).toContain('-@acme:tmp')
  })

  test('npm access grant / list / set status / get status / revoke', async () => {
    // mike is a maintainer but does not own @acme/widget: he cannot publish it until his team may write it.
    const publishAsMike = async (version: string) => registry.request('/@acme%2fwidget', { method: 'PUT', token: memberToken, json: await publishDocument({ name: '@acme/widget', version }) })
    expect((await publishAsMike('1.1.0')).status).toBe(403)
    expect((await npm(owner, ['access', 'grant', 'read-write', 'acme:devs', '@acme/widget'])).exitCode).toBe(0)
    expect((await publishAsMike('1.1.0')).status).toBe(201)
    expect(JSON.parse((await npm(member, ['access', 'list', 'packages', 'acme:devs', '--json'])).stdout)).toEqual({ '@acme/widget': 'read-write' })
    const collaborators = JSON.parse((await npm(member, ['access', 'list', 'collaborators', '@acme/widget', '--json'])).stdout)
    expect(collaborators).toEqual({ olga: 'read-write', mike: 'read-write' })
    expect(JSON.parse((await npm(member, ['access', 'list', 'packages', '--json'])).stdout)).toEqual({ '@acme/widget': 'read-write' })

    const set = await npm(owner, ['access', 'set', 'status=private', '@acme/widget'])
    expect(set.stdout).toContain('@acme/widget: private')
    expect((await npm(member, ['access', 'get', 'status', '@acme/widget'])).stdout.trim()).toBe('@acme/widget: private')
    expect((await registry.request('/@acme%2fwidget')).status).toBe(404)
    const anonymous = new Workspace('packr-npm-orgs-anon-')
    try {
      writeFileSync(join(anonymous.home, '.npmrc'), npmrc(registry.url))
      const view = await npm(anonymous, ['view', '@acme/widget'])
      expect(view.exitCode).not.toBe(0)
      expect(view.stderr).toContain('404')
    } finally {
      anonymous.remove()
    }
    expect((await npm(owner, ['access', 'revoke', 'acme:devs', '@acme/widget'])).exitCode).toBe(0)
    expect(JSON.parse((await npm(member, ['access', 'list', 'packages', 'acme:devs', '--json'])).stdout)).toEqual({})
  })

  test('npm owner add / ls / rm, never the last owner', async () => {
    expect((await npm(owner, ['owner', 'add', 'mike', '@acme/widget'])).stdout).toContain('+ mike (@acme/widget)')
    const ls = await npm(member, ['owner', 'ls', '@acme/widget'])
    expect(ls.stdout).toContain('olga')
    expect(ls.stdout).toContain('mike')
    // nina is no longer a member of acme: she cannot own its packages.
    const outsider = await npm(owner, ['owner', 'add', 'nina', '@acme/widget'])
    expect(outsider.exitCode).not.toBe(0)
    expect((await npm(owner, ['owner', 'rm', 'mike', '@acme/widget'])).stdout).toContain('- mike (@acme/widget)')
    const last = await npm(owner, ['owner', 'rm', 'olga', '@acme/widget'])
    expect(last.exitCode).not.toBe(0)
    expect(last.stderr).toMatch(/EOWNERRM|Cannot remove all owners/)
  })
})
