// Package names, scopes and tarball file names as the npm protocol spells them.
import semver from 'semver'
import validateName from 'validate-npm-package-name'
import { BadRequestError, NotFoundError } from '../errors/index.ts'

export interface NameCheck {
  /** Acceptable for a new publish (npm's current rules). */
  validForNew: boolean
  /** Could exist at all (legacy names such as mixed case included); anything else is rejected everywhere. */
  validForOld: boolean
  problems: string[]
}

const SCOPE = /^@[^/.][^/]*$/

export function checkPackageName(name: string): NameCheck {
  const result = validateName(name)
  const problems = [...(result.errors ?? []), ...(result.warnings ?? [])]
  let validForOld = result.validForOldPackages
  if (name.startsWith('@')) {
    const [scope, rest] = name.split('/', 2)
    // validate-npm-package-name accepts `@../x`; a scope must never be a path segment like `..`.
    if (!scope || !rest || !SCOPE.test(scope) || scope.includes('..')) {
      validForOld = false
      problems.push('scope must look like @name')
    }
  }
  // npm discourages core-module names (`events`, `buffer`, `string_decoder`), yet such packages are
  // real dependencies of much of the ecosystem; a private registry must be able to hold them.
  const blocking = (result.warnings ?? []).filter((warning) => !warning.endsWith('is a core module name'))
  return { validForNew: validForOld && blocking.length === 0, validForOld, problems }
}

/**
 * The package named by `/-/package/:name[/:sub]/...` route params (`@scope%2fname`, or `@scope` and
 * `name` as two segments); 404 when they do not form a package name.
 */
export function packageFromPath(name: string, sub?: string): string {
  const full = sub === undefined ? name : `${name}/${sub}`
  if ((sub !== undefined && (!name.startsWith('@') || name.includes('/'))) || !checkPackageName(full).validForOld) {
    throw new NotFoundError('PACKAGE_NOT_FOUND', `package ${full} not found`)
  }
  return full
}

/** Throws a 400 naming what is wrong unless `name` may be published today. */
export function assertPublishableName(name: string): void {
  const check = checkPackageName(name)
  if (!check.validForNew) {
    throw new BadRequestError('INVALID_PACKAGE_NAME', `invalid package name ${JSON.stringify(name)}: ${check.problems.join('; ')}`)
  }
}

/** `@acme` for `@acme/widget`, null for unscoped names. */
export function scopeOf(name: string): string | null {
  return name.startsWith('@') ? (name.split('/', 1)[0] ?? null) : null
}

/** The part after the scope: `widget` for `@acme/widget`. */
export function basenameOf(name: string): string {
  const slash = name.indexOf('/')
  return name.startsWith('@') && slash > 0 ? name.slice(slash + 1) : name
}

/** `@acme%2fwidget`: how npm writes a scoped name in a URL path segment. */
export function escapeName(name: string): string {
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name)
}

/** The npmjs layout's tarball file name: `widget-1.0.0.tgz` for `@acme/widget@1.0.0`. */
export function tarballFilename(name: string, version: string): string {
  return `${basenameOf(name)}-${version}.tgz`
}

/** The version encoded in a tarball file name, or null when the name does not belong to `name`. */
export function versionFromTarballFilename(name: string, filename: string): string | null {
  const prefix = `${basenameOf(name)}-`
  if (!filename.startsWith(prefix) || !filename.endsWith('.tgz')) return null
  const version = filename.slice(prefix.length, -'.tgz'.length)
  return semver.valid(version) === version ? version : null
}

/** A dist-tag name must not parse as a semver range, or `npm install pkg@tag` would be ambiguous. */
export function assertValidTag(tag: string): void {
  if (!tag || tag.length > 128 || /[\s/%]/.test(tag) || encodeURIComponent(tag) !== tag) {
    throw new BadRequestError('INVALID_TAG', `invalid dist-tag ${JSON.stringify(tag)}: use letters, digits, '-', '_' or '.'`)
  }
  if (semver.validRange(tag) !== null) {
    throw new BadRequestError('INVALID_TAG', `invalid dist-tag ${JSON.stringify(tag)}: a tag must not be a semver version or range`)
  }
}
