// Runs `analyzeVersion` off the registry's event loop: a slow or hostile tarball costs this thread,
// never a request. One message in (tarball + options), one result out.
import { analyzeVersion, type AnalyzeOptions } from '@packr/scoring'

declare const self: Worker

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
