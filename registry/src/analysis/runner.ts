// One analysis worker thread, used one tarball at a time (analysis is CPU-bound and the machine may
// have two cores). A run that outlives its deadline terminates the thread; the next run starts a
// fresh one.
import type { AnalysisResult } from '@packr/scoring'
import type { AnalysisRequest } from './worker.ts'

type Reply = { id: number; result: AnalysisResult; error?: undefined } | { id: number; error: string; result?: undefined }

export class AnalysisRunner {
  private worker: Worker | undefined
  private nextId = 1
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly timeoutMs = 60_000) {}

  analyze(tarball: Uint8Array, options: AnalysisRequest['options']): Promise<AnalysisResult> {
    const run = () => this.run(tarball, options)
    const result = this.queue.then(run, run)
    this.queue = result.catch(() => {})
    return result
  }

  private run(tarball: Uint8Array, options: AnalysisRequest['options']): Promise<AnalysisResult> {
    const worker = (this.worker ??= new Worker(new URL('./worker.ts', import.meta.url)))
    const id = this.nextId++
    return new Promise<AnalysisResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stop()
        reject(new Error(`analysis took longer than ${this.timeoutMs} ms`))
      }, this.timeoutMs)
      const onMessage = (event: MessageEvent<Reply>) => {
        if (event.data.id !== id) return
        clearTimeout(timer)
        worker.removeEventListener('message', onMessage)
        worker.removeEventListener('error', onError)
        if (event.data.error !== undefined) reject(new Error(event.data.error))
        else resolve(event.data.result)
      }
      const onError = (event: ErrorEvent) => {
        clearTimeout(timer)
        this.stop()
        reject(new Error(`analysis worker failed: ${event.message}`))
      }
      worker.addEventListener('message', onMessage)
      worker.addEventListener('error', onError)
      const request: AnalysisRequest = { id, tarball, options }
      worker.postMessage(request, [tarball.buffer as ArrayBuffer])
    })
  }

  stop(): void {
    this.worker?.terminate()
    this.worker = undefined
  }
}
