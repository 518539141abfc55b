// The capability taxonomy: what a package does, in the words agents and developers use. Each entry
// lists phrases (synonyms included) matched against the package's name, keywords, description and
// README headings after normalisation (text.ts), exported API names that betray it, and name
// patterns. docs/scoring.md renders this file (`bun scoring/scripts/render-taxonomy.ts`).

export type CapabilityCategory = 'web' | 'network' | 'data' | 'security' | 'cli' | 'testing' | 'observability' | 'text' | 'files' | 'async' | 'utility' | 'ui' | 'build' | 'media' | 'config'

export interface CapabilityDefinition {
  id: string
  label: string
  category: CapabilityCategory
  description: string
  /** Phrases, synonyms included, in plain words; matched as whole normalised word sequences. */
  terms: string[]
  /** Exported API names (case-insensitive) that indicate the capability. */
  api?: string[]
  /** Package-name patterns that indicate it (matched against the full name). */
  names?: RegExp[]
  /** Peer dependencies that indicate it. */
  peers?: string[]
}

export const CAPABILITIES: readonly CapabilityDefinition[] = [
  // web
  { id: 'http-server', label: 'HTTP server', category: 'web', description: 'Serves HTTP: a server or web framework with routing.', terms: ['http server', 'web server', 'web framework', 'web application framework', 'server framework', 'rest api framework', 'api server', 'node server', 'web app framework', 'framework for node'], api: ['createServer', 'listen', 'route', 'Router'] },
  { id: 'routing', label: 'Routing', category: 'web', description: 'Matches request paths to handlers.', terms: ['router', 'routing', 'route matching', 'path to regexp', 'url router', 'radix tree router'], api: ['Router', 'match', 'pathToRegexp'] },
  { id: 'middleware', label: 'HTTP middleware', category: 'web', description: 'Middleware for Express/Connect/Koa-style servers.', terms: ['middleware', 'express middleware', 'connect middleware', 'koa middleware'], names: [/^(express|koa|connect)-/, /^@fastify\//] },
  { id: 'body-parsing', label: 'Request body parsing', category: 'web', description: 'Parses JSON, urlencoded and raw request bodies.', terms: ['body parser', 'body parsing', 'request body', 'raw body', 'urlencoded', 'parse body'] },
  { id: 'file-upload', label: 'File upload (multipart)', category: 'web', description: 'Handles multipart/form-data uploads.', terms: ['multipart', 'form data', 'file upload', 'upload', 'multipart form'] },
  { id: 'static-files', label: 'Static file serving', category: 'web', description: 'Serves files from disk over HTTP.', terms: ['static file', 'serve static', 'static server', 'file server', 'serve file'] },
  { id: 'cookies', label: 'Cookies', category: 'web', description: 'Parses, signs and serialises HTTP cookies.', terms: ['cookie', 'set cookie', 'cookie parser', 'signed cookie', 'cookie jar'] },
  { id: 'session', label: 'Sessions', category: 'web', description: 'Server-side sessions.', terms: ['session', 'session middleware', 'session store'] },
  { id: 'cors', label: 'CORS', category: 'web', description: 'Cross-origin resource sharing headers.', terms: ['cors', 'cross origin', 'cross origin resource sharing'] },
  { id: 'security-headers', label: 'Security headers', category: 'security', description: 'Sets HTTP security headers (CSP, HSTS, ...).', terms: ['security header', 'content security policy', 'csp', 'hsts', 'helmet'] },
  { id: 'compression', label: 'Compression', category: 'data', description: 'gzip/deflate/brotli compression of data or HTTP responses.', terms: ['compression', 'compress', 'gzip', 'deflate', 'brotli', 'zlib', 'inflate', 'decompress'] },
  { id: 'http-client', label: 'HTTP client', category: 'network', description: 'Makes HTTP requests.', terms: ['http client', 'http request', 'request library', 'fetch', 'fetch api', 'ajax', 'xhr', 'xmlhttprequest', 'rest client', 'promise based http', 'http library', 'human friendly http', 'make http request'], api: ['fetch', 'request', 'get', 'post', 'axios'] },
  { id: 'proxy', label: 'HTTP proxy', category: 'network', description: 'Proxies HTTP/HTTPS/SOCKS traffic or builds proxy agents.', terms: ['proxy', 'http proxy', 'reverse proxy', 'proxy agent', 'socks', 'forward proxy', 'tunnel'], api: ['createProxyServer', 'createProxyMiddleware', 'HttpsProxyAgent', 'HttpProxyAgent'] },
  { id: 'websocket', label: 'WebSocket', category: 'network', description: 'WebSocket client or server.', terms: ['websocket', 'web socket', 'ws', 'rfc 6455'], api: ['WebSocket', 'WebSocketServer'] },
  { id: 'realtime', label: 'Realtime messaging', category: 'network', description: 'Realtime bidirectional event-based communication.', terms: ['realtime', 'real time', 'socket io', 'pub sub', 'pubsub', 'event based communication', 'bidirectional'] },
  { id: 'graphql', label: 'GraphQL', category: 'web', description: 'GraphQL servers, clients, schemas and queries.', terms: ['graphql', 'graphql server', 'graphql schema', 'graphql query', 'gql'], api: ['graphql', 'buildSchema', 'gql', 'makeExecutableSchema', 'ApolloServer'] },
  { id: 'email', label: 'Email', category: 'network', description: 'Sends or parses email.', terms: ['email', 'e mail', 'smtp', 'mail', 'send mail', 'mailer'], api: ['createTransport', 'sendMail'] },
  { id: 'mime-types', label: 'MIME types and content negotiation', category: 'web', description: 'MIME type lookup, content types and content negotiation.', terms: ['mime type', 'content type', 'media type', 'content negotiation', 'accept header'] },
  // security
  { id: 'authentication', label: 'Authentication', category: 'security', description: 'Authenticates users: strategies, login, credentials.', terms: ['authentication', 'auth', 'authenticate', 'login', 'sign in', 'passport', 'strategy', 'credential', 'identity'], api: ['authenticate', 'Strategy', 'login', 'logout'] },
  { id: 'jwt', label: 'JSON Web Tokens', category: 'security', description: 'Signs and verifies JWT/JWS/JWE tokens.', terms: ['jwt', 'json web token', 'jws', 'jwe', 'jwk', 'jose', 'json web signature', 'bearer token'], api: ['sign', 'verify', 'decode', 'jwtVerify', 'SignJWT', 'jwtDecrypt', 'importJWK'] },
  { id: 'oauth', label: 'OAuth / OpenID Connect', category: 'security', description: 'OAuth 2.0 and OpenID Connect clients and servers.', terms: ['oauth', 'oauth2', 'oauth 2', 'openid', 'openid connect', 'oidc', 'authorization server', 'pkce'] },
  { id: 'password-hashing', label: 'Password hashing', category: 'security', description: 'Hashes and verifies passwords (bcrypt, scrypt, argon2).', terms: ['password hashing', 'password hash', 'bcrypt', 'scrypt', 'argon2', 'hash password', 'pbkdf2'], api: ['hash', 'compare', 'genSalt', 'hashSync', 'compareSync'] },
  { id: 'cryptography', label: 'Cryptography', category: 'security', description: 'Hashes, ciphers, signatures and random values.', terms: ['crypto', 'cryptography', 'cryptographic', 'hash function', 'sha256', 'sha 256', 'sha1', 'md5', 'hmac', 'cipher', 'encryption', 'encrypt', 'decrypt', 'signature', 'ed25519', 'ecdsa', 'aes', 'rsa'], api: ['createHash', 'createHmac', 'encrypt', 'decrypt', 'sha256'] },
  { id: 'sanitization', label: 'HTML sanitisation', category: 'security', description: 'Cleans untrusted HTML against XSS.', terms: ['sanitize', 'sanitizer', 'sanitise', 'xss', 'cross site scripting', 'sanitize html', 'escape html', 'html escape'], api: ['sanitize'] },
  { id: 'rate-limiting', label: 'Rate limiting', category: 'security', description: 'Limits request or call rates.', terms: ['rate limit', 'rate limiting', 'rate limiter', 'throttle', 'throttling'] },
  // data
  { id: 'orm', label: 'ORM', category: 'data', description: 'Object-relational or object-document mapping with models.', terms: ['orm', 'object relational mapping', 'object relational mapper', 'odm', 'object document mapper', 'object modeling', 'data mapper', 'active record'], api: ['Model', 'Entity', 'Schema', 'model', 'define', 'Repository', 'DataSource', 'Sequelize'] },
  { id: 'query-builder', label: 'SQL query builder', category: 'data', description: 'Builds SQL queries programmatically.', terms: ['query builder', 'sql query builder', 'sql builder', 'migration', 'schema builder'] },
  { id: 'database-driver', label: 'Database driver', category: 'data', description: 'Client for a database server or embedded database.', terms: ['database driver', 'database client', 'db driver', 'driver', 'database', 'postgresql', 'postgres', 'mysql', 'mariadb', 'sqlite', 'sqlite3', 'mongodb', 'mongo', 'redis', 'sql server', 'mssql', 'oracle', 'connection pool', 'sql'], names: [/^(pg|mysql2?|sqlite3?|better-sqlite3|mongodb|redis|ioredis|tedious|oracledb)$/] },
  { id: 'postgresql', label: 'PostgreSQL', category: 'data', description: 'Works with PostgreSQL.', terms: ['postgresql', 'postgres', 'pg', 'pgsql'], names: [/^pg(-|$)/, /^postgres/] },
  { id: 'mysql', label: 'MySQL / MariaDB', category: 'data', description: 'Works with MySQL or MariaDB.', terms: ['mysql', 'mariadb', 'mysql2'] },
  { id: 'sqlite', label: 'SQLite', category: 'data', description: 'Works with SQLite.', terms: ['sqlite', 'sqlite3', 'better sqlite'] },
  { id: 'mongodb', label: 'MongoDB', category: 'data', description: 'Works with MongoDB.', terms: ['mongodb', 'mongo', 'mongoose', 'bson'] },
  { id: 'redis', label: 'Redis', category: 'data', description: 'Works with Redis.', terms: ['redis', 'ioredis', 'valkey', 'redis client'] },
  { id: 'cache', label: 'Caching', category: 'data', description: 'In-memory or pluggable caches (LRU, TTL, key-value).', terms: ['cache', 'caching', 'lru', 'lru cache', 'least recently used', 'ttl', 'memoize', 'memoization', 'key value store', 'key value'], api: ['LRUCache', 'memoize'] },
  { id: 'job-queue', label: 'Job queue', category: 'async', description: 'Background jobs and message queues.', terms: ['job queue', 'task queue', 'message queue', 'queue', 'background job', 'job', 'worker', 'job scheduling'], api: ['Queue', 'Worker', 'Job'] },
  { id: 'scheduling', label: 'Scheduling (cron)', category: 'async', description: 'Runs tasks on a schedule.', terms: ['cron', 'crontab', 'schedule', 'scheduler', 'scheduling', 'cron job', 'periodic'] },
  { id: 'validation', label: 'Validation', category: 'data', description: 'Validates data against schemas or rules.', terms: ['validation', 'validator', 'validate', 'schema validation', 'json schema', 'schema', 'type guard', 'data validation', 'runtime type', 'input validation', 'assertion schema'], api: ['validate', 'object', 'string', 'number', 'z', 'Joi', 'Ajv', 'isEmail', 'safeParse', 'ValidationError'] },
  { id: 'serialization', label: 'Serialisation', category: 'data', description: 'Serialises values to JSON, binary or other encodings.', terms: ['serialize', 'serialization', 'serializer', 'stringify', 'json stringify', 'msgpack', 'messagepack', 'protobuf', 'protocol buffer', 'cbor', 'deserialize'] },
  { id: 'json', label: 'JSON', category: 'data', description: 'Parses, formats or manipulates JSON.', terms: ['json', 'json parse', 'json5', 'jsonc', 'json parser'] },
  { id: 'yaml', label: 'YAML', category: 'data', description: 'Parses or writes YAML.', terms: ['yaml', 'yml'] },
  { id: 'xml', label: 'XML', category: 'data', description: 'Parses or builds XML.', terms: ['xml', 'xml parser', 'xml builder', 'sax', 'xml to json', 'xml2js'] },
  { id: 'csv', label: 'CSV', category: 'data', description: 'Parses or writes CSV/TSV.', terms: ['csv', 'tsv', 'comma separated', 'delimiter separated', 'csv parser'] },
  { id: 'config-formats', label: 'TOML / INI', category: 'config', description: 'Parses TOML or INI files.', terms: ['toml', 'ini', 'ini parser', 'ini file'] },
  { id: 'spreadsheet', label: 'Spreadsheets', category: 'data', description: 'Reads or writes Excel/ODS spreadsheets.', terms: ['spreadsheet', 'excel', 'xlsx', 'xls', 'ods', 'workbook'] },
  { id: 'date-time', label: 'Dates and times', category: 'utility', description: 'Parses, formats and computes dates, times and time zones.', terms: ['date', 'datetime', 'date time', 'timezone', 'time zone', 'date format', 'format date', 'parse date', 'duration', 'calendar', 'moment', 'temporal', 'immutable date'], api: ['format', 'parse', 'addDays', 'differenceInDays', 'DateTime', 'Duration', 'dayjs', 'moment'] },
  { id: 'id-generation', label: 'ID generation', category: 'utility', description: 'Generates unique IDs (UUID, nanoid, cuid).', terms: ['uuid', 'unique id', 'unique identifier', 'id generator', 'guid', 'nanoid', 'cuid', 'random id', 'ulid', 'rfc 4122', 'rfc 9562'], api: ['v4', 'v7', 'nanoid', 'uuid', 'randomUUID', 'customAlphabet'] },
  { id: 'semver', label: 'Semantic versioning', category: 'utility', description: 'Parses and compares semantic versions and ranges.', terms: ['semver', 'semantic version', 'semantic versioning', 'version range', 'version compare'], api: ['satisfies', 'maxSatisfying', 'valid', 'coerce', 'gt', 'lt'] },
  { id: 'query-string', label: 'Query strings and URLs', category: 'web', description: 'Parses and stringifies query strings and URLs.', terms: ['query string', 'querystring', 'qs', 'url parse', 'url parser', 'search param'] },
  { id: 'utility-library', label: 'Utility library', category: 'utility', description: 'General-purpose helpers for arrays, objects, functions and strings.', terms: ['utility library', 'utilities', 'functional programming', 'functional', 'modular utilities', 'lodash', 'underscore', 'deep clone', 'deep merge', 'deep equal', 'curry'], api: ['map', 'filter', 'reduce', 'debounce', 'throttle', 'cloneDeep', 'merge', 'pipe', 'compose', 'curry'] },
  { id: 'reactive-streams', label: 'Reactive programming', category: 'async', description: 'Observables and reactive streams.', terms: ['reactive', 'observable', 'reactive programming', 'reactive extension', 'rxjs', 'signal'], api: ['Observable', 'Subject', 'BehaviorSubject', 'pipe'] },
  { id: 'state-management', label: 'State management', category: 'ui', description: 'Application state containers and immutable updates.', terms: ['state management', 'state container', 'immutable state', 'redux', 'flux', 'observable state', 'reducer'], api: ['createStore', 'combineReducers', 'produce', 'observable', 'makeAutoObservable'] },
  { id: 'event-emitter', label: 'Event emitter', category: 'async', description: 'Publish/subscribe event emitters.', terms: ['event emitter', 'eventemitter', 'emitter', 'event bus', 'pub sub', 'pubsub', 'event listener'], api: ['EventEmitter', 'emit', 'on', 'off', 'once'] },
  { id: 'promise-utilities', label: 'Promises and concurrency control', category: 'async', description: 'Promise helpers: limits, queues, retries, timeouts.', terms: ['concurrency', 'concurrency limit', 'limit concurrency', 'async utilities', 'control flow', 'retry', 'run promise', 'promise queue', 'p limit', 'backoff'], api: ['pLimit', 'retry', 'Promise', 'mapLimit', 'parallel', 'series', 'waterfall'] },
  { id: 'streams', label: 'Streams', category: 'async', description: 'Node.js or web stream utilities.', terms: ['stream', 'streams', 'readable stream', 'writable stream', 'transform stream', 'duplex', 'pipe', 'through'], api: ['Readable', 'Writable', 'Transform', 'Duplex', 'pipeline'] },
  // cli
  { id: 'cli', label: 'Command-line tool', category: 'cli', description: 'Ships an executable command.', terms: ['cli', 'command line tool', 'command line interface', 'command line', 'terminal app', 'executable'] },
  { id: 'argument-parsing', label: 'Argument parsing', category: 'cli', description: 'Parses command-line arguments and options.', terms: ['argument parser', 'argument parsing', 'argv', 'argv parser', 'option parser', 'command line argument', 'cli argument', 'parse argument', 'command line option', 'cli framework', 'command line interface'], api: ['Command', 'program', 'option', 'command', 'parseArgs', 'argv', 'yargs'] },
  { id: 'terminal-styling', label: 'Terminal colours and styling', category: 'cli', description: 'Colours and styles terminal output (ANSI).', terms: ['terminal string styling', 'terminal color', 'ansi color', 'color', 'colour', 'ansi', 'terminal style', 'console color', 'chalk', 'styling', 'ansi escape'], api: ['red', 'green', 'bold', 'dim', 'yellow', 'blue', 'cyan'] },
  { id: 'prompts', label: 'Interactive prompts', category: 'cli', description: 'Asks questions interactively in the terminal.', terms: ['prompt', 'interactive prompt', 'interactive command line', 'inquirer', 'question', 'user input', 'interactive cli'], api: ['prompt', 'input', 'confirm', 'select', 'checkbox', 'password'] },
  { id: 'spinner', label: 'Spinners and progress', category: 'cli', description: 'Terminal spinners and progress bars.', terms: ['spinner', 'progress bar', 'progress', 'loading indicator', 'elegant terminal spinner'] },
  // testing
  { id: 'testing', label: 'Test framework', category: 'testing', description: 'Runs tests: a test framework or runner.', terms: ['test framework', 'testing framework', 'test runner', 'testing', 'unit test', 'test', 'bdd', 'tdd', 'test harness', 'tap'], api: ['describe', 'it', 'test', 'beforeEach', 'afterEach'] },
  { id: 'assertion', label: 'Assertions', category: 'testing', description: 'Assertion libraries.', terms: ['assertion', 'assertion library', 'assert', 'expect', 'should', 'bdd assertion'], api: ['expect', 'assert', 'should'] },
  { id: 'mocking', label: 'Mocks, spies and stubs', category: 'testing', description: 'Test doubles: spies, stubs, mocks, fake timers, HTTP mocking.', terms: ['mock', 'mocking', 'spy', 'stub', 'fake', 'test double', 'fake timer', 'http mocking', 'mock http', 'http server mocking', 'intercept'], api: ['spy', 'stub', 'mock', 'fake', 'useFakeTimers', 'nock'] },
  { id: 'http-testing', label: 'HTTP testing', category: 'testing', description: 'Tests HTTP servers end to end.', terms: ['http assertion', 'http testing', 'supertest', 'test http', 'superagent driven'] },
  { id: 'code-coverage', label: 'Code coverage', category: 'testing', description: 'Measures test coverage.', terms: ['coverage', 'code coverage', 'istanbul', 'c8', 'v8 coverage'] },
  // observability
  { id: 'logging', label: 'Logging', category: 'observability', description: 'Structured or leveled logging.', terms: ['logging', 'logger', 'logging library', 'log level', 'structured logging', 'json logger', 'http request logger'], api: ['createLogger', 'logger', 'info', 'warn', 'error', 'debug', 'child', 'pino', 'Logger'] },
  { id: 'debugging', label: 'Debug output', category: 'observability', description: 'Namespaced debug output and inspection.', terms: ['debug', 'debugging', 'debugging utility', 'inspect', 'stack trace', 'source map'] },
  { id: 'metrics', label: 'Metrics and monitoring', category: 'observability', description: 'Exposes metrics (Prometheus, OpenTelemetry) or traces.', terms: ['metric', 'metrics', 'prometheus', 'monitoring', 'telemetry', 'opentelemetry', 'tracing', 'instrumentation', 'histogram', 'counter', 'gauge'], api: ['Counter', 'Gauge', 'Histogram', 'Summary', 'register'] },
  // text
  { id: 'templating', label: 'Templating', category: 'text', description: 'Template engines rendering HTML or text.', terms: ['template', 'template engine', 'templating', 'templating engine', 'mustache', 'handlebars', 'view engine', 'logic less template', 'embedded javascript'], api: ['render', 'compile', 'renderFile', 'template'] },
  { id: 'markdown', label: 'Markdown', category: 'text', description: 'Parses or renders Markdown.', terms: ['markdown', 'commonmark', 'gfm', 'markdown parser', 'md'] },
  { id: 'html-parsing', label: 'HTML/DOM parsing', category: 'text', description: 'Parses HTML, traverses and manipulates the DOM.', terms: ['html parser', 'parse html', 'css selector', 'jquery', 'scraping', 'web scraping', 'dom manipulation', 'htmlparser'], api: ['load', 'parseDocument', 'parse', 'select', 'querySelector'] },
  { id: 'string-utilities', label: 'String utilities', category: 'text', description: 'String width, case conversion, escaping, wrapping.', terms: ['string width', 'camelcase', 'camel case', 'word wrap', 'truncate', 'escape string', 'slugify', 'pluralize', 'inflection', 'strip ansi'] },
  { id: 'text-encoding', label: 'Text and binary encoding', category: 'text', description: 'Character encodings, base64, buffers.', terms: ['encoding', 'charset', 'character encoding', 'base64', 'utf8', 'utf 8', 'iconv', 'punycode'] },
  { id: 'i18n', label: 'Internationalisation', category: 'text', description: 'Translation, locales and pluralisation.', terms: ['i18n', 'internationalization', 'internationalisation', 'localization', 'l10n', 'translation', 'locale'] },
  { id: 'diff', label: 'Diffing', category: 'text', description: 'Computes differences between texts or objects.', terms: ['diff', 'text diff'] },
  { id: 'parsing', label: 'Parsers and ASTs', category: 'build', description: 'JavaScript/CSS parsers, ASTs and code generation.', terms: ['ast', 'abstract syntax tree', 'tokenizer', 'lexer', 'ecmascript parser', 'javascript parser', 'estree', 'code generation', 'codegen'] },
  // files
  { id: 'file-system', label: 'File system', category: 'files', description: 'File system helpers: copy, remove, mkdir -p, atomic writes.', terms: ['file system', 'filesystem', 'fs', 'rm rf', 'rimraf', 'mkdir', 'mkdirp', 'copy file', 'remove file', 'write file', 'read file', 'fs extra', 'atomic write', 'temp file', 'temporary file'], api: ['copy', 'remove', 'ensureDir', 'mkdirp', 'rimraf', 'outputFile', 'readJson', 'writeJson'] },
  { id: 'glob', label: 'Glob matching', category: 'files', description: 'Matches file paths with glob patterns.', terms: ['glob', 'globbing', 'glob pattern', 'wildcard', 'minimatch', 'match file', 'file matching', 'fnmatch', 'picomatch', 'micromatch'], api: ['glob', 'globSync', 'minimatch', 'isMatch'] },
  { id: 'file-watching', label: 'File watching', category: 'files', description: 'Watches files and directories for changes.', terms: ['watch', 'file watcher', 'file watching', 'watcher', 'fs watch', 'fsevents', 'inotify', 'chokidar'], api: ['watch', 'FSWatcher'] },
  { id: 'archive', label: 'Archives (tar/zip)', category: 'files', description: 'Creates or extracts tar and zip archives.', terms: ['archive', 'tar', 'zip', 'unzip', 'tarball', 'extract', 'archiver', 'tgz'] },
  { id: 'path-utilities', label: 'Paths and module resolution', category: 'files', description: 'Path manipulation and module/package resolution.', terms: ['module resolution', 'find up', 'require resolve', 'package json', 'find file'] },
  // config
  { id: 'configuration', label: 'Configuration loading', category: 'config', description: 'Loads configuration from files and the environment.', terms: ['config', 'configuration', 'config loader', 'configuration management', 'env', 'environment variable', 'dotenv', 'rc file', 'cosmiconfig', 'settings'], api: ['config', 'load', 'get'] },
  // build
  { id: 'bundler', label: 'Bundler', category: 'build', description: 'Bundles modules for the browser or Node.', terms: ['bundler', 'module bundler', 'bundle', 'rollup', 'webpack', 'esbuild', 'tree shaking'] },
  { id: 'transpiler', label: 'Transpiler / compiler', category: 'build', description: 'Transforms modern JavaScript/TypeScript into other syntax.', terms: ['transpiler', 'compiler', 'babel', 'babel plugin', 'babel preset', 'typescript compiler', 'jsx transform', 'source transform', 'syntax transform', 'downlevel'], names: [/^@babel\//, /^babel-(plugin|preset|loader)/] },
  { id: 'minifier', label: 'Minifier', category: 'build', description: 'Minifies JavaScript or CSS.', terms: ['minify', 'minifier', 'mangler', 'compressor', 'uglify', 'terser', 'minification'] },
  { id: 'css', label: 'CSS processing', category: 'build', description: 'CSS preprocessors, PostCSS and vendor prefixes.', terms: ['css', 'postcss', 'sass', 'scss', 'less', 'stylesheet', 'css preprocessor', 'vendor prefix', 'autoprefixer'] },
  { id: 'type-definitions', label: 'Type definitions', category: 'build', description: 'TypeScript type declarations only.', terms: ['type definition', 'typescript definition', 'type declaration', 'typings'], names: [/^@types\//] },
  { id: 'polyfill', label: 'Polyfill', category: 'build', description: 'Implements a standard API for runtimes that lack it.', terms: ['polyfill', 'ponyfill', 'shim', 'es shim', 'spec compliant'] },
  // ui
  { id: 'ui-framework', label: 'UI framework', category: 'ui', description: 'Builds user interfaces: components, virtual DOM, reactivity.', terms: ['ui', 'user interface', 'component', 'virtual dom', 'web component', 'ui library', 'frontend framework', 'jsx', 'reactive ui', 'declarative ui', 'react', 'vue', 'preact', 'lit', 'renderer'], api: ['createElement', 'useState', 'useEffect', 'Component', 'createApp', 'render', 'html', 'LitElement', 'h'] },
  { id: 'ui-component', label: 'UI component / plugin', category: 'ui', description: 'A component or plugin for a UI framework.', terms: ['react component', 'vue component', 'react hook', 'vue plugin'], peers: ['react', 'vue', 'preact', 'lit', 'svelte', 'react-dom'] },
  // media
  { id: 'image-processing', label: 'Image processing', category: 'media', description: 'Reads, writes and transforms images.', terms: ['image', 'image processing', 'png', 'jpeg', 'jpg', 'gif', 'bmp', 'tiff', 'resize', 'image manipulation', 'bitmap', 'perceptual hash'] },
  { id: 'pdf', label: 'PDF', category: 'media', description: 'Generates or reads PDF documents.', terms: ['pdf', 'pdf generation', 'pdf document'] },
  { id: 'fonts', label: 'Fonts', category: 'media', description: 'Parses fonts and lays out text.', terms: ['font', 'opentype', 'truetype', 'woff', 'glyph', 'text layout'] },
  // network misc
  { id: 'dns-networking', label: 'Low-level networking', category: 'network', description: 'Sockets, DNS, IP addresses, TLS agents.', terms: ['tcp', 'dns', 'ip address', 'ipv4', 'ipv6', 'http agent', 'keep alive', 'http2', 'spdy'] },
  { id: 'cloud-sdk', label: 'Cloud SDK', category: 'network', description: 'Clients for cloud provider APIs.', terms: ['aws', 'aws sdk', 'amazon web service', 'azure', 'google cloud', 'gcp', 'cloud', 's3', 'lambda'], names: [/^@aws-sdk\//, /^@smithy\//, /^@azure\//, /^@google-cloud\//] },
  { id: 'package-management', label: 'npm package tooling', category: 'build', description: 'Reads, resolves, fetches or packs npm packages.', terms: ['npm', 'package manager', 'package json', 'registry', 'npm registry', 'tarball', 'lockfile', 'semver range', 'node module'], names: [/^@npmcli\//, /^npm-/, /^pacote$/] },
  { id: 'process-management', label: 'Child processes and signals', category: 'utility', description: 'Spawns processes, handles signals and exits.', terms: ['child process', 'spawn', 'exec', 'exit hook', 'cross platform spawn'], api: ['spawn', 'exec', 'execa', 'onExit'] },
]

export const CAPABILITY_IDS: ReadonlySet<string> = new Set(CAPABILITIES.map((capability) => capability.id))
