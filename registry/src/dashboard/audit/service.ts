// The audit log for the dashboard, on the audit log service (no HTTP): registry admins only, as the
// admin API (the log has no per-org view); the same filters as GET /api/v1/admin/audit.
import type { Viewer } from '../../access/service.ts'
import { auditFilter, type AuditLog, type AuditPage } from '../../audit/service.ts'
import { ForbiddenError } from '../../errors/index.ts'
import type { AuditPageQuery } from './model.ts'

export const EVENTS_PER_PAGE = 50

export class AuditPages {
  constructor(private readonly audit: AuditLog) {}

  async page(viewer: Viewer, query: AuditPageQuery): Promise<AuditPage> {
    if (!viewer.admin) throw new ForbiddenError('ADMIN_ONLY', 'the audit log is for registry admins')
    return this.audit.query(auditFilter(query), EVENTS_PER_PAGE, query.cursor)
  }
}
