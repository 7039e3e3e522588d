/**
 * What the user may do in a profile + region and what the cloud offers -> the Capabilities DTO. The rule itself (both
 * policy presets, the per-image narrowing, volume eligibility) is pure code in the shared contract,
 * preload/rules/permissions.ts, which the renderer uses too; this module only gathers the facts from a session.
 *
 * Policy facts (Glance's defaults, checked against the loopback cloud by test/integration/openstack):
 * - admin: everything.
 * - member: creates and manages images of its own project (modify, delete, tags, deactivate, share), downloads what
 *   it can see; cannot publicize (publicize_image is admin-only), cannot touch other projects' images.
 * - reader (without member): read-only under the secure-RBAC defaults. A cloud still on the legacy policies may let a
 *   reader write; the UI stays on the safe side and says the cloud "may refuse".
 */
import type { PolicyPreset } from '../../preload/api'
import { computeCapabilities, type CapabilityFacts } from '../../preload/rules/permissions'

export { computeCapabilities, imagePermission, REASONS, volumeEligibility, type CapabilityFacts } from '../../preload/rules/permissions'

/** The token facts of a session (roles, project and its domain) plus the profile's preset. */
export function sessionFacts(
  session: { roles: readonly string[]; project: { id: string; name: string; domainId?: string } },
  preset: PolicyPreset | undefined,
): Pick<CapabilityFacts, 'roles' | 'projectId' | 'projectName' | 'projectDomainId' | 'preset'> {
  const f: Pick<CapabilityFacts, 'roles' | 'projectId' | 'projectName' | 'projectDomainId' | 'preset'> = {
    roles: [...session.roles],
    projectId: session.project.id,
    projectName: session.project.name,
    preset: preset ?? 'glanceDefault',
  }
  if (session.project.domainId) f.projectDomainId = session.project.domainId
  return f
}

/** Capabilities of a session under a preset (the cloud facts given). */
export function capabilitiesOf(
  session: { roles: readonly string[]; project: { id: string; name: string; domainId?: string } },
  preset: PolicyPreset | undefined,
  cloud: Pick<CapabilityFacts, 'importMethods' | 'stores' | 'quota' | 'volumeService'>,
) {
  return computeCapabilities({ ...sessionFacts(session, preset), ...cloud })
}
