// The ceiling for registry reads on this machine, with nothing of a registry in it: a bare Bun.serve
// answering `/` with a fixed 1 KiB JSON body and `/tarballs/<file>` with that file of the directory
// given as the first argument (the corpus tarballs), the way a registry streams a stored tarball.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const tarballDir = process.argv[2] ?? ''
const tarballs = new Set(tarballDir ? readdirSync(tarballDir) : [])
const json = JSON.stringify({ padding: 'x'.repeat(1024 - '{"padding":""}'.length) })

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(request) {
    const path = new URL(request.url).pathname
    if (path === '/') return new Response(json, { headers: { 'content-type': 'application/json' } })
    const file = path.slice('/tarballs/'.length)
    if (path.startsWith('/tarballs/') && tarballs.has(file)) return new Response(Bun.file(join(tarballDir, file)), { headers: { 'content-type': 'application/octet-stream' } })
    return new Response('not found', { status: 404 })
  },
})
console.log(JSON.stringify({ port: server.port }))
