// What publish needs from the tarball itself: its package.json (which must agree with the publish
// document), file statistics for `dist`, whether it carries install steps, and a README fallback.
import { manifestOf, readTarball, TarballError, type PackageManifest } from '@packr/scoring'
import { BadRequestError } from '../errors/index.ts'

export interface TarballFacts {
  manifest: PackageManifest
  fileCount: number
  unpackedSize: number
  hasShrinkwrap: boolean
  hasBindingGyp: boolean
  readme: { filename: string; text: string } | null
}

const README = /^readme(\.(md|markdown|txt|rst))?$/i
const MAX_README_BYTES = 1024 * 1024

export async function inspectTarball(tarball: Uint8Array): Promise<TarballFacts> {
  let contents: Awaited<ReturnType<typeof readTarball>>
  let manifest: PackageManifest
  try {
    contents = await readTarball(tarball, {
      // A 50 MB tarball may legitimately unpack to several hundred MB; a bomb goes far beyond.
      limits: { maxUnpackedBytes: Math.min(2 * 1024 ** 3, Math.max(256 * 1024 ** 2, tarball.byteLength * 100)), maxFileBytes: MAX_README_BYTES },
      select: (path) => path === 'package.json' || README.test(path),
    })
    manifest = manifestOf(contents)
  } catch (error) {
    if (error instanceof TarballError) throw new BadRequestError('INVALID_TARBALL', `tarball is not readable: ${error.message}`)
    throw error
  }
  const files = contents.entries.filter((entry) => entry.type === 'file')
  const readmeName = [...contents.files.keys()].find((path) => README.test(path))
  return {
    manifest,
    fileCount: files.length,
    unpackedSize: contents.unpackedSize,
    hasShrinkwrap: files.some((entry) => entry.path === 'npm-shrinkwrap.json'),
    hasBindingGyp: files.some((entry) => entry.path === 'binding.gyp'),
    readme: readmeName ? { filename: readmeName, text: new TextDecoder().decode(contents.files.get(readmeName)) } : null,
  }
}
