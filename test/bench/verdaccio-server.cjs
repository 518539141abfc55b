// Runs Verdaccio under Node with the given config file on a port the OS picks, and writes
// `{"port":N}` to stdout once it listens (the CLI cannot report the port it got for `:0`).
//   node verdaccio-server.cjs <verdaccio package dir> <config.yaml>
const path = require('node:path')

const [verdaccioDir, configPath] = process.argv.slice(2)
const { runServer } = require(path.resolve(verdaccioDir))

runServer(path.resolve(configPath)).then((server) => {
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`)
  })
})
