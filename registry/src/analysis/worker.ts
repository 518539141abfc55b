// Runs `analyzeVersion` off the registry's event loop: a slow or hostile tarball costs this thread,
// never a request. One message in (tarball + options), one result out.
import { analyzeVersion, type AnalyzeOptions } from '@packr/scoring'
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'

declare const self: Worker

/**
 * Analysis is background work: on Linux this thread lowers its own scheduling priority (nice 10), so
 * that when the cores are busy, requests and publishes on the main thread come first and a backlog of
 * analyses waits. `/proc/thread-self` names this thread, which `setPriority` accepts as a pid.
 */
const ANALYSIS_NICE = 10
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').at(-1)), ANALYSIS_NICE)
} catch {
  // Not Linux, or not allowed: the analysis runs at normal priority.
}

export interface AnalysisRequest {
  id: number
  tarball: Uint8Array
  options: Pick<AnalyzeOptions, 'manifest' | 'checks'> & { deprecatedDependencies: string[] }
}

self.onmessage = async (event: MessageEvent<AnalysisRequest>) => {
  const { id, tarball, options } = event.data
  try {
    self.postMessage({ id, result: await analyzeVersion(tarball, options) })
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) })
  }
}
