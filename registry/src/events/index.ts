// In-process domain events. Writers emit after their transaction commits, on the instance that wrote;
// the search index and webhooks subscribe. Listeners never fail the writer.
import type { Logger } from '../logging/index.ts'

export type RegistryEvent =
  | { type: 'package.published'; name: string; version: string; actor: string }
  | { type: 'package.unpublished'; name: string; version: string | null; actor: string }
  | { type: 'package.deprecated'; name: string; versions: string[]; message: string | null; actor: string }
  | { type: 'package.changed'; name: string; actor: string }
  | { type: 'dist-tag.changed'; name: string; tag: string; version: string | null; actor: string }
  | { type: 'token.created' | 'token.revoked'; token: TokenEventData; actor: string | null }

/** A token as events describe it: never its secret or key. */
export interface TokenEventData {
  id: string
  name: string
  role: string
  username: string
  userId: string
  scopes: string[]
  expiresAt: string | null
}

export type PackageEvent = Exclude<RegistryEvent, { type: 'token.created' | 'token.revoked' }>

export function isPackageEvent(event: RegistryEvent): event is PackageEvent {
  return !event.type.startsWith('token.')
}

type Listener = (event: RegistryEvent) => void | Promise<void>

export class EventBus {
  private readonly listeners: Listener[] = []

  constructor(private readonly log: Logger) {}

  subscribe(listener: Listener): () => void {
    this.listeners.push(listener)
    return () => {
      const at = this.listeners.indexOf(listener)
      if (at >= 0) this.listeners.splice(at, 1)
    }
  }

  /** Runs synchronous listeners before returning; asynchronous ones continue in the background. */
  emit(event: RegistryEvent): void {
    for (const listener of this.listeners) {
      try {
        const result = listener(event)
        if (result instanceof Promise) result.catch((error) => this.report(event, error))
      } catch (error) {
        this.report(event, error)
      }
    }
  }

  private report(event: RegistryEvent, error: unknown): void {
    this.log.error('event listener failed', { event: event.type, subject: isPackageEvent(event) ? event.name : event.token.id, error: error instanceof Error ? error.message : String(error) })
  }
}
