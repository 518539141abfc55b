#!/usr/bin/env node
// The packr-mcp bin. It is committed (so package managers can link it on a fresh install) and loads
// the Node build of src/main.ts, which `bun install` builds in a checkout and `prepack` before publishing.
import '../dist/packr-mcp.js'
